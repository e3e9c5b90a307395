/**
 * Reading a team file (`protected.yaml`): the fast scanner of ./canonical.ts first, else any valid
 * YAML through the `yaml` package with the failsafe schema, then the schema checks of ./format.ts.
 *
 * @module
 */
import { type Document, type Pair, type Scalar, isAlias, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { SeeqretError } from '../errors.js';
import { parseCanonical } from './canonical.js';
import { type CustodianEntry, type DomainEntry, type Extension, type ParsedTeamFile, type TeamData, bad, decodeCustodian, decodeValue, EXTENSIONS, extensionsOf, FORMATS, META_KEY, SIGNATURE_KEY, signatureOf, NUL } from './format.js';
import { plainIsString } from './yaml.js';

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
    const s = n;
    if (s.tag !== undefined && s.tag !== 'tag:yaml.org,2002:str') throw bad(this.file, `${what} has the tag ${s.tag}`);
    const v = s.value;
    if (typeof v !== 'string') throw bad(this.file, `${what} is not a string`);
    if (s.type === 'PLAIN' && s.tag === undefined && !plainIsString(v)) throw bad(this.file, `${what} (${JSON.stringify(v.slice(0, 40))}) would be read as a number, boolean, date or null; quote it`);
    return v;
  }

  map(node: unknown, what: string): Pair[] {
    const n = this.resolve(node);
    if (!isMap(n)) throw bad(this.file, `${what} is not a mapping`);
    return n.items;
  }

  lineStart(offset: number): number {
    return this.text.lastIndexOf('\n', offset - 1) + 1;
  }

  /** Remember the source text of a key at `indent` (one line, plain or quoted, simple). */
  noteKey(path: string, pair: Pair, indent: number): void {
    const k = pair.key;
    if (!this.preserve || !isScalar(k)) return;
    const [start, end] = k.range ?? [0, 0];
    const ls = this.lineStart(start);
    const t = this.text.slice(start, end);
    if (start - ls !== indent || this.text.slice(ls, start).trim() !== '' || t.includes('\n') || t.length === 0) return;
    if (k.type === 'BLOCK_LITERAL' || k.type === 'BLOCK_FOLDED') return;
    this.keys.set(path, t);
  }

  /** Remember the full text of a leaf `key: value` pair whose key is at `indent`. */
  notePair(path: string, pair: Pair, indent: number, value: string): void {
    const k = pair.key;
    const v = pair.value;
    if (!this.preserve || !isScalar(k) || !isScalar(v)) return;
    if (k.anchor || v.anchor || v.tag) return;
    const start = k.range?.[0] ?? 0;
    const end = v.range?.[1] ?? 0;
    const ls = this.lineStart(start);
    if (start - ls !== indent || this.text.slice(ls, start) !== ' '.repeat(indent) || end <= start) return;
    const keyText = this.text.slice(start, k.range?.[1] ?? start);
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
    const s = node;
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
  const firstError = doc.errors[0];
  if (firstError !== undefined) throw bad(file, `YAML error: ${firstError.message.split('\n')[0]}`);
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
  for (const [index, pair] of top.entries()) {
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
        const only = fields[0];
        if (only === undefined || fields.length !== 1) throw bad(file, `key custodian ${cname} must have exactly one field (pwdkm)`);
        const field = r.str(only.key, `a field of ${cname}`);
        if (field !== 'pwdkm' && field !== 'seeqret-identity') throw bad(file, `key custodian ${cname} has an unknown field ${field}`);
        const value = r.str(only.value, `the ${field} of ${cname}`);
        r.notePair(`c${NUL}${cname}${NUL}${field}`, only, 4, value);
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
  }
  if (!sawCustodians) throw bad(file, 'key-custodians is missing');
  if (audit === null) throw bad(file, 'audit-log is missing');
  const data: TeamData = { domains, custodians, audit, signed: declared.includes('signatures') };
  const needed = extensionsOf(data);
  if (needed.includes('identity-custodians') && !declared.includes('identity-custodians')) throw bad(file, `it has identity custodians but ${META_KEY} does not declare them`);
  const sf = signatureFields;
  if (sf !== null && !data.signed) throw bad(file, `it has a signature but ${META_KEY} does not declare signatures`);
  const signature = sf === null ? null : { entry: signatureOf(sf.fields, format, file), content: Buffer.from(text.slice(0, sf.keyStart), 'utf8') };
  return { data, source: { keys: r.keys, pairs: r.pairs, items: r.items }, signature, extensions: declared, format };
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
