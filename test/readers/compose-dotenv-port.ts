import { must } from '../must.js';
/**
 * A TypeScript port of compose-go v2's dotenv parser (dotenv/parser.go, the `.env` reader of
 * docker compose v2), used because docker compose itself is not installed here: statements and
 * comments, `export`, keys ending at `=` / `:`, unquoted values cut at ` #` and trimmed, quoted
 * values where a backslash escapes the next character (`\<quote>` drops the backslash, any other
 * pair is kept), double-quoted escapes (`\n` `\r` `\t` `\\` `\"` `\$` → `$$`, octal `\0NNN`), and
 * `$` interpolation (template.Substitute) in unquoted and double-quoted values: `$$` is a literal
 * `$`, `$NAME` / `${NAME}` / `${NAME:-default}` / `${NAME-default}` look the name up among the
 * variables read so far, and any other `$` is an error, as in compose. Nested `${…}` in defaults
 * and `?`-required forms are not ported (seeqret never writes them).
 */

/** Go's unicode.IsSpace. */
function goIsSpace(cp: number): boolean {
  return (cp >= 9 && cp <= 13) || cp === 32 || cp === 0x85 || cp === 0xa0 || cp === 0x1680 || (cp >= 0x2000 && cp <= 0x200a) ||
    cp === 0x2028 || cp === 0x2029 || cp === 0x202f || cp === 0x205f || cp === 0x3000;
}
/** compose-go's isSpace: a space but not a line break. */
function isSpace(cp: number): boolean {
  return cp === 9 || cp === 11 || cp === 12 || cp === 13 || cp === 32 || cp === 0x85 || cp === 0xa0;
}
function trimLeft(s: string, f: (cp: number) => boolean): string {
  let i = 0;
  while (i < s.length) {
    const cp = must(s.codePointAt(i));
    if (!f(cp)) break;
    i += cp > 0xffff ? 2 : 1;
  }
  return s.slice(i);
}
function trimRight(s: string, f: (cp: number) => boolean): string {
  let e = s.length;
  while (e > 0) {
    const cp = must(s.codePointAt(e - 1));
    const start = cp >= 0xdc00 && cp <= 0xdfff && e >= 2 ? e - 2 : e - 1;
    if (!f(must(s.codePointAt(start)))) break;
    e = start;
  }
  return s.slice(0, e);
}

function substitute(tpl: string, vars: Record<string, string>): string {
  let out = '';
  let i = 0;
  while (i < tpl.length) {
    const d = tpl.indexOf('$', i);
    if (d === -1) {
      out += tpl.slice(i);
      break;
    }
    out += tpl.slice(i, d);
    const rest = tpl.slice(d + 1);
    if (rest.startsWith('$')) {
      out += '$';
      i = d + 2;
      continue;
    }
    const named = /^[_a-z][_a-z0-9]*/i.exec(rest);
    if (named) {
      out += vars[named[0]] ?? '';
      i = d + 1 + named[0].length;
      continue;
    }
    const braced = /^\{([_a-z][_a-z0-9]*)(?:(:?)([-?])([^}]*))?\}/i.exec(rest);
    if (!braced) throw new Error('Invalid template');
    const [, name, colon, op, arg] = braced;
    const v = vars[must(name)];
    if (op === '-') out += (colon ? v === undefined || v === '' : v === undefined) ? substitute(arg ?? '', vars) : must(v);
    else if (op === '?') {
      if (colon ? v === undefined || v === '' : v === undefined) throw new Error(`required variable ${name} is missing a value`);
      out += must(v);
    } else out += v ?? '';
    i = d + 1 + braced[0].length;
  }
  return out;
}

function expandEscapes(s: string): string {
  return s.replace(/\\(?:[abcfnrtv$"\\]|0\d{0,3})/g, (m) => {
    if (m === '\\$') return '$$';
    const c = must(m[1]);
    const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"' };
    if (c in simple) return must(simple[c]);
    if (c === '0') {
      const digits = m.slice(2); // `\0NNN` is rewritten to `\NNN` and read as a Go octal escape
      if (/^[0-7]{3}$/.test(digits) && parseInt(digits, 8) <= 255) return String.fromCharCode(parseInt(digits, 8));
    }
    return m; // `\c`, bad octal: kept
  });
}

export function parseComposeDotenv(input: string): Record<string, string> {
  const out: Record<string, string> = {};
  let src = input.startsWith('\uFEFF') ? input.slice(1) : input;
  for (;;) {
    // getStatementStart
    for (;;) {
      src = trimLeft(src, goIsSpace);
      if (src === '' || src[0] !== '#') break;
      const nl = src.indexOf('\n');
      src = nl === -1 ? '' : src.slice(nl);
    }
    if (src === '') break;
    // locateKeyName
    if (/^export[\t\n\f\r ]+/.test(src)) src = trimLeft(src.slice('export'.length), isSpace);
    let key = '';
    let offset = -1;
    let inherited = false;
    for (let i = 0; i < src.length; ) {
      const cp = must(src.codePointAt(i));
      const w = cp > 0xffff ? 2 : 1;
      if (!isSpace(cp)) {
        const ch = String.fromCodePoint(cp);
        if (ch === '=' || ch === ':' || ch === '\n') {
          key = src.slice(0, i);
          offset = i + 1;
          inherited = ch === '\n';
          break;
        }
        if (!/^[\p{L}\p{N}_.\-[\]]$/u.test(ch)) throw new Error(`unexpected character ${JSON.stringify(ch)} in variable name`);
      }
      i += w;
    }
    if (offset === -1) throw new Error('key without value at end of file');
    key = trimRight(key, goIsSpace);
    src = trimLeft(src.slice(offset), isSpace);
    if (key.includes(' ')) throw new Error('key cannot contain a space');
    if (inherited) continue;
    // extractVarValue
    const q = src[0];
    if (q !== "'" && q !== '"') {
      const nl = src.indexOf('\n');
      let value = nl === -1 ? src : src.slice(0, nl);
      src = nl === -1 ? '' : src.slice(nl + 1);
      const c = value.indexOf(' #');
      if (c !== -1) value = value.slice(0, c);
      out[key] = substitute(trimRight(value, goIsSpace), out);
      continue;
    }
    let chars = '';
    let escape = false;
    let closed = -1;
    for (let i = 1; i < src.length; i++) {
      const ch = must(src[i]);
      if (escape) {
        escape = false;
        if (ch !== q) chars += '\\';
        chars += ch;
        continue;
      }
      if (ch === '\\') escape = true;
      else if (ch === q) {
        closed = i;
        break;
      } else chars += ch;
    }
    if (closed === -1) throw new Error('unterminated quoted value');
    out[key] = q === '"' ? substitute(expandEscapes(chars), out) : chars;
    src = src.slice(closed + 1);
  }
  return out;
}
