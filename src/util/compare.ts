/**
 * The one code-point comparator: strings ordered by Unicode code point, as Python's `sorted()`
 * orders `str` (the team file, the old tool's formats), not by UTF-16 code unit as
 * `Array.prototype.sort` does.
 *
 * @module
 */

/**
 * Compare two strings by code points: negative, zero or positive as `a` sorts before, with or
 * after `b`. A surrogate pair (U+10000 and above) sorts after every BMP character, U+E000–U+FFFF
 * included, which UTF-16 order gets wrong.
 */
export function codePointCompare(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      // Surrogates (D800–DFFF) move above E000–FFFF; the first differing unit decides.
      const fx = x >= 0xd800 ? (x >= 0xe000 ? x - 0x800 : x + 0x2000) : x;
      const fy = y >= 0xd800 ? (y >= 0xe000 ? y - 0x800 : y + 0x2000) : y;
      return fx < fy ? -1 : 1;
    }
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}
