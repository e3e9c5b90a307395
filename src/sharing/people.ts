/**
 * The use cases about the people a vault shares with: checking a user's key fingerprint, adding
 * a user and/or their OpenPGP key (for `send`), and removing one (what they received, what is now
 * exposed). Questions come through the injected {@link Confirm}; notes through {@link Notes}.
 * Nothing here touches `process`.
 *
 * @module
 */
import { fingerprint, keyFromBase64 } from '../crypto/index.js';
import { type PgpPublicKey, formatFingerprint, readPgpPublicKey } from '../crypto/pgp.js';
import { readFileCapped } from '../util/read-capped.js';
import { SeeqretError } from '../errors.js';
import type { Confirm, Notes } from '../notes.js';
import { checkEmail } from '../util/email.js';
import { checkIntroduction } from './introduction.js';
import type { RemovedUser, UserRecord, Vault } from '../vault/vault.js';

/** The fingerprint of a user's key, as people compare it. */
export function userFingerprint(u: UserRecord): string {
  const key = keyFromBase64(u.pubkey);
  if (!key) throw new SeeqretError('E_BAD_KEY', `the key stored for ${u.username} is not a public key`, 'Remove the user and add them again.');
  return fingerprint(key);
}

/**
 * Record that `name`'s key fingerprint was checked: against the digits they read (`given`,
 * `E_FINGERPRINT_MISMATCH` if they differ), else by asking `ask` after noting the fingerprint.
 */
export async function verifyUserKey(v: Vault, name: string, o: { given?: string | undefined; ask?: Confirm | undefined }, notes: Pick<Notes, 'info'>): Promise<void> {
  const mine = userFingerprint(v.user(name));
  if (o.given !== undefined) {
    if (o.given.replace(/\D/g, '') !== mine.replace(/\D/g, '')) {
      throw new SeeqretError('E_FINGERPRINT_MISMATCH', `the fingerprint you were given does not match ${name}'s key in this vault`, `Do not share with this key; get ${name}'s key again through a channel you trust.`);
    }
  } else {
    notes.info(`Fingerprint of ${name}'s key: ${mine}`);
    if (o.ask && !(await o.ask(`Did ${name} read you exactly these digits (on a call or in person)?`))) {
      throw new SeeqretError('E_ABORTED', `${name} was not marked verified`, `Compare the fingerprint with ${name} (they run \`seeqret owner\`), then run this again.`);
    }
  }
  v.verifyUser(name);
  notes.info(`${name} is verified.`);
}

/** A user to add: an X25519 key, an OpenPGP key (read by the caller), or both. */
export interface AddPersonRequest {
  readonly username: string;
  readonly email: string | null;
  readonly name: string | null;
  readonly publicKey?: Buffer | undefined;
  /** The OpenPGP key and the file it came from (for messages). */
  readonly pgp?: { readonly key: PgpPublicKey; readonly file: string } | undefined;
  /** Replace the PGP key already stored under this name. */
  readonly replace: boolean;
}

/**
 * Add a vault user (X25519 key) and/or store an OpenPGP public key for `send` under the name (a
 * vault user's, or a contact known only by that key). Mail goes to the given e-mail, else the
 * user's if the key has it, else the key's primary address.
 */
export function addPerson(v: Vault, req: AddPersonRequest, notes: Notes): void {
  const { username, email, name, publicKey: pub } = req;
  if (!req.pgp) {
    if (!pub) throw new SeeqretError('E_USAGE', 'add user needs --username and --pubkey (or --pgp-key FILE)', 'Paste the line the other person printed with `seeqret introduction`.');
    const u = v.addUser({ username, email, name, publicKey: pub });
    notes.info(`Added user ${u.username}. Fingerprint: ${userFingerprint(u)}`);
    notes.info(`Compare it with ${u.username} on a call, then run: seeqret users verify ${u.username}`);
    return;
  }
  const { key: pgp, file } = req.pgp;
  const existing = v.users().find((u) => u.username === username);
  const lower = pgp.emails.map((e) => e.toLowerCase());
  let to = email ?? (existing?.email && lower.includes(existing.email.toLowerCase()) ? existing.email : pgp.emails[0]);
  if (!to) throw new SeeqretError('E_PGP_KEY', `${file}: the key has no e-mail address in its user IDs`, 'Pass --email ADDRESS to say where to send.');
  to = checkEmail(to.trim(), email === null ? `the address in ${file}'s user ID` : '--email');
  if (email !== null && !lower.includes(email.toLowerCase())) {
    notes.warn(`the PGP key's user IDs do not include ${email} (they are: ${pgp.userIds.join('; ') || 'none'}); mail to ${email} will be encrypted to this key anyway`);
  }
  const k = v.addPgpKey(
    { username, fingerprint: pgp.fingerprint, email: to, userIds: pgp.userIds, armored: pgp.armored },
    { replace: req.replace, ...(pub ? { user: { email, name, publicKey: pub } } : {}) },
  );
  if (pub) notes.info(`Added user ${username}. Fingerprint: ${userFingerprint(v.user(username))}`);
  notes.info(`Stored the PGP key ${formatFingerprint(k.fingerprint)} for ${username}; \`seeqret send\` mails to ${k.email}.`);
  notes.info(`Check this fingerprint with ${username} (e.g. on a call: they run \`gpg --fingerprint ${k.email}\`) before sending secrets.`);
  if (pgp.expires) notes.info(`The key expires on ${pgp.expires.toISOString().slice(0, 10)}.`);
}

/**
 * Remove user `name` (never the owner) or a contact known only by a PGP key, after `ask` agrees
 * when given; what they received and which of those values are now exposed come back.
 */
export async function removePerson(v: Vault, name: string, o: { ask?: Confirm | undefined }, notes: Pick<Notes, 'info'>): Promise<RemovedUser> {
  const u = v.users().find((x) => x.username === name);
  const pgp = v.pgpKey(name);
  if (!u && !pgp) v.user(name); // E_UNKNOWN_USER
  if (u?.isOwner) throw new SeeqretError('E_USAGE', `${name} is the owner of this vault`, 'The owner cannot be removed; create a new vault instead.');
  if (o.ask && !(await o.ask(`Remove user ${name}?`))) throw new SeeqretError('E_ABORTED', 'nothing was removed', 'Answer y, or pass --yes.');
  const r = v.removeUser(name);
  notes.info(u ? `Removed user ${name}${pgp ? ' and their PGP key' : ''}.` : `Removed the PGP key of ${name}.`);
  return r;
}

/** What `add user` was given, as text (its options). */
export interface PersonInput {
  /** Their user name. */
  readonly username?: string | undefined;
  /** Their e-mail address. */
  readonly email?: string | undefined;
  /** Their full name. */
  readonly name?: string | undefined;
  /** Their X25519 public key (base64 or age1…). */
  readonly pubkey?: string | undefined;
  /** A file with their OpenPGP public key. */
  readonly pgpKey?: string | undefined;
  /** Replace the PGP key already stored for this name. */
  readonly replace: boolean;
}

/**
 * The {@link AddPersonRequest} of `input`: every part checked (and the PGP key file read) before
 * a vault is opened.
 *
 * @throws SeeqretError `E_USAGE` (no name, or no key), `E_BAD_KEY`, the e-mail and PGP key errors.
 */
export async function personRequest(input: PersonInput): Promise<AddPersonRequest> {
  const { username, pubkey: key, pgpKey: pgpFile } = input;
  if (!username || (!key && !pgpFile)) {
    throw new SeeqretError('E_USAGE', 'add user needs --username and --pubkey (or --pgp-key FILE)', 'Paste the line the other person printed with `seeqret introduction`, or give their OpenPGP public key with --pgp-key.');
  }
  const { email, name, publicKey } = checkIntroduction({ username, pubkey: key, email: input.email, name: input.name });
  const pgp = pgpFile === undefined ? undefined : await readPgpPublicKey(readFileCapped(pgpFile, 'pgpKey'), pgpFile);
  return { username, email, name, publicKey, pgp: pgp && pgpFile !== undefined ? { key: pgp, file: pgpFile } : undefined, replace: input.replace };
}
