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
import { type Acceptance, type PutInput, SECRETS_T, SECRET_COLS, SHARES_T, secretLabel, validateSecret, valueAd } from './rows.js';
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
}

/** The secrets of one open vault, write side. */
export class SecretWriter {
  readonly #s: VaultSession;

  constructor(session: VaultSession) {
    this.#s = session;
  }

  /** Write one validated secret inside the running write transaction (see {@link Vault.set} for the outcomes). */
  put(v: PutInput, ifExists: 'error' | 'replace' | 'skip', now: number, keepNewer = false, acceptance: Acceptance = 'own'): WriteOutcome {
    const at = v.updatedAt ?? now;
    const cur = this.#s.stmt('SELECT id, value, type, version, updated_at AS updatedAt, pending FROM secrets WHERE app = ? AND env = ? AND key = ?').get(v.app, v.env, v.key) as
      | { id: number; value: Buffer; type: string; version: number; updatedAt: number; pending: number }
      | undefined;
    const plain = Buffer.from(v.value, 'utf8');
    try {
      if (!cur) {
        const blob = seal(this.#s.keys.dataKey, plain, valueAd(v.app, v.env, v.key, 1));
        const received = typeof acceptance === 'object' ? acceptance.received : null;
        const pending = received === null ? 0 : 1;
        // The row's MAC goes in with it (one write per row, not an INSERT and a trigger's UPDATE);
        // the id is the one SQLite would choose (INTEGER PRIMARY KEY without AUTOINCREMENT: max + 1).
        const id = this.#s.nextId('secrets');
        const mac = this.#s.tracker.macFor(SECRETS_T, [id, v.app, v.env, v.key, v.type, 1, now, at, null, null, pending, received, blob]);
        this.#s.stmt('INSERT INTO secrets (id, app, env, key, value, type, created_at, updated_at, version, pending, origin, mac) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)').run(
          id, v.app, v.env, v.key, blob, v.type, now, at, pending, received, mac,
        );
        this.#s.queueSecretEntry({ action: 'secret.add', target: secretLabel(v), detail: { version: 1, ...(received === null ? {} : { pending: true, origin: received }) } });
        return 'added';
      }
      // A name this person types is theirs, even if it first arrived from someone else.
      if (acceptance === 'own' && cur.pending === 1 && ifExists !== 'skip') this.#acceptRow(cur.id, secretLabel(v), 'typed');
      const old = this.#s.decrypt(v, cur.version, cur.value);
      if (old === v.value && cur.type === v.type) return 'unchanged';
      if (ifExists === 'error') {
        throw new SeeqretError('E_EXISTS', `secret ${secretLabel(v)} already exists`, 'Pass `{ replace: true }` to `set` to replace it (the old value is kept in history), or use `updateValues`.', { remedy: { id: 'replace-secret' } });
      }
      if (ifExists === 'skip') return 'skipped';
      // A transferred value older than the one here is a delayed or replayed bundle: keep ours.
      if (keepNewer && v.updatedAt !== undefined && v.updatedAt < cur.updatedAt) return 'older';
      this.#replace(cur, v, plain, now, at, old !== v.value);
      this.#s.queueSecretEntry({ action: 'secret.update', target: secretLabel(v), detail: { version: cur.version + 1 } });
      return 'updated';
    } finally {
      wipe(plain);
    }
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
    this.#s
      .stmt('INSERT INTO secret_history (secret_id, version, value, type, set_at, replaced_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(cur.id, cur.version, cur.value, cur.type, cur.updatedAt, now);
    const next = cur.version + 1;
    const blob = seal(this.#s.keys.dataKey, plain, valueAd(v.app, v.env, v.key, next));
    // A new value is no longer exposed by a user removed before it was set (a type change alone is not a new value).
    if (valueChanged) this.#s.stmt('UPDATE secrets SET value = ?, type = ?, updated_at = ?, version = ?, exposed_at = NULL, exposed_by = NULL WHERE id = ?').run(blob, v.type, at, next, cur.id);
    else this.#s.stmt('UPDATE secrets SET value = ?, type = ?, updated_at = ?, version = ? WHERE id = ?').run(blob, v.type, at, next, cur.id);
  }

  /**
   * Add a secret. If it exists: with `replace` its value is replaced (old value to history),
   * otherwise `E_EXISTS`. Setting the same value again is `unchanged`.
   */
  set(input: SecretInput, opts: { replace?: boolean } = {}): WriteOutcome {
    const v = validateSecret(input);
    return this.#s.write(() => this.put(v, opts.replace ? 'replace' : 'error', Date.now()));
  }

  #acceptRow(id: number, label: string, how: string): void {
    if (this.#s.stmt('UPDATE secrets SET pending = 0 WHERE id = ? AND pending = 1').run(id).changes > 0) {
      this.#s.queueSecretEntry({ action: 'secret.accept', target: label, detail: { how } });
    }
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
    const run = (): void => {
      const now = Date.now();
      for (const v of entries) {
        const outcome = this.put(v, opts.update ? 'replace' : 'skip', now, opts.keepNewer ?? false, opts.received !== undefined ? { received: opts.received } : 'own');
        summary[outcome] += 1;
        summary.outcomes.push({ app: v.app, env: v.env, key: v.key, outcome });
      }
      if (opts.dryRun) throw DRY_RUN;
      if (opts.load) {
        // Recorded in the same transaction: a bundle is loaded entirely and remembered, or not at all.
        if (opts.load.bundleId) {
          // Not INSERT OR REPLACE: a REPLACE deletes without firing the integrity triggers.
          this.#s.stmt('DELETE FROM loaded_bundles WHERE bundle_id = ? AND sender = ?').run(opts.load.bundleId, opts.load.senderPubkey);
          this.#s.stmt('INSERT INTO loaded_bundles (bundle_id, sender, at, secrets) VALUES (?, ?, ?, ?)').run(opts.load.bundleId, opts.load.senderPubkey, now, entries.length);
        }
        // The sender knows what they sent: if they are removed later, these values are exposed.
        const rec = this.#s.stmt('INSERT INTO shares (id, bundle_id, username, pubkey, app, env, key, version, at, mac) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
        const bundle = opts.load.bundleId ?? `${opts.load.format}-load`;
        for (const x of summary.outcomes) {
          if (x.outcome !== 'added' && x.outcome !== 'updated' && x.outcome !== 'unchanged') continue;
          const version = this.#s.stmt('SELECT version FROM secrets WHERE app = ? AND env = ? AND key = ?').pluck().get(x.app, x.env, x.key) as number;
          const id = this.#s.nextId('shares');
          const mac = this.#s.tracker.macFor(SHARES_T, [id, bundle, opts.load.sender, opts.load.senderPubkey, x.app, x.env, x.key, version, now]);
          rec.run(id, bundle, opts.load.sender, opts.load.senderPubkey, x.app, x.env, x.key, version, now, mac);
        }
        this.#s.pending.push({ action: 'load', target: opts.load.sender, detail: { bundle: opts.load.bundleId ?? null, format: opts.load.format, added: summary.added, updated: summary.updated, skipped: summary.skipped } });
      }
    };
    try {
      this.#s.write(run);
    } catch (e) {
      if (e !== DRY_RUN) throw e;
    }
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
