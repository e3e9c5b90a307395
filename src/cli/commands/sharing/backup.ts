/**
 * `seeqret backup` and `seeqret restore`.
 *
 * @module
 */
import { fingerprint, keyFromBase64 } from '../../../crypto/index.js';
import { SeeqretError } from '../../../errors.js';
import { decryptBackup, dumpToHtml } from '../../../sharing/backup.js';
import { checkRestore, makeBackup, recordBackup, restoreInto, vaultFromBackup } from '../../../sharing/restore.js';
import { atomicWriteFile } from '../../../util/atomic-write.js';
import { readFileCapped } from '../../../util/read-capped.js';
import { resolveVaultDir } from '../../../vault/paths.js';
import { passphraseFromFile } from '../../../vault/vault.js';
import { type GlobalOptions, info, openVault, promptHidden, promptNewSecret, stdinIsTTY, warnPermissions } from '../../context.js';
import { commandLine } from '../../hints.js';
import { openImportTarget, targetExists } from '../../import-target.js';
import { newPassphrase } from '../vault/init.js';
import { io } from '../../cli-io.js';

async function backupPassphrase(o: { readonly backupPassphraseFile?: string }, confirmTwice: boolean): Promise<string> {
  const strong = (p: string): string => {
    if (confirmTwice && [...p].length < 8) throw new SeeqretError('E_USAGE', 'the backup passphrase is shorter than 8 characters', 'Choose a longer passphrase (several words work well).');
    return p;
  };
  const file = o.backupPassphraseFile;
  if (file) return strong(passphraseFromFile(file).toString('utf8'));
  const env = io().env['SEEQRET_BACKUP_PASSPHRASE'];
  if (env) return strong(env);
  if (!stdinIsTTY()) {
    throw new SeeqretError('E_PASSPHRASE_REQUIRED', 'a backup passphrase is needed and this is not a terminal', 'Set SEEQRET_BACKUP_PASSPHRASE or pass --backup-passphrase-file FILE.');
  }
  // A new backup passphrase is asked twice; the one of an existing backup (restore) once.
  if (confirmTwice) return promptNewSecret('Backup passphrase', { what: 'the backup passphrase', repeat: 'Repeat the backup passphrase', passphrase: true, check: strong });
  return promptHidden('Backup passphrase');
}

/** Options of `seeqret backup`. */
export interface BackupOptions {
  /** `-o/--out FILE`: output file (default seeqret-backup-DATE.age). */
  readonly out?: string;
  /** `--include-keys`: include the owner's key pair. */
  readonly includeKeys?: boolean;
  /** `--html`: also write the old tool's self-decrypting HTML page. */
  readonly html?: boolean;
  /** `--armor`: ASCII-armored age file. */
  readonly armor?: boolean;
  /** `--backup-passphrase-file FILE`: the backup passphrase from FILE. */
  readonly backupPassphraseFile?: string;
}

/** `backup [-o FILE] [--include-keys] [--html] [--armor]`. */
export async function backup(g: GlobalOptions, o: BackupOptions): Promise<number> {
  const file = o.out ?? `seeqret-backup-${new Date().toISOString().slice(0, 10)}.age`;
  const passphrase = await backupPassphrase(o, true);
  const v = await openVault(g, { readonly: false });
  try {
    const made = await makeBackup(v, { passphrase, includeKeys: o.includeKeys === true, armor: o.armor === true });
    const { dump } = made;
    atomicWriteFile(file, made.bytes);
    info(`Wrote ${file}: ${dump.secrets.length} secrets (with history), ${dump.users.length} users, ${dump.audit.length} audit entries${dump.identitySecretKey ? ', and the owner key pair' : ''}. Decrypt without seeqret: age -d ${file}`);
    if (o.html) {
      const html = `${file.replace(/\.age$/, '')}.html`;
      atomicWriteFile(html, dumpToHtml(dump, passphrase));
      info(`Wrote ${html}: opens in any browser and asks for the same passphrase.`);
    }
    recordBackup(v, made, { target: file, html: o.html === true });
    return 0;
  } finally {
    v.close();
  }
}

/** Options of `seeqret restore`. */
export interface RestoreOptions {
  /** `--overwrite`: replace existing secrets that have another value. */
  readonly overwrite?: boolean;
  /** `--passphrase`: protect a newly created vault with a passphrase. */
  readonly passphrase?: boolean;
  /** `--backup-passphrase-file FILE`: the backup passphrase from FILE. */
  readonly backupPassphraseFile?: string;
}

/**
 * `restore FILE [--overwrite]`: into the resolved vault, creating it when it does not exist. All
 * or nothing: the backup is decrypted and every entry checked first; only then is a missing vault
 * created, and everything written in one transaction (src/sharing/restore.ts). A failure leaves
 * no vault behind and changes nothing in an existing one.
 */
export async function restore(g: GlobalOptions, file: string, o: RestoreOptions): Promise<number> {
  const bytes = readFileCapped(file, 'backup');
  const passphrase = await backupPassphrase(o, false);
  const dump = await decryptBackup(bytes, passphrase);
  const dir = resolveVaultDir(g.vault, io().env);
  // Everything is checked before anything is created or written.
  checkRestore(dump, !targetExists(g));
  const target = await openImportTarget(g, async () => {
    const vaultPass = o.passphrase ? await newPassphrase(g) : undefined;
    return { ...vaultFromBackup(dump), ...(vaultPass ? { passphrase: vaultPass } : {}) };
  });
  const v = target.vault;
  let ok = false;
  try {
    const { summary: s, usersAdded, sameKeys } = restoreInto(v, dump, { created: target.created, overwrite: o.overwrite === true, source: file });
    ok = true;
    if (target.created) {
      warnPermissions(dir);
      info(`Created vault ${dir} for ${dump.owner.username}${sameKeys ? ' with the backed-up key pair (same public key)' : ' with a NEW key pair (the backup had no keys): send your new `seeqret introduction` to your team'}`);
    }
    for (const name of usersAdded) {
      const u = v.user(name);
      const key = keyFromBase64(u.pubkey);
      info(`added user ${name}${key ? `, fingerprint ${fingerprint(key)}` : ''}${u.verifiedAt ? '' : ' (not verified: compare it with them, then `seeqret users verify`)'}`);
    }
    info(`Restored from ${file}: ${s.added} added, ${s.updated} updated, ${s.skipped} skipped, ${s.unchanged} unchanged; ${usersAdded.length} user${usersAdded.length === 1 ? '' : 's'} added`);
    if (s.skipped) info(`Skipped secrets have another value here; run \`${commandLine(g, 'restore', file, '--overwrite', ...(o.backupPassphraseFile ? ['--backup-passphrase-file', o.backupPassphraseFile] : []))}\` to replace them (the current value goes to history).`);
    return 0;
  } finally {
    target.finish(ok);
  }
}
