/**
 * The scan matcher (src/scan/matcher.ts) and the block reader (readBlocksCapped): every planted
 * value, in every encoding, is found at any offset and across any block boundary, once; random
 * data gives no false positive; the reports say where, which secret and how it was encoded.
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ENCODINGS, type Encoding, type Found, InputScanner, MIN_SCAN_LENGTH, ScanMatcher, encodingsOf } from '../src/scan/matcher.js';
import { readBlocksCapped } from '../src/util/read-capped.js';
import { tmpdir } from './helpers.js';

/** Scan `data` in blocks of `blockBytes` new bytes with the reader's overlap layout. */
function scanInBlocks(matcher: ScanMatcher, data: Buffer, blockBytes: number): Found[] {
  const found: Found[] = [];
  const scanner = new InputScanner(matcher, (f) => found.push(f));
  const overlap = scanner.overlap;
  let start = 0; // offset of the block's first byte
  for (;;) {
    const end = start + overlap + blockBytes;
    if (end >= data.length) {
      scanner.block(data.subarray(start), true);
      return found;
    }
    scanner.block(data.subarray(start, end), false);
    start = end - overlap;
  }
}

/** Values from 8 to 40 characters, some with non-ASCII, spaces and URL-special characters. */
const value = fc.oneof(
  fc.string({ minLength: MIN_SCAN_LENGTH, maxLength: 40 }),
  fc.stringMatching(/^[A-Za-z0-9+/=&?% é€-]{8,40}$/),
  fc.uint8Array({ minLength: 6, maxLength: 30 }).map((b) => Buffer.from(b).toString('base64')),
).filter((v) => Array.from(v).length >= MIN_SCAN_LENGTH && !v.includes('\0'));

/** The text of `value` in `encoding`, as a planted occurrence would be (with context bytes around for base64). */
function planted(v: string, encoding: Encoding, lead: Buffer): Buffer {
  const raw = Buffer.from(v, 'utf8');
  switch (encoding) {
    case 'plain':
      return raw;
    case 'base64':
      return Buffer.from(Buffer.concat([lead, raw]).toString('base64'));
    case 'base64url':
      return Buffer.from(Buffer.concat([lead, raw]).toString('base64url'));
    case 'url':
      return Buffer.from(encodeURIComponent(v));
    case 'hex':
      return Buffer.from(raw.toString('hex'));
    case 'HEX':
      return Buffer.from(raw.toString('hex').toUpperCase());
  }
}

describe('encodings of a value', () => {
  it('every common percent-encoding of a value is one of its URL forms (JavaScript, RFC 3986 strict, lower-case hex, + for spaces)', () => {
    fc.assert(
      fc.property(value, (v) => {
        const urls = new Set(encodingsOf(v).filter((e) => e.encoding === 'url' || e.encoding === 'plain').map((e) => e.bytes));
        const js = encodeURIComponent(v);
        const strict = js.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
        for (const form of [js, strict, strict.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()), strict.replaceAll('%20', '+')]) {
          if (form.length >= 8) expect(urls.has(Buffer.from(form, 'utf8').toString('latin1'))).toBe(true);
        }
      }),
    );
  });

  it('base64 cores are in the encoding at every alignment, padded or not, std and URL-safe', () => {
    fc.assert(
      fc.property(value, fc.uint8Array({ maxLength: 5 }), fc.uint8Array({ maxLength: 5 }), (v, before, after) => {
        const cores = encodingsOf(v).filter((e) => e.encoding === 'base64' || e.encoding === 'base64url').map((e) => e.bytes);
        const whole = Buffer.concat([Buffer.from(before), Buffer.from(v, 'utf8'), Buffer.from(after)]);
        for (const text of [whole.toString('base64'), whole.toString('base64url'), whole.toString('base64').replace(/=+$/, '')]) {
          expect(cores.some((c) => text.includes(c)), text).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('ScanMatcher and InputScanner', () => {
  it('property: a planted value in any encoding is found at its offset, at any block size, once', () => {
    fc.assert(
      fc.property(
        fc.array(value, { minLength: 1, maxLength: 6 }),
        fc.nat(),
        fc.constantFrom(...ENCODINGS),
        fc.uint8Array({ maxLength: 300 }),
        fc.uint8Array({ maxLength: 300 }),
        fc.integer({ min: 1, max: 97 }),
        fc.uint8Array({ minLength: 2, maxLength: 2 }),
        (values, pick, encoding, before, after, blockBytes, lead) => {
          const secrets = values.map((v, i) => ({ name: `app:dev:K${String(i)}`, value: v }));
          const target = secrets[pick % secrets.length] ?? { name: '', value: '' };
          const matcher = new ScanMatcher(secrets);
          const lead0 = Buffer.from(lead.subarray(0, pick % 3));
          const occurrence = planted(target.value, encoding, lead0);
          // The data: random bytes (without NUL: a text input, with lines), the occurrence, random bytes.
          const nonul = (b: Uint8Array): Buffer => Buffer.from(b.map((x) => x || 1));
          const data = Buffer.concat([nonul(before), occurrence, nonul(after)]);
          const found = scanInBlocks(matcher, data, blockBytes);
          const whole = scanInBlocks(matcher, data, 1 << 20);
          // Block size changes nothing.
          expect(found).toEqual(whole);
          // The target is reported, on the line of the occurrence.
          const line = 1 + before.filter((x) => x === 10).length;
          const hits = found.filter((f) => f.name === target.name);
          expect(hits.length, JSON.stringify({ encoding, found })).toBeGreaterThan(0);
          expect(hits.some((f) => f.line !== null && f.line >= line && f.line <= line + occurrence.filter((x) => x === 10).length)).toBe(true);
          // Every report is true: the reported encoding of that secret's value is at that offset.
          for (const f of found) {
            const v = secrets.find((s) => s.name === f.name)?.value ?? '';
            const texts = encodingsOf(v).filter((e) => e.encoding === f.encoding).map((e) => Buffer.from(e.bytes, 'latin1'));
            expect(texts.some((t) => data.subarray(f.offset, f.offset + t.length).equals(t))).toBe(true);
          }
          // No (line, name, encoding) twice.
          const keys = found.map((f) => `${String(f.line)} ${f.name} ${f.encoding}`);
          expect(new Set(keys).size).toBe(keys.length);
          matcher.dispose();
        },
      ),
      { numRuns: 400 },
    );
  });

  it('property: no false positive on random data (random values, random text)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 12, maxLength: 24 }), { minLength: 1, maxLength: 50 }), fc.uint8Array({ minLength: 0, maxLength: 20_000 }), fc.integer({ min: 1, max: 4096 }), (raw, data, blockBytes) => {
        const secrets = raw.map((b, i) => ({ name: `K${String(i)}`, value: Buffer.from(b).toString('base64') }));
        const matcher = new ScanMatcher(secrets);
        const found = scanInBlocks(matcher, Buffer.from(data), blockBytes);
        // Any report must be a real occurrence (random data of this size virtually never holds one).
        for (const f of found) {
          const v = secrets.find((s) => s.name === f.name)?.value ?? '';
          const texts = encodingsOf(v).filter((e) => e.encoding === f.encoding).map((e) => Buffer.from(e.bytes, 'latin1'));
          expect(texts.some((t) => Buffer.from(data).subarray(f.offset, f.offset + t.length).equals(t))).toBe(true);
        }
        expect(found).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });

  it('short values are left out and named; a binary input is reported by offset', () => {
    const matcher = new ScanMatcher([
      { name: 'a:b:SHORT', value: 'abc1234' },
      { name: 'a:b:LONG', value: 'correct-horse-9' },
    ]);
    expect(matcher.skipped).toEqual(['a:b:SHORT']);
    expect(matcher.secretCount).toBe(1);
    const text = scanInBlocks(matcher, Buffer.from('x\ny abc1234 correct-horse-9\n'), 4);
    expect(text).toEqual([{ line: 2, offset: 12, name: 'a:b:LONG', encoding: 'plain' }]);
    const binary = scanInBlocks(matcher, Buffer.concat([Buffer.from([0, 1, 10, 10]), Buffer.from('correct-horse-9')]), 3);
    expect(binary).toEqual([{ line: null, offset: 4, name: 'a:b:LONG', encoding: 'plain' }]);
    matcher.dispose();
    expect(scanInBlocks(matcher, Buffer.from('correct-horse-9'), 100)).toEqual([]);
  });

  it('two secrets with one value are both reported; a value inside another is reported too', () => {
    const matcher = new ScanMatcher([
      { name: 'A', value: 'same-value-123' },
      { name: 'B', value: 'same-value-123' },
      { name: 'C', value: 'value-123' },
    ]);
    const found = scanInBlocks(matcher, Buffer.from('k=same-value-123\n'), 1 << 20);
    expect(found.map((f) => f.name).sort()).toEqual(['A', 'B', 'C']);
  });
});

describe('readBlocksCapped', () => {
  it('property: blocks overlap by `overlap` bytes, together hold the file, and the last one is marked', () => {
    const dir = tmpdir();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), fc.integer({ min: 1, max: 700 }), fc.integer({ min: 0, max: 300 }), (content, blockBytes, overlap) => {
        const file = path.join(dir, 'f');
        fs.writeFileSync(file, content);
        const blocks: Array<{ bytes: Buffer; start: number; last: boolean }> = [];
        // (each block is a view into a reused buffer: copied before the next one is read)
        for (const b of readBlocksCapped(file, 'scanFile', blockBytes, overlap)) blocks.push({ bytes: Buffer.from(b.bytes), start: b.start, last: b.last });
        expect(blocks.at(-1)?.last).toBe(true);
        expect(blocks.filter((b) => b.last)).toHaveLength(1);
        for (const b of blocks) expect(b.bytes.equals(Buffer.from(content).subarray(b.start, b.start + b.bytes.length))).toBe(true);
        for (let i = 1; i < blocks.length; i++) {
          const prev = blocks[i - 1];
          const cur = blocks[i];
          if (!prev || !cur) continue;
          expect(prev.bytes.length).toBe(blockBytes + overlap); // every block but the last is full
          expect(cur.start).toBe(prev.start + prev.bytes.length - Math.min(overlap, prev.bytes.length));
        }
        const last = blocks.at(-1);
        expect((last?.start ?? 0) + (last?.bytes.length ?? 0)).toBe(content.length);
      }),
      { numRuns: 150 },
    );
  });
});
