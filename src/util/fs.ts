/**
 * File-system helpers: atomic writes with private permissions, private folders, and checks of
 * what a folder grants to other users.
 *
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import { SeeqretError } from '../errors.js';

/** Mode of every file seeqret writes that holds secrets or keys. */
export const PRIVATE_FILE_MODE = 0o600;
/** Mode of every folder seeqret creates for secrets. */
export const PRIVATE_DIR_MODE = 0o700;

/** Create `dir` (and parents) if missing, and make `dir` itself 0700. */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  fs.chmodSync(dir, PRIVATE_DIR_MODE);
}

/**
 * Write `data` to `file` atomically: a temporary file in the same folder (created 0600, written,
 * fsynced) is renamed over the target, so readers see the old or the new content, never a mix.
 */
export function atomicWriteFile(file: string, data: string | Uint8Array, mode: number = PRIVATE_FILE_MODE): void {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, mode);
    fs.fchmodSync(fd, mode);
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, file);
  } catch (e) {
    if (fd !== undefined) fs.closeSync(fd);
    try {
      fs.unlinkSync(tmp);
    } catch {
      /* the temporary file may not exist */
    }
    throw ioError(e, file);
  }
  try {
    const dfd = fs.openSync(dir, 'r');
    fs.fsyncSync(dfd);
    fs.closeSync(dfd);
  } catch {
    /* fsync of a folder is best-effort (not supported everywhere) */
  }
}

/** Turn a Node file-system error into a one-line {@link SeeqretError}. */
export function ioError(e: unknown, file: string): SeeqretError {
  if (e instanceof SeeqretError) return e;
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') {
    return new SeeqretError('E_FILE_NOT_FOUND', `no such file or folder: ${file}`, 'Check the path.', { cause: e });
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new SeeqretError('E_PERMISSIONS', `permission denied: ${file}`, 'Check the file owner and permissions (seeqret doctor).', { cause: e });
  }
  return new SeeqretError('E_IO', `cannot access ${file}: ${code ?? String(e)}`, 'Check the disk and the path, then retry.', { cause: e });
}

/** Read a file as bytes, mapping errors to {@link SeeqretError}. */
export function readFileBytes(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw ioError(e, file);
  }
}

/** Decode UTF-8 strictly; invalid sequences are an error naming `what` (never the content). */
export function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new SeeqretError('E_BAD_VALUE', `${what} is not valid UTF-8`, 'Values must be UTF-8 text; base64-encode binary data first.');
  }
}

/** One finding of {@link checkPrivate}: a path that grants access to group or others. */
export interface PermissionProblem {
  readonly path: string;
  readonly mode: number;
  readonly wanted: number;
  readonly kind: 'dir' | 'file';
}

/**
 * List the entries of a vault folder (the folder itself and the files directly in it) whose
 * permission bits grant anything to group or others.
 */
export function checkPrivate(dir: string, opts: { allowGroupRead?: boolean } = {}): PermissionProblem[] {
  // A server vault may grant its group read (and, for the folder, search) access; never write.
  const forbidden = (kind: 'dir' | 'file'): number => (opts.allowGroupRead ? (kind === 'dir' ? 0o027 : 0o037) : 0o077);
  const problems: PermissionProblem[] = [];
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch {
    return problems;
  }
  if ((st.mode & forbidden('dir')) !== 0) problems.push({ path: dir, mode: st.mode & 0o777, wanted: opts.allowGroupRead ? 0o750 : PRIVATE_DIR_MODE, kind: 'dir' });
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return problems;
  }
  for (const name of names) {
    const p = path.join(dir, name);
    let s: fs.Stats;
    try {
      s = fs.lstatSync(p);
    } catch {
      continue;
    }
    if (s.isDirectory()) {
      if ((s.mode & forbidden('dir')) !== 0) problems.push({ path: p, mode: s.mode & 0o777, wanted: opts.allowGroupRead ? 0o750 : PRIVATE_DIR_MODE, kind: 'dir' });
    } else if (s.isFile() && (s.mode & forbidden('file')) !== 0) {
      problems.push({ path: p, mode: s.mode & 0o777, wanted: opts.allowGroupRead ? 0o640 : PRIVATE_FILE_MODE, kind: 'file' });
    }
  }
  return problems;
}

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
