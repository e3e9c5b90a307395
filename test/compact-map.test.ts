/** CompactStringMap (importenv's name → last line map) behaves exactly like a `Map<string, number>`. */
import fc from 'fast-check';
import { binaryString } from './fc-helpers.js';
import { describe, expect, it } from 'vitest';
import { CompactStringMap } from '../src/util/compact-map.js';

describe('CompactStringMap', () => {
  it('property: any sequence of sets and gets gives what a Map gives (unicode keys, repeats, colliding prefixes)', () => {
    const key = fc.oneof(fc.string({ maxLength: 12 }), binaryString({ maxLength: 6 }), fc.constantFrom('\uD800', '\uFFFD', '\uDC00x'), fc.constantFrom('', 'A', 'AA', 'K_1', 'K_10', '\u00e9', 'e\u0301', '\u{1F600}'));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), key, fc.nat({ max: 0xffffffff })), { maxLength: 400 }), (ops) => {
        const m = new CompactStringMap();
        const ref = new Map<string, number>();
        for (const [isSet, k, v] of ops) {
          if (isSet) {
            m.set(k, v);
            ref.set(k, v);
          }
          expect(m.get(k)).toBe(ref.get(k));
          expect(m.size).toBe(ref.size);
        }
        for (const [k, v] of ref) expect(m.get(k)).toBe(v);
      }),
      { numRuns: 300 },
    );
  });

  it('holds 200,000 keys through many rehashes, each with its own value', () => {
    const m = new CompactStringMap();
    for (let i = 0; i < 200_000; i++) m.set(`KEY_${i}`, i);
    for (let i = 0; i < 200_000; i += 7) m.set(`KEY_${i}`, i + 1);
    expect(m.size).toBe(200_000);
    for (let i = 0; i < 200_000; i++) expect(m.get(`KEY_${i}`)).toBe(i % 7 === 0 ? i + 1 : i);
    expect(m.get('KEY_200000')).toBeUndefined();
  });
});
