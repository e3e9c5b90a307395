/**
 * fast-check arbitraries the property tests share. The one here replaces fast-check's string of
 * unit `binary` (any code point but a lone surrogate), whose construction costs about 3.5 s of CPU
 * per test file: fast-check builds that unit with `mapToConstant`, and `string()` asks the unit to
 * recognise its dangerous-string slices (`__proto__`, `constructor` …) at once, which makes it
 * build the reverse mapping — a `Map` of all 1,112,064 code points.
 */
import fc from 'fast-check';

/** Code points below the surrogates (U+0000–U+D7FF): the first range of the unit. */
const BELOW_SURROGATES = 0xd800;
/** The surrogates skipped (U+D800–U+DFFF). */
const SURROGATES = 0x800;
/** Every code point but the surrogates. */
const CODE_POINTS = 0x110000 - SURROGATES;

/**
 * fast-check's `binary` string unit, without its reverse mapping: the same `nat` of the same
 * range mapped to the same code point (index `i` is U+i below the surrogates, U+(i + 0x800)
 * above), so the same seed generates and shrinks to the same strings; a string is recognised as a
 * unit (for shrinking given values and fast-check's dangerous-string slices) when it is exactly
 * one code point that is not a surrogate, as the mapping's table would.
 */
export const binaryUnit: fc.Arbitrary<string> = fc.nat({ max: CODE_POINTS - 1 }).map(
  (i) => String.fromCodePoint(i < BELOW_SURROGATES ? i : i + SURROGATES),
  (value) => {
    if (typeof value !== 'string') throw new Error('not a string');
    const cp = value.codePointAt(0);
    if (cp === undefined || value.length !== (cp > 0xffff ? 2 : 1) || (cp >= BELOW_SURROGATES && cp < BELOW_SURROGATES + SURROGATES)) {
      throw new Error('not one code point of the unit');
    }
    return cp < BELOW_SURROGATES ? cp : cp - SURROGATES;
  },
);

/** `fc.string({ ...constraints, unit: 'binary' })`: the same strings for the same seed (see {@link binaryUnit}). */
export function binaryString(constraints: Omit<fc.StringConstraints, 'unit'> = {}): fc.Arbitrary<string> {
  return fc.string({ ...constraints, unit: binaryUnit });
}

/** The printable ASCII range of fast-check's default string unit (`grapheme-ascii`): U+0020–U+007E. */
const PRINTABLE_ASCII = { min: 0x20, max: 0x7e } as const;

/**
 * `fc.string({ minLength, maxLength })` (fast-check's default unit: one printable ASCII character,
 * U+0020–U+007E) for long strings, at about half the CPU: the characters are generated as the
 * bytes of a `uint8Array` of that range, which draws the same integers from the same seed, so a
 * seed gives the same strings (checked: value-index's arena property, 40 seeds × 15 runs, strings
 * of 3,000–5,000 and 16,380–17,000 characters, all identical). Not for short strings: there
 * `string()` also slips in its dangerous strings (`__proto__` …) and the two differ.
 */
export function longAsciiString(constraints: { minLength: number; maxLength: number }): fc.Arbitrary<string> {
  return fc.uint8Array({ ...constraints, ...PRINTABLE_ASCII }).map((bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1'));
}
