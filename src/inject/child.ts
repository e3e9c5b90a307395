/**
 * Running a child program for `run` and `team exec`: no shell, signals forwarded, the child's exit
 * status passed on, and (for `run --mask`) its output filtered through a masking stream.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import type { Readable, Transform } from 'node:stream';
import { finished } from 'node:stream/promises';
import { closeInheritedDescriptors } from '../util/fs.js';
import { maskingStream } from './mask.js';
import { printable } from '../util/text.js';

export { childEnvironment } from './child-env.js';
export { closeInheritedDescriptors };

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'];

/** Exit code for a command that cannot be found (as shells use). */
export const EXIT_COMMAND_NOT_FOUND = 127;
/** Exit code for a command that exists but cannot be executed. */
export const EXIT_COMMAND_NOT_EXECUTABLE = 126;

/** What a child is run with: the caller's streams and signals (the CLI passes its run's). */
export interface ChildIo {
  /**
   * True: the child inherits this process's descriptors 0–2 (it sees the terminal). False: its
   * stdin is fed from {@link ChildIo.stdin} and its output written to the sinks below (an
   * in-process run).
   */
  readonly inheritStdio: boolean;
  /** Fed to the child's stdin when it does not inherit it. */
  readonly stdin: Readable;
  /** Where the child's stdout goes when it does not inherit it (or when masking). */
  readonly stdout: { write(chunk: Uint8Array | string): unknown };
  /** Where the child's stderr and the errors of starting it go. */
  readonly stderr: { write(chunk: Uint8Array | string): unknown };
  /** Signals to forward to the child. */
  readonly signals: {
    on(signal: NodeJS.Signals, handler: () => void): unknown;
    off(signal: NodeJS.Signals, handler: () => void): unknown;
  };
  /** Die of `signal` as the child did (a process re-raises it on itself); absent: only the status 128+N is returned. */
  readonly raise?: (signal: NodeJS.Signals) => void;
  /** The child's working folder. */
  readonly cwd: string;
}

/**
 * Start CMD without a shell, forward signals to it, and resolve with its exit code (127 when it
 * cannot be found, 126 when it cannot be run; a child killed by a signal kills seeqret the same way). With `maskValues`, its stdout
 * and stderr go through a masking stream (so they are pipes, not the terminal, for the child).
 * The child inherits descriptors 0–2 only ({@link closeInheritedDescriptors}); `env` is used as
 * given: build it from {@link childEnvironment}, which leaves out seeqret's credentials.
 */
export function runChild(cmd: string, cmdArgs: string[], env: NodeJS.ProcessEnv, io: ChildIo, maskValues: string[] | null = null): Promise<number> {
  return new Promise<number>((resolve) => {
    closeInheritedDescriptors();
    const inherit = io.inheritStdio;
    const out = inherit && !maskValues ? 'inherit' : 'pipe';
    const child = spawn(cmd, cmdArgs, { stdio: [inherit ? 'inherit' : 'pipe', out, out], env, cwd: io.cwd, shell: false });
    if (!inherit && child.stdin) {
      child.stdin.on('error', () => undefined); // a child that does not read its stdin
      io.stdin.pipe(child.stdin);
    }
    const maskers: Transform[] = [];
    for (const [from, to] of [[child.stdout, io.stdout], [child.stderr, io.stderr]] as const) {
      // Pipes when masking or not inheriting (stdio 'pipe' above); null when inherited.
      if (from === null) continue;
      const m = maskValues ? maskingStream(maskValues) : null;
      if (m) maskers.push(m);
      (m ? from.pipe(m) : from).on('data', (chunk: Buffer) => to.write(chunk));
    }
    const handlers = new Map<NodeJS.Signals, () => void>();
    for (const sig of FORWARDED) {
      const h = (): void => {
        child.kill(sig);
      };
      handlers.set(sig, h);
      io.signals.on(sig, h);
    }
    const cleanup = (): void => {
      for (const [sig, h] of handlers) io.signals.off(sig, h);
    };
    child.on('error', (err: NodeJS.ErrnoException) => {
      cleanup();
      if (err.code === 'ENOENT') {
        io.stderr.write(`seeqret: E_NOT_FOUND: command not found: ${printable(cmd)}. Fix: check the spelling and PATH.\n`);
        resolve(EXIT_COMMAND_NOT_FOUND);
      } else {
        io.stderr.write(`seeqret: E_IO: cannot run ${printable(cmd)}: ${printable(err.code ?? err.message)}. Fix: check that it is an executable file.\n`);
        resolve(EXIT_COMMAND_NOT_EXECUTABLE);
      }
    });
    // 'close' comes after the child's output was read to the end (it matters when masking).
    child.on(out === 'pipe' ? 'close' : 'exit', (code: number | null, signal: NodeJS.Signals | null) => {
      cleanup();
      const finish = (): void => {
        if (signal) {
          // Die the same way the child did, so callers see the real cause.
          io.raise?.(signal);
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
