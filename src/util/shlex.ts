/**
 * Splitting a command line into words the way a POSIX shell does, without running a shell: used
 * by `seeqret set VAR='!command args'` (psec uses Python's `shlex.split` for the same).
 *
 * Rules (POSIX shell quoting, no expansion of any kind):
 * - Words are separated by unquoted spaces, tabs and newlines.
 * - `'...'` keeps everything literally up to the next `'`.
 * - `"..."` keeps everything literally except that a backslash before `"`, `\`, `$`, `` ` `` or a
 *   newline escapes it (a backslash before a newline removes both); other backslashes stay.
 * - An unquoted backslash keeps the next character literally (a backslash-newline is removed).
 * - `$`, `` ` ``, `*`, `~`, `|`, `;`, `&`, `<`, `>` have no special meaning: there is no shell.
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
    throw new SeeqretError('E_USAGE', `the command has ${what}`, "Close every quote; quote a literal backslash as '\\\\'.");
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n') {
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
        if (d === '\\' && i + 1 < text.length && '"\\$`\n'.includes(text[i + 1]!)) {
          if (text[i + 1] !== '\n') word += text[i + 1];
          i += 2;
          continue;
        }
        word += d;
        i++;
      }
    } else if (c === '\\') {
      if (i + 1 >= text.length) fail('a backslash at the end');
      if (text[i + 1] !== '\n') {
        word += text[i + 1];
        inWord = true;
      }
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
