/**
 * The executable's standard streams: a closed pipe ends the process quietly, and a stream is
 * guarded when it is first used rather than created up front (src/cli/bin.ts, and the `get` and
 * relay fast paths).
 *
 * @module
 */
import fs from 'node:fs';
import { ERROR_CODES } from '../errors.js';
/**
 * A standard output that cannot be written: a closed pipe (`seeqret get K | true`,
 * `seeqret users | head -1`) is not an error, the process stops quietly, as Unix tools do; any other failure (a
 * full disk, `/dev/full`, an I/O error) ends it with one `E_IO` line on stderr and E_IO's exit
 * code, never a stack trace. `fd` is the descriptor that failed (1 or 2).
 */
export function outputFailed(e: NodeJS.ErrnoException, fd: number): never {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  const what = fd === 2 ? 'standard error' : 'standard output';
  const line = `seeqret: E_IO: cannot write to ${what}: ${e.code ?? 'error'}. Fix: Check the disk and where the output goes (free space, or redirect it elsewhere), then retry.\n`;
  try {
    if (fd !== 2) fs.writeSync(2, line);
  } catch {
    // stderr cannot be written either: the exit code still says it
  }
  process.exit(ERROR_CODES.E_IO);
}

/** Guard `stream`, the process's stream of descriptor `fd` (1 or 2): see {@link outputFailed}. */
export function quietOnEpipe(stream: NodeJS.WriteStream, fd: 1 | 2): void {
  stream.on('error', (e: NodeJS.ErrnoException) => outputFailed(e, fd));
}

/** The standard streams this process has created (a `get` usually creates neither). */
const created = new Set<'stdout' | 'stderr'>();

/**
 * Whether everything this process wrote has reached its descriptor, so that `process.exit`
 * loses nothing: no standard stream holds unwritten data or has failed (the fast path writes its value with
 * `fs.writeSync`; a stream to a terminal, file or Linux pipe writes synchronously).
 */
export function allWritten(): boolean {
  // A stream whose write failed (`errored`) has written nothing more either: its 'error' event,
  // on the next tick, ends the process (outputFailed), which an exit here would skip.
  return [...created].every((name) => process[name].writableLength === 0 && process[name].errored === null);
}

/**
 * Guard `process[name]` when it is first used, not now: creating a standard stream loads and
 * compiles a dozen internal modules (~10 ms), which a `get` that prints only its value through
 * `fs.writeSync` (src/cli/fd-out.ts) and nothing to stderr never needs.
 */
export function quietOnEpipeWhenUsed(name: 'stdout' | 'stderr'): void {
  const own = Object.getOwnPropertyDescriptor(process, name);
  if (!own?.get || !own.configurable) {
    created.add(name);
    quietOnEpipe(process[name], name === 'stdout' ? 1 : 2);
    return;
  }
  const create = own.get.bind(process);
  Object.defineProperty(process, name, {
    configurable: true,
    enumerable: own.enumerable ?? false,
    get(): NodeJS.WriteStream {
      created.add(name);
      const stream = create() as NodeJS.WriteStream;
      Object.defineProperty(process, name, { configurable: true, enumerable: own.enumerable ?? false, writable: false, value: stream });
      quietOnEpipe(stream, name === 'stdout' ? 1 : 2);
      return stream;
    },
  });
}
