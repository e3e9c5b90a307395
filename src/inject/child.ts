/**
 * Running a child program for `run` and `team exec`: no shell, signals forwarded, the child's exit
 * status passed on, and (for `run --mask`) its output filtered through a masking stream.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import type { Transform } from 'node:stream';
import { finished } from 'node:stream/promises';
import { closeInheritedDescriptors } from '../util/fs.js';
import { type MaskedStreams, maskingStream } from './mask.js';
import { printable } from '../util/text.js';

export { childEnvironment } from './child-env.js';
export { closeInheritedDescriptors };

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'];

/** Exit code for a command that cannot be found (as shells use). */
export const EXIT_COMMAND_NOT_FOUND = 127;
/** Exit code for a command that exists but cannot be executed. */
export const EXIT_COMMAND_NOT_EXECUTABLE = 126;

/**
 * Start CMD without a shell, forward signals to it, and resolve with its exit code (127 when it
 * cannot be found, 126 when it cannot be run; a child killed by a signal kills seeqret the same way). With `maskValues`, its stdout
 * and stderr go through a masking stream (so they are pipes, not the terminal, for the child).
 * The child inherits descriptors 0–2 only ({@link closeInheritedDescriptors}); `env` is used as
 * given: build it from {@link childEnvironment}, which leaves out seeqret's credentials.
 */
export function runChild(cmd: string, cmdArgs: string[], env: NodeJS.ProcessEnv, maskValues: string[] | null = null, streams: MaskedStreams = { stdout: true, stderr: true }): Promise<number> {
  return new Promise<number>((resolve) => {
    closeInheritedDescriptors();
    const masking = maskValues !== null && (streams.stdout || streams.stderr);
    const stdio = masking ? (['inherit', streams.stdout ? 'pipe' : 'inherit', streams.stderr ? 'pipe' : 'inherit'] as const) : 'inherit';
    const child = spawn(cmd, cmdArgs, { stdio: stdio === 'inherit' ? 'inherit' : [...stdio], env, shell: false });
    const maskers: Transform[] = [];
    if (masking) {
      for (const [from, to] of [[child.stdout, process.stdout], [child.stderr, process.stderr]] as const) {
        // A pipe where masked (stdio 'pipe' above), null where the stream is inherited.
        if (from === null) continue;
        const m = maskingStream(maskValues);
        maskers.push(m);
        from.pipe(m).pipe(to, { end: false });
      }
    }
    const handlers = new Map<NodeJS.Signals, () => void>();
    for (const sig of FORWARDED) {
      const h = (): void => {
        child.kill(sig);
      };
      handlers.set(sig, h);
      process.on(sig, h);
    }
    const cleanup = (): void => {
      for (const [sig, h] of handlers) process.off(sig, h);
    };
    child.on('error', (err: NodeJS.ErrnoException) => {
      cleanup();
      if (err.code === 'ENOENT') {
        process.stderr.write(`seeqret: E_NOT_FOUND: command not found: ${printable(cmd)}. Fix: check the spelling and PATH.\n`);
        resolve(EXIT_COMMAND_NOT_FOUND);
      } else {
        process.stderr.write(`seeqret: E_IO: cannot run ${printable(cmd)}: ${printable(err.code ?? err.message)}. Fix: check that it is an executable file.\n`);
        resolve(EXIT_COMMAND_NOT_EXECUTABLE);
      }
    });
    // 'close' comes after the child's output was read to the end (it matters when masking).
    child.on(masking ? 'close' : 'exit', (code: number | null, signal: NodeJS.Signals | null) => {
      cleanup();
      const finish = (): void => {
        if (signal) {
          // Die the same way the child did, so callers see the real cause.
          process.kill(process.pid, signal);
          resolve(128 + os.constants.signals[signal]);
        } else {
          resolve(code ?? 0);
        }
      };
      // Let the masked output drain to seeqret's stdout/stderr before exiting.
      if (maskers.length) void Promise.allSettled(maskers.map((m) => finished(m))).then(finish);
      else finish();
    });
  });
}
