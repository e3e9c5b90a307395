/**
 * The multi-pattern matcher of `seeqret scan`: finds every occurrence of many byte strings (the
 * vault's values and their encodings) in a stream of blocks.
 *
 * A rolling hash of every 8-byte window is looked up in a bit table built from the first 8 bytes
 * of every pattern; only a window whose bit is set (about 2% of the windows for 100,000 patterns
 * on random text) is checked against the patterns with that exact hash. The cost per byte is a
 * few multiplications and one memory read, whatever the number of patterns.
 *
 * Which values are worth looking for (the minimum length) is the masker's rule
 * ({@link maskableValues} of src/inject/mask.ts) with its own minimum, {@link MIN_SCAN_LENGTH}.
 *
 * Memory: the patterns are held in one buffer, wiped by {@link ScanMatcher.dispose}; nothing is
 * written anywhere, and no hash of a value leaves the process (the window hashes are 32-bit
 * rolling hashes kept in memory only).
 *
 * @module
 */
import { maskableValues } from '../inject/mask.js';

/**
 * Values shorter than this many characters are not looked for: `5432`, `true`, `localhost` and
 * `changeme` style values would be found everywhere (noise), and are not secrets worth a refused
 * commit. `seeqret scan --list-skipped` names them.
 */
export const MIN_SCAN_LENGTH = 8;

/** The shortest pattern (every encoding of a value of {@link MIN_SCAN_LENGTH} characters is longer). */
const WINDOW = 8;
/** log2 of the bits in the filter table (4 Mi bits = 512 KiB). */
const TABLE_BITS = 22;
/** log2 of the slots of the chained table of patterns. */
const HEAD_BITS = 18;
const BASE = 0x01000193;
/** BASE ** (WINDOW - 1), mod 2^32: the weight of the byte leaving the window. */
const BASE_OUT = ((): number => {
  let p = 1;
  for (let k = 1; k < WINDOW; k++) p = Math.imul(p, BASE);
  return p;
})();

/** How a value appears in the text. */
export type Encoding = 'plain' | 'base64' | 'base64url' | 'url' | 'hex' | 'HEX';

/** Every encoding, in the order of the reports. */
export const ENCODINGS: readonly Encoding[] = ['plain', 'base64', 'base64url', 'url', 'hex', 'HEX'];

/** One secret to look for. */
export interface ScanSecret {
  /** What a report names: `app:env:KEY`. */
  readonly name: string;
  readonly value: string;
}

/** One occurrence found: where, which secret, in which encoding. */
export interface Match {
  /** Offset of the first byte of the occurrence in the input. */
  readonly offset: number;
  readonly name: string;
  readonly encoding: Encoding;
}

/**
 * The byte strings that stand for `value` in a file: the value itself (UTF-8); its base64, standard
 * and URL-safe, at the three alignments it can have inside a longer encoded text (only the
 * characters that depend on the value alone, so padded, unpadded and embedded forms all match);
 * its URL (percent) encodings when they differ — JavaScript's and the RFC 3986 strict one that also
 * escapes `!'()*`, each with upper- and lower-case hex, and the form encoding with `+` for spaces; its
 * hexadecimal, lower and upper case. Each as a string of bytes (one character per byte, latin1);
 * duplicates are dropped (the first encoding named wins), and so are encodings shorter than the
 * 8-byte window.
 */
export function encodingsOf(value: string): Array<{ bytes: string; encoding: Encoding }> {
  const raw = Buffer.from(value, 'utf8');
  const n = raw.length;
  const out: Array<{ bytes: string; encoding: Encoding }> = [{ bytes: raw.toString('latin1'), encoding: 'plain' }];
  const add = (text: string, encoding: Encoding): void => {
    if (text.length < WINDOW) return;
    for (const o of out) if (o.bytes === text) return;
    out.push({ bytes: text, encoding });
  };
  const padded = Buffer.alloc(n + 2);
  for (let k = 0; k < 3; k++) {
    raw.copy(padded, k);
    const std = padded.toString('base64', 0, k + n);
    // Character i covers bits [6i, 6i+6); keep those entirely inside the value's bits [8k, 8(k+n)).
    const core = std.slice(Math.ceil((8 * k) / 6), Math.floor((8 * (k + n)) / 6));
    add(core, 'base64');
    if (core.includes('+') || core.includes('/')) add(core.replaceAll('+', '-').replaceAll('/', '_'), 'base64url');
    padded.fill(0);
  }
  // Percent-encoders differ: JavaScript's leaves !'()* as they are, RFC 3986 strict ones (Python's
  // quote, Go's, curl's) escape them; some write lower-case hex; forms write a space as `+`.
  const url = encodeURIComponent(value);
  for (const form of [url, url.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)]) {
    for (const text of [form, form.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())]) {
      add(text, 'url');
      if (text.includes('%20')) add(text.replaceAll('%20', '+'), 'url');
    }
  }
  const hex = raw.toString('hex');
  raw.fill(0);
  add(hex, 'hex');
  add(hex.toUpperCase(), 'HEX');
  return out;
}

/** The hash of the window `data[at .. at + WINDOW)`. */
function windowHash(data: Uint8Array, at: number): number {
  let h = 0;
  for (let j = 0; j < WINDOW; j++) h = (Math.imul(h, BASE) + (data[at + j] ?? 0)) | 0;
  return h;
}

/** Many values and their encodings, compiled for {@link ScanMatcher.scan}. */
export class ScanMatcher {
  /** Every pattern's bytes, one after the other (wiped by dispose). */
  readonly #bytes: Buffer;
  readonly #start: Int32Array;
  readonly #length: Int32Array;
  /** For each pattern, who it stands for: [name index, encoding index] pairs. */
  readonly #owners: number[][];
  readonly #names: string[];
  readonly #bits = new Int32Array(1 << (TABLE_BITS - 5));
  /**
   * Chained hash table of the patterns by their first window's hash: `#head[slot]` is the first
   * pattern + 1 (0: none), `#next[p]` the next one + 1, `#hash[p]` the full hash (typed arrays,
   * not a Map: 32-bit keys would not be small integers in V8, and every lookup would allocate).
   */
  readonly #head = new Int32Array(1 << HEAD_BITS);
  readonly #next: Int32Array;
  readonly #hash: Int32Array;
  /** The longest pattern, in bytes. */
  readonly maxLength: number;
  /** The secrets left out for being shorter than the minimum (names only). */
  readonly skipped: readonly string[];
  /** How many secrets are looked for. */
  readonly secretCount: number;

  /**
   * @param secrets - What to look for; values shorter than `minLength` characters are left out
   *   (listed in {@link skipped}).
   * @param minLength - The minimum value length in characters (at least {@link MIN_SCAN_LENGTH}
   *   would be wise; never below 8, the hash window).
   */
  constructor(secrets: Iterable<ScanSecret>, minLength: number = MIN_SCAN_LENGTH) {
    const min = Math.max(minLength, WINDOW);
    const byPattern = new Map<string, number>();
    const patterns: string[] = [];
    const owners: number[][] = [];
    const names: string[] = [];
    const skipped: string[] = [];
    let total = 0;
    for (const s of secrets) {
      if (maskableValues([s.value], min).length === 0) {
        skipped.push(s.name);
        continue;
      }
      const nameIndex = names.push(s.name) - 1;
      for (const { bytes, encoding } of encodingsOf(s.value)) {
        let p = byPattern.get(bytes);
        if (p === undefined) {
          p = patterns.push(bytes) - 1;
          total += bytes.length;
          byPattern.set(bytes, p);
          owners.push([]);
        }
        (owners[p] ?? []).push(nameIndex, ENCODINGS.indexOf(encoding));
      }
    }
    byPattern.clear();
    this.#names = names;
    this.#owners = owners;
    this.skipped = skipped;
    this.secretCount = names.length;
    this.#bytes = Buffer.alloc(total);
    this.#start = new Int32Array(patterns.length);
    this.#length = new Int32Array(patterns.length);
    this.#next = new Int32Array(patterns.length);
    this.#hash = new Int32Array(patterns.length);
    let at = 0;
    let max = 0;
    for (let p = 0; p < patterns.length; p++) {
      const len = this.#bytes.write(patterns[p] ?? '', at, 'latin1');
      this.#start[p] = at;
      this.#length[p] = len;
      max = Math.max(max, len);
      const h = windowHash(this.#bytes, at);
      at += len;
      const slot = Math.imul(h, 0x9e3779b1) >>> (32 - TABLE_BITS);
      this.#bits[slot >>> 5] = (this.#bits[slot >>> 5] ?? 0) | (1 << (slot & 31));
      const head = Math.imul(h, 0x27d4eb2f) >>> (32 - HEAD_BITS);
      this.#hash[p] = h;
      this.#next[p] = this.#head[head] ?? 0;
      this.#head[head] = p + 1;
    }
    patterns.length = 0;
    this.maxLength = max;
  }

  /** True when there is nothing to look for. */
  get empty(): boolean {
    return this.#start.length === 0;
  }

  /**
   * Report every occurrence that starts at an offset below `limit` and lies inside `data`
   * (`onMatch(offset in data, name, encoding)`, in offset order; several secrets or encodings at
   * one offset each get a call).
   */
  scan(data: Uint8Array, limit: number, onMatch: (offset: number, name: string, encoding: Encoding) => void): void {
    const len = data.length;
    const end = Math.min(limit, len - WINDOW + 1);
    if (end <= 0 || this.#start.length === 0) return;
    const bits = this.#bits;
    const shift = 32 - TABLE_BITS;
    let h = windowHash(data, 0);
    for (let i = 0; ; ) {
      const slot = Math.imul(h, 0x9e3779b1) >>> shift;
      if (((bits[slot >>> 5] ?? 0) & (1 << (slot & 31))) !== 0) this.#check(data, i, h, onMatch);
      if (++i >= end) break;
      h = (Math.imul((h - Math.imul(data[i - 1] ?? 0, BASE_OUT)) | 0, BASE) + (data[i + WINDOW - 1] ?? 0)) | 0;
    }
  }

  #check(data: Uint8Array, at: number, h: number, onMatch: (offset: number, name: string, encoding: Encoding) => void): void {
    const bytes = this.#bytes;
    for (let q = this.#head[Math.imul(h, 0x27d4eb2f) >>> (32 - HEAD_BITS)] ?? 0; q !== 0; q = this.#next[q - 1] ?? 0) {
      const p = q - 1;
      if (this.#hash[p] !== h) continue;
      const n = this.#length[p] ?? 0;
      if (at + n > data.length) continue;
      const s = this.#start[p] ?? 0;
      let k = WINDOW;
      while (k < n && data[at + k] === bytes[s + k]) k++;
      if (k < n) continue;
      // The first WINDOW bytes: the hash matched, check them too.
      k = 0;
      while (k < WINDOW && data[at + k] === bytes[s + k]) k++;
      if (k < WINDOW) continue;
      const own = this.#owners[p] ?? [];
      for (let o = 0; o < own.length; o += 2) onMatch(at, this.#names[own[o] ?? 0] ?? '', ENCODINGS[own[o + 1] ?? 0] ?? 'plain');
    }
  }

  /** Wipe the patterns (the matcher finds nothing afterwards). */
  dispose(): void {
    this.#bytes.fill(0);
    this.#head.fill(0);
    this.#hash.fill(0);
    this.#bits.fill(0);
  }
}

/** What {@link InputScanner} reports for one occurrence. */
export interface Found {
  /** 1-based line of the occurrence's first byte; null in a binary input. */
  readonly line: number | null;
  /** Offset of its first byte in the input. */
  readonly offset: number;
  readonly name: string;
  readonly encoding: Encoding;
}

/** Bytes of the start of an input in which a NUL makes it binary (git's rule). */
const BINARY_SNIFF = 8000;

/**
 * Scans one input (a file, a blob) given as overlapping blocks: each block starts with the last
 * {@link overlap} bytes of the previous one (the layout of `readBlocksCapped` in
 * src/util/read-capped.ts), so an occurrence across a block boundary is found once. Counts lines
 * as it goes; an input with a NUL byte in its first 8,000 bytes is binary (offsets, no lines).
 * One report per (line or offset, name, encoding).
 */
export class InputScanner {
  /** Bytes each block repeats from the previous one: the longest pattern minus one. */
  readonly overlap: number;
  readonly #matcher: ScanMatcher;
  readonly #onFound: (f: Found) => void;
  #start = 0;
  #line = 1;
  #binary: boolean | undefined;
  /** The reports of the line (or offset) reported last, to report each once. */
  #seen = new Set<string>();
  #seenAt = -1;

  constructor(matcher: ScanMatcher, onFound: (f: Found) => void) {
    this.#matcher = matcher;
    this.overlap = Math.max(0, matcher.maxLength - 1);
    this.#onFound = onFound;
  }

  /** Whether the input is binary (known after its first block). */
  get binary(): boolean {
    return this.#binary === true;
  }

  /**
   * Scan one block: `data` is the previous block's last {@link overlap} bytes (none for the
   * first) followed by new bytes; `last` for the final block of the input.
   */
  block(bytes: Uint8Array, last: boolean): void {
    const data = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (this.#binary === undefined) {
      const sniff = Math.min(data.length, BINARY_SNIFF);
      this.#binary = data.subarray(0, sniff).includes(0);
    }
    const limit = last ? data.length : Math.max(0, data.length - this.overlap);
    let counted = 0;
    const binary = this.#binary;
    this.#matcher.scan(data, limit, (at, name, encoding) => {
      let line: number | null = null;
      if (!binary) {
        counted = this.#countLines(data, counted, at);
        line = this.#line;
      }
      const offset = this.#start + at;
      const where = line ?? offset;
      if (where !== this.#seenAt) {
        this.#seen.clear();
        this.#seenAt = where;
      }
      const key = `${name}\0${encoding}`;
      if (this.#seen.has(key)) return;
      this.#seen.add(key);
      this.#onFound({ line, offset, name, encoding });
    });
    if (!binary) this.#countLines(data, counted, limit);
    this.#start += limit;
  }

  /** Add the newlines of `data[from .. to)` to the line count; returns `to`. */
  #countLines(data: Buffer, from: number, to: number): number {
    let i = from;
    for (;;) {
      const nl = data.indexOf(10, i);
      if (nl === -1 || nl >= to) break;
      this.#line++;
      i = nl + 1;
    }
    return to;
  }
}
