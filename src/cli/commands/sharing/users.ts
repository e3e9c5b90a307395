/**
 * Identities and users: `owner`, `whoami`, `public-key`, `introduction`, `users`,
 * `users verify`, `add user`, `rm user`.
 *
 * @module
 */
import { toAgeRecipient } from '../../../crypto/age.js';
import { formatFingerprint } from '../../../crypto/pgp.js';
import { introductionLine } from '../../../sharing/introduction.js';
import { addPerson, personRequest, removePerson, userFingerprint, verifyUserKey } from '../../../sharing/people.js';
import { type Column, isoTime, parseFormat } from '../../../formats/output.js';
import { type UserRecord, secretLabel } from '../../../vault/vault.js';
import { type GlobalOptions, confirm, info, out, printRows, warn, withVault, writeJson } from '../../context.js';
import type { ReportFormat } from '../../options.js';

const fp = userFingerprint;

const USER_COLUMNS: Column[] = [
  { key: 'username', header: 'username' },
  { key: 'email', header: 'email' },
  { key: 'pubkey', header: 'public key' },
  { key: 'fingerprint', header: 'fingerprint' },
  { key: 'verified', header: 'verified' },
];

function userRow(u: UserRecord): Record<string, unknown> {
  return { username: u.username, email: u.email, name: u.name, pubkey: u.pubkey, fingerprint: fp(u), verified: u.isOwner ? 'owner' : isoTime(u.verifiedAt) || 'no' };
}

/** Options of `seeqret owner`. */
export interface OwnerOptions {
  /** `--format FORMAT`: output format (default table). */
  readonly format: string;
}

/** `owner`: the vault owner with key and fingerprint. */
export async function owner(g: GlobalOptions, o: OwnerOptions): Promise<number> {
  return withVault(g, async (v) => {
    await printRows([userRow(v.owner())], USER_COLUMNS.slice(0, 4), parseFormat(o.format));
    return 0;
  }, { readonly: true });
}

/** Options of `seeqret whoami`. */
export interface WhoamiOptions {
  /** `--format text|json`. */
  readonly format: ReportFormat;
}

/** `whoami`: the owner's user name and e-mail. */
export async function whoami(g: GlobalOptions, o: WhoamiOptions): Promise<number> {
  return withVault(g, (v) => {
    const u = v.owner();
    if (o.format === 'json') {
      writeJson({ username: u.username, email: u.email, name: u.name, pubkey: u.pubkey, fingerprint: fp(u) });
      return 0;
    }
    out(u.email ? `${u.username} <${u.email}>` : u.username);
    return 0;
  }, { readonly: true });
}

/** Options of `seeqret public-key`. */
export interface PublicKeyOptions {
  /** `--age`: print it as an age recipient (age1…). */
  readonly age?: boolean;
}

/** `public-key [--age]`. */
export async function publicKey(g: GlobalOptions, o: PublicKeyOptions): Promise<number> {
  return withVault(g, (v) => {
    out(o.age ? toAgeRecipient(v.publicKey) : v.owner().pubkey);
    return 0;
  }, { readonly: true });
}

/** `introduction`: a ready-to-paste `seeqret add user` line for yourself, and your fingerprint. */
export async function introduction(g: GlobalOptions): Promise<number> {
  return withVault(g, (v) => {
    const u = v.owner();
    out(introductionLine(u));
    out(`# fingerprint of ${u.username}'s key: ${fp(u)} (compare it on a call: seeqret users verify ${u.username})`);
    return 0;
  }, { readonly: true });
}

/** Options of `seeqret users`. */
export interface UsersOptions {
  /** `--export`: print `seeqret add user` lines for every user. */
  readonly export?: boolean;
  /** `--pgp`: list the stored OpenPGP keys. */
  readonly pgp?: boolean;
  /** `--format FORMAT`: output format (default table). */
  readonly format: string;
}

/** `users [--export]`. */
export async function users(g: GlobalOptions, o: UsersOptions): Promise<number> {
  return withVault(g, async (v) => {
    if (o.pgp) {
      // User IDs and addresses come from someone else's key file: tables escape them, --format keeps them exact.
      const names = new Set(v.users().map((u) => u.username));
      const rows = v.pgpKeys().map((k) => ({ username: k.username, email: k.email, fingerprint: formatFingerprint(k.fingerprint), user: names.has(k.username) ? 'yes' : 'no', userIds: k.userIds.join('; ') }));
      const cols: Column[] = [
        { key: 'username', header: 'name' },
        { key: 'email', header: 'sends to' },
        { key: 'fingerprint', header: 'PGP fingerprint' },
        { key: 'user', header: 'vault user' },
        { key: 'userIds', header: 'user IDs' },
      ];
      await printRows(rows, cols, parseFormat(o.format));
      return 0;
    }
    const list = v.users();
    if (o.export) {
      for (const u of list) out(introductionLine(u));
      return 0;
    }
    await printRows(list.map(userRow), USER_COLUMNS, parseFormat(o.format));
    return 0;
  }, { readonly: true });
}

/** Options of `seeqret users verify`. */
export interface VerifyOptions {
  /** `--fingerprint DIGITS`: the fingerprint they read to you (checked, no question asked). */
  readonly fingerprint?: string;
  /** `-y/--yes`: do not ask. */
  readonly yes?: boolean;
}

/** `users verify NAME [--fingerprint FP] [--yes]`: record that the key's fingerprint was checked. */
export async function verify(g: GlobalOptions, name: string, o: VerifyOptions): Promise<number> {
  return withVault(g, async (v) => {
    await verifyUserKey(v, name, { given: o.fingerprint, ask: o.yes ? undefined : confirm }, { info });
    return 0;
  });
}

/** Options of `seeqret add user`. */
export interface AddUserOptions {
  /** `--username NAME`: their user name. */
  readonly username?: string;
  /** `--email ADDR`: their e-mail address. */
  readonly email?: string;
  /** `--name FULL`: their full name. */
  readonly name?: string;
  /** `--pubkey KEY`: their X25519 public key (base64 or age1…). */
  readonly pubkey?: string;
  /** `--pgp-key FILE`: their OpenPGP public key file. */
  readonly pgpKey?: string;
  /** `--overwrite` (old spelling `--force`): replace the PGP key already stored for this name. */
  readonly overwrite?: boolean;
}

/**
 * `add user --username NAME [--email --pubkey --name] [--pgp-key FILE [--overwrite]]`: add a vault user
 * (X25519 key), and/or store an OpenPGP public key for `send` under NAME (a vault user's name, or a
 * contact known only by that key).
 */
export async function addUser(g: GlobalOptions, o: AddUserOptions): Promise<number> {
  const req = await personRequest({ ...o, replace: o.overwrite === true });
  return withVault(g, (v) => {
    addPerson(v, req, { info, warn });
    return 0;
  });
}

/** Options of `seeqret rm user`. */
export interface RmUserOptions {
  /** `-y/--yes`: do not ask. */
  readonly yes?: boolean;
}

/** `rm user NAME [--yes]`: remove a user, list what they received, mark still-current values exposed. */
export async function rmUser(g: GlobalOptions, name: string, o: RmUserOptions): Promise<number> {
  return withVault(g, async (v) => {
    const r = await removePerson(v, name, { ask: o.yes ? undefined : confirm }, { info });
    if (r.received.length === 0) {
      info(`${name} never received secrets from this vault.`);
      return 0;
    }
    out(`${name} received ${r.received.length} secret${r.received.length === 1 ? '' : 's'} from this vault:`);
    const exposed = new Set(r.exposed.map(secretLabel));
    for (const s of r.received) out(`  ${secretLabel(s)}${exposed.has(secretLabel(s)) ? '   EXPOSED: change it' : '   (changed since)'}`);
    if (r.exposed.length) {
      warn(`${r.exposed.length} secret${r.exposed.length === 1 ? ' is' : 's are'} marked exposed: change ${r.exposed.length === 1 ? 'it' : 'them'} at the service, then with \`seeqret edit value\`; \`seeqret list --exposed\` shows what is left.`);
    }
    return 0;
  });
}
