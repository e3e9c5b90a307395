/**
 * Where the unlock agent listens, and the checks that only its user can reach it: a 0700 runtime
 * folder owned by the user (`$XDG_RUNTIME_DIR/seeqret`, else `<temp>/seeqret-<uid>`) holding one
 * 0600 socket per vault, named by the vault's id.
 *
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import { SeeqretError } from '../errors.js';
import { hostOs, hostUid } from '../host.js';

/** The files of one vault's agent. */
export interface AgentFiles {
  /** The runtime folder (0700). */
  readonly dir: string;
  /** The Unix socket (0600). */
  readonly socket: string;
  /** The agent's log (0600): start, end and why; never a value or key. */
  readonly log: string;
}

/** The current user's (effective) uid, -1 where the platform has none: the uid `os.userInfo()` reports, without its user-database lookup. */
export function currentUid(): number {
  return hostUid();
}

/** The runtime folder for `env` (`XDG_RUNTIME_DIR` when it is an absolute path). */
export function agentRuntimeDir(env: Readonly<Record<string, string | undefined>>, uid: number = currentUid()): string {
  const xdg = env['XDG_RUNTIME_DIR'];
  if (xdg !== undefined && xdg !== '' && path.isAbsolute(xdg)) return path.join(xdg, 'seeqret');
  return path.join(hostOs().tmpdir(), `seeqret-${String(uid)}`);
}

/** The agent files of the vault `vaultId` (hex) in `runtimeDir`. */
export function agentFiles(runtimeDir: string, vaultId: string): AgentFiles {
  const id = /^[0-9a-f]{8,64}$/.test(vaultId) ? vaultId : 'invalid';
  return { dir: runtimeDir, socket: path.join(runtimeDir, `${id}.sock`), log: path.join(runtimeDir, `${id}.log`) };
}

/**
 * Why `file` is not private to `uid` (a folder: 0700 or narrower; a socket: no group or other
 * bits), or `undefined` when it is. Symbolic links are refused.
 */
export function notPrivate(file: string, kind: 'folder' | 'socket', uid: number): string | undefined {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(file);
  } catch (e) {
    return `${file}: ${(e as NodeJS.ErrnoException).code ?? 'cannot be read'}`;
  }
  if (kind === 'folder' ? !st.isDirectory() : !st.isSocket()) return `${file} is not a ${kind}${st.isSymbolicLink() ? ' (a symbolic link)' : ''}`;
  if (uid >= 0 && st.uid !== uid) return `${file} belongs to uid ${String(st.uid)}, not to you (uid ${String(uid)})`;
  if ((st.mode & 0o077) !== 0) return `${file} has mode ${(st.mode & 0o777).toString(8)}, open to group or others`;
  return undefined;
}

/** Create (0700) or check the runtime folder; `E_PERMISSIONS` when it is not private to `uid`. */
export function ensureRuntimeDir(dir: string, uid: number = currentUid()): void {
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new SeeqretError('E_PERMISSIONS', `cannot create the agent folder ${dir}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, 'Check XDG_RUNTIME_DIR (or the temp folder) and its permissions.');
    }
  }
  const why = notPrivate(dir, 'folder', uid);
  if (why !== undefined) throw new SeeqretError('E_PERMISSIONS', `the agent folder is not private: ${why}`, `Remove ${dir} (or chmod 700 it if it is yours) and run \`seeqret unlock\` again.`);
}
