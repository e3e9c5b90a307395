/**
 * `seeqret backup` and `seeqret restore`.
 *
 * @module
 */
import { fingerprint, keyFromBase64 } from '../../crypto/index.js';
import { SeeqretError } from '../../errors.js';
import { decryptBackup, dumpToHtml, dumpVault, encryptDump } from '../../sharing/backup.js';
import { atomicWriteFile, readFileCapped } from '../../util/fs.js';
import { resolveVaultDir } from '../../vault/paths.js';
import { Vault, passphraseFromFile } from '../../vault/vault.js';
import { type GlobalOptions, info, openVault, promptHidden, promptNewSecret, stdinIsTTY, warnPermissions } from '../context.js';
import { commandLine } from '../hints.js';
import { openImportTarget, targetExists } from '../import-target.js';
import { newPassphrase } from './init.js';

async function backupPassphrase(o: Record<string, unknown>, confirmTwice: boolean): Promise<string> {
  const strong = (p: string): string => {
    if (confirmTwice && [...p].length < 8) throw new SeeqretError('E_USAGE', 'the backup passphrase is shorter than 8 characters', 'Choose a longer passphrase (several words work well).');
    return p;
  };
  const file = o['backupPassphraseFile'] as string | undefined;
  if (file) return strong(passphraseFromFile(file).toString('utf8'));
  const env = process.env['SEEQRET_BACKUP_PASSPHRASE'];
  if (env) return strong(env);
  if (!stdinIsTTY()) {
    throw new SeeqretError('E_PASSPHRASE_REQUIRED', 'a backup passphrase is needed and this is not a terminal', 'Set SEEQRET_BACKUP_PASSPHRASE or pass --backup-passphrase-file FILE.');
  }
  // A new backup passphrase is asked twice; the one of an existing backup (restore) once.
  if (confirmTwice) return promptNewSecret('Backup passphrase', { what: 'the backup passphrase', repeat: 'Repeat the backup passphrase', passphrase: true, check: strong });
  return promptHidden('Backup passphrase');
}

/** `backup [-o FILE] [--include-keys] [--html] [--armor]`. */
export async function backup(g: GlobalOptions, _a: unknown[], o: Record<string, unknown>): Promise<number> {
  const file = (o['out'] as string | undefined) ?? `seeqret-backup-${new Date().toISOString().slice(0, 10)}.age`;
  const passphrase = await backupPassphrase(o, true);
  const v = await openVault(g, { readonly: false });
  try {
    const dump = dumpVault(v, { includeKeys: o['includeKeys'] === true });
    const bytes = await encryptDump(dump, passphrase, { armor: o['armor'] === true });
    atomicWriteFile(file, bytes);
    info(`Wrote ${file}: ${dump.secrets.length} secrets (with history), ${dump.users.length} users, ${dump.audit.length} audit entries${dump.identitySecretKey ? ', and the owner key pair' : ''}. Decrypt without seeqret: age -d ${file}`);
    if (o['html']) {
      const html = `${file.replace(/\.age$/, '')}.html`;
      atomicWriteFile(html, dumpToHtml(dump, passphrase));
      info(`Wrote ${html}: opens in any browser and asks for the same passphrase.`);
    }
    v.audit([{ action: 'backup', target: file, detail: { secrets: dump.secrets.length, includeKeys: Boolean(dump.identitySecretKey), html: o['html'] === true } }]);
    return 0;
  } finally {
    v.close();
  }
}

/**
 * `restore FILE [--overwrite]`: into the resolved vault, creating it when it does not exist. All
 * or nothing: the backup is decrypted and every entry checked first; only then is a missing vault
 * created, and everything (audit log, secrets, users, records, the `restore` entry) written in one
 * transaction. A failure leaves no vault behind and changes nothing in an existing one.
 */
export async function restore(g: GlobalOptions, args: unknown[], o: Record<string, unknown>): Promise<number> {
  const file = args[0] as string;
  const bytes = readFileCapped(file, 'backup');
  const passphrase = await backupPassphrase(o, false);
  const dump = await decryptBackup(bytes, passphrase);
  const dir = resolveVaultDir(g.vault);
  const exists = targetExists(g);
  // Everything is checked before anything is created or written.
  const users = dump.users.map((u) => ({ ...u, publicKey: keyFromBase64(u.pubkey)! }));
  Vault.validate(
    dump.secrets.flatMap((d) => [d, ...d.history.map((h) => ({ ...d, value: h.value, type: h.type }))].map((x) => ({ app: x.app, env: x.env, key: x.key, value: x.value, type: x.type }))),
    exists ? users : [dump.owner, ...users],
    dump.pgpKeys ?? [],
  );
  const key = dump.identitySecretKey ? keyFromBase64(dump.identitySecretKey)! : undefined;
  const target = await openImportTarget(g, async () => {
    const vaultPass = o['passphrase'] ? await newPassphrase(g) : undefined;
    return { username: dump.owner.username, email: dump.owner.email ?? '', ...(dump.owner.name ? { name: dump.owner.name } : {}), ...(vaultPass ? { passphrase: vaultPass } : {}), ...(key ? { identitySecretKey: key } : {}) };
  });
  const v = target.vault;
  let ok = false;
  try {
    // Your own backup (into the vault it restores, or one with your key or vault id) keeps each
    // name's acceptance; another vault's backup brings names someone else chose: they start pending.
    const own = target.created || dump.vaultId === v.vaultId || dump.owner.pubkey === v.owner().pubkey;
    const { summary: s, usersAdded } = v.atomically(() => {
      if (target.created) v.importAudit(dump.audit);
      const r = v.restoreAll(
        { secrets: dump.secrets, users, shares: dump.shares ?? [], loadedBundles: dump.loadedBundles ?? [], pgpKeys: dump.pgpKeys ?? [] },
        { overwrite: o['overwrite'] === true, keepVerified: target.created, ...(own ? {} : { received: `restore of ${dump.owner.username}'s backup` }) },
      );
      v.audit([{ action: 'restore', target: file, detail: { from: dump.vaultId, created: dump.created, added: r.summary.added, updated: r.summary.updated, skipped: r.summary.skipped, users: r.usersAdded.length } }]);
      return r;
    });
    ok = true;
    if (target.created) {
      warnPermissions(dir);
      info(`Created vault ${dir} for ${dump.owner.username}${key ? ' with the backed-up key pair (same public key)' : ' with a NEW key pair (the backup had no keys): send your new `seeqret introduction` to your team'}`);
    }
    for (const name of usersAdded) {
      const u = v.user(name);
      info(`added user ${name}, fingerprint ${fingerprint(keyFromBase64(u.pubkey)!)}${u.verifiedAt ? '' : ' (not verified: compare it with them, then `seeqret users verify`)'}`);
    }
    info(`Restored from ${file}: ${s.added} added, ${s.updated} updated, ${s.skipped} skipped, ${s.unchanged} unchanged; ${usersAdded.length} user${usersAdded.length === 1 ? '' : 's'} added`);
    if (s.skipped) info(`Skipped secrets have another value here; run \`${commandLine(g, 'restore', file, '--overwrite', ...(o['backupPassphraseFile'] ? ['--backup-passphrase-file', String(o['backupPassphraseFile'])] : []))}\` to replace them (the current value goes to history).`);
    return 0;
  } finally {
    target.finish(ok);
  }
}
