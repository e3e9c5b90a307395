/**
 * One open, unlocked vault: the database handle, the keys, prepared statements, write transactions
 * and the audit log. The stores (secrets, users, PGP keys, shares, dump) work through it; the
 * public {@link Vault} class is a facade over them. Internal: never exported from the package.
 *
 * All methods are synchronous (better-sqlite3). Writes run in `BEGIN IMMEDIATE` transactions
 * with a busy timeout, so concurrent processes queue instead of failing.
 *
 * @module
 */
import fs from 'node:fs';
import type Database from 'better-sqlite3';
import { hash256, mac256, open as openSealed, wipe } from '../crypto/index.js';
import { SeeqretError } from '../errors.js';
import { VERSION } from '../version.js';
import { type AuditAction, type AuditCheck, type AuditEntry, type AuditQuery, type CompactResult, type CompactSelection, appendAudit, appendAuditCopies, auditKey, compactAudit, readAudit, rebuildAuditHead, verifyAuditChain } from './audit.js';
import { authenticateAll, checkAggregates, integrityKey, integrityProblems, tampered } from './integrity.js';
import { IntegrityTracker } from './integrity-tracker.js';
import type { VaultKeys } from './keyfile.js';
import { secretLabel, valueAd } from './rows.js';
import { SCHEMA_VERSION, migrate } from './schema.js';
import type { SharedCopyPublisher } from './server.js';
import type { AtomicSummary, SecretRecord } from './types.js';

/** An audit entry queued by a write, appended when its transaction ends. */
export interface QueuedEntry {
  readonly action: AuditAction;
  readonly target?: string | null;
  readonly detail?: unknown;
}

/** The detail field that counts each per-secret action under {@link VaultSession.atomically}'s `summary`. */
const SUMMARY_FIELDS: Readonly<Record<string, string>> = { 'secret.add': 'added', 'secret.update': 'updated', 'secret.accept': 'accepted' };

/**
 * The write-ahead log's size at which a read checkpoints it first ({@link VaultSession}'s
 * `#checkpointLongLog`): about sixty 4 KiB pages. A `get` appends about three pages and leaves
 * the log for the next process, whose open replays it (decision 65): a short log keeps that
 * replay cheap, and a checkpoint every twenty-odd gets costs two fsyncs and a new log's header.
 */
const READ_CHECKPOINT_BYTES = 256 * 1024;

/** Connections left open by {@link VaultSession.close}'s `keepConnection` (held, so no finaliser closes one early). */
const keptOpen: Database.Database[] = [];

/** Map a better-sqlite3 error to a one-line SeeqretError. */
export function sqliteError(e: unknown, dbPath: string): unknown {
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

/** An open vault's connection, keys and transaction state. */
export class VaultSession {
  readonly dir: string;
  readonly dbPath: string;
  readonly db: Database.Database;
  readonly keys: VaultKeys;
  readonly auditKey: Buffer;
  readonly integrityKey: Buffer;
  readonly tracker: IntegrityTracker;
  readonly readonly: boolean;
  /** Called at the start of every write (the value index drops what it holds). */
  onWrite: () => void = () => undefined;
  /** Called by {@link close} before the keys are wiped. */
  onClose: () => void = () => undefined;
  /** A server vault opened for writing: publishes the copy its group reads (src/vault/server.ts). */
  shared: SharedCopyPublisher | null = null;
  readonly #stmts = new Map<string, Database.Statement>();
  /** Audit entries queued by the current write transaction, appended in one batch at its end. */
  pending: QueuedEntry[] = [];
  /**
   * Inside {@link atomically} with `summary`: per-secret entries counted by action instead of
   * queued (one entry for the whole transaction; a million-line import holds no million entries).
   */
  #counts: Map<string, number> | null = null;
  /** How many {@link write} calls are running (more than one inside {@link atomically}). */
  #depth = 0;
  #closed = false;

  constructor(dir: string, dbPath: string, db: Database.Database, keys: VaultKeys, readonly: boolean) {
    this.dir = dir;
    this.dbPath = dbPath;
    this.db = db;
    this.keys = keys;
    this.auditKey = auditKey(keys.dataKey);
    this.integrityKey = integrityKey(keys.dataKey);
    this.tracker = new IntegrityTracker(this.integrityKey);
    this.readonly = readonly;
  }

  /** A prepared statement, compiled once per vault handle. */
  stmt(sql: string): Database.Statement {
    let st = this.#stmts.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.#stmts.set(sql, st);
    }
    return st;
  }

  /** Run `fn` on the open database, mapping SQLite errors to one-line errors. */
  sql<T>(fn: () => T): T {
    if (this.#closed) throw new SeeqretError('E_INTERNAL', 'the vault is closed', 'Open the vault again.');
    try {
      return fn();
    } catch (e) {
      throw sqliteError(e, this.dbPath);
    }
  }

  /**
   * Run `fn` in one immediate write transaction, then append its audit entries and update the
   * integrity records. `auditOnly` (appending audit entries and nothing else) skips defining the
   * TEMP triggers, which `get` would otherwise pay on every run; should such a write touch a
   * protected row after all, the row would have no MAC and be refused as tampered (fail-safe).
   */
  write<T>(fn: () => T, auditOnly = false): T {
    if (this.readonly) throw new SeeqretError('E_PERMISSIONS', 'the vault was opened read-only', 'Open it without readonly to change it.');
    this.onWrite();
    if (this.#depth > 0) return this.#nestedWrite(fn, auditOnly);
    this.pending = [];
    const result = this.sql(() => {
      if (!auditOnly) this.tracker.install(this.db);
      this.#depth += 1;
      try {
        return this.db
          .transaction(() => {
            this.tracker.begin();
            const r = fn();
            appendAudit(this.db, this.auditKey, this.pending);
            this.pending = [];
            // Row MACs were set by the TEMP triggers; the table aggregates follow here, in one place.
            this.tracker.commit(this.db);
            return r;
          })
          .immediate();
      } finally {
        this.#depth -= 1;
        this.pending = [];
      }
    });
    // A server vault's group reads a copy: publish it once the outer transaction committed.
    this.shared?.update();
    return result;
  }

  /**
   * A write inside another ({@link atomically}): a savepoint of the outer transaction. Its
   * audit entries and integrity changes join the outer transaction's, which appends and applies
   * them once at its end; if the savepoint rolls back, both are put back as they were before it.
   */
  #nestedWrite<T>(fn: () => T, auditOnly: boolean): T {
    if (!auditOnly) this.tracker.install(this.db);
    const pending = this.pending.length;
    const counted = this.tracker.snapshot();
    const counts = this.#counts === null ? null : new Map(this.#counts);
    try {
      return this.db.transaction(fn)();
    } catch (e) {
      this.pending.length = pending;
      this.tracker.restore(counted);
      if (counts !== null) this.#counts = counts;
      throw e;
    }
  }

  /** Queue the audit entry of one secret's change (counted instead under {@link atomically}'s `summary`). */
  queueSecretEntry(e: { action: AuditAction; target: string; detail?: unknown }): void {
    if (this.#counts !== null) this.#counts.set(e.action, (this.#counts.get(e.action) ?? 0) + 1);
    else this.pending.push(e);
  }

  /** Append entries to the log now, inside the running write (no queue). */
  appendNow(entries: readonly QueuedEntry[], at?: number): void {
    appendAudit(this.db, this.auditKey, entries, at);
  }

  /** See {@link Vault.atomically}. */
  atomically<T>(fn: () => T, opts: { summary?: AtomicSummary } = {}): T {
    const summary = opts.summary;
    if (summary === undefined || this.#counts !== null) return this.write(fn);
    return this.write(() => {
      this.#counts = new Map();
      try {
        const r = fn();
        const counted: Record<string, number> = {};
        for (const [action, n] of this.#counts) counted[SUMMARY_FIELDS[action] ?? action] = n;
        if (this.#counts.size > 0) this.pending.push({ action: summary.action, target: summary.target, detail: { ...summary.detail, ...counted } });
        return r;
      } finally {
        this.#counts = null;
      }
    });
  }

  /** The row id SQLite would give the next row of `table` (an INTEGER PRIMARY KEY: the largest + 1; O(log n)). */
  nextId(table: 'secrets' | 'shares' | 'secret_history'): number {
    return ((this.stmt(`SELECT max(id) FROM ${table}`).pluck().get() as number | null) ?? 0) + 1;
  }

  /** Decrypt one sealed value of `r` at `version` (`E_DECRYPT` when it does not authenticate). */
  decrypt(r: { app: string; env: string; key: string }, version: number, blob: Buffer): string {
    const pt = openSealed(this.keys.dataKey, blob, valueAd(r.app, r.env, r.key, version));
    if (!pt) {
      throw new SeeqretError(
        'E_DECRYPT',
        `secret ${secretLabel(r)} (version ${version}) failed authentication: the vault was modified or is damaged`,
        'Restore the vault from a backup, or set the value again with `set(…, { replace: true })`.',
        { remedy: { id: 'reset-value' } },
      );
    }
    const s = pt.toString('utf8');
    wipe(pt);
    return s;
  }

  /**
   * A current row put back whole from an older copy carries a valid MAC; if its history still
   * records that this version was replaced, it is stale (one indexed lookup). A replay that also
   * removes those history rows is found by the table aggregates (`run`, `env`, `export`, `doctor`).
   */
  checkNotStale(row: { id: number; app: string; env: string; key: string; version: number }): void {
    if (this.stmt('SELECT 1 FROM secret_history WHERE secret_id = ? AND version >= ? LIMIT 1').pluck().get(row.id, row.version) !== undefined) {
      throw tampered(`secret ${secretLabel(row)}'s current value`, `was replaced by an older one (version ${row.version}) outside seeqret`);
    }
  }

  /** See {@link Vault.checkIntegrity}. */
  checkIntegrity(tables: readonly string[]): void {
    this.sql(() => {
      checkAggregates(this.db, this.integrityKey, tables);
    });
  }

  /** See {@link Vault.integrityProblems}. */
  integrityProblems(): string[] {
    return this.sql(() => {
      const problems = integrityProblems(this.db, this.integrityKey);
      const chain = verifyAuditChain(this.db, this.auditKey);
      if (chain.problem) problems.push(chain.problem);
      return problems;
    });
  }

  /** See {@link Vault.upgradeSchema}. */
  upgradeSchema(): { applied: number[]; auditBrokenAt: number | null } {
    let auditBrokenAt: number | null = null;
    const applied = this.sql(() =>
      migrate(this.db, VERSION, SCHEMA_VERSION, (versions) => {
        if (!versions.includes(5)) return;
        authenticateAll(this.db, this.integrityKey);
        auditBrokenAt = rebuildAuditHead(this.db, this.auditKey);
      }),
    );
    return { applied, auditBrokenAt };
  }

  /** See {@link Vault.auditReads}. */
  auditReads(records: readonly SecretRecord[], how: string): void {
    if (records.length === 0 || this.readonly) return;
    // A read record is worth a WAL append, not an fsync: synchronous=NORMAL keeps the database
    // consistent on a crash and may lose only the newest records on power loss (decision 65).
    // A read that cannot be recorded fails (E_PERMISSIONS): no CLI read goes unrecorded.
    try {
      this.db.exec('PRAGMA synchronous = NORMAL; PRAGMA journal_size_limit = 0');
      this.#checkpointLongLog();
      this.write(() => {
        this.appendNow(records.map((r) => ({ action: 'secret.read' as const, target: secretLabel(r), detail: { how } })));
      }, true);
    } finally {
      this.db.pragma('synchronous = FULL');
    }
  }

  /**
   * A `get` leaves the write-ahead log behind (close's `keepConnection`), and the next process
   * replays it on open, then counts none of it as checkpointed: SQLite's own checkpoint would
   * then run on every later commit. So a read finds the log's length first (its file size: each
   * restart truncates it, `journal_size_limit = 0`) and, past {@link READ_CHECKPOINT_BYTES},
   * checkpoints it (PASSIVE: never waits for other readers) before its own write, which then
   * starts the log over.
   */
  #checkpointLongLog(): void {
    let size: number;
    try {
      size = fs.statSync(`${this.dbPath}-wal`).size;
    } catch {
      return; // no log yet
    }
    if (size > READ_CHECKPOINT_BYTES) this.db.pragma('wal_checkpoint(PASSIVE)');
  }

  /** See {@link Vault.audit}. */
  audit(entries: readonly QueuedEntry[]): void {
    // Queued like every write's own entries, so inside atomically they keep the order of the calls.
    this.write(() => void this.pending.push(...entries), true);
  }

  /** See {@link Vault.importAudit}. */
  importAudit(entries: ReadonlyArray<Omit<AuditEntry, 'id'>>): void {
    this.write(() => {
      appendAuditCopies(this.db, this.auditKey, entries);
    }, true);
  }

  /** See {@link Vault.auditLog}. */
  auditLog(q: AuditQuery = {}): AuditEntry[] {
    return this.sql(() => readAudit(this.db, q));
  }

  /** See {@link Vault.verifyAudit}. */
  verifyAudit(): AuditCheck {
    return this.sql(() => verifyAuditChain(this.db, this.auditKey));
  }

  /** See {@link Vault.compactAudit}. */
  compactAudit(sel: CompactSelection): CompactResult {
    return this.write(() => compactAudit(this.db, this.auditKey, sel), true);
  }

  /** See {@link Vault.fileTag}. */
  fileTag(purpose: string, content: Uint8Array): Buffer {
    const key = hash256(Buffer.from(`seeqret/file-tag-key/v1\0${purpose}`, 'utf8'), this.keys.dataKey);
    try {
      return mac256(key, content);
    } finally {
      wipe(key);
    }
  }

  /**
   * Close the database and wipe the keys from memory. Idempotent.
   *
   * `keepConnection` ends the session the same way (keys wiped, no further call accepted) but
   * leaves SQLite's connection open, for a process that ends right after with `process.exit`
   * (which skips better-sqlite3's clean-up hook): closing the last connection checkpoints the
   * write-ahead log into the database and deletes it — two fsyncs, then a new log whose header
   * is synced again on the next write. Left open, the log keeps what was committed and the next
   * connection reads it (decision 65). Should the process end normally instead, the hook closes
   * the connection as {@link close} would have.
   */
  close(opts: { keepConnection?: boolean } = {}): void {
    if (this.#closed) return;
    this.#closed = true;
    this.onClose();
    try {
      // A server vault publishes changes made through the database handle (migrations) too.
      this.shared?.update();
    } finally {
      try {
        if (opts.keepConnection === true) keptOpen.push(this.db);
        else this.db.close();
      } finally {
        wipe(this.keys.dataKey);
        wipe(this.keys.identity.secretKey);
        wipe(this.auditKey);
        wipe(this.integrityKey);
      }
    }
  }
}
