/**
 * The running sum of row MACs behind the table aggregates (src/vault/mac-sum.ts, decision 88):
 * MACs counted one by one (held aside and summed in groups) or many at once, in and out, against
 * the same sum made with bigints (fast-check), across the points where the held MACs are summed;
 * and a MAC of another length is refused.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MacSum } from '../src/vault/mac-sum.js';

const big = (mac: Uint8Array): bigint => BigInt(`0x${Buffer.from(mac).toString('hex')}`);
const mac = fc.uint8Array({ minLength: 32, maxLength: 32 });

describe('MacSum', () => {
  it('sums MACs in and out, one by one or many at once, as bigints do (fast-check)', () => {
    const step = fc.oneof(
      fc.record({ one: mac, sign: fc.constantFrom<1 | -1>(1, -1) }),
      fc.record({ many: fc.array(mac, { maxLength: 40 }), sign: fc.constantFrom<1 | -1>(1, -1) }),
      fc.record({ ask: fc.constant(true) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), fc.nat(300), (steps, filler) => {
        const s = new MacSum();
        let want = 0n;
        let n = 0;
        // Enough single MACs first to cross the point where the held ones are summed (256).
        for (let i = 0; i < filler * 2; i++) {
          const m = Buffer.alloc(32, i % 251);
          s.add(m, i % 3 === 0 ? -1 : 1);
          want += (i % 3 === 0 ? -1n : 1n) * big(m);
          n += i % 3 === 0 ? -1 : 1;
        }
        for (const st of steps) {
          if ('one' in st) {
            s.add(st.one, st.sign);
            want += BigInt(st.sign) * big(st.one);
            n += st.sign;
          } else if ('many' in st) {
            s.addAll(Buffer.concat(st.many), st.sign);
            for (const m of st.many) want += BigInt(st.sign) * big(m);
            n += st.sign * st.many.length;
          } else expect(s.sum()).toBe(want);
        }
        expect([s.n, s.sum()]).toEqual([n, want]);
        const again = MacSum.from(s.n, s.sum());
        again.add(Buffer.alloc(32, 255), 1);
        expect(again.sum()).toBe(want + big(Buffer.alloc(32, 255)));
      }),
      { numRuns: 60 },
    );
  });

  it('sums many largest MACs exactly (the lanes near their limit)', () => {
    const s = new MacSum();
    const ones = Buffer.alloc(32 * 70_000, 255);
    s.addAll(ones);
    for (let i = 0; i < 1000; i++) s.add(Buffer.alloc(32, 255), 1);
    expect(s.sum()).toBe(71_000n * ((1n << 256n) - 1n));
    expect(s.n).toBe(71_000);
  });

  it('refuses a MAC of another length', () => {
    expect(() => { new MacSum().add(Buffer.alloc(31), 1); }).toThrow(/32 bytes/);
  });
});
