/**
 * The ssclient commands of `seeqret securestore` (`create`, `get`, `set`, `delete`, `keys`,
 * `export-key`): parse the options, call the use cases of src/securestore/ops.ts, render.
 * They never load the seeqret vault code.
 *
 * @module
 */
import { SeeqretError } from '../../../errors.js';
import { createStore, dumpStore, exportKeyTo, getSecret, listKeys, removeSecret, setSecret } from '../../../securestore/ops.js';
import { decodeUtf8 } from '../../../util/read-capped.js';
import { printable, safeJson } from '../../../util/text.js';
import { info, promptNewSecret, readStdin, stdinIsTTY, writeData, writeJson } from '../../io.js';
import type { ReportFormat } from '../../options.js';
import { shownName } from '../../../securestore/access.js';
import { type SsOptions, runSs, showNotes, ssAccess } from './common.js';

/** Options of `securestore create`. */
export interface CreateOptions {
  exportKey?: string;
  vcs?: boolean;
  /** `--overwrite` (old spelling `--force`): replace an existing file without asking. */
  overwrite?: boolean;
}

/** Options of `securestore get`. */
export interface GetOptions {
  all?: boolean;
  format?: 'json' | 'text';
}

/** Options of `securestore set`. */
export interface SetOptions {
  allowEmpty?: boolean;
}

/** Options of `securestore export-key`. */
export interface ExportKeyOptions {
  vcs?: boolean;
  /** `--overwrite` (old spelling `--force`): replace an existing file without asking. */
  overwrite?: boolean;
}

/** `securestore create [STORE] [--export-key FILE] [--no-vcs] [--overwrite]`. */
export function create(g: SsOptions, store: string | undefined, o: CreateOptions): Promise<number> {
  return runSs(async () => {
    const r = await createStore(ssAccess(g, store), { force: o.overwrite, vcs: o.vcs, exportKey: o.exportKey });
    showNotes(r.notes);
    info(`Created SecureStore vault ${r.store} (${r.keyFile ? `key file ${r.keyFile}` : 'password'})`);
    return 0;
  });
}

/** The text of a value if it is UTF-8, else `null`. */
function textOf(b: Buffer): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(b);
  } catch {
    return null;
  }
}

/** A value as ssclient prints it: text as is, other bytes as `base64:…`. */
const printableValue = (b: Buffer): string => textOf(b) ?? `base64:${b.toString('base64')}`;

/** `securestore get KEY | get --all [--format json|text]`. */
export function get(g: SsOptions, name: string | undefined, o: GetOptions): Promise<number> {
  return runSs(async () => {
    const all = o.all === true;
    if (all === (name !== undefined)) throw new SeeqretError('E_USAGE', all ? 'give either KEY or --all, not both' : 'get needs KEY or --all', 'e.g. seeqret securestore get db:password');
    if (o.format !== undefined && !all) throw new SeeqretError('E_USAGE', '--format applies to --all only', 'Add --all, or drop --format.');
    const a = ssAccess(g);
    if (name !== undefined) {
      // Always value + newline (as ssclient's println), even when the value ends with one.
      writeData(`${printableValue(await getSecret(a, name))}\n`);
      return 0;
    }
    const entries = await dumpStore(a);
    if (o.format === 'text') {
      writeData(entries.map((e) => `${printable(e.key)}: ${printableValue(e.value)}\n`).join(''));
      return 0;
    }
    // JSON (the default, as in ssclient): text values as strings, binary values as byte arrays.
    writeData(`${safeJson(entries.map((e) => ({ key: e.key, value: textOf(e.value) ?? [...e.value] })), 2)}\n`);
    return 0;
  });
}

/** The value for `set`: the argument, else stdin (one trailing line ending removed), else a hidden prompt. */
async function readSetValue(arg: string | undefined, name: string, allowEmpty: boolean): Promise<string> {
  if (arg !== undefined) return arg;
  if (!stdinIsTTY()) return decodeUtf8(await readStdin('value', 'the value on stdin'), 'the value on stdin').replace(/\r?\n$/, '');
  // Asked twice; Enter at the first prompt is refused there unless --allow-empty.
  return promptNewSecret(`Value for ${printable(name)}`, { what: printable(name), allowEmpty });
}

/** `securestore set KEY [VALUE] [--allow-empty]`: add or replace. */
export function set(g: SsOptions, name: string, value: string | undefined, o: SetOptions): Promise<number> {
  return runSs(async () => {
    const a = ssAccess(g);
    const allowEmpty = o.allowEmpty === true;
    const r = await setSecret(a, name, () => readSetValue(value, name, allowEmpty), { allowEmpty });
    info(`${r.existed ? 'Updated' : 'Added'} ${shownName(name)} in ${a.store}`);
    return 0;
  });
}

/** `securestore delete|remove KEY`. */
export function remove(g: SsOptions, name: string): Promise<number> {
  return runSs(async () => {
    const a = ssAccess(g);
    await removeSecret(a, name);
    info(`Removed ${shownName(name)} from ${a.store}`);
    return 0;
  });
}

/** Options of `securestore keys`. */
export interface KeysOptions {
  /** `--format text|json`: one name per line, or a JSON array. */
  readonly format: ReportFormat;
}

/** `securestore keys`: one name per line (control characters escaped), or a JSON array. */
export function keys(g: SsOptions, o: KeysOptions): Promise<number> {
  return runSs(async () => {
    const names = await listKeys(ssAccess(g));
    if (o.format === 'json') writeJson(names);
    else if (names.length > 0) writeData(names.map((n) => `${printable(n)}\n`).join(''));
    return 0;
  });
}

/** `securestore export-key FILE [--no-vcs] [--overwrite]`. */
export function exportKey(g: SsOptions, file: string, o: ExportKeyOptions): Promise<number> {
  return runSs(async () => {
    showNotes(await exportKeyTo(ssAccess(g), file, { force: o.overwrite, vcs: o.vcs }));
    return 0;
  });
}
