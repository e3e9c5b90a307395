/**
 * Reading a `.env` file the way the program of a dialect reads it (`importenv --dialect`), strictly:
 * what that reader would silently drop, cut or take from the environment is an error naming the
 * line (and at most the key), never a guess. Everything `seeqret env --dialect D` writes reads back
 * exactly (test/dotenv-dialects.test.ts).
 *
 * - `node`: Node's `--env-file`: `'…'` and backtick-quoted values literal, `"…"` with `\n` only;
 *   each ends at the first matching quote. Unquoted: cut at `#`, trimmed. CR is removed (as Node does).
 * - `python`: python-dotenv: `'…'` with `\\` `\'`; `"…"` with `\\ \' \" \a \b \f \n \r \t \v`;
 *   unquoted cut at a `#` after white space; then `${NAME}` / `${NAME:-default}` expanded.
 * - `compose`: compose-go v2: a backslash in quotes escapes the next character (`\<quote>` drops
 *   it); `"…"` also `\n \r \t \\ \" \$ …`; unquoted cut at ` #`; `$$`, `$NAME`, `${NAME}`,
 *   `${NAME:-default}`, `${NAME-default}` expanded in unquoted and double-quoted values.
 * - `shell`: one shell word per assignment made of `'…'`, `"…"` (escapes `\$`, `\"`, `\\` and
 *   backslash-backtick), `\X` and plain characters; anything the shell would expand or run (`$`,
 *   backticks, globs, `;`…) is refused.
 *
 * A `${NAME}` expands only to a variable defined earlier in the same file (or, for the empty name
 * seeqret writes, to its default): python-dotenv and compose would take other names from the
 * environment of the moment, which an import must not guess.
 *
 * @module
 */
import { SeeqretError } from '../errors.js';
import type { Dialect } from './dialects.js';
import { DOTENV_KEY_RE, type DotenvEntry, type DotenvPart, parseDotenv } from './dotenv.js';

const FIX = 'Check that line against the dialect (see docs/formats.md#dotenv-dialects), or import with another --dialect.';

class Cursor {
  pos = 0;
  line = 1;
  constructor(readonly s: string) {}
  /** A method, not a getter: `next()` changes it, which the compiler's narrowing cannot see. */
  done(): boolean {
    return this.pos >= this.s.length;
  }
  peek(k = 0): string {
    return this.s[this.pos + k] ?? '';
  }
  next(): string {
    const c = this.s[this.pos++] ?? '';
    if (c === '\n') this.line++;
    return c;
  }
}

function fail(source: string | undefined, line: number, what: string): SeeqretError {
  return new SeeqretError('E_DOTENV_SYNTAX', `${source === undefined ? `line ${line}` : `${source}:${line}`}: ${what}`, FIX);
}

/** Expand `${NAME}` / `${NAME:-d}` (python) against the keys read so far. */
function expandPython(value: string, vars: Map<string, string>, err: (what: string) => SeeqretError): string {
  return value.replace(/\$\{([^}:]*)(?::-([^}]*))?\}/g, (_m, name: string, def: string | undefined) => {
    const v = vars.get(name);
    if (v !== undefined) return v;
    if (name === '') return def ?? '';
    throw err(`uses \${${name.slice(0, 40)}}, which python-dotenv takes from the environment when the file does not define it above`);
  });
}

/** compose's template.Substitute, with names looked up among the keys read so far. */
function expandCompose(value: string, vars: Map<string, string>, err: (what: string) => SeeqretError): string {
  let out = '';
  for (let i = 0; i < value.length; ) {
    const d = value.indexOf('$', i);
    if (d === -1) return out + value.slice(i);
    out += value.slice(i, d);
    const rest = value.slice(d + 1);
    const m = /^(?:(\$)|([_a-z][_a-z0-9]*)|\{([_a-z][_a-z0-9]*)(?:(:?-)([^}$]*))?\})/i.exec(rest);
    if (m === null) throw err('has a "$" compose cannot expand (write $$ for a literal $)');
    if (m[1] !== undefined) out += '$';
    else {
      const name = m[2] ?? m[3] ?? ''; // the pattern matched one of the two groups
      const v = vars.get(name);
      if (m[4] !== undefined && (v === undefined || (m[4] === ':-' && v === ''))) out += m[5] ?? '';
      else if (v === undefined) throw err(`uses $${name.slice(0, 40)}, which compose takes from the environment when the file does not define it above`);
      else out += v;
    }
    i = d + 1 + m[0].length;
  }
  return out;
}

const PY_ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
const COMPOSE_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"' };

/**
 * Read a quoted value starting at the opening quote, up to the closing quote (which is dropped);
 * `null` when there is none. A backslash pairs with the next character: never (`none`: Node,
 * sh), only with the quote (`quote`: python-dotenv's pattern), or always (`any`: compose-go).
 */
function readQuoted(c: Cursor, escapes: 'none' | 'quote' | 'any'): string | null {
  const q = c.next();
  let raw = '';
  while (!c.done()) {
    const ch = c.next();
    if (ch === '\\' && !c.done() && (escapes === 'any' || (escapes === 'quote' && c.peek() === q))) {
      raw += ch + c.next();
      continue;
    }
    if (ch === q) return raw;
    raw += ch;
  }
  return null;
}

/** Decode a python quoted value's escapes (`\\` and `\'` in single quotes, more in double). */
function decodePython(raw: string, double: boolean): string {
  return raw.replace(/\\(.)/gs, (m, ch: string) => ((double ? ch in PY_ESCAPES : ch === '\\' || ch === "'") ? (PY_ESCAPES[ch] ?? m) : m));
}

/** compose: in quotes `\<quote>` drops the backslash; double quotes then decode their escapes (`\$` is a literal `$`). */
function decodeCompose(raw: string, quote: string): string {
  const kept = raw.replace(/\\([\s\S])/g, (m, ch: string) => (ch === quote ? ch : m));
  if (quote !== '"') return kept;
  return kept.replace(/\\(?:([abcfnrtv$"\\])|0([0-7]{3}))/g, (m, ch: string | undefined, oct: string | undefined) => {
    if (ch === '$') return '$$';
    if (ch !== undefined) return COMPOSE_ESCAPES[ch] ?? m;
    const n = parseInt(oct ?? '', 8); // `oct` matched when `ch` did not
    return n <= 255 ? String.fromCharCode(n) : m;
  });
}

/** One shell word (the value of `KEY=WORD`), up to unquoted white space or the end of the line. */
function readShellWord(c: Cursor, err: (what: string) => SeeqretError): string {
  let out = '';
  for (;;) {
    const ch = c.peek();
    if (ch === '' || ch === '\n' || ch === ' ' || ch === '\t') return out;
    if (ch === "'") {
      const v = readQuoted(c, 'none');
      if (v === null) throw err('unterminated single quote');
      out += v;
    } else if (ch === '\\') {
      c.next();
      const e = c.next();
      if (e !== '\n') out += e;
    } else if (ch === '"') {
      c.next();
      for (;;) {
        if (c.done()) throw err('unterminated double quote');
        const d = c.next();
        if (d === '"') break;
        if (d === '$' || d === '`') throw err('has "$" or "`" in double quotes, which the shell expands');
        if (d === '\\' && '$`"\\\n'.includes(c.peek())) {
          const e = c.next();
          if (e !== '\n') out += e;
          continue;
        }
        out += d;
      }
    } else if (/^[A-Za-z0-9_@%+=:,./\-\u0080-\uffff]$/.test(ch)) {
      out += c.next();
    } else {
      throw err(`has ${JSON.stringify(ch)} outside quotes, which the shell would interpret`);
    }
  }
}

/**
 * Parse dotenv text as `dialect`'s reader does (see the module comment).
 *
 * @throws SeeqretError `E_DOTENV_SYNTAX` naming `source:line` for what the reader would read
 *   differently from what the file says, or could not read at all.
 */
export function parseDotenvDialect(text: string, dialect: Dialect, source?: string, at: DotenvPart & { readonly vars?: Map<string, string> } = {}): DotenvEntry[] {
  const firstLine = at.firstLine ?? 1;
  let s = firstLine === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  // Node removes every CR; Python reads with universal newlines; compose and sh keep CR (a CRLF
  // file is read with CR in the values, which the checks below refuse for sh).
  if (dialect === 'node') s = s.replace(/\r/g, '');
  if (dialect === 'python') s = s.replace(/\r\n?/g, '\n');
  const c = new Cursor(s);
  c.line = firstLine;
  const entries: DotenvEntry[] = [];
  // Variables defined above (in earlier pieces of the same file, when read piece by piece).
  const vars = at.vars ?? new Map<string, string>();
  while (!c.done()) {
    while (c.peek() === ' ' || c.peek() === '\t') c.next();
    if (c.peek() === '\n') {
      c.next();
      continue;
    }
    if (c.peek() === '#' || c.done()) {
      while (!c.done() && c.peek() !== '\n') c.next();
      continue;
    }
    const startLine = c.line;
    // sh allows no blanks around `=`; the dotenv readers skip them.
    const head = (dialect === 'shell' ? /^(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)=/ : /^(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*=[ \t]*/).exec(s.slice(c.pos, c.pos + 300));
    const key = head?.[1];
    if (head === null || key === undefined || !DOTENV_KEY_RE.test(key)) throw fail(source, startLine, 'expected KEY=VALUE');
    for (let k = 0; k < head[0].length; k++) c.next();
    const err = (what: string): SeeqretError => fail(source, startLine, `the value of ${key} ${what}`);
    let value: string;
    const q = c.peek();
    if (dialect === 'shell') {
      value = readShellWord(c, err);
    } else if (q === "'" || q === '"' || (q === '`' && dialect === 'node')) {
      const raw = readQuoted(c, dialect === 'node' ? 'none' : dialect === 'python' ? 'quote' : 'any');
      if (raw === null) throw err(`has no closing ${q}`);
      if (dialect === 'node') value = q === '"' ? raw.split('\\n').join('\n') : raw;
      else if (dialect === 'python') value = expandPython(decodePython(raw, q === '"'), vars, err);
      else value = q === '"' ? expandCompose(decodeCompose(raw, q), vars, err) : decodeCompose(raw, q);
    } else {
      let end = c.pos;
      while (end < s.length && s[end] !== '\n') end++;
      let raw = s.slice(c.pos, end);
      while (c.pos < end) c.next();
      if (dialect === 'node') {
        const h = raw.indexOf('#');
        value = (h === -1 ? raw : raw.slice(0, h)).replace(/^[ \t]+|[ \t]+$/g, '');
      } else if (dialect === 'python') {
        raw = raw.replace(/\s+#.*/s, '');
        value = expandPython(raw.replace(/\s+$/u, ''), vars, err);
      } else {
        const h = raw.indexOf(' #');
        value = expandCompose((h === -1 ? raw : raw.slice(0, h)).replace(/\s+$/u, ''), vars, err);
      }
      entries.push({ key, value, line: startLine });
      vars.set(key, value);
      continue;
    }
    // After a quoted value (or a shell word): blanks and an optional comment, then the line ends.
    while (c.peek() === ' ' || c.peek() === '\t') c.next();
    if (c.peek() === '#') while (!c.done() && c.peek() !== '\n') c.next();
    if (!c.done() && c.peek() !== '\n') throw fail(source, c.line, `unexpected text after the value of ${key}`);
    entries.push({ key, value, line: startLine });
    vars.set(key, value);
  }
  return entries;
}

/** {@link parseDotenvDialect}, or seeqret's own grammar ({@link parseDotenv}) when `dialect` is undefined. */
export function parseDotenvAs(text: string, dialect: Dialect | undefined, source?: string, at: DotenvPart & { readonly vars?: Map<string, string> } = {}): DotenvEntry[] {
  return dialect === undefined ? parseDotenv(text, source, at) : parseDotenvDialect(text, dialect, source, at);
}
