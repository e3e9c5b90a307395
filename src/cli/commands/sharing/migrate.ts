/**
 * `seeqret import-vault PATH [--keep-identity] [--overwrite]`: migrate a vault folder of the old
 * seeqret tool (the use case: src/legacy/import-vault.ts).
 *
 * All or nothing: the old vault is read and decrypted whole, every name, value and user is
 * checked, and only then is the vault created (when there is none) and everything — secrets,
 * users, the audit entry — written in one transaction. A failure leaves no vault folder, file or
 * row behind, so the same command can simply be run again once the input is fixed.
 *
 * @module
 */
import { SeeqretError } from '../../../errors.js';
import { importOldVault, readOldVault } from '../../../legacy/import-vault.js';
import { resolveVaultDir } from '../../../vault/paths.js';
import { type GlobalOptions, info, openVault, warn, warnPermissions } from '../../context.js';
import { commandLine } from '../../hints.js';
import { openImportTarget, targetExists } from '../../../vault/import-target.js';
import { io } from '../../cli-io.js';

/** The options of `import-vault`. */
export interface ImportVaultOptions {
  readonly keepIdentity?: boolean;
  readonly overwrite?: boolean;
}

export async function importVault(g: GlobalOptions, source: string, o: ImportVaultOptions): Promise<number> {
  const dir = resolveVaultDir(g.vault, io().env);
  const exists = targetExists(dir);
  const keep = o.keepIdentity === true;
  const old = readOldVault(source, !exists);
  try {
    if (exists && keep) {
      throw new SeeqretError('E_VAULT_EXISTS', `--keep-identity needs a new vault, and ${dir} already exists`, 'Point --vault at a new folder, or import without --keep-identity.');
    }
    for (const w of old.warnings) warn(w);
    const target = await openImportTarget(dir, () => openVault(g), () => old.vaultOptions(keep));
    let ok = false;
    try {
      const { summary: s, usersAdded } = importOldVault(target.vault, old, { overwrite: o.overwrite === true });
      ok = true;
      if (target.created) {
        warnPermissions(dir);
        info(`Created vault ${dir} for ${target.vault.owner().username}${keep ? ' with the old key pair (same public key)' : ' with a new key pair'}`);
      }
      info(`Imported ${source}: ${s.added} added, ${s.updated} updated, ${s.skipped} skipped, ${s.unchanged} unchanged; users added: ${usersAdded.length ? usersAdded.join(', ') : 'none'}`);
      if (s.skipped) info(`Skipped secrets have another value here; run \`${commandLine(g, 'import-vault', source, '--overwrite')}\` to replace them (the current value goes to history).`);
      if (!keep && target.created) warn('your public key changed: send your new `seeqret introduction` to the people who share with you (to keep the old key pair instead, import into a new vault folder with --keep-identity)');
      return 0;
    } finally {
      target.finish(ok);
    }
  } finally {
    old.dispose();
  }
}
