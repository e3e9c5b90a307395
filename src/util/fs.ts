/**
 * File-system basics: the modes seeqret writes with, private and shared folders, I/O errors as
 * {@link SeeqretError}s, and the descriptors a child must not inherit. Atomic writes are in
 * ./atomic-write.ts, capped reads in ./read-capped.ts, permission checks in ./permissions.ts,
 * secure deletion in ./secure-delete.ts.
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
/** Mode of folders and files meant to be shared through a repository (descriptions: no secrets). */
export const SHARED_DIR_MODE = 0o755;
export const SHARED_FILE_MODE = 0o644;

/** Create `dir` (and parents) if missing, and make `dir` itself 0700. */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  fs.chmodSync(dir, PRIVATE_DIR_MODE);
}

/** The folders `mkdir -p dir` would create, outermost first (`[]` when `dir` exists). */
export function missingDirs(dir: string): string[] {
  const missing: string[] = [];
  for (let d = path.resolve(dir); !fs.existsSync(d); d = path.dirname(d)) {
    missing.unshift(d);
    if (path.dirname(d) === d) break;
  }
  return missing;
}

/** Remove folders a failed operation made (deepest first), each only while it is empty. */
export function removeEmptyDirs(made: readonly string[]): void {
  for (const d of [...made].reverse()) {
    try {
      fs.rmdirSync(d);
    } catch {
      return; // not empty (or gone): keep it and its parents
    }
  }
}

/**
 * Create `dir` (and missing parents) with `mode` regardless of the umask (the CLI runs with umask
 * 077): for folders that hold no secrets and are committed, such as the descriptions folders.
 * Folders that already exist keep their mode.
 */
export function ensureDir(dir: string, mode: number = SHARED_DIR_MODE): void {
  const missing = missingDirs(dir);
  try {
    for (const d of missing) {
      fs.mkdirSync(d, { mode });
      fs.chmodSync(d, mode);
    }
  } catch (e) {
    throw ioError(e, dir);
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

/**
 * `lstat` of `file` (a symlink itself, not its target), or `null` when it does not exist.
 *
 * @throws SeeqretError `E_IO`/`E_PERMISSIONS` for any other failure.
 */
export function lstatIfExists(file: string): fs.Stats | null {
  try {
    return fs.lstatSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw ioError(e, file);
  }
}

/** `O_CLOEXEC` as /proc/self/fdinfo prints it (octal flags). */
const O_CLOEXEC = 0o2000000;

/**
 * Close every descriptor above 2 that a child would inherit (one without close-on-exec), so a
 * program seeqret starts gets stdin, stdout and stderr only — never, for instance, the
 * descriptor of `--passphrase-file /dev/fd/N`. Node marks the descriptors it inherited below about
 * 16 close-on-exec at start-up, and opens its own that way; anything left is one its parent passed
 * (`200<file`). Linux only (it reads /proc/self/fdinfo); elsewhere nothing is closed.
 */
export function closeInheritedDescriptors(): void {
  if (process.platform !== 'linux') return;
  let names: string[];
  try {
    names = fs.readdirSync('/proc/self/fdinfo');
  } catch {
    return;
  }
  for (const name of names) {
    const fd = Number(name);
    if (!Number.isSafeInteger(fd) || fd <= 2) continue;
    let flags: number;
    try {
      const m = /^flags:\s*([0-7]+)/m.exec(fs.readFileSync(`/proc/self/fdinfo/${name}`, 'utf8'));
      if (!m) continue;
      flags = parseInt(m[1] ?? '', 8); // the group always matches when the line does
    } catch {
      continue; // closed meanwhile (the descriptor readdir itself used)
    }
    if ((flags & O_CLOEXEC) !== 0) continue;
    try {
      fs.closeSync(fd);
    } catch {
      /* already closed */
    }
  }
}

/** Whether `a` and `b` name the same file: the same resolved path, or the same device and inode. */
export function sameFile(a: string, b: string): boolean {
  if (path.resolve(a) === path.resolve(b)) return true;
  try {
    const sa = fs.statSync(a);
    const sb = fs.statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}
