/**
 * The CLI run inside the calling process: {@link runCli} takes the arguments and an
 * {@link InProcessIo} (environment, working folder, stdin as bytes or a stream, terminal flags,
 * clock, answers typed at prompts) and
 * returns the exit status with everything written to stdout and stderr. Tests use it to run
 * commands without a child process; it is the same command tree and the same error reports as the
 * `seeqret` executable (bin.ts, which adapts `process` to the same seam).
 *
 * @module
 */
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import type { CliIo, SignalSource, StopSignal } from './cli-io.js';

/** What an in-process run sees instead of a process. */
export interface InProcessIo {
  /** The environment variables of the run (nothing is read from `process.env`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The working folder of the run (default: the process's). */
  readonly cwd?: string;
  /** All of stdin (default: empty), or a stream of it (a file the caller opened: see `stdinFd`). */
  readonly stdin?: string | Uint8Array | Readable;
  /**
   * The descriptor a `stdin` stream reads (a regular file, a device the caller opened): the run
   * checks its kind and size first, as the executable checks its descriptor 0.
   */
  readonly stdinFd?: number;
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
  /**
   * Keys typed at the run's prompts, for tests (with `stdinIsTTY`): each `send` is written to
   * stdin once its `expect` has been written to stderr after the previous one, in order, as a
   * person answers a prompt when it appears; stdin stays open until the run ends. Replaces `stdin`.
   */
  readonly answers?: ReadonlyArray<{ readonly expect: string; readonly send: string }>;
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

/**
 * A sink that keeps what is written. With `written` (a run with {@link InProcessIo.answers}) it is
 * a real `Writable`, as the prompts need to draw on, and tells `written` after each write.
 */
function collector(isTTY: boolean, columns: number | undefined, written?: () => void): { sink: CliIo['stdout']; text: () => string } {
  const chunks: Buffer[] = [];
  const keep = (chunk: string | Uint8Array): number => chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk));
  const text = (): string => Buffer.concat(chunks).toString('utf8');
  const terminal = { isTTY, ...(columns === undefined ? {} : { columns }) };
  if (written === undefined) return { sink: { write: keep, ...terminal }, text };
  const stream = new Writable({
    decodeStrings: false,
    write(chunk: string | Uint8Array, _encoding, done) {
      keep(chunk);
      written();
      done();
    },
  });
  // As a process's stderr, it stays open when a prompt that piped into it ends its own stream.
  const sink = Object.assign(stream, terminal, { end: () => sink });
  return { sink, text };
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

/**
 * The stdin of a run answered by `answers` ({@link InProcessIo.answers}) and the check to make
 * after each write to stderr: the next answer is sent (on the next turn of the event loop, not
 * inside the prompt's drawing) once its text has appeared.
 */
function typist(answers: NonNullable<InProcessIo['answers']>, stderrText: () => string): { stdin: PassThrough; check: () => void } {
  const stdin = new PassThrough();
  let next = 0;
  let seen = 0;
  const check = (): void => {
    const step = answers[next];
    if (step === undefined) return;
    const text = stderrText();
    const at = text.indexOf(step.expect, seen);
    if (at < 0) return;
    next += 1;
    seen = at + step.expect.length;
    setImmediate(() => {
      if (stdin.writableEnded) return; // the run ended first
      stdin.write(step.send);
      check();
    });
  };
  return { stdin, check };
}

/** The chunks of an in-process stdin given as text or bytes (none when empty). */
function stdinBytes(stdin: string | Uint8Array | undefined): Buffer[] {
  const bytes = stdin === undefined ? Buffer.alloc(0) : typeof stdin === 'string' ? Buffer.from(stdin, 'utf8') : Buffer.from(stdin);
  return bytes.length > 0 ? [bytes] : [];
}

async function runNow(args: readonly string[], opts: InProcessIo): Promise<CliRunResult> {
  const out = collector(opts.stdoutIsTTY === true, opts.stdoutIsTTY === true ? (opts.columns ?? 80) : undefined);
  let typed: ReturnType<typeof typist> | undefined;
  const err = collector(opts.stderrIsTTY === true, opts.stderrIsTTY === true ? (opts.columns ?? 80) : undefined, opts.answers === undefined ? undefined : () => typed?.check());
  if (opts.answers !== undefined) typed = typist(opts.answers, () => err.text());
  const stdinStream = opts.stdin instanceof Readable ? opts.stdin : Readable.from(stdinBytes(opts.stdin));
  const cwd = path.resolve(opts.cwd ?? process.cwd());
  const savedCwd = process.cwd();
  const savedUmask = process.umask(0o077);
  const io: CliIo = {
    env: { ...opts.env },
    cwd,
    stdin: typed?.stdin ?? stdinStream,
    ...(opts.stdinFd === undefined ? {} : { stdinFd: opts.stdinFd }),
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
    typed?.stdin.end();
    if (process.cwd() !== savedCwd) process.chdir(savedCwd);
    process.umask(savedUmask);
  }
}
