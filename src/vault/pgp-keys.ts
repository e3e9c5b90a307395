/**
 * OpenPGP public keys stored for `send` (the `pgp_keys` table), under a vault user's name or a
 * contact's.
 *
 * @module
 */
import { SeeqretError } from '../errors.js';
import { checkEmail, checkOptionalEmail } from '../util/email.js';
import { verifyRow } from './integrity.js';
import { PGP_T, checkUsername, macCols } from './rows.js';
import type { VaultSession } from './session.js';
import type { PgpKeyRecord } from './types.js';
import { insertUser } from './users.js';

/** The PGP keys of one open vault. */
export class PgpKeyStore {
  readonly #s: VaultSession;

  constructor(session: VaultSession) {
    this.#s = session;
  }

  /** Every stored OpenPGP key, by name. */
  pgpKeys(): PgpKeyRecord[] {
    const rows = this.#s.sql(() => this.#s.stmt(`SELECT ${macCols('pgp_keys')} FROM pgp_keys ORDER BY username`).all()) as Array<Record<string, unknown>>;
    for (const r of rows) verifyRow(this.#s.integrityKey, PGP_T, r);
    return rows.map((r) => ({
      id: r['id'] as number, username: r['username'] as string, fingerprint: r['fingerprint'] as string, email: r['email'] as string,
      userIds: JSON.parse(r['user_ids'] as string) as string[], armored: r['armored'] as string, createdAt: r['created_at'] as number,
    }));
  }

  /** The OpenPGP key stored for `username`, if any. */
  pgpKey(username: string): PgpKeyRecord | undefined {
    return this.pgpKeys().find((k) => k.username === username);
  }

  /**
   * Store an OpenPGP public key (already validated by `src/crypto/pgp.ts`) under `username`: a
   * vault user's name or a contact's. With `user`, the vault user is added in the same transaction.
   *
   * @throws SeeqretError `E_USER_EXISTS` when the name already has a key (unless `replace`) or the
   *   key is stored under another name.
   */
  addPgpKey(
    k: { username: string; fingerprint: string; email: string; userIds: readonly string[]; armored: string },
    opts: { replace?: boolean; user?: { email?: string | null; name?: string | null; publicKey: Buffer } } = {},
  ): PgpKeyRecord {
    checkUsername(k.username);
    checkEmail(k.email, `the e-mail address of ${k.username}'s PGP key`);
    checkOptionalEmail(opts.user?.email, `the e-mail address of ${k.username}`);
    this.#s.write(() => {
      if (opts.user) insertUser(this.#s, { username: k.username, ...opts.user });
      const owner = this.#s.stmt('SELECT username FROM pgp_keys WHERE fingerprint = ?').pluck().get(k.fingerprint) as string | undefined;
      if (owner !== undefined && owner !== k.username) {
        throw new SeeqretError('E_USER_EXISTS', `this PGP key is already stored for ${owner}`, `Use that name, or remove it first (\`removeUser('${owner}')\`).`, { remedy: { id: 'remove-pgp-owner', arg: owner } });
      }
      const old = this.#s.stmt('SELECT id, fingerprint FROM pgp_keys WHERE username = ?').get(k.username) as { id: number; fingerprint: string } | undefined;
      if (old && !opts.replace) {
        throw new SeeqretError('E_USER_EXISTS', `${k.username} already has a PGP key (${old.fingerprint.toUpperCase()})`, 'Pass `{ replace: true }` to `addPgpKey` to replace it.', { remedy: { id: 'replace-pgp-key' } });
      }
      if (old) this.#s.stmt('DELETE FROM pgp_keys WHERE id = ?').run(old.id);
      this.#s.stmt('INSERT INTO pgp_keys (username, fingerprint, email, user_ids, armored, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(
        k.username, k.fingerprint, k.email, JSON.stringify(k.userIds), k.armored, Date.now(),
      );
      this.#s.pending.push({ action: 'pgp.add', target: k.username, detail: { fingerprint: k.fingerprint, email: k.email, ...(old ? { replaced: old.fingerprint } : {}) } });
    });
    const added = this.pgpKey(k.username);
    if (!added) throw new SeeqretError('E_INTERNAL', `the PGP key of ${k.username} was added but cannot be read back`, 'Report this bug.');
    return added;
  }
}
