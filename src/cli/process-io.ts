/**
 * This process as a {@link CliIo}: the `seeqret` executable's (src/cli/bin.ts) and the build's
 * code-cache warm-up run (scripts/code-cache.mjs).
 *
 * @module
 */
import type { CliIo, OutputSink } from './cli-io.js';
import { plainFd, writeAllFd } from './fd-write.js';

/**
 * Descriptor `fd` (1 or 2) as a sink. A file, pipe or socket is written with `fs.writeSync`, each
 * chunk whole (a reader gone ends the process quietly), so printing loads no stream code; a
 * terminal is the process's stream, as is everything after a write that would have blocked.
 */
function fdSink(fd: 1 | 2, stream: () => NodeJS.WriteStream): OutputSink {
  if (!plainFd(fd)) return stream();
  let direct = true;
  return {
    write(chunk) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      if (direct) direct = writeAllFd(fd, buf, stream);
      else stream().write(buf);
      return true;
    },
  };
}

/**
 * This process as the Io of the run: its environment, folder, output and signals. The outputs are
 * made when first used; into a file, pipe or socket they write with `fs.writeSync` (fdSink), so a
 * command that only prints never creates `process.stdout` or `process.stderr`.
 */
export function processIo(): CliIo {
  let stdout: OutputSink | undefined;
  let stderr: OutputSink | undefined;
  return {
    env: process.env,
    cwd: process.cwd(),
    get stdin() {
      return process.stdin;
    },
    stdinFd: 0,
    get stdinIsTTY() {
      return (process.stdin.isTTY as boolean | undefined) === true;
    },
    get stdout() {
      return (stdout ??= fdSink(1, () => process.stdout));
    },
    get stderr() {
      return (stderr ??= fdSink(2, () => process.stderr));
    },
    signals: {
      on: (sig, h) => process.on(sig, h),
      off: (sig, h) => process.off(sig, h),
      listenerCount: (sig) => process.listenerCount(sig),
      onIdle: (h) => process.on('beforeExit', h),
      offIdle: (h) => process.off('beforeExit', h),
    },
    now: Date.now,
    abort: (status) => process.exit(status),
    ownsStdio: true,
    setChildUmask: (mask) => void process.umask(mask),
    raise: (signal) => process.kill(process.pid, signal),
    ...(process.argv[1] === undefined ? {} : { selfCommand: [process.execPath, process.argv[1]] }),
  };
}
