/**
 * File-system helpers: atomic writes with private permissions, private folders, and checks of
 * what a folder grants to other users.
 *
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import { noiseBytes } from '../crypto/noise.js';
import { SeeqretError } from '../errors.js';
import { LIMITS, type LimitKind, sizeText, tooLarge } from './limits.js';
import { printable } from './text.js';

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

/** Options of {@link atomicWriteFile}. */
export interface WriteOptions {
  /**
   * Write through a symbolic link: replace the file it points to (atomically, in that file's
   * folder). Default: the process-wide setting of {@link setFollowSymlinks} (off), which refuses.
   */
  readonly followSymlinks?: boolean;
}

let followSymlinksByDefault = false;

/** The CLI's `--follow-symlinks`: later writes without their own option follow symbolic links. */
export function setFollowSymlinks(on: boolean): void {
  followSymlinksByDefault = on;
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
  if (abs in named) return named[abs]!;
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
  const fd = fs.openSync(file, fs.constants.O_WRONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NOCTTY ?? 0));
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
 * - A symbolic link: `E_SYMLINK`, unless `followSymlinks` (or {@link setFollowSymlinks}): then the
 *   file it points to is written by these rules (a regular one atomically in its own folder, with
 *   `mode`).
 * - A folder, a block device or a socket: `E_USAGE`.
 */
export function atomicWriteFile(file: string, data: string | Uint8Array, mode: number = PRIVATE_FILE_MODE, opts: WriteOptions = {}): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const target = outputTarget(file, opts.followSymlinks ?? followSymlinksByDefault);
  try {
    if (target.kind === 'fd') return writeAll(target.fd, bytes);
    if (target.kind === 'through') return writeThrough(target.path, bytes, target.st);
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

/** The device /dev/null (an empty input), told apart from devices that never end. */
function isDevNull(st: fs.Stats): boolean {
  try {
    const n = fs.statSync('/dev/null');
    return st.isCharacterDevice() && st.rdev === n.rdev;
  } catch {
    return false;
  }
}

/**
 * Refuse what is neither a regular file nor a pipe nor /dev/null before reading from it: a device
 * such as /dev/zero or /dev/urandom never ends, a folder is not an input.
 */
function checkReadable(st: fs.Stats, source: string, kind: LimitKind): void {
  if (st.isFile() || st.isFIFO() || st.isSocket() || isDevNull(st)) {
    if (st.isFile() && st.size > LIMITS[kind].bytes) throw tooLarge(source, kind, st.size);
    return;
  }
  if (st.isDirectory()) throw ioError(Object.assign(new Error('EISDIR'), { code: 'EISDIR' }), source);
  throw new SeeqretError(
    'E_TOO_LARGE',
    `${source} is a device, not a file or a pipe: seeqret does not read devices (they may never end)`,
    'Give a regular file, or pipe the content in.',
  );
}

/** Read `fd` to its end, at most `cap` bytes (`E_TOO_LARGE` as soon as one more byte comes). */
function readFdCapped(fd: number, kind: LimitKind, source: string, sizeHint: number | undefined): Buffer {
  const cap = LIMITS[kind].bytes;
  // A regular file: its size plus one byte (to notice a file that grew); a pipe: start small.
  let buf = Buffer.allocUnsafe(Math.min(cap + 1, sizeHint === undefined ? 64 * 1024 : sizeHint + 1));
  let n = 0;
  for (;;) {
    if (n === buf.length) {
      if (n > cap) throw tooLarge(source, kind);
      const bigger = Buffer.allocUnsafe(Math.min(cap + 1, buf.length * 2));
      buf.copy(bigger, 0, 0, n);
      buf.fill(0, 0, n);
      buf = bigger;
    }
    let got: number;
    try {
      got = fs.readSync(fd, buf, n, buf.length - n, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      throw ioError(e, source);
    }
    if (got === 0) break;
    n += got;
    if (n > cap) throw tooLarge(source, kind);
  }
  return buf.subarray(0, n);
}

/**
 * Read a whole file of kind `kind`, refusing it with `E_TOO_LARGE` when it is larger than the
 * kind's cap ({@link LIMITS}): a regular file by its size, before reading anything; a pipe (a
 * FIFO, `/dev/fd/N`, `/dev/stdin`) as soon as more than the cap has come. Devices (other than
 * /dev/null) are refused without being read. File-system errors become {@link SeeqretError}s.
 *
 * A named pipe is opened as `cat` opens it: seeqret waits until a writer opens it.
 */
export function readFileCapped(file: string, kind: LimitKind): Buffer {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    throw ioError(e, file);
  }
  checkReadable(st, file, kind); // before open: opening a device can have effects, a FIFO waits
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    throw ioError(e, file);
  }
  try {
    const now = fs.fstatSync(fd); // the file opened, should the path have changed meanwhile
    checkReadable(now, file, kind);
    return readFdCapped(fd, kind, file, now.isFile() ? now.size : undefined);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Read a file of kind `kind` as strict UTF-8 text in pieces of about `chunkBytes` (for inputs too
 * large to hold whole, e.g. `importenv` of a million lines), with the checks of
 * {@link readFileCapped}: the cap of `kind` (by size before reading, and while reading), devices
 * refused. Invalid UTF-8 is `E_BAD_VALUE` naming `what`. The read buffer is wiped at the end.
 */
export function* readTextChunksCapped(file: string, kind: LimitKind, what: string = file, chunkBytes = 1024 * 1024): Generator<string> {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    throw ioError(e, file);
  }
  checkReadable(st, file, kind);
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    throw ioError(e, file);
  }
  const buf = Buffer.alloc(chunkBytes);
  try {
    checkReadable(fs.fstatSync(fd), file, kind);
    const cap = LIMITS[kind].bytes;
    const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    const decode = (b: Uint8Array, stream: boolean): string => {
      try {
        return decoder.decode(b, { stream });
      } catch {
        throw new SeeqretError('E_BAD_VALUE', `${what} is not valid UTF-8`, 'Values must be UTF-8 text; base64-encode binary data first.');
      }
    };
    let total = 0;
    for (;;) {
      let got: number;
      try {
        got = fs.readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue;
        throw ioError(e, file);
      }
      if (got === 0) break;
      total += got;
      if (total > cap) throw tooLarge(file, kind);
      const text = decode(buf.subarray(0, got), true);
      if (text.length > 0) yield text;
    }
    const rest = decode(new Uint8Array(0), false);
    if (rest.length > 0) yield rest;
  } finally {
    buf.fill(0);
    fs.closeSync(fd);
  }
}

/** {@link readFileCapped}, decoded as strict UTF-8 (`E_BAD_VALUE` naming `what`, default the file). */
export function readTextFileCapped(file: string, kind: LimitKind, what: string = file): string {
  return decodeUtf8(readFileCapped(file, kind), what);
}

/**
 * Read a stream (stdin) to its end, at most the cap of `kind`: `E_TOO_LARGE` naming `source` as
 * soon as more has come, and the stream is not read further. `fd`, when given, is checked first
 * as {@link readFileCapped} checks a file: a regular file larger than the cap, or a device other
 * than /dev/null or a terminal, is refused before anything is read.
 */
export async function readStreamCapped(stream: AsyncIterable<unknown>, kind: LimitKind, source: string, fd?: { fd: number; isTTY: boolean }): Promise<Buffer> {
  if (fd !== undefined && !fd.isTTY) {
    let st: fs.Stats | undefined;
    try {
      st = fs.fstatSync(fd.fd);
    } catch {
      st = undefined; // a closed stdin reads as empty
    }
    if (st) checkReadable(st, source, kind);
  }
  const cap = LIMITS[kind].bytes;
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Buffer);
    total += b.length;
    if (total > cap) {
      for (const c of chunks) c.fill(0);
      throw tooLarge(source, kind); // leaving the loop stops reading the stream
    }
    chunks.push(b);
  }
  const all = Buffer.concat(chunks, total);
  for (const c of chunks) c.fill(0);
  return all;
}

/**
 * Check the size of a file seeqret does not read whole but loads entirely (a database), against
 * the cap of `kind`.
 */
export function checkFileSize(file: string, kind: LimitKind): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    throw ioError(e, file);
  }
  if (st.size > LIMITS[kind].bytes) throw tooLarge(file, kind, st.size);
}

/** Longest text JavaScript can hold (V8's string limit, in UTF-16 code units). */
const MAX_TEXT = 2 ** 29 - 24;

/** Decode UTF-8 strictly; invalid sequences are an error naming `what` (never the content). */
export function decodeUtf8(bytes: Uint8Array, what: string): string {
  // Every UTF-8 byte makes at most one UTF-16 code unit: below the limit, decoding cannot overflow.
  if (bytes.length > MAX_TEXT) {
    throw new SeeqretError('E_TOO_LARGE', `${what} is ${sizeText(bytes.length)}, more text than seeqret can hold (512 MiB)`, 'Check that this is the right input (limits: docs/formats.md#limits).');
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new SeeqretError('E_BAD_VALUE', `${what} is not valid UTF-8`, 'Values must be UTF-8 text; base64-encode binary data first.');
  }
}

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

/**
 * Delete a file that held secrets so its content does not stay readable on the disk: overwrite it
 * with random bytes, fsync, rename it to a random name (so the old name no longer points at the
 * data, and a directory listing shows nothing), then unlink it. A symbolic link is only unlinked
 * (its target is not touched); a missing file is not an error.
 *
 * On copy-on-write or journaling file systems and SSDs the old blocks may survive anyway; this is
 * psec's (and `shred`'s) best effort, not a guarantee.
 *
 * @throws SeeqretError `E_IO`/`E_PERMISSIONS` when the file cannot be overwritten or removed.
 */
export function secureDelete(file: string): void {
  const st = lstatIfExists(file);
  if (st === null) return;
  try {
    if (!st.isFile()) {
      fs.unlinkSync(file);
      return;
    }
    const fd = fs.openSync(file, fs.constants.O_WRONLY | (fs.constants.O_NOFOLLOW ?? 0));
    try {
      const chunk = 64 * 1024;
      for (let off = 0; off < st.size; off += chunk) {
        const n = Math.min(chunk, st.size - off);
        const noise = noiseBytes(n);
        fs.writeSync(fd, noise, 0, n, off);
      }
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    const moved = path.join(path.dirname(file), `.${noiseBytes(12).toString('hex')}`);
    fs.renameSync(file, moved);
    fs.unlinkSync(moved);
  } catch (e) {
    throw ioError(e, file);
  }
}

/**
 * Remove a folder tree, deleting every regular file in it with {@link secureDelete} first.
 * Symbolic links are unlinked, never followed. A missing folder is not an error.
 *
 * @returns The number of files securely deleted.
 */
export function secureDeleteTree(dir: string): number {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 0;
    if (code === 'ENOTDIR') {
      secureDelete(dir);
      return 1;
    }
    throw ioError(e, dir);
  }
  let n = 0;
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) n += secureDeleteTree(p);
    else {
      if (e.isFile()) n += 1;
      secureDelete(p);
    }
  }
  try {
    fs.rmdirSync(dir);
  } catch (e) {
    throw ioError(e, dir);
  }
  return n;
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
      flags = parseInt(m[1]!, 8);
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
