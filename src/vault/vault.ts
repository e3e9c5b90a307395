/**
 * The local vault: a SQLite database of encrypted secrets plus the key file that unlocks it.
 *
 * Every value is sealed with XChaCha20-Poly1305 under the vault data key, with associated data
 * `seeqret/value/v1 \0 app \0 env \0 key \0 version`, so a ciphertext moved to another row (or an
 * old version moved back into place) fails to decrypt. Names are stored in plaintext so they can be
 * listed and filtered without unlocking anything.
 *
 * All methods are synchronous (better-sqlite3). Writes run in `BEGIN IMMEDIATE` transactions
 * with a busy timeout, so concurrent processes queue instead of failing.
 *
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { generateDataKey, generateIdentity, hash256, keyToBase64, mac256, open as openSealed, openPrepared, type PreparedSeal, prepareOpen, randomBytes, seal, wipe } from '../crypto/index.js';
import { SeeqretError } from '../errors.js';
import { type Filter, matchesFilter, parseFilter } from '../filter/index.js';
import { checkEmail, checkOptionalEmail } from '../util/email.js';
import { PRIVATE_FILE_MODE, ensurePrivateDir } from '../util/fs.js';
import { readFileCapped } from '../util/read-capped.js';
import { VERSION } from '../version.js';
import { type VaultKeys, readKeyFile, unlockKeyFile, writeKeyFile } from './keyfile.js';
import { GLOBAL, checkName, isWellFormed } from './names.js';
import { OLD_DB_FILE, resolveVaultDir, vaultFiles } from './paths.js';
import { SCHEMA_VERSION, migrate, schemaVersion } from './schema.js';
import { type SharedCopyPublisher, databaseToOpen, sharedCopyPublisher } from './server.js';
import { openDatabase } from './sqlite.js';
import { type AuditAction, type AuditCheck, type AuditEntry, type AuditQuery, type CompactResult, type CompactSelection, appendAudit, appendAuditCopies, auditKey, compactAudit, initAuditHead, readAudit, rebuildAuditHead, verifyAuditChain } from './audit.js';
import { IntegrityTracker, authenticateAll, checkAggregates, initAggregates, integrityKey, integrityProblems, protectedTable, tampered, verifyRow } from './integrity.js';

/** The one audit entry that stands for a transaction's per-secret entries ({@link Vault.atomically}). */
export interface AtomicSummary {
  readonly action: AuditAction;
  readonly target: string;
  /** Facts to record with the counts (never values). */
  readonly detail?: Record<string, unknown>;
}

/** Metadata of one stored secret (never the value). */
export interface SecretRecord {
  readonly id: number;
  readonly app: string;
  readonly env: string;
  readonly key: string;
  readonly type: string;
  /** Unix milliseconds. */
  readonly createdAt: number;
  /** Unix milliseconds of the last value change. */
  readonly updatedAt: number;
  /** 1 for the first value; incremented on every change. */
  readonly version: number;
  /** When a user who received the current value was removed (unix ms), else `null`. */
  readonly exposedAt: number | null;
  /** The removed user whose removal exposed it. */
  readonly exposedBy: string | null;
  /**
   * True for a name that arrived from someone else (load, inbox, team pull, restore of another
   * vault's backup, import-vault, ss import) and that this person has not accepted yet: a filter
   * that does not name it exactly does not export it ({@link Vault.accept}).
   */
  readonly pending: boolean;
}

/** One version of a secret's value, as listed by {@link Vault.history}. */
export interface HistoryEntry {
  readonly version: number;
  readonly type: string;
  /** When this value was set (unix ms). */
  readonly setAt: number;
  /** When it was replaced (unix ms), or `null` for the current value. */
  readonly replacedAt: number | null;
}

/** A vault user (the owner is one). */
export interface UserRecord {
  readonly id: number;
  readonly username: string;
  readonly email: string | null;
  readonly name: string | null;
  /** Standard base64 of the X25519 public key. */
  readonly pubkey: string;
  readonly isOwner: boolean;
  readonly createdAt: number;
  /** When the owner confirmed this user's key fingerprint (`users verify`), else `null`. */
  readonly verifiedAt: number | null;
}

/** An OpenPGP public key stored for `send` (the `pgp_keys` table), under a user or contact name. */
export interface PgpKeyRecord {
  readonly id: number;
  /** A vault user's name, or a contact known only by this key. */
  readonly username: string;
  /** The primary key's fingerprint, lower-case hex. */
  readonly fingerprint: string;
  /** The address `send` mails to. */
  readonly email: string;
  /** The key's user IDs (`Name <address>`). */
  readonly userIds: readonly string[];
  /** The ASCII-armored public key. */
  readonly armored: string;
  readonly createdAt: number;
}

/** The `shares.pubkey` of a secret sent by e-mail: this prefix and the PGP key's fingerprint. */
export const PGP_SHARE_PREFIX = 'openpgp:';

/** What {@link Vault.removeUser} found: every secret the user ever received, and those now marked exposed. */
export interface RemovedUser {
  /** The vault user removed (`null` for a contact that only had a PGP key). */
  readonly user: UserRecord | null;
  /** The PGP key removed with them, if they had one. */
  readonly pgpKey: PgpKeyRecord | null;
  /** Distinct `app:env:key` the user received, with the newest version sent. */
  readonly received: ReadonlyArray<{ app: string; env: string; key: string; version: number; at: number }>;
  /** Secrets whose current value the user had: marked exposed until changed. */
  readonly exposed: readonly SecretRecord[];
}

/** A secret to write. `app`/`env` default to `*` (global). */
export interface SecretInput {
  readonly app?: string;
  readonly env?: string;
  readonly key: string;
  readonly value: string;
  readonly type?: string;
  /** When the value was set at its origin (unix ms), for transferred values; default: now. */
  readonly updatedAt?: number;
}

/** Outcome of writing one secret. */
export type WriteOutcome = 'added' | 'updated' | 'unchanged' | 'skipped' | 'older';

/** Counts of a bulk write (e.g. importenv). */
export interface ImportSummary {
  added: number;
  updated: number;
  unchanged: number;
  skipped: number;
  /** Entries older than the value already here (a delayed or replayed transfer), not applied. */
  older: number;
  /** Per entry, in input order. */
  readonly outcomes: Array<{ app: string; env: string; key: string; outcome: WriteOutcome }>;
}

/** Options for opening an existing vault. */
export interface OpenVaultOptions {
  /** Vault folder; default: `SEEQRET` environment variable, else `~/.seeqret`. */
  readonly dir?: string;
  /** Passphrase of a protected vault; default: `passphraseFile`, then `SEEQRET_PASSPHRASE`. */
  readonly passphrase?: string | Buffer;
  /** File whose content (one trailing newline stripped) is the passphrase. */
  readonly passphraseFile?: string;
  /** Open the database read-only. */
  readonly readonly?: boolean;
  /** Accept an older schema (for `upgrade` and `doctor` only). */
  readonly allowOutdatedSchema?: boolean;
}

/** Options for creating a vault. */
export interface CreateVaultOptions {
  /** The vault folder itself (created 0700). */
  readonly dir: string;
  readonly username: string;
  readonly email: string;
  readonly name?: string;
  /** Protect the key file with this passphrase (Argon2id). */
  readonly passphrase?: string | Buffer;
  /** Argon2id cost (tests lower it). */
  readonly kdfCost?: { opslimit: number; memlimit: number };
  /** Use this X25519 secret key as the owner's identity (restore, migration) instead of a new one. */
  readonly identitySecretKey?: Buffer;
  /** A server vault (`server init`): the group whose members read it, recorded with the vault. */
  readonly serverGroup?: string;
}

/** One secret sent to one user (the `shares` table). */
export interface ShareRecord {
  readonly bundleId: string;
  readonly username: string;
  readonly pubkey: string;
  readonly app: string;
  readonly env: string;
  readonly key: string;
  readonly version: number;
  readonly at: number;
}

/** A bundle that was loaded (replay protection). */
export interface LoadedBundleRecord {
  readonly bundleId: string;
  readonly sender: string;
  readonly at: number;
  readonly secrets: number;
}

/** A secret with its decrypted value and history, as written to a backup. */
export interface DumpedSecret extends Omit<SecretRecord, 'id'> {
  readonly value: string;
  /** Previous values, newest first. */
  readonly history: ReadonlyArray<{ version: number; type: string; setAt: number; replacedAt: number; value: string }>;
}

/** What can be learnt about a vault folder without unlocking it. */
export interface VaultProbe {
  readonly dir: string;
  readonly exists: boolean;
  readonly passphraseProtected: boolean;
}

/** A validated secret to write. */
interface PutInput {
  readonly app: string;
  readonly env: string;
  readonly key: string;
  readonly value: string;
  readonly type: string;
  readonly updatedAt?: number;
}

/**
 * Whose name a write is: `own` (typed by this person: a new name is accepted, an existing pending
 * one becomes theirs), `keep` (acceptance left as it is), or received from someone else (a new
 * name starts pending, with this origin; an existing name keeps its state).
 */
type Acceptance = 'own' | 'keep' | { readonly received: string };

/**
 * One (app, env) variant of a key in the library index: still encrypted, split once into the parts
 * a decryption needs. Its row was authenticated when it was loaded.
 */
interface IndexEntry {
  readonly app: string;
  readonly env: string;
  readonly sealed: PreparedSeal;
}
type ValueIndex = Map<string, IndexEntry[]>;
/** Plaintext of one `get` lives here (wiped after each call); longer values get their own buffer. */
const GET_SCRATCH_BYTES = 4096;

/** Score of one field for {@link Vault.get}: -1 excludes the variant. */
function fieldScore(actual: string, wanted: string | undefined): number {
  if (wanted === undefined) return actual === GLOBAL ? 1 : 0;
  if (actual === wanted) return 2;
  return actual === GLOBAL ? 1 : -1;
}

const VALUE_AD_PREFIX = 'seeqret/value/v1\0';
const SECRET_COLS = 'id, app, env, key, type, created_at AS createdAt, updated_at AS updatedAt, version, exposed_at AS exposedAt, exposed_by AS exposedBy, pending';
/** The columns of the covering `secrets_listing` index, in {@link SecretRecord} order. */
const LISTING_COLS = 'id, app, env, key, type, created_at, updated_at, version, exposed_at, exposed_by, pending';
/** Every column a row MAC covers, and the MAC. */
const macCols = (table: string): string => `${protectedTable(table).cols.join(', ')}, mac`;
const USERS_T = protectedTable('users');
const SECRETS_T = protectedTable('secrets');
const HISTORY_T = protectedTable('secret_history');
const LOADED_T = protectedTable('loaded_bundles');
const PGP_T = protectedTable('pgp_keys');
const SHARES_T = protectedTable('shares');

/** A secrets row as stored (every column). */
interface SecretRow {
  id: number;
  app: string;
  env: string;
  key: string;
  type: string;
  version: number;
  created_at: number;
  updated_at: number;
  exposed_at: number | null;
  exposed_by: string | null;
  pending: number;
  origin: string | null;
  value: Buffer;
  mac: Buffer | null;
}

function recordOf(r: SecretRow): SecretRecord {
  return {
    id: r.id, app: r.app, env: r.env, key: r.key, type: r.type, createdAt: r.created_at, updatedAt: r.updated_at,
    version: r.version, exposedAt: r.exposed_at, exposedBy: r.exposed_by, pending: r.pending === 1,
  };
}

function userOf(r: Record<string, unknown>): UserRecord {
  return {
    id: r['id'] as number, username: r['username'] as string, email: r['email'] as string | null, name: r['name'] as string | null,
    pubkey: r['pubkey'] as string, isOwner: r['is_owner'] === 1, createdAt: r['created_at'] as number, verifiedAt: r['verified_at'] as number | null,
  };
}

/** Associated data binding a sealed value to its row and version. */
function valueAd(app: string, env: string, key: string, version: number): Buffer {
  return Buffer.from(`${VALUE_AD_PREFIX}${app}\0${env}\0${key}\0${version}`, 'utf8');
}

function keyCheckAd(vaultId: string): Buffer {
  return Buffer.from(`seeqret/keycheck/v1\0${vaultId}`, 'utf8');
}

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
    return new SeeqretError('E_VAULT_NOT_FOUND', `no vault at ${dir}, but there is one in ${inside}`, `Point --vault / SEEQRET at the vault folder itself: ${inside}`);
  }
  return new SeeqretError('E_VAULT_NOT_FOUND', `no vault at ${dir}`, 'Run `seeqret init`, or point --vault / SEEQRET at your vault folder.');
}

/** Throw `E_USAGE` unless `name` is an acceptable user name. */
function checkUsername(name: string): void {
  if (!USERNAME_RE.test(name) || name.includes('..')) {
    throw new SeeqretError('E_USAGE', `bad user name ${JSON.stringify(name)}`, 'User names use letters, digits and . _ @ + - (e.g. alice or alice@laptop).');
  }
}

/** What a user name may contain (it is used in file names and messages). */
export const USERNAME_RE = /^[A-Za-z0-9._@+-]{1,64}$/;

/** Format `app:env:key` for messages. */
export function secretLabel(r: { app: string; env: string; key: string }): string {
  return `${r.app}:${r.env}:${r.key}`;
}

/** Map a better-sqlite3 error to a one-line SeeqretError. */
function sqliteError(e: unknown, dbPath: string): unknown {
  if (e instanceof SeeqretError) return e;
  const code = (e as { code?: string } | null)?.code ?? '';
  if (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new SeeqretError('E_VAULT_LOCKED', 'the vault is busy (another seeqret process holds the lock)', 'Retry in a moment; if it persists, look for a stuck seeqret process.', { cause: e });
  }
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_IOERR')) {
    return new SeeqretError('E_VAULT_CORRUPT', `the vault database is damaged: ${dbPath} (${code})`, 'Restore the vault folder from a backup copy; `seeqret doctor` shows details.', { cause: e });
  }
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_PERM' || code.startsWith('SQLITE_AUTH')) {
    return new SeeqretError('E_PERMISSIONS', `cannot write the vault database ${dbPath} (${code})`, 'Check the owner and permissions of the vault folder (seeqret doctor).', { cause: e });
  }
  return e;
}

function readPassphrase(opts: OpenVaultOptions): Buffer | undefined {
  if (opts.passphrase !== undefined) return Buffer.isBuffer(opts.passphrase) ? opts.passphrase : Buffer.from(opts.passphrase, 'utf8');
  if (opts.passphraseFile) return passphraseFromFile(opts.passphraseFile);
  const env = process.env['SEEQRET_PASSPHRASE'];
  if (env) return Buffer.from(env, 'utf8');
  return undefined;
}

/** Read a passphrase file: its content with one trailing newline removed. */
export function passphraseFromFile(file: string): Buffer {
  let b = readFileCapped(file, 'passphrase');
  if (b.length > 0 && b[b.length - 1] === 0x0a) b = b.subarray(0, b.length - 1);
  if (b.length > 0 && b[b.length - 1] === 0x0d) b = b.subarray(0, b.length - 1);
  return Buffer.from(b);
}

/** An open, unlocked vault. Close it when done. */
export class Vault {
  readonly dir: string;
  readonly vaultId: string;
  /** The owner's X25519 public key. */
  readonly publicKey: Buffer;
  readonly #db: Database.Database;
  readonly #dbPath: string;
  readonly #keys: VaultKeys;
  readonly #auditKey: Buffer;
  readonly #integrityKey: Buffer;
  readonly #tracker: IntegrityTracker;
  readonly #readonly: boolean;
  #index: ValueIndex | undefined;
  /** Backs the plaintext of one {@link Vault.get} call; wiped after each. */
  #scratch: Buffer | undefined;
  readonly #stmts = new Map<string, Database.Statement>();
  /** Audit entries queued by the current write transaction, appended in one batch at its end. */
  #pending: Array<{ action: AuditAction; target?: string | null; detail?: unknown }> = [];
  /**
   * Inside {@link Vault.atomically} with `summary`: per-secret entries counted by action instead of
   * queued (one entry for the whole transaction; a million-line import holds no million entries).
   */
  #counts: Map<string, number> | null = null;
  /** How many {@link Vault.#write} calls are running (more than one inside {@link Vault.atomically}). */
  #depth = 0;
  #closed = false;
  /** A server vault opened for writing: publishes the copy its group reads (src/vault/server.ts). */
  #shared: SharedCopyPublisher | null = null;

  private constructor(dir: string, dbPath: string, db: Database.Database, keys: VaultKeys, readonly: boolean) {
    this.dir = dir;
    this.#dbPath = dbPath;
    this.#db = db;
    this.#keys = keys;
    this.#auditKey = auditKey(keys.dataKey);
    this.#integrityKey = integrityKey(keys.dataKey);
    this.#tracker = new IntegrityTracker(this.#integrityKey);
    this.#readonly = readonly;
    this.vaultId = keys.vaultId;
    this.publicKey = keys.identity.publicKey;
  }

  /** Look at a vault folder without unlocking it. */
  static probe(dir?: string): VaultProbe {
    const files = vaultFiles(resolveVaultDir(dir));
    if (!fs.existsSync(files.db)) return { dir: files.dir, exists: false, passphraseProtected: false };
    let prot = false;
    try {
      prot = readKeyFile(files.key).protection === 'passphrase';
    } catch {
      prot = false;
    }
    return { dir: files.dir, exists: true, passphraseProtected: prot };
  }

  /** Create a new vault in `opts.dir` (which must not already hold one). */
  static create(opts: CreateVaultOptions): Vault {
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
      d.pragma('foreign_keys = ON');
      migrate(d, VERSION);
      const now = Date.now();
      const v = new Vault(files.dir, files.db, d, keys, false);
      v.#write(() => {
        const meta = d.prepare('INSERT INTO meta (name, value) VALUES (?, ?)');
        meta.run('vault_id', keys.vaultId);
        meta.run('created_at', String(now));
        meta.run('created_by', `seeqret ${VERSION}`);
        meta.run('key_check', seal(keys.dataKey, randomBytes(32), keyCheckAd(keys.vaultId)).toString('base64'));
        if (opts.serverGroup !== undefined) meta.run('server', opts.serverGroup);
        // The integrity records and the audit head exist from the first moment (zero rows).
        initAggregates(d, v.#integrityKey);
        initAuditHead(d, v.#auditKey);
        d.prepare('INSERT INTO users (username, email, name, pubkey, is_owner, created_at) VALUES (?, ?, ?, ?, 1, ?)').run(
          opts.username,
          opts.email,
          opts.name ?? null,
          keyToBase64(identity.publicKey),
          now,
        );
        v.#pending.push({ action: 'vault.create', target: opts.username, detail: { vaultId: keys.vaultId, ...(opts.serverGroup !== undefined ? { serverGroup: opts.serverGroup } : {}) } });
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

  /** Open and unlock an existing vault. */
  static open(opts: OpenVaultOptions = {}): Vault {
    const files = vaultFiles(resolveVaultDir(opts.dir));
    if (!fs.existsSync(files.db)) throw vaultNotFound(files.dir);
    const keyData = readKeyFile(files.key);
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
      if (!opts.readonly) db.pragma('foreign_keys = ON');
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
      const keys = unlockKeyFile(keyData, files.key, readPassphrase(opts));
      const check = openSealed(keys.dataKey, Buffer.from(keyCheck, 'base64'), keyCheckAd(vaultId));
      if (!check) {
        wipe(keys.dataKey);
        wipe(keys.identity.secretKey);
        throw new SeeqretError('E_KEY_MISMATCH', 'the vault data key does not match this vault', 'Put back the vault.key that was created with this vault.db.');
      }
      const v = new Vault(files.dir, files.db, db, keys, opts.readonly ?? false);
      if (!opts.readonly) v.#shared = sharedCopyPublisher(files.dir, files.db, db);
      return v;
    } catch (e) {
      db.close();
      throw sqliteError(e, files.db);
    }
  }

  /** A prepared statement, compiled once per vault handle. */
  #stmt(sql: string): Database.Statement {
    let st = this.#stmts.get(sql);
    if (!st) {
      st = this.#db.prepare(sql);
      this.#stmts.set(sql, st);
    }
    return st;
  }

  #sql<T>(fn: () => T): T {
    if (this.#closed) throw new SeeqretError('E_INTERNAL', 'the vault is closed', 'Open the vault again.');
    try {
      return fn();
    } catch (e) {
      throw sqliteError(e, this.#dbPath);
    }
  }

  /**
   * Run `fn` in one immediate write transaction, then append its audit entries and update the
   * integrity records. `auditOnly` (appending audit entries and nothing else) skips defining the
   * TEMP triggers, which `get` would otherwise pay on every run; should such a write touch a
   * protected row after all, the row would have no MAC and be refused as tampered (fail-safe).
   */
  #write<T>(fn: () => T, auditOnly = false): T {
    if (this.#readonly) throw new SeeqretError('E_PERMISSIONS', 'the vault was opened read-only', 'Open it without readonly to change it.');
    this.#index = undefined;
    if (this.#depth > 0) return this.#nestedWrite(fn, auditOnly);
    this.#pending = [];
    const result = this.#sql(() => {
      if (!auditOnly) this.#tracker.install(this.#db);
      this.#depth += 1;
      try {
        return this.#db
          .transaction(() => {
            this.#tracker.begin();
            const r = fn();
            appendAudit(this.#db, this.#auditKey, this.#pending);
            this.#pending = [];
            // Row MACs were set by the TEMP triggers; the table aggregates follow here, in one place.
            this.#tracker.commit(this.#db);
            return r;
          })
          .immediate();
      } finally {
        this.#depth -= 1;
        this.#pending = [];
      }
    });
    // A server vault's group reads a copy: publish it once the outer transaction committed.
    this.#shared?.update();
    return result;
  }

  /**
   * A write inside another ({@link Vault.atomically}): a savepoint of the outer transaction. Its
   * audit entries and integrity changes join the outer transaction's, which appends and applies
   * them once at its end; if the savepoint rolls back, both are put back as they were before it.
   */
  #nestedWrite<T>(fn: () => T, auditOnly: boolean): T {
    if (!auditOnly) this.#tracker.install(this.#db);
    const pending = this.#pending.length;
    const counted = this.#tracker.snapshot();
    const counts = this.#counts === null ? null : new Map(this.#counts);
    try {
      return this.#db.transaction(fn)();
    } catch (e) {
      this.#pending.length = pending;
      this.#tracker.restore(counted);
      if (counts !== null) this.#counts = counts;
      throw e;
    }
  }

  /** Queue the audit entry of one secret's change (counted instead under {@link Vault.atomically}'s `summary`). */
  #queueSecretEntry(e: { action: AuditAction; target: string; detail?: unknown }): void {
    if (this.#counts !== null) this.#counts.set(e.action, (this.#counts.get(e.action) ?? 0) + 1);
    else this.#pending.push(e);
  }

  /**
   * Check that the rows of `tables` (names of the protected tables: users, secrets,
   * secret_history, shares, loaded_bundles, pgp_keys) are the set seeqret last wrote: none
   * removed, added, or put back from an older copy of the database. Reads only their MAC column.
   *
   * @throws SeeqretError `E_TAMPERED` naming the table.
   */
  checkIntegrity(tables: readonly string[]): void {
    this.#sql(() => checkAggregates(this.#db, this.#integrityKey, tables));
  }

  /** Every row MAC, every table aggregate and the audit chain, for `doctor`: one line per problem. */
  integrityProblems(): string[] {
    return this.#sql(() => {
      const problems = integrityProblems(this.#db, this.#integrityKey);
      const chain = verifyAuditChain(this.#db, this.#auditKey);
      if (chain.problem) problems.push(chain.problem);
      return problems;
    });
  }

  /**
   * Apply the pending schema migrations and, in the same transaction, authenticate the vault as it
   * is now (schema 5: row MACs, table aggregates, the audit head with its length). Returns the
   * versions applied, and where the audit log was already broken before (see
   * {@link rebuildAuditHead}).
   */
  upgradeSchema(): { applied: number[]; auditBrokenAt: number | null } {
    let auditBrokenAt: number | null = null;
    const applied = this.#sql(() =>
      migrate(this.#db, VERSION, SCHEMA_VERSION, (versions) => {
        if (!versions.includes(5)) return;
        authenticateAll(this.#db, this.#integrityKey);
        auditBrokenAt = rebuildAuditHead(this.#db, this.#auditKey);
      }),
    );
    return { applied, auditBrokenAt };
  }

  /** The underlying database handle, for the vault's own modules (migrations, doctor). */
  get database(): Database.Database {
    return this.#db;
  }

  /** The owner's X25519 secret key (for the sharing and crypto modules). Do not log it. */
  get identitySecretKey(): Buffer {
    return this.#keys.identity.secretKey;
  }

  /** The owner's user record. */
  owner(): UserRecord {
    const row = this.users().find((u) => u.isOwner);
    if (!row) throw new SeeqretError('E_VAULT_CORRUPT', 'the vault has no owner user', 'Restore the vault folder from a backup copy.');
    return row;
  }

  /** Every user, the owner first. */
  users(): UserRecord[] {
    const rows = this.#sql(() => this.#stmt(`SELECT ${macCols('users')} FROM users ORDER BY is_owner DESC, username`).all()) as Array<Record<string, unknown>>;
    // Each row is authenticated: a public key or a verification mark set outside seeqret is E_TAMPERED.
    for (const r of rows) verifyRow(this.#integrityKey, USERS_T, r);
    return rows.map(userOf);
  }

  /** The user named `username`, or `E_UNKNOWN_USER`. */
  user(username: string): UserRecord {
    const u = this.users().find((x) => x.username === username);
    if (!u) throw new SeeqretError('E_UNKNOWN_USER', `no user named ${username} in this vault`, 'Run `seeqret users` to see who is known; add people with `seeqret add user`.');
    return u;
  }

  /** Add a user with an X25519 public key (validated by the caller). */
  addUser(u: { username: string; email?: string | null; name?: string | null; publicKey: Buffer }): UserRecord {
    checkUsername(u.username);
    checkOptionalEmail(u.email, `the e-mail address of ${u.username}`);
    this.#write(() => this.#insertUser(u));
    return this.user(u.username);
  }

  #insertUser(u: { username: string; email?: string | null; name?: string | null; publicKey: Buffer }): void {
    const pubkey = keyToBase64(u.publicKey);
    {
      const existing = this.#stmt('SELECT username FROM users WHERE username = ? OR pubkey = ?').pluck().get(u.username, pubkey) as string | undefined;
      if (existing) {
        throw new SeeqretError('E_USER_EXISTS', `${existing === u.username ? `a user named ${u.username}` : `user ${existing} with the same public key`} already exists`, 'Remove the old entry first (seeqret rm user NAME), or use another name.');
      }
      this.#stmt('INSERT INTO users (username, email, name, pubkey, is_owner, created_at) VALUES (?, ?, ?, ?, 0, ?)').run(u.username, u.email ?? null, u.name ?? null, pubkey, Date.now());
      this.#pending.push({ action: 'user.add', target: u.username, detail: { pubkey } });
    }
  }

  /** Record that the owner checked this user's key fingerprint. */
  verifyUser(username: string): UserRecord {
    const u = this.user(username);
    this.#write(() => {
      this.#stmt('UPDATE users SET verified_at = ? WHERE id = ?').run(Date.now(), u.id);
      appendAudit(this.#db, this.#auditKey, [{ action: 'user.verify', target: username, detail: { pubkey: u.pubkey } }]);
    });
    return this.user(username);
  }

  /**
   * Remove a user (never the owner) or a contact known only by a PGP key, with their PGP key.
   * Every secret they ever received (in a bundle or by `send`) is listed; those whose current value
   * is one they received (not changed since) are marked exposed.
   */
  removeUser(username: string): RemovedUser {
    const user = this.users().find((x) => x.username === username) ?? null;
    const pgp = this.pgpKey(username) ?? null;
    if (!user && !pgp) this.user(username); // throws E_UNKNOWN_USER
    if (user?.isOwner) throw new SeeqretError('E_USAGE', `${username} is the owner of this vault`, 'The owner cannot be removed; create a new vault instead.');
    // What they were sent decides what is marked exposed: the share records must be complete.
    this.checkIntegrity(['shares']);
    return this.#write(() => {
      const keys = [user?.pubkey ?? '', pgp ? PGP_SHARE_PREFIX + pgp.fingerprint : ''];
      const received = this.#stmt(
        'SELECT app, env, key, max(version) AS version, max(at) AS at FROM shares WHERE username = ? AND pubkey IN (?, ?) GROUP BY app, env, key ORDER BY app, env, key',
      ).all(username, ...keys) as Array<{ app: string; env: string; key: string; version: number; at: number }>;
      const now = Date.now();
      const exposed: SecretRecord[] = [];
      const mark = this.#stmt('UPDATE secrets SET exposed_at = ?, exposed_by = ? WHERE id = ?');
      for (const r of received) {
        const cur = this.lookup(r.app, r.env, r.key);
        // Exposed when the current value is one they got: same or older version of the same secret
        // (a secret deleted and created again after the share has a new value).
        if (cur && cur.version <= r.version && cur.createdAt <= r.at) {
          mark.run(now, username, cur.id);
          exposed.push({ ...cur, exposedAt: now, exposedBy: username });
        }
      }
      if (user) this.#stmt('DELETE FROM users WHERE id = ?').run(user.id);
      if (pgp) this.#stmt('DELETE FROM pgp_keys WHERE id = ?').run(pgp.id);
      appendAudit(
        this.#db,
        this.#auditKey,
        [
          { action: 'user.remove', target: username, detail: { received: received.length, exposed: exposed.length, ...(pgp ? { pgp: pgp.fingerprint } : {}) } },
          ...exposed.map((r) => ({ action: 'secret.exposed' as const, target: secretLabel(r), detail: { by: username } })),
        ],
        now,
      );
      return { user, pgpKey: pgp, received, exposed };
    });
  }

  /** Every stored OpenPGP key, by name. */
  pgpKeys(): PgpKeyRecord[] {
    const rows = this.#sql(() => this.#stmt(`SELECT ${macCols('pgp_keys')} FROM pgp_keys ORDER BY username`).all()) as Array<Record<string, unknown>>;
    for (const r of rows) verifyRow(this.#integrityKey, PGP_T, r);
    return rows.map((r) => ({
      id: r['id'] as number, username: r['username'] as string, fingerprint: r['fingerprint'] as string, email: r['email'] as string,
      userIds: JSON.parse(r['user_ids'] as string) as string[], armored: r['armored'] as string, createdAt: r['created_at'] as number,
    }));
  }

  /** The OpenPGP key stored for `username`, if any. */
  pgpKey(username: string): PgpKeyRecord | undefined {
    return this.pgpKeys().find((k) => k.username === username);
  }

  /**
   * Store an OpenPGP public key (already validated by `src/crypto/pgp.ts`) under `username`: a
   * vault user's name or a contact's. With `user`, the vault user is added in the same transaction.
   *
   * @throws SeeqretError `E_USER_EXISTS` when the name already has a key (unless `replace`) or the
   *   key is stored under another name.
   */
  addPgpKey(
    k: { username: string; fingerprint: string; email: string; userIds: readonly string[]; armored: string },
    opts: { replace?: boolean; user?: { email?: string | null; name?: string | null; publicKey: Buffer } } = {},
  ): PgpKeyRecord {
    checkUsername(k.username);
    checkEmail(k.email, `the e-mail address of ${k.username}'s PGP key`);
    checkOptionalEmail(opts.user?.email, `the e-mail address of ${k.username}`);
    this.#write(() => {
      if (opts.user) this.#insertUser({ username: k.username, ...opts.user });
      const owner = this.#stmt('SELECT username FROM pgp_keys WHERE fingerprint = ?').pluck().get(k.fingerprint) as string | undefined;
      if (owner !== undefined && owner !== k.username) {
        throw new SeeqretError('E_USER_EXISTS', `this PGP key is already stored for ${owner}`, `Use that name, or remove it first (seeqret rm user ${owner}).`);
      }
      const old = this.#stmt('SELECT id, fingerprint FROM pgp_keys WHERE username = ?').get(k.username) as { id: number; fingerprint: string } | undefined;
      if (old && !opts.replace) {
        throw new SeeqretError('E_USER_EXISTS', `${k.username} already has a PGP key (${old.fingerprint.toUpperCase()})`, 'Pass --force to replace it.');
      }
      if (old) this.#stmt('DELETE FROM pgp_keys WHERE id = ?').run(old.id);
      this.#stmt('INSERT INTO pgp_keys (username, fingerprint, email, user_ids, armored, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(
        k.username, k.fingerprint, k.email, JSON.stringify(k.userIds), k.armored, Date.now(),
      );
      this.#pending.push({ action: 'pgp.add', target: k.username, detail: { fingerprint: k.fingerprint, email: k.email, ...(old ? { replaced: old.fingerprint } : {}) } });
    });
    return this.pgpKey(k.username)!;
  }

  /**
   * Record that `records` were e-mailed to `to` in message `messageId`: one `shares` row per secret
   * (so removing them later marks what they had as exposed) and a `send` audit entry (names only).
   */
  recordSend(to: PgpKeyRecord, messageId: string, records: readonly SecretRecord[], detail: { smtp: string }): void {
    this.#write(() => {
      const ins = this.#stmt('INSERT INTO shares (bundle_id, username, pubkey, app, env, key, version, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
      const now = Date.now();
      for (const r of records) ins.run(messageId, to.username, PGP_SHARE_PREFIX + to.fingerprint, r.app, r.env, r.key, r.version, now);
      this.#pending.push({ action: 'send', target: to.username, detail: { to: to.email, fingerprint: to.fingerprint, message: messageId, smtp: detail.smtp, secrets: records.map(secretLabel) } });
    });
  }

  /** Secrets marked exposed (a user who had their current value was removed). */
  exposed(): SecretRecord[] {
    return this.all().filter((s) => s.exposedAt !== null);
  }

  /** Record that `records` were exported to `user` in bundle `bundleId` (and audit it). */
  recordExport(bundleId: string, user: UserRecord, records: readonly SecretRecord[], format: string): void {
    this.#write(() => {
      const ins = this.#stmt('INSERT INTO shares (bundle_id, username, pubkey, app, env, key, version, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
      const now = Date.now();
      for (const r of records) ins.run(bundleId, user.username, user.pubkey, r.app, r.env, r.key, r.version, now);
      appendAudit(this.#db, this.#auditKey, [{ action: 'export', target: user.username, detail: { bundle: bundleId, format, secrets: records.map(secretLabel) } }], now);
    });
  }

  /** True when this sender's bundle with this id was loaded before. */
  bundleLoaded(bundleId: string, senderPubkey: string): boolean {
    const row = this.#sql(() => this.#stmt(`SELECT ${macCols('loaded_bundles')} FROM loaded_bundles WHERE bundle_id = ? AND sender = ?`).get(bundleId, senderPubkey)) as Record<string, unknown> | undefined;
    if (row) verifyRow(this.#integrityKey, LOADED_T, row);
    return row !== undefined;
  }

  /** Append audit entries for reads the CLI performed (values are never recorded). */
  auditReads(records: readonly SecretRecord[], how: string): void {
    if (records.length === 0 || this.#readonly) return;
    // A read record is worth a WAL append, not an fsync: synchronous=NORMAL keeps the database
    // consistent on a crash and may lose only the newest records on power loss.
    // A read that cannot be recorded fails (E_PERMISSIONS): no CLI read goes unrecorded.
    try {
      this.#db.pragma('synchronous = NORMAL');
      this.#write(() => appendAudit(this.#db, this.#auditKey, records.map((r) => ({ action: 'secret.read' as const, target: secretLabel(r), detail: { how } }))), true);
    } finally {
      this.#db.pragma('synchronous = FULL');
    }
  }

  /** Append audit entries in their own transaction. */
  audit(entries: ReadonlyArray<{ action: AuditAction; target?: string | null; detail?: unknown }>): void {
    // Queued like every write's own entries, so inside atomically they keep the order of the calls.
    this.#write(() => void this.#pending.push(...entries), true);
  }

  /** Carry over audit entries from a backup (time and actor kept), re-chained onto this log. */
  importAudit(entries: ReadonlyArray<Omit<AuditEntry, 'id'>>): void {
    this.#write(() => appendAuditCopies(this.#db, this.#auditKey, entries), true);
  }

  /** Read the audit log, oldest first. */
  auditLog(q: AuditQuery = {}): AuditEntry[] {
    return this.#sql(() => readAudit(this.#db, q));
  }

  /** Verify the audit log's hash chain. */
  verifyAudit(): AuditCheck {
    return this.#sql(() => verifyAuditChain(this.#db, this.#auditKey));
  }

  /**
   * Fold the oldest audit entries into one checkpoint entry keyed with the vault's audit key
   * (see {@link compactAudit}): those older than `before`, or all but the newest `keep`.
   *
   * @throws SeeqretError `E_TAMPERED` when the log does not verify (it is never compacted then).
   */
  compactAudit(sel: CompactSelection): CompactResult {
    return this.#write(() => compactAudit(this.#db, this.#auditKey, sel), true);
  }

  /** Every secret with its value and history, decrypted (for backups). */
  dumpSecrets(): DumpedSecret[] {
    return this.all().map((r) => {
      const history = this.history(r)
        .filter((h) => h.replacedAt !== null)
        .map((h) => ({ version: h.version, type: h.type, setAt: h.setAt, replacedAt: h.replacedAt!, value: this.revealVersion(r, h.version) }));
      const { id: _id, ...meta } = r;
      return { ...meta, value: this.reveal(r), history };
    });
  }

  /**
   * Restore a backup's content in ONE transaction (all or nothing): secrets (a missing one is
   * recreated with its versions and history; an existing one with the same value is `unchanged`;
   * with another value `skipped`, or `updated` with `overwrite`), users not known yet (by name and
   * key; `verified` marks are kept only when `keepVerified`, i.e. into a vault the restore created),
   * and the share and loaded-bundle records.
   */
  restoreAll(
    r: {
      secrets: readonly DumpedSecret[];
      users: ReadonlyArray<{ username: string; email: string | null; name: string | null; publicKey: Buffer; verifiedAt: number | null }>;
      shares: readonly ShareRecord[];
      loadedBundles: readonly LoadedBundleRecord[];
      /** OpenPGP keys of `send` recipients; one whose name or fingerprint is known already is left out. */
      pgpKeys?: ReadonlyArray<Omit<PgpKeyRecord, 'id'>>;
    },
    opts: {
      overwrite?: boolean;
      keepVerified?: boolean;
      /** The backup is another vault's (its names were chosen by someone else): new names start pending with this origin. */
      received?: string;
    } = {},
  ): { summary: ImportSummary; usersAdded: string[] } {
    const summary: ImportSummary = { added: 0, updated: 0, unchanged: 0, skipped: 0, older: 0, outcomes: [] };
    for (const d of r.secrets) Vault.#validate({ app: d.app, env: d.env, key: d.key, value: d.value, type: d.type });
    for (const u of r.users) {
      checkUsername(u.username);
      checkOptionalEmail(u.email, `the e-mail address of ${u.username}`);
    }
    for (const k of r.pgpKeys ?? []) checkEmail(k.email, `the e-mail address of ${k.username}'s PGP key`);
    const usersAdded: string[] = [];
    this.#write(() => {
      const now = Date.now();
      const insHist = this.#stmt('INSERT INTO secret_history (secret_id, version, value, type, set_at, replaced_at) VALUES (?, ?, ?, ?, ?, ?)');
      for (const d of r.secrets) {
        let outcome: WriteOutcome;
        if (this.lookup(d.app, d.env, d.key)) {
          outcome = this.#put({ app: d.app, env: d.env, key: d.key, value: d.value, type: d.type }, opts.overwrite ? 'replace' : 'skip', now, false, 'keep');
        } else {
          const blob = seal(this.#keys.dataKey, Buffer.from(d.value, 'utf8'), valueAd(d.app, d.env, d.key, d.version));
          // Another vault's names start pending; one's own backup keeps each name's state.
          const pending = opts.received !== undefined || d.pending === true;
          const origin = opts.received ?? (d.pending === true ? 'restored backup' : null);
          const id = this.#stmt('INSERT INTO secrets (app, env, key, value, type, created_at, updated_at, version, exposed_at, exposed_by, pending, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
            d.app, d.env, d.key, blob, d.type, d.createdAt, d.updatedAt, d.version, d.exposedAt, d.exposedBy, pending ? 1 : 0, origin,
          ).lastInsertRowid;
          for (const h of d.history) {
            if (!Number.isSafeInteger(h.version) || h.version >= d.version || h.version < 1) {
              throw new SeeqretError('E_BACKUP_FORMAT', `${secretLabel(d)}: history version ${h.version} is not below the current version ${d.version}`, 'The backup is damaged; use another one.');
            }
            insHist.run(id, h.version, seal(this.#keys.dataKey, Buffer.from(h.value, 'utf8'), valueAd(d.app, d.env, d.key, h.version)), h.type, h.setAt, h.replacedAt);
          }
          this.#pending.push({ action: 'secret.add', target: secretLabel(d), detail: { version: d.version, restored: true } });
          outcome = 'added';
        }
        summary[outcome] += 1;
        summary.outcomes.push({ app: d.app, env: d.env, key: d.key, outcome });
      }
      // Linear in the records (issue 12): what is here already is read once into sets, so each
      // record of the backup costs one set lookup, never a query (shares are indexed by user only:
      // a per-record query scanned all of that user's shares, quadratic in the records).
      const known = this.users();
      const knownNames = new Set(known.map((k) => k.username));
      const knownKeys = new Set(known.map((k) => k.pubkey));
      for (const u of r.users) {
        const pubkey = keyToBase64(u.publicKey);
        if (knownNames.has(u.username) || knownKeys.has(pubkey)) continue;
        this.#insertUser(u);
        knownNames.add(u.username);
        knownKeys.add(pubkey);
        if (opts.keepVerified && u.verifiedAt !== null) this.#stmt('UPDATE users SET verified_at = ? WHERE username = ?').run(u.verifiedAt, u.username);
        usersAdded.push(u.username);
      }
      if (r.shares.length > 0) {
        const shareKey = (bundleId: unknown, username: unknown, app: unknown, env: unknown, key: unknown, version: unknown): string => JSON.stringify([bundleId, username, app, env, key, version]);
        const have = new Set<string>();
        for (const [b, u, a, e, k, ver] of this.#stmt('SELECT bundle_id, username, app, env, key, version FROM shares').raw().iterate() as IterableIterator<unknown[]>) have.add(shareKey(b, u, a, e, k, ver));
        const ins = this.#stmt('INSERT INTO shares (bundle_id, username, pubkey, app, env, key, version, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
        for (const x of r.shares) {
          const id = shareKey(x.bundleId, x.username, x.app, x.env, x.key, x.version);
          if (have.has(id)) continue;
          have.add(id);
          ins.run(x.bundleId, x.username, x.pubkey, x.app, x.env, x.key, x.version, x.at);
        }
      }
      const lb = this.#stmt('INSERT OR IGNORE INTO loaded_bundles (bundle_id, sender, at, secrets) VALUES (?, ?, ?, ?)');
      for (const x of r.loadedBundles) lb.run(x.bundleId, x.sender, x.at, x.secrets);
      const pk = this.#stmt('INSERT OR IGNORE INTO pgp_keys (username, fingerprint, email, user_ids, armored, created_at) VALUES (?, ?, ?, ?, ?, ?)');
      for (const k of r.pgpKeys ?? []) {
        if (pk.run(k.username, k.fingerprint, k.email, JSON.stringify(k.userIds), k.armored, k.createdAt).changes > 0) {
          this.#pending.push({ action: 'pgp.add', target: k.username, detail: { fingerprint: k.fingerprint, email: k.email, restored: true } });
        }
      }
    });
    return { summary, usersAdded };
  }

  /**
   * Check secrets (names, values, types), user names and e-mail addresses as the write methods would, without a
   * vault: importers call it before they create a folder or write anything, so that an input
   * refused on its last entry leaves nothing behind. Throws the error the write would throw.
   */
  static validate(
    secrets: Iterable<SecretInput>,
    users: Iterable<{ username: string; email?: string | null }> = [],
    pgpKeys: Iterable<{ username: string; email: string }> = [],
  ): void {
    for (const s of secrets) Vault.#validate(s);
    for (const u of users) {
      checkUsername(u.username);
      checkOptionalEmail(u.email, `the e-mail address of ${u.username}`);
    }
    for (const k of pgpKeys) checkEmail(k.email, `the e-mail address of ${k.username}'s PGP key`);
  }

  /**
   * Run `fn` — calls of this vault's write methods (`setMany`, `restoreAll`, `addMissingUsers`,
   * `audit`, `importAudit`, …) — in ONE transaction: all their writes and audit entries, or none
   * (a nested write becomes a savepoint of this one).
   *
   * With `summary`, the per-secret entries of those writes (`secret.add`, `secret.update`,
   * `secret.accept`) are counted, not kept, and ONE entry — `summary.action` on `summary.target`,
   * its detail plus `added`/`updated`/`accepted` counts — records them when `fn` returns (none
   * when nothing changed): `importenv` of a million lines holds no million entries until commit.
   */
  atomically<T>(fn: () => T, opts: { summary?: AtomicSummary } = {}): T {
    const summary = opts.summary;
    if (summary === undefined || this.#counts !== null) return this.#write(fn);
    return this.#write(() => {
      this.#counts = new Map();
      try {
        const r = fn();
        const counted: Record<string, number> = {};
        for (const [action, n] of this.#counts) counted[SUMMARY_FIELDS[action] ?? action] = n;
        if (this.#counts.size > 0) this.#pending.push({ action: summary.action, target: summary.target, detail: { ...summary.detail, ...counted } });
        return r;
      } finally {
        this.#counts = null;
      }
    });
  }

  /** The record of every share and every loaded bundle (for backups). */
  sharingRecords(): { shares: ShareRecord[]; loadedBundles: LoadedBundleRecord[] } {
    return this.#sql(() => {
      const shares = this.#stmt(`SELECT ${macCols('shares')} FROM shares ORDER BY id`).all() as Array<Record<string, unknown>>;
      const loaded = this.#stmt(`SELECT ${macCols('loaded_bundles')} FROM loaded_bundles ORDER BY at`).all() as Array<Record<string, unknown>>;
      for (const r of shares) verifyRow(this.#integrityKey, SHARES_T, r);
      for (const r of loaded) verifyRow(this.#integrityKey, LOADED_T, r);
      return {
        shares: shares.map((r) => ({
          bundleId: r['bundle_id'] as string, username: r['username'] as string, pubkey: r['pubkey'] as string, app: r['app'] as string,
          env: r['env'] as string, key: r['key'] as string, version: r['version'] as number, at: r['at'] as number,
        })),
        loadedBundles: loaded.map((r) => ({ bundleId: r['bundle_id'] as string, sender: r['sender'] as string, at: r['at'] as number, secrets: r['secrets'] as number })),
      };
    });
  }

  /** Add users that are not known yet (by name or key), unverified; returns the names added. */
  addMissingUsers(users: ReadonlyArray<{ username: string; email: string | null; name: string | null; publicKey: Buffer }>): string[] {
    return this.restoreAll({ secrets: [], users: users.map((u) => ({ ...u, verifiedAt: null })), shares: [], loadedBundles: [] }).usersAdded;
  }

  /** Number of secrets in the vault. */
  count(): number {
    return this.#sql(() => this.#stmt('SELECT count(*) FROM secrets').pluck().get() as number);
  }

  /**
   * Secrets matching any of `filters` (metadata only), sorted by app, env, key.
   * An empty list of filters matches nothing.
   */
  find(filters: readonly Filter[]): SecretRecord[] {
    if (filters.length === 0) return [];
    // Use the key index when every filter names its keys literally; otherwise scan the covering
    // listing index (names and metadata only, never the value pages) and build objects only for
    // the rows that match.
    const keys = new Set<string>();
    let literal = true;
    for (const f of filters) {
      if (f.key.literals) for (const k of f.key.literals) keys.add(k);
      else literal = false;
    }
    const out: SecretRecord[] = [];
    const take = (row: unknown[]): void => {
      const [id, app, env, key, type, createdAt, updatedAt, version, exposedAt, exposedBy, pending] = row as [number, string, string, string, string, number, number, number, number | null, string | null, number];
      for (const f of filters) {
        if (matchesFilter(f, app, env, key)) {
          out.push({ id, app, env, key, type, createdAt, updatedAt, version, exposedAt, exposedBy, pending: pending === 1 });
          return;
        }
      }
    };
    this.#sql(() => {
      if (literal && keys.size > 0 && keys.size <= 500) {
        const marks = Array.from(keys, () => '?').join(',');
        for (const row of this.#db.prepare(`SELECT ${LISTING_COLS} FROM secrets WHERE key IN (${marks}) ORDER BY app, env, key`).raw().iterate(...keys)) take(row as unknown[]);
      } else {
        for (const row of this.#stmt(`SELECT ${LISTING_COLS} FROM secrets ORDER BY app, env, key`).raw().iterate()) take(row as unknown[]);
      }
    });
    return out;
  }

  /** Every secret (metadata only), sorted by app, env, key. */
  all(): SecretRecord[] {
    return this.find([ALL]);
  }

  /** The record of exactly `(app, env, key)`, or `undefined`. */
  lookup(app: string, env: string, key: string): SecretRecord | undefined {
    const r = this.#sql(() => this.#stmt(`SELECT ${SECRET_COLS} FROM secrets WHERE app = ? AND env = ? AND key = ?`).get(app, env, key)) as (Omit<SecretRecord, 'pending'> & { pending: number }) | undefined;
    return r ? { ...r, pending: r.pending === 1 } : undefined;
  }

  #decrypt(r: { app: string; env: string; key: string }, version: number, blob: Buffer): string {
    const pt = openSealed(this.#keys.dataKey, blob, valueAd(r.app, r.env, r.key, version));
    if (!pt) {
      throw new SeeqretError(
        'E_DECRYPT',
        `secret ${secretLabel(r)} (version ${version}) failed authentication: the vault was modified or is damaged`,
        'Restore the vault from a backup, or set the value again with `seeqret add key --force`.',
      );
    }
    const s = pt.toString('utf8');
    wipe(pt);
    return s;
  }

  /** Decrypt the current value of a secret. */
  reveal(r: SecretRecord): string {
    const row = this.#sql(() => this.#stmt(`SELECT ${macCols('secrets')} FROM secrets WHERE id = ?`).get(r.id)) as SecretRow | undefined;
    if (!row) throw new SeeqretError('E_NOT_FOUND', `secret ${secretLabel(r)} no longer exists`, 'Run `seeqret list` to see what exists.');
    // The row it decrypts is authenticated (O(1)): an older ciphertext put back with its older
    // version, or a name marked accepted outside seeqret, is E_TAMPERED, never a value.
    // A ciphertext that does not open is E_DECRYPT (damaged, or moved between rows) before E_TAMPERED.
    const value = this.#decrypt(r, row.version, row.value);
    verifyRow(this.#integrityKey, SECRETS_T, row as unknown as Record<string, unknown>);
    if (row.app !== r.app || row.env !== r.env || row.key !== r.key || (row.pending === 1) !== r.pending) throw tampered(SECRETS_T.describe(row as unknown as Record<string, unknown>));
    this.#checkNotStale(row);
    return value;
  }

  /**
   * A current row put back whole from an older copy carries a valid MAC; if its history still
   * records that this version was replaced, it is stale (one indexed lookup). A replay that also
   * removes those history rows is found by the table aggregates (`run`, `env`, `export`, `doctor`).
   */
  #checkNotStale(row: { id: number; app: string; env: string; key: string; version: number }): void {
    if (this.#stmt('SELECT 1 FROM secret_history WHERE secret_id = ? AND version >= ? LIMIT 1').pluck().get(row.id, row.version) !== undefined) {
      throw tampered(`secret ${secretLabel(row)}'s current value`, `was replaced by an older one (version ${row.version}) outside seeqret`);
    }
  }

  /** Versions of a secret, newest first (the current one has `replacedAt: null`). */
  history(r: SecretRecord): HistoryEntry[] {
    const old = this.#sql(() =>
      this.#stmt('SELECT version, type, set_at AS setAt, replaced_at AS replacedAt FROM secret_history WHERE secret_id = ? ORDER BY version DESC').all(r.id),
    ) as HistoryEntry[];
    return [{ version: r.version, type: r.type, setAt: r.updatedAt, replacedAt: null }, ...old];
  }

  /** Decrypt one version of a secret's value (current or historical). */
  revealVersion(r: SecretRecord, version: number): string {
    if (version === r.version) return this.reveal(r);
    const row = this.#sql(() => this.#stmt(`SELECT ${macCols('secret_history')} FROM secret_history WHERE secret_id = ? AND version = ?`).get(r.id, version)) as
      | (Record<string, unknown> & { value: Buffer })
      | undefined;
    if (!row) throw new SeeqretError('E_NOT_FOUND', `secret ${secretLabel(r)} has no version ${version}`, 'Run `seeqret history` to see the versions.');
    const value = this.#decrypt(r, version, row.value);
    verifyRow(this.#integrityKey, HISTORY_T, row, { ...row, label: secretLabel(r) });
    return value;
  }

  static #validate(input: SecretInput): PutInput {
    const app = checkName('app', input.app ?? GLOBAL);
    const env = checkName('env', input.env ?? GLOBAL);
    const key = checkName('key', input.key);
    if (typeof input.value !== 'string' || !isWellFormed(input.value)) {
      throw new SeeqretError('E_BAD_VALUE', `the value for ${app}:${env}:${key} is not valid Unicode text`, 'Values must be UTF-8 text; base64-encode binary data first.');
    }
    const type = input.type ?? 'str';
    if (!/^[a-z][a-z0-9_]{0,31}$/.test(type)) throw new SeeqretError('E_USAGE', `bad secret type '${type}'`, "Types are lower-case words such as 'str' or 'text'.");
    const updatedAt = input.updatedAt !== undefined && Number.isSafeInteger(input.updatedAt) && input.updatedAt > 0 ? input.updatedAt : undefined;
    return { app, env, key, value: input.value, type, ...(updatedAt ? { updatedAt } : {}) };
  }

  #put(v: PutInput, ifExists: 'error' | 'replace' | 'skip', now: number, keepNewer = false, acceptance: Acceptance = 'own'): WriteOutcome {
    const at = v.updatedAt ?? now;
    const cur = this.#stmt('SELECT id, value, type, version, updated_at AS updatedAt, pending FROM secrets WHERE app = ? AND env = ? AND key = ?').get(v.app, v.env, v.key) as
      | { id: number; value: Buffer; type: string; version: number; updatedAt: number; pending: number }
      | undefined;
    const plain = Buffer.from(v.value, 'utf8');
    try {
      if (!cur) {
        const blob = seal(this.#keys.dataKey, plain, valueAd(v.app, v.env, v.key, 1));
        const received = typeof acceptance === 'object' ? acceptance.received : null;
        const pending = received === null ? 0 : 1;
        // The row's MAC goes in with it (one write per row, not an INSERT and a trigger's UPDATE);
        // the id is the one SQLite would choose (INTEGER PRIMARY KEY without AUTOINCREMENT: max + 1).
        const id = this.#nextId('secrets');
        const mac = this.#tracker.macFor(SECRETS_T, [id, v.app, v.env, v.key, v.type, 1, now, at, null, null, pending, received, blob]);
        this.#stmt('INSERT INTO secrets (id, app, env, key, value, type, created_at, updated_at, version, pending, origin, mac) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)').run(
          id, v.app, v.env, v.key, blob, v.type, now, at, pending, received, mac,
        );
        this.#queueSecretEntry({ action: 'secret.add', target: secretLabel(v), detail: { version: 1, ...(received === null ? {} : { pending: true, origin: received }) } });
        return 'added';
      }
      // A name this person types is theirs, even if it first arrived from someone else.
      if (acceptance === 'own' && cur.pending === 1 && ifExists !== 'skip') this.#acceptRow(cur.id, secretLabel(v), 'typed');
      const old = this.#decrypt(v, cur.version, cur.value);
      if (old === v.value && cur.type === v.type) return 'unchanged';
      if (ifExists === 'error') {
        throw new SeeqretError('E_EXISTS', `secret ${secretLabel(v)} already exists`, 'Add --force to replace it (the old value is kept in history), or use `seeqret edit value`.');
      }
      if (ifExists === 'skip') return 'skipped';
      // A transferred value older than the one here is a delayed or replayed bundle: keep ours.
      if (keepNewer && v.updatedAt !== undefined && v.updatedAt < cur.updatedAt) return 'older';
      this.#replace(cur, v, plain, now, at, old !== v.value);
      this.#queueSecretEntry({ action: 'secret.update', target: secretLabel(v), detail: { version: cur.version + 1 } });
      return 'updated';
    } finally {
      wipe(plain);
    }
  }

  /** The row id SQLite would give the next row of `table` (an INTEGER PRIMARY KEY: the largest + 1; O(log n)). */
  #nextId(table: 'secrets' | 'shares'): number {
    return ((this.#stmt(`SELECT max(id) FROM ${table}`).pluck().get() as number | null) ?? 0) + 1;
  }

  #replace(
    cur: { id: number; value: Buffer; type: string; version: number; updatedAt: number },
    v: { app: string; env: string; key: string; type: string },
    plain: Buffer,
    now: number,
    at: number,
    valueChanged: boolean,
  ): void {
    // The old ciphertext stays valid where it is moved: its associated data names its version.
    this
      .#stmt('INSERT INTO secret_history (secret_id, version, value, type, set_at, replaced_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(cur.id, cur.version, cur.value, cur.type, cur.updatedAt, now);
    const next = cur.version + 1;
    const blob = seal(this.#keys.dataKey, plain, valueAd(v.app, v.env, v.key, next));
    // A new value is no longer exposed by a user removed before it was set (a type change alone is not a new value).
    if (valueChanged) this.#stmt('UPDATE secrets SET value = ?, type = ?, updated_at = ?, version = ?, exposed_at = NULL, exposed_by = NULL WHERE id = ?').run(blob, v.type, at, next, cur.id);
    else this.#stmt('UPDATE secrets SET value = ?, type = ?, updated_at = ?, version = ? WHERE id = ?').run(blob, v.type, at, next, cur.id);
  }

  /**
   * Add a secret. If it exists: with `replace` its value is replaced (old value to history),
   * otherwise `E_EXISTS`. Setting the same value again is `unchanged`.
   */
  set(input: SecretInput, opts: { replace?: boolean } = {}): WriteOutcome {
    const v = Vault.#validate(input);
    return this.#write(() => this.#put(v, opts.replace ? 'replace' : 'error', Date.now()));
  }

  #acceptRow(id: number, label: string, how: string): void {
    if (this.#stmt('UPDATE secrets SET pending = 0 WHERE id = ? AND pending = 1').run(id).changes > 0) {
      this.#queueSecretEntry({ action: 'secret.accept', target: label, detail: { how } });
    }
  }

  /**
   * Accept names received from someone else, so that filters export them like the person's own
   * (code-loading variables still only through their own template line). Audited. Returns the
   * records that were pending and are accepted now.
   */
  accept(records: readonly SecretRecord[]): SecretRecord[] {
    const pending = records.filter((r) => r.pending);
    this.#write(() => {
      for (const r of pending) this.#acceptRow(r.id, secretLabel(r), 'accept');
    });
    return pending.map((r) => ({ ...r, pending: false }));
  }

  /** Names received from someone else and not accepted yet, with where each came from. */
  pendingNames(): Array<SecretRecord & { origin: string | null }> {
    const rows = this.#sql(() => this.#stmt(`SELECT ${macCols('secrets')} FROM secrets WHERE pending = 1 ORDER BY app, env, key`).all()) as SecretRow[];
    return rows.map((r) => ({ ...recordOf(r), origin: r.origin }));
  }

  /**
   * Write many secrets all-or-nothing (one transaction; any invalid entry aborts before writing).
   * Existing secrets with a different value are `updated` with `update`, else `skipped`.
   * With `dryRun` nothing is written and the summary says what would happen.
   */
  setMany(
    inputs: Iterable<SecretInput>,
    opts: {
      update?: boolean;
      dryRun?: boolean;
      keepNewer?: boolean;
      load?: { bundleId?: string; sender: string; senderPubkey: string; format: string };
      /** Where the names came from when someone else chose them (`load from bob`, `team pull`, `ss import`): new names start pending. */
      received?: string;
    } = {},
  ): ImportSummary {
    const entries = Array.from(inputs, (i) => Vault.#validate(i));
    const summary: ImportSummary = { added: 0, updated: 0, unchanged: 0, skipped: 0, older: 0, outcomes: [] };
    const run = (): void => {
      const now = Date.now();
      for (const v of entries) {
        const outcome = this.#put(v, opts.update ? 'replace' : 'skip', now, opts.keepNewer ?? false, opts.received !== undefined ? { received: opts.received } : 'own');
        summary[outcome] += 1;
        summary.outcomes.push({ app: v.app, env: v.env, key: v.key, outcome });
      }
      if (opts.dryRun) throw DRY_RUN;
      if (opts.load) {
        // Recorded in the same transaction: a bundle is loaded entirely and remembered, or not at all.
        if (opts.load.bundleId) {
          // Not INSERT OR REPLACE: a REPLACE deletes without firing the integrity triggers.
          this.#stmt('DELETE FROM loaded_bundles WHERE bundle_id = ? AND sender = ?').run(opts.load.bundleId, opts.load.senderPubkey);
          this.#stmt('INSERT INTO loaded_bundles (bundle_id, sender, at, secrets) VALUES (?, ?, ?, ?)').run(opts.load.bundleId, opts.load.senderPubkey, now, entries.length);
        }
        // The sender knows what they sent: if they are removed later, these values are exposed.
        const rec = this.#stmt('INSERT INTO shares (id, bundle_id, username, pubkey, app, env, key, version, at, mac) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
        const bundle = opts.load.bundleId ?? `${opts.load.format}-load`;
        for (const x of summary.outcomes) {
          if (x.outcome !== 'added' && x.outcome !== 'updated' && x.outcome !== 'unchanged') continue;
          const version = this.#stmt('SELECT version FROM secrets WHERE app = ? AND env = ? AND key = ?').pluck().get(x.app, x.env, x.key) as number;
          const id = this.#nextId('shares');
          const mac = this.#tracker.macFor(SHARES_T, [id, bundle, opts.load.sender, opts.load.senderPubkey, x.app, x.env, x.key, version, now]);
          rec.run(id, bundle, opts.load.sender, opts.load.senderPubkey, x.app, x.env, x.key, version, now, mac);
        }
        this.#pending.push({ action: 'load', target: opts.load.sender, detail: { bundle: opts.load.bundleId ?? null, format: opts.load.format, added: summary.added, updated: summary.updated, skipped: summary.skipped } });
      }
    };
    try {
      this.#write(run);
    } catch (e) {
      if (e !== DRY_RUN) throw e;
    }
    return summary;
  }

  /** Set a new value on existing secrets (old values to history). Returns how many changed. */
  updateValues(records: readonly SecretRecord[], value: string): number {
    if (!isWellFormed(value)) throw new SeeqretError('E_BAD_VALUE', 'the new value is not valid Unicode text', 'Values must be UTF-8 text.');
    return this.#write(() => {
      let n = 0;
      const now = Date.now();
      for (const r of records) {
        const outcome = this.#put({ app: r.app, env: r.env, key: r.key, type: r.type, value }, 'replace', now);
        if (outcome === 'updated') n += 1;
        if (outcome === 'added') throw new SeeqretError('E_NOT_FOUND', `secret ${secretLabel(r)} was removed meanwhile`, 'Run the command again.');
      }
      return n;
    });
  }

  /**
   * Rename environment `from` of `app` to `to`: every secret `app:from:KEY` becomes `app:to:KEY`,
   * with its history, versions, times and exposure marks, in ONE transaction (all or nothing).
   *
   * A value's associated data names its app, env, key and version, so each current and historical
   * ciphertext is decrypted and sealed again for the new name (a value that fails authentication
   * aborts the whole rename with `E_DECRYPT`). The share records follow (a user removed later still
   * exposes what they were sent), and the `secret.rename` audit entries (one per secret, folded
   * into one entry naming them all when there are several) record old and new name.
   *
   * @returns The renamed records (with their new env), sorted by key; `[]` when `from` has none.
   * @throws SeeqretError `E_EXISTS` when `app:to:*` already holds a secret (nothing is merged),
   *   `E_USAGE` when `from` equals `to`, `E_INVALID_NAME` for a bad name.
   */
  renameEnvironment(app: string, from: string, to: string): SecretRecord[] {
    checkName('app', app);
    checkName('env', from);
    checkName('env', to);
    if (from === to) throw new SeeqretError('E_USAGE', `the environment is already named ${to}`, 'Give a different new name.');
    return this.#write(() => {
      const clash = this.#stmt('SELECT key FROM secrets WHERE app = ? AND env = ? LIMIT 1').pluck().get(app, to) as string | undefined;
      if (clash !== undefined) {
        throw new SeeqretError('E_EXISTS', `${app}:${to}:${clash} already exists: environment ${to} already has values`, `Delete or rename environment ${to} first.`);
      }
      const rows = this.#stmt(`SELECT ${SECRET_COLS}, value FROM secrets WHERE app = ? AND env = ? ORDER BY key`).all(app, from) as Array<SecretRecord & { value: Buffer }>;
      const history = this.#stmt('SELECT version, value FROM secret_history WHERE secret_id = ?');
      const updHistory = this.#stmt('UPDATE secret_history SET value = ? WHERE secret_id = ? AND version = ?');
      const updSecret = this.#stmt('UPDATE secrets SET env = ?, value = ? WHERE id = ?');
      const reseal = (key: string, version: number, blob: Buffer): Buffer => {
        const plain = Buffer.from(this.#decrypt({ app, env: from, key }, version, blob), 'utf8');
        try {
          return seal(this.#keys.dataKey, plain, valueAd(app, to, key, version));
        } finally {
          wipe(plain);
        }
      };
      const out: SecretRecord[] = [];
      for (const { value, ...r } of rows) {
        for (const h of history.all(r.id) as Array<{ version: number; value: Buffer }>) updHistory.run(reseal(r.key, h.version, h.value), r.id, h.version);
        updSecret.run(to, reseal(r.key, r.version, value), r.id);
        this.#pending.push({ action: 'secret.rename', target: secretLabel(r), detail: { to: secretLabel({ app, env: to, key: r.key }), version: r.version } });
        out.push({ ...r, env: to });
      }
      this.#stmt('UPDATE shares SET env = ? WHERE app = ? AND env = ?').run(to, app, from);
      return out;
    });
  }

  /** Delete secrets (and their history). Returns how many were deleted. */
  remove(records: readonly SecretRecord[]): number {
    return this.#write(() => {
      const del = this.#stmt('DELETE FROM secrets WHERE id = ?');
      let n = 0;
      for (const r of records) n += del.run(r.id).changes;
      appendAudit(
        this.#db,
        this.#auditKey,
        records.map((r) => ({ action: 'secret.remove' as const, target: secretLabel(r), detail: { version: r.version } })),
      );
      return n;
    });
  }

  /**
   * Library fast path: the value of `key`, choosing among its (app, env) variants by specificity.
   * Each of app and env scores 2 for an exact match with the requested name, 1 for the global
   * `*`, and otherwise excludes the variant; an omitted app or env scores 1 for `*` and 0 for any
   * other name. App weighs more than env. The best score wins; a tie at the top is
   * `E_AMBIGUOUS`. So `get('DB', { app: 'web', env: 'prod' })` takes `web:prod:DB`, then
   * `web:*:DB`, then `*:prod:DB`, then `*:*:DB`; `get('DB')` takes `*:*:DB` when it exists, else
   * the only variant. Values come from an in-memory index of ciphertexts built on first use
   * (see {@link Vault.refresh}): the first call for a key reads its variants with one indexed
   * query, later calls only a map lookup; only the chosen value is decrypted.
   */
  get(key: string, where: { app?: string; env?: string } = {}): string {
    const rows: IndexEntry[] = (this.#index ??= new Map()).get(key) ?? this.#loadVariants(key);
    const app = where.app;
    const env = where.env;
    let best: IndexEntry | undefined;
    let bestScore = -1;
    let tie = false;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      const a = fieldScore(r.app, app);
      if (a < 0) continue;
      const e = fieldScore(r.env, env);
      if (e < 0) continue;
      const score = a * 3 + e;
      if (score > bestScore) {
        best = r;
        bestScore = score;
        tie = false;
      } else if (score === bestScore) tie = true;
    }
    if (best === undefined) throw new SeeqretError('E_NOT_FOUND', `no secret named ${key}${describeWhere(where)}`, 'Run `seeqret list` to see what exists.');
    if (tie) {
      const names = rows
        .filter((r) => fieldScore(r.app, app) >= 0 && fieldScore(r.env, env) >= 0 && fieldScore(r.app, app) * 3 + fieldScore(r.env, env) === bestScore)
        .map((r) => `${r.app}:${r.env}:${key}`)
        .join(', ');
      throw new SeeqretError('E_AMBIGUOUS', `${key}${describeWhere(where)} is ambiguous: ${names}`, 'Pass app and env to choose one.');
    }
    const value = openPrepared(this.#keys.dataKey, best.sealed);
    if (value === null) throw this.#damaged(best.app, best.env, key);
    return value;
  }

  #damaged(app: string, env: string, key: string): SeeqretError {
    return new SeeqretError('E_DECRYPT', `secret ${app}:${env}:${key} failed authentication: the vault was modified or is damaged`, 'Restore the vault folder from a backup copy.');
  }

  /**
   * A tag of a file this vault wrote (keyed BLAKE2b-256 with a key derived from the data key and
   * `purpose`), so that a later run can tell whether the file changed since: without the vault key
   * the tag says nothing about the file's content.
   */
  fileTag(purpose: string, content: Uint8Array): Buffer {
    const key = hash256(Buffer.from(`seeqret/file-tag-key/v1\0${purpose}`, 'utf8'), this.#keys.dataKey);
    try {
      return mac256(key, content);
    } finally {
      wipe(key);
    }
  }

  /** Drop the in-memory index used by {@link Vault.get}, so the next call sees changes made by other processes. */
  refresh(): void {
    this.#index = undefined;
  }

  /**
   * Load the (app, env) variants of `key` into the index, once per key: one indexed query, then
   * each row is authenticated here (it opens under its associated data, its row MAC is valid and it
   * is not a replaced version put back) so that later calls are a map lookup and one decryption.
   */
  #loadVariants(key: string): IndexEntry[] {
    const rows = this.#sql(() => this.#stmt(`SELECT ${macCols('secrets')} FROM secrets WHERE key = ?`).all(key)) as SecretRow[];
    const scratch = (this.#scratch ??= Buffer.alloc(GET_SCRATCH_BYTES));
    const list: IndexEntry[] = [];
    for (const r of rows) {
      const sealed = prepareOpen(r.value, valueAd(r.app, r.env, key, r.version), scratch);
      // A ciphertext that does not open is E_DECRYPT before a row MAC is E_TAMPERED (as `reveal`).
      if (sealed === null || openPrepared(this.#keys.dataKey, sealed) === null) throw this.#damaged(r.app, r.env, key);
      verifyRow(this.#integrityKey, SECRETS_T, r as unknown as Record<string, unknown>);
      this.#checkNotStale(r);
      list.push({ app: r.app, env: r.env, sealed });
    }
    this.#index!.set(key, list);
    return list;
  }

  /** Close the database and wipe the keys from memory. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#index = undefined;
    this.#scratch?.fill(0);
    try {
      // A server vault publishes changes made through `database` (migrations) too.
      this.#shared?.update();
    } finally {
      try {
        this.#db.close();
      } finally {
        wipe(this.#keys.dataKey);
        wipe(this.#keys.identity.secretKey);
        wipe(this.#auditKey);
        wipe(this.#integrityKey);
      }
    }
  }
}

const DRY_RUN = Symbol('dry-run');
/** The detail field that counts each per-secret action under {@link Vault.atomically}'s `summary`. */
const SUMMARY_FIELDS: Readonly<Record<string, string>> = { 'secret.add': 'added', 'secret.update': 'updated', 'secret.accept': 'accepted' };
/** The filter matching every secret. */
const ALL = parseFilter('*:*:*');

function describeWhere(where: { app?: string; env?: string }): string {
  const parts: string[] = [];
  if (where.app !== undefined) parts.push(`app ${where.app}`);
  if (where.env !== undefined) parts.push(`env ${where.env}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}
