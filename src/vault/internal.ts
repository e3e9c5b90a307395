/**
 * What seeqret's own modules may reach inside an open {@link Vault} and the library's users may
 * not: the database handle (migrations, doctor) and the owner's X25519 secret key (sharing,
 * teams). Not exported from the package: the public `Vault` type has neither (decision 42).
 *
 * @module
 */
import { hostEnvironment } from '../host.js';
import type Database from 'better-sqlite3';
import { type InternalCreateOptions, createSession, openSession } from './open.js';
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
export function openVaultUnlocked(opts: OpenVaultOptions, secret: Buffer): Vault {
  if (factory === undefined) throw new TypeError('the Vault class is not loaded');
  return factory(openSession(opts, opts.env ?? hostEnvironment(), secret));
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
