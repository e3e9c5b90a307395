/**
 * Making text safe to show on a terminal. Names, user names, e-mail addresses, descriptions and
 * values can come from other people (bundles, backups, team files, description files, SecureStore
 * vaults), and a terminal obeys some characters instead of showing them: ESC starts CSI/OSC
 * sequences (clear the screen, move the cursor, write the clipboard with OSC 52, make links with
 * OSC 8), C1 controls (U+0080–U+009F, e.g. U+009B = CSI) do the same on some terminals, CR and
 * backspace overwrite what was printed, bidi overrides and isolates reorder it, zero-width and
 * other format characters hide text, U+2028/U+2029 break lines.
 *
 * {@link printable} is the one function every human-readable output goes through (tables, info,
 * warnings, errors, prompts); {@link safeJson} and {@link escapeUnsafe} let formats that have an
 * escape syntax (JSON, YAML) keep the exact data while never emitting those characters raw.
 *
 * @module
 */

/**
 * The characters never written raw to a terminal: C0 controls, DEL and C1 controls (`\p{Cc}`),
 * format characters (`\p{Cf}`: bidi embeddings, overrides and isolates, zero-width space and
 * joiners, BOM, soft hyphen, tags…), the line and paragraph separators, and lone surrogates.
 */
// Made on first use: V8 parses a regular expression when it is created, and each `\p{…}` class is
// an ICU lookup — creating these at load cost ~10% of the instructions of a `seeqret get`, which
// never uses them (decision 57).
let unsafeRe: RegExp | undefined;
let hasUnsafeRe: RegExp | undefined;
let unsafeButLfRe: RegExp | undefined;
let hasUnsafeButLfRe: RegExp | undefined;
const UNSAFE = (): RegExp => (unsafeRe ??= /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu);
const HAS_UNSAFE = (): RegExp => (hasUnsafeRe ??= /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u);
const UNSAFE_BUT_LF = (): RegExp => (unsafeButLfRe ??= /(?!\n)[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu);
const HAS_UNSAFE_BUT_LF = (): RegExp => (hasUnsafeButLfRe ??= /(?!\n)[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u);
/** True when `text` holds a character {@link printable} would escape. */
export function hasUnsafe(text: string): boolean {
  return HAS_UNSAFE().test(text);
}

/**
 * Text safe to print: each unsafe character (see {@link hasUnsafe}) becomes a visible escape,
 * `\n` for a line feed and `\u{hex}` for the others (`\u{1b}` for ESC, `\u{202e}` for RIGHT-TO-LEFT
 * OVERRIDE, `\u{d800}` for a lone surrogate). Everything else is kept as it is.
 *
 * It is idempotent (`printable(printable(s)) === printable(s)`), so layers may apply it again
 * safely, and injective on text without a backslash. The one ambiguity, on purpose: a text that
 * already spells an escape (the six characters `\u{1b}`) prints like the character it names.
 * Escaping backslashes too would remove it, but would double every escape applied twice.
 */
export function printable(text: string): string {
  return HAS_UNSAFE().test(text) ? text.replace(UNSAFE(), escapeOne) : text;
}

function escapeOne(c: string): string {
  return c === '\n' ? '\\n' : `\\u{${(c.codePointAt(0) ?? 0).toString(16)}}`;
}

/**
 * Replace each unsafe character but the line feed (JSON and YAML escape those inside strings
 * themselves, and use them between lines) by an escape valid inside JSON strings and YAML
 * double-quoted scalars, which keeps the exact data: `\uXXXX` for a character up to U+FFFF (and a lone
 * surrogate); beyond it, a `\uXXXX\uXXXX` surrogate pair for JSON, `\UXXXXXXXX` for YAML.
 */
export function escapeUnsafe(text: string, syntax: 'json' | 'yaml' = 'json'): string {
  if (!HAS_UNSAFE_BUT_LF().test(text)) return text;
  return text.replace(UNSAFE_BUT_LF(), (c) => {
    const cp = c.codePointAt(0) ?? 0; // c is one matched character
    if (cp > 0xffff && syntax === 'yaml') return `\\U${cp.toString(16).padStart(8, '0')}`;
    let s = '';
    for (let i = 0; i < c.length; i++) s += `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`;
    return s;
  });
}

/**
 * `JSON.stringify` that never emits an unsafe character raw: JSON escapes C0 controls itself but
 * leaves DEL, C1 controls, bidi and zero-width characters and U+2028/U+2029 as they are. Outside
 * strings JSON is ASCII, so every such character is inside a string and `\uXXXX` keeps the data.
 */
export function safeJson(value: unknown, space?: number): string {
  return escapeUnsafe(JSON.stringify(value, null, space));
}

/** Where two-column characters are: the East Asian Wide (W) and Fullwidth (F) ranges of Unicode 14, start and end pairs. */
// prettier-ignore
const WIDE = [
  0x1100, 0x115f, 0x231a, 0x231b, 0x2329, 0x232a, 0x23e9, 0x23ec, 0x23f0, 0x23f0, 0x23f3, 0x23f3, 0x25fd, 0x25fe, 0x2614, 0x2615,
  0x2648, 0x2653, 0x267f, 0x267f, 0x2693, 0x2693, 0x26a1, 0x26a1, 0x26aa, 0x26ab, 0x26bd, 0x26be, 0x26c4, 0x26c5, 0x26ce, 0x26ce,
  0x26d4, 0x26d4, 0x26ea, 0x26ea, 0x26f2, 0x26f3, 0x26f5, 0x26f5, 0x26fa, 0x26fa, 0x26fd, 0x26fd, 0x2705, 0x2705, 0x270a, 0x270b,
  0x2728, 0x2728, 0x274c, 0x274c, 0x274e, 0x274e, 0x2753, 0x2755, 0x2757, 0x2757, 0x2795, 0x2797, 0x27b0, 0x27b0, 0x27bf, 0x27bf,
  0x2b1b, 0x2b1c, 0x2b50, 0x2b50, 0x2b55, 0x2b55, 0x2e80, 0x303e, 0x3041, 0x3247, 0x3250, 0x4dbf, 0x4e00, 0xa4c6, 0xa960, 0xa97c,
  0xac00, 0xd7a3, 0xf900, 0xfad9, 0xfe10, 0xfe19, 0xfe30, 0xfe6b, 0xff01, 0xff60, 0xffe0, 0xffe6, 0x16fe0, 0x1b2fb, 0x1f004, 0x1f004,
  0x1f0cf, 0x1f0cf, 0x1f18e, 0x1f18e, 0x1f191, 0x1f19a, 0x1f200, 0x1f320, 0x1f32d, 0x1f335, 0x1f337, 0x1f37c, 0x1f37e, 0x1f393, 0x1f3a0, 0x1f3ca,
  0x1f3cf, 0x1f3d3, 0x1f3e0, 0x1f3f0, 0x1f3f4, 0x1f3f4, 0x1f3f8, 0x1f43e, 0x1f440, 0x1f440, 0x1f442, 0x1f4fc, 0x1f4ff, 0x1f53d, 0x1f54b, 0x1f54e,
  0x1f550, 0x1f567, 0x1f57a, 0x1f57a, 0x1f595, 0x1f596, 0x1f5a4, 0x1f5a4, 0x1f5fb, 0x1f64f, 0x1f680, 0x1f6c5, 0x1f6cc, 0x1f6cc, 0x1f6d0, 0x1f6d2,
  0x1f6d5, 0x1f6df, 0x1f6eb, 0x1f6ec, 0x1f6f4, 0x1f6fc, 0x1f7e0, 0x1f7f0, 0x1f90c, 0x1f93a, 0x1f93c, 0x1f945, 0x1f947, 0x1f9ff, 0x1fa70, 0x1faf6,
  0x20000, 0x3fffd,
];

let zeroWidth: RegExp | undefined;
const ZERO_WIDTH = (): RegExp => (zeroWidth ??= /[\p{Mn}\p{Me}\u1160-\u11ff]/u);
const NARROW_ONLY = /^[\x20-\x7e\u00a0-\u02ff]*$/;

/** Columns one code point takes: 0 for combining marks, 2 for East Asian wide characters, else 1. */
export function charWidth(cp: number): number {
  if (cp < 0x300) return 1;
  if (cp >= 0x1100 && cp <= 0x3fffd) {
    let lo = 0;
    let hi = WIDE.length / 2 - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (cp < (WIDE[mid * 2] ?? 0)) hi = mid - 1;
      else if (cp > (WIDE[mid * 2 + 1] ?? 0)) lo = mid + 1;
      else return 2;
    }
  }
  return ZERO_WIDTH().test(String.fromCodePoint(cp)) ? 0 : 1;
}

/** Columns `text` takes on a terminal (for printable text: no controls). */
export function displayWidth(text: string): number {
  if (NARROW_ONLY.test(text)) return text.length;
  let w = 0;
  for (const ch of text) w += charWidth(ch.codePointAt(0) ?? 0);
  return w;
}

/**
 * `text` cut to at most `width` columns, ending with `…` when something was cut (never splitting a
 * character; a cut two-column character leaves the column empty).
 */
export function truncateToWidth(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  if (width <= 0) return '';
  if (NARROW_ONLY.test(text)) return `${text.slice(0, width - 1)}…`;
  let w = 0;
  let out = '';
  for (const ch of text) {
    const cw = charWidth(ch.codePointAt(0) ?? 0);
    if (w + cw > width - 1) break;
    out += ch;
    w += cw;
  }
  return out + '…';
}

/** {@link printable} line by line: line feeds stay line breaks, every other unsafe character is escaped. */
export function printableLines(text: string): string {
  return HAS_UNSAFE_BUT_LF().test(text) ? text.split('\n').map(printable).join('\n') : text;
}
