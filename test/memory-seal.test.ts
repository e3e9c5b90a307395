/**
 * The in-memory sealing of the library `get` index (src/crypto/memory-seal.ts, decision 49): every
 * value round-trips, and any change to a sealed value, its nonce or its key fails closed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemorySealed, MemorySealer } from '../src/crypto/index.js';
import { flip, must } from './must.js';

/**
 * Short ASCII, unicode, empty, values around the 64-byte limit of the loop wipe, and values longer
 * than the 4 KiB scratch buffer.
 */
const value = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.string({ minLength: 60, maxLength: 70 }),
  fc.string({ minLength: 4000, maxLength: 5000 }),
);

/** Raw plaintext bytes: any byte, so also invalid UTF-8 and bytes with the high bit set. */
const bytes = fc.oneof(fc.uint8Array({ maxLength: 80 }), fc.uint8Array({ minLength: 4090, maxLength: 4200 }));

/** `s` with some of its parts replaced: its bytes (copied into a buffer of their own) or its nonce words. */
function changed(s: MemorySealed, parts: { bytes?: Uint8Array; lo?: number; hi?: number; ascii?: number }): MemorySealed {
  const bytes = Uint8Array.from(parts.bytes ?? s);
  return new MemorySealed(bytes.buffer, 0, bytes.length, parts.lo ?? s.lo, parts.hi ?? s.hi, parts.ascii ?? s.ascii);
}

/** The counter a sealed value's nonce holds. */
function counter(s: MemorySealed): number {
  return s.hi * 2 ** 32 + s.lo;
}

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
    const ns = Array.from({ length: 100 }, () => counter(s.seal(Buffer.from('v'))));
    expect(ns).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  });

  it('fails closed when any bit of a sealed value is flipped (property)', () => {
    const s = new MemorySealer();
    fc.assert(
      fc.property(value, fc.nat(), fc.integer({ min: 0, max: 7 }), (v, at, bit) => {
        const sealed = s.seal(Buffer.from(v, 'utf8'));
        const body = Buffer.from(sealed);
        flip(body, at % body.length, 1 << bit);
        expect(s.open(changed(sealed, { bytes: body }))).toBeNull();
      }),
    );
  });

  it('fails closed under another nonce, a truncated body, another sealer, or after wipe (property)', () => {
    const s = new MemorySealer();
    fc.assert(
      fc.property(value, fc.integer({ min: 1, max: 2 ** 40 }), (v, delta) => {
        const sealed = s.seal(Buffer.from(v, 'utf8'));
        const n = counter(sealed) + delta;
        expect(s.open(changed(sealed, { lo: n % 2 ** 32, hi: Math.floor(n / 2 ** 32) }))).toBeNull();
        expect(s.open(changed(sealed, { bytes: sealed.subarray(0, sealed.length - 1) }))).toBeNull();
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
    expect(s.open(changed(a, { hi: a.hi + 1 }))).toBeNull();
    expect(s.open(a)).toBe('low');
  });

  it('decodes every byte string as Buffer#toString does, ASCII marked or not, (property)', () => {
    const s = new MemorySealer();
    fc.assert(
      fc.property(bytes, (plain) => {
        const sealed = s.seal(plain);
        expect(sealed.ascii).toBe(plain.every((b) => b < 0x80) ? 1 : 0);
        expect(s.open(sealed)).toBe(Buffer.from(plain).toString('utf8'));
        expect(s.open(sealed)).toBe(Buffer.from(plain).toString('utf8'));
      }),
    );
  });

  it('round-trips ASCII, non-ASCII and empty values byte for byte (property)', () => {
    const s = new MemorySealer();
    fc.assert(
      fc.property(value, (v) => {
        const sealed = s.seal(Buffer.from(v, 'utf8'));
        const back = must(s.open(sealed));
        expect(Buffer.from(back, 'utf8').equals(Buffer.from(v, 'utf8'))).toBe(true);
      }),
    );
    expect(s.open(s.seal(Buffer.alloc(0)))).toBe('');
  });

  it('fails closed when the ASCII mark is changed: the mark is part of the authenticated nonce (property)', () => {
    const s = new MemorySealer();
    fc.assert(
      fc.property(value, fc.integer({ min: 1, max: 2 ** 32 - 1 }), (v, delta) => {
        const sealed = s.seal(Buffer.from(v, 'utf8'));
        expect(s.open(changed(sealed, { ascii: (sealed.ascii + delta) % 2 ** 32 }))).toBeNull();
        expect(s.open(changed(sealed, { ascii: 1 - sealed.ascii }))).toBeNull();
      }),
    );
  });

  it('writes values back to back into arenas without overlap; each opens after any number of later seals (property)', () => {
    const s = new MemorySealer();
    // Sizes around an arena's 64 KiB and its 16 KiB own-buffer limit, so values cross arena boundaries.
    const sized = fc.oneof(fc.uint8Array({ maxLength: 100 }), fc.uint8Array({ minLength: 16_360, maxLength: 16_400 }), fc.uint8Array({ minLength: 9_000, maxLength: 12_000 }));
    fc.assert(
      fc.property(fc.array(sized, { minLength: 1, maxLength: 20 }), (plains) => {
        const sealed = plains.map((p) => s.seal(p));
        for (let i = 0; i < plains.length; i++) {
          const a = must(sealed[i]);
          expect(a.length).toBe(must(plains[i]).length + 16);
          expect(s.open(a)).toBe(Buffer.from(must(plains[i])).toString('utf8'));
          for (let j = i + 1; j < sealed.length; j++) {
            const b = must(sealed[j]);
            if (a.buffer !== b.buffer) continue;
            expect(a.byteOffset + a.length <= b.byteOffset || b.byteOffset + b.length <= a.byteOffset).toBe(true);
          }
        }
      }),
      { numRuns: 30 },
    );
  });

  it('sealWith makes the caller subclass, whose own fields stay as made and which opens like any sealed value (property)', () => {
    class Named extends MemorySealed {
      readonly name: string;
      constructor(bytes: ArrayBuffer, offset: number, length: number, lo: number, hi: number, ascii: number, name: string) {
        super(bytes, offset, length, lo, hi, ascii);
        this.name = name;
      }
    }
    const s = new MemorySealer();
    fc.assert(
      fc.property(value, fc.string(), (v, name) => {
        const sealed = s.sealWith(Buffer.from(v, 'utf8'), (b, o, n, lo, hi, ascii) => new Named(b, o, n, lo, hi, ascii, name));
        expect(sealed).toBeInstanceOf(Named);
        expect(sealed.name).toBe(name);
        expect(s.open(sealed)).toBe(v);
        expect(s.open(changed(sealed, { ascii: 1 - sealed.ascii }))).toBeNull();
      }),
    );
  });
});
