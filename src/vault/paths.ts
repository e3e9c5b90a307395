/**
 * Where the vault lives and what its files are called.
 *
 * @module
 */
import os from 'node:os';
import path from 'node:path';

/** SQLite database file inside the vault folder. */
export const DB_FILE = 'vault.db';
/** Key file inside the vault folder. */
export const KEY_FILE = 'vault.key';
/** Marker file of a server vault whose group may read it (written by `seeqret server init`). */
export const SERVER_MARKER = 'server-group';
/** Database file name of the old (Python / v1) seeqret tool, recognised to give a helpful error. */
export const OLD_DB_FILE = 'seeqrets.db';

/**
 * Resolve the vault folder: the explicit `dir`, else the `SEEQRET` environment variable,
 * else `~/.seeqret`.
 */
export function resolveVaultDir(dir?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (dir) return path.resolve(dir);
  const fromEnv = env['SEEQRET'];
  if (fromEnv) return path.resolve(fromEnv);
  return path.join(os.homedir(), '.seeqret');
}

/** Paths of the files of a vault folder. */
export function vaultFiles(dir: string): { dir: string; db: string; key: string } {
  return { dir, db: path.join(dir, DB_FILE), key: path.join(dir, KEY_FILE) };
}
