/**
 * Reading a team file laid out exactly as ./serialize.ts writes it, line by line, several times
 * faster than the full YAML parser; anything else is left to ./read.ts.
 *
 * @module
 */
import { type CustodianEntry, type DomainEntry, type Extension, type ParsedTeamFile, type TeamData, decodeCustodian, decodeValue, EMPTY_SOURCE, EXTENSION_FORMAT_SIGNED, EXTENSION_NOTE, EXTENSIONS, extensionsOf, FORMATS, META_KEY, SIGNATURE_KEY, signatureOf } from './format.js';
import { emitItem, emitKey, emitPair, isPlainItem, isPlainKey, isPlainValue, isSimpleKey } from './yaml.js';
import { parse } from 'yaml';

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
    if (emitPair(k, v, indent) === line + '\n') return [k, v];
    // A single-quoted value (a signature's sequence number is one): decoded, then re-emitted to
    // check that the line is exactly what the emitter writes.
    const quoted = /^'((?:[^']|'')*)'$/.exec(v);
    if (quoted?.[1] === undefined) return null;
    const value = quoted[1].replaceAll("''", "'");
    return emitPair(k, value, indent) === line + '\n' ? [k, value] : null;
  };
  /** `INDENT KEY:` in canonical form, or null. */
  const header = (line: string | undefined, indent: number): string | null => {
    if (line === undefined || !line.endsWith(':') || !line.startsWith(' '.repeat(indent)) || line[indent] === ' ') return null;
    const k = line.slice(indent, -1);
    if (isPlainKey(k)) return k;
    return k.length > 0 && isSimpleKey(k) && emitKey(k, indent) === line ? k : null;
  };
  const declared: Extension[] = [];
  let format: string | null = null;
  if (at() === `${META_KEY}:`) {
    format = FORMATS.find((f) => lines[i + 1] === `  format: ${f}`) ?? null;
    if (format === null || lines[i + 2] !== '  extensions:') return null;
    i += 3;
    for (let line = at(); line?.startsWith('  - '); line = at()) {
      const e = line.slice(4);
      if (!(EXTENSIONS as readonly string[]).includes(e) || declared.includes(e as Extension)) return null;
      declared.push(e as Extension);
      i++;
    }
    const note = at();
    if (note === undefined || emitPair('note', EXTENSION_NOTE, 2) !== note + '\n') return null;
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
    for (let first = at(); first?.startsWith('- '); first = at()) {
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
        let v: unknown;
        try {
          v = (parse(itemText, { schema: 'failsafe' }) as unknown[] | null)?.[0];
        } catch {
          return null; // not valid YAML (an unclosed quote): the full parser reports it
        }
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
