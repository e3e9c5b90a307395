/**
 * A map from strings to non-negative integers that holds a million entries in a few tens of MB:
 * the keys are kept as UTF-16 code units (exact for any string, lone surrogates included) in one
 * growing buffer and found through an open-addressing table of typed arrays, instead of a `Map`
 * of a million strings (about 100 bytes per entry in V8). `importenv` keeps each name's last line in one (docs/architecture.md, decision 38).
 *
 * Exact: keys are compared byte for byte, a hash only chooses where to look.
 *
 * @module
 */

const EMPTY = -1;

/** FNV-1a over the UTF-16 code units of `s` (32 bits). */
function hashOf(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A compact `Map<string, number>` for values 0 … 2^32-1 (set and get only). */
export class CompactStringMap {
  /** Entry e's key: bytes `keyStart[e]` … `keyStart[e] + keyLength[e]` of `#bytes`. */
  #bytes = Buffer.allocUnsafe(1 << 16);
  #used = 0;
  #keyStart = new Uint32Array(1024);
  #keyLength = new Uint32Array(1024);
  #hash = new Uint32Array(1024);
  #value = new Uint32Array(1024);
  #size = 0;
  /** Open-addressing slots holding entry numbers (EMPTY when free); a power of two in size. */
  #slots = new Int32Array(2048).fill(EMPTY);
  /** The key being looked up, as UTF-16 (grown when a longer key comes). */
  #probe = Buffer.allocUnsafe(256);

  /** Number of keys. */
  get size(): number {
    return this.#size;
  }

  /** The slot holding `key`, or the free slot where it would go. */
  #find(key: string, h: number): number {
    if (this.#probe.length < key.length * 2) this.#probe = Buffer.allocUnsafe(key.length * 2);
    const n = this.#probe.write(key, 0, 'utf16le');
    const mask = this.#slots.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const e = this.#slots[i] ?? EMPTY;
      if (e === EMPTY) return i;
      const start = this.#keyStart[e] ?? 0;
      if (this.#hash[e] === h && this.#keyLength[e] === n && this.#bytes.compare(this.#probe, 0, n, start, start + n) === 0) return i;
    }
  }

  /** The value of `key`, or undefined. */
  get(key: string): number | undefined {
    const e = this.#slots[this.#find(key, hashOf(key))] ?? EMPTY;
    return e === EMPTY ? undefined : this.#value[e];
  }

  /** Set `key` to `value` (an integer 0 … 2^32-1). */
  set(key: string, value: number): void {
    const h = hashOf(key);
    const slot = this.#find(key, h);
    const found = this.#slots[slot] ?? EMPTY;
    if (found !== EMPTY) {
      this.#value[found] = value;
      return;
    }
    const n = Buffer.byteLength(key, 'utf16le');
    if (this.#used + n > this.#bytes.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.#bytes.length * 2, this.#used + n));
      this.#bytes.copy(bigger, 0, 0, this.#used);
      this.#bytes = bigger;
    }
    const e = this.#size;
    if (e === this.#value.length) this.#growEntries();
    this.#bytes.write(key, this.#used, 'utf16le');
    this.#keyStart[e] = this.#used;
    this.#keyLength[e] = n;
    this.#hash[e] = h;
    this.#value[e] = value;
    this.#used += n;
    this.#size += 1;
    this.#slots[slot] = e;
    if (this.#size * 2 > this.#slots.length) this.#rehash();
  }

  #growEntries(): void {
    const grow = (a: Uint32Array<ArrayBuffer>): Uint32Array<ArrayBuffer> => {
      const b = new Uint32Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.#keyStart = grow(this.#keyStart);
    this.#keyLength = grow(this.#keyLength);
    this.#hash = grow(this.#hash);
    this.#value = grow(this.#value);
  }

  #rehash(): void {
    const slots = new Int32Array(this.#slots.length * 2).fill(EMPTY);
    const mask = slots.length - 1;
    for (let e = 0; e < this.#size; e++) {
      let i = (this.#hash[e] ?? 0) & mask;
      while (slots[i] !== EMPTY) i = (i + 1) & mask;
      slots[i] = e;
    }
    this.#slots = slots;
  }
}
