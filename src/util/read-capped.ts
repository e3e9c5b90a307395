/**
 * Reading files and streams with a size limit (src/util/limits.ts): whole files, text in chunks,
 * stdin and pipes, and strict UTF-8 decoding.
 *
 * @module
 */
import fs from 'node:fs';
import { SeeqretError } from '../errors.js';
import { ioError } from './fs.js';
import { LIMITS, type LimitKind, sizeText, tooLarge } from './limits.js';

/**
 * One read into `buf` from `offset` to its end: the bytes read (0 at the end of the input), or
 * `null` when a non-blocking pipe has nothing yet (EAGAIN: try again). Other errors are `E_IO`
 * naming `source`.
 */
function readSome(fd: number, buf: Buffer, offset: number, source: string): number | null {
  try {
    return fs.readSync(fd, buf, offset, buf.length - offset, null);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EAGAIN') return null;
    throw ioError(e, source);
  }
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
    const got = readSome(fd, buf, n, source);
    if (got === null) continue;
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

/** Stat `file`, check it against the cap of `kind` (and refuse devices), and open it for reading. */
function openCapped(file: string, kind: LimitKind): number {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    throw ioError(e, file);
  }
  checkReadable(st, file, kind);
  try {
    return fs.openSync(file, 'r');
  } catch (e) {
    throw ioError(e, file);
  }
}

/**
 * Read a file of kind `kind` as strict UTF-8 text in pieces of about `chunkBytes` (for inputs too
 * large to hold whole, e.g. `importenv` of a million lines), with the checks of
 * {@link readFileCapped}: the cap of `kind` (by size before reading, and while reading), devices
 * refused. Invalid UTF-8 is `E_BAD_VALUE` naming `what`. The read buffer is wiped at the end.
 */
export function* readTextChunksCapped(file: string, kind: LimitKind, what: string = file, chunkBytes = 1024 * 1024): Generator<string> {
  const fd = openCapped(file, kind);
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
      const got = readSome(fd, buf, 0, file);
      if (got === null) continue;
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

/** One block of {@link readBlocksCapped}. */
export interface Block {
  /**
   * The previous block's last `overlap` bytes (fewer in the first blocks), then new bytes. A view
   * into a buffer that the next block overwrites (and that is wiped at the end): use it before
   * asking for the next one.
   */
  readonly bytes: Buffer;
  /** Offset in the file of `bytes[0]`. */
  readonly start: number;
  /** The final block (the end of the file). */
  readonly last: boolean;
}

/**
 * Read a file in blocks of about `blockBytes` new bytes, each block beginning with the last
 * `overlap` bytes of the previous one, so that a search for strings of up to `overlap + 1` bytes
 * finds those that cross a block boundary: `seeqret scan` searches a block's positions up to
 * `bytes.length - overlap` (all of them in the last block); the rest come again in the next block.
 * Every block but the last is full (`blockBytes + overlap` bytes once past the first). The checks
 * of {@link readFileCapped}: the cap of `kind` (by size before reading, and while reading), devices
 * refused. One buffer is reused (`scratch` when it is large enough, so that many files can share
 * one), and the part of it used is wiped at the end. A block is never larger than the file needs.
 */
export function* readBlocksCapped(file: string, kind: LimitKind, blockBytes: number, overlap: number, scratch?: Buffer): Generator<Block> {
  const fd = openCapped(file, kind);
  let buf: Buffer = Buffer.alloc(0);
  let used = 0;
  try {
    const now = fs.fstatSync(fd);
    checkReadable(now, file, kind);
    // A small file gets a small block (its size, plus one byte to notice that it grew).
    const size = Math.min(blockBytes, now.isFile() ? now.size + 1 : blockBytes) + overlap;
    buf = scratch !== undefined && scratch.length >= size ? scratch.subarray(0, size) : Buffer.alloc(size);
    const cap = LIMITS[kind].bytes;
    let filled = 0; // bytes in buf
    let start = 0; // offset in the file of buf[0]
    let total = 0;
    for (;;) {
      const got = readSome(fd, buf, filled, file);
      if (got === null) continue;
      if (got === 0) {
        yield { bytes: buf.subarray(0, filled), start, last: true };
        return;
      }
      total += got;
      if (total > cap) throw tooLarge(file, kind);
      filled += got;
      used = Math.max(used, filled);
      if (filled < buf.length) continue;
      yield { bytes: buf, start, last: false };
      const keep = Math.min(overlap, filled);
      buf.copyWithin(0, filled - keep, filled);
      start += filled - keep;
      filled = keep;
    }
  } finally {
    buf.fill(0, 0, used);
    fs.closeSync(fd);
  }
}
