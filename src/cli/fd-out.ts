/**
 * Output of the `get` fast path without creating `process.stdout`: making that stream (a pipe's
 * `net.Socket`, a terminal's `tty.WriteStream`) loads and compiles a dozen internal modules, about
 * 10 ms of a run that is otherwise 40 ms over `node -e 0`. Into a file, a pipe or a socket the
 * value is written with `fs.writeSync(1)` — what Node's own stream does there on Linux, where
 * those writes are synchronous. A terminal, or anything else, goes through {@link writeData}
 * (which escapes control characters on a terminal).
 *
 * @module
 */
import fs from 'node:fs';
import { writeData } from './io.js';

function plainFd1(): boolean {
  try {
    const st = fs.fstatSync(1);
    return st.isFile() || st.isFIFO() || st.isSocket();
  } catch {
    return false;
  }
}

/**
 * Write data the user asked for to stdout, exactly. A closed pipe (`seeqret get K | true`) ends
 * the process quietly, as the CLI's stream guard does; a non-blocking descriptor that is full
 * hands the rest to `process.stdout`, which waits for it.
 */
export function writeDataFd1(data: string): void {
  if (!plainFd1()) {
    writeData(data);
    return;
  }
  const buf = Buffer.from(data, 'utf8');
  let off = 0;
  try {
    while (off < buf.length) off += fs.writeSync(1, buf, off, buf.length - off);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EPIPE') process.exit(process.exitCode ?? 0);
    if (code !== 'EAGAIN') throw e;
    process.stdout.write(Buffer.from(buf.subarray(off)));
  } finally {
    buf.fill(0);
  }
}
