/**
 * Asking git whether a file would be committed.
 *
 * @module
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

/**
 * Whether git ignores `file`: `'ignored'`, `'not-ignored'` (inside a git work tree and neither
 * ignored nor excluded; a tracked file is never ignored), or `'unknown'` (not in a work tree, git
 * not installed, or git failed). Runs `git check-ignore` in the file's folder; no shell.
 */
export function gitIgnoreStatus(file: string): 'ignored' | 'not-ignored' | 'unknown' {
  const abs = path.resolve(file);
  let r;
  try {
    r = spawnSync('git', ['check-ignore', '-q', '--', path.basename(abs)], { cwd: path.dirname(abs), stdio: 'ignore', timeout: 10_000 });
  } catch {
    return 'unknown';
  }
  if (r.error) return 'unknown';
  return r.status === 0 ? 'ignored' : r.status === 1 ? 'not-ignored' : 'unknown';
}
