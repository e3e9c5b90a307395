/**
 * The row MAC's JSON text, written by hand since decision 74 instead of by `JSON.stringify`: for
 * every kind of cell — strings with quotes, backslashes, control characters, DEL and lone
 * surrogates, numbers that JSON writes as `null` or as exponents, booleans, `undefined`, any table
 * name — the MAC is still the keyed BLAKE2b-256 of the first definition's bytes, so every MAC
 * stored in a vault verifies. Real libsodium.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binaryString } from './fc-helpers.js';
import { randomBytes } from '../src/crypto/index.js';
import { rowMac } from '../src/vault/integrity.js';
import { referenceRowMac } from './row-mac-reference.js';

const awkward = fc.constantFrom('', '"', '\\', '\u0000', '\u001f', '\u007f', '\u0080', '\ud800', '\udfff', '\ud83d\ude00', '</script>', '\u2028', 'a"b\\c\nd\te');
const cell = fc.oneof(
  binaryString({ maxLength: 30 }),
  fc.string({ unit: fc.constantFrom(' ', '!', '"', '#', '[', '\\', ']', '~', '\u007f', '\u0019', 'é', '\ud800'), maxLength: 12 }),
  awkward,
  fc.double(),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 1e21, 1e-7, 2 ** 53, -(2 ** 31)),
  fc.integer(),
  fc.boolean(),
  fc.constant(undefined),
  fc.constant(null),
  fc.bigInt(),
  fc.uint8Array({ maxLength: 40 }),
);

describe('the row MAC text written by hand', () => {
  it('gives the first definition\'s MAC for any cells and any table name', () => {
    const key = randomBytes(32);
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom('users', 'secrets', 'shares', 'secret_history'), binaryString({ maxLength: 12 }), awkward), fc.array(cell, { maxLength: 14 }), (table, values) => {
        expect(rowMac(key, table, values).equals(referenceRowMac(key, table, values))).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('rows as a load and a push write them (ids, names, base64 keys, times, a ciphertext)', () => {
    const key = randomBytes(32);
    const rows: unknown[][] = [
      [17, 'bench', 'prod', 'KEY_1', 'str', 3, 1765000000000, 1765000000001, null, null, 0, 'alice', randomBytes(60)],
      [4711, 'f17c9b299c3b72c78daa33c817625458', 'p8', 'hQx0n+/Zr8r0v3u1w2x3y4z5A6B7C8D9E0F1G2H3I4=', 'bench', 'prod', 'KEY_999', 12, 1765000000002],
    ];
    for (const r of rows) expect(rowMac(key, 'shares', r).equals(referenceRowMac(key, 'shares', r))).toBe(true);
  });

  it('rows that repeat cells at the same positions (what the last row\'s cells are kept for) and change them in between', () => {
    const key = randomBytes(32);
    // A small pool, so that consecutive rows share, change and swap cells position by position.
    const pooled = fc.constantFrom<unknown>('bench', 'prod', '"', 'a\\b', '', 0, -0, 1, Number.NaN, 1e21, null, true, 17n, new Uint8Array([1, 2]));
    fc.assert(
      fc.property(fc.array(fc.array(pooled, { maxLength: 6 }), { minLength: 2, maxLength: 8 }), (rows) => {
        for (const r of rows) expect(rowMac(key, 'shares', r).equals(referenceRowMac(key, 'shares', r))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
