/**
 * The interaction seam of one CLI run: what the run reads from and writes to — environment,
 * working folder, standard streams, signals, a clock — as one {@link CliIo} value. The entry
 * (`bin.ts`) builds it from `process`; {@link runCli} (src/cli/run-in-process.ts) from strings
 * and buffers, so a test or another program runs a command without a child process.
 *
 * The run's Io travels with the run, not through every function: {@link withIo} enters it for
 * the asynchronous work of one run (an `AsyncLocalStorage` scope) and {@link io} gives it back
 * to the terminal helpers of `io.ts`, the vault opener of `context.ts` and the handlers. Nothing
 * is kept in a module variable, so runs that overlap or follow one another share nothing — except
 * the one run of a process that runs nothing else ({@link withSoleRun}: the executable's `get`).
 *
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Readable } from 'node:stream';
import { SeeqretError } from '../errors.js';
import type { ExitProfile } from './exit-profile.js';

/** Where a run writes one of its output streams (stdout or stderr). */
export interface OutputSink {
  /** Append `chunk` (text is UTF-8). */
  write(chunk: string | Uint8Array): unknown;
  /** True when the stream is a terminal: tables get borders, data is escaped. */
  readonly isTTY?: boolean;
  /** The terminal's width in columns, when it is one. */
  readonly columns?: number;
}

/** The signals a run listens to while it waits for a person or runs a child. */
export type StopSignal = NodeJS.Signals;

/**
 * Where a run hears the signals sent to it (Ctrl-C at a prompt, SIGTERM to `relay serve` or to a
 * child run by `env run`). The process adapter is `process` itself; an in-process run has none
 * unless the caller gives one (an `EventEmitter` it can `emit('SIGINT')` on).
 */
export interface SignalSource {
  /** Call `handler` on each `signal` until {@link SignalSource.off}. */
  on(signal: StopSignal, handler: () => void): unknown;
  /** Stop calling `handler`. */
  off(signal: StopSignal, handler: () => void): unknown;
  /** How many handlers listen to `signal` (a run re-raises a signal nobody else handles). */
  listenerCount(signal: StopSignal): number;
  /**
   * Call `handler` when the run would end with nothing left to do (the process's `beforeExit`):
   * a prompt whose input ended without an answer it could report. Absent in-process.
   */
  onIdle?(handler: () => void): void;
  /** Stop calling the `onIdle` handler. */
  offIdle?(handler: () => void): void;
}

/** Everything one CLI run interacts with. */
export interface CliIo {
  /** The environment variables the run sees (SEEQRET, SEEQRET_PASSPHRASE, HOME, PATH …). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The working folder: relative paths of the command line are relative to it. */
  readonly cwd: string;
  /** Standard input, read to its end by commands that take data on stdin. */
  readonly stdin: Readable;
  /** The descriptor behind {@link CliIo.stdin} (0 for a process), so a regular file can be checked by its size first; absent in-process. */
  readonly stdinFd?: number;
  /** True when stdin is a terminal a person types into: prompts are allowed. */
  readonly stdinIsTTY: boolean;
  /** Output for the user: data and reports. */
  readonly stdout: OutputSink;
  /** Diagnostics, warnings, prompts and errors. */
  readonly stderr: OutputSink;
  /** Where signals to the run arrive. */
  readonly signals: SignalSource;
  /** The clock (milliseconds since the epoch). */
  now(): number;
  /**
   * End the run at once with `status`, as a second Ctrl-C at a prompt does. The process adapter
   * exits; an in-process run, which has no process to end, ignores it.
   */
  abort(status: number): void;
  /** True when stdin, stdout and stderr are this process's descriptors 0–2, which a child can inherit. */
  readonly ownsStdio?: boolean;
  /** Set the file mode creation mask that children started from now on inherit (`env run --umask`). */
  setChildUmask(mask: number): void;
  /**
   * The command line that starts seeqret again (`[node, its bin script]`), for what the run starts
   * as its own program: the unlock agent, the git pre-commit hook. Absent when the run cannot tell
   * (an in-process run not given one): those commands then fail with `E_INTERNAL` rather than
   * start the host program.
   */
  readonly selfCommand?: readonly string[];
  /** The scrypt work factor of the backups the run writes: in-process runs only (`runCli`), absent in the executable (age's default). */
  readonly backupWorkFactor?: number;
  /** Send `signal` to the run itself after a child it ran was ended by it (as a shell does); absent in-process. */
  raise?(signal: NodeJS.Signals): void;
}

/** The state of one run: its Io, its exit status and the exit-code profile chosen for it. */
export interface CliRun {
  readonly io: CliIo;
  /** The status a handler set (`undefined`: 0 unless an error is reported). */
  status?: number;
  /** How errors map to exit codes: seeqret's own, or pprotect's/ssclient's for `team`/`securestore`. */
  readonly profile: ExitProfile;
}

const current = new AsyncLocalStorage<CliRun>();

/** The run of the last {@link withSoleRun}; it stays the process's run after `fn` ends. */
let soleRun: CliRun | undefined;
/** Whether a {@link withSoleRun}'s `fn` is running (or its promise is pending). */
let soleActive = false;

/** Run `fn` as the run `run`: {@link io} and {@link cliRun} give it back anywhere below. */
export function withRun<T>(run: CliRun, fn: () => T): T {
  return current.run(run, fn);
}

/**
 * Run `fn` as the run `run` of a process that runs one command at a time (the executable's `get`,
 * src/cli/get-main.ts; `sync` and `push`, src/cli/fast-relay-run.ts): `run` is kept in a module
 * variable instead of an `AsyncLocalStorage` scope, whose first `run` makes Node 20 load and
 * install its promise hooks — about 70 functions compiled and a hook call on every promise
 * (decisions 68 and 69). `run` stays the process's run after `fn` ends (a late callback still
 * finds it) until the next sole run replaces it. Inside a {@link withRun} scope, or while another
 * sole run is going, it is `E_INTERNAL`: a process that runs several runs at once (the unlock
 * agent, tests) uses {@link withRun}.
 */
export function withSoleRun<T>(run: CliRun, fn: () => T): T {
  if (soleActive || current.getStore() !== undefined) {
    throw new SeeqretError('E_INTERNAL', 'a sole CLI run was started while another run is going', 'Use withRun for a run that is not the only one of its process.');
  }
  soleRun = run;
  soleActive = true;
  let result: T;
  try {
    result = fn();
  } catch (e) {
    soleActive = false;
    throw e;
  }
  if (result instanceof Promise) {
    return result.finally(() => {
      soleActive = false;
    }) as T;
  }
  soleActive = false;
  return result;
}

/** The run being executed (`E_INTERNAL` outside one: the CLI's helpers are only for commands). */
export function cliRun(): CliRun {
  const run = current.getStore() ?? soleRun;
  if (!run) throw new SeeqretError('E_INTERNAL', 'a CLI helper was used outside a CLI run', 'Call it from a command run by runCli or the seeqret executable.');
  return run;
}

/** The Io of the run being executed, if there is one (help laid out outside a run, by tests, has none). */
export function runIo(): CliIo | undefined {
  return (current.getStore() ?? soleRun)?.io;
}

/** The Io of the run being executed. */
export function io(): CliIo {
  return cliRun().io;
}

/**
 * The command line that starts seeqret again ({@link CliIo.selfCommand}), for what a run starts as
 * its own program (the unlock agent, the git hook). `E_INTERNAL` when the run has none, so the
 * host program (a test runner, an app using the library) is never started or written instead.
 */
export function selfCommand(): readonly [string, ...string[]] {
  const [command, ...args] = io().selfCommand ?? [];
  if (command === undefined) {
    throw new SeeqretError('E_INTERNAL', 'cannot tell which program is seeqret itself in this run', 'Run the seeqret executable, or pass selfCommand ([node, its bin script]) to runCli.');
  }
  return [command, ...args];
}
