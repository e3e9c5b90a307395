/**
 * The streaming masker of `run --mask`: property-tested against a whole-string replace, for any
 * chunking (values split between chunks, multi-byte characters split between chunks).
 */
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MASK, MIN_MASK_LENGTH, StreamMasker, maskableValues, maskingStream } from '../src/inject/mask.js';

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The reference: one regular expression, alternatives longest first, replaced left to right. */
function wholeReplace(text: string, values: string[]): string {
  // Two values matching at one position are prefixes of each other, so "longest first" is the
  // same in UTF-16 units and in bytes.
  const vs = [...new Set(values.filter((v) => v !== ''))].sort((a, b) => b.length - a.length);
  if (vs.length === 0) return text;
  return text.replace(new RegExp(vs.map(escapeRe).join('|'), 'gu'), MASK);
}

/** Split `buf` at the given (sorted, deduplicated) cut points. */
function chunksOf(buf: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(buf.subarray(prev, p));
    prev = p;
  }
  out.push(buf.subarray(prev));
  return out;
}

function streamMask(values: string[], chunks: Buffer[]): Buffer {
  const m = new StreamMasker(values);
  const parts = chunks.map((c) => m.push(c));
  parts.push(m.end());
  return Buffer.concat(parts);
}

// A small alphabet (with 2-, 3- and 4-byte characters) so that values overlap and repeat often.
const char = fc.constantFrom('a', 'b', 'c', '\n', 'é', '€', '😀');
const small = fc.string({ unit: char, minLength: 1, maxLength: 6 });
const text = fc.string({ unit: char, maxLength: 200 });

describe('StreamMasker', () => {
  it('equals a whole-string replace (longest first) for any values, text and chunking', () => {
    fc.assert(
      fc.property(fc.array(small, { maxLength: 6 }), text, fc.array(fc.nat(), { maxLength: 20 }), (values, t, cuts) => {
        const buf = Buffer.from(t, 'utf8');
        expect(streamMask(values, chunksOf(buf, cuts)).toString('utf8')).toBe(wholeReplace(t, values));
      }),
      { numRuns: 2000 },
    );
  });

  it('masks a value planted anywhere, split byte by byte', () => {
    fc.assert(
      fc.property(fc.string({ minLength: MIN_MASK_LENGTH, maxLength: 40 }), fc.string(), fc.string(), (secret, before, after) => {
        fc.pre(!`${before}${after}`.includes(secret));
        const buf = Buffer.from(before + secret + after, 'utf8');
        const oneByOne = Array.from(buf, (b) => Buffer.from([b]));
        const out = streamMask([secret], oneByOne).toString('utf8');
        expect(out).not.toContain(secret);
        expect(out).toBe(wholeReplace(before + secret + after, [secret]));
      }),
    );
  });

  it('prefers the longest value and never holds back bytes that cannot start a value', () => {
    const m = new StreamMasker(['password', 'password123']);
    expect(m.push(Buffer.from('Enter: ')).toString()).toBe('Enter: ');
    expect(m.push(Buffer.from('x password')).toString()).toBe('x ');
    expect(m.push(Buffer.from('12')).toString()).toBe('');
    expect(m.push(Buffer.from('3!')).toString()).toBe(`${MASK}!`);
    expect(m.push(Buffer.from('password')).toString()).toBe('');
    expect(m.end().toString()).toBe(MASK);
  });

  it('maskableValues drops short values and duplicates', () => {
    expect(maskableValues(['true', '5432', 'abcdef', 'abcdef', '😀😀😀😀😀😀', ''])).toEqual(['abcdef', '😀😀😀😀😀😀']);
    expect(MIN_MASK_LENGTH).toBe(6);
  });

  it('works as a Transform stream in a pipeline', async () => {
    const secret = 'sk_live_0123456789';
    const input = Buffer.from(`token=${secret}\nagain ${secret}.`, 'utf8');
    const chunks = chunksOf(input, [3, 9, 10, 11, 30]);
    const got: Buffer[] = [];
    await pipeline(
      Readable.from(chunks),
      maskingStream([secret]),
      new Writable({
        write(c: Buffer, _e, cb): void {
          got.push(c);
          cb();
        },
      }),
    );
    expect(Buffer.concat(got).toString()).toBe(`token=${MASK}\nagain ${MASK}.`);
  });
});
