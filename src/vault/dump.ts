/**
 * Backups: every secret with its decrypted history (dump), and restoring a backup's content in
 * one transaction (secrets, users, share and loaded-bundle records, PGP keys).
 *
 * @module
 */
import { keyToBase64, seal } from '../crypto/index.js';
import { SeeqretError } from '../errors.js';
import { secretLabel, validateSecret, validateUsers, valueAd } from './rows.js';
import type { SecretWriter } from './secret-writer.js';
import type { SecretStore } from './secrets.js';
import type { VaultSession } from './session.js';
import type { DumpedSecret, ImportSummary, LoadedBundleRecord, PgpKeyRecord, ShareRecord, WriteOutcome } from './types.js';
import { type UserStore, insertUser } from './users.js';

/** What {@link DumpStore.restoreAll} writes. */
export interface RestoreContent {
  secrets: readonly DumpedSecret[];
  users: ReadonlyArray<{ username: string; email: string | null; name: string | null; publicKey: Buffer; verifiedAt: number | null }>;
  shares: readonly ShareRecord[];
  loadedBundles: readonly LoadedBundleRecord[];
  /** OpenPGP keys of `send` recipients; one whose name or fingerprint is known already is left out. */
  pgpKeys?: ReadonlyArray<Omit<PgpKeyRecord, 'id'>>;
}

/** How {@link DumpStore.restoreAll} treats what is there already. */
export interface RestoreOptions {
  overwrite?: boolean;
  keepVerified?: boolean;
  /** The backup is another vault's (its names were chosen by someone else): new names start pending with this origin. */
  received?: string;
}

/** Dump and restore of one open vault. */
export class DumpStore {
  readonly #s: VaultSession;
  readonly #secrets: SecretStore;
  readonly #writer: SecretWriter;
  readonly #users: UserStore;

  constructor(session: VaultSession, secrets: SecretStore, writer: SecretWriter, users: UserStore) {
    this.#s = session;
    this.#secrets = secrets;
    this.#writer = writer;
    this.#users = users;
  }

  /** Every secret with its value and history, decrypted (for backups). */
  dumpSecrets(): DumpedSecret[] {
    return this.#secrets.all().map((r) => {
      const history = this.#secrets.history(r)
        .flatMap((h) => (h.replacedAt === null ? [] : [{ version: h.version, type: h.type, setAt: h.setAt, replacedAt: h.replacedAt, value: this.#secrets.revealVersion(r, h.version) }]));
      const { id: _id, ...meta } = r;
      return { ...meta, value: this.#secrets.reveal(r), history };
    });
  }

  /**
   * Restore a backup's content in ONE transaction (all or nothing): secrets (a missing one is
   * recreated with its versions and history; an existing one with the same value is `unchanged`;
   * with another value `skipped`, or `updated` with `overwrite`), users not known yet (by name and
   * key; `verified` marks are kept only when `keepVerified`, i.e. into a vault the restore created),
   * and the share and loaded-bundle records.
   */
  restoreAll(r: RestoreContent, opts: RestoreOptions = {}): { summary: ImportSummary; usersAdded: string[] } {
    const summary: ImportSummary = { added: 0, updated: 0, unchanged: 0, skipped: 0, older: 0, outcomes: [] };
    for (const d of r.secrets) validateSecret({ app: d.app, env: d.env, key: d.key, value: d.value, type: d.type });
    validateUsers(r.users, r.pgpKeys ?? []);
    const usersAdded: string[] = [];
    this.#s.write(() => {
      const now = Date.now();
      const insHist = this.#s.stmt('INSERT INTO secret_history (secret_id, version, value, type, set_at, replaced_at) VALUES (?, ?, ?, ?, ?, ?)');
      for (const d of r.secrets) {
        let outcome: WriteOutcome;
        if (this.#secrets.lookup(d.app, d.env, d.key)) {
          outcome = this.#writer.put({ app: d.app, env: d.env, key: d.key, value: d.value, type: d.type }, opts.overwrite ? 'replace' : 'skip', now, false, 'keep');
        } else {
          const blob = seal(this.#s.keys.dataKey, Buffer.from(d.value, 'utf8'), valueAd(d.app, d.env, d.key, d.version));
          // Another vault's names start pending; one's own backup keeps each name's state.
          const wasPending: unknown = d.pending; // a backup file is read without checking this field: only `true` counts
          const pending = opts.received !== undefined || wasPending === true;
          const origin = opts.received ?? (wasPending === true ? 'restored backup' : null);
          const id = this.#s.stmt('INSERT INTO secrets (app, env, key, value, type, created_at, updated_at, version, exposed_at, exposed_by, pending, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
            d.app, d.env, d.key, blob, d.type, d.createdAt, d.updatedAt, d.version, d.exposedAt, d.exposedBy, pending ? 1 : 0, origin,
          ).lastInsertRowid;
          for (const h of d.history) {
            if (!Number.isSafeInteger(h.version) || h.version >= d.version || h.version < 1) {
              throw new SeeqretError('E_BACKUP_FORMAT', `${secretLabel(d)}: history version ${h.version} is not below the current version ${d.version}`, 'The backup is damaged; use another one.');
            }
            insHist.run(id, h.version, seal(this.#s.keys.dataKey, Buffer.from(h.value, 'utf8'), valueAd(d.app, d.env, d.key, h.version)), h.type, h.setAt, h.replacedAt);
          }
          this.#s.pending.push({ action: 'secret.add', target: secretLabel(d), detail: { version: d.version, restored: true } });
          outcome = 'added';
        }
        summary[outcome] += 1;
        summary.outcomes.push({ app: d.app, env: d.env, key: d.key, outcome });
      }
      // Linear in the records (issue 12): what is here already is read once into sets, so each
      // record of the backup costs one set lookup, never a query (shares are indexed by user only:
      // a per-record query scanned all of that user's shares, quadratic in the records).
      const known = this.#users.users();
      const knownNames = new Set(known.map((k) => k.username));
      const knownKeys = new Set(known.map((k) => k.pubkey));
      for (const u of r.users) {
        const pubkey = keyToBase64(u.publicKey);
        if (knownNames.has(u.username) || knownKeys.has(pubkey)) continue;
        insertUser(this.#s, u);
        knownNames.add(u.username);
        knownKeys.add(pubkey);
        if (opts.keepVerified && u.verifiedAt !== null) this.#s.stmt('UPDATE users SET verified_at = ? WHERE username = ?').run(u.verifiedAt, u.username);
        usersAdded.push(u.username);
      }
      if (r.shares.length > 0) {
        const shareKey = (bundleId: unknown, username: unknown, app: unknown, env: unknown, key: unknown, version: unknown): string => JSON.stringify([bundleId, username, app, env, key, version]);
        const have = new Set<string>();
        for (const [b, u, a, e, k, ver] of this.#s.stmt('SELECT bundle_id, username, app, env, key, version FROM shares').raw().iterate() as IterableIterator<unknown[]>) have.add(shareKey(b, u, a, e, k, ver));
        const ins = this.#s.stmt('INSERT INTO shares (bundle_id, username, pubkey, app, env, key, version, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
        for (const x of r.shares) {
          const id = shareKey(x.bundleId, x.username, x.app, x.env, x.key, x.version);
          if (have.has(id)) continue;
          have.add(id);
          ins.run(x.bundleId, x.username, x.pubkey, x.app, x.env, x.key, x.version, x.at);
        }
      }
      const lb = this.#s.stmt('INSERT OR IGNORE INTO loaded_bundles (bundle_id, sender, at, secrets) VALUES (?, ?, ?, ?)');
      for (const x of r.loadedBundles) lb.run(x.bundleId, x.sender, x.at, x.secrets);
      const pk = this.#s.stmt('INSERT OR IGNORE INTO pgp_keys (username, fingerprint, email, user_ids, armored, created_at) VALUES (?, ?, ?, ?, ?, ?)');
      for (const k of r.pgpKeys ?? []) {
        if (pk.run(k.username, k.fingerprint, k.email, JSON.stringify(k.userIds), k.armored, k.createdAt).changes > 0) {
          this.#s.pending.push({ action: 'pgp.add', target: k.username, detail: { fingerprint: k.fingerprint, email: k.email, restored: true } });
        }
      }
    });
    return { summary, usersAdded };
  }

  /** Add users that are not known yet (by name or key), unverified; returns the names added. */
  addMissingUsers(users: ReadonlyArray<{ username: string; email: string | null; name: string | null; publicKey: Buffer }>): string[] {
    return this.restoreAll({ secrets: [], users: users.map((u) => ({ ...u, verifiedAt: null })), shares: [], loadedBundles: [] }).usersAdded;
  }
}
