/**
 * Where the vault lives and what its files are called.
 *
 * @module
 */
import path from 'node:path';
import { hostEnvironment, hostOs } from '../host.js';

/** SQLite database file inside the vault folder. */
export const DB_FILE = 'vault.db';
/** Key file inside the vault folder. */
export const KEY_FILE = 'vault.key';
/** Marker file of a server vault whose group may read it (written by `seeqret server init`). */
export const SERVER_MARKER = 'server-group';
/** Database file name of the old (Python / v1) seeqret tool, recognised to give a helpful error. */
export const OLD_DB_FILE = 'seeqrets.db';

/**
 * Resolve the vault folder: the explicit `dir`, else the `SEEQRET` variable of `env`, else
 * `.seeqret` in `env`'s HOME (the account's home folder when it has none). The caller passes its
 * environment: the CLI its run's; the library's default is the process's.
 */
export function resolveVaultDir(dir?: string, env: Readonly<Record<string, string | undefined>> = hostEnvironment()): string {
  if (dir) return path.resolve(dir);
  const fromEnv = env['SEEQRET'];
  if (fromEnv) return path.resolve(fromEnv);
  const home = env['HOME'];
  return path.join(home !== undefined && home !== '' ? home : hostOs().homedir(), '.seeqret');
}

/** Paths of the files of a vault folder. */
export function vaultFiles(dir: string): { dir: string; db: string; key: string } {
  return { dir, db: path.join(dir, DB_FILE), key: path.join(dir, KEY_FILE) };
}
