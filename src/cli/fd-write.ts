/**
 * Writing to the process's descriptors 1 and 2 without their streams (the `get` paths: making
 * `process.stdout` loads a dozen internal modules). Shared by the unlock agent's get
 * (src/cli/agent-get.ts) and the fast path's output (src/cli/fd-out.ts).
 *
 * @module
 */
import fs from 'node:fs';
import { outputFailed } from './epipe.js';

/** True when fd `fd` is a file, a pipe or a socket: bytes are written exactly, with no terminal escaping. */
export function plainFd(fd: number): boolean {
  try {
    const st = fs.fstatSync(fd);
    return st.isFile() || st.isFIFO() || st.isSocket();
  } catch {
    return false;
  }
}

/**
 * Write all of `buf` to `fd`, as Node's own stream does into a file, a pipe or a socket on Linux.
 * A closed pipe (`seeqret get K | true`) ends the process quietly, and any other failure with one
 * `E_IO` line, as the CLI's stream guard does (`outputFailed`);
 * a non-blocking descriptor that is full hands the rest to `stream()`, which waits for it: false
 * then, and what follows must go to that stream too, to keep its order.
 */
export function writeAllFd(fd: number, buf: Buffer, stream: () => NodeJS.WriteStream): boolean {
  let off = 0;
  try {
    while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') outputFailed(e as NodeJS.ErrnoException, fd);
    stream().write(Buffer.from(buf.subarray(off)));
    return false;
  }
  return true;
}

/**
 * Zero `buf` with the typed array's own `fill`: `Buffer#fill` checks its arguments in Node's
 * JavaScript, which a `get` would compile for this one call (decision 75).
 */
export function zeroBytes(buf: Uint8Array): void {
  Uint8Array.prototype.fill.call(buf, 0);
}
