/**
 * Terminal and standard-stream helpers shared by the commands: output lines, diagnostics,
 * prompts, confirmation, stdin. Kept apart from `context.ts` (which opens vaults) so commands
 * that never open the seeqret vault (`securestore`) do not load the vault code at start-up.
 * Prompt libraries are imported only when a prompt is really shown.
 *
 * @module
 */
import { SeeqretError } from '../errors.js';
import type { Column, Format } from '../formats/output.js';
import type { LimitKind } from '../util/limits.js';
import { printable, printableLines } from '../util/text.js';

/**
 * Write a line (or lines) of text for people to stdout. Every line goes through `printable`, so
 * names, e-mail addresses or descriptions that came from someone else cannot control the terminal
 * (nor a file that is shown on one later). Data the user asked for goes through {@link writeData}.
 */
export function out(line: string): void {
  process.stdout.write(printableLines(line.endsWith('\n') ? line : line + '\n'));
}

/**
 * Write data the user asked for (values, csv/env/shell lists, rendered templates) to stdout.
 * Through a pipe or into a file it is exact. On a terminal, which would obey them, control, bidi
 * and invisible characters are shown as `\u{…}` escapes instead (line feeds stay) and a warning
 * says so: redirect the output to get the exact bytes.
 */
export function writeData(data: string | Uint8Array): void {
  if (process.stdout.isTTY === true) {
    const text = typeof data === 'string' ? data : Buffer.from(data).toString('utf8');
    const shown = printableLines(text);
    if (shown !== text || (typeof data !== 'string' && !Buffer.from(text, 'utf8').equals(data))) {
      process.stdout.write(shown);
      warn('the output holds control or invisible characters, shown as \\u{…} escapes because stdout is a terminal; redirect it to a file or a pipe for the exact data');
      return;
    }
  }
  process.stdout.write(data);
}

/**
 * Print rows in `format` to stdout. Tables learn from here whether stdout is a terminal (borders,
 * fitted to its width, bold headers when colour is allowed) or not (plain columns, never cut).
 */
export async function printRows(
  rows: ReadonlyArray<Record<string, unknown>>,
  columns: readonly Column[],
  format: Format,
  nameValue?: (row: Record<string, unknown>) => [string, string],
): Promise<void> {
  const { render } = await import('../formats/output.js');
  const tty = process.stdout.isTTY === true;
  const color = tty && format === 'table' && (await import('picocolors')).default.isColorSupported;
  const text = await render(rows, columns, format, nameValue, { tty, width: tty ? process.stdout.columns : undefined, color });
  // Tables are escaped cell by cell (their borders and bold headers are ours), json and yaml by
  // their own escapes; csv, env and shell hold the exact data, escaped only on a terminal.
  if (format === 'table' || format === 'json' || format === 'yaml') process.stdout.write(text);
  else writeData(text);
}

/** Write a diagnostic line to stderr (never a secret value). */
export function info(line: string): void {
  process.stderr.write(printable(line.replace(/\n$/, '')) + '\n');
}

/** Write a warning to stderr. */
export function warn(line: string): void {
  process.stderr.write(`seeqret: warning: ${printable(line)}\n`);
}

/** True when stdin is an interactive terminal. */
export function stdinIsTTY(): boolean {
  return process.stdin.isTTY === true;
}

/**
 * Read all of stdin as bytes, at most the cap of `kind` (docs/formats.md#limits): `E_TOO_LARGE`
 * as soon as more comes (a regular file redirected to stdin is checked by its size first; a
 * device such as /dev/zero is refused unread).
 */
export async function readStdin(kind: LimitKind, source = 'stdin'): Promise<Buffer> {
  const { readStreamCapped } = await import('../util/fs.js');
  return readStreamCapped(process.stdin, kind, source, { fd: 0, isTTY: stdinIsTTY() });
}

/** Ask for hidden input on the terminal (requires a TTY). */
export async function promptHidden(message: string): Promise<string> {
  if (!stdinIsTTY()) throw new SeeqretError('E_NO_TTY', `cannot ask for ${message.toLowerCase()}: not a terminal`, 'Pass the value on stdin or with the documented option.');
  const { password } = await import('@inquirer/prompts');
  return password({ message: printable(message), mask: false }, { output: process.stderr });
}

/** Ask for visible input on the terminal with an optional default (requires a TTY). */
export async function promptText(message: string, def?: string): Promise<string> {
  if (!stdinIsTTY()) throw new SeeqretError('E_NO_TTY', `cannot ask for ${message.toLowerCase()}: not a terminal`, 'Pass it as an option.');
  const { input } = await import('@inquirer/prompts');
  return input({ message: printable(message), ...(def === undefined || printable(def) !== def ? {} : { default: def }), required: true }, { output: process.stderr });
}

/**
 * Ask a yes/no question on stderr and read one line from stdin (terminal or pipe).
 * Only `y`/`yes` (any case) is yes; end of input is no.
 */
export async function confirm(question: string): Promise<boolean> {
  process.stderr.write(`${printable(question)} [y/N] `);
  const { createInterface } = await import('node:readline');
  const rl = createInterface({ input: process.stdin, terminal: false });
  try {
    const line = await new Promise<string | null>((resolve) => {
      rl.once('line', (l) => resolve(l));
      rl.once('close', () => resolve(null));
    });
    if (line === null) process.stderr.write('\n');
    return line !== null && /^\s*y(es)?\s*$/i.test(line);
  } finally {
    rl.close();
  }
}

/** Read a secret value for a command: the argument, else stdin (pipe), else a hidden prompt. */
export async function readValue(arg: string | undefined, opts: { label: string; multiline?: boolean }): Promise<string> {
  if (arg !== undefined) return arg;
  if (!stdinIsTTY()) {
    const { decodeUtf8 } = await import('../util/fs.js');
    let s = decodeUtf8(await readStdin('value', 'the value on stdin'), 'the value on stdin');
    if (!opts.multiline) s = s.replace(/\r?\n$/, '');
    return s;
  }
  if (opts.multiline) {
    info(`Enter the value for ${opts.label}; end with Ctrl-D on an empty line.`);
    const { decodeUtf8 } = await import('../util/fs.js');
    return decodeUtf8(await readStdin('value', 'the value'), 'the value');
  }
  return promptHidden(`Value for ${opts.label}`);
}
