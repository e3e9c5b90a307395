/**
 * Terminal and standard-stream helpers shared by the commands: output lines, diagnostics,
 * prompts, confirmation, stdin. Kept apart from `context.ts` (which opens vaults) so commands
 * that never open the seeqret vault (`securestore`) do not load the vault code at start-up.
 * Prompt libraries are imported only when a prompt is really shown.
 *
 * @module
 */
import { SeeqretError } from '../errors.js';
import { refuseEmptyValue } from '../vault/names.js';
import type { ChildIo } from '../inject/child.js';
import { io } from './cli-io.js';
import type { Column, Format } from '../formats/output.js';
import type { LimitKind } from '../util/limits.js';
import { printable, printableLines, safeJson } from '../util/text.js';

/**
 * Write a line (or lines) of text for people to stdout. Every line goes through `printable`, so
 * names, e-mail addresses or descriptions that came from someone else cannot control the terminal
 * (nor a file that is shown on one later). Data the user asked for goes through {@link writeData}.
 */
export function out(line: string): void {
  io().stdout.write(printableLines(line.endsWith('\n') ? line : line + '\n'));
}

/**
 * Write data the user asked for (values, csv/env/shell lists, rendered templates) to stdout.
 * Through a pipe or into a file it is exact. On a terminal, which would obey them, control, bidi
 * and invisible characters are shown as `\u{…}` escapes instead (line feeds stay) and a warning
 * says so: redirect the output to get the exact bytes.
 */
export function writeData(data: string | Uint8Array): void {
  const { stdout } = io();
  if (stdout.isTTY === true) {
    const text = typeof data === 'string' ? data : Buffer.from(data).toString('utf8');
    const shown = printableLines(text);
    if (shown !== text || (typeof data !== 'string' && !Buffer.from(text, 'utf8').equals(data))) {
      stdout.write(shown);
      warn('the output holds control or invisible characters, shown as \\u{…} escapes because stdout is a terminal; redirect it to a file or a pipe for the exact data');
      return;
    }
  }
  stdout.write(data);
}

/**
 * Whether a table on a terminal may be coloured, decided from the run's own environment (an
 * in-process run, a relay client or the UI passes its own), never from the host process's:
 * `NO_COLOR` (any value) turns colour off; otherwise `FORCE_COLOR` (any value) turns it on, and a
 * `TERM` of `dumb` turns it off.
 */
export function colorAllowed(env: Readonly<Record<string, string | undefined>>): boolean {
  if (env['NO_COLOR'] !== undefined) return false;
  if (env['FORCE_COLOR'] !== undefined) return true;
  return env['TERM'] !== 'dumb';
}

/**
 * Print rows in `format` to stdout. Tables learn from here whether stdout is a terminal (borders,
 * fitted to its width, bold headers when colour is allowed) or not (plain columns, never cut).
 */
export async function printRows<T extends object = Record<string, unknown>>(
  rows: readonly T[],
  columns: ReadonlyArray<Column<T>>,
  format: Format,
  nameValue?: (row: T) => [string, string],
): Promise<void> {
  const { writeRows } = await import('../formats/output.js');
  const { stdout } = io();
  const tty = stdout.isTTY === true;
  const color = tty && format === 'table' && colorAllowed(io().env);
  // Tables are escaped cell by cell (their borders and bold headers are ours), json and yaml by
  // their own escapes; csv, env and shell hold the exact data, escaped only on a terminal. A table
  // is written in chunks as it is laid out, each as bytes: a chunk a slow reader leaves queued in
  // the stream is then memory the garbage collector does not copy (issue 12).
  const write = format === 'table' ? (chunk: string) => void stdout.write(Buffer.from(chunk, 'utf8')) : format === 'json' || format === 'yaml' ? (chunk: string) => void stdout.write(chunk) : writeData;
  await writeRows(rows, columns, format, nameValue, { tty, width: tty ? stdout.columns : undefined, color }, write);
}

/**
 * Write a report for programs (`--format json`) to stdout: one JSON document, control, bidi and
 * invisible characters as `\uXXXX` escapes (the data is exact once parsed).
 */
export function writeJson(value: unknown): void {
  io().stdout.write(safeJson(value, 2) + '\n');
}

/** The run's streams, signals and folder as a child program is run with them (`env run`, `team exec`). */
export function childIo(): ChildIo {
  const run = io();
  return { inheritStdio: run.ownsStdio === true, stdin: run.stdin, stdout: run.stdout, stderr: run.stderr, signals: run.signals, ...(run.raise ? { raise: run.raise.bind(run) } : {}), cwd: run.cwd };
}

/** Write a diagnostic line to stderr (never a secret value). */
export function info(line: string): void {
  io().stderr.write(printable(line.replace(/\n$/, '')) + '\n');
}

/** {@link info} for many lines in one write (a load reports each of its names: 10,000 lines). */
export function infoLines(lines: readonly string[]): void {
  if (lines.length > 0) io().stderr.write(lines.map((line) => `${printable(line.replace(/\n$/, ''))}\n`).join(''));
}

/** Write a warning to stderr. */
export function warn(line: string): void {
  io().stderr.write(`seeqret: warning: ${printable(line)}\n`);
}

/** True when stdin is an interactive terminal. */
export function stdinIsTTY(): boolean {
  return io().stdinIsTTY;
}

/**
 * Read all of stdin as bytes, at most the cap of `kind` (docs/formats.md#limits): `E_TOO_LARGE`
 * as soon as more comes (a regular file redirected to stdin is checked by its size first; a
 * device such as /dev/zero is refused unread). From a terminal that is text a person types until
 * Ctrl-D: the command says so (`hint`, or a general line), and it is a wait for an answer
 * ({@link waitForAnswer}), so Ctrl-C and SIGTERM are `E_INTERRUPTED`.
 */
export async function readStdin(kind: LimitKind, source = 'stdin', hint?: string): Promise<Buffer> {
  const { readStreamCapped } = await import('../util/read-capped.js');
  const { stdin, stdinFd } = io();
  const read = (): Promise<Buffer> => readStreamCapped(stdin, kind, source, stdinFd === undefined ? undefined : { fd: stdinFd, isTTY: stdinIsTTY() });
  if (!stdinIsTTY()) return read();
  return typed(hint ?? 'Reading from the terminal: type the text, then Ctrl-D on an empty line (Ctrl-C cancels).', read);
}

/** `read()` what a person types on the terminal until Ctrl-D, after showing `hint`; Ctrl-C and SIGTERM abandon the read. */
function typed(hint: string, read: () => Promise<Buffer>): Promise<Buffer> {
  return waitForAnswer((signal) => {
    signal.addEventListener(
      'abort',
      () => {
        io().stdin.destroy();
        if ((signal.reason as Error).message === 'SIGINT') io().stderr.write('\n'); // after the terminal's ^C
      },
      { once: true },
    );
    info(hint);
    return read();
  }, () => Buffer.alloc(0));
}

/** The signals that end a wait at a prompt: Ctrl-C (SIGINT) and SIGTERM. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** The error of a prompt ended by Ctrl-C (`SIGINT`) or another signal: exit 130, one line. */
export function interrupted(sig: string): SeeqretError {
  return new SeeqretError(
    'E_INTERRUPTED',
    `interrupted by ${sig === 'SIGINT' ? 'Ctrl-C' : sig} while waiting for input; the command stopped there`,
    'Run the command again when you are ready to answer.',
  );
}

/**
 * Wait for the person at the terminal: a prompt, a menu, a confirmation, text typed until Ctrl-D.
 *
 * Ctrl-C (a SIGINT in cooked mode, the 0x03 key a raw-mode prompt reads) and SIGTERM end the wait
 * with `E_INTERRUPTED` (exit 130). Every prompt comes before what its answer is for, so the
 * command stops without doing it; the error unwinds through the command's `finally` blocks (the
 * vault is closed, nothing half-written). A second signal after that exits 130 at once.
 *
 * `ask` receives an AbortSignal that fires when the wait must end, and must then settle (so the
 * prompt restores the terminal before the error is printed). When the input ends in a way
 * the prompt cannot report (Ctrl-D on an empty line closes the prompt's readline and leaves
 * nothing running), `ended` gives the answer instead.
 */
export async function waitForAnswer<T>(ask: (signal: AbortSignal) => Promise<T>, ended: () => T): Promise<T> {
  const ac = new AbortController();
  let stop: string | undefined;
  const input = { ended: false };
  const handlers = STOP_SIGNALS.map((sig) => {
    const h = (): void => {
      stop ??= sig;
      ac.abort(new Error(sig));
    };
    return [sig, h] as const;
  });
  const idle = (): void => {
    input.ended = true;
    ac.abort(new Error('end of input'));
  };
  const { signals } = io();
  for (const [sig, h] of handlers) signals.on(sig, h);
  signals.onIdle?.(idle);
  try {
    const answer = await ask(ac.signal);
    // An answer that raced the signal is not taken: the person asked to stop.
    if (stop !== undefined) throw interrupted(stop);
    return answer;
  } catch (e) {
    if (e instanceof SeeqretError) throw e;
    // @inquirer/prompts rejects with ExitPromptError on the Ctrl-C key ("... with SIGINT").
    if (stop === undefined && (e as Error | null)?.name === 'ExitPromptError') stop = /\b(SIG[A-Z]+)/.exec((e as Error).message)?.[1] ?? 'SIGINT';
    if (stop !== undefined) throw interrupted(stop);
    if (input.ended) return ended();
    throw e;
  } finally {
    signals.offIdle?.(idle);
    for (const [sig, h] of handlers) signals.off(sig, h);
    if (stop !== undefined) {
      const run = io();
      for (const sig of STOP_SIGNALS) {
        signals.on(sig, () => {
          run.abort(130);
        });
      }
    }
  }
}

/** The stream prompts draw on: the run's stderr (a terminal's stream for the process). */
function promptOutput(): NodeJS.WritableStream {
  return io().stderr as unknown as NodeJS.WritableStream;
}

function noTty(message: string, fix: string): SeeqretError {
  return new SeeqretError('E_NO_TTY', `cannot ask for ${message.toLowerCase()}: not a terminal`, fix);
}

function noAnswer(message: string): SeeqretError {
  return new SeeqretError('E_ABORTED', `no answer to "${message}" (end of input); nothing was changed`, 'Run the command again and answer, or give the value as an option.');
}

/**
 * Ask for hidden input on the terminal (requires a TTY). End of input (Ctrl-D on an empty line)
 * answers the empty string; Ctrl-C and SIGTERM are `E_INTERRUPTED`.
 */
export async function promptHidden(message: string): Promise<string> {
  if (!stdinIsTTY()) throw noTty(message, 'Pass the value on stdin or with the documented option.');
  const { password } = await import('@inquirer/prompts');
  return waitForAnswer((signal) => password({ message: printable(message), mask: false }, { input: io().stdin, output: promptOutput(), signal }), () => '');
}

/** Ask for visible input on the terminal with an optional default (requires a TTY). */
export async function promptText(message: string, def?: string): Promise<string> {
  if (!stdinIsTTY()) throw noTty(message, 'Pass it as an option.');
  const { input } = await import('@inquirer/prompts');
  return waitForAnswer(
    (signal) => input({ message: printable(message), ...(def === undefined || printable(def) !== def ? {} : { default: def }), required: true }, { input: io().stdin, output: promptOutput(), signal }),
    () => {
      throw noAnswer(message);
    },
  );
}

/** Ask the person to pick one of `choices` in a menu on the terminal (requires a TTY). */
export async function promptSelect<T>(message: string, choices: ReadonlyArray<{ name: string; value: T }>, def?: T): Promise<T> {
  if (!stdinIsTTY()) throw noTty(message, 'Pass the value as an argument.');
  const { select } = await import('@inquirer/prompts');
  return waitForAnswer(
    (signal) => select<T>({ message: printable(message), choices: choices.map((c) => ({ ...c, name: printable(c.name) })), ...(def !== undefined ? { default: def } : {}) }, { input: io().stdin, output: promptOutput(), signal }),
    () => {
      throw noAnswer(message);
    },
  );
}

/**
 * Refuse an empty value unless the command was given `--allow-empty`: an empty secret is almost
 * always an accident (Enter at the prompt, an empty pipe, an unset shell variable) that would
 * replace a real value.
 */
export function refuseEmpty(value: string, what: string, allowEmpty: boolean): string {
  return refuseEmptyValue(value, what, allowEmpty);
}

/**
 * Ask a person for a NEW secret value or passphrase: hidden, then a second time to catch a typo
 * (as pass and gopass do). An empty first answer (Enter, or end of input) is `E_EMPTY_VALUE` at
 * once — for a value unless `allowEmpty` (`--allow-empty`), for a new `passphrase` always; `check`
 * vets the first answer before the second is asked; two different answers are `E_USAGE` and
 * nothing is stored. `what` names it in messages ("K" for a value, "the backup passphrase").
 * Unlocking something that exists (a vault or backup passphrase, a SecureStore password) asks
 * once, with {@link promptHidden}.
 */
export async function promptNewSecret(
  message: string,
  opts: { what: string; check?: (s: string) => void; repeat?: string } & ({ allowEmpty: boolean } | { passphrase: true }),
): Promise<string> {
  const first = await promptHidden(message);
  if ('passphrase' in opts) {
    if (first === '') throw new SeeqretError('E_EMPTY_VALUE', `${opts.what} is empty; nothing was written`, 'Type a passphrase (an empty one is never accepted).');
  } else refuseEmpty(first, opts.what, opts.allowEmpty);
  opts.check?.(first);
  return promptAgain(opts.repeat ?? message, first, opts.what);
}

/**
 * Ask for hidden input a second time (`Repeat <message>`, or `message` itself when it starts with
 * "Repeat"): `first` when the two are equal, else `E_USAGE`.
 */
export async function promptAgain(message: string, first: string, what: string): Promise<string> {
  // "Value for K" → "Repeat value for K", but "SSID for …" keeps its capitals.
  const lower = /^\p{Lu}\p{Ll}/u.test(message) ? message.charAt(0).toLowerCase() + message.slice(1) : message;
  const again = message.startsWith('Repeat ') ? message : `Repeat ${lower}`;
  if ((await promptHidden(again)) !== first) {
    throw new SeeqretError('E_USAGE', `the two entries for ${what} differ; nothing was stored`, 'Run the command again and type the same thing twice.');
  }
  return first;
}

/**
 * Ask a yes/no question on stderr and read one line from stdin (terminal or pipe).
 * Only `y`/`yes` (any case) is yes; end of input is no; Ctrl-C and SIGTERM are `E_INTERRUPTED`.
 */
export async function confirm(question: string): Promise<boolean> {
  const { createInterface } = await import('node:readline');
  return waitForAnswer(async (signal) => {
    io().stderr.write(`${printable(question)} [y/N] `);
    const rl = createInterface({ input: io().stdin, terminal: false });
    try {
      const line = await new Promise<string | null>((resolve) => {
        rl.once('line', (l) => {
          resolve(l);
        });
        rl.once('close', () => {
          resolve(null);
        });
        signal.addEventListener(
          'abort',
          () => {
            resolve(null);
          },
          { once: true },
        );
      });
      if (line === null) io().stderr.write('\n');
      return line !== null && /^\s*y(es)?\s*$/i.test(line);
    } finally {
      rl.close();
    }
  }, () => false);
}

/**
 * Read a secret value for a command: the argument, else stdin (pipe), else the terminal — a hidden
 * prompt asked twice ({@link promptNewSecret}), or for `multiline` text typed until Ctrl-D (shown
 * as typed, so not asked twice). An empty value is `E_EMPTY_VALUE` unless `allowEmpty`
 * (`--allow-empty`), whatever its source.
 */
export async function readValue(arg: string | undefined, opts: { label: string; multiline?: boolean; allowEmpty: boolean }): Promise<string> {
  return refuseEmpty(await readRawValue(arg, opts), opts.label, opts.allowEmpty);
}

async function readRawValue(arg: string | undefined, opts: { label: string; multiline?: boolean; allowEmpty: boolean }): Promise<string> {
  if (arg !== undefined) return arg;
  if (!stdinIsTTY()) {
    const { decodeUtf8 } = await import('../util/read-capped.js');
    let s = decodeUtf8(await readStdin('value', 'the value on stdin'), 'the value on stdin');
    if (!opts.multiline) s = s.replace(/\r?\n$/, '');
    return s;
  }
  if (opts.multiline) {
    const { decodeUtf8 } = await import('../util/read-capped.js');
    return decodeUtf8(await readStdin('value', 'the value', `Enter the value for ${opts.label}; end with Ctrl-D on an empty line.`), 'the value');
  }
  return promptNewSecret(`Value for ${opts.label}`, { what: opts.label, allowEmpty: opts.allowEmpty });
}
