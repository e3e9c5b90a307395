/**
 * What was shared with whom: the `shares` records (a user removed later exposes what they were
 * sent) and the `loaded_bundles` records (replay protection).
 *
 * @module
 */
import { verifyRow } from './integrity.js';
import { LOADED_T, SHARES_T, macCols, secretLabel } from './rows.js';
import type { VaultSession } from './session.js';
import { type LoadedBundleRecord, PGP_SHARE_PREFIX, type PgpKeyRecord, type SecretRecord, type ShareRecord, type UserRecord } from './types.js';

const HELD = 'username, pubkey, app, env, key, max(version) AS version, max(at) AS at';
const BY_HOLDER = 'GROUP BY username, pubkey, app, env, key';

/** The sharing records of one open vault. */
export class ShareStore {
  readonly #s: VaultSession;

  constructor(session: VaultSession) {
    this.#s = session;
  }

  /**
   * Record that `records` were e-mailed to `to` in message `messageId`: one `shares` row per secret
   * (so removing them later marks what they had as exposed) and a `send` audit entry (names only).
   */
  recordSend(to: PgpKeyRecord, messageId: string, records: readonly SecretRecord[], detail: { smtp: string }): void {
    this.#s.write(() => {
      const ins = this.#s.stmt('INSERT INTO shares (bundle_id, username, pubkey, app, env, key, version, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
      const now = Date.now();
      for (const r of records) ins.run(messageId, to.username, PGP_SHARE_PREFIX + to.fingerprint, r.app, r.env, r.key, r.version, now);
      this.#s.pending.push({ action: 'send', target: to.username, detail: { to: to.email, fingerprint: to.fingerprint, message: messageId, smtp: detail.smtp, secrets: records.map(secretLabel) } });
    });
  }

  /**
   * Record that `records` were exported to `user` in bundle `bundleId` (and audit it): see
   * {@link ShareStore.recordExports}.
   */
  recordExport(bundleId: string, user: UserRecord, records: readonly SecretRecord[], format: string): void {
    this.recordExports([{ bundleId, user }], records, format);
  }

  /**
   * Record that `records` were exported in each of `deliveries` (one bundle to one user each),
   * with one `export` audit entry per delivery, in their order. Every row goes in once with its
   * MAC, all deliveries' rows in ONE batch (the ids read once: SQLite's max + 1, counted up), so
   * a push to ten people checks its share records' MACs once, not once per person.
   */
  recordExports(deliveries: ReadonlyArray<{ readonly bundleId: string; readonly user: UserRecord }>, records: readonly SecretRecord[], format: string): void {
    if (deliveries.length === 0) return;
    this.#s.write(() => {
      const now = Date.now();
      let id = this.#s.nextId('shares');
      const rows: unknown[][] = [];
      for (const { bundleId, user } of deliveries) for (const r of records) rows.push([id++, bundleId, user.username, user.pubkey, r.app, r.env, r.key, r.version, now]);
      // All in one batch: their MACs checked once after the last one (no trigger call per row).
      this.#s.tracker.insertMany(this.#s.db, SHARES_T, rows);
      const secrets = records.map(secretLabel);
      this.#s.appendNow(deliveries.map(({ bundleId, user }) => ({ action: 'export', target: user.username, detail: { bundle: bundleId, format, secrets } })), now);
    });
  }

  /** True when this sender's bundle with this id was loaded before. */
  bundleLoaded(bundleId: string, senderPubkey: string): boolean {
    const row = this.#s.sql(() => this.#s.stmt(`SELECT ${macCols('loaded_bundles')} FROM loaded_bundles WHERE bundle_id = ? AND sender = ?`).get(bundleId, senderPubkey)) as Record<string, unknown> | undefined;
    if (row) verifyRow(this.#s.integrityKey, LOADED_T, row);
    return row !== undefined;
  }

  /**
   * Per person, key and secret: the newest version sent and when (the share records folded in
   * SQL after the table's integrity aggregate is checked, so 100,000 records cost one query).
   */
  heldVersions(): Array<Omit<ShareRecord, 'bundleId'>> {
    this.#s.checkIntegrity(['shares']);
    return this.#s.sql(() => this.#s.stmt(`SELECT ${HELD} FROM shares ${BY_HOLDER}`).all()) as Array<Omit<ShareRecord, 'bundleId'>>;
  }

  /**
   * {@link ShareStore.heldVersions} of `secrets` only (one page of the access matrix), and everyone
   * anything was ever shared with, after ONE check of the shares' integrity aggregate; the page's
   * own records (a few thousand) are each checked against their row MAC too, then folded here.
   */
  heldPage(secrets: ReadonlyArray<{ app: string; env: string; key: string }>): { held: Array<Omit<ShareRecord, 'bundleId'>>; people: string[] } {
    this.#s.checkIntegrity(['shares']);
    const page = "(app, env, key) IN (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]') FROM json_each(?))";
    return this.#s.sql(() => {
      const held = new Map<string, Omit<ShareRecord, 'bundleId'>>();
      for (const r of this.#s.stmt(`SELECT ${macCols('shares')} FROM shares WHERE ${page}`).iterate(JSON.stringify(secrets.map((s) => [s.app, s.env, s.key]))) as IterableIterator<Record<string, unknown>>) {
        verifyRow(this.#s.integrityKey, SHARES_T, r);
        const [username, pubkey, app, env, key, version, at] = ['username', 'pubkey', 'app', 'env', 'key', 'version', 'at'].map((c) => r[c]) as [string, string, string, string, string, number, number];
        const id = JSON.stringify([username, pubkey, app, env, key]);
        const had = held.get(id);
        held.set(id, { username, pubkey, app, env, key, version: Math.max(version, had?.version ?? version), at: Math.max(at, had?.at ?? at) });
      }
      return { held: [...held.values()], people: this.#s.stmt('SELECT DISTINCT username FROM shares').pluck().all() as string[] };
    });
  }

  /** The record of every share and every loaded bundle (for backups). */
  sharingRecords(): { shares: ShareRecord[]; loadedBundles: LoadedBundleRecord[] } {
    return this.#s.sql(() => {
      const shares = this.#s.stmt(`SELECT ${macCols('shares')} FROM shares ORDER BY id`).all() as Array<Record<string, unknown>>;
      const loaded = this.#s.stmt(`SELECT ${macCols('loaded_bundles')} FROM loaded_bundles ORDER BY at`).all() as Array<Record<string, unknown>>;
      for (const r of shares) verifyRow(this.#s.integrityKey, SHARES_T, r);
      for (const r of loaded) verifyRow(this.#s.integrityKey, LOADED_T, r);
      return {
        shares: shares.map((r) => ({
          bundleId: r['bundle_id'] as string, username: r['username'] as string, pubkey: r['pubkey'] as string, app: r['app'] as string,
          env: r['env'] as string, key: r['key'] as string, version: r['version'] as number, at: r['at'] as number,
        })),
        loadedBundles: loaded.map((r) => ({ bundleId: r['bundle_id'] as string, sender: r['sender'] as string, at: r['at'] as number, secrets: r['secrets'] as number })),
      };
    });
  }
}
