/**
 * What seeqret's own modules may reach inside an open {@link Vault} and the library's users may
 * not: the database handle (migrations, doctor) and the owner's X25519 secret key (sharing,
 * teams). Not exported from the package: the public `Vault` type has neither (decision 42).
 *
 * @module
 */
import { hostEnvironment } from '../host.js';
import type Database from 'better-sqlite3';
import fs from 'node:fs';
import { parseKeyFile, readKeyFileBytes } from './keyfile.js';
import { type InternalCreateOptions, createSession, openSession } from './open.js';
import { vaultFiles } from './paths.js';
import type { VaultSession } from './session.js';
import type { OpenVaultOptions } from './types.js';
import type { Vault } from './vault.js';

export type { InternalCreateOptions } from './open.js';

const sessions = new WeakMap<Vault, VaultSession>();
let factory: ((session: VaultSession) => Vault) | undefined;

/** How to wrap a session in a `Vault` (registered once, by the `Vault` class). */
export function registerVaultFactory(make: (session: VaultSession) => Vault): void {
  factory = make;
}

/**
 * Create a new vault like `Vault.create`, optionally with a given owner key pair (restore of a
 * backup that holds it, migration with `--keep-identity`): the public options carry no key.
 */
export function createVault(opts: InternalCreateOptions): Vault {
  if (factory === undefined) throw new TypeError('the Vault class is not loaded');
  return factory(createSession(opts));
}

/** Remember the session behind `vault` (called once, by the `Vault` constructor). */
export function registerSession(vault: Vault, session: VaultSession): void {
  sessions.set(vault, session);
}

/** The session behind an open vault. */
export function vaultSession(vault: Vault): VaultSession {
  const s = sessions.get(vault);
  if (s === undefined) throw new TypeError('not a vault opened by this seeqret');
  return s;
}

/** The vault's database handle, for the vault's own modules (migrations, doctor, tests). */
export function vaultDatabase(vault: Vault): Database.Database {
  return vaultSession(vault).db;
}

/** The owner's X25519 secret key (for the sharing, team and crypto modules). Never log it. */
export function vaultIdentitySecretKey(vault: Vault): Buffer {
  return vaultSession(vault).keys.identity.secretKey;
}

/**
 * Open a vault like `Vault.open`, unlocked with the key file's unwrapped secret
 * (`identitySecretKey ‖ dataKey`, as the unlock agent holds it) instead of a passphrase. The keys
 * are checked against the key file's public key and the database's key check; `secret` is wiped.
 */
export function openVaultUnlocked(opts: OpenVaultOptions, secret: Buffer, keyBytes?: Buffer): Vault {
  if (factory === undefined) throw new TypeError('the Vault class is not loaded');
  return factory(openSession(opts, opts.env ?? hostEnvironment(), secret, keyBytes));
}

/** A vault folder as {@link probeKeyFile} saw it: the public probe's answers and the key file's bytes. */
export interface KeyFileProbe {
  /** The folder holds a vault database. */
  readonly exists: boolean;
  /** Its key file is passphrase-protected. */
  readonly passphraseProtected: boolean;
  /** The key file's bytes, for {@link openVaultWithKeyFile}: undefined when they could not be read or are not a key file. */
  readonly keyBytes?: Buffer;
}

/**
 * `Vault.probe` of the folder `dir` (resolved), that also keeps the key file's bytes so that the
 * open which follows does not read the file again (decision 69). `known`: the bytes as this process
 * already read them (the executable's `get` reads them before it loads the vault code). Bytes that
 * are not a valid key file answer "not protected" and are not kept, as `Vault.probe` answers: the
 * open then reads the file itself and reports what is wrong with it.
 */
export function probeKeyFile(dir: string, known?: Buffer): KeyFileProbe {
  const files = vaultFiles(dir);
  if (!fs.existsSync(files.db)) return { exists: false, passphraseProtected: false };
  try {
    const keyBytes = known ?? readKeyFileBytes(files.key);
    return { exists: true, passphraseProtected: parseKeyFile(files.key, keyBytes).protection === 'passphrase', keyBytes };
  } catch {
    return { exists: true, passphraseProtected: false };
  }
}

/** `Vault.open(opts)` with the key file's bytes of {@link probeKeyFile} (read again when undefined). */
export function openVaultWithKeyFile(opts: OpenVaultOptions, keyBytes: Buffer | undefined): Vault {
  if (factory === undefined) throw new TypeError('the Vault class is not loaded');
  return factory(openSession(opts, opts.env ?? hostEnvironment(), undefined, keyBytes));
}

/** A copy of the open vault's unwrapped key-file secret (`identitySecretKey ‖ dataKey`), for the unlock agent. Wipe it after use. */
export function vaultKeySecret(vault: Vault): Buffer {
  const k = vaultSession(vault).keys;
  return Buffer.concat([k.identity.secretKey, k.dataKey]);
}

/**
 * Close `vault` like {@link Vault.close} (keys wiped) but leave its SQLite connection open, for a
 * process that ends right after with `process.exit`: its write-ahead log is then neither
 * checkpointed nor deleted (src/vault/session.ts, decision 65).
 */
export function closeKeepingConnection(vault: Vault): void {
  vaultSession(vault).close({ keepConnection: true });
}
