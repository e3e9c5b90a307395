/**
 * Reading and writing pocket_protector's `protected.yaml` (see docs/team.md#file-format).
 *
 * Reading accepts any valid YAML (folded or quoted scalars, flow style) through the `yaml`
 * package with the failsafe schema, then checks the schema: every key and value a string (a plain
 * scalar that the old tool would read as a number, boolean, date or null is refused), values in
 * versioned base64, names as the old tool accepts them.
 *
 * Writing emits the old tool's exact layout (src/team/yaml.ts): domains sorted by name (secrets
 * sorted, then `meta` with `public-key` and sorted `owners`), then `key-custodians` sorted, then
 * `audit-log`. Every entry whose value is unchanged since it was read is written with the text it
 * had in the file (a leaf `key: value` pair, an audit entry, a mapping key), so a change leaves
 * every other line byte-identical even in a file another tool laid out differently.
 *
 * seeqret extensions (only when used): a `meta-seeqret` declaration first, identity custodians
 * (`seeqret-identity`), and a `meta-seeqret-signature` block last. A top-level key starting with
 * `meta` can never be a domain in either tool.
 *
 * @module
 */
import { type Document, type Pair, type Scalar, isAlias, isMap, isScalar, isSeq, parse, parseDocument } from 'yaml';
import { SeeqretError } from '../errors.js';
import { emitItem, emitKey, emitPair, emitScalar, isPlainItem, isPlainKey, isPlainValue, isSimpleKey, plainIsString } from './yaml.js';

/** Version byte of every domain value (`public-key`, owner entries, secrets). */
export const VALUE_VERSION = 0;

/** A key custodian as stored in the file. */
export type CustodianEntry =
  | { readonly kind: 'v0'; readonly salt: Buffer; readonly publicKey: Buffer }
  | { readonly kind: 'v1'; readonly opslimit: number; readonly memlimit: number; readonly salt: Buffer; readonly publicKey: Buffer }
  | { readonly kind: 'raw'; readonly salt: Buffer; readonly publicKey: Buffer }
  | { readonly kind: 'identity'; readonly publicKey: Buffer };

/** A domain as stored: values are the raw bytes after the version byte. */
export interface DomainEntry {
  /** The domain's X25519 public key. */
  readonly publicKey: Buffer;
  /** Custodian name → domain secret key sealed to that custodian. */
  readonly owners: ReadonlyMap<string, Buffer>;
  /** Secret name → value sealed to the domain public key. */
  readonly secrets: ReadonlyMap<string, Buffer>;
}

/**
 * The signature block of the signing extension. Version 2 (written since sequence numbers) also
 * carries the team id, the sequence number and the hash of the predecessor, all signed; version 1
 * (legacy, read only) has `by`, `key` and `sig` alone.
 */
export type SignatureEntry =
  | { readonly version: 1; readonly by: string; readonly key: Buffer; readonly sig: Buffer }
  | {
      readonly version: 2;
      readonly by: string;
      readonly key: Buffer;
      /** The team id: 16 random bytes chosen when the file was first signed, kept by every write. */
      readonly team: Buffer;
      /** Sequence number: 1 for the first signed version, one more than the highest seen for each later write. */
      readonly seq: number;
      /** SHA-512 of every byte of the file this version was written over (64 zero bytes: none). */
      readonly prev: Buffer;
      readonly sig: Buffer;
    };

/** What a signature covers besides the content: every field of the block but `sig`. */
export type SignedFields = SignatureEntry extends infer T ? (T extends SignatureEntry ? Omit<T, 'sig'> : never) : never;

/** Length of a team id. */
export const TEAM_ID_BYTES = 16;
/** Length of the predecessor hash. */
export const PREV_BYTES = 64;
/** Largest sequence number (fits a u64 and a JavaScript number exactly). */
export const MAX_SEQ = Number.MAX_SAFE_INTEGER;

/** The content of a team file. */
export interface TeamData {
  /** Domain name → its entry. */
  readonly domains: ReadonlyMap<string, DomainEntry>;
  /** Custodian name → its entry. */
  readonly custodians: ReadonlyMap<string, CustodianEntry>;
  /** The file's audit log lines, oldest first. */
  readonly audit: readonly string[];
  /** The file uses the signing extension (every write is signed). */
  readonly signed: boolean;
}

/** Extensions a seeqret team file may declare. */
export const EXTENSIONS = ['identity-custodians', 'signatures'] as const;
/** One of {@link EXTENSIONS}. */
export type Extension = (typeof EXTENSIONS)[number];
/** Value of `meta-seeqret.format` of a file without signatures, or with legacy (version 1) signatures. */
export const EXTENSION_FORMAT = 'seeqret-team/1';
/** Value of `meta-seeqret.format` of a signed file (version 2 signature blocks: team id, sequence number, predecessor). */
export const EXTENSION_FORMAT_SIGNED = 'seeqret-team/2';
const FORMATS = [EXTENSION_FORMAT, EXTENSION_FORMAT_SIGNED];
/** What the declaration says to a reader of the file. */
export const EXTENSION_NOTE = 'this file uses seeqret extensions; pocket_protector (pprotect) cannot read it';
const META_KEY = 'meta-seeqret';
const SIGNATURE_KEY = 'meta-seeqret-signature';

/** The extensions `data` needs. */
export function extensionsOf(data: TeamData): Extension[] {
  const out: Extension[] = [];
  if ([...data.custodians.values()].some((c) => c.kind === 'identity')) out.push('identity-custodians');
  if (data.signed) out.push('signatures');
  return out;
}

/** The original text of entries read from a file, reused for unchanged entries when writing. */
export interface SourceText {
  /** Mapping key path (NUL-joined) → the key's scalar text, when it was a one-line simple key. */
  readonly keys: ReadonlyMap<string, string>;
  /** Leaf pair path → its value (as read) and full text (indentation to end of value, plus a line break). */
  readonly pairs: ReadonlyMap<string, { value: string; text: string }>;
  /** Audit entry → the texts of its items, in file order. */
  readonly items: ReadonlyMap<string, readonly string[]>;
}

/** What {@link parseTeamText} returns. */
export interface ParsedTeamFile {
  readonly data: TeamData;
  readonly source: SourceText;
  /** The signature block and the exact bytes it covers, when the file has one. */
  readonly signature: { readonly entry: SignatureEntry; readonly content: Buffer } | null;
  /** Extensions declared by `meta-seeqret`. */
  readonly extensions: readonly Extension[];
  /** The declared `meta-seeqret.format`, or null for a file in the old tool's format. */
  readonly format: string | null;
}

function bad(file: string, why: string): SeeqretError {
  return new SeeqretError('E_TEAM_FORMAT', `${file} is not a valid team file: ${why}`, 'Restore it from git (git log -p), or fix the YAML by hand.');
}

/** Compare strings by code point, as Python's sorted() does. */
export function codePointCompare(a: string, b: string): number {
  if (a === b) return 0;
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const cx = x.value.codePointAt(0)!;
    const cy = y.value.codePointAt(0)!;
    if (cx !== cy) return cx < cy ? -1 : 1;
  }
}

const sortedKeys = <T>(m: ReadonlyMap<string, T>): string[] => [...m.keys()].sort(codePointCompare);

const B64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decode standard base64 (whitespace between characters tolerated, as Python's b64decode does). */
export function decodeB64(text: string, what: string, file: string): Buffer {
  const t = text.replace(/[ \t\r\n]/g, '');
  if (!B64_RE.test(t)) throw bad(file, `${what} is not base64`);
  return Buffer.from(t, 'base64');
}

/** `0x00 ‖ raw`, base64. */
export function encodeValue(raw: Buffer): string {
  return Buffer.concat([Buffer.of(VALUE_VERSION), raw]).toString('base64');
}

function decodeValue(text: string, what: string, file: string): Buffer {
  const b = decodeB64(text, what, file);
  if (b.length === 0) throw bad(file, `${what} is empty`);
  if (b[0] !== VALUE_VERSION) {
    throw new SeeqretError('E_TEAM_VERSION', `${what} in ${file} has version ${b[0]}, this seeqret reads version 0`, 'Upgrade seeqret, or ask who wrote the file which tool they used.');
  }
  return b.subarray(1);
}

/** The `pwdkm` text (or identity key) of a custodian. */
export function encodeCustodian(c: CustodianEntry): { field: 'pwdkm' | 'seeqret-identity'; text: string } {
  if (c.kind === 'identity') return { field: 'seeqret-identity', text: c.publicKey.toString('base64') };
  if (c.kind === 'v1') {
    const head = Buffer.alloc(9);
    head[0] = 1;
    head.writeUInt32LE(c.opslimit, 1);
    head.writeUInt32LE(c.memlimit, 5);
    return { field: 'pwdkm', text: Buffer.concat([head, c.salt, c.publicKey]).toString('base64') };
  }
  return { field: 'pwdkm', text: Buffer.concat([Buffer.of(c.kind === 'v0' ? 0 : 2), c.salt, c.publicKey]).toString('base64') };
}

function decodeCustodian(field: string, text: string, name: string, file: string): CustodianEntry {
  if (field === 'seeqret-identity') {
    const pk = decodeB64(text, `the identity key of ${name}`, file);
    if (pk.length !== 32) throw bad(file, `the identity key of ${name} is not 32 bytes`);
    return { kind: 'identity', publicKey: pk };
  }
  const raw = decodeB64(text, `the pwdkm of ${name}`, file);
  const v = raw[0];
  if (v === 0 || v === 2) {
    if (raw.length !== 41) throw bad(file, `the pwdkm of ${name} is ${raw.length} bytes, not 41`);
    return { kind: v === 0 ? 'v0' : 'raw', salt: Buffer.from(raw.subarray(1, 9)), publicKey: Buffer.from(raw.subarray(9, 41)) };
  }
  if (v === 1) {
    if (raw.length !== 49) throw bad(file, `the pwdkm of ${name} is ${raw.length} bytes, not 49`);
    return { kind: 'v1', opslimit: raw.readUInt32LE(1), memlimit: raw.readUInt32LE(5), salt: Buffer.from(raw.subarray(9, 17)), publicKey: Buffer.from(raw.subarray(17, 49)) };
  }
  throw new SeeqretError('E_TEAM_VERSION', `custodian ${name} in ${file} has pwdkm version ${String(v)}, this seeqret reads versions 0, 1 and 2`, 'Upgrade seeqret.');
}

/** Build the signature entry from the fields of its block, as the declared format wants them. */
function signatureOf(f: ReadonlyMap<string, string>, format: string | null, file: string): SignatureEntry {
  const get = (k: string): string => f.get(k)!;
  if (format !== EXTENSION_FORMAT_SIGNED) {
    if (!f.has('by') || !f.has('key') || !f.has('sig') || f.size !== 3) throw bad(file, `${SIGNATURE_KEY} needs exactly by, key and sig`);
    return { version: 1, by: get('by'), key: decodeB64(get('key'), 'the signing key', file), sig: decodeB64(get('sig'), 'the signature', file) };
  }
  const names = ['by', 'key', 'team', 'seq', 'prev', 'sig'];
  if (f.size !== names.length || !names.every((n) => f.has(n))) throw bad(file, `${SIGNATURE_KEY} needs exactly ${names.join(', ')} (format ${EXTENSION_FORMAT_SIGNED})`);
  const team = decodeB64(get('team'), 'the team id', file);
  if (team.length !== TEAM_ID_BYTES) throw bad(file, `the team id is not ${TEAM_ID_BYTES} bytes`);
  const prev = decodeB64(get('prev'), 'the predecessor hash', file);
  if (prev.length !== PREV_BYTES) throw bad(file, `the predecessor hash is not ${PREV_BYTES} bytes`);
  const seqText = get('seq');
  if (!/^[1-9][0-9]{0,15}$/.test(seqText) || Number(seqText) > MAX_SEQ) throw bad(file, `the sequence number ${JSON.stringify(seqText.slice(0, 20))} is not a whole number from 1`);
  return { version: 2, by: get('by'), key: decodeB64(get('key'), 'the signing key', file), team, seq: Number(seqText), prev, sig: decodeB64(get('sig'), 'the signature', file) };
}

// ---------------------------------------------------------------------------------------------
// Reading

class Reader {
  readonly keys = new Map<string, string>();
  readonly pairs = new Map<string, { value: string; text: string }>();
  readonly items = new Map<string, string[]>();
  readonly preserve: boolean;
  constructor(
    readonly text: string,
    readonly doc: Document,
    readonly file: string,
  ) {
    // Mixed line endings would make kept text differ from written text: keep nothing then.
    this.preserve = !text.includes('\r');
  }

  resolve(node: unknown): unknown {
    return isAlias(node) ? node.resolve(this.doc) : node;
  }

  /** A string scalar, as the old tool would read it (plain scalars must not resolve to other types). */
  str(node: unknown, what: string): string {
    const n = this.resolve(node);
    if (!isScalar(n)) throw bad(this.file, `${what} is not a string`);
    const s = n as Scalar;
    if (s.tag !== undefined && s.tag !== 'tag:yaml.org,2002:str') throw bad(this.file, `${what} has the tag ${s.tag}`);
    const v = s.value;
    if (typeof v !== 'string') throw bad(this.file, `${what} is not a string`);
    if (s.type === 'PLAIN' && s.tag === undefined && !plainIsString(v)) throw bad(this.file, `${what} (${JSON.stringify(v.slice(0, 40))}) would be read as a number, boolean, date or null; quote it`);
    return v;
  }

  map(node: unknown, what: string): Pair[] {
    const n = this.resolve(node);
    if (!isMap(n)) throw bad(this.file, `${what} is not a mapping`);
    return n.items as Pair[];
  }

  lineStart(offset: number): number {
    return this.text.lastIndexOf('\n', offset - 1) + 1;
  }

  /** Remember the source text of a key at `indent` (one line, plain or quoted, simple). */
  noteKey(path: string, pair: Pair, indent: number): void {
    if (!this.preserve || !isScalar(pair.key)) return;
    const k = pair.key as Scalar;
    const [start, end] = k.range ?? [0, 0];
    const ls = this.lineStart(start);
    const t = this.text.slice(start, end);
    if (start - ls !== indent || this.text.slice(ls, start).trim() !== '' || t.includes('\n') || t.length === 0) return;
    if (k.type === 'BLOCK_LITERAL' || k.type === 'BLOCK_FOLDED') return;
    this.keys.set(path, t);
  }

  /** Remember the full text of a leaf `key: value` pair whose key is at `indent`. */
  notePair(path: string, pair: Pair, indent: number, value: string): void {
    if (!this.preserve || !isScalar(pair.key) || !isScalar(pair.value) || isAlias(pair.value)) return;
    const k = pair.key as Scalar;
    const v = pair.value as Scalar;
    if (k.anchor || v.anchor || v.tag) return;
    const start = k.range?.[0] ?? 0;
    const end = v.range?.[1] ?? 0;
    const ls = this.lineStart(start);
    if (start - ls !== indent || this.text.slice(ls, start) !== ' '.repeat(indent) || end <= start) return;
    const keyText = this.text.slice(start, k.range![1]);
    if (keyText.includes('\n')) return;
    this.keys.set(path, keyText);
    // The rest of the value's last line must be blank or a comment (which is dropped).
    const eol = this.text.indexOf('\n', end);
    const rest = this.text.slice(end, eol < 0 ? this.text.length : eol);
    if (rest.trim() !== '' && !rest.trim().startsWith('#')) return;
    this.pairs.set(path, { value, text: this.text.slice(ls, end) + '\n' });
  }

  /** Remember the text of an audit item `- value` at column 0. */
  noteItem(node: unknown, value: string): void {
    if (!this.preserve || !isScalar(node)) return;
    const s = node as Scalar;
    if (s.anchor || s.tag) return;
    const [start, end] = s.range ?? [0, 0];
    const ls = this.lineStart(start);
    if (!/^- +$/.test(this.text.slice(ls, start))) return;
    const eol = this.text.indexOf('\n', end);
    const rest = this.text.slice(end, eol < 0 ? this.text.length : eol);
    if (rest.trim() !== '' && !rest.trim().startsWith('#')) return;
    const list = this.items.get(value) ?? [];
    list.push(this.text.slice(ls, end) + '\n');
    this.items.set(value, list);
  }
}

const NUL = '\0';
const EMPTY_SOURCE: SourceText = { keys: new Map(), pairs: new Map(), items: new Map() };

/**
 * Parse the text of a team file. `file` names it in messages.
 *
 * A file in the exact layout this module (and the old tool) writes is read by a line scanner
 * that checks every line is what the emitter would write for the values it read
 * ({@link parseCanonical}); anything else goes through the full YAML parser. Both give the same
 * result (a property test checks it); the scanner reads a 1,000-secret file several times faster.
 */
export function parseTeamText(text: string, file: string): ParsedTeamFile {
  return parseCanonical(text, file) ?? parseTeamTextFull(text, file);
}

/** {@link parseTeamText} through the full YAML parser only. */
export function parseTeamTextFull(text: string, file: string): ParsedTeamFile {
  const doc = parseDocument(text, { schema: 'failsafe', uniqueKeys: true, prettyErrors: false, strict: true });
  if (doc.errors.length > 0) throw bad(file, `YAML error: ${doc.errors[0]!.message.split('\n')[0]}`);
  if (doc.contents === null) throw bad(file, 'it is empty');
  const r = new Reader(text, doc, file);
  const top = r.map(doc.contents, 'the document');
  const domains = new Map<string, DomainEntry>();
  const custodians = new Map<string, CustodianEntry>();
  let audit: string[] | null = null;
  let sawCustodians = false;
  let declared: Extension[] = [];
  let format: string | null = null;
  let signatureFields: { fields: Map<string, string>; keyStart: number } | null = null;
  top.forEach((pair, index) => {
    const name = r.str(pair.key, 'a top-level key');
    if (name === 'audit-log') {
      const seq = r.resolve(pair.value);
      if (!isSeq(seq)) throw bad(file, 'audit-log is not a list');
      audit = seq.items.map((it, i) => {
        const s = r.str(it, `audit-log entry ${i + 1}`);
        r.noteItem(it, s);
        return s;
      });
    } else if (name === 'key-custodians') {
      sawCustodians = true;
      for (const p of r.map(pair.value, 'key-custodians')) {
        const cname = r.str(p.key, 'a key custodian name');
        r.noteKey(`c${NUL}${cname}`, p, 2);
        const fields = r.map(p.value, `key custodian ${cname}`);
        if (fields.length !== 1) throw bad(file, `key custodian ${cname} must have exactly one field (pwdkm)`);
        const field = r.str(fields[0]!.key, `a field of ${cname}`);
        if (field !== 'pwdkm' && field !== 'seeqret-identity') throw bad(file, `key custodian ${cname} has an unknown field ${field}`);
        const value = r.str(fields[0]!.value, `the ${field} of ${cname}`);
        r.notePair(`c${NUL}${cname}${NUL}${field}`, fields[0]!, 4, value);
        custodians.set(cname, decodeCustodian(field, value, cname, file));
      }
    } else if (name === META_KEY) {
      ({ format, extensions: declared } = parseDeclaration(r, pair.value, file));
    } else if (name === SIGNATURE_KEY) {
      if (index !== top.length - 1) throw bad(file, `${SIGNATURE_KEY} must be the last entry`);
      const keyStart = (pair.key as Scalar).range?.[0] ?? -1;
      if (keyStart < 0 || r.lineStart(keyStart) !== keyStart) throw bad(file, `${SIGNATURE_KEY} must start a line`);
      signatureFields = { fields: new Map(r.map(pair.value, SIGNATURE_KEY).map((p) => [r.str(p.key, `a field of ${SIGNATURE_KEY}`), r.str(p.value, `a field of ${SIGNATURE_KEY}`)])), keyStart };
    } else if (name.startsWith('meta')) {
      throw bad(file, `'${name}' is not a domain name (names starting with meta are reserved)`);
    } else {
      domains.set(name, parseDomain(r, name, pair));
    }
  });
  if (!sawCustodians) throw bad(file, 'key-custodians is missing');
  if (audit === null) throw bad(file, 'audit-log is missing');
  const data: TeamData = { domains, custodians, audit, signed: declared.includes('signatures') };
  const needed = extensionsOf(data);
  if (needed.includes('identity-custodians') && !declared.includes('identity-custodians')) throw bad(file, `it has identity custodians but ${META_KEY} does not declare them`);
  const sf = signatureFields as { fields: Map<string, string>; keyStart: number } | null;
  if (sf !== null && !data.signed) throw bad(file, `it has a signature but ${META_KEY} does not declare signatures`);
  const signature = sf === null ? null : { entry: signatureOf(sf.fields, format, file), content: Buffer.from(text.slice(0, sf.keyStart), 'utf8') };
  return { data, source: { keys: r.keys, pairs: r.pairs, items: r.items }, signature, extensions: declared, format };
}

/**
 * Read a file laid out exactly as {@link serializeTeamData} writes it, or return `null` (the
 * caller then uses the full YAML parser). Every line is checked against what the emitter would
 * write for the key and value read from it, so only text whose meaning is certain is accepted
 * here; values are decoded and checked by the same functions as the full parser's.
 */
export function parseCanonical(text: string, file: string): ParsedTeamFile | null {
  if (!text.endsWith('\n') || text.includes('\r') || text.includes('\t')) return null;
  const lines = text.split('\n');
  lines.pop();
  let i = 0;
  const at = (): string | undefined => lines[i];
  /** `INDENT KEY: VALUE` in canonical form, or null. */
  const pair = (line: string | undefined, indent: number): [string, string] | null => {
    if (line === undefined || !line.startsWith(' '.repeat(indent)) || line[indent] === ' ') return null;
    const sep = line.indexOf(': ', indent);
    if (sep < 0) return null;
    const k = line.slice(indent, sep);
    const v = line.slice(sep + 2);
    if (isPlainKey(k) && isPlainValue(v)) return [k, v];
    return emitPair(k, v, indent) === line + '\n' ? [k, v] : null;
  };
  /** `INDENT KEY:` in canonical form, or null. */
  const header = (line: string | undefined, indent: number): string | null => {
    if (line === undefined || !line.endsWith(':') || !line.startsWith(' '.repeat(indent)) || line[indent] === ' ') return null;
    const k = line.slice(indent, -1);
    if (isPlainKey(k)) return k;
    return k.length > 0 && isSimpleKey(k) && emitKey(k, indent) === line ? k : null;
  };
  let declared: Extension[] = [];
  let format: string | null = null;
  if (at() === `${META_KEY}:`) {
    format = FORMATS.find((f) => lines[i + 1] === `  format: ${f}`) ?? null;
    if (format === null || lines[i + 2] !== '  extensions:') return null;
    i += 3;
    while (at()?.startsWith('  - ')) {
      const e = at()!.slice(4);
      if (!(EXTENSIONS as readonly string[]).includes(e) || declared.includes(e as Extension)) return null;
      declared.push(e as Extension);
      i++;
    }
    if (emitPair('note', EXTENSION_NOTE, 2) !== at() + '\n') return null;
    if (format === EXTENSION_FORMAT_SIGNED && !declared.includes('signatures')) return null;
    i++;
  }
  const domains = new Map<string, DomainEntry>();
  for (;;) {
    const line = at();
    if (line === undefined || line === 'key-custodians:' || line === 'key-custodians: {}') break;
    const name = header(line, 0);
    if (name === null || name.startsWith('meta') || name === 'audit-log' || domains.has(name)) return null;
    i++;
    const secrets = new Map<string, Buffer>();
    while (at()?.startsWith('  secret-')) {
      const p = pair(at(), 2);
      if (!p) return null;
      const sname = p[0].slice('secret-'.length);
      if (secrets.has(sname)) return null;
      secrets.set(sname, decodeValue(p[1], `secret ${sname} of domain ${name}`, file));
      i++;
    }
    if (at() !== '  meta:') return null;
    i++;
    const pk = pair(at(), 4);
    if (!pk || pk[0] !== 'public-key') return null;
    const publicKey = decodeValue(pk[1], `the public key of domain ${name}`, file);
    if (publicKey.length !== 32) return null;
    i++;
    const owners = new Map<string, Buffer>();
    if (at() === '    owners:') {
      i++;
      for (let o = pair(at(), 6); o; o = pair(at(), 6)) {
        if (owners.has(o[0])) return null;
        owners.set(o[0], decodeValue(o[1], `the owner entry of ${o[0]} in ${name}`, file));
        i++;
      }
      if (owners.size === 0) return null;
    } else if (at() === '    owners: {}') i++;
    else return null;
    domains.set(name, { publicKey, owners, secrets });
  }
  const custodians = new Map<string, CustodianEntry>();
  if (at() === 'key-custodians: {}') i++;
  else if (at() === 'key-custodians:') {
    i++;
    for (let name = header(at(), 2); name !== null; name = header(at(), 2)) {
      const p = pair(lines[i + 1], 4);
      if (!p || (p[0] !== 'pwdkm' && p[0] !== 'seeqret-identity') || custodians.has(name)) return null;
      custodians.set(name, decodeCustodian(p[0], p[1], name, file));
      i += 2;
    }
  } else return null;
  const audit: string[] = [];
  if (at() === 'audit-log: []') i++;
  else if (at() === 'audit-log:') {
    i++;
    while (at()?.startsWith('- ')) {
      const first = at()!;
      if (!lines[i + 1]?.startsWith('  ') && isPlainItem(first.slice(2))) {
        audit.push(first.slice(2));
        i++;
        continue;
      }
      let j = i + 1;
      while (lines[j]?.startsWith('  ')) j++;
      const itemText = lines.slice(i, j).join('\n') + '\n';
      let value: string;
      if (first.startsWith("- '") || first.startsWith('- "')) {
        // A quoted entry: let the YAML parser decode it (the check below still demands canonical text).
        const v = (parse(itemText, { schema: 'failsafe' }) as unknown[] | null)?.[0];
        if (typeof v !== 'string') return null;
        value = v;
      } else value = [first.slice(2), ...lines.slice(i + 1, j).map((l) => l.slice(2))].join(' ');
      if (emitItem(value) !== itemText) return null;
      audit.push(value);
      i = j;
    }
  } else return null;
  let signature: ParsedTeamFile['signature'] = null;
  if (at() === `${SIGNATURE_KEY}:`) {
    if (!declared.includes('signatures')) return null;
    const offset = lines.slice(0, i).reduce((n, l) => n + l.length + 1, 0);
    const names = format === EXTENSION_FORMAT_SIGNED ? ['by', 'key', 'team', 'seq', 'prev', 'sig'] : ['by', 'key', 'sig'];
    const fields = new Map<string, string>();
    for (const [k, n] of names.entries()) {
      const p = pair(lines[i + 1 + k], 2);
      if (!p || p[0] !== n) return null;
      fields.set(n, p[1]);
    }
    signature = { entry: signatureOf(fields, format, file), content: Buffer.from(text.slice(0, offset), 'utf8') };
    i += 1 + names.length;
  }
  if (i !== lines.length) return null;
  const data: TeamData = { domains, custodians, audit, signed: declared.includes('signatures') };
  const needed = extensionsOf(data);
  if (needed.includes('identity-custodians') !== declared.includes('identity-custodians')) return null;
  return { data, source: EMPTY_SOURCE, signature, extensions: declared, format };
}

function parseDeclaration(r: Reader, node: unknown, file: string): { format: string; extensions: Extension[] } {
  const f = new Map(r.map(node, META_KEY).map((p) => [r.str(p.key, `a field of ${META_KEY}`), p.value]));
  const format = f.has('format') ? r.str(f.get('format'), `${META_KEY}.format`) : '';
  if (!FORMATS.includes(format)) {
    throw new SeeqretError('E_TEAM_VERSION', `${file} has team format '${format}', this seeqret reads ${FORMATS.join(' and ')}`, 'Upgrade seeqret.');
  }
  const list = r.resolve(f.get('extensions'));
  if (!isSeq(list)) throw bad(file, `${META_KEY}.extensions is not a list`);
  const out: Extension[] = [];
  for (const it of list.items) {
    const e = r.str(it, `an extension name`);
    if (!(EXTENSIONS as readonly string[]).includes(e)) throw new SeeqretError('E_TEAM_VERSION', `${file} uses the extension '${e}', unknown to this seeqret`, 'Upgrade seeqret.');
    if (!out.includes(e as Extension)) out.push(e as Extension);
  }
  return { format, extensions: out };
}

function parseDomain(r: Reader, name: string, pair: Pair): DomainEntry {
  const file = r.file;
  r.noteKey(`d${NUL}${name}`, pair, 0);
  const secrets = new Map<string, Buffer>();
  let meta: Pair | undefined;
  for (const p of r.map(pair.value, `domain ${name}`)) {
    const k = r.str(p.key, `a key in domain ${name}`);
    if (k === 'meta') {
      meta = p;
    } else if (k.startsWith('secret-')) {
      const sname = k.slice('secret-'.length);
      const v = r.str(p.value, `secret ${sname} of ${name}`);
      r.notePair(`d${NUL}${name}${NUL}s${NUL}${sname}`, p, 2, v);
      secrets.set(sname, decodeValue(v, `secret ${sname} of domain ${name}`, file));
    } else {
      throw bad(file, `domain ${name} has an unknown key ${k}`);
    }
  }
  if (!meta) throw bad(file, `domain ${name} has no meta`);
  let publicKey: Buffer | undefined;
  const owners = new Map<string, Buffer>();
  let sawOwners = false;
  for (const p of r.map(meta.value, `meta of ${name}`)) {
    const k = r.str(p.key, `a key in the meta of ${name}`);
    if (k === 'public-key') {
      const v = r.str(p.value, `the public key of ${name}`);
      r.notePair(`d${NUL}${name}${NUL}pk`, p, 4, v);
      publicKey = decodeValue(v, `the public key of domain ${name}`, file);
    } else if (k === 'owners') {
      sawOwners = true;
      for (const o of r.map(p.value, `the owners of ${name}`)) {
        const oname = r.str(o.key, `an owner of ${name}`);
        const v = r.str(o.value, `the owner entry of ${oname} in ${name}`);
        r.notePair(`d${NUL}${name}${NUL}o${NUL}${oname}`, o, 6, v);
        owners.set(oname, decodeValue(v, `the owner entry of ${oname} in ${name}`, file));
      }
    } else {
      throw bad(file, `the meta of domain ${name} has an unknown key ${k}`);
    }
  }
  if (!publicKey || !sawOwners) throw bad(file, `the meta of domain ${name} needs public-key and owners`);
  if (publicKey.length !== 32) throw bad(file, `the public key of domain ${name} is not 32 bytes`);
  return { publicKey, owners, secrets };
}

// ---------------------------------------------------------------------------------------------
// Writing


class Writer {
  out = '';
  readonly items: Map<string, string[]>;
  constructor(readonly source: SourceText) {
    this.items = new Map([...source.items].map(([k, v]) => [k, [...v]]));
  }
  key(path: string, key: string, indent: number): void {
    const kept = this.source.keys.get(path);
    if (kept !== undefined) this.out += ' '.repeat(indent) + kept + ':';
    else {
      if (!isSimpleKey(key)) throw new SeeqretError('E_INVALID_NAME', `the name ${JSON.stringify(key.slice(0, 60))} cannot be written as a YAML key`, 'Use a shorter name without line breaks.');
      this.out += emitKey(key, indent);
    }
  }
  pair(path: string, key: string, value: string, indent: number): void {
    const kept = this.source.pairs.get(path);
    if (kept !== undefined && kept.value === value) {
      this.out += kept.text;
      return;
    }
    const keyText = this.source.keys.get(path);
    if (keyText !== undefined) {
      const head = ' '.repeat(indent) + keyText + ':';
      this.out += head + emitScalar(value, { column: Array.from(head).length, indent: indent + 2 }) + '\n';
      return;
    }
    if (!isSimpleKey(key)) throw new SeeqretError('E_INVALID_NAME', `the name ${JSON.stringify(key.slice(0, 60))} cannot be written as a YAML key`, 'Use a shorter name without line breaks.');
    this.out += emitPair(key, value, indent);
  }
  item(value: string): void {
    const kept = this.items.get(value);
    if (kept && kept.length > 0) this.out += kept.shift()!;
    else this.out += emitItem(value);
  }
}

/**
 * Serialize `data` in the old tool's layout, reusing `source` text for unchanged entries.
 * The signature block is not written here (see {@link signatureBlock}).
 */
export function serializeTeamData(data: TeamData, source: SourceText = EMPTY_SOURCE): string {
  const w = new Writer(source);
  const ext = extensionsOf(data);
  if (ext.length > 0) {
    w.out += `${META_KEY}:\n  format: ${data.signed ? EXTENSION_FORMAT_SIGNED : EXTENSION_FORMAT}\n  extensions:\n${ext.map((e) => `  - ${e}\n`).join('')}` + emitPair('note', EXTENSION_NOTE, 2);
  }
  for (const name of sortedKeys(data.domains)) {
    const d = data.domains.get(name)!;
    w.key(`d${NUL}${name}`, name, 0);
    w.out += '\n';
    for (const s of sortedKeys(d.secrets)) w.pair(`d${NUL}${name}${NUL}s${NUL}${s}`, `secret-${s}`, encodeValue(d.secrets.get(s)!), 2);
    w.out += '  meta:\n';
    w.pair(`d${NUL}${name}${NUL}pk`, 'public-key', encodeValue(d.publicKey), 4);
    if (d.owners.size === 0) w.out += '    owners: {}\n';
    else {
      w.out += '    owners:\n';
      for (const o of sortedKeys(d.owners)) w.pair(`d${NUL}${name}${NUL}o${NUL}${o}`, o, encodeValue(d.owners.get(o)!), 6);
    }
  }
  if (data.custodians.size === 0) w.out += 'key-custodians: {}\n';
  else {
    w.out += 'key-custodians:\n';
    for (const name of sortedKeys(data.custodians)) {
      w.key(`c${NUL}${name}`, name, 2);
      w.out += '\n';
      const { field, text } = encodeCustodian(data.custodians.get(name)!);
      w.pair(`c${NUL}${name}${NUL}${field}`, field, text, 4);
    }
  }
  if (data.audit.length === 0) w.out += 'audit-log: []\n';
  else {
    w.out += 'audit-log:\n';
    for (const e of data.audit) w.item(e);
  }
  return w.out;
}

/** The signature block appended to signed content (version 2 unless given a legacy entry). */
export function signatureBlock(s: SignatureEntry): string {
  const b64 = (b: Buffer): string => b.toString('base64');
  if (s.version === 1) return `${SIGNATURE_KEY}:\n` + emitPair('by', s.by, 2) + `  key: ${b64(s.key)}\n  sig: ${b64(s.sig)}\n`;
  return `${SIGNATURE_KEY}:\n` + emitPair('by', s.by, 2) + `  key: ${b64(s.key)}\n  team: ${b64(s.team)}\n` + emitPair('seq', String(s.seq), 2) + `  prev: ${b64(s.prev)}\n  sig: ${b64(s.sig)}\n`;
}

/** The 8-byte big-endian form of a sequence number. */
function u64be(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}

/**
 * The message an Ed25519 signature covers.
 *
 * - version 1: `"seeqret/team/signature/v1\0" ‖ by ‖ "\0" ‖ key(32) ‖ SHA-512(content)`;
 * - version 2: `"seeqret/team/signature/v2\0" ‖ by ‖ "\0" ‖ key(32) ‖ team(16) ‖ u64be(seq) ‖ prev(64) ‖ SHA-512(content)`.
 */
export function signatureMessage(s: SignedFields, contentHash: Buffer): Buffer {
  if (s.version === 1) return Buffer.concat([Buffer.from(`seeqret/team/signature/v1\0${s.by}\0`, 'utf8'), s.key, contentHash]);
  return Buffer.concat([Buffer.from(`seeqret/team/signature/v2\0${s.by}\0`, 'utf8'), s.key, s.team, u64be(s.seq), s.prev, contentHash]);
}

/** Deep equality of two team data objects (used to check a write reads back as written). */
export function sameData(a: TeamData, b: TeamData): boolean {
  const sameMap = <T>(x: ReadonlyMap<string, T>, y: ReadonlyMap<string, T>, eq: (p: T, q: T) => boolean): boolean =>
    x.size === y.size && [...x].every(([k, v]) => y.has(k) && eq(v, y.get(k)!));
  const bufEq = (p: Buffer, q: Buffer): boolean => p.equals(q);
  return (
    a.signed === b.signed &&
    a.audit.length === b.audit.length &&
    a.audit.every((e, i) => e === b.audit[i]) &&
    sameMap(a.custodians, b.custodians, (p, q) => encodeCustodian(p).text === encodeCustodian(q).text && p.kind === q.kind) &&
    sameMap(a.domains, b.domains, (p, q) => p.publicKey.equals(q.publicKey) && sameMap(p.owners, q.owners, bufEq) && sameMap(p.secrets, q.secrets, bufEq))
  );
}
