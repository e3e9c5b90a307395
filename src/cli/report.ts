/**
 * How the CLI reports a failure: one line, `seeqret: E_CODE: message. Fix: ...`, and the exit code.
 * Kept free of commander so the fast paths can use it.
 *
 * @module
 */
import { SeeqretError } from '../errors.js';
import { printable, printableLines } from '../util/text.js';
import { cliRun } from './cli-io.js';
import { exitCodeFor } from './exit-profile.js';
import { interrupted } from './io.js';
import { cliFix } from './remedies.js';

/** Print an error as one line to the run's stderr and return its exit code under the run's profile. */
export function reportError(e: unknown, debug: boolean): number {
  const run = cliRun();
  const stderr = run.io.stderr;
  if (e instanceof SeeqretError) {
    stderr.write(`seeqret: ${e.code}: ${printable(e.message)}. Fix: ${printable(cliFix(e))}\n`);
    // A stack repeats the message: escaped like it.
    if (debug) stderr.write(printableLines(`${e.stack ?? ''}\n${e.cause ? `${causeText(e.cause)}\n` : ''}`));
    return exitCodeFor(e, run.profile);
  }
  const err = e as { code?: unknown; message?: string; stack?: string; name?: unknown } | null;
  // A prompt of @inquirer/prompts ended by Ctrl-C that did not go through io.ts's waitForAnswer:
  // still an interruption, never an internal error.
  if (err?.name === 'ExitPromptError' || err?.name === 'AbortPromptError') {
    return reportError(interrupted(/\b(SIG[A-Z]+)/.exec(String(err.message))?.[1] ?? 'SIGINT'), false);
  }
  if (typeof err?.code === 'string' && err.code.startsWith('commander.')) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
    const msg = (err.message ?? '').replace(/^error: /, '').split('\n')[0]?.replace(/\.$/, '') ?? '';
    stderr.write(`seeqret: E_USAGE: ${printable(msg)}. Fix: run \`seeqret <command> --help\`.\n`);
    return 2;
  }
  // The message of an unexpected error could quote input (JSON.parse does): never print it raw.
  stderr.write(`seeqret: E_INTERNAL: ${printable(((err?.message ?? String(e)).split('\n')[0] ?? '').slice(0, 200))}. Fix: rerun with --debug and report the output.\n`);
  if (debug) stderr.write(printableLines(`${err?.stack ?? ''}\n`));
  return 1;
}

/** The text of an error's cause for --debug: its stack when it is an Error that has one, else the cause as text. */
function causeText(cause: unknown): string {
  return cause instanceof Error && cause.stack !== undefined ? cause.stack : String(cause);
}
