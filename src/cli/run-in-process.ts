/**
 * The CLI run inside the calling process: {@link runCli} takes the arguments and an
 * {@link InProcessIo} (environment, working folder, stdin as bytes, terminal flags, clock) and
 * returns the exit status with everything written to stdout and stderr. Tests use it to run
 * commands without a child process; it is the same command tree and the same error reports as the
 * `seeqret` executable (bin.ts, which adapts `process` to the same seam).
 *
 * @module
 */
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { CliIo, SignalSource, StopSignal } from './cli-io.js';

/** What an in-process run sees instead of a process. */
export interface InProcessIo {
  /** The environment variables of the run (nothing is read from `process.env`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The working folder of the run (default: the process's). */
  readonly cwd?: string;
  /** All of stdin (default: empty). */
  readonly stdin?: string | Uint8Array;
  /** Pretend stdin is a terminal (prompts are then asked on stderr and answered from `stdin`). */
  readonly stdinIsTTY?: boolean;
  /** Pretend stdout is a terminal of `columns` columns (tables get borders, data is escaped). */
  readonly stdoutIsTTY?: boolean;
  /** Pretend stderr is a terminal. */
  readonly stderrIsTTY?: boolean;
  /** Terminal width when `stdoutIsTTY` (default 80). */
  readonly columns?: number;
  /** The clock (default `Date.now`). */
  readonly now?: () => number;
  /**
   * Where signals to the run come from: an `EventEmitter` the caller emits `'SIGINT'` on to
   * interrupt a prompt or stop `relay serve` (default: none ever arrives).
   */
  readonly signals?: EventEmitter;
  /** The command line that starts seeqret (`[node, bin script]`) for `unlock` and `hook install` (default: none; they then fail). */
  readonly selfCommand?: readonly string[];
  /**
   * The scrypt work factor (log2 N) of the age files `backup` writes in this run (default age's
   * 18). For tests whose subject is not the backup's passphrase; the executable cannot set it.
   */
  readonly backupWorkFactor?: number;
}

/** The outcome of an in-process run. */
export interface CliRunResult {
  /** The exit status the executable would have exited with. */
  readonly status: number;
  /** Everything written to stdout, as UTF-8 text. */
  readonly stdout: string;
  /** Everything written to stderr, as UTF-8 text. */
  readonly stderr: string;
}

/** A sink that keeps what is written. */
function collector(isTTY: boolean, columns: number | undefined): { sink: CliIo['stdout']; text: () => string } {
  const chunks: Buffer[] = [];
  return {
    sink: {
      write: (chunk: string | Uint8Array) => chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk)),
      isTTY,
      ...(columns === undefined ? {} : { columns }),
    },
    text: () => Buffer.concat(chunks).toString('utf8'),
  };
}

function signalSource(emitter: EventEmitter): SignalSource {
  return {
    on: (sig: StopSignal, h: () => void) => emitter.on(sig, h),
    off: (sig: StopSignal, h: () => void) => emitter.off(sig, h),
    listenerCount: (sig: StopSignal) => emitter.listenerCount(sig),
  };
}

/**
 * Runs are made one at a time: a run makes its `cwd` the process's working folder (Node resolves
 * the relative paths of a command line against it) and sets the process's umask to seeqret's
 * 0o077, and puts both back when it ends.
 */
let queue: Promise<unknown> = Promise.resolve();

/**
 * Run `seeqret ARGS` in this process. `args` are the command-line arguments without the program
 * name (`['--vault', dir, 'list']`). A fresh command tree and a fresh {@link CliIo} are made for
 * each run; nothing is read from or written to the process's own streams or environment, and
 * the process is never exited.
 */
export function runCli(args: readonly string[], io: InProcessIo): Promise<CliRunResult> {
  const next = queue.then(() => runNow(args, io));
  queue = next.catch(() => undefined);
  return next;
}

async function runNow(args: readonly string[], opts: InProcessIo): Promise<CliRunResult> {
  const out = collector(opts.stdoutIsTTY === true, opts.stdoutIsTTY === true ? (opts.columns ?? 80) : undefined);
  const err = collector(opts.stderrIsTTY === true, opts.stderrIsTTY === true ? (opts.columns ?? 80) : undefined);
  const stdinBytes = opts.stdin === undefined ? Buffer.alloc(0) : typeof opts.stdin === 'string' ? Buffer.from(opts.stdin, 'utf8') : Buffer.from(opts.stdin);
  const cwd = path.resolve(opts.cwd ?? process.cwd());
  const savedCwd = process.cwd();
  const savedUmask = process.umask(0o077);
  const io: CliIo = {
    env: { ...opts.env },
    cwd,
    stdin: Readable.from(stdinBytes.length > 0 ? [stdinBytes] : []),
    stdinIsTTY: opts.stdinIsTTY === true,
    stdout: out.sink,
    stderr: err.sink,
    signals: signalSource(opts.signals ?? new EventEmitter()),
    now: opts.now ?? Date.now,
    abort: () => undefined,
    setChildUmask: (mask) => void process.umask(mask),
    ...(opts.selfCommand === undefined ? {} : { selfCommand: [...opts.selfCommand] }),
    ...(opts.backupWorkFactor === undefined ? {} : { backupWorkFactor: opts.backupWorkFactor }),
  };
  try {
    if (cwd !== savedCwd) process.chdir(cwd);
    const { main } = await import('./main.js');
    const status = await main(args, io);
    return { status, stdout: out.text(), stderr: err.text() };
  } finally {
    if (process.cwd() !== savedCwd) process.chdir(savedCwd);
    process.umask(savedUmask);
  }
}
