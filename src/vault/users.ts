/**
 * The vault's users (the owner is one): X25519 public keys of the people secrets are shared with,
 * each row authenticated where it is read.
 *
 * @module
 */
import { keyToBase64 } from '../crypto/index.js';
import { SeeqretError } from '../errors.js';
import { checkOptionalEmail } from '../util/email.js';
import { verifyRow } from './integrity.js';
import type { PgpKeyStore } from './pgp-keys.js';
import { USERS_T, checkUsername, macCols, secretLabel, userOf } from './rows.js';
import type { SecretStore } from './secrets.js';
import type { VaultSession } from './session.js';
import { PGP_SHARE_PREFIX, type RemovedUser, type SecretRecord, type UserRecord } from './types.js';

/** A user to add: name, optional e-mail and display name, X25519 public key. */
export interface NewUser {
  readonly username: string;
  readonly email?: string | null;
  readonly name?: string | null;
  readonly publicKey: Buffer;
}

/** Insert a user inside the running write (`E_USER_EXISTS` when the name or the key is known). */
export function insertUser(s: VaultSession, u: NewUser): void {
  const pubkey = keyToBase64(u.publicKey);
  {
    const existing = s.stmt('SELECT username FROM users WHERE username = ? OR pubkey = ?').pluck().get(u.username, pubkey) as string | undefined;
    if (existing) {
      throw new SeeqretError('E_USER_EXISTS', `${existing === u.username ? `a user named ${u.username}` : `user ${existing} with the same public key`} already exists`, 'Remove the old entry first (`removeUser`), or use another name.', { remedy: { id: 'remove-user' } });
    }
    s.stmt('INSERT INTO users (username, email, name, pubkey, is_owner, created_at) VALUES (?, ?, ?, ?, 0, ?)').run(u.username, u.email ?? null, u.name ?? null, pubkey, Date.now());
    s.pending.push({ action: 'user.add', target: u.username, detail: { pubkey } });
  }
}

/** The users of one open vault. */
export class UserStore {
  readonly #s: VaultSession;
  readonly #secrets: SecretStore;
  readonly #pgp: PgpKeyStore;

  constructor(session: VaultSession, secrets: SecretStore, pgp: PgpKeyStore) {
    this.#s = session;
    this.#secrets = secrets;
    this.#pgp = pgp;
  }

  /** The owner's user record. */
  owner(): UserRecord {
    const row = this.users().find((u) => u.isOwner);
    if (!row) throw new SeeqretError('E_VAULT_CORRUPT', 'the vault has no owner user', 'Restore the vault folder from a backup copy.');
    return row;
  }

  /** Every user, the owner first. */
  users(): UserRecord[] {
    const rows = this.#s.sql(() => this.#s.stmt(`SELECT ${macCols('users')} FROM users ORDER BY is_owner DESC, username`).all()) as Array<Record<string, unknown>>;
    // Each row is authenticated: a public key or a verification mark set outside seeqret is E_TAMPERED.
    for (const r of rows) verifyRow(this.#s.integrityKey, USERS_T, r);
    return rows.map(userOf);
  }

  /** The user named `username`, or `E_UNKNOWN_USER`. */
  user(username: string): UserRecord {
    const u = this.users().find((x) => x.username === username);
    if (!u) throw new SeeqretError('E_UNKNOWN_USER', `no user named ${username} in this vault`, 'Call `users` to see who is known; add people with `addUser`.', { remedy: { id: 'list-users' } });
    return u;
  }

  /** Add a user with an X25519 public key (validated by the caller). */
  addUser(u: { username: string; email?: string | null; name?: string | null; publicKey: Buffer }): UserRecord {
    checkUsername(u.username);
    checkOptionalEmail(u.email, `the e-mail address of ${u.username}`);
    this.#s.write(() => {
      insertUser(this.#s, u);
    });
    return this.user(u.username);
  }

  /** Record that the owner checked this user's key fingerprint. */
  verifyUser(username: string): UserRecord {
    const u = this.user(username);
    this.#s.write(() => {
      this.#s.stmt('UPDATE users SET verified_at = ? WHERE id = ?').run(Date.now(), u.id);
      this.#s.appendNow([{ action: 'user.verify', target: username, detail: { pubkey: u.pubkey } }]);
    });
    return this.user(username);
  }

  /**
   * Remove a user (never the owner) or a contact known only by a PGP key, with their PGP key.
   * Every secret they ever received (in a bundle or by `send`) is listed; those whose current value
   * is one they received (not changed since) are marked exposed.
   */
  removeUser(username: string): RemovedUser {
    const user = this.users().find((x) => x.username === username) ?? null;
    const pgp = this.#pgp.pgpKey(username) ?? null;
    if (!user && !pgp) this.user(username); // throws E_UNKNOWN_USER
    if (user?.isOwner) throw new SeeqretError('E_USAGE', `${username} is the owner of this vault`, 'The owner cannot be removed; create a new vault instead.');
    // What they were sent decides what is marked exposed: the share records must be complete.
    this.#s.checkIntegrity(['shares']);
    return this.#s.write(() => {
      const keys = [user?.pubkey ?? '', pgp ? PGP_SHARE_PREFIX + pgp.fingerprint : ''];
      const received = this.#s.stmt(
        'SELECT app, env, key, max(version) AS version, max(at) AS at FROM shares WHERE username = ? AND pubkey IN (?, ?) GROUP BY app, env, key ORDER BY app, env, key',
      ).all(username, ...keys) as Array<{ app: string; env: string; key: string; version: number; at: number }>;
      const now = Date.now();
      const exposed: SecretRecord[] = [];
      const mark = this.#s.stmt('UPDATE secrets SET exposed_at = ?, exposed_by = ? WHERE id = ?');
      for (const r of received) {
        const cur = this.#secrets.lookup(r.app, r.env, r.key);
        // Exposed when the current value is one they got: same or older version of the same secret
        // (a secret deleted and created again after the share has a new value).
        if (cur && cur.version <= r.version && cur.createdAt <= r.at) {
          mark.run(now, username, cur.id);
          exposed.push({ ...cur, exposedAt: now, exposedBy: username });
        }
      }
      if (user) this.#s.stmt('DELETE FROM users WHERE id = ?').run(user.id);
      if (pgp) this.#s.stmt('DELETE FROM pgp_keys WHERE id = ?').run(pgp.id);
      this.#s.appendNow([
          { action: 'user.remove', target: username, detail: { received: received.length, exposed: exposed.length, ...(pgp ? { pgp: pgp.fingerprint } : {}) } },
          ...exposed.map((r) => ({ action: 'secret.exposed' as const, target: secretLabel(r), detail: { by: username } })),
        ],
        now,
      );
      return { user, pgpKey: pgp, received, exposed };
    });
  }
}
