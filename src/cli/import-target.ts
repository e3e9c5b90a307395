/**
 * The vault an importer (`import-vault`, `restore`) writes into: the existing one, or a new one it
 * creates only once its input has been checked — and removes again (its files, and the folders
 * it had to make) when the import then fails, so that a retry starts from the same state.
 *
 * @module
 */
import fs from 'node:fs';
import { missingDirs, removeEmptyDirs } from '../util/fs.js';
import { resolveVaultDir, vaultFiles } from '../vault/paths.js';
import { type InternalCreateOptions, createVault } from '../vault/internal.js';
import { Vault } from '../vault/vault.js';
import { type GlobalOptions, openVault } from './context.js';
import { io } from './cli-io.js';

/** An open import target: `vault`, whether the import created it, and `finish(ok)` to close it. */
export interface ImportTarget {
  readonly vault: Vault;
  readonly created: boolean;
  /** Close the vault; when the import created it and did not succeed, remove what it created. */
  finish(ok: boolean): void;
}

/** True when the resolved vault folder already holds a vault. */
export function targetExists(g: GlobalOptions): boolean {
  return Vault.probe(resolveVaultDir(g.vault, io().env)).exists;
}

/**
 * Open the vault of `g`, or — when there is none — create it with `create()` (called only then).
 * Call this after the input is fully validated.
 */
export async function openImportTarget(g: GlobalOptions, create: (dir: string) => Omit<InternalCreateOptions, 'dir'> | Promise<Omit<InternalCreateOptions, 'dir'>>): Promise<ImportTarget> {
  const dir = resolveVaultDir(g.vault, io().env);
  if (Vault.probe(dir).exists) {
    const vault = await openVault(g);
    const finish = (): void => {
      vault.close();
    };
    return { vault, created: false, finish };
  }
  const missing = missingDirs(dir);
  const opts = await create(dir);
  let vault: Vault;
  try {
    vault = createVault({ ...opts, dir });
  } catch (e) {
    removeEmptyDirs(missing);
    throw e;
  }
  return {
    vault,
    created: true,
    finish(ok: boolean): void {
      vault.close();
      if (ok) return;
      const files = vaultFiles(dir);
      for (const f of [files.db, `${files.db}-wal`, `${files.db}-shm`, files.key]) fs.rmSync(f, { force: true });
      removeEmptyDirs(missing);
    },
  };
}
