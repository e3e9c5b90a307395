/**
 * Sealing of values a process keeps in memory (the library `get` index): values stay encrypted
 * until asked for, under a key that exists only in this process, and each one opens with a single
 * libsodium call and no allocation beyond its result string (decision 49).
 *
 * This is not the at-rest format (that is {@link seal} in `./index.ts`, XChaCha20-Poly1305 with a
 * random nonce and the row's associated data). In memory there is one key per
 * {@link MemorySealer}, drawn at random when it is made and never written anywhere, so the nonce
 * can be a counter: IETF ChaCha20-Poly1305 (RFC 8439) with a 96-bit counter nonce needs no
 * HChaCha20 sub-key step, which makes an open of a short value about a fifth cheaper than
 * XChaCha20-Poly1305 (bench/seal-candidates.mjs; docs/benchmarks.md).
 *
 * Nonce uniqueness: a sealer's counter starts at 1 and goes up by one on every {@link
 * MemorySealer.seal}, and a sealer refuses to seal once it would pass 2^53 − 1 (the largest
 * integer a JavaScript number holds exactly), so no two values are ever sealed under the same
 * (key, nonce) pair: the key is fresh for each sealer, and within one sealer every nonce is a
 * different integer. The nonce's third word marks an all-ASCII plaintext (so an open decodes it
 * without a UTF-8 pass); it cannot make two nonces equal, since their counters already differ, and
 * the tag covers it. The nonce is not secret and is kept next to its ciphertext, as the three
 * words it is made of, so an open only copies them.
 *
 * @module
 */
import { SeeqretError } from '../errors.js';
import { sodium } from './sodium.js';

const KEY_BYTES = sodium.crypto_aead_chacha20poly1305_ietf_KEYBYTES; // 32
const TAG_BYTES = sodium.crypto_aead_chacha20poly1305_ietf_ABYTES; // 16
/** The plaintext of one open lives here (wiped after each); longer values get their own buffer. */
const SCRATCH_BYTES = 4096;
/** Plaintexts up to this length are wiped by a loop of 8-byte writes, longer ones by `fill`. */
const LOOP_WIPE_BYTES = 64;
const TWO_32 = 2 ** 32;
/**
 * Sealed values are written back to back into arenas of this size, so the values an index loads
 * one after the other sit next to each other in memory; a value longer than a quarter of it gets
 * its own buffer.
 */
const ARENA_BYTES = 64 * 1024;

/**
 * Node's own decoders on `Buffer.prototype` (what `toString('ascii' | 'utf8', start, end)` ends
 * in), called directly to skip the encoding dispatch: present in every Node this package supports,
 * though `@types/node` does not declare them.
 */
interface Slicer {
  asciiSlice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

/**
 * One value sealed by a {@link MemorySealer}: its ciphertext ‖ tag bytes themselves (a view into
 * the sealer's arena), carrying the three 32-bit words of its nonce. The value is one heap object,
 * so an open reads this object and its bytes and nothing else; the words are kept as they go into
 * the nonce, so an open computes nothing. A subclass may add fields (the value index adds its
 * variant's names): see {@link MemorySealer.sealWith}.
 */
export class MemorySealed extends Uint8Array {
  /** The low 32 bits of the counter this value was sealed under. */
  readonly lo: number;
  /** The high bits of the counter (below 2^21: the counter stays below 2^53). */
  readonly hi: number;
  /**
   * 1 when every byte of the plaintext is ASCII (below 0x80), else 0. It is the nonce's third
   * word, so the tag covers it: a changed mark fails to open like a changed ciphertext.
   */
  readonly ascii: number;

  /** A view of `length` bytes of `bytes` at `offset` (ciphertext ‖ tag) sealed under the nonce words `lo`, `hi`, `ascii`. */
  constructor(bytes: ArrayBuffer, offset: number, length: number, lo: number, hi: number, ascii: number) {
    super(bytes, offset, length);
    this.lo = lo;
    this.hi = hi;
    this.ascii = ascii;
  }
}

/**
 * Makes the object a {@link MemorySealer.sealWith} returns: a {@link MemorySealed} (or a subclass)
 * over `length` bytes of `bytes` at `offset`, with the nonce words given. The sealer writes the
 * ciphertext into it afterwards.
 */
export type SealedMaker<T extends MemorySealed> = (bytes: ArrayBuffer, offset: number, length: number, lo: number, hi: number, ascii: number) => T;

/** {@link MemorySealer.seal}'s maker: a plain {@link MemorySealed}. */
const plainSealed: SealedMaker<MemorySealed> = (bytes, offset, length, lo, hi, ascii) => new MemorySealed(bytes, offset, length, lo, hi, ascii);

/** 1 when every byte of `bytes` is below 0x80, else 0. */
function asciiMark(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) if ((bytes[i] ?? 0) > 0x7f) return 0;
  return 1;
}

/** A per-process key and nonce counter for {@link MemorySealed} values. */
export class MemorySealer {
  readonly #key: Buffer;
  /** The 96-bit nonce of the call in progress, as three 32-bit words: counter low, counter high, ASCII mark. */
  readonly #nonce = new Uint32Array(3);
  #count = 0;
  readonly #scratch = Buffer.alloc(SCRATCH_BYTES);
  /** The scratch buffer as 8-byte words, for the wipe of a short plaintext. */
  readonly #words = new Float64Array(this.#scratch.buffer, this.#scratch.byteOffset, SCRATCH_BYTES / 8);
  /** Views of the scratch buffer by plaintext length, made once each. */
  readonly #views: Buffer[] = [];
  /** The arena sealed values are written into ({@link ARENA_BYTES}), and how much of it is used. */
  #arena = new ArrayBuffer(0);
  #used = 0;

  constructor() {
    this.#key = Buffer.alloc(KEY_BYTES);
    sodium.randombytes_buf(this.#key);
  }

  /** Seal `plaintext` under the next counter. The caller wipes its plaintext. */
  seal(plaintext: Uint8Array): MemorySealed {
    return this.sealWith(plaintext, plainSealed);
  }

  /**
   * {@link seal}, the result made by `make` (a subclass of {@link MemorySealed} with more fields),
   * so that the caller's record and the sealed bytes are one object. The caller wipes its plaintext.
   */
  sealWith<T extends MemorySealed>(plaintext: Uint8Array, make: SealedMaker<T>): T {
    if (this.#count >= Number.MAX_SAFE_INTEGER) {
      throw new SeeqretError('E_INTERNAL', 'the in-memory value key has sealed its maximum number of values', 'Close the vault and open it again.');
    }
    const n = ++this.#count;
    const lo = n % TWO_32;
    const hi = (n - lo) / TWO_32;
    const ascii = asciiMark(plaintext);
    const nonce = this.#nonce;
    nonce[0] = lo;
    nonce[1] = hi;
    nonce[2] = ascii;
    const length = plaintext.length + TAG_BYTES;
    let sealed: T;
    if (length > ARENA_BYTES / 4) sealed = make(new ArrayBuffer(length), 0, length, lo, hi, ascii);
    else {
      if (this.#used + length > this.#arena.byteLength) {
        this.#arena = new ArrayBuffer(ARENA_BYTES);
        this.#used = 0;
      }
      sealed = make(this.#arena, this.#used, length, lo, hi, ascii);
      this.#used = (this.#used + length + 7) & ~7; // the next value starts on an 8-byte boundary
    }
    sodium.crypto_aead_chacha20poly1305_ietf_encrypt(sealed, plaintext, null, null, nonce, this.#key);
    return sealed;
  }

  /**
   * Verify and decrypt a value this sealer made, to its UTF-8 text, wiping the plaintext bytes
   * before returning. `null` when it was modified or another sealer made it — never partial text.
   */
  open(s: MemorySealed): string | null {
    const len = s.length - TAG_BYTES;
    if (len < 0 || len > LOOP_WIPE_BYTES) return this.#openOther(s, len);
    const out = (this.#views[len] ??= this.#scratch.subarray(0, len));
    try {
      sodium.crypto_aead_chacha20poly1305_ietf_decrypt(out, null, s, null, this.#nonceOf(s), this.#key);
    } catch {
      this.#wipeShort(len);
      return null;
    }
    const text = s.ascii === 1 ? (out as unknown as Slicer).asciiSlice(0, len) : (out as unknown as Slicer).utf8Slice(0, len);
    this.#wipeShort(len);
    return text;
  }

  /** Wipe the key and the scratch buffer: nothing sealed by this sealer opens again, nor is sealed. */
  wipe(): void {
    this.#count = Number.MAX_SAFE_INTEGER;
    sodium.sodium_memzero(this.#key);
    sodium.sodium_memzero(this.#scratch);
  }

  /** The shared nonce buffer set to `s`'s three words. */
  #nonceOf(s: MemorySealed): Uint32Array {
    const nonce = this.#nonce;
    nonce[0] = s.lo;
    nonce[1] = s.hi;
    nonce[2] = s.ascii;
    return nonce;
  }

  /** {@link open} for a plaintext longer than {@link LOOP_WIPE_BYTES} (or a body shorter than a tag). */
  #openOther(s: MemorySealed, len: number): string | null {
    if (len < 0) return null;
    const out = len <= SCRATCH_BYTES ? (this.#views[len] ??= this.#scratch.subarray(0, len)) : Buffer.alloc(len);
    try {
      sodium.crypto_aead_chacha20poly1305_ietf_decrypt(out, null, s, null, this.#nonceOf(s), this.#key);
    } catch {
      out.fill(0);
      return null;
    }
    const text = s.ascii === 1 ? (out as unknown as Slicer).asciiSlice(0, len) : (out as unknown as Slicer).utf8Slice(0, len);
    out.fill(0);
    return text;
  }

  /** Zero the first `len` (at most {@link LOOP_WIPE_BYTES}) bytes of the scratch, 8 at a time: cheaper than a `fill` call. */
  #wipeShort(len: number): void {
    const words = this.#words;
    for (let i = (len + 7) >>> 3; i > 0; ) words[--i] = 0;
  }
}
