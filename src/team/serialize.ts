/**
 * Writing a team file in the old tool's exact layout (src/team/yaml.ts), keeping the text of every
 * entry that is unchanged since it was read.
 *
 * @module
 */
import { SeeqretError } from '../errors.js';
import { type SourceText, type TeamData, EMPTY_SOURCE, encodeCustodian, encodeValue, EXTENSION_FORMAT, EXTENSION_FORMAT_SIGNED, EXTENSION_NOTE, extensionsOf, META_KEY, NUL, sortedEntries } from './format.js';
import { emitItem, emitKey, emitPair, emitScalar, isSimpleKey } from './yaml.js';

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
    this.out += this.items.get(value)?.shift() ?? emitItem(value);
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
  for (const [name, d] of sortedEntries(data.domains)) {
    w.key(`d${NUL}${name}`, name, 0);
    w.out += '\n';
    for (const [s, sealed] of sortedEntries(d.secrets)) w.pair(`d${NUL}${name}${NUL}s${NUL}${s}`, `secret-${s}`, encodeValue(sealed), 2);
    w.out += '  meta:\n';
    w.pair(`d${NUL}${name}${NUL}pk`, 'public-key', encodeValue(d.publicKey), 4);
    if (d.owners.size === 0) w.out += '    owners: {}\n';
    else {
      w.out += '    owners:\n';
      for (const [o, sealed] of sortedEntries(d.owners)) w.pair(`d${NUL}${name}${NUL}o${NUL}${o}`, o, encodeValue(sealed), 6);
    }
  }
  if (data.custodians.size === 0) w.out += 'key-custodians: {}\n';
  else {
    w.out += 'key-custodians:\n';
    for (const [name, custodian] of sortedEntries(data.custodians)) {
      w.key(`c${NUL}${name}`, name, 2);
      w.out += '\n';
      const { field, text } = encodeCustodian(custodian);
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
