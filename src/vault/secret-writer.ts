/**
 * Writing secrets: add, replace, bulk import, accept, rename an environment, remove.
 *
 * Every value is sealed with XChaCha20-Poly1305 under the vault data key, with associated data
 * `seeqret/value/v1 \0 app \0 env \0 key \0 version`, so a ciphertext moved to another row (or an
 * old version moved back into place) fails to decrypt. Names are stored in plaintext so they can be
 * listed and filtered without unlocking anything.
 *
 * @module
 */
import { seal, wipe } from '../crypto/index.js';
import { SeeqretError } from '../errors.js';
import { checkName, isWellFormed } from './names.js';
import { type Acceptance, HISTORY_T, type PutInput, SECRETS_T, SECRET_COLS, SHARES_T, secretLabel, validateSecret, valueAd } from './rows.js';
import type { VaultSession } from './session.js';
import type { ImportSummary, SecretInput, SecretRecord, WriteOutcome } from './types.js';

/** Thrown inside a dry run's transaction to roll it back; caught right outside it. */
class DryRunRollback extends Error {}
const DRY_RUN = new DryRunRollback('dry run');

/** Options of {@link SecretWriter.setMany} (see {@link Vault.setMany}). */
export interface SetManyOptions {
  update?: boolean;
  dryRun?: boolean;
  keepNewer?: boolean;
  load?: { bundleId?: string; sender: string; senderPubkey: string; format: string };
  /** Where the names came from when someone else chose them (`load from bob`, `team pull`, `ss import`): new names start pending. */
  received?: string;
  /** With `received`: the person accepted the new names beforehand (`--accept`), so they are added accepted (audited `secret.accept`) in the same transaction. */
  acceptReceived?: boolean;
  /** Filled with the records of the names this write added, once it committed (so a caller needs not read them back). */
  added?: SecretRecord[];
}

/** Row ids a bulk write hands out itself: each table's largest id + 1, read once per write, then counted up. */
type RowIds = Partial<Record<'secrets' | 'shares' | 'secret_history', number>>;

/** A secrets row as {@link SecretWriter} reads it before writing it (every column its MAC covers but the names, and the MAC). */
interface CurrentRow {
  readonly id: number;
  readonly value: Buffer;
  readonly type: string;
  readonly version: number;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly exposedAt: number | null;
  readonly exposedBy: string | null;
  readonly pending: number;
  readonly origin: string | null;
  readonly mac: Buffer;
}

/** The columns of {@link CurrentRow}, as {@link SecretWriter} reads them. */
const CURRENT_COLS = 'id, value, type, version, created_at AS createdAt, updated_at AS updatedAt, exposed_at AS exposedAt, exposed_by AS exposedBy, pending, origin, mac';

/**
 * The current rows of many names, read before a bulk write in one statement per app and
 * environment (decision 88): label → row, or `null` for a name that has no row. A write takes its
 * name's entry out, so a name written twice in one batch is read again, as it is after the first
 * write.
 */
type Prefetched = Map<string, CurrentRow | null>;

/** Bulk writes of at least this many names read their current rows in one statement per app and environment. */
const PREFETCH_FROM = 16;

/**
 * How {@link SecretWriter.setMany} replaces values (decision 81): the old row checked from the
 * row just read and the new MAC counted by {@link IntegrityTracker.replaceMany}, the old values'
 * history rows inserted in one batch at the end ({@link IntegrityTracker.insertMany}).
 */
interface Bulk {
  readonly replace: (old: readonly unknown[], oldMac: unknown, next: readonly unknown[]) => Buffer;
  readonly history: unknown[][];
}

/** What one write did to a secret. */
interface Put {
  readonly outcome: WriteOutcome;
  /** The secret's version after the write (its current one when nothing was written). */
  readonly version: number;
  /** The record of a secret this write added. */
  readonly added?: SecretRecord;
}

/** The secrets of one open vault, write side. */
export class SecretWriter {
  readonly #s: VaultSession;

  constructor(session: VaultSession) {
    this.#s = session;
  }

  /** Write one validated secret inside the running write transaction (see {@link Vault.set} for the outcomes). */
  put(v: PutInput, ifExists: 'error' | 'replace' | 'skip', now: number, keepNewer = false, acceptance: Acceptance = 'own'): WriteOutcome {
    return this.#put(v, secretLabel(v), ifExists, now, keepNewer, acceptance, undefined, undefined).outcome;
  }

  /** The id of the next row of `table`: with `ids`, read once per write and then counted up (nothing else inserts meanwhile). */
  #id(table: 'secrets' | 'shares' | 'secret_history', ids: RowIds | undefined): number {
    if (!ids) return this.#s.nextId(table);
    const id = ids[table] ?? this.#s.nextId(table);
    ids[table] = id + 1;
    return id;
  }

  /**
   * The current rows of `entries` (`labels`: theirs), in one statement per app and environment,
   * with the same columns the writer reads one by one ({@link Prefetched}).
   */
  #prefetch(entries: readonly PutInput[], labels: readonly string[]): Prefetched {
    const places = new Map<string, { app: string; env: string; keys: string[] }>();
    for (const v of entries) {
      const at = `${v.app}\0${v.env}`;
      let p = places.get(at);
      if (!p) places.set(at, (p = { app: v.app, env: v.env, keys: [] }));
      p.keys.push(v.key);
    }
    const out: Prefetched = new Map();
    for (const label of labels) out.set(label, null);
    // Rows as arrays (better-sqlite3 names each column of a row object anew: ~20 k instructions a row).
    const st = this.#s.stmt(`SELECT key, ${CURRENT_COLS} FROM secrets WHERE app = ? AND env = ? AND key IN (SELECT value FROM json_each(?))`).raw(true);
    for (const p of places.values()) {
      for (const r of st.all(p.app, p.env, JSON.stringify(p.keys)) as unknown[][]) {
        out.set(`${p.app}:${p.env}:${String(r[0])}`, {
          id: r[1] as number,
          value: r[2] as Buffer,
          type: r[3] as string,
          version: r[4] as number,
          createdAt: r[5] as number,
          updatedAt: r[6] as number,
          exposedAt: r[7] as number | null,
          exposedBy: r[8] as string | null,
          pending: r[9] as number,
          origin: r[10] as string | null,
          mac: r[11] as Buffer,
        });
      }
    }
    return out;
  }

  /** Write `v` (`label`: its `app:env:key`, made once by the caller; `pre`: the rows read before a bulk write). */
  #put(v: PutInput, label: string, ifExists: 'error' | 'replace' | 'skip', now: number, keepNewer: boolean, acceptance: Acceptance, ids: RowIds | undefined, bulk: Bulk | undefined, pre?: Prefetched): Put {
    const at = v.updatedAt ?? now;
    // Read before the batch (taken out: a name written twice is read again), or now.
    const read = pre?.get(label);
    if (read !== undefined) pre?.delete(label);
    const cur = read === undefined ? (this.#s.stmt(`SELECT ${CURRENT_COLS} FROM secrets WHERE app = ? AND env = ? AND key = ?`).get(v.app, v.env, v.key) as CurrentRow | undefined) : (read ?? undefined);
    const plain = Buffer.from(v.value, 'utf8');
    try {
      if (!cur) {
        const blob = seal(this.#s.keys.dataKey, plain, valueAd(v.app, v.env, v.key, 1));
        const received = typeof acceptance === 'object' ? acceptance.received : null;
        // Received names start pending, unless the person accepted them beforehand (`--accept`).
        const acceptNow = typeof acceptance === 'object' && acceptance.accept === true;
        const pending = received === null || acceptNow ? 0 : 1;
        // The row's MAC goes in with it (one write per row, not an INSERT and a trigger's UPDATE);
        // the id is the one SQLite would choose (INTEGER PRIMARY KEY without AUTOINCREMENT: max + 1).
        const id = this.#id('secrets', ids);
        const mac = this.#s.tracker.macFor(SECRETS_T, [id, v.app, v.env, v.key, v.type, 1, now, at, null, null, pending, received, blob]);
        this.#s.stmt('INSERT INTO secrets (id, app, env, key, value, type, created_at, updated_at, version, pending, origin, mac) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)').run(
          id, v.app, v.env, v.key, blob, v.type, now, at, pending, received, mac,
        );
        this.#s.queueSecretEntry({ action: 'secret.add', target: label, detail: { version: 1, ...(received === null ? {} : { pending: true, origin: received }) } });
        if (acceptNow) this.#s.queueSecretEntry({ action: 'secret.accept', target: label, detail: { how: 'accept' } });
        const added: SecretRecord = { id, app: v.app, env: v.env, key: v.key, type: v.type, createdAt: now, updatedAt: at, version: 1, exposedAt: null, exposedBy: null, pending: pending === 1 };
        return { outcome: 'added', version: 1, added };
      }
      // A name this person types is theirs, even if it first arrived from someone else.
      let pending = cur.pending;
      let mac = cur.mac;
      if (acceptance === 'own' && cur.pending === 1 && ifExists !== 'skip' && this.#acceptRow(cur.id, label, 'typed')) {
        pending = 0;
        // Accepting wrote the row again (a new MAC, by its trigger): the row as it is now.
        mac = this.#s.stmt('SELECT mac FROM secrets WHERE id = ?').pluck().get(cur.id) as Buffer;
      }
      const old = this.#s.decrypt(v, cur.version, cur.value);
      if (old === v.value && cur.type === v.type) return { outcome: 'unchanged', version: cur.version };
      if (ifExists === 'error') {
        throw new SeeqretError('E_EXISTS', `secret ${label} already exists`, 'Pass `{ replace: true }` to `set` to replace it (the old value is kept in history), or use `updateValues`.', { remedy: { id: 'replace-secret' } });
      }
      if (ifExists === 'skip') return { outcome: 'skipped', version: cur.version };
      // A transferred value older than the one here is a delayed or replayed bundle: keep ours.
      if (keepNewer && v.updatedAt !== undefined && v.updatedAt < cur.updatedAt) return { outcome: 'older', version: cur.version };
      this.#replace(cur, pending, mac, v, plain, now, at, old !== v.value, ids, bulk);
      this.#s.queueSecretEntry({ action: 'secret.update', target: label, detail: { version: cur.version + 1 } });
      return { outcome: 'updated', version: cur.version + 1 };
    } finally {
      wipe(plain);
    }
  }

  /**
   * Replace the value of `cur` (read in this transaction; `pending` and `mac` as they are now, which
   * differ from `cur`'s when the write accepted the name first): the old value
   * to history and the new one in place, each row written once with its MAC (the triggers check
   * the old row's MAC and that the new one is the MAC computed here, see IntegrityTracker).
   */
  #replace(cur: CurrentRow, pending: number, curMac: Buffer, v: { app: string; env: string; key: string; type: string }, plain: Buffer, now: number, at: number, valueChanged: boolean, ids: RowIds | undefined, bulk: Bulk | undefined): void {
    // The old ciphertext stays valid where it is moved: its associated data names its version.
    const hid = this.#id('secret_history', ids);
    const hrow = [hid, cur.id, cur.version, cur.type, cur.updatedAt, now, cur.value];
    if (bulk) bulk.history.push(hrow);
    else {
      const hmac = this.#s.tracker.macFor(HISTORY_T, hrow);
      this.#s
        .stmt('INSERT INTO secret_history (id, secret_id, version, value, type, set_at, replaced_at, mac) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(hid, cur.id, cur.version, cur.value, cur.type, cur.updatedAt, now, hmac);
    }
    const next = cur.version + 1;
    const blob = seal(this.#s.keys.dataKey, plain, valueAd(v.app, v.env, v.key, next));
    // A new value is no longer exposed by a user removed before it was set (a type change alone is not a new value).
    const exposedAt = valueChanged ? null : cur.exposedAt;
    const exposedBy = valueChanged ? null : cur.exposedBy;
    const row = [cur.id, v.app, v.env, v.key, v.type, next, cur.createdAt, at, exposedAt, exposedBy, pending, cur.origin, blob];
    const mac = bulk
      ? bulk.replace([cur.id, v.app, v.env, v.key, cur.type, cur.version, cur.createdAt, cur.updatedAt, cur.exposedAt, cur.exposedBy, pending, cur.origin, cur.value], curMac, row)
      : this.#s.tracker.macFor(SECRETS_T, row);
    this.#s.stmt('UPDATE secrets SET value = ?, type = ?, updated_at = ?, version = ?, exposed_at = ?, exposed_by = ?, mac = ? WHERE id = ?').run(blob, v.type, at, next, exposedAt, exposedBy, mac, cur.id);
  }

  /**
   * Add a secret. If it exists: with `replace` its value is replaced (old value to history),
   * otherwise `E_EXISTS`. Setting the same value again is `unchanged`.
   */
  set(input: SecretInput, opts: { replace?: boolean } = {}): WriteOutcome {
    const v = validateSecret(input);
    return this.#s.write(() => this.put(v, opts.replace ? 'replace' : 'error', Date.now()));
  }

  /** Accept one pending name (audited); true when it was pending. */
  #acceptRow(id: number, label: string, how: string): boolean {
    if (this.#s.stmt('UPDATE secrets SET pending = 0 WHERE id = ? AND pending = 1').run(id).changes === 0) return false;
    this.#s.queueSecretEntry({ action: 'secret.accept', target: label, detail: { how } });
    return true;
  }

  /**
   * Accept names received from someone else, so that filters export them like the person's own
   * (code-loading variables still only through their own template line). Audited. Returns the
   * records that were pending and are accepted now.
   */
  accept(records: readonly SecretRecord[]): SecretRecord[] {
    const pending = records.filter((r) => r.pending);
    this.#s.write(() => {
      for (const r of pending) this.#acceptRow(r.id, secretLabel(r), 'accept');
    });
    return pending.map((r) => ({ ...r, pending: false }));
  }

  /**
   * Write many secrets all-or-nothing (one transaction; any invalid entry aborts before writing).
   * Existing secrets with a different value are `updated` with `update`, else `skipped`.
   * With `dryRun` nothing is written and the summary says what would happen.
   */
  setMany(inputs: Iterable<SecretInput>, opts: SetManyOptions = {}): ImportSummary {
    const entries = Array.from(inputs, (i) => validateSecret(i));
    const summary: ImportSummary = { added: 0, updated: 0, unchanged: 0, skipped: 0, older: 0, outcomes: [] };
    const added: SecretRecord[] = [];
    const run = (): void => {
      const now = Date.now();
      // Row ids read once, then counted up; each name's version after the write, for the share records.
      const ids: RowIds = {};
      const versions = new Map<string, number>();
      // Each entry's label, made once (its audit entry, its version, its share record).
      const labels: string[] = [];
      const acceptance: Acceptance = opts.received !== undefined ? { received: opts.received, accept: opts.acceptReceived === true } : 'own';
      const history: unknown[][] = [];
      for (const v of entries) labels.push(secretLabel(v));
      const pre = entries.length >= PREFETCH_FROM ? this.#prefetch(entries, labels) : undefined;
      this.#s.tracker.replaceMany(this.#s.db, SECRETS_T, (replace) => {
        const bulk: Bulk = { replace, history };
        for (let i = 0; i < entries.length; i++) {
          const v = entries[i] as PutInput;
          const label = labels[i] as string;
          const r = this.#put(v, label, opts.update ? 'replace' : 'skip', now, opts.keepNewer ?? false, acceptance, ids, bulk, pre);
          summary[r.outcome] += 1;
          summary.outcomes.push({ app: v.app, env: v.env, key: v.key, outcome: r.outcome });
          versions.set(label, r.version);
          if (r.added) added.push(r.added);
        }
      });
      this.#s.tracker.insertMany(this.#s.db, HISTORY_T, history);
      if (opts.dryRun) throw DRY_RUN;
      if (opts.load) {
        // Recorded in the same transaction: a bundle is loaded entirely and remembered, or not at all.
        if (opts.load.bundleId) {
          // Not INSERT OR REPLACE: a REPLACE deletes without firing the integrity triggers.
          this.#s.stmt('DELETE FROM loaded_bundles WHERE bundle_id = ? AND sender = ?').run(opts.load.bundleId, opts.load.senderPubkey);
          this.#s.stmt('INSERT INTO loaded_bundles (bundle_id, sender, at, secrets) VALUES (?, ?, ?, ?)').run(opts.load.bundleId, opts.load.senderPubkey, now, entries.length);
        }
        // The sender knows what they sent: if they are removed later, these values are exposed.
        const load = opts.load;
        const bundle = load.bundleId ?? `${load.format}-load`;
        const records: unknown[][] = [];
        summary.outcomes.forEach((x, i) => {
          if (x.outcome !== 'added' && x.outcome !== 'updated' && x.outcome !== 'unchanged') return;
          const version = versions.get(labels[i] ?? secretLabel(x)) ?? 0;
          records.push([this.#id('shares', ids), bundle, load.sender, load.senderPubkey, x.app, x.env, x.key, version, now]);
        });
        // In one batch, their MACs checked once after the last one (IntegrityTracker.insertMany).
        this.#s.tracker.insertMany(this.#s.db, SHARES_T, records);
        this.#s.pending.push({ action: 'load', target: opts.load.sender, detail: { bundle: opts.load.bundleId ?? null, format: opts.load.format, added: summary.added, updated: summary.updated, skipped: summary.skipped } });
      }
    };
    try {
      this.#s.write(run);
    } catch (e) {
      if (e !== DRY_RUN) throw e;
      return summary;
    }
    opts.added?.push(...added);
    return summary;
  }

  /** Set a new value on existing secrets (old values to history). Returns how many changed. */
  updateValues(records: readonly SecretRecord[], value: string): number {
    if (!isWellFormed(value)) throw new SeeqretError('E_BAD_VALUE', 'the new value is not valid Unicode text', 'Values must be UTF-8 text.');
    return this.#s.write(() => {
      let n = 0;
      const now = Date.now();
      for (const r of records) {
        const outcome = this.put({ app: r.app, env: r.env, key: r.key, type: r.type, value }, 'replace', now);
        if (outcome === 'updated') n += 1;
        if (outcome === 'added') throw new SeeqretError('E_NOT_FOUND', `secret ${secretLabel(r)} was removed meanwhile`, 'Run the command again.');
      }
      return n;
    });
  }

  /** Delete secrets (and their history). Returns how many were deleted. */
  remove(records: readonly SecretRecord[]): number {
    return this.#s.write(() => {
      const del = this.#s.stmt('DELETE FROM secrets WHERE id = ?');
      let n = 0;
      for (const r of records) n += del.run(r.id).changes;
      this.#s.appendNow(records.map((r) => ({ action: 'secret.remove' as const, target: secretLabel(r), detail: { version: r.version } })),
      );
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
    return this.#s.write(() => {
      const clash = this.#s.stmt('SELECT key FROM secrets WHERE app = ? AND env = ? LIMIT 1').pluck().get(app, to) as string | undefined;
      if (clash !== undefined) {
        throw new SeeqretError('E_EXISTS', `${app}:${to}:${clash} already exists: environment ${to} already has values`, `Delete or rename environment ${to} first.`);
      }
      const rows = this.#s.stmt(`SELECT ${SECRET_COLS}, value FROM secrets WHERE app = ? AND env = ? ORDER BY key`).all(app, from) as Array<SecretRecord & { value: Buffer }>;
      const history = this.#s.stmt('SELECT version, value FROM secret_history WHERE secret_id = ?');
      const updHistory = this.#s.stmt('UPDATE secret_history SET value = ? WHERE secret_id = ? AND version = ?');
      const updSecret = this.#s.stmt('UPDATE secrets SET env = ?, value = ? WHERE id = ?');
      const reseal = (key: string, version: number, blob: Buffer): Buffer => {
        const plain = Buffer.from(this.#s.decrypt({ app, env: from, key }, version, blob), 'utf8');
        try {
          return seal(this.#s.keys.dataKey, plain, valueAd(app, to, key, version));
        } finally {
          wipe(plain);
        }
      };
      const out: SecretRecord[] = [];
      for (const { value, ...r } of rows) {
        for (const h of history.all(r.id) as Array<{ version: number; value: Buffer }>) updHistory.run(reseal(r.key, h.version, h.value), r.id, h.version);
        updSecret.run(to, reseal(r.key, r.version, value), r.id);
        this.#s.pending.push({ action: 'secret.rename', target: secretLabel(r), detail: { to: secretLabel({ app, env: to, key: r.key }), version: r.version } });
        out.push({ ...r, env: to });
      }
      this.#s.stmt('UPDATE shares SET env = ? WHERE app = ? AND env = ?').run(to, app, from);
      return out;
    });
  }
}
