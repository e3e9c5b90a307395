/**
 * The `backup` and `restore` use cases over a decrypted {@link VaultDump}. All or nothing:
 * {@link checkRestore} validates every entry before a caller creates a vault or writes a row;
 * {@link restoreInto} writes everything (audit log of a new vault, secrets with history, users,
 * sharing records, PGP keys, the `restore` entry) in one transaction.
 *
 * Nothing here touches `process`, a terminal or a file: the CLI reads and writes files, asks
 * for passphrases and prints the result.
 *
 * @module
 */
import { fingerprint, keyFromBase64 } from '../crypto/index.js';
import { SeeqretError } from '../errors.js';
import type { Notes } from '../notes.js';
import { atomicWriteFile, checkOutputPath } from '../util/atomic-write.js';
import type { InternalCreateOptions } from '../vault/internal.js';
import { type ImportSummary, Vault } from '../vault/vault.js';
import { type VaultDump, dumpToHtml, dumpVault, encryptDump } from './backup.js';

/** What a backup holds, for the person's summary line. */
export interface BackupMade {
  /** The age file (binary, or ASCII-armored). */
  readonly bytes: Uint8Array;
  readonly dump: VaultDump;
}

/**
 * Dump the vault and encrypt it with `passphrase` (age scrypt). Writes nothing: the caller puts
 * the bytes where they go, then calls {@link recordBackup}.
 */
export async function makeBackup(v: Vault, o: { passphrase: string; includeKeys: boolean; armor: boolean; /** scrypt work factor (log2 N); tests lower it. */ logN?: number }): Promise<BackupMade> {
  const dump = dumpVault(v, { includeKeys: o.includeKeys });
  return { bytes: await encryptDump(dump, o.passphrase, { armor: o.armor, ...(o.logN !== undefined ? { logN: o.logN } : {}) }), dump };
}

/** Record one `backup` audit entry for a backup written to `target`. */
export function recordBackup(v: Vault, made: BackupMade, o: { target: string; html: boolean }): void {
  v.audit([{ action: 'backup', target: o.target, detail: { secrets: made.dump.secrets.length, includeKeys: Boolean(made.dump.identitySecretKey), html: o.html } }]);
}

/** What `seeqret backup` writes: `file`, and with `html` the self-decrypting page next to it. */
export interface BackupTarget {
  readonly file: string;
  readonly passphrase: string;
  readonly includeKeys: boolean;
  readonly armor: boolean;
  readonly html: boolean;
  /** scrypt work factor (log2 N); tests lower it. */
  readonly logN?: number;
}

/** Make the backup, write it (and the HTML page) atomically, record it, and say what was written. */
export async function writeBackup(v: Vault, t: BackupTarget, notes: Notes): Promise<BackupMade> {
  // A path the write would refuse is refused before the passphrase's scrypt work (seconds).
  const html = `${t.file.replace(/\.age$/, '')}.html`;
  checkOutputPath(t.file);
  if (t.html) checkOutputPath(html);
  const made = await makeBackup(v, t);
  const { dump } = made;
  atomicWriteFile(t.file, made.bytes);
  notes.info(`Wrote ${t.file}: ${dump.secrets.length} secrets (with history), ${dump.users.length} users, ${dump.audit.length} audit entries${dump.identitySecretKey ? ', and the owner key pair' : ''}. Decrypt without seeqret: age -d ${t.file}`);
  if (t.html) {
    atomicWriteFile(html, dumpToHtml(dump, t.passphrase));
    notes.info(`Wrote ${html}: opens in any browser and asks for the same passphrase.`);
  }
  recordBackup(v, made, { target: t.file, html: t.html });
  return made;
}

/** The users of a dump with their keys decoded. */
function usersOf(dump: VaultDump): Array<VaultDump['users'][number] & { publicKey: Buffer }> {
  return dump.users.map((u) => {
    const publicKey = keyFromBase64(u.pubkey);
    if (!publicKey) throw new SeeqretError('E_BACKUP_FORMAT', `not a valid seeqret backup: user ${u.username} has no valid public key`, 'Use an intact copy of the file `seeqret backup` wrote.');
    return { ...u, publicKey };
  });
}

/**
 * Check every entry as the vault's writers would (names, values, types, user names, e-mail
 * addresses), without a vault: call it before creating one. `intoNew`: the owner is created
 * from the dump, so it is checked too.
 */
export function checkRestore(dump: VaultDump, intoNew: boolean): void {
  const users = usersOf(dump);
  Vault.validate(
    dump.secrets.flatMap((d) => [d, ...d.history.map((h) => ({ ...d, value: h.value, type: h.type }))].map((x) => ({ app: x.app, env: x.env, key: x.key, value: x.value, type: x.type }))),
    intoNew ? [dump.owner, ...users] : users,
    dump.pgpKeys ?? [],
  );
}

/** How to create the vault a backup is restored into when there is none (its owner, and the key pair when the backup has it). */
export function vaultFromBackup(dump: VaultDump): Omit<InternalCreateOptions, 'dir' | 'passphrase'> {
  const key = dump.identitySecretKey !== undefined ? keyFromBase64(dump.identitySecretKey) : undefined;
  return {
    username: dump.owner.username,
    email: dump.owner.email ?? '',
    ...(dump.owner.name ? { name: dump.owner.name } : {}),
    ...(key ? { identitySecretKey: key } : {}),
  };
}

/** What {@link restoreInto} did. */
export interface RestoreResult {
  readonly summary: ImportSummary;
  /** The users added (not in the vault before). */
  readonly usersAdded: readonly string[];
  /** The vault kept the backup's key pair (same public key). */
  readonly sameKeys: boolean;
}

/**
 * Restore `dump` into `v` in one transaction. `created`: `v` was just made for this restore (the
 * backup's audit log is imported first, verification marks are kept). Your own backup — into the
 * vault it came from, or one with your key — keeps each name's acceptance; another vault's
 * backup brings names someone else chose, so they start pending.
 */
export function restoreInto(v: Vault, dump: VaultDump, o: { created: boolean; overwrite: boolean; source: string }): RestoreResult {
  const users = usersOf(dump);
  const own = o.created || dump.vaultId === v.vaultId || dump.owner.pubkey === v.owner().pubkey;
  const r = v.atomically(() => {
    if (o.created) v.importAudit(dump.audit);
    const res = v.restoreAll(
      { secrets: dump.secrets, users, shares: dump.shares ?? [], loadedBundles: dump.loadedBundles ?? [], pgpKeys: dump.pgpKeys ?? [] },
      { overwrite: o.overwrite, keepVerified: o.created, ...(own ? {} : { received: `restore of ${dump.owner.username}'s backup` }) },
    );
    v.audit([{ action: 'restore', target: o.source, detail: { from: dump.vaultId, created: dump.created, added: res.summary.added, updated: res.summary.updated, skipped: res.summary.skipped, users: res.usersAdded.length } }]);
    return res;
  });
  return { summary: r.summary, usersAdded: r.usersAdded, sameKeys: dump.owner.pubkey === v.owner().pubkey };
}

/**
 * Say what {@link restoreInto} did: the vault created in `dir` (when `created`), each user added
 * with its key fingerprint, the counts, and for skipped secrets the command that replaces them
 * (`overwriteCommand`).
 */
export function reportRestore(v: Vault, dump: VaultDump, r: RestoreResult, o: { source: string; created: boolean; dir: string; overwriteCommand: string }, notes: Notes): void {
  const s = r.summary;
  if (o.created) {
    notes.info(`Created vault ${o.dir} for ${dump.owner.username}${r.sameKeys ? ' with the backed-up key pair (same public key)' : ' with a NEW key pair (the backup had no keys): send your new `seeqret introduction` to your team'}`);
  }
  for (const name of r.usersAdded) {
    const u = v.user(name);
    const key = keyFromBase64(u.pubkey);
    notes.info(`added user ${name}${key ? `, fingerprint ${fingerprint(key)}` : ''}${u.verifiedAt ? '' : ' (not verified: compare it with them, then `seeqret users verify`)'}`);
  }
  notes.info(`Restored from ${o.source}: ${s.added} added, ${s.updated} updated, ${s.skipped} skipped, ${s.unchanged} unchanged; ${r.usersAdded.length} user${r.usersAdded.length === 1 ? '' : 's'} added`);
  if (s.skipped) notes.info(`Skipped secrets have another value here; run \`${o.overwriteCommand}\` to replace them (the current value goes to history).`);
}
