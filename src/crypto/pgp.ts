/**
 * OpenPGP for `send`, through OpenPGP.js (`openpgp`, an audited implementation of RFC 4880/9580):
 * reading and checking a recipient's public key, and encrypting a message to it.
 *
 * `openpgp` is large, so it is imported only when one of these functions runs.
 *
 * @module
 */
import { SeeqretError } from '../errors.js';
import { printable } from '../util/text.js';

/** What seeqret keeps of a recipient's public key. */
export interface PgpPublicKey {
  /** The primary key's fingerprint, lower-case hex. */
  readonly fingerprint: string;
  /** Every user ID (`Name <address>`). */
  readonly userIds: readonly string[];
  /** The addresses of the user IDs, the primary user ID's first (as written, without duplicates). */
  readonly emails: readonly string[];
  /** The public key, ASCII-armored (re-encoded: only the public parts). */
  readonly armored: string;
  /** e.g. `eddsaLegacy`/`ecdh`, `rsaEncryptSign 3072`. */
  readonly algorithm: string;
  /** When the key expires (`null`: never). */
  readonly expires: Date | null;
}

const FIX_EXPORT = 'Export the public key with `gpg --export --armor ADDRESS > key.asc` and give that file.';

function keyError(file: string, what: string, fix = FIX_EXPORT): SeeqretError {
  return new SeeqretError('E_PGP_KEY', `${printable(file)}: ${what}`, fix);
}

/** The first line of an OpenPGP.js error, for messages (it never holds secret data here). */
function reason(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return printable((text.split('\n')[0] ?? '').slice(0, 160));
}

/** Group a fingerprint for display, as gpg does: `ABCD 1234 ...`. */
export function formatFingerprint(fpr: string): string {
  return fpr.toUpperCase().replace(/(.{4})(?=.)/g, '$1 ');
}

/**
 * Read one OpenPGP public key (armored or binary) and check that mail can be encrypted to it.
 *
 * @param data - The file's bytes.
 * @param file - Named in messages.
 * @throws SeeqretError `E_PGP_KEY` when the data is not exactly one OpenPGP key, is a secret key,
 *   is revoked, expired or has an invalid self-signature, or has no usable encryption key.
 */
export async function readPgpPublicKey(data: Uint8Array, file: string): Promise<PgpPublicKey> {
  const openpgp = await import('openpgp');
  const text = Buffer.from(data).toString('latin1');
  const armored = /^\s*-----BEGIN PGP /.test(text);
  const blocks = armored ? (text.match(/^-----BEGIN PGP [A-Z ]+-----/gm) ?? []).length : 1;
  if (blocks > 1) throw keyError(file, `holds ${blocks} armored blocks; give exactly one key`);
  let keys: Awaited<ReturnType<typeof openpgp.readKeys>>;
  try {
    keys = armored ? await openpgp.readKeys({ armoredKeys: Buffer.from(data).toString('utf8') }) : await openpgp.readKeys({ binaryKeys: data });
  } catch (e) {
    throw keyError(file, `not an OpenPGP public key (${reason(e)})`);
  }
  const key = keys[0];
  if (keys.length !== 1 || key === undefined) throw keyError(file, `holds ${keys.length} keys; give exactly one`);
  if (key.isPrivate()) {
    throw keyError(file, 'is a SECRET key; seeqret stores only public keys (nothing was stored)', 'Give the public key: `gpg --export --armor ADDRESS > key.asc` (never the output of --export-secret-keys).');
  }
  try {
    await key.verifyPrimaryKey();
  } catch (e) {
    throw keyError(file, `the key cannot be used: ${reason(e)}`, 'Ask its owner for a current, unrevoked key.');
  }
  try {
    await key.getEncryptionKey();
  } catch (e) {
    throw keyError(file, `the key has no usable encryption subkey (${reason(e)})`, 'Ask its owner for a key that can encrypt (gpg --quick-add-key FPR default encr).');
  }
  const emails: string[] = [];
  const userIds: string[] = [];
  let primaryIndex = -1;
  try {
    primaryIndex = (await key.getPrimaryUser()).index;
  } catch {
    primaryIndex = -1;
  }
  const primary = primaryIndex >= 0 ? key.users[primaryIndex] : undefined;
  const users = primary ? [primary, ...key.users.filter((_, i) => i !== primaryIndex)] : key.users;
  for (const u of users) {
    if (!u.userID) continue;
    userIds.push(u.userID.userID);
    const email = u.userID.email;
    if (email && !emails.some((x) => x.toLowerCase() === email.toLowerCase())) emails.push(email);
  }
  const exp = await key.getExpirationTime();
  const info = key.getAlgorithmInfo();
  return {
    fingerprint: key.getFingerprint().toLowerCase(),
    userIds,
    emails,
    armored: key.toPublic().armor(),
    algorithm: [info.algorithm, info.curve ?? info.bits].filter((x) => x !== undefined).join(' '),
    expires: exp instanceof Date ? exp : null,
  };
}

/**
 * Encrypt `text` to the one public key `armoredKey` (not signed), as an ASCII-armored OpenPGP
 * message that `gpg -d` decrypts.
 *
 * @param who - The key's owner, named in messages.
 * @throws SeeqretError `E_PGP_KEY` when the stored key can no longer encrypt (e.g. it expired).
 */
export async function encryptToPgpKey(armoredKey: string, text: string, who: string): Promise<string> {
  const openpgp = await import('openpgp');
  let key: Awaited<ReturnType<typeof openpgp.readKey>>;
  try {
    key = await openpgp.readKey({ armoredKey });
  } catch (e) {
    throw new SeeqretError('E_PGP_KEY', `the stored PGP key of ${printable(who)} cannot be read (${reason(e)})`, 'Store their public key again (`addPgpKey` with `{ replace: true }`).', { remedy: { id: 'reimport-pgp-key', arg: printable(who) } });
  }
  try {
    const message = await openpgp.createMessage({ text });
    return await openpgp.encrypt({ message, encryptionKeys: key.toPublic(), format: 'armored' });
  } catch (e) {
    throw new SeeqretError('E_PGP_KEY', `cannot encrypt to the PGP key of ${printable(who)}: ${reason(e)}`, 'Get a current key from them and store it (`addPgpKey` with `{ replace: true }`).', { remedy: { id: 'renew-pgp-key', arg: printable(who) } });
  }
}
