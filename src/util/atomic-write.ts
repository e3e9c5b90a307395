/**
 * Writing files atomically: a temporary file in the same folder, fsync, rename; outputs that are
 * descriptors, devices or symbolic links handled explicitly (`--follow-symlinks`).
 *
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import fs from 'node:fs';
import path from 'node:path';
import { SeeqretError } from '../errors.js';
import { ioError, PRIVATE_FILE_MODE } from './fs.js';
import { secureDelete } from './secure-delete.js';
import { printable } from './text.js';

/** Options of {@link atomicWriteFile}. */
export interface WriteOptions {
  /**
   * Write through a symbolic link: replace the file it points to (atomically, in that file's
   * folder). Default: off (refused), or on inside {@link followingSymlinks}.
   */
  readonly followSymlinks?: boolean;
}

/** Set inside {@link followingSymlinks}: the writes of that work follow symbolic links by default. */
const following = new AsyncLocalStorage<true>();

/**
 * The CLI's `--follow-symlinks`: the writes `fn` makes (and the work it starts) without their
 * own option follow symbolic links. Scoped to `fn`, so one command's option never reaches another.
 */
export function followingSymlinks<T>(fn: () => T): T {
  return following.run(true, fn);
}

/** Where {@link atomicWriteFile} puts the bytes. */
type OutputTarget =
  /** A regular file or a new one: a temporary file renamed over it. */
  | { readonly kind: 'replace'; readonly path: string }
  /** A character device or FIFO: opened and written, never replaced, truncated or chmod-ed. */
  | { readonly kind: 'through'; readonly path: string; readonly st: fs.Stats }
  /** An open descriptor of this process (`/dev/stdout`, `/dev/fd/N`, `/proc/self/fd/N`). */
  | { readonly kind: 'fd'; readonly fd: number };

/** The descriptor a path such as `/dev/stdout`, `/dev/fd/3` or `/proc/self/fd/3` names in this process. */
function descriptorOf(file: string): number | null {
  const abs = path.resolve(file);
  const named: Record<string, number> = { '/dev/stdin': 0, '/dev/stdout': 1, '/dev/stderr': 2 };
  const std = named[abs];
  if (std !== undefined) return std;
  const m = /^\/(?:dev\/fd|proc\/self\/fd|proc\/(\d+)\/fd)\/(\d+)$/.exec(abs);
  if (!m || (m[1] !== undefined && Number(m[1]) !== process.pid)) return null;
  const fd = Number(m[2]);
  return Number.isSafeInteger(fd) ? fd : null;
}

function symlinkError(file: string): SeeqretError {
  let to = '';
  try {
    to = ` (to ${printable(fs.readlinkSync(file))})`;
  } catch {
    /* unreadable link */
  }
  return new SeeqretError(
    'E_SYMLINK',
    `${printable(file)} is a symbolic link${to}; seeqret does not write through links`,
    'Remove the link or write to another path; pass --follow-symlinks to replace the file it points to.',
  );
}

/**
 * Follow the chain of links at `file` (which is a link) to the path it ends at, existing or not;
 * a descriptor path met on the way (`/dev/stdout` → `/proc/self/fd/1`) ends it.
 */
function linkEnd(file: string): string {
  let p = path.resolve(file);
  for (let i = 0; i < 40; i++) {
    if (i > 0 && descriptorOf(p) !== null) return p;
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError(e, file);
      // A dangling link: the file it names is created, in the real folder it names.
      try {
        return path.join(fs.realpathSync(path.dirname(p)), path.basename(p));
      } catch (e2) {
        throw ioError(e2, p);
      }
    }
    if (!st.isSymbolicLink()) return fs.realpathSync(p);
    p = path.resolve(path.dirname(p), fs.readlinkSync(p));
  }
  throw new SeeqretError('E_IO', `cannot access ${printable(file)}: ELOOP`, 'The symbolic links form a loop; fix or remove them.');
}

function notAFile(file: string, what: string): SeeqretError {
  return new SeeqretError('E_USAGE', `${printable(file)} is ${what}, not a file seeqret can write`, 'Name a regular file (or a new one), a character device such as /dev/null, a FIFO, or /dev/stdout.');
}

/** Decide how to write `file` (see {@link atomicWriteFile}). */
function outputTarget(file: string, follow: boolean): OutputTarget {
  const fd = descriptorOf(file);
  if (fd !== null) return { kind: 'fd', fd };
  let st: fs.Stats;
  try {
    st = fs.lstatSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'replace', path: file };
    throw ioError(e, file);
  }
  if (st.isSymbolicLink()) {
    if (!follow) throw symlinkError(file);
    const end = linkEnd(file);
    const endFd = descriptorOf(end);
    if (endFd !== null) return { kind: 'fd', fd: endFd };
    return outputTarget(end, false);
  }
  if (st.isFile()) return { kind: 'replace', path: file };
  if (st.isCharacterDevice() || st.isFIFO()) return { kind: 'through', path: file, st };
  if (st.isDirectory()) throw notAFile(file, 'a folder');
  if (st.isBlockDevice()) throw notAFile(file, 'a block device');
  throw notAFile(file, 'a socket');
}

/**
 * Check, before any costly work, that {@link atomicWriteFile} would accept `file`: the same
 * refusals (a symbolic link without following, a folder, a block device, a socket) with the same
 * errors, and nothing created or opened. The write checks again when it happens.
 */
export function checkOutputPath(file: string, opts: WriteOptions = {}): void {
  outputTarget(file, opts.followSymlinks ?? following.getStore() === true);
}

/** Write all of `bytes` to `fd` (retrying short writes, and EAGAIN on a non-blocking pipe). */
function writeAll(fd: number, bytes: Uint8Array): void {
  let off = 0;
  while (off < bytes.length) {
    try {
      off += fs.writeSync(fd, bytes, off, bytes.length - off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
}

/**
 * Write to a character device or FIFO that already exists: opened write-only without creating or
 * truncating anything and without following a link, then checked to be the node that was looked
 * at, so nothing is ever renamed over it (as root, a rename over /dev/null would replace the
 * machine's /dev/null with a regular file).
 */
function writeThrough(file: string, bytes: Uint8Array, seen: fs.Stats): void {
  const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NOCTTY);
  try {
    const st = fs.fstatSync(fd);
    if (!(st.isCharacterDevice() || st.isFIFO()) || st.dev !== seen.dev || st.ino !== seen.ino) {
      throw new SeeqretError('E_IO', `${printable(file)} changed while it was being opened`, 'Retry; make sure no one else writes that path.');
    }
    writeAll(fd, bytes);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Write `data` to `file`, never through a path that is not what it seems.
 *
 * - A regular file, or a path that does not exist: atomically — a temporary file in the same
 *   folder (created `mode`, 0600 by default, written, fsynced) is renamed over it, so readers see
 *   the old or the new content, never a mix.
 * - A character device (`/dev/null`, a terminal) or a FIFO: written through, never replaced.
 * - `/dev/stdout`, `/dev/stderr`, `/dev/fd/N`, `/proc/self/fd/N`: written to that descriptor.
 * - A symbolic link: `E_SYMLINK`, unless `followSymlinks` (or inside {@link followingSymlinks}): then the
 *   file it points to is written by these rules (a regular one atomically in its own folder, with
 *   `mode`).
 * - A folder, a block device or a socket: `E_USAGE`.
 */
export function atomicWriteFile(file: string, data: string | Uint8Array, mode: number = PRIVATE_FILE_MODE, opts: WriteOptions = {}): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const target = outputTarget(file, opts.followSymlinks ?? following.getStore() === true);
  try {
    if (target.kind === 'fd') {
      writeAll(target.fd, bytes);
      return;
    }
    if (target.kind === 'through') {
      writeThrough(target.path, bytes, target.st);
      return;
    }
  } catch (e) {
    throw ioError(e, file);
  }
  replaceFile(target.path, bytes, mode);
}

/** The atomic write of a regular file: temporary file, fsync, rename, fsync of the folder. */
function replaceFile(file: string, bytes: Uint8Array, mode: number): void {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, mode);
    fs.fchmodSync(fd, mode);
    writeAll(fd, bytes);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, file);
  } catch (e) {
    if (fd !== undefined) fs.closeSync(fd);
    // The temporary file may already hold the data (the rename failed): overwrite it before
    // removing it, as for any deleted file that held secrets.
    try {
      secureDelete(tmp);
    } catch {
      try {
        fs.unlinkSync(tmp);
      } catch {
        /* the temporary file may not exist */
      }
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
