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
 * - Nothing else is special: no `$`, `` ` ``, `*`, `~`, `|`, `;`, `&`, `<`, `>`, `#` (there is no
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
    const c = text[i]!;
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
        const d = text[i]!;
        if (d === '"') {
          i++;
          break;
        }
        if (d === '\\' && i + 1 < text.length && (text[i + 1] === '"' || text[i + 1] === '\\')) {
          word += text[i + 1];
          i += 2;
          continue;
        }
        word += d;
        i++;
      }
    } else if (c === '\\') {
      if (i + 1 >= text.length) fail('a backslash at the end');
      word += text[i + 1];
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

/** Quote `word` so {@link splitCommandLine} reads it back as one word (single quotes). */
export function quoteWord(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
