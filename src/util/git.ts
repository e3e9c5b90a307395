/**
 * Asking git whether a file would be committed.
 *
 * @module
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** Whether a `.git` (folder, or file of a linked work tree or submodule) is in `dir` or a folder above. */
export function insideGitCheckout(dir: string): boolean {
  for (let d = path.resolve(dir); ; ) {
    if (fs.existsSync(path.join(d, '.git'))) return true;
    const up = path.dirname(d);
    if (up === d) return false;
    d = up;
  }
}

/**
 * Whether git ignores `file`: `'ignored'`, `'not-ignored'` (inside a git work tree and neither
 * ignored nor excluded; a tracked file is never ignored), or `'unknown'` (not in a work tree, git
 * not installed, or git failed). Runs `git check-ignore` in the file's folder (no shell), and only
 * when a `.git` is found above it: outside a checkout no git process is started (~5–10 ms each).
 */
export function gitIgnoreStatus(file: string): 'ignored' | 'not-ignored' | 'unknown' {
  const abs = path.resolve(file);
  if (!insideGitCheckout(path.dirname(abs))) return 'unknown';
  let r;
  try {
    r = spawnSync('git', ['check-ignore', '-q', '--', path.basename(abs)], { cwd: path.dirname(abs), stdio: 'ignore', timeout: 10_000 });
  } catch {
    return 'unknown';
  }
  if (r.error) return 'unknown';
  return r.status === 0 ? 'ignored' : r.status === 1 ? 'not-ignored' : 'unknown';
}
