/**
 * The PostgreSQL backend of the relay storage (`pg`): several relay processes can serve one
 * database, since no state is kept in the process. Transactions take a transaction-scoped
 * advisory lock where they must be serialised (migrations, creating the space, joining).
 *
 * @module
 */
import pg from 'pg';
import { NOTIFY_CHANNEL as CHANNEL, type Row, type SqlDriver, SqlRelayStorage } from './sql.js';

/** `?` placeholders to PostgreSQL's `$1, $2, …` (the relay's statements have no `?` in literals). */
function numbered(sql: string): string {
  let i = 0;
  return sql.replace(/\?/g, () => `$${++i}`);
}

/** The advisory lock key of the relay's serialised transactions. */
const LOCK_KEY = 0x5eec7e7;

interface Queryable {
  query(q: { name?: string; text: string; values?: unknown[] }): Promise<{ rows: Row[]; rowCount: number | null }>;
}

/** Statements that may be prepared once per connection: reads and writes of rows, not schema changes. */
const PREPARABLE = /^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b/i;

/** What the drivers of one pool share: prepared statement names and the statement count. */
interface Shared {
  readonly names: Map<string, string>;
  count: number;
}

class PostgresDriver implements SqlDriver {
  readonly kind = 'postgres' as const;

  constructor(
    private readonly pool: pg.Pool,
    private readonly url: string,
    private readonly shared: Shared = { names: new Map(), count: 0 },
    private readonly client?: Queryable,
  ) {}

  get statements(): number {
    return this.shared.count;
  }

  /**
   * Run one statement. Row statements are named, so each connection parses and plans them once
   * (`pg` prepares a named statement on its first use per connection) and then only binds.
   */
  private query(sql: string, params: readonly unknown[]): Promise<{ rows: Row[]; rowCount: number | null }> {
    this.shared.count += 1;
    const text = numbered(sql);
    let name: string | undefined;
    if (PREPARABLE.test(text)) {
      name = this.shared.names.get(text);
      if (name === undefined) {
        name = `seeqret_relay_${this.shared.names.size + 1}`;
        this.shared.names.set(text, name);
      }
    }
    return (this.client ?? this.pool).query({ ...(name ? { name } : {}), text, values: [...params] });
  }

  async all(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    return (await this.query(sql, params)).rows;
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    return (await this.query(sql, params)).rowCount ?? 0;
  }

  async tx<T>(fn: (d: SqlDriver) => Promise<T>): Promise<T> {
    if (this.client) return fn(this);
    const client = await this.pool.connect();
    try {
      this.shared.count += 1;
      await client.query('BEGIN');
      const r = await fn(new PostgresDriver(this.pool, this.url, this.shared, client));
      this.shared.count += 1;
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

  async announce(d: SqlDriver, recipient: string): Promise<void> {
    // Delivered to every listening session when the transaction commits; never on rollback.
    await d.run(`SELECT pg_notify('${CHANNEL}', ?)`, [recipient]);
  }

  /**
   * One dedicated connection per process runs `LISTEN`. When it is lost (a restarted server),
   * it reconnects with backoff and then wakes everyone (`'*'`): notifications sent meanwhile
   * were lost, and waiters re-read the envelopes.
   */
  async subscribe(listener: (recipient: string) => void): Promise<() => Promise<void>> {
    let stopped = false;
    let current: pg.Client | undefined;
    let timer: NodeJS.Timeout | undefined;
    const again = (attempt: number): void => {
      if (stopped) return;
      timer = setTimeout(() => void connect(attempt), Math.min(5000, 100 * 2 ** attempt));
    };
    const connect = async (attempt: number): Promise<void> => {
      const c = new pg.Client({ connectionString: this.url });
      c.on('error', () => undefined); // 'end' follows and reconnects
      c.on('notification', (n) => {
        if (n.channel === CHANNEL && n.payload) listener(n.payload);
      });
      try {
        await c.connect();
        await c.query(`LISTEN ${CHANNEL}`);
      } catch {
        await c.end().catch(() => undefined);
        again(attempt + 1);
        return;
      }
      if (stopped) {
        await c.end().catch(() => undefined);
        return;
      }
      current = c;
      c.on('end', () => {
        current = undefined;
        again(1); // wakes everyone once listening again
      });
      if (attempt > 0) listener('*');
    };
    await connect(0);
    return async () => {
      stopped = true;
      clearTimeout(timer);
      const c = current;
      current = undefined;
      c?.removeAllListeners('end');
      await c?.end().catch(() => undefined);
    };
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
  return new SqlRelayStorage(new PostgresDriver(pool, url));
}
