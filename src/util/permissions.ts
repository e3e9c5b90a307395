/**
 * Checking that a vault folder is private: modes of the folder and what it holds.
 *
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from './fs.js';

/**
 * One finding of {@link checkPrivate}: a path that grants access to group or others, or a
 * symbolic link (kind `symlink`: `mode` is the mode of the file it points to, 0 when it points
 * nowhere; `target` is where it points).
 */
export interface PermissionProblem {
  readonly path: string;
  readonly mode: number;
  readonly wanted: number;
  readonly kind: 'dir' | 'file' | 'symlink';
  readonly target?: string;
}

/** At most this many entries are examined below a vault folder (a runaway tree must not slow every command). */
const MAX_ENTRIES = 10_000;
/**
 * Folders of a vault whose content is not looked into: `inbox/` receives bundles other people
 * drop there (encrypted, with whatever mode they were copied with); the folder itself is checked.
 */
const NOT_DESCENDED: ReadonlySet<string> = new Set(['inbox']);

/**
 * List everything in a vault folder — the folder itself and every file and folder below it, at
 * any depth (the per-environment `tmp/` folders for rendered secrets included; not the files
 * dropped in `inbox/`), up to 10,000 entries — whose permission bits grant anything to group or
 * others, as psec warns about its base directory. Every symbolic link below the folder is a
 * finding too, whatever the mode of its target: the mode of a link says nothing, and whoever can
 * change the target (or the folder it is in) controls the vault file. Links are never followed
 * into. (The vault folder itself may be a link; its target is checked.)
 */
export function checkPrivate(dir: string, opts: { allowGroupRead?: boolean } = {}): PermissionProblem[] {
  // A server vault may grant its group read (and, for folders, search) access; never write.
  const forbidden = (kind: 'dir' | 'file'): number => (opts.allowGroupRead ? (kind === 'dir' ? 0o027 : 0o037) : 0o077);
  const wanted = (kind: 'dir' | 'file'): number => (kind === 'dir' ? (opts.allowGroupRead ? 0o750 : PRIVATE_DIR_MODE) : opts.allowGroupRead ? 0o640 : PRIVATE_FILE_MODE);
  const problems: PermissionProblem[] = [];
  const check = (p: string, s: fs.Stats): void => {
    const kind = s.isDirectory() ? 'dir' : 'file';
    if ((s.mode & forbidden(kind)) !== 0) problems.push({ path: p, mode: s.mode & 0o777, wanted: wanted(kind), kind });
  };
  const link = (p: string): void => {
    let target = '';
    let mode = 0;
    let kind: 'dir' | 'file' = 'file';
    try {
      target = fs.readlinkSync(p);
      const t = fs.statSync(p);
      mode = t.mode & 0o777;
      if (t.isDirectory()) kind = 'dir';
    } catch {
      /* a link to nowhere */
    }
    problems.push({ path: p, mode, wanted: wanted(kind), kind: 'symlink', target });
  };
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch {
    return problems;
  }
  check(dir, st);
  let seen = 0;
  const walk = (d: string): void => {
    let names: string[];
    try {
      names = fs.readdirSync(d);
    } catch {
      return;
    }
    for (const name of names) {
      if (++seen > MAX_ENTRIES) return;
      const p = path.join(d, name);
      let s: fs.Stats;
      try {
        s = fs.lstatSync(p);
      } catch {
        continue;
      }
      if (s.isSymbolicLink()) link(p);
      else if (s.isDirectory()) {
        check(p, s);
        if (!(d === dir && NOT_DESCENDED.has(name))) walk(p);
      } else if (s.isFile()) check(p, s);
    }
  };
  if (st.isDirectory()) walk(dir);
  return problems;
}

/** `0o644`: a mode as psec prints it. */
export function modeText(mode: number): string {
  return `0o${(mode & 0o7777).toString(8).padStart(3, '0')}`;
}
