/**
 * The dotenv (`.env`) format: a strict, documented parser and a writer whose output every common
 * dotenv parser reads back unchanged.
 *
 * Grammar (see docs/formats.md#dotenv):
 *
 * - CRLF line endings are normalised to LF first; a leading UTF-8 BOM is ignored.
 * - Blank lines and lines whose first non-blank character is `#` are ignored.
 * - An assignment is `[export ]KEY=VALUE`: an optional `export` followed by spaces/tabs, a key
 *   matching {@link DOTENV_KEY_RE}, optional spaces/tabs, `=`, optional spaces/tabs, the value.
 * - Unquoted values run to the end of the line; a `#` preceded by whitespace starts a comment;
 *   the value is trimmed. `KEY=` is the empty string.
 * - `'single'` and backtick-quoted values are literal (no escapes) and may span lines.
 * - `"double"` quoted values may span lines and understand the escapes `\n` `\r` `\t` `\\` `\"`
 *   `\'` `\$`, backslash-backtick, `\uXXXX` (exactly four hex digits) and `\u{X…}` (one to six hex digits, a
 *   code point up to U+10FFFF). Any other backslash sequence is kept as written.
 * - After a closing quote only spaces/tabs and an optional `# comment` may follow on that line.
 * - There is no variable interpolation: `$X` and `${X}` are kept literally.
 *
 * Error messages name the source and line (and at most the key), never a value.
 *
 * @module
 */

import { SeeqretError } from '../errors.js';

/** One `KEY=VALUE` assignment read from a dotenv file. */
export interface DotenvEntry {
  /** The variable name. */
  readonly key: string;
  /** The decoded value (quotes removed, escapes applied). */
  readonly value: string;
  /** 1-based line where the entry starts */
  readonly line: number;
}

/** Keys the dotenv parser accepts (and the writer is willing to write). */
export const DOTENV_KEY_RE: RegExp = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

const FIX_SYNTAX = 'Check the quoting on that line (see docs/formats.md#dotenv).';

/** Assignment head: optional `export`, the key, `=` and the whitespace after it. */
const ASSIGN_RE = /^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*=[ \t]*/;

function where(source: string | undefined, line: number): string {
  return source === undefined ? `line ${line}` : `${source}:${line}`;
}

function syntaxError(source: string | undefined, line: number, what: string): SeeqretError {
  return new SeeqretError('E_DOTENV_SYNTAX', `${where(source, line)}: ${what}`, FIX_SYNTAX);
}

function isHex(s: string): boolean {
  return /^[0-9A-Fa-f]+$/.test(s);
}

/**
 * Where a piece of a larger dotenv text starts, for parsing it piece by piece (whole lines at a
 * time; see src/formats/dotenv-stream.ts): its first line's number (1: the start of the text,
 * where a byte-order mark is dropped).
 */
export interface DotenvPart {
  readonly firstLine?: number;
}

/**
 * Parse dotenv text. `source` (a file name) is used in error messages as `source:line`.
 * Duplicate keys: all are returned in order (the caller decides; last wins is conventional).
 *
 * Values are taken literally: `$X` and `${X}` are NOT interpolated.
 *
 * @param text - The file contents.
 * @param source - File name used in error messages (defaults to `line N`).
 * @returns The assignments in file order.
 * @throws SeeqretError `E_DOTENV_SYNTAX` for a line that is not blank, a comment or an assignment,
 *   for an unterminated quoted value, or for text after a closing quote. Messages never contain
 *   value text.
 */
export function parseDotenv(text: string, source?: string, at: DotenvPart = {}): DotenvEntry[] {
  let s = text.replace(/\r\n/g, '\n');
  const firstLine = at.firstLine ?? 1;
  if (firstLine === 1 && s.charCodeAt(0) === 0xfeff) s = s.slice(1);

  const entries: DotenvEntry[] = [];
  const n = s.length;
  let pos = 0; // start of the current line
  let lineNo = firstLine;

  while (pos < n) {
    let eol = s.indexOf('\n', pos);
    if (eol === -1) eol = n;
    const lineText = s.slice(pos, eol);
    const startLine = lineNo;

    const trimmed = lineText.trim();
    if (trimmed === '' || trimmed.startsWith('#')) {
      pos = eol + 1;
      lineNo++;
      continue;
    }

    const head = ASSIGN_RE.exec(lineText);
    if (head === null) throw syntaxError(source, startLine, 'expected KEY=VALUE');
    const key = head[1] as string;
    let i = pos + head[0].length; // first character of the value
    const q = s[i];

    if (q === "'" || q === '`' || q === '"') {
      let value = '';
      i++;
      let closed = false;
      if (q === '"') {
        // Plain runs are copied with one slice each (not character by character: a value built
        // one character at a time is a long chain of string pieces, many times its size).
        let run = i;
        while (i < n) {
          const c = s.charCodeAt(i);
          if (c !== 0x22 && c !== 0x5c) {
            if (c === 10) lineNo++;
            i++;
            continue;
          }
          value += s.slice(run, i);
          if (c === 0x22) {
            closed = true;
            i++;
            break;
          }
          const e = s[i + 1];
          if (e === undefined) {
            i++;
            break; // unterminated
          }
          switch (e) {
            case 'n':
              value += '\n';
              i += 2;
              run = i;
              continue;
            case 'r':
              value += '\r';
              i += 2;
              run = i;
              continue;
            case 't':
              value += '\t';
              i += 2;
              run = i;
              continue;
            case '\\':
            case '"':
            case "'":
            case '`':
            case '$':
              value += e;
              i += 2;
              run = i;
              continue;
            case 'u': {
              if (s[i + 2] === '{') {
                const close = s.indexOf('}', i + 3);
                const hex = close === -1 ? '' : s.slice(i + 3, close);
                if (hex.length >= 1 && hex.length <= 6 && isHex(hex)) {
                  const cp = parseInt(hex, 16);
                  if (cp <= 0x10ffff) {
                    value += String.fromCodePoint(cp);
                    i = close + 1;
                    run = i;
                    continue;
                  }
                }
              } else {
                const hex = s.slice(i + 2, i + 6);
                if (hex.length === 4 && isHex(hex)) {
                  value += String.fromCharCode(parseInt(hex, 16));
                  i += 6;
                  run = i;
                  continue;
                }
              }
              break; // not a valid \u escape: keep literally below
            }
            default:
              break;
          }
          // Unknown escape: keep the backslash; the next character is handled normally so that a
          // quote after it still closes the value and newlines are still counted.
          value += '\\';
          i++;
          run = i;
        }
      } else {
        const close = s.indexOf(q, i);
        if (close !== -1) {
          value = s.slice(i, close);
          for (let k = i; k < close; k++) if (s.charCodeAt(k) === 10) lineNo++;
          i = close + 1;
          closed = true;
        }
      }
      if (!closed) {
        throw syntaxError(source, startLine, `unterminated quoted value for ${key}`);
      }
      // Only blanks and an optional comment may follow the closing quote.
      let restEnd = s.indexOf('\n', i);
      if (restEnd === -1) restEnd = n;
      const rest = s.slice(i, restEnd);
      if (!/^[ \t]*(?:#.*)?$/.test(rest)) {
        throw syntaxError(source, lineNo, `unexpected text after the closing quote of ${key}`);
      }
      entries.push({ key, value, line: startLine });
      pos = restEnd + 1;
      lineNo++;
      continue;
    }

    // Unquoted: to end of line, `#` preceded by whitespace starts a comment, trimmed.
    let end = eol;
    for (let k = i; k < eol; k++) {
      if (s[k] === '#') {
        const prev = s[k - 1];
        if (prev === ' ' || prev === '\t') {
          end = k;
          break;
        }
      }
    }
    entries.push({ key, value: s.slice(i, end).trim(), line: startLine });
    pos = eol + 1;
    lineNo++;
  }
  return entries;
}

/** C0 controls, DEL and C1 controls: characters a single-quoted value must not carry raw. */
function isControl(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}

function hex4(code: number): string {
  return '\\u' + code.toString(16).toUpperCase().padStart(4, '0');
}

/**
 * Quote one value so that {@link parseDotenv} reads back exactly the same string.
 *
 * Values without `'`, `\`, CR and control characters (other than LF and TAB) are written
 * single-quoted, which every common dotenv parser reads literally. Anything else is written
 * double-quoted with `\\`, `\"`, `\n`, `\r`, `\t`, `\$`, backslash-backtick escapes and `\u00XX` for the
 * remaining control characters.
 *
 * @param value - A well-formed string (no lone surrogates are expected).
 * @throws SeeqretError `E_BAD_VALUE` when the value contains NUL (U+0000), which environment
 *   variables cannot hold.
 */
export function quoteDotenvValue(value: string): string {
  let simple = true;
  for (let k = 0; k < value.length; k++) {
    const code = value.charCodeAt(k);
    if (code === 0) {
      throw new SeeqretError(
        'E_BAD_VALUE',
        'value contains a NUL character, which an environment variable cannot hold',
        'Remove the NUL character from the value.',
      );
    }
    if (code === 0x27 || code === 0x5c || (isControl(code) && code !== 0x0a && code !== 0x09)) {
      simple = false;
    }
  }
  if (simple) return `'${value}'`;

  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0) as number;
    switch (ch) {
      case '\\':
        out += '\\\\';
        break;
      case '"':
        out += '\\"';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\t':
        out += '\\t';
        break;
      case '$':
        out += '\\$';
        break;
      case '`':
        out += '\\`';
        break;
      default:
        out += isControl(code) ? hex4(code) : ch;
    }
  }
  return out + '"';
}

/**
 * Serialize entries as `KEY=<quoted>\n` lines (see {@link quoteDotenvValue}).
 *
 * @param entries - Keys and values, written in iteration order.
 * @returns The dotenv text (empty string for no entries).
 * @throws SeeqretError `E_BAD_VALUE` for a key the parser would not accept or a value containing
 *   NUL; the message names the key, never the value.
 */
export function formatDotenv(entries: Iterable<{ key: string; value: string }>): string {
  let out = '';
  for (const { key, value } of entries) {
    if (!DOTENV_KEY_RE.test(key)) {
      throw new SeeqretError(
        'E_BAD_VALUE',
        `cannot write ${JSON.stringify(key)} to a .env file: not a valid dotenv key`,
        'Use a name made of letters, digits, "_", "." and "-" that does not start with a digit, "." or "-".',
      );
    }
    if (value.includes('\0')) {
      throw new SeeqretError(
        'E_BAD_VALUE',
        `cannot write ${key} to a .env file: its value contains a NUL character`,
        'Remove the NUL character from the value; environment variables cannot hold it.',
      );
    }
    out += `${key}=${quoteDotenvValue(value)}\n`;
  }
  return out;
}
