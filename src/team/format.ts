/**
 * pocket_protector's `protected.yaml` (see docs/team.md#file-format): the data model, the value
 * codecs and the signature message. Reading is in ./read.ts and ./canonical.ts, writing in
 * ./serialize.ts.
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
import { SeeqretError } from '../errors.js';
import { codePointCompare } from '../util/compare.js';
import { emitPair } from './yaml.js';

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
export const FORMATS = [EXTENSION_FORMAT, EXTENSION_FORMAT_SIGNED];
/** What the declaration says to a reader of the file. */
export const EXTENSION_NOTE = 'this file uses seeqret extensions; pocket_protector (pprotect) cannot read it';
export const META_KEY = 'meta-seeqret';
export const SIGNATURE_KEY = 'meta-seeqret-signature';

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

export function bad(file: string, why: string): SeeqretError {
  return new SeeqretError('E_TEAM_FORMAT', `${file} is not a valid team file: ${why}`, 'Restore it from git (git log -p), or fix the YAML by hand.');
}

/** The entries of `m` sorted by key (code points, the order the team file is written in). */
export const sortedEntries = <T>(m: ReadonlyMap<string, T>): [string, T][] => [...m].sort(([a], [b]) => codePointCompare(a, b));

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

export function decodeValue(text: string, what: string, file: string): Buffer {
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

export function decodeCustodian(field: string, text: string, name: string, file: string): CustodianEntry {
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
export function signatureOf(f: ReadonlyMap<string, string>, format: string | null, file: string): SignatureEntry {
  const get = (k: string): string => f.get(k) ?? ''; // every field asked for was checked to be there
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

/** Separates the parts of a key in a {@link SourceText}. */
export const NUL = '\0';
/** The source text of a file that was never read (a new file). */
export const EMPTY_SOURCE: SourceText = { keys: new Map(), pairs: new Map(), items: new Map() };

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
    x.size === y.size && [...x].every(([k, v]) => { const w = y.get(k); return w !== undefined && eq(v, w); });
  const bufEq = (p: Buffer, q: Buffer): boolean => p.equals(q);
  return (
    a.signed === b.signed &&
    a.audit.length === b.audit.length &&
    a.audit.every((e, i) => e === b.audit[i]) &&
    sameMap(a.custodians, b.custodians, (p, q) => encodeCustodian(p).text === encodeCustodian(q).text && p.kind === q.kind) &&
    sameMap(a.domains, b.domains, (p, q) => p.publicKey.equals(q.publicKey) && sameMap(p.owners, q.owners, bufEq) && sameMap(p.secrets, q.secrets, bufEq))
  );
}
