/**
 * Splitting a command line into words without running a shell, exactly as Python's
 * `shlex.split(text)` (POSIX mode) does — psec runs `set VAR='!command args'` through it, so the
 * same command lines give the same words here.
 *
 * Rules:
 * - Words are separated by unquoted spaces, tabs, carriage returns and line feeds.
 * - `'...'` keeps everything literally up to the next `'`.
 * - `"..."` keeps everything literally, except that a backslash before `"` or `\` escapes it
 *   (other backslashes stay).
 * - An unquoted backslash keeps the next character literally, whatever it is.
 * - Nothing else is special: no `$`, backtick, `*`, `~`, `|`, `;`, `&`, `<`, `>`, `#` (there is no
 *   shell, and shlex.split has no comments).
 * - Adjacent quoted and unquoted parts form one word (`a'b c'"d"` is `ab cd`); `''` is an empty word.
 *
 * @module
 */
import { SeeqretError } from '../errors.js';

/**
 * Split `text` into words.
 *
 * @throws SeeqretError `E_USAGE` for an unterminated quote or a trailing backslash.
 */
export function splitCommandLine(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  const fail = (what: string): never => {
    throw new SeeqretError('E_USAGE', `the command has ${what}`, "Close every quote; write a literal backslash as '\\\\'.");
  };
  while (i < text.length) {
    const c = text.charAt(i);
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      if (inWord) {
        words.push(word);
        word = '';
        inWord = false;
      }
      i++;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) fail('an unterminated single quote');
      word += text.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      inWord = true;
      i++;
      for (;;) {
        if (i >= text.length) fail('an unterminated double quote');
        const d = text.charAt(i);
        if (d === '"') {
          i++;
          break;
        }
        if (d === '\\' && i + 1 < text.length && (text[i + 1] === '"' || text[i + 1] === '\\')) {
          word += text.charAt(i + 1);
          i += 2;
          continue;
        }
        word += d;
        i++;
      }
    } else if (c === '\\') {
      if (i + 1 >= text.length) fail('a backslash at the end');
      word += text.charAt(i + 1);
      inWord = true;
      i += 2;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** How {@link shellQuote} writes a word. */
export interface QuoteStyle {
  /** Quote every word, even one that needs no quotes (`export NAME='value'` lines). */
  readonly always?: boolean;
  /** Leave `*` unquoted, as the old seeqret tool's `command` format writes it (its bytes kept). */
  readonly bareStar?: boolean;
  /** Write `'` as `'"'"'` (Python's `shlex.quote`, as pocket_protector prints) instead of `'\''`. */
  readonly pythonEscape?: boolean;
}

const SAFE_WORD_RE = /^[A-Za-z0-9_@%+=:,./-]+$/;
const SAFE_WORD_STAR_RE = /^[A-Za-z0-9_@%+=:,./*-]+$/;

/**
 * The one shell quoter: `word` as one POSIX shell word (and one word of {@link splitCommandLine}).
 * A word of only `A-Za-z0-9_@%+=:,./-` is written as it is (like Python's `shlex.quote`) unless
 * `style.always`; anything else, the empty word included, in single quotes.
 */
export function shellQuote(word: string, style: QuoteStyle = {}): string {
  if (style.always !== true && word !== '' && (style.bareStar === true ? SAFE_WORD_STAR_RE : SAFE_WORD_RE).test(word)) return word;
  return `'${word.replace(/'/g, style.pythonEscape === true ? `'"'"'` : `'\\''`)}'`;
}

/** Quote `word` so {@link splitCommandLine} reads it back as one word (single quotes when needed). */
export function quoteWord(word: string): string {
  return shellQuote(word);
}
