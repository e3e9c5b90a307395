/**
 * `.env` dialects: writing each value in a form that the program that reads the file gives back
 * byte for byte, or refusing the value when no form can carry it.
 *
 * The common `.env` readers disagree with each other (docs/formats.md#dotenv-dialects has the
 * table, the readers and the versions checked):
 *
 * - `node`: Node's `--env-file` (C++ parser, Node 20 and 22+) **and** the npm `dotenv` package
 *   (`parse`, classic and `fast`): quotes `'` `"` and backtick end at the first matching quote, no
 *   escapes except `\n` in double quotes (npm also `\r`), CR removed or turned into LF, unquoted
 *   values cut at `#` and trimmed.
 * - `python`: python-dotenv's `dotenv_values` / `load_dotenv` with their default interpolation:
 *   `'…'` with `\\` `\'`, `"…"` with `\\ \" \n \r \t …`, and `${NAME}` / `${NAME:-default}`
 *   expanded in every value (a literal `${` is written `${:-$}{`, a final backslash `${:-\}`).
 * - `compose`: docker compose v2 (compose-go's dotenv parser): `'…'` literal except `\'`,
 *   `"…"` with escapes and `$` interpolation (`$$` is a literal `$`), unquoted values interpolated.
 * - `shell`: POSIX `sh` / `bash` sourcing the file (`set -a; . ./.env`): `'…'` with `'\''`.
 *
 * For each dialect the writer tries the forms in order (unquoted, single, double, backtick) and
 * takes the first that carries the value. Messages name the key, never the value.
 *
 * @module
 */

import { SeeqretError } from '../errors.js';
import { shellQuote } from '../util/shlex.js';

/** The dialects `seeqret env` can write. */
export const DIALECTS = ['node', 'python', 'compose', 'shell'] as const;
/** One of {@link DIALECTS}. */
export type Dialect = (typeof DIALECTS)[number];
/** The dialect used when nothing names one: what Node's `--env-file` and npm `dotenv` read. */
export const DEFAULT_DIALECT: Dialect = 'node';

/** The ways a value can be written. */
export type Form = 'unquoted' | 'single' | 'double' | 'backtick';

/** The forms each dialect writes, in the order the writer tries them. */
export const DIALECT_FORMS: Readonly<Record<Dialect, readonly Form[]>> = {
  node: ['unquoted', 'single', 'double', 'backtick'],
  python: ['unquoted', 'single', 'double'],
  compose: ['unquoted', 'single', 'double'],
  shell: ['unquoted', 'single'],
};

/** True when `name` is one of {@link DIALECTS}. */
export function isDialect(name: string): name is Dialect {
  return (DIALECTS as readonly string[]).includes(name);
}

/**
 * Check a dialect name given by the user.
 *
 * @param where - Where the name came from, for the message (e.g. `--dialect`).
 * @throws SeeqretError `E_USAGE` for an unknown name.
 */
export function checkDialect(name: string, where: string): Dialect {
  if (isDialect(name)) return name;
  throw new SeeqretError('E_USAGE', `${where}: unknown dialect ${JSON.stringify(name.slice(0, 40))}`, `Use one of ${DIALECTS.join(', ')} (see docs/formats.md#dotenv-dialects).`);
}

// ---------------------------------------------------------------------------------------------
// Character classes

/**
 * White space for any of the readers: JavaScript's `\s` / `trim()` (npm dotenv), Python's
 * `str.isspace()` (python-dotenv), Go's `unicode.IsSpace` (compose-go), Node's C++ trim (space,
 * tab, LF). Controls are handled separately.
 */
function isAnySpace(code: number): boolean {
  return (
    code === 0x20 || code === 0xa0 || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000 || code === 0xfeff
  );
}

/** Characters an unquoted value never carries, in any dialect. */
function unquotedUnsafe(code: number): boolean {
  // A line ends at LF (CR is removed, or read as LF); `#` starts a comment somewhere.
  return code === 0x0a || code === 0x0d || code === 0x23;
}

/**
 * Characters a reader of the dialect trims from the ends of an unquoted value: white space (as
 * JavaScript's `trim` sees it, for npm dotenv), and for python and compose also the controls
 * Python (0x1C–0x1F, U+0085) and Go (U+0085) count as space. The node dialect's readers keep
 * those, so a value may start or end with them there.
 */
function trimmedAtEnds(code: number, dialect: Dialect): boolean {
  if (isAnySpace(code) || (code >= 0x09 && code <= 0x0d)) return true;
  return dialect !== 'node' && ((code >= 0x1c && code <= 0x1f) || code === 0x85);
}

/**
 * True when `value`, written between double quotes as it is, holds a backslash sequence that one
 * of the node dialect's readers decodes: `\n` (Node and npm), `\r` (npm), or an escape of
 * seeqret's own dotenv grammar (`\t`, `\\`, `\"`, `\'`, backslash-backtick, `\$`, `\uXXXX`, `\u{X…}` up to U+10FFFF).
 */
function hasDotenvEscape(value: string): boolean {
  const re = /\\(?:[nrt\\"'`$]|u[0-9A-Fa-f]{4}|u\{([0-9A-Fa-f]{1,6})\})/g;
  for (let m = re.exec(value); m !== null; m = re.exec(value)) {
    if (m[1] === undefined || parseInt(m[1], 16) <= 0x10ffff) return true;
  }
  return false;
}

/** The checks every unquoted form shares: one line, no comment, no quote first, nothing a reader trims at either end. */
function plainUnquoted(value: string, dialect: Dialect): boolean {
  if (value === '') return true;
  const first = value.charCodeAt(0);
  if (first === 0x27 || first === 0x22 || first === 0x60) return false;
  if (trimmedAtEnds(first, dialect) || trimmedAtEnds(value.charCodeAt(value.length - 1), dialect)) return false;
  for (let k = 0; k < value.length; k++) if (unquotedUnsafe(value.charCodeAt(k))) return false;
  return true;
}

/** True when the string has a lone (unpaired) UTF-16 surrogate, which UTF-8 cannot encode. */
export function hasLoneSurrogate(s: string): boolean {
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}

// ---------------------------------------------------------------------------------------------
// Candidate encodings: what each form looks like for a value (whether or not the reader gives it
// back); `carries` says whether it does.

/** python-dotenv expands `${…}` in every value: a literal `${` is written `${:-$}{` (the empty name never exists, its default is `$`). */
function pythonDollars(value: string): string {
  return value.replace(/\$\{/g, '${:-$}{');
}

/** Python: the escaped body of a quoted value (`\\`, the quote escaped, a final backslash as `${:-\}`). */
function pythonQuoted(value: string, quote: "'" | '"'): string {
  const trailing = value.endsWith('\\');
  const body = pythonDollars(trailing ? value.slice(0, -1) : value);
  let out = '';
  for (const ch of body) {
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += '\\' + quote;
    else if (quote === '"' && ch === '\n') out += '\\n';
    else if (quote === '"' && ch === '\r') out += '\\r';
    else out += ch;
  }
  // A backslash right before the closing quote would escape it: `${:-\}` expands to a backslash.
  return quote + out + (trailing ? '${:-\\}' : '') + quote;
}

/** compose's double quotes: the escapes its parser decodes, and `$$` for a literal `$`. */
const COMPOSE_DOUBLE: Readonly<Record<string, string>> = { '\\': '\\\\', '"': '\\"', $: '$$', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function composeDouble(value: string): string {
  let out = '"';
  for (const ch of value) out += COMPOSE_DOUBLE[ch] ?? ch;
  return out + '"';
}

/** compose-go: in quotes a backslash escapes the next character; an odd run of backslashes before `'` (or the end) eats the quote. */
function composeSingleCarries(value: string): boolean {
  if (value.includes('\r')) return false;
  const m = /\\+(?='|$)/g;
  for (let r = m.exec(value); r !== null; r = m.exec(value)) if (r[0].length % 2 === 1) return false;
  return true;
}

const SHELL_SAFE = /^[A-Za-z0-9_@%+=:,./-]*$/;

/**
 * The text form `form` would write for `value` in `dialect`, whether or not the reader gives it
 * back (see {@link formCarries}); `null` when the dialect has no such form.
 */
export function candidateForm(value: string, dialect: Dialect, form: Form): string | null {
  if (!DIALECT_FORMS[dialect].includes(form)) return null;
  switch (dialect) {
    case 'node':
      return form === 'unquoted' ? value : form === 'single' ? `'${value}'` : form === 'double' ? `"${value}"` : `\`${value}\``;
    case 'python':
      return form === 'unquoted' ? pythonDollars(value) : pythonQuoted(value, form === 'single' ? "'" : '"');
    case 'compose':
      return form === 'unquoted' ? value.replace(/\$/g, '$$$$') : form === 'single' ? `'${value.replace(/'/g, "\\'")}'` : composeDouble(value);
    case 'shell':
      return form === 'unquoted' ? value : shellQuote(value, { always: true });
  }
}

/** Whether the reader of `dialect` gives `value` back byte for byte from {@link candidateForm}. */
export function formCarries(value: string, dialect: Dialect, form: Form): boolean {
  if (!DIALECT_FORMS[dialect].includes(form) || value.includes('\0') || hasLoneSurrogate(value)) return false;
  switch (dialect) {
    case 'node': {
      // Node's parser deletes every CR of the file; npm dotenv turns CR into LF.
      if (value.includes('\r')) return false;
      if (form === 'unquoted') return plainUnquoted(value, 'node');
      const q = form === 'single' ? "'" : form === 'double' ? '"' : '`';
      // npm dotenv's pattern reads `\<quote>` as part of the value, so a value ending in a
      // backslash runs on past its closing quote into the lines after it.
      if (value.includes(q) || value.endsWith('\\')) return false;
      // In double quotes both readers turn `\n` into a newline (npm also `\r` into CR), and
      // seeqret's own importer (parseDotenv) decodes its escapes there.
      return form !== 'double' || !hasDotenvEscape(value);
    }
    case 'python':
      if (form === 'unquoted') return plainUnquoted(value, 'python');
      // Python reads text files with universal newlines: a raw CR becomes LF.
      return form === 'double' || !value.includes('\r');
    case 'compose':
      if (form === 'unquoted') return plainUnquoted(value, 'compose');
      return form === 'double' || composeSingleCarries(value);
    case 'shell':
      return form === 'single' || (SHELL_SAFE.test(value) && !value.startsWith('#'));
  }
}

/**
 * The first form of `dialect` that carries `value`, written out; `null` when none can.
 */
export function quoteForDialect(value: string, dialect: Dialect): string | null {
  for (const form of DIALECT_FORMS[dialect]) {
    if (formCarries(value, dialect, form)) return candidateForm(value, dialect, form);
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Keys

/** Keys every dialect reads as written (the dotenv key rule). */
const KEY_RE = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
/** Shell variable names. */
const SHELL_KEY_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Variables `sh` (dash) or `bash` do not give back after `KEY='value'`: read-only or dynamic
 * (bash sets them itself), checked with both shells.
 */
const SHELL_SPECIAL = new Set([
  'RANDOM', 'SRANDOM', 'SECONDS', 'LINENO', 'HISTCMD', 'EPOCHSECONDS', 'EPOCHREALTIME', 'BASHPID', 'BASH_ARGV0',
  'BASH_SUBSHELL', 'BASH_LINENO', 'BASH_SOURCE', 'BASH_VERSINFO', 'UID', 'EUID', 'PPID', 'SHELLOPTS', 'BASHOPTS',
  'GROUPS', 'FUNCNAME', 'DIRSTACK', 'OPTIND', 'BASH_CMDS', 'BASH_ALIASES', 'BASH_ARGC', 'BASH_ARGV',
  'COMP_WORDBREAKS', '_',
]);

/** The shell variables {@link dialectKeyProblem} refuses in the `shell` dialect. */
export const SHELL_SPECIAL_VARIABLES: readonly string[] = [...SHELL_SPECIAL];

/** Why `key` cannot be written in `dialect`, or `null`. */
export function dialectKeyProblem(key: string, dialect: Dialect): string | null {
  if (!KEY_RE.test(key)) return 'not a valid dotenv key';
  if (dialect === 'shell') {
    if (!SHELL_KEY_RE.test(key)) return 'not a shell variable name (letters, digits and "_" only)';
    if (SHELL_SPECIAL.has(key)) return 'a variable the shell sets itself (bash does not give it back)';
  }
  return null;
}

const FIX_DIALECT = (dialect: Dialect): string => {
  const others = DIALECTS.filter((d) => d !== dialect).join(', ');
  return `Pass the value with \`seeqret run\` instead of a file, or write another dialect (--dialect ${others}; see docs/formats.md#dotenv-dialects).`;
};

/**
 * Serialize entries as `KEY=<form>\n` lines in `dialect`.
 *
 * @throws SeeqretError `E_BAD_VALUE` for a value containing NUL or a lone surrogate (no
 *   environment variable holds it) or a key that is not a dotenv key; `E_DIALECT` for a key or
 *   value the dialect cannot carry. Messages name the key, never the value.
 */
export function formatDotenvDialect(entries: Iterable<{ key: string; value: string }>, dialect: Dialect = DEFAULT_DIALECT): string {
  let out = '';
  for (const { key, value } of entries) {
    const keyProblem = dialectKeyProblem(key, dialect);
    if (keyProblem !== null) {
      if (!KEY_RE.test(key)) {
        throw new SeeqretError(
          'E_BAD_VALUE',
          `cannot write ${JSON.stringify(key)} to a .env file: ${keyProblem}`,
          'Use a name made of letters, digits, "_", "." and "-" that does not start with a digit, "." or "-" (rename it in env.template: NAME=app:env:key).',
        );
      }
      throw new SeeqretError('E_DIALECT', `cannot write ${JSON.stringify(key)} in the ${dialect} dialect: ${keyProblem}`, `Rename it in env.template (NAME=app:env:key), or ${FIX_DIALECT(dialect).charAt(0).toLowerCase()}${FIX_DIALECT(dialect).slice(1)}`);
    }
    if (value.includes('\0')) {
      throw new SeeqretError('E_BAD_VALUE', `cannot write ${key} to a .env file: its value contains a NUL character`, 'Remove the NUL character from the value; environment variables cannot hold it.');
    }
    if (hasLoneSurrogate(value)) {
      throw new SeeqretError('E_BAD_VALUE', `cannot write ${key} to a .env file: its value is not valid Unicode text (a lone surrogate)`, 'Store text only (base64-encode binary data).');
    }
    const text = quoteForDialect(value, dialect);
    if (text === null) {
      throw new SeeqretError('E_DIALECT', `cannot write ${key} in the ${dialect} dialect: no quoting that reader understands gives its value back exactly (${whyNot(value, dialect)})`, FIX_DIALECT(dialect));
    }
    out += `${key}=${text}\n`;
  }
  return out;
}

/** A short reason (naming characters, never the value) why `dialect` cannot carry `value`. */
function whyNot(value: string, dialect: Dialect): string {
  if (dialect === 'node') {
    if (value.includes('\r')) return 'it contains a carriage return, which Node removes';
    const quotes = ["'", '"', '`'].filter((q) => value.includes(q));
    if (value.endsWith('\\')) return 'it must be quoted and ends with a backslash, which npm dotenv reads as escaping the closing quote';
    if (quotes.length === 3) return 'it must be quoted and contains all three quote characters';
    return 'it must be quoted, and each quote character it lacks is ruled out (a quote it contains, or \\n / \\r in double quotes)';
  }
  return 'no form fits';
}

// ---------------------------------------------------------------------------------------------
// The first line of a file `seeqret env` wrote

const MARK_RE = /^# Written by seeqret env \(dialect (node|python|compose|shell)\)\. [^\n]*\btag:v1:([A-Za-z0-9_-]{43})\n/;

/**
 * The comment line `seeqret env` writes first: the dialect, and a tag (a keyed MAC of the rest of
 * the file, see `Vault.fileTag`) by which a later run tells whether the file changed since.
 */
export function envFileMark(dialect: Dialect, tag: Buffer): string {
  return `# Written by seeqret env (dialect ${dialect}). Edited, it is not replaced without --force. tag:v1:${tag.toString('base64url')}\n`;
}

/** The bytes a mark's tag covers: the dialect and the file after the mark line. */
export function envFileTagInput(dialect: Dialect, body: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(`seeqret/env-file/v1\0${dialect}\0`, 'utf8'), body]);
}

/** The mark at the start of `text`, if any: the dialect, the tag, and where the body starts. */
export function readEnvFileMark(text: string): { dialect: Dialect; tag: Buffer; bodyStart: number } | null {
  const m = MARK_RE.exec(text);
  const tag = m?.[2];
  if (m === null || tag === undefined) return null;
  return { dialect: m[1] as Dialect, tag: Buffer.from(tag, 'base64url'), bodyStart: m[0].length };
}
