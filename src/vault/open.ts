/**
 * Finding, creating and unlocking a vault folder: the database file, the key file and the checks
 * between them. Each returns a {@link VaultSession}; the public {@link Vault} wraps it.
 *
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { generateDataKey, generateIdentity, keyToBase64, open as openSealed, randomBytes, seal, wipe } from '../crypto/index.js';
import { SeeqretError } from '../errors.js';
import { checkOptionalEmail } from '../util/email.js';
import { PRIVATE_FILE_MODE, ensurePrivateDir } from '../util/fs.js';
import { readPassphraseFile } from '../passphrase.js';
import { VERSION } from '../version.js';
import { initAuditHead } from './audit.js';
import { initAggregates } from './integrity.js';
import { type VaultKeys, keysFromSecret, parseKeyFile, readKeyFile, unlockKeyFile, writeKeyFile } from './keyfile.js';
import { OLD_DB_FILE, resolveVaultDir, vaultFiles } from './paths.js';
import { checkUsername, keyCheckAd } from './rows.js';
import { SCHEMA_VERSION, migrate, schemaVersion } from './schema.js';
import { databaseToOpen, sharedCopyPublisher } from './server.js';
import { VaultSession, sqliteError } from './session.js';
import { openDatabase } from './sqlite.js';
import type { CreateVaultOptions, OpenVaultOptions, VaultProbe } from './types.js';
import type { Environment } from '../host.js';

/** The error for a folder without a vault (explaining when it is the old tool's vault). */
export function vaultNotFound(dir: string): SeeqretError {
  if (fs.existsSync(path.join(dir, OLD_DB_FILE))) {
    return new SeeqretError(
      'E_VAULT_NOT_FOUND',
      `${dir} is a vault of the old seeqret tool (v1), not of this version`,
      `Migrate it into a vault of this version: seeqret --vault NEW_DIR import-vault ${dir} --keep-identity`,
    );
  }
  // `init DIR` and `server init DIR` put the vault in DIR/seeqret: DIR itself is a common mistake.
  const inside = path.join(dir, 'seeqret');
  if (fs.existsSync(vaultFiles(inside).db)) {
    return new SeeqretError('E_VAULT_NOT_FOUND', `no vault at ${dir}, but there is one in ${inside}`, `Pass \`dir\` (or set SEEQRET to) the vault folder itself: ${inside}`, { remedy: { id: 'vault-folder-inside', arg: inside } });
  }
  return new SeeqretError('E_VAULT_NOT_FOUND', `no vault at ${dir}`, 'Create one with `Vault.create`, or pass `dir` (or set SEEQRET to) your vault folder.', { remedy: { id: 'vault-folder' } });
}

function readPassphrase(opts: OpenVaultOptions, environment: Environment): Buffer | undefined {
  if (opts.passphrase !== undefined) return Buffer.isBuffer(opts.passphrase) ? opts.passphrase : Buffer.from(opts.passphrase, 'utf8');
  if (opts.passphraseFile) return readPassphraseFile(opts.passphraseFile);
  const env = environment['SEEQRET_PASSPHRASE'];
  if (env) return Buffer.from(env, 'utf8');
  return undefined;
}


/** Look at a vault folder without unlocking it. */
export function probeVault(dir: string | undefined, env: Environment): VaultProbe {
  const files = vaultFiles(resolveVaultDir(dir, env));
  if (!fs.existsSync(files.db)) return { dir: files.dir, exists: false, passphraseProtected: false };
  let prot = false;
  try {
    prot = readKeyFile(files.key).protection === 'passphrase';
  } catch {
    prot = false;
  }
  return { dir: files.dir, exists: true, passphraseProtected: prot };
}

/** Options of {@link createSession}: the public ones, and the owner's key pair for restore and migration. */
export interface InternalCreateOptions extends CreateVaultOptions {
  /** Use this X25519 secret key as the owner's identity (restore, migration) instead of a new one. */
  readonly identitySecretKey?: Buffer;
}

/** Create a new vault in `opts.dir` (which must not already hold one). */
export function createSession(opts: InternalCreateOptions): VaultSession {
  const files = vaultFiles(opts.dir);
  if (fs.existsSync(files.db) || fs.existsSync(files.key)) {
    throw new SeeqretError('E_VAULT_EXISTS', `a vault already exists in ${files.dir}`, 'Use it as it is, or choose another folder.');
  }
  checkUsername(opts.username);
  checkOptionalEmail(opts.email, `the e-mail address of ${opts.username}`);
  ensurePrivateDir(files.dir);
  const identity = generateIdentity(opts.identitySecretKey);
  const keys: VaultKeys = { vaultId: randomBytes(16).toString('hex'), identity, dataKey: generateDataKey() };
  const pass = opts.passphrase === undefined ? undefined : Buffer.isBuffer(opts.passphrase) ? opts.passphrase : Buffer.from(opts.passphrase, 'utf8');
  // Create the db file 0600 before SQLite opens it, so it (and its -wal/-shm) are never wider.
  fs.closeSync(fs.openSync(files.db, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, PRIVATE_FILE_MODE));
  let db: Database.Database | undefined;
  try {
    db = openDatabase(files.db, { timeout: 10_000 });
    const d = db;
    d.pragma('journal_mode = WAL');
    d.exec('PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL');
    migrate(d, VERSION);
    const now = Date.now();
    const v = new VaultSession(files.dir, files.db, d, keys, false);
    v.write(() => {
      const meta = d.prepare('INSERT INTO meta (name, value) VALUES (?, ?)');
      meta.run('vault_id', keys.vaultId);
      meta.run('created_at', String(now));
      meta.run('created_by', `seeqret ${VERSION}`);
      meta.run('key_check', seal(keys.dataKey, randomBytes(32), keyCheckAd(keys.vaultId)).toString('base64'));
      if (opts.serverGroup !== undefined) meta.run('server', opts.serverGroup);
      // The integrity records and the audit head exist from the first moment (zero rows).
      initAggregates(d, v.integrityKey);
      initAuditHead(d, v.auditKey);
      d.prepare('INSERT INTO users (username, email, name, pubkey, is_owner, created_at) VALUES (?, ?, ?, ?, 1, ?)').run(
        opts.username,
        opts.email,
        opts.name ?? null,
        keyToBase64(identity.publicKey),
        now,
      );
      v.pending.push({ action: 'vault.create', target: opts.username, detail: { vaultId: keys.vaultId, ...(opts.serverGroup !== undefined ? { serverGroup: opts.serverGroup } : {}) } });
    });
    writeKeyFile(files.key, keys, pass, opts.kdfCost);
    return v;
  } catch (e) {
    db?.close();
    // Leave nothing half-made behind: a retry of init must find an empty folder.
    for (const f of [files.db, `${files.db}-wal`, `${files.db}-shm`, files.key]) fs.rmSync(f, { force: true });
    throw sqliteError(e, files.db);
  }
}

/**
 * Open and unlock an existing vault: with `unlocked` (the key file's unwrapped secret, from the
 * unlock agent) instead of a passphrase when given. `keyBytes`: the key file's bytes as this
 * process already read them (the CLI reads them once per command, decision 69), else it is read.
 */
export function openSession(opts: OpenVaultOptions, env: Environment, unlocked?: Buffer, keyBytes?: Buffer): VaultSession {
  const files = vaultFiles(resolveVaultDir(opts.dir, env));
  if (!fs.existsSync(files.db)) throw vaultNotFound(files.dir);
  const keyData = keyBytes === undefined ? readKeyFile(files.key) : parseKeyFile(files.key, keyBytes);
  let db: Database.Database;
  try {
    db = openDatabase(databaseToOpen(files.dir, files.db, opts.readonly ?? false), { fileMustExist: true, readonly: opts.readonly ?? false, timeout: 10_000 });
  } catch (e) {
    throw sqliteError(e, files.db);
  }
  try {
    const version = schemaVersion(db);
    if (version === 0) {
      throw new SeeqretError('E_VAULT_CORRUPT', `the vault database ${files.db} is empty or not a seeqret vault`, 'Restore the vault folder from a backup copy.');
    }
    if (version > SCHEMA_VERSION) {
      throw new SeeqretError(
        'E_SCHEMA_NEWER',
        `the vault was written by a newer seeqret (schema ${version}; this seeqret ${VERSION} knows up to ${SCHEMA_VERSION})`,
        'Upgrade seeqret: npm install -g seeqret@latest.',
      );
    }
    if (version < SCHEMA_VERSION && !opts.allowOutdatedSchema) {
      throw new SeeqretError('E_SCHEMA_OUTDATED', `the vault schema is version ${version}, this seeqret needs ${SCHEMA_VERSION}`, 'Run `seeqret upgrade` (it backs up the database first).');
    }
    // A commit of a write is synced (FULL): the build's default in WAL mode is NORMAL, which
    // syncs only at checkpoints (decision 65). A read's audit entry alone is NORMAL (auditReads).
    if (!opts.readonly) db.exec('PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL');
    const meta = new Map(
      (db.prepare("SELECT name, value FROM meta WHERE name IN ('vault_id', 'key_check')").all() as Array<{ name: string; value: string }>).map((r) => [r.name, r.value]),
    );
    const vaultId = meta.get('vault_id');
    const keyCheck = meta.get('key_check');
    if (!vaultId || !keyCheck) {
      throw new SeeqretError('E_VAULT_CORRUPT', `the vault database ${files.db} has no vault id`, 'Restore the vault folder from a backup copy.');
    }
    if (vaultId !== keyData.vaultId) {
      throw new SeeqretError('E_KEY_MISMATCH', `the key file ${files.key} belongs to another vault`, 'Put back the vault.key that was created with this vault.db.');
    }
    const keys = unlocked ? keysFromSecret(keyData, files.key, unlocked) : unlockKeyFile(keyData, files.key, readPassphrase(opts, env));
    const check = openSealed(keys.dataKey, Buffer.from(keyCheck, 'base64'), keyCheckAd(vaultId));
    if (!check) {
      wipe(keys.dataKey);
      wipe(keys.identity.secretKey);
      throw new SeeqretError('E_KEY_MISMATCH', 'the vault data key does not match this vault', 'Put back the vault.key that was created with this vault.db.');
    }
    const v = new VaultSession(files.dir, files.db, db, keys, opts.readonly ?? false);
    if (!opts.readonly) v.shared = sharedCopyPublisher(files.dir, files.db, db);
    return v;
  } catch (e) {
    db.close();
    throw sqliteError(e, files.db);
  }
}

