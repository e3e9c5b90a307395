/**
 * Reading secrets: names and metadata (listing, filtering, lookup) and authenticated values.
 *
 * A value is decrypted only when asked for, and the row it comes from is authenticated first: an
 * older ciphertext put back with its older version, or a name marked accepted outside seeqret, is
 * `E_TAMPERED`, never a value.
 *
 * @module
 */
import { SeeqretError } from '../errors.js';
import { type Filter, matchesFilter, parseFilter } from '../filter/index.js';
import { verifyRow } from './integrity.js';
import { HISTORY_T, LISTING_COLS, LIST_SECRETS, SECRETS_T, SECRET_COLS, type SecretRow, macCols, recordOf, secretLabel } from './rows.js';
import type { VaultSession } from './session.js';
import type { HistoryEntry, SecretRecord } from './types.js';

/** The filter matching every secret. */
const ALL = parseFilter('*:*:*');

/** The secrets of one open vault, read side. */
export class SecretStore {
  readonly #s: VaultSession;

  constructor(session: VaultSession) {
    this.#s = session;
  }

  /** Number of secrets in the vault. */
  count(): number {
    return this.#s.sql(() => this.#s.stmt('SELECT count(*) FROM secrets').pluck().get() as number);
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
    this.#s.sql(() => {
      if (literal && keys.size > 0 && keys.size <= 500) {
        const marks = Array.from(keys, () => '?').join(',');
        for (const row of this.#s.db.prepare(`SELECT ${LISTING_COLS} FROM secrets WHERE key IN (${marks}) ORDER BY app, env, key`).raw().iterate(...keys)) take(row as unknown[]);
      } else {
        for (const row of this.#s.stmt(`SELECT ${LISTING_COLS} FROM secrets ORDER BY app, env, key`).raw().iterate()) take(row as unknown[]);
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
    const r = this.#s.sql(() => this.#s.stmt(`SELECT ${SECRET_COLS} FROM secrets WHERE app = ? AND env = ? AND key = ?`).get(app, env, key)) as (Omit<SecretRecord, 'pending'> & { pending: number }) | undefined;
    return r ? { ...r, pending: r.pending === 1 } : undefined;
  }

  /** Decrypt the current value of a secret. */
  reveal(r: SecretRecord): string {
    const row = this.#s.sql(() => this.#s.stmt(`SELECT ${macCols('secrets')} FROM secrets WHERE id = ?`).get(r.id)) as SecretRow | undefined;
    const value = this.#open(r, row);
    if (row) this.#s.checkNotStale(row);
    return value;
  }

  /**
   * Decrypt the current values of `records`, in their order, with the checks of {@link reveal}:
   * one statement per 500 records reads the rows and whether an older version came back, instead
   * of two statements per record.
   */
  revealMany(records: readonly SecretRecord[]): string[] {
    const rows = new Map<number, SecretRow & { stale: number }>();
    this.#s.sql(() => {
      for (let i = 0; i < records.length; i += 500) {
        const ids = records.slice(i, i + 500).map((r) => r.id);
        const sql =
          `SELECT ${macCols('secrets')}, EXISTS (SELECT 1 FROM secret_history h WHERE h.secret_id = secrets.id AND h.version >= secrets.version) AS stale ` +
          `FROM secrets WHERE id IN (${ids.map(() => '?').join(',')})`;
        for (const row of this.#s.db.prepare(sql).all(...ids) as Array<SecretRow & { stale: number }>) rows.set(row.id, row);
      }
    });
    return records.map((r) => {
      const row = rows.get(r.id);
      const value = this.#open(r, row);
      if (row?.stale === 1) this.#s.checkNotStale(row);
      return value;
    });
  }

  /** Open the value of `row` (the current row of `r`, if any) after authenticating it. */
  #open(r: SecretRecord, row: SecretRow | undefined): string {
    if (!row) throw new SeeqretError('E_NOT_FOUND', `secret ${secretLabel(r)} no longer exists`, LIST_SECRETS.fix, LIST_SECRETS.options);
    // The row it decrypts is authenticated (O(1)): an older ciphertext put back with its older
    // version, or a name marked accepted outside seeqret, is E_TAMPERED, never a value.
    // A ciphertext that does not open is E_DECRYPT (damaged, or moved between rows) before E_TAMPERED.
    const value = this.#s.decrypt(r, row.version, row.value);
    verifyRow(this.#s.integrityKey, SECRETS_T, row as unknown as Record<string, unknown>);
    // The row is authentic (its MAC holds); a different name means another seeqret process
    // removed this secret since `r` was read, and a different acceptance that it was accepted or
    // marked pending meanwhile: neither is tampering.
    if (row.app !== r.app || row.env !== r.env || row.key !== r.key) throw new SeeqretError('E_NOT_FOUND', `secret ${secretLabel(r)} no longer exists`, LIST_SECRETS.fix, LIST_SECRETS.options);
    return value;
  }

  /** Versions of a secret, newest first (the current one has `replacedAt: null`). */
  history(r: SecretRecord): HistoryEntry[] {
    const old = this.#s.sql(() =>
      this.#s.stmt('SELECT version, type, set_at AS setAt, replaced_at AS replacedAt FROM secret_history WHERE secret_id = ? ORDER BY version DESC').all(r.id),
    ) as HistoryEntry[];
    return [{ version: r.version, type: r.type, setAt: r.updatedAt, replacedAt: null }, ...old];
  }

  /** Decrypt one version of a secret's value (current or historical). */
  revealVersion(r: SecretRecord, version: number): string {
    if (version === r.version) return this.reveal(r);
    const row = this.#s.sql(() => this.#s.stmt(`SELECT ${macCols('secret_history')} FROM secret_history WHERE secret_id = ? AND version = ?`).get(r.id, version)) as
      | (Record<string, unknown> & { value: Buffer })
      | undefined;
    if (!row) throw new SeeqretError('E_NOT_FOUND', `secret ${secretLabel(r)} has no version ${version}`, 'Call `history` to see the versions.', { remedy: { id: 'list-versions' } });
    const value = this.#s.decrypt(r, version, row.value);
    verifyRow(this.#s.integrityKey, HISTORY_T, row, { ...row, label: secretLabel(r) });
    return value;
  }

  /** Secrets marked exposed (a user who had their current value was removed). */
  exposed(): SecretRecord[] {
    return this.all().filter((s) => s.exposedAt !== null);
  }

  /** Names received from someone else and not accepted yet, with where each came from. */
  pendingNames(): Array<SecretRecord & { origin: string | null }> {
    const rows = this.#s.sql(() => this.#s.stmt(`SELECT ${macCols('secrets')} FROM secrets WHERE pending = 1 ORDER BY app, env, key`).all()) as SecretRow[];
    return rows.map((r) => ({ ...recordOf(r), origin: r.origin }));
  }
}
