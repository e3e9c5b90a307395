/**
 * The SQLite backend of the relay storage (better-sqlite3): one file, one machine. Statements
 * are synchronous underneath; every operation is queued (one queue per file in this process) so that
 * a transaction never interleaves with another request's statements, and a second connection to
 * the same file never waits synchronously for a lock this process holds. Other processes wait
 * for the lock (busy timeout).
 *
 * @module
 */
import path from 'node:path';
import { type Database, openDatabase } from '../../vault/sqlite.js';
import { type Row, type SqlDriver, SqlRelayStorage } from './sql.js';

/** The operation queue of each database file opened in this process. */
const queues = new Map<string, Promise<unknown>>();
/** Who listens to each database file's new envelopes (one process serves a SQLite relay). */
const listeners = new Map<string, Set<(recipient: string) => void>>();

class SqliteDriver implements SqlDriver {
  readonly kind = 'sqlite' as const;

  constructor(
    private readonly db: Database.Database,
    private readonly file: string,
    private readonly inTx = false,
    private readonly shared: { count: number } = { count: 0 },
  ) {}

  get statements(): number {
    return this.shared.count;
  }

  private serial<T>(fn: () => T | Promise<T>): Promise<T> {
    if (this.inTx) {
      // Called at once, as an async function would be: a throw becomes a rejection.
      return new Promise<T>((resolve) => {
        resolve(fn());
      });
    }
    const next = (queues.get(this.file) ?? Promise.resolve()).then(fn, fn);
    queues.set(this.file, next.catch(() => undefined));
    return next;
  }

  all(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    this.shared.count += 1;
    return this.serial(() => this.db.prepare(sql).all(...params) as Row[]);
  }

  run(sql: string, params: readonly unknown[] = []): Promise<number> {
    this.shared.count += 1;
    return this.serial(() => this.db.prepare(sql).run(...params).changes);
  }

  tx<T>(fn: (d: SqlDriver) => Promise<T>): Promise<T> {
    return this.serial(async () => {
      this.shared.count += 2;
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const r = await fn(new SqliteDriver(this.db, this.file, true, this.shared));
        this.db.exec('COMMIT');
        return r;
      } catch (e) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw e;
      }
    });
  }

  async lock(): Promise<void> {
    // BEGIN IMMEDIATE already holds the database's write lock.
  }

  isUniqueViolation(e: unknown): boolean {
    const code = (e as { code?: unknown } | null)?.code;
    return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
  }

  announce(_d: SqlDriver, recipient: string): Promise<void> {
    // Called inside the transaction: the listeners' reads queue behind it, so they see it
    // committed (or, rolled back, nothing: a spurious wake-up).
    for (const l of listeners.get(this.file) ?? []) setImmediate(l, recipient);
    return Promise.resolve();
  }

  subscribe(listener: (recipient: string) => void): Promise<() => Promise<void>> {
    const set = listeners.get(this.file) ?? new Set();
    set.add(listener);
    listeners.set(this.file, set);
    return Promise.resolve(() => {
      set.delete(listener);
      if (set.size === 0) listeners.delete(this.file);
      return Promise.resolve();
    });
  }

  async close(): Promise<void> {
    await this.serial(() => {
      this.db.close();
    });
  }
}

/** Open (creating when missing) a relay database file; the caller runs `migrate()`. */
export function openSqliteRelayStorage(file: string): SqlRelayStorage {
  const db = openDatabase(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  return new SqlRelayStorage(new SqliteDriver(db, path.resolve(file)));
}
