/**
 * This process as a {@link CliIo}: the `seeqret` executable's (src/cli/bin.ts) and the build's
 * code-cache warm-up run (scripts/code-cache.mjs).
 *
 * @module
 */
import type { CliIo } from './cli-io.js';

/**
 * This process as the Io of the run: its environment, folder, streams and signals. The streams
 * are read when first used (a `get` that writes its value with `fs.writeSync` never creates them).
 */
export function processIo(): CliIo {
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
      return process.stdout;
    },
    get stderr() {
      return process.stderr;
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
