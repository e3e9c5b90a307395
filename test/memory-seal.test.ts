/**
 * The in-memory sealing of the library `get` index (src/crypto/memory-seal.ts, decision 49): every
 * value round-trips, and any change to a sealed value, its nonce or its key fails closed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemorySealer } from '../src/crypto/index.js';
import { flip, must } from './must.js';

/** Short ASCII, unicode, empty, and values longer than the 4 KiB scratch buffer. */
const value = fc.oneof(fc.string(), fc.string({ unit: 'grapheme', maxLength: 200 }), fc.string({ minLength: 4000, maxLength: 5000 }));

describe('in-memory sealing', () => {
  it('round-trips every value, and the same sealer opens each many times (property)', () => {
    const s = new MemorySealer();
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 8 }), (values) => {
        const sealed = values.map((v) => s.seal(Buffer.from(v, 'utf8')));
        for (let i = 0; i < values.length; i++) {
          expect(s.open(must(sealed[i]))).toBe(values[i]);
          expect(s.open(must(sealed[i]))).toBe(values[i]);
        }
      }),
    );
  });

  it('gives every value its own nonce, counting up from 1', () => {
    const s = new MemorySealer();
    const ns = Array.from({ length: 100 }, () => s.seal(Buffer.from('v')).n);
    expect(ns).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  });

  it('fails closed when any bit of a sealed value is flipped (property)', () => {
    const s = new MemorySealer();
    fc.assert(
      fc.property(value, fc.nat(), fc.integer({ min: 0, max: 7 }), (v, at, bit) => {
        const sealed = s.seal(Buffer.from(v, 'utf8'));
        const body = Buffer.from(sealed.body);
        flip(body, at % body.length, 1 << bit);
        expect(s.open({ n: sealed.n, body })).toBeNull();
      }),
    );
  });

  it('fails closed under another nonce, a truncated body, another sealer, or after wipe (property)', () => {
    const s = new MemorySealer();
    fc.assert(
      fc.property(value, fc.integer({ min: 1, max: 2 ** 40 }), (v, delta) => {
        const sealed = s.seal(Buffer.from(v, 'utf8'));
        expect(s.open({ n: sealed.n + delta, body: sealed.body })).toBeNull();
        expect(s.open({ n: sealed.n, body: sealed.body.subarray(0, sealed.body.length - 1) })).toBeNull();
        expect(new MemorySealer().open(sealed)).toBeNull();
      }),
    );
    const sealed = s.seal(Buffer.from('secret'));
    s.wipe();
    expect(s.open(sealed)).toBeNull();
    expect(() => s.seal(Buffer.from('more'))).toThrow(/maximum number of values/);
  });

  it('opens values sealed under counters above 2^32 (the high word of the nonce)', () => {
    const s = new MemorySealer();
    const a = s.seal(Buffer.from('low'));
    // A body sealed under n must not open under n + 2^32: the high word is part of the nonce.
    expect(s.open({ n: a.n + 2 ** 32, body: a.body })).toBeNull();
    expect(s.open(a)).toBe('low');
  });
});
