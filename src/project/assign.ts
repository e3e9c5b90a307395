/**
 * The arguments of `seeqret set`: `VAR=VALUE` (the value may contain `=`), bare `VAR`, and where
 * a value comes from: as written, `@file` (read, surrounding whitespace stripped, `~` expanded),
 * `@-` (stdin), or `!command args` (run without a shell, trimmed stdout), as psec does.
 *
 * @module
 */
import { SeeqretError } from '../errors.js';
import { splitCommandLine } from '../util/shlex.js';
import { nameProblem } from '../vault/names.js';

/** One argument of `set`. */
export interface Assignment {
  /** The variable named before the `=`. */
  readonly variable: string;
  /** The text after the first `=`, or `undefined` for a bare `VAR`. */
  readonly value?: string;
}

/** Where a value comes from. */
export type ValueSource =
  | { readonly kind: 'literal'; readonly value: string }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'stdin' }
  | { readonly kind: 'command'; readonly argv: readonly string[] };

/**
 * Split `VAR=VALUE` at the first `=` (so values may contain `=`); a bare `VAR` has no value.
 *
 * @throws SeeqretError `E_INVALID_NAME` when VAR is not a valid key name (naming the variable,
 *   never the value).
 */
export function parseAssignment(arg: string): Assignment {
  const eq = arg.indexOf('=');
  const variable = eq < 0 ? arg : arg.slice(0, eq);
  const problem = nameProblem('key', variable);
  if (problem) {
    throw new SeeqretError('E_INVALID_NAME', eq < 0 ? problem : `in a VAR=VALUE argument: ${problem}`, 'Write VAR=VALUE with a described variable name before the first "=".');
  }
  return eq < 0 ? { variable } : { variable, value: arg.slice(eq + 1) };
}

/**
 * Where `text` takes its value from: `@-` is stdin, `@PATH` a file, `!COMMAND ARGS` a command
 * (split like a POSIX shell would, but never run through one); anything else, or anything when
 * `literal`, is the value itself.
 *
 * @throws SeeqretError `E_USAGE` for `@` or `!` alone, or a command line with an unclosed quote.
 */
export function valueSource(text: string, literal = false): ValueSource {
  if (literal) return { kind: 'literal', value: text };
  if (text.startsWith('@')) {
    const p = text.slice(1);
    if (p === '') throw new SeeqretError('E_USAGE', '"@" must be followed by a file name (or - for stdin)', 'Write VAR=@FILE, or pass --literal to store a value starting with "@".');
    return p === '-' ? { kind: 'stdin' } : { kind: 'file', path: p };
  }
  if (text.startsWith('!')) {
    const argv = splitCommandLine(text.slice(1));
    if (argv.length === 0) throw new SeeqretError('E_USAGE', '"!" must be followed by a command', 'Write VAR=\'!command args\', or pass --literal to store a value starting with "!".');
    return { kind: 'command', argv };
  }
  return { kind: 'literal', value: text };
}
