/**
 * The PostgreSQL backend of the relay storage (`pg`): several relay processes can serve one
 * database, since no state is kept in the process. Transactions take a transaction-scoped
 * advisory lock where they must be serialised (migrations, creating the space, joining).
 *
 * @module
 */
import pg from 'pg';
import { type Row, type SqlDriver, SqlRelayStorage } from './sql.js';

/** `?` placeholders to PostgreSQL's `$1, $2, …` (the relay's statements have no `?` in literals). */
function numbered(sql: string): string {
  let i = 0;
  return sql.replace(/\?/g, () => `$${++i}`);
}

/** The advisory lock key of the relay's serialised transactions. */
const LOCK_KEY = 0x5eec7e7;

interface Queryable {
  query(sql: string, params?: unknown[]): Promise<{ rows: Row[]; rowCount: number | null }>;
}

class PostgresDriver implements SqlDriver {
  readonly kind = 'postgres' as const;

  constructor(
    private readonly pool: pg.Pool,
    private readonly client?: Queryable,
  ) {}

  private get q(): Queryable {
    return this.client ?? this.pool;
  }

  async all(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    return (await this.q.query(numbered(sql), [...params])).rows;
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    return (await this.q.query(numbered(sql), [...params])).rowCount ?? 0;
  }

  async tx<T>(fn: (d: SqlDriver) => Promise<T>): Promise<T> {
    if (this.client) return fn(this);
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const r = await fn(new PostgresDriver(this.pool, client));
      await client.query('COMMIT');
      return r;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  async lock(d: SqlDriver): Promise<void> {
    await d.run(`SELECT pg_advisory_xact_lock(${LOCK_KEY})`);
  }

  isUniqueViolation(e: unknown): boolean {
    return (e as { code?: unknown } | null)?.code === '23505';
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** Connect to a PostgreSQL relay database (`postgres://…`); the caller runs `migrate()`. */
export function openPostgresRelayStorage(url: string): SqlRelayStorage {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle client that loses its connection (a restarted server) must not crash the relay.
  pool.on('error', () => undefined);
  return new SqlRelayStorage(new PostgresDriver(pool));
}
