/**
 * The SecureStore vault use cases behind ssclient's commands: create a vault, read one value or
 * all of them, set, delete, list names, export the key. They take an {@link SsAccess} and return
 * data (values as bytes, messages as notes); rendering is the caller's. Writes lock the file,
 * re-read it and write atomically (decision 35).
 *
 * @module
 */
import { SeeqretError } from '../errors.js';
import { withFileLock } from '../util/lock.js';
import { type SsAccess, changeStore, checkedSource, keyFileOf, listedBytes, mayReplace, newVaultSource, openStore, shownName } from './access.js';
import { isMissingOrEmpty } from './keyfile.js';
import { SecretsManager } from './manager.js';
import { Undo, ignore, saveWithKeys, writeNewKey } from './undo.js';

/** Options of {@link createStore}. */
export interface CreateStoreOptions {
  /** Replace an existing vault or key file without asking. */
  readonly force?: boolean | undefined;
  /** Add `.gitignore` rules for the key files written (default true). */
  readonly vcs?: boolean | undefined;
  /** Also write the key to this file. */
  readonly exportKey?: string | undefined;
}

/** What {@link createStore} did. */
export interface CreateStoreResult {
  readonly store: string;
  /** The key file that opens it, or `undefined` for a password. */
  readonly keyFile?: string | undefined;
  /** Messages about the files written (key files, ignore rules). */
  readonly notes: readonly string[];
}

/** The error for a name that is not in the vault. */
export function secretNotFound(name: string, store: string): SeeqretError {
  return new SeeqretError('E_NOT_FOUND', `no secret ${shownName(name)} in ${store}`, 'Run `seeqret securestore keys` to see the names.');
}

/** Create a vault (a new random key when the key file is missing or empty; else a new password), asking before replacing files. */
export async function createStore(a: SsAccess, o: CreateStoreOptions = {}): Promise<CreateStoreResult> {
  const { store } = a;
  const force = o.force === true;
  const vcs = o.vcs !== false;
  const exportTo = o.exportKey;
  const wasMissing = isMissingOrEmpty(store);
  await mayReplace(a, store, 'vault', force);
  // --export-key naming the -k file itself is a no-op, not a replacement.
  if (exportTo !== undefined && exportTo !== keyFileOf(a)) await mayReplace(a, exportTo, 'key file', force);
  const n = await newVaultSource(a);
  const sman = SecretsManager.create(n.source, { path: store });
  const notes = withFileLock(
    store,
    () => {
      // Another process may have created it since it was checked: the same rule, under the lock.
      if (wasMissing && !force && !isMissingOrEmpty(store)) throw new SeeqretError('E_EXISTS', `vault ${store} already exists`, 'Pass --overwrite to replace it, or choose another file.');
      return saveWithKeys(sman, (undo) => {
        writeNewKey(sman, n, vcs, undo);
        if (exportTo !== undefined && exportTo !== n.keyFile) {
          undo.keep(exportTo);
          sman.exportKey(exportTo);
          undo.note(`Saved the key to ${exportTo} (0600)`);
          ignore(exportTo, vcs, undo);
        }
      });
    },
    { what: store, timeoutMs: a.lockTimeoutMs },
  );
  return { store, keyFile: n.keyFile, notes: [...n.notes, ...notes] };
}

/** The value of `name` as bytes (the caller wipes them), or `E_NOT_FOUND`. */
export async function getSecret(a: SsAccess, name: string): Promise<Buffer> {
  const b = (await openStore(a)).getBytes(name);
  if (b === null) throw secretNotFound(name, a.store);
  return b;
}

/** One entry of {@link dumpStore}. */
export interface StoreEntry {
  readonly key: string;
  readonly value: Buffer;
}

/** Every secret, in the vault's name order. */
export async function dumpStore(a: SsAccess): Promise<StoreEntry[]> {
  const sman = await openStore(a);
  return sman.keys().map((key) => ({ key, value: listedBytes(sman, key) }));
}

/** The names, in the vault's order. */
export async function listKeys(a: SsAccess): Promise<string[]> {
  return (await openStore(a)).keys();
}

/** Options of {@link setSecret}. */
export interface SetSecretOptions {
  /** Store an empty value (refused otherwise: `E_EMPTY_VALUE`). */
  readonly allowEmpty?: boolean | undefined;
}

/**
 * Add or replace `name` (silently, as ssclient does). The key is checked first; `value` is asked
 * for only then (it may prompt). An empty value is refused unless `allowEmpty`: it is far more
 * often a mistake than meant. Returns whether the name existed.
 */
export async function setSecret(a: SsAccess, name: string, value: () => Promise<string>, o: SetSecretOptions = {}): Promise<{ existed: boolean }> {
  const source = await checkedSource(a);
  const text = await value();
  if (text === '' && o.allowEmpty !== true) {
    throw new SeeqretError('E_EMPTY_VALUE', `the value for ${shownName(name)} is empty; nothing was written to ${a.store}`, 'Give the value (argument, stdin or prompt), or pass --allow-empty to store an empty value.');
  }
  const existed = changeStore(a, source, (sman) => {
    const had = sman.has(name);
    sman.set(name, text);
    return had;
  });
  return { existed };
}

/** Remove `name` (`E_NOT_FOUND` when it is not there). */
export async function removeSecret(a: SsAccess, name: string): Promise<void> {
  const source = await checkedSource(a);
  changeStore(a, source, (sman) => {
    if (!sman.delete(name)) throw secretNotFound(name, a.store);
  });
}

/** Options of {@link exportKeyTo}. */
export interface ExportKeyOptions {
  /** Replace an existing key file without asking. */
  readonly force?: boolean | undefined;
  /** Add a `.gitignore` rule for it (default true). */
  readonly vcs?: boolean | undefined;
}

/** Write the vault's key (e.g. derived from the password) to `file` (0600). Returns the notes. */
export async function exportKeyTo(a: SsAccess, file: string, o: ExportKeyOptions = {}): Promise<readonly string[]> {
  const sman = await openStore(a);
  await mayReplace(a, file, 'key file', o.force === true);
  sman.exportKey(file);
  const undo = new Undo();
  undo.note(`Saved the key of ${a.store} to ${file} (0600); open the vault with -k ${file}`);
  ignore(file, o.vcs !== false, undo);
  return undo.notes();
}
