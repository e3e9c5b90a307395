/**
 * The narrow YAML emitter of the team store: block mappings and one block sequence of strings,
 * written exactly as pocket_protector writes them (ruamel.yaml's round-trip dumper, YAML 1.2,
 * `allow_unicode`, line width 100), so files we write are byte-identical to the old tool's.
 *
 * Only strings are ever written. For each string the emitter decides, as ruamel does, whether it
 * can stand plain, or needs single or double quotes (it would otherwise read back as a number,
 * a boolean, a date or null, or it holds indicators, line breaks or special characters), and
 * where a long line folds. The rules were checked against ruamel.yaml on generated strings
 * (test/vectors/team-yaml.json). One departure: a string holding NEL, LS or PS (U+0085, U+2028,
 * U+2029) is always double-quoted with escapes, since YAML 1.1 and 1.2 readers disagree on those
 * characters as raw text (no name seeqret creates can hold them).
 *
 * @module
 */

const WS = new Set(['\0', ' ', '\t', '\r', '\n', '\x85', '\u2028', '\u2029']);
const BREAKS = new Set(['\n', '\x85', '\u2028', '\u2029']);
/** Line width of the old tool's dumper (`_yaml.width = 100`). */
export const BEST_WIDTH = 100;

// ruamel.yaml's implicit resolvers for YAML 1.2: a plain scalar matching one of these is not a
// string, so a string that looks like it must be quoted. Each applies only when the first
// character is in its list (as in ruamel's resolver table).
const RESOLVERS: ReadonlyArray<{ first: string; re: RegExp }> = [
  { first: 'tTfF', re: /^(?:true|True|TRUE|false|False|FALSE)$/ },
  {
    first: '-+0123456789.',
    re: /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  },
  { first: '-+0123456789', re: /^(?:[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+)$/ },
  { first: '<', re: /^(?:<<)$/ },
  { first: '~nN', re: /^(?:~|null|Null|NULL)$/ },
  {
    first: '0123456789',
    re: /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/,
  },
  { first: '=', re: /^(?:=)$/ },
];

// The YAML 1.2 core schema's own tags (spec 10.3.2). ruamel's resolvers miss a few core numbers
// (`+.0`, `+.5e3`, `0o7` is octal in both, ...); a plain scalar that any 1.2 reader would take for a
// number, boolean or null is quoted too, so every reader gets the string back. Such text cannot
// occur in what the team store writes (names start with a letter, values are base64 of a leading
// zero byte), so this only departs from ruamel's bytes for strings the old tool never writes.
const CORE_12 = /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

/** True when a plain scalar with this text reads back as a string (ruamel, and any YAML 1.2 core reader). */
export function plainIsString(text: string): boolean {
  if (text === '') return false; // null
  // Python's `$` also matches before one final newline.
  const probe = text.endsWith('\n') ? text.slice(0, -1) : text;
  const c = text.charAt(0);
  for (const r of RESOLVERS) if (r.first.includes(c) && r.re.test(probe)) return false;
  return !CORE_12.test(text);
}

interface Analysis {
  readonly empty: boolean;
  readonly multiline: boolean;
  /** Needs quotes in flow context (computed as ruamel does; only block context is ever written). */
  readonly flowIndicators: boolean;
  readonly allowBlockPlain: boolean;
  readonly allowSingleQuoted: boolean;
  readonly allowDoubleQuoted: boolean;
}

function isPrintableUnicode(ch: string): boolean {
  const cp = ch.codePointAt(0) ?? 0;
  return cp === 0x85 || (cp >= 0xa0 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp < 0x10ffff);
}

function analyze(chars: readonly string[]): Analysis {
  const n = chars.length;
  if (n === 0) return { empty: true, multiline: false, flowIndicators: false, allowBlockPlain: true, allowSingleQuoted: true, allowDoubleQuoted: true };
  let blockIndicators = false;
  let flowIndicators = false;
  let lineBreaks = false;
  let specialCharacters = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  const text = chars.join('');
  if (text.startsWith('---') || text.startsWith('...')) {
    blockIndicators = true;
    flowIndicators = true;
  }
  let precededByWhitespace = true;
  let followedByWhitespace = n === 1 || WS.has(chars[1] ?? '');
  for (const [i, ch] of chars.entries()) {
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) {
        flowIndicators = true;
        blockIndicators = true;
      }
      if (ch === '?' || ch === ':') {
        flowIndicators = true;
        if (followedByWhitespace) blockIndicators = true;
      }
      if (ch === '-' && followedByWhitespace) {
        flowIndicators = true;
        blockIndicators = true;
      }
    } else {
      if (',?[]{}'.includes(ch)) flowIndicators = true;
      if (ch === ':') {
        flowIndicators = true;
        if (followedByWhitespace) blockIndicators = true;
      }
      if (ch === '#' && precededByWhitespace) {
        flowIndicators = true;
        blockIndicators = true;
      }
    }
    if (BREAKS.has(ch)) lineBreaks = true;
    if (!(ch === '\n' || (ch >= ' ' && ch <= '~'))) {
      if (!(isPrintableUnicode(ch) && ch !== '\ufeff')) specialCharacters = true;
    }
    if (ch === ' ') {
      if (i === 0) leadingSpace = true;
      if (i === n - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (BREAKS.has(ch)) {
      if (i === 0) leadingBreak = true;
      if (i === n - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = WS.has(ch);
    followedByWhitespace = i + 2 >= n || WS.has(chars[i + 2] ?? '');
  }
  let allowBlockPlain = true;
  let allowSingleQuoted = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) allowBlockPlain = false;
  if (breakSpace) {
    allowBlockPlain = false;
    allowSingleQuoted = false;
  }
  if (spaceBreak || specialCharacters) {
    allowBlockPlain = false;
    allowSingleQuoted = false;
  }
  if (lineBreaks) allowBlockPlain = false;
  if (blockIndicators) allowBlockPlain = false;
  return { empty: false, multiline: lineBreaks, flowIndicators, allowBlockPlain, allowSingleQuoted, allowDoubleQuoted: true };
}

/** The style ruamel picks for a string in block context: plain, single- or double-quoted. */
export function scalarStyle(text: string, simpleKey: boolean): '' | "'" | '"' {
  // NEL, LS and PS are line breaks to ruamel (YAML 1.1) but content to YAML 1.2 readers: written
  // escaped in double quotes (\N, \L, \P), the one form every reader reads the same way. This is
  // the only place we depart from ruamel's bytes.
  if (/[\x85\u2028\u2029]/.test(text)) return '"';
  const a = analyze(Array.from(text));
  if (!(simpleKey && (a.empty || a.multiline)) && a.allowBlockPlain && plainIsString(text)) return '';
  if (text.includes("'") || text.includes('\n')) return '"';
  if (a.allowSingleQuoted && !(simpleKey && a.multiline)) return "'";
  return '"';
}

const ESCAPES: Record<string, string> = {
  '\0': '0',
  '\x07': 'a',
  '\x08': 'b',
  '\t': 't',
  '\n': 'n',
  '\x0b': 'v',
  '\x0c': 'f',
  '\r': 'r',
  '\x1b': 'e',
  '"': '"',
  '\\': '\\',
  '\x85': 'N',
  '\xa0': '_',
  '\u2028': 'L',
  '\u2029': 'P',
};

/** Writer state: the output so far and the emitter's column/whitespace flags. */
class Out {
  s = '';
  column = 0;
  whitespace = true;
  indention = true;
  constructor(readonly indent: number) {}
  write(data: string, width = Array.from(data).length): void {
    this.s += data;
    this.column += width;
  }
  lineBreak(ch = '\n'): void {
    this.s += ch;
    this.whitespace = true;
    this.indention = true;
    this.column = 0;
  }
  writeIndent(): void {
    if (!this.indention || this.column > this.indent || (this.column === this.indent && !this.whitespace)) this.lineBreak();
    if (this.column < this.indent) {
      this.whitespace = true;
      this.write(' '.repeat(this.indent - this.column));
    }
  }
  indicator(ind: string, needWhitespace: boolean): void {
    this.write(this.whitespace || !needWhitespace ? ind : ' ' + ind);
    this.whitespace = false;
    this.indention = false;
  }
}

function writePlain(o: Out, t: readonly string[], split: boolean): void {
  if (t.length === 0) return;
  if (!o.whitespace) o.write(' ');
  o.whitespace = false;
  o.indention = false;
  let spaces = false;
  let start = 0;
  for (let end = 0; end <= t.length; end++) {
    const ch = end < t.length ? t[end] : undefined;
    if (spaces) {
      if (ch !== ' ') {
        if (start + 1 === end && o.column > BEST_WIDTH && split) {
          o.writeIndent();
          o.whitespace = false;
          o.indention = false;
        } else o.write(t.slice(start, end).join(''), end - start);
        start = end;
      }
    } else if (ch === undefined || ch === ' ' || BREAKS.has(ch)) {
      o.write(t.slice(start, end).join(''), end - start);
      start = end;
    }
    if (ch !== undefined) spaces = ch === ' ';
  }
}

function writeLineBreaks(o: Out, t: readonly string[], start: number, end: number): void {
  if (t[start] === '\n') o.lineBreak();
  for (let i = start; i < end; i++) o.lineBreak(t[i]);
}

function writeSingleQuoted(o: Out, t: readonly string[], split: boolean): void {
  o.indicator("'", true);
  let spaces = false;
  let breaks = false;
  let start = 0;
  for (let end = 0; end <= t.length; end++) {
    const ch = end < t.length ? t[end] : undefined;
    if (spaces) {
      if (ch === undefined || ch !== ' ') {
        if (start + 1 === end && o.column > BEST_WIDTH && split && start !== 0 && end !== t.length) o.writeIndent();
        else o.write(t.slice(start, end).join(''), end - start);
        start = end;
      }
    } else if (breaks) {
      if (ch === undefined || !BREAKS.has(ch)) {
        writeLineBreaks(o, t, start, end);
        o.writeIndent();
        start = end;
      }
    } else if (ch === undefined || ch === ' ' || BREAKS.has(ch) || ch === "'") {
      if (start < end) {
        o.write(t.slice(start, end).join(''), end - start);
        start = end;
      }
    }
    if (ch === "'") {
      o.write("''");
      start = end + 1;
    }
    if (ch !== undefined) {
      spaces = ch === ' ';
      breaks = BREAKS.has(ch);
    }
  }
  o.indicator("'", false);
}

function hex(cp: number, digits: number): string {
  return cp.toString(16).toUpperCase().padStart(digits, '0');
}

function writeDoubleQuoted(o: Out, t: readonly string[], split: boolean): void {
  o.indicator('"', true);
  let start = 0;
  for (let end = 0; end <= t.length; end++) {
    const ch = end < t.length ? t[end] : undefined;
    const cp = ch?.codePointAt(0) ?? -1;
    if (
      ch === undefined ||
      '"\\\x85\u2028\u2029\ufeff'.includes(ch) ||
      !((cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd))
    ) {
      if (start < end) {
        o.write(t.slice(start, end).join(''), end - start);
        start = end;
      }
      if (ch !== undefined) {
        const data = ESCAPES[ch] !== undefined ? '\\' + ESCAPES[ch] : cp <= 0xff ? '\\x' + hex(cp, 2) : cp <= 0xffff ? '\\u' + hex(cp, 4) : '\\U' + hex(cp, 8);
        o.write(data);
        start = end + 1;
      }
    }
    if (end > 0 && end < t.length - 1 && (ch === ' ' || start >= end) && o.column + (end - start) > BEST_WIDTH && split) {
      o.write(t.slice(start, end).join('') + '\\', end - start + 1);
      if (start < end) start = end;
      o.writeIndent();
      o.whitespace = false;
      o.indention = false;
      if (t[start] === ' ') o.write('\\');
    }
  }
  o.indicator('"', false);
}

/**
 * Write `text` as ruamel would after `prefix` (already at column `column`), with continuation
 * lines indented by `indent`. `simpleKey` writes a mapping key (never folded).
 * Returns the text written, without the prefix and without a final line break.
 */
export function emitScalar(text: string, opts: { column: number; indent: number; simpleKey?: boolean }): string {
  const o = new Out(opts.indent);
  o.column = opts.column;
  o.whitespace = opts.simpleKey === true ? true : false;
  o.indention = opts.simpleKey === true;
  const chars = Array.from(text);
  const style = scalarStyle(text, opts.simpleKey === true);
  const split = opts.simpleKey !== true;
  if (style === '') writePlain(o, chars, split);
  else if (style === "'") writeSingleQuoted(o, chars, split);
  else writeDoubleQuoted(o, chars, split);
  return o.s;
}

/** A mapping key line `INDENT KEY:` (no value), as ruamel writes it. */
export function emitKey(key: string, indent: number): string {
  return ' '.repeat(indent) + emitScalar(key, { column: indent, indent, simpleKey: true }) + ':';
}

/** A `KEY: VALUE` pair at `indent`, with a final line break. */
export function emitPair(key: string, value: string, indent: number): string {
  const k = emitKey(key, indent);
  return k + emitScalar(value, { column: Array.from(k).length, indent: indent + 2 }) + '\n';
}

/** A block sequence item `- VALUE` at column 0 (continuation lines indented by 2), with a final line break. */
export function emitItem(value: string): string {
  return '-' + emitScalar(value, { column: 1, indent: 2 }) + '\n';
}

/**
 * True when ruamel would write `key` as a simple (one-line) key: its length plus that of the
 * `!!str` tag it counts is under 128 characters, and it has no line break.
 */
export function isSimpleKey(key: string): boolean {
  const chars = Array.from(key);
  return chars.length + 5 < 128 && !chars.some((c) => BREAKS.has(c));
}

const SAFE_KEY = /^[A-Za-z][-A-Za-z0-9_.@+]*$/;
const SAFE_VALUE = /^[A-Za-z][A-Za-z0-9+/=]*$/;
const SAFE_ITEM = /^[0-9A-Za-z][ -~]*$/;
const ITEM_INDICATORS = /: |:$| #| $/;

/**
 * Shortcuts for reading: true when `key` is written plain as it is (a letter, then letters,
 * digits and `- _ . @ +`, not a YAML 1.2 boolean/null, a simple key). Equivalent to comparing
 * with {@link emitKey}, without running the emitter.
 */
export function isPlainKey(key: string): boolean {
  return SAFE_KEY.test(key) && key.length + 5 < 128 && plainIsString(key);
}

/** True when `value` is written plain as it is on one line (base64-like: a letter, then `A-Za-z0-9+/=`). */
export function isPlainValue(value: string): boolean {
  return SAFE_VALUE.test(value);
}

/**
 * True when {@link emitItem} writes `value` as `- value` on one line: printable ASCII starting
 * with a letter or digit, no `: `, ` #` or trailing `:`/space, a string when plain, and short
 * enough (99 characters) that nothing folds.
 */
export function isPlainItem(value: string): boolean {
  return value.length <= 99 && SAFE_ITEM.test(value) && !ITEM_INDICATORS.test(value) && plainIsString(value);
}
