/**
 * `seeqret backup` and `seeqret restore`.
 *
 * @module
 */
import { decryptBackup } from '../../../sharing/backup.js';
import { checkRestore, reportRestore, restoreInto, vaultFromBackup, writeBackup } from '../../../sharing/restore.js';
import { readFileCapped } from '../../../util/read-capped.js';
import { resolveVaultDir } from '../../../vault/paths.js';
import { type GlobalOptions, info, openVault, warn, warnPermissions } from '../../context.js';
import { commandLine } from '../../hints.js';
import { openImportTarget, targetExists } from '../../../vault/import-target.js';
import { newPassphrase } from '../vault/init.js';
import { io } from '../../cli-io.js';
import { backupPassphraseRequest, requirePassphrase } from '../../../passphrase.js';
import { cliPassphrases } from '../../passphrases.js';

async function backupPassphrase(o: { readonly backupPassphraseFile?: string }, confirmTwice: boolean): Promise<string> {
  // A new backup passphrase is asked twice; the one of an existing backup (restore) once.
  const p = await requirePassphrase(cliPassphrases({ backup: o.backupPassphraseFile }), backupPassphraseRequest(confirmTwice), {
    message: 'a backup passphrase is needed and this is not a terminal',
    fix: 'Set SEEQRET_BACKUP_PASSPHRASE or pass --backup-passphrase-file FILE.',
  });
  return p.toString('utf8');
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
    const logN = io().backupWorkFactor;
    await writeBackup(v, { file, passphrase, includeKeys: o.includeKeys === true, armor: o.armor === true, html: o.html === true, ...(logN === undefined ? {} : { logN }) }, { info, warn });
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
  checkRestore(dump, !targetExists(dir));
  const target = await openImportTarget(dir, () => openVault(g), async () => {
    const vaultPass = o.passphrase ? await newPassphrase(g) : undefined;
    return { ...vaultFromBackup(dump), ...(vaultPass ? { passphrase: vaultPass } : {}) };
  });
  const v = target.vault;
  let ok = false;
  try {
    const r = restoreInto(v, dump, { created: target.created, overwrite: o.overwrite === true, source: file });
    ok = true;
    if (target.created) warnPermissions(dir);
    const overwriteCommand = commandLine(g, 'restore', file, '--overwrite', ...(o.backupPassphraseFile ? ['--backup-passphrase-file', o.backupPassphraseFile] : []));
    reportRestore(v, dump, r, { source: file, created: target.created, dir, overwriteCommand }, { info, warn });
    return 0;
  } finally {
    target.finish(ok);
  }
}
