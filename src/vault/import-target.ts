/**
 * The vault an importer (`import-vault`, `restore`) writes into: the existing one, or a new one it
 * creates only once its input has been checked — and removes again (its files, and the folders
 * it had to make) when the import then fails, so that a retry starts from the same state. The
 * caller gives the resolved folder and how to open an existing vault (its passphrase chain, its
 * unlock agent); nothing here reads `process`.
 *
 * @module
 */
import fs from 'node:fs';
import { missingDirs, removeEmptyDirs } from '../util/fs.js';
import { vaultFiles } from './paths.js';
import { type InternalCreateOptions, createVault } from './internal.js';
import { Vault } from './vault.js';

/** An open import target: `vault`, whether the import created it, and `finish(ok)` to close it. */
export interface ImportTarget {
  readonly vault: Vault;
  readonly created: boolean;
  /** Close the vault; when the import created it and did not succeed, remove what it created. */
  finish(ok: boolean): void;
}

/** True when the folder `dir` already holds a vault. */
export function targetExists(dir: string): boolean {
  return Vault.probe(dir).exists;
}

/**
 * Open the vault in `dir` with `open()`, or — when there is none — create it with the options
 * `create()` gives (called only then). Call this after the input is fully validated.
 */
export async function openImportTarget(dir: string, open: () => Promise<Vault>, create: (dir: string) => Omit<InternalCreateOptions, 'dir'> | Promise<Omit<InternalCreateOptions, 'dir'>>): Promise<ImportTarget> {
  if (Vault.probe(dir).exists) {
    const vault = await open();
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
