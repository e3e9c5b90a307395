/**
 * How the SecureStore use cases reach a vault file: which file, which key (a key file or a
 * password, and where the password comes from), and how long a writer waits for the file's lock.
 *
 * The password comes from the caller's {@link PassphraseSource} chain (src/passphrase.ts, kind
 * `securestore`; the CLI's is `--password-file` › `SEEQRET_SS_PASSWORD` › a hidden prompt on a
 * terminal); when no source gives one, `E_PASSPHRASE_REQUIRED`. A new password is checked
 * (at least {@link MIN_PASSWORD} characters) whatever its source. Nothing here touches `process`.
 *
 * @module
 */
import fs from 'node:fs';
import { SeeqretError } from '../errors.js';
import type { PassphraseRequest, PassphraseSource } from '../passphrase.js';
import { decodeUtf8 } from '../util/read-capped.js';
import { printable } from '../util/text.js';
import { isMissingOrEmpty } from './keyfile.js';
import { KeySource, SecretsManager } from './manager.js';

/** The vault file when none is named (the SecureStore convention). */
export const DEFAULT_STORE = 'secrets.json';
/** Environment variable holding the password off a terminal (read by the caller's chain: `environmentPassphrases`). */
export const PASSWORD_ENV = 'SEEQRET_SS_PASSWORD';
/** Shortest password accepted for a new vault (as ssclient asks), whatever its source. */
export const MIN_PASSWORD = 8;

/** What the use cases ask a person besides passwords (the CLI's terminal; a UI's dialogs). */
export interface SsPrompts {
  /** Whether a person can answer now (on the CLI: stdin is a terminal). */
  readonly interactive: boolean;
  /** A yes/no question; `true` is yes. */
  confirm(question: string): Promise<boolean>;
}

/** A SecureStore vault file and the means to open it. */
export interface SsAccess {
  /** The vault file. */
  readonly store: string;
  /** The key files named (-k, --keyfile, --key-file): several different ones are refused. */
  readonly keyFiles: readonly string[];
  /** A password was asked for explicitly (-p or --password-file): refused together with a key file. */
  readonly passwordFlag?: boolean | undefined;
  /** Where the password comes from (requests of kind `securestore`, target the vault file). */
  readonly passphrases: PassphraseSource;
  /** How long a writer waits for the vault file's lock before `E_LOCKED`. */
  readonly lockTimeoutMs: number;
  /** The questions besides passwords (replacing a file). */
  readonly prompts: SsPrompts;
}

/** The quoted, escaped and shortened name of a secret, for messages. */
export const shownName = (name: string): string => `'${printable(name.length > 80 ? `${name.slice(0, 80)}…` : name)}'`;

/** The vault file: the positional STORE or the -s option (conflicting values are refused, as ssclient does). */
export function storeOf(option: string | undefined, positional: string | undefined): string {
  if (positional !== undefined && option !== undefined && positional !== option) {
    throw new SeeqretError('E_USAGE', `conflicting vault files: ${option} (-s) and ${positional}`, 'Give the vault file once.');
  }
  return positional ?? option ?? DEFAULT_STORE;
}

/** The key file of `a`, if any (several different ones, or a key file with a password, are refused). */
export function keyFileOf(a: SsAccess): string | undefined {
  if (new Set(a.keyFiles).size > 1) throw new SeeqretError('E_USAGE', 'several different key files given', 'Give -k FILE once.');
  if (a.keyFiles.length > 0 && a.passwordFlag) {
    throw new SeeqretError('E_USAGE', 'both a key file (-k) and a password (-p / --password-file) were given', 'Use one of them.');
  }
  return a.keyFiles[0];
}

/** `password` if it is long enough for a new vault, else `E_USAGE`. */
export function checkNewPassword(password: string): string {
  // eslint-disable-next-line @typescript-eslint/no-misused-spread -- the minimum counts code points, on purpose
  if ([...password].length < MIN_PASSWORD) {
    throw new SeeqretError('E_USAGE', `the password is shorter than ${MIN_PASSWORD} characters`, 'Choose a longer password (several words work well).');
  }
  return password;
}

/**
 * The password from `a.passphrases` (a new one: asked twice by a prompt, and checked whatever its
 * source). Never from a command line.
 *
 * @throws SeeqretError `E_PASSPHRASE_REQUIRED` when no source gives one, or it is empty;
 *   `E_USAGE` for a new password that is too short.
 */
export async function passwordOf(a: SsAccess, isNew: boolean): Promise<string> {
  const request: PassphraseRequest = isNew
    ? { kind: 'securestore', label: 'New SecureStore password', target: a.store, isNew: true, repeat: 'Repeat the password', check: (p) => { checkNewPassword(p); } }
    : { kind: 'securestore', label: 'SecureStore password', target: a.store };
  const b = await a.passphrases.passphrase(request);
  if (b === undefined) {
    throw new SeeqretError(
      'E_PASSPHRASE_REQUIRED',
      'a SecureStore password or key file is needed and this is not a terminal',
      `Pass -k KEYFILE, or set ${PASSWORD_ENV}, or pass --password-file FILE.`,
    );
  }
  const p = decodeUtf8(b, 'the SecureStore password');
  b.fill(0);
  if (p.length === 0) throw new SeeqretError('E_PASSPHRASE_REQUIRED', `the SecureStore password given for ${a.store} is empty`, 'Put the password in the file (--password-file).');
  return isNew ? checkNewPassword(p) : p;
}

const missingStores = new WeakSet<SeeqretError>();

/** Is `e` the error "the vault file does not exist" (ssclient exits 2 for it)? */
export function isStoreMissing(e: unknown): e is SeeqretError {
  return e instanceof SeeqretError && missingStores.has(e);
}

/** The key source of the existing vault file of `a`: its key file or its password. */
export async function storeSource(a: SsAccess): Promise<KeySource> {
  if (!fs.existsSync(a.store)) {
    const e = new SeeqretError('E_FILE_NOT_FOUND', `no SecureStore vault at ${a.store}`, 'Check -s / the STORE argument, or create one with `seeqret securestore create`.');
    missingStores.add(e);
    throw e;
  }
  const keyFile = keyFileOf(a);
  return keyFile ? KeySource.fromFile(keyFile) : KeySource.fromPassword(await passwordOf(a, false));
}

/** Open the existing vault file of `a`. */
export async function openStore(a: SsAccess): Promise<SecretsManager> {
  return SecretsManager.fromFile(a.store, await storeSource(a));
}

/**
 * The key source of an existing vault file, checked against it (so a wrong key, or the password
 * derivation, costs nothing while the file's lock is held) — for {@link changeStore}.
 */
export async function checkedSource(a: SsAccess): Promise<KeySource> {
  const source = await storeSource(a);
  SecretsManager.fromFile(a.store, source);
  return source;
}

/**
 * Change the vault file under its lock (re-read, apply, write atomically): concurrent writers
 * queue and none undoes another's change; one that waits longer than `a.lockTimeoutMs` fails
 * with `E_LOCKED`, writing nothing.
 */
export function changeStore<T>(a: SsAccess, source: KeySource, change: (sman: SecretsManager) => T): T {
  return SecretsManager.update(a.store, source, change, { timeoutMs: a.lockTimeoutMs });
}

/**
 * May the non-empty `file` be replaced? With `force`, or when a person says yes (no →
 * `E_ABORTED`); when nobody can be asked, `E_EXISTS`.
 */
export async function mayReplace(a: SsAccess, file: string, what: string, force: boolean): Promise<void> {
  if (force || isMissingOrEmpty(file)) return;
  if (!a.prompts.interactive) throw new SeeqretError('E_EXISTS', `${what} ${file} already exists`, 'Pass --overwrite to replace it, or choose another file.');
  if (!(await a.prompts.confirm(`Replace the existing ${what} ${file}?`))) throw new SeeqretError('E_ABORTED', `kept the existing ${what} ${file}`, 'Choose another file, or answer y.');
}

/** Where a new vault's key comes from (see {@link newVaultSource}). */
export interface NewSource {
  readonly source: KeySource;
  /** A key file given with -k (new: to be written; else existing, used as is). */
  readonly keyFile?: string;
  readonly writeKeyFile: boolean;
  /** What the person should be told (an existing key file is used). */
  readonly notes: readonly string[];
}

/** The key of a new vault: -k FILE holds an existing key, or names a missing or empty file for a new random key; else a new password. */
export async function newVaultSource(a: SsAccess): Promise<NewSource> {
  const keyFile = keyFileOf(a);
  if (!keyFile) return { source: KeySource.fromPassword(await passwordOf(a, true)), writeKeyFile: false, notes: [] };
  if (isMissingOrEmpty(keyFile)) return { source: KeySource.generate(), keyFile, writeKeyFile: true, notes: [] };
  return { source: KeySource.fromFile(keyFile), keyFile, writeKeyFile: false, notes: [`Using the existing key file ${keyFile}`] };
}

/**
 * The bytes of a secret that `sman.keys()` listed. `E_INTERNAL` if it is gone, which would be a
 * bug: nothing removes secrets while they are read.
 */
export function listedBytes(sman: SecretsManager, name: string): Buffer {
  const b = sman.getBytes(name);
  if (b === null) throw new SeeqretError('E_INTERNAL', `secret ${shownName(name)} was listed but cannot be read`, 'Report this bug.');
  return b;
}
