/**
 * The relay storage over SQL: one implementation of {@link RelayStorage} for both dialects, on a
 * small driver interface that the PostgreSQL and SQLite backends provide. Statements use `?`
 * placeholders (the PostgreSQL driver numbers them) and only SQL both dialects accept.
 *
 * @module
 */
import { SeeqretError } from '../../errors.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';
import type { EnvelopeRow, InvitationRow, JoinOutcome, LogRow, MemberRow, RelayStorage } from './types.js';

/** A row as the driver returns it (column name to value). */
export type Row = Record<string, unknown>;

/** What a backend gives the SQL layer. */
export interface SqlDriver {
  readonly kind: 'postgres' | 'sqlite';
  all(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Run a statement; the number of rows it changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  /** Run `fn` in one transaction (serialised against other writers); rolled back when it throws. */
  tx<T>(fn: (d: SqlDriver) => Promise<T>): Promise<T>;
  /** Take the lock that serialises migrations and space creation (inside a transaction). */
  lock(d: SqlDriver): Promise<void>;
  isUniqueViolation(e: unknown): boolean;
  /**
   * Wake the waiters of `recipient` in every relay process once this transaction commits
   * (PostgreSQL `NOTIFY`, an in-process event for SQLite).
   */
  announce(d: SqlDriver, recipient: string): Promise<void>;
  /** Listen to every announcement; see {@link RelayStorage.subscribe}. */
  subscribe(listener: (recipient: string) => void): Promise<() => Promise<void>>;
  /** Statements sent to the database so far (transaction control included). */
  readonly statements: number;
  close(): Promise<void>;
}

const num = (v: unknown): number => Number(v);

/** Columns that hold times or sequence numbers (PostgreSQL gives BIGINT as text). */
const NUMERIC = new Set(['seq', 'at', 'joined_at', 'removed_at', 'created_at', 'expires_at', 'used_at', 'delivered_at']);

/** A row with camelCase names, numbers as numbers, bytes as a Buffer and NULL as null. */
function camel(r: Row): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) {
    const name = k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
    o[name] = v === null || v === undefined ? null : NUMERIC.has(k) ? Number(v) : v instanceof Uint8Array ? Buffer.from(v) : v;
  }
  return o;
}

const member = (r: Row): MemberRow => camel(r) as unknown as MemberRow;
const invitation = (r: Row): InvitationRow => camel(r) as unknown as InvitationRow;
const envelope = (r: Row): EnvelopeRow => camel(r) as unknown as EnvelopeRow;
const logRow = (r: Row): LogRow => camel(r) as unknown as LogRow;

/** The columns of a member row (named, so that a later migration adding columns does not change a prepared statement's result). */
const MEMBER_COLUMNS = 'key_id, username, box_key, sign_key, record, signature, role, joined_at, removed_at';
/** The columns of an envelope row. */
const ENVELOPE_COLUMNS = 'seq, id, sender, recipient, created_at, delivered_at, body, bundle_id';
/** The `LISTEN/NOTIFY` channel of new envelopes on PostgreSQL (the payload is the recipient's key id). */
export const NOTIFY_CHANNEL = 'seeqret_relay_envelopes';

/** An envelope to store (see {@link RelayStorage.putEnvelopes}). */
type NewEnvelope = Parameters<RelayStorage['putEnvelopes']>[0][number];

const appendLog = (d: SqlDriver, at: number, event: LogRow['event'], actor: string, subject: string | null, envelopeId: string | null): Promise<number> =>
  d.run('INSERT INTO log (at, event, actor, subject, envelope_id) VALUES (?, ?, ?, ?, ?)', [at, event, actor, subject, envelopeId]);

/** The tables {@link SqlRelayStorage.dump} reads, in order. */
export const RELAY_TABLES = ['schema_migrations', 'relay_config', 'members', 'invitations', 'envelopes', 'log', 'nonces'] as const;

/** {@link RelayStorage} on a {@link SqlDriver}. */
export class SqlRelayStorage implements RelayStorage {
  private purgedAt = 0;

  constructor(private readonly d: SqlDriver) {}

  get kind(): 'postgres' | 'sqlite' {
    return this.d.kind;
  }

  async migrate(): Promise<number> {
    return this.d.tx(async (t) => {
      await this.d.lock(t);
      await t.run('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
      const done = new Set((await t.all('SELECT version FROM schema_migrations')).map((r) => num(r['version'])));
      const newest = Math.max(0, ...done);
      const known = SCHEMA_VERSION;
      if (newest > known) {
        throw new SeeqretError('E_SCHEMA_NEWER', `the relay database has schema version ${newest}; this seeqret knows up to ${known}`, 'Run a newer seeqret relay on it.');
      }
      for (const m of MIGRATIONS) {
        if (done.has(m.version)) continue;
        for (const s of m[this.d.kind]) await t.run(s);
        await t.run('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', [m.version, Date.now()]);
      }
      return known;
    });
  }

  async relayKey(make: () => { publicKey: string; secretKey: string }): Promise<{ publicKey: string; secretKey: string }> {
    const read = async (): Promise<{ publicKey: string; secretKey: string } | undefined> => {
      const rows = await this.d.all("SELECT name, value FROM relay_config WHERE name IN ('public_key', 'secret_key')");
      const get = (n: string): string | undefined => rows.find((r) => r['name'] === n)?.['value'] as string | undefined;
      const publicKey = get('public_key');
      const secretKey = get('secret_key');
      return publicKey && secretKey ? { publicKey, secretKey } : undefined;
    };
    const have = await read();
    if (have) return have;
    const made = make();
    await this.d.tx(async (t) => {
      await this.d.lock(t);
      if ((await t.all("SELECT name FROM relay_config WHERE name = 'public_key'")).length > 0) return; // another process made it first
      await t.run("INSERT INTO relay_config (name, value) VALUES ('public_key', ?)", [made.publicKey]);
      await t.run("INSERT INTO relay_config (name, value) VALUES ('secret_key', ?)", [made.secretKey]);
    });
    const key = await read();
    if (!key) throw new SeeqretError('E_RELAY_STORAGE', 'the relay database holds only half of the relay key', 'Restore the relay database from a backup.');
    return key;
  }

  async join(m: Omit<MemberRow, 'role' | 'removedAt'>, invitationId: string | null, at: number): Promise<JoinOutcome> {
    return this.d.tx(async (t) => {
      await this.d.lock(t);
      if ((await t.all('SELECT key_id FROM members WHERE key_id = ? OR box_key = ? OR sign_key = ?', [m.keyId, m.boxKey, m.signKey])).length > 0) return 'exists';
      let role: MemberRow['role'] = 'member';
      if (invitationId === null) {
        if ((await t.all('SELECT key_id FROM members LIMIT 1')).length > 0) return 'not-empty';
        role = 'creator';
      } else {
        const rows = await t.all('SELECT * FROM invitations WHERE id = ?', [invitationId]);
        if (rows.length === 0) return 'invitation-unknown';
        const inv = invitation(rows[0] as Row);
        if (inv.usedAt !== null) return 'invitation-used';
        if (inv.expiresAt < at) return 'invitation-expired';
        if (inv.boxKey !== m.boxKey) return 'invitation-mismatch';
        await t.run('UPDATE invitations SET used_at = ?, used_by = ? WHERE id = ?', [at, m.keyId, invitationId]);
      }
      await t.run('INSERT INTO members (key_id, username, box_key, sign_key, record, signature, role, joined_at, removed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)', [
        m.keyId,
        m.username,
        m.boxKey,
        m.signKey,
        m.record,
        m.signature,
        role,
        at,
      ]);
      await appendLog(t, at, role === 'creator' ? 'created' : 'joined', m.keyId, invitationId, null);
      return role === 'creator' ? 'created' : 'joined';
    });
  }

  async member(keyId: string): Promise<MemberRow | undefined> {
    const rows = await this.d.all(`SELECT ${MEMBER_COLUMNS} FROM members WHERE key_id = ?`, [keyId]);
    return rows[0] ? member(rows[0]) : undefined;
  }

  async membersByKey(keyIds: readonly string[]): Promise<MemberRow[]> {
    const ids = [...new Set(keyIds)];
    if (ids.length === 0) return [];
    if (ids.length === 1) return (await this.d.all(`SELECT ${MEMBER_COLUMNS} FROM members WHERE key_id = ?`, ids)).map(member);
    if (this.d.kind === 'postgres') return (await this.d.all(`SELECT ${MEMBER_COLUMNS} FROM members WHERE key_id = ANY(?::text[])`, [ids])).map(member);
    return (await this.d.all(`SELECT ${MEMBER_COLUMNS} FROM members WHERE key_id IN (${ids.map(() => '?').join(', ')})`, ids)).map(member);
  }

  get statements(): number {
    return this.d.statements;
  }

  async members(): Promise<MemberRow[]> {
    return (await this.d.all('SELECT * FROM members ORDER BY joined_at, key_id')).map(member);
  }

  async removeMember(keyId: string, by: string, at: number): Promise<boolean> {
    return this.d.tx(async (t) => {
      const n = await t.run('UPDATE members SET removed_at = ? WHERE key_id = ? AND removed_at IS NULL', [at, keyId]);
      if (n === 0) return false;
      await appendLog(t, at, 'removed', by, keyId, null);
      return true;
    });
  }

  async addInvitation(inv: Omit<InvitationRow, 'usedAt' | 'usedBy'>): Promise<void> {
    await this.d.tx(async (t) => {
      await t.run('INSERT INTO invitations (id, box_key, username, created_by, created_at, expires_at, body, signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
        inv.id,
        inv.boxKey,
        inv.username,
        inv.createdBy,
        inv.createdAt,
        inv.expiresAt,
        inv.body,
        inv.signature,
      ]);
      await appendLog(t, inv.createdAt, 'invited', inv.createdBy, inv.id, null);
    });
  }

  async invitation(id: string): Promise<InvitationRow | undefined> {
    const rows = await this.d.all('SELECT * FROM invitations WHERE id = ?', [id]);
    return rows[0] ? invitation(rows[0]) : undefined;
  }

  async putEnvelope(e: NewEnvelope): Promise<{ stored: boolean; id: string }> {
    const [r] = await this.putEnvelopes([e]);
    if (!r) throw new SeeqretError('E_RELAY_STORAGE', 'the relay database did not answer for an envelope', 'Retry.');
    return r;
  }

  async putEnvelopes(list: readonly NewEnvelope[]): Promise<{ stored: boolean; id: string }[]> {
    if (list.length === 0) return [];
    const stored = new Map<string, string>(); // our id -> stored (the same id)
    if (this.d.kind === 'postgres') {
      // One statement (atomic on its own): insert what is new, log it, announce it at commit. The
      // bodies go as ONE binary parameter, each row its slice of it: a bytea[] parameter is sent
      // as text, every body written in hex and parsed back by the server (a push of 1,000
      // secrets to 10 people uploads ~1.3 MB of envelopes).
      const all = Buffer.concat(list.map((e) => e.body));
      const starts: number[] = [];
      let at = 1;
      for (const e of list) {
        starts.push(at);
        at += e.body.length;
      }
      const rows = await this.d.all(
        `WITH input AS (SELECT t.id, t.sender, t.recipient, t.created_at, substring(?::bytea FROM t.start FOR t.len) AS body, t.bundle_id
                        FROM unnest(?::text[], ?::text[], ?::text[], ?::bigint[], ?::int[], ?::int[], ?::text[]) AS t (id, sender, recipient, created_at, start, len, bundle_id)),
         e AS (INSERT INTO envelopes (id, sender, recipient, created_at, delivered_at, body, bundle_id)
               SELECT id, sender, recipient, created_at, NULL, body, bundle_id FROM input
               ON CONFLICT (sender, bundle_id) DO NOTHING RETURNING seq, id, sender, recipient, created_at),
         l AS (INSERT INTO log (at, event, actor, subject, envelope_id) SELECT created_at, 'sent', sender, recipient, id FROM e ORDER BY seq)
         SELECT id, pg_notify('${NOTIFY_CHANNEL}', recipient) FROM e`,
        [all, list.map((e) => e.id), list.map((e) => e.sender), list.map((e) => e.recipient), list.map((e) => e.createdAt), starts, list.map((e) => e.body.length), list.map((e) => e.bundleId ?? null)],
      );
      for (const r of rows) stored.set(String(r['id']), String(r['id']));
    } else {
      await this.d.tx(async (t) => {
        for (const e of list) {
          const n = await t.run('INSERT INTO envelopes (id, sender, recipient, created_at, delivered_at, body, bundle_id) VALUES (?, ?, ?, ?, NULL, ?, ?) ON CONFLICT (sender, bundle_id) DO NOTHING', [
            e.id,
            e.sender,
            e.recipient,
            e.createdAt,
            e.body,
            e.bundleId ?? null,
          ]);
          if (n === 0) continue;
          await appendLog(t, e.createdAt, 'sent', e.sender, e.recipient, e.id);
          await this.d.announce(t, e.recipient);
          stored.set(e.id, e.id);
        }
      });
    }
    // Those not stored were uploaded before (the same sender's bundle): name the envelope stored first.
    const again = list.filter((e) => !stored.has(e.id));
    const before = new Map<string, string>();
    for (const e of again) {
      if (e.bundleId === undefined) continue;
      const row = (await this.d.all('SELECT id FROM envelopes WHERE sender = ? AND bundle_id = ?', [e.sender, e.bundleId]))[0];
      if (row) before.set(e.id, String(row['id']));
    }
    return list.map((e) => {
      const id = stored.get(e.id) ?? before.get(e.id);
      if (id === undefined) throw new SeeqretError('E_RELAY_STORAGE', 'an envelope was neither stored nor found', 'Retry.');
      return { stored: stored.has(e.id), id };
    });
  }

  subscribe(listener: (recipient: string) => void): Promise<() => Promise<void>> {
    return this.d.subscribe(listener);
  }

  async pending(recipient: string, limit: number, after?: string): Promise<EnvelopeRow[]> {
    if (after === undefined) {
      return (await this.d.all(`SELECT ${ENVELOPE_COLUMNS} FROM envelopes WHERE recipient = ? AND delivered_at IS NULL ORDER BY seq LIMIT ?`, [recipient, limit])).map(envelope);
    }
    // After one of the recipient's own envelopes (an id of another's finds nothing).
    return (
      await this.d.all(
        `SELECT ${ENVELOPE_COLUMNS} FROM envelopes WHERE recipient = ? AND delivered_at IS NULL AND seq > (SELECT seq FROM envelopes WHERE id = ? AND recipient = ?) ORDER BY seq LIMIT ?`,
        [recipient, after, recipient, limit],
      )
    ).map(envelope);
  }

  async ack(recipient: string, id: string, at: number): Promise<boolean> {
    return (await this.ackMany(recipient, [id], at, 'delivered')).length === 1;
  }

  async ackMany(recipient: string, ids: readonly string[], at: number, event: 'delivered' | 'rejected'): Promise<string[]> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return [];
    if (this.d.kind === 'postgres') {
      // One statement: mark delivered, drop the bodies, log each (in the order they were stored).
      const rows = await this.d.all(
        `WITH u AS (UPDATE envelopes SET delivered_at = ?, body = NULL WHERE recipient = ? AND delivered_at IS NULL AND id = ANY(?::text[]) RETURNING seq, id),
         l AS (INSERT INTO log (at, event, actor, subject, envelope_id) SELECT ?, ?, ?, NULL, id FROM u ORDER BY seq)
         SELECT id FROM u ORDER BY seq`,
        [at, recipient, unique, at, event, recipient],
      );
      return rows.map((r) => String(r['id']));
    }
    return this.d.tx(async (t) => {
      const done: string[] = [];
      for (const id of unique) {
        const n = await t.run('UPDATE envelopes SET delivered_at = ?, body = NULL WHERE id = ? AND recipient = ? AND delivered_at IS NULL', [at, id, recipient]);
        if (n === 0) continue;
        await appendLog(t, at, event, recipient, null, id);
        done.push(id);
      }
      return done;
    });
  }

  async useNonce(keyId: string, nonce: string, at: number, expiresAt: number): Promise<boolean> {
    try {
      await this.d.run('INSERT INTO nonces (key_id, nonce, expires_at) VALUES (?, ?, ?)', [keyId, nonce, expiresAt]);
    } catch (e) {
      if (this.d.isUniqueViolation(e)) return false;
      throw e;
    }
    // Expired nonces are forgotten at most once a minute per process: one write per request, not two.
    if (at - this.purgedAt >= 60_000) {
      this.purgedAt = at;
      await this.d.run('DELETE FROM nonces WHERE expires_at < ?', [at]);
    }
    return true;
  }

  async log(): Promise<LogRow[]> {
    return (await this.d.all('SELECT * FROM log ORDER BY seq')).map(logRow);
  }

  async dump(): Promise<Record<string, Record<string, unknown>[]>> {
    const out: Record<string, Record<string, unknown>[]> = {};
    for (const t of RELAY_TABLES) out[t] = await this.d.all(`SELECT * FROM ${t}`);
    return out;
  }

  close(): Promise<void> {
    return this.d.close();
  }
}
