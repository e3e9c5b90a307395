/**
 * `isWellFormed` (src/vault/names.ts), which every write asks of every value: Node's built-in
 * check where there is one (decision 88) instead of a regular expression. Against a reference
 * that walks the UTF-16 code units (fast-check, with lone and paired surrogates in every place).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isWellFormed } from '../src/vault/names.js';

/** No high surrogate without a low one right after it, no low one without a high one right before it. */
function reference(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i += 1;
    } else if (c >= 0xdc00 && c <= 0xdfff) return false;
  }
  return true;
}

describe('isWellFormed', () => {
  it('agrees with a walk over the code units (fast-check)', () => {
    const unit = fc.oneof(fc.integer({ min: 0xd800, max: 0xdfff }), fc.integer({ min: 0, max: 0xffff }), fc.constantFrom(0x41, 0xe9, 0xd83d, 0xde00));
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 12 }), (units) => {
        const s = String.fromCharCode(...units);
        expect(isWellFormed(s)).toBe(reference(s));
      }),
      { numRuns: 2000 },
    );
    expect([isWellFormed(''), isWellFormed('é😀'), isWellFormed('\ud83d'), isWellFormed('\ude00x'), isWellFormed('\ud83d\ude00')]).toEqual([true, true, false, false, true]);
  });
});
