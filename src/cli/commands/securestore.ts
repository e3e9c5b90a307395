/**
 * `seeqret securestore …` (alias `ss`): SecureStore v3 vaults with the `ssclient` commands
 * (`create`, `get`, `set`, `delete`, `keys`, `export-key`), plus `import` into and `export` from
 * the seeqret vault.
 *
 * The `ssclient` commands never load the seeqret vault code (only `import`/`export` do, lazily),
 * so they start as fast as a plain `seeqret get`.
 *
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import { SeeqretError } from '../../errors.js';
import { ignoreKeyFile, isMissingOrEmpty } from '../../securestore/keyfile.js';
import { KeySource, SecretsManager } from '../../securestore/manager.js';
import { atomicWriteFile, decodeUtf8, ioError, readFileCapped } from '../../util/fs.js';
import { lockTimeoutFromEnv, withFileLock } from '../../util/lock.js';
import { printable, safeJson } from '../../util/text.js';
import type { GlobalOptions } from '../context.js';
import { compatProfile, useExitProfile } from '../exit-profile.js';
import { confirm, info, out, promptHidden, promptNewSecret, readStdin, stdinIsTTY, warn, writeData } from '../io.js';

/**
 * ssclient's exit codes (the spec): 2 when the vault file does not exist (the errors marked with
 * `storeMissing`) and for usage errors, as its argument parser does; 17 when replacing an existing
 * file was declined (at the prompt, or off a terminal without --force); 1 for every other error.
 * Loading this module (only a `securestore` command does) selects the profile.
 */
const SSCLIENT = compatProfile({ byCode: { E_USAGE: 2, E_ABORTED: 17, E_EXISTS: 17 }, marked: 2, otherwise: 1 });
const storeMissing = SSCLIENT.mark;
export const ssclientExitCode = SSCLIENT.profile;
useExitProfile(ssclientExitCode);

/** Options of the `securestore` group (seen by every subcommand). */
interface SsOptions extends GlobalOptions {
  store?: string;
  key?: string;
  keyfile?: string;
  keyFile?: string;
  password?: boolean;
  passwordFile?: string;
}

/** The vault file when no -s and no STORE argument is given (the SecureStore convention). */
export const DEFAULT_STORE = 'secrets.json';
/** Environment variable holding the password off a terminal. */
export const PASSWORD_ENV = 'SEEQRET_SS_PASSWORD';
/** Shortest password accepted for a new vault (as ssclient asks), whatever its source. */
const MIN_PASSWORD = 8;

const shownName = (name: string): string => `'${printable(name.length > 80 ? `${name.slice(0, 80)}…` : name)}'`;

/** The vault file: the STORE argument or -s (conflicting values are refused, as ssclient does). */
function storeOf(g: SsOptions, arg: unknown): string {
  const positional = typeof arg === 'string' ? arg : undefined;
  if (positional !== undefined && g.store !== undefined && positional !== g.store) {
    throw new SeeqretError('E_USAGE', `conflicting vault files: ${g.store} (-s) and ${positional}`, 'Give the vault file once.');
  }
  return positional ?? g.store ?? DEFAULT_STORE;
}

/** The key file of -k / --keyfile / --key-file, if any. */
function keyFileOf(g: SsOptions): string | undefined {
  const given = [g.key, g.keyfile, g.keyFile].filter((x): x is string => x !== undefined);
  if (new Set(given).size > 1) throw new SeeqretError('E_USAGE', 'several different key files given', 'Give -k FILE once.');
  if (given.length > 0 && (g.password || g.passwordFile)) {
    throw new SeeqretError('E_USAGE', 'both a key file (-k) and a password (-p / --password-file) were given', 'Use one of them.');
  }
  return given[0];
}

function checkNewPassword(p: string): string {
  if ([...p].length < MIN_PASSWORD) {
    throw new SeeqretError('E_USAGE', `the password is shorter than ${MIN_PASSWORD} characters`, 'Choose a longer password (several words work well).');
  }
  return p;
}

/**
 * The password: --password-file, else SEEQRET_SS_PASSWORD, else a hidden prompt on a terminal
 * (twice for a new vault). Never from the command line.
 */
async function readPassword(g: SsOptions, isNew: boolean): Promise<string> {
  if (g.passwordFile) {
    let b = readFileCapped(g.passwordFile, 'passphrase');
    if (b.length > 0 && b[b.length - 1] === 0x0a) b = b.subarray(0, b.length - 1);
    if (b.length > 0 && b[b.length - 1] === 0x0d) b = b.subarray(0, b.length - 1);
    const p = decodeUtf8(b, g.passwordFile);
    if (p.length === 0) throw new SeeqretError('E_PASSPHRASE_REQUIRED', `the password file ${g.passwordFile} is empty`, 'Put the password in the file.');
    return isNew ? checkNewPassword(p) : p;
  }
  const env = process.env[PASSWORD_ENV];
  if (env) return isNew ? checkNewPassword(env) : env;
  if (!stdinIsTTY()) {
    throw new SeeqretError(
      'E_PASSPHRASE_REQUIRED',
      'a SecureStore password or key file is needed and this is not a terminal',
      `Pass -k KEYFILE, or set ${PASSWORD_ENV}, or pass --password-file FILE.`,
    );
  }
  if (!isNew) return promptHidden('SecureStore password');
  return promptNewSecret('New SecureStore password', { what: 'the new SecureStore password', repeat: 'Repeat the password', passphrase: true, check: checkNewPassword });
}

/** The key source of an existing vault file: -k or the password. */
async function storeSource(g: SsOptions, store: string): Promise<KeySource> {
  if (!fs.existsSync(store)) {
    throw storeMissing(new SeeqretError('E_FILE_NOT_FOUND', `no SecureStore vault at ${store}`, 'Check -s / the STORE argument, or create one with `seeqret securestore create`.'));
  }
  const keyFile = keyFileOf(g);
  return keyFile ? KeySource.fromFile(keyFile) : KeySource.fromPassword(await readPassword(g, false));
}

/** Open an existing vault file with -k or the password. */
async function openStore(g: SsOptions, store: string): Promise<SecretsManager> {
  return SecretsManager.fromFile(store, await storeSource(g, store));
}

/**
 * The key source of an existing vault file, checked against it (so a wrong key, or the password
 * derivation, costs nothing while the file's lock is held) — for a change made with {@link changeStore}.
 */
async function checkedSource(g: SsOptions, store: string): Promise<KeySource> {
  const source = await storeSource(g, store);
  SecretsManager.fromFile(store, source);
  return source;
}

/**
 * Change a vault file under its lock (re-read, apply, write atomically): concurrent writers queue
 * and none undoes another's change; a writer that waits longer than SEEQRET_LOCK_TIMEOUT_MS
 * (default 10 s) fails with E_LOCKED, writing nothing.
 */
function changeStore<T>(store: string, source: KeySource, change: (sman: SecretsManager) => T): T {
  return SecretsManager.update(store, source, change, { timeoutMs: lockTimeoutFromEnv() });
}

/** Run `fn` holding the lock of the vault file `store` (for writes that create or replace it). */
function lockedStore<T>(store: string, fn: () => T): T {
  return withFileLock(store, fn, { what: store, timeoutMs: lockTimeoutFromEnv() });
}

/**
 * Ask before replacing a non-empty file: on a terminal a question (no → `E_ABORTED`), otherwise
 * only with --force (else `E_EXISTS`).
 */
async function mayReplace(file: string, what: string, force: boolean): Promise<void> {
  if (force || isMissingOrEmpty(file)) return;
  if (!stdinIsTTY()) throw new SeeqretError('E_EXISTS', `${what} ${file} already exists`, 'Pass --force to replace it, or choose another file.');
  if (!(await confirm(`Replace the existing ${what} ${file}?`))) throw new SeeqretError('E_ABORTED', `kept the existing ${what} ${file}`, 'Choose another file, or answer y.');
}

/**
 * The files a command is about to write next to a new vault (key files, .gitignore), with what
 * they held before, so that a failure before the vault is saved leaves none of them changed.
 */
class Undo {
  readonly #saved = new Map<string, { bytes: Buffer; mode: number } | null>();
  readonly #notes: string[] = [];

  /** A message about a change, printed by {@link done} (not when the change is undone). */
  note(line: string): void {
    this.#notes.push(line);
  }

  /** Print the messages: the changes stay. */
  done(): void {
    for (const line of this.#notes) info(line);
  }

  /** Remember `file` as it is now (once). */
  keep(file: string): void {
    const abs = path.resolve(file);
    if (this.#saved.has(abs)) return;
    try {
      const st = fs.statSync(abs);
      this.#saved.set(abs, { bytes: readFileCapped(abs, 'settings'), mode: st.mode & 0o777 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError(e, file);
      this.#saved.set(abs, null);
    }
  }

  /** Put every remembered file back as it was (best effort; the first error is what is reported). */
  restore(): void {
    for (const [file, before] of [...this.#saved].reverse()) {
      try {
        if (before === null) fs.rmSync(file, { force: true });
        else atomicWriteFile(file, before.bytes, before.mode);
      } catch {
        /* keep going: the original error matters more */
      }
    }
  }
}

/** Add the key file's .gitignore rule (inside a git work tree) and say so. */
function ignore(keyFile: string, vcs: boolean, undo: Undo): void {
  if (!vcs) return;
  undo.keep(path.join(path.dirname(path.resolve(keyFile)), '.gitignore'));
  const r = ignoreKeyFile(keyFile);
  if (!r) return;
  if (r.outcome === 'added') undo.note(`Added an ignore rule for ${keyFile} to ${r.file}${r.created ? ' (new file)' : ''}`);
  else if (r.outcome === 'skipped') undo.note(`Did not add an ignore rule: ${r.file} is not a regular file`);
}

/** Where a new vault's key comes from (see {@link newVaultSource}). */
interface NewSource {
  readonly source: KeySource;
  /** A key file given with -k (new: to be written; else existing, used as is). */
  readonly keyFile?: string;
  readonly writeKeyFile: boolean;
}

/** -k FILE: an existing key, or a new random key to be written there (missing or empty file); else a new password. */
async function newVaultSource(g: SsOptions): Promise<NewSource> {
  const keyFile = keyFileOf(g);
  if (!keyFile) return { source: KeySource.fromPassword(await readPassword(g, true)), writeKeyFile: false };
  if (isMissingOrEmpty(keyFile)) return { source: KeySource.generate(), keyFile, writeKeyFile: true };
  info(`Using the existing key file ${keyFile}`);
  return { source: KeySource.fromFile(keyFile), keyFile, writeKeyFile: false };
}

/** Write the new key file (before the vault, so a vault never exists without its key). */
function writeNewKey(sman: SecretsManager, n: NewSource, vcs: boolean, undo: Undo): void {
  if (n.keyFile && n.writeKeyFile) {
    undo.keep(n.keyFile);
    sman.exportKey(n.keyFile);
    undo.note(`Saved the new key to ${n.keyFile} (0600); keep it out of version control`);
  }
  if (n.keyFile) ignore(n.keyFile, vcs, undo);
}

/** Write the key files and .gitignore rules (`before`), then the vault; on failure undo them all. */
function saveWithKeys(sman: SecretsManager, before: (undo: Undo) => void): void {
  const undo = new Undo();
  try {
    before(undo);
    sman.save();
  } catch (e) {
    undo.restore();
    throw e;
  }
  undo.done();
}

/** `securestore create [STORE] [--export-key FILE] [--no-vcs] [--force]`. */
export async function create(g: SsOptions, args: unknown[], o: Record<string, unknown>): Promise<number> {
  const store = storeOf(g, args[0]);
  const force = o['force'] === true;
  const vcs = o['vcs'] !== false;
  const exportTo = o['exportKey'] as string | undefined;
  const wasMissing = isMissingOrEmpty(store);
  await mayReplace(store, 'vault', force);
  // --export-key naming the -k file itself is a no-op, not a replacement.
  if (exportTo !== undefined && exportTo !== keyFileOf(g)) await mayReplace(exportTo, 'key file', force);
  const n = await newVaultSource(g);
  const sman = SecretsManager.create(n.source, { path: store });
  lockedStore(store, () => {
    // Another process may have created it since it was checked: the same rule, under the lock.
    if (wasMissing && !force && !isMissingOrEmpty(store)) throw new SeeqretError('E_EXISTS', `vault ${store} already exists`, 'Pass --force to replace it, or choose another file.');
    saveWithKeys(sman, (undo) => {
      writeNewKey(sman, n, vcs, undo);
      if (exportTo !== undefined && exportTo !== n.keyFile) {
        undo.keep(exportTo);
        sman.exportKey(exportTo);
        undo.note(`Saved the key to ${exportTo} (0600)`);
        ignore(exportTo, vcs, undo);
      }
    });
  });
  info(`Created SecureStore vault ${store} (${n.keyFile ? `key file ${n.keyFile}` : 'password'})`);
  return 0;
}

/** A value as ssclient prints it: text as is, other bytes as `base64:…`. */
function printableValue(b: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(b);
  } catch {
    return `base64:${b.toString('base64')}`;
  }
}

function notFound(name: string, store: string): SeeqretError {
  return new SeeqretError('E_NOT_FOUND', `no secret ${shownName(name)} in ${store}`, 'Run `seeqret securestore keys` to see the names.');
}

/** `securestore get KEY | get --all [--format json|text]`. */
export async function get(g: SsOptions, args: unknown[], o: Record<string, unknown>): Promise<number> {
  const name = args[0] as string | undefined;
  const all = o['all'] === true;
  const format = o['format'] as 'json' | 'text' | undefined;
  if (all === (name !== undefined)) throw new SeeqretError('E_USAGE', all ? 'give either KEY or --all, not both' : 'get needs KEY or --all', 'e.g. seeqret securestore get db:password');
  if (format !== undefined && !all) throw new SeeqretError('E_USAGE', '--format applies to --all only', 'Add --all, or drop --format.');
  const store = storeOf(g, undefined);
  const sman = await openStore(g, store);
  if (!all) {
    const b = sman.getBytes(name!);
    if (b === null) throw notFound(name!, store);
    // Always value + newline (as ssclient's println), even when the value ends with one.
    writeData(`${printableValue(b)}\n`);
    return 0;
  }
  if (format === 'text') {
    const lines = sman.keys().map((k) => `${printable(k)}: ${printableValue(sman.getBytes(k)!)}\n`);
    writeData(lines.join(''));
    return 0;
  }
  // JSON (the default, as in ssclient): text values as strings, binary values as byte arrays.
  const dump = sman.keys().map((k) => {
    const b = sman.getBytes(k)!;
    let value: string | number[];
    try {
      value = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(b);
    } catch {
      value = [...b];
    }
    return { key: k, value };
  });
  writeData(`${safeJson(dump, 2)}\n`);
  return 0;
}

/** The value for `set`: the argument, else stdin (one trailing line ending removed), else a hidden prompt. */
async function readSetValue(arg: string | undefined, name: string, allowEmpty: boolean): Promise<string> {
  if (arg !== undefined) return arg;
  if (!stdinIsTTY()) return decodeUtf8(await readStdin('value', 'the value on stdin'), 'the value on stdin').replace(/\r?\n$/, '');
  // Asked twice; Enter at the first prompt is refused there unless --allow-empty.
  return promptNewSecret(`Value for ${printable(name)}`, { what: printable(name), allowEmpty });
}

/**
 * `securestore set KEY [VALUE] [--allow-empty]`: add or replace (silently, as ssclient does). An
 * empty value (an empty argument, empty stdin, Enter at the prompt) is refused unless
 * --allow-empty: it is far more often a mistake than meant.
 */
export async function set(g: SsOptions, args: unknown[], o: Record<string, unknown> = {}): Promise<number> {
  const name = args[0] as string;
  const store = storeOf(g, undefined);
  const source = await checkedSource(g, store);
  const value = await readSetValue(args[1] as string | undefined, name, o['allowEmpty'] === true);
  if (value === '' && o['allowEmpty'] !== true) {
    throw new SeeqretError('E_EMPTY_VALUE', `the value for ${shownName(name)} is empty; nothing was written to ${store}`, 'Give the value (argument, stdin or prompt), or pass --allow-empty to store an empty value.');
  }
  const existed = changeStore(store, source, (sman) => {
    const had = sman.has(name);
    sman.set(name, value);
    return had;
  });
  info(`${existed ? 'Updated' : 'Added'} ${shownName(name)} in ${store}`);
  return 0;
}

/** `securestore delete|remove KEY`. */
export async function remove(g: SsOptions, args: unknown[]): Promise<number> {
  const name = args[0] as string;
  const store = storeOf(g, undefined);
  const source = await checkedSource(g, store);
  changeStore(store, source, (sman) => {
    if (!sman.delete(name)) throw notFound(name, store);
  });
  info(`Removed ${shownName(name)} from ${store}`);
  return 0;
}

/** `securestore keys`: one name per line (control characters escaped). */
export async function keys(g: SsOptions): Promise<number> {
  const sman = await openStore(g, storeOf(g, undefined));
  const names = sman.keys();
  if (names.length > 0) process.stdout.write(names.map((n) => `${printable(n)}\n`).join(''));
  return 0;
}

/** `securestore export-key FILE [--no-vcs] [--force]`. */
export async function exportKey(g: SsOptions, args: unknown[], o: Record<string, unknown>): Promise<number> {
  const file = args[0] as string;
  const store = storeOf(g, undefined);
  const sman = await openStore(g, store);
  await mayReplace(file, 'key file', o['force'] === true);
  sman.exportKey(file);
  info(`Saved the key of ${store} to ${file} (0600); open the vault with -k ${file}`);
  const undo = new Undo();
  ignore(file, o['vcs'] !== false, undo);
  undo.done();
  return 0;
}

// ------------------------------------------------------------------------------------------
// import / export between a SecureStore vault and the seeqret vault

/** `securestore import [STORE] [--app A --env E] [--names key|full] [--colon C] [--update] [--dry-run]`. */
export async function importStore(g: SsOptions, args: unknown[], o: Record<string, unknown>): Promise<number> {
  const store = storeOf(g, args[0]);
  const mode = (o['names'] as string | undefined) ?? 'key';
  const app = (o['app'] as string | undefined) ?? '*';
  const env = (o['env'] as string | undefined) ?? '*';
  const colon = o['colon'] as string | undefined;
  if (mode === 'full' && (app !== '*' || env !== '*' || colon !== undefined)) {
    throw new SeeqretError('E_USAGE', '--names full takes app and env from each name; --app, --env and --colon apply to --names key', 'Drop them, or use --names key.');
  }
  const { nameProblem } = await import('../../vault/names.js');
  if (colon !== undefined && (colon.length === 0 || nameProblem('key', `a${colon}b`) !== null)) {
    throw new SeeqretError('E_USAGE', `--colon '${printable(colon)}' is not allowed in a key name`, "Use characters such as '.', '_', '-' or '/'.");
  }
  const sman = await openStore(g, store);
  // Honest about the format: each entry's HMAC covers its IV and ciphertext, not its name.
  warn(`SecureStore does not bind a value to its name: whoever could write ${store} could have swapped values between names undetected; check the imported values`);
  const entries: Array<{ app: string; env: string; key: string; value: string }> = [];
  const origin = new Map<string, string>();
  for (const name of sman.keys()) {
    let target: { app: string; env: string; key: string };
    if (mode === 'full') {
      const parts = name.split(':');
      if (parts.length !== 3) {
        throw new SeeqretError('E_INVALID_NAME', `secret ${shownName(name)} in ${store} is not app:env:key`, 'Import with --names key (and --colon C), or rename it.');
      }
      target = { app: parts[0]!, env: parts[1]!, key: parts[2]! };
    } else {
      target = { app, env, key: colon !== undefined ? name.split(':').join(colon) : name };
    }
    for (const kind of ['app', 'env', 'key'] as const) {
      const problem = nameProblem(kind, target[kind]);
      if (problem) {
        throw new SeeqretError(
          'E_INVALID_NAME',
          `secret ${shownName(name)} in ${store} cannot be a seeqret name: ${problem}`,
          mode === 'key' && name.includes(':') ? "Pass --colon C to replace ':' (e.g. --colon .), or --names full for app:env:key names." : 'Rename it in the SecureStore vault first.',
        );
      }
    }
    const label = `${target.app}:${target.env}:${target.key}`;
    const before = origin.get(label);
    if (before !== undefined) {
      throw new SeeqretError('E_AMBIGUOUS', `secrets ${shownName(before)} and ${shownName(name)} in ${store} both become ${printable(label)}`, 'Rename one of them, or choose another --colon.');
    }
    origin.set(label, name);
    const b = sman.getBytes(name)!;
    let value: string;
    try {
      value = decodeUtf8(b, `secret ${shownName(name)}`);
    } finally {
      b.fill(0);
    }
    entries.push({ ...target, value });
  }
  const dryRun = o['dryRun'] === true;
  const { withVault } = await import('../context.js');
  return withVault(g, (v) => {
    // The values and the audit entry in one transaction: all of it, or nothing.
    const s = v.atomically(() => {
      const s = v.setMany(entries, { update: o['update'] === true, dryRun, received: 'ss import' });
      if (!dryRun) v.audit([{ action: 'import', target: store, detail: { from: 'securestore-v3', names: mode, added: s.added, updated: s.updated, skipped: s.skipped, unchanged: s.unchanged } }]);
      return s;
    });
    if (dryRun) for (const x of s.outcomes) if (x.outcome !== 'unchanged') info(`  would be ${x.outcome}: ${x.app}:${x.env}:${x.key}`);
    info(`Imported ${store}: ${s.added} added, ${s.updated} updated, ${s.skipped} skipped, ${s.unchanged} unchanged${dryRun ? ' (dry run: nothing written)' : ''}`);
    if (s.skipped > 0 && !dryRun) info('Skipped secrets exist with another value; run the same import again with --update to replace them (yours go to history).');
    return 0;
  });
}

/** `securestore export -f FILTER… [STORE] [--names key|full] [--no-vcs]`: into a new or existing vault. */
export async function exportStore(g: SsOptions, args: unknown[], o: Record<string, unknown>): Promise<number> {
  const store = storeOf(g, args[0]);
  const mode = (o['names'] as string | undefined) ?? 'key';
  const vcs = o['vcs'] !== false;
  const { parseFilter } = await import('../../filter/index.js');
  const filters = ((o['filter'] as string[] | undefined) ?? []).map((f) => parseFilter(f));
  if (filters.length === 0) throw new SeeqretError('E_USAGE', 'export needs at least one -f FILTER (exporting nothing is never what you want)', "Name the secrets, e.g. -f 'myapp:prod:' (or -f '::' for all).");
  const { withVault } = await import('../context.js');
  const { secretLabel } = await import('../../vault/vault.js');
  return withVault(g, async (v) => {
    const records = v.find(filters);
    if (records.length === 0) throw new SeeqretError('E_NOT_FOUND', `the filters match no secret: ${filters.map((f) => f.text).join(', ')}`, 'Run `seeqret list` to see what exists.');
    const named = new Map<string, (typeof records)[number]>();
    for (const r of records) {
      const name = mode === 'full' ? secretLabel(r) : r.key;
      const other = named.get(name);
      if (other) {
        throw new SeeqretError('E_AMBIGUOUS', `${secretLabel(other)} and ${secretLabel(r)} would both be named ${shownName(name)}`, 'Narrow the filters to one app and env, or pass --names full (names app:env:key).');
      }
      named.set(name, r);
    }
    let source: KeySource;
    let fresh: NewSource | null = null;
    if (!isMissingOrEmpty(store)) source = await checkedSource(g, store);
    else {
      fresh = await newVaultSource(g);
      source = fresh.source;
    }
    // Under the file's lock: re-read (or create), apply, write — concurrent writers lose nothing.
    const { exists, added, updated, unchanged } = lockedStore(store, () => {
      const exists = !isMissingOrEmpty(store);
      const sman = exists ? SecretsManager.fromFile(store, source) : SecretsManager.create(source, { path: store });
      let added = 0;
      let updated = 0;
      let unchanged = 0;
      for (const [name, r] of named) {
        const value = Buffer.from(v.reveal(r), 'utf8');
        const old = sman.getBytes(name);
        try {
          if (old !== null && old.equals(value)) unchanged += 1; // keep the entry as it is: no diff in git
          else {
            sman.set(name, value);
            if (old === null) added += 1;
            else updated += 1;
          }
        } finally {
          value.fill(0);
          old?.fill(0);
        }
      }
      if (exists) sman.save();
      else {
        saveWithKeys(sman, (undo) => {
          if (fresh) writeNewKey(sman, fresh, vcs, undo);
        });
      }
      return { exists, added, updated, unchanged };
    });
    v.audit([{ action: 'export', target: store, detail: { format: 'securestore-v3', names: mode, created: !exists, secrets: records.map(secretLabel) } }]);
    info(`${exists ? 'Wrote' : 'Created'} ${store}: ${added} added, ${updated} updated, ${unchanged} unchanged (names: ${mode === 'full' ? 'app:env:key' : 'key'})`);
    return 0;
  });
}
