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
import { plainFd, writeAllFd, zeroBytes } from './fd-write.js';
import { writeData } from './io.js';

/**
 * Write data the user asked for to stdout, exactly (see {@link writeAllFd}); a terminal, or
 * anything but a file, a pipe or a socket, goes through {@link writeData}.
 */
export function writeDataFd1(data: string): void {
  if (!plainFd(1)) {
    writeData(data);
    return;
  }
  const buf = Buffer.from(data, 'utf8');
  try {
    writeAllFd(1, buf, () => process.stdout);
  } finally {
    zeroBytes(buf);
  }
}
