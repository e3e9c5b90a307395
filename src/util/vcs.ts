/**
 * Finding the version-control work tree a folder is in.
 *
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';

/** Find the nearest enclosing git/hg/svn work tree of `dir` (walking up); `null` if none. */
export function findVcsRoot(dir: string): { root: string; vcs: string } | null {
  let cur = path.resolve(dir);
  for (;;) {
    for (const [marker, vcs] of [['.git', 'git'], ['.hg', 'hg'], ['.svn', 'svn']] as const) {
      if (fs.existsSync(path.join(cur, marker))) return { root: cur, vcs };
    }
    const parent = path.dirname(cur);
    if (parent === cur) return null;
    cur = parent;
  }
}
