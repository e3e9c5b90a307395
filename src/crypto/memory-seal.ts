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
 * different integer. The nonce is not secret and is kept next to its ciphertext.
 *
 * @module
 */
import { SeeqretError } from '../errors.js';
import { sodium } from './sodium.js';

const KEY_BYTES = sodium.crypto_aead_chacha20poly1305_ietf_KEYBYTES; // 32
const TAG_BYTES = sodium.crypto_aead_chacha20poly1305_ietf_ABYTES; // 16
/** The plaintext of one open lives here (wiped after each); longer values get their own buffer. */
const SCRATCH_BYTES = 4096;
const TWO_32 = 2 ** 32;

/** One value sealed by a {@link MemorySealer}: its nonce counter and its ciphertext ‖ tag. */
export interface MemorySealed {
  /** The counter this value was sealed under (its nonce). */
  readonly n: number;
  /** Ciphertext followed by the 16-byte Poly1305 tag. */
  readonly body: Buffer;
}

/** A per-process key and nonce counter for {@link MemorySealed} values. */
export class MemorySealer {
  readonly #key: Buffer;
  /** The 96-bit nonce of the call in progress, as three 32-bit words: counter low, counter high, 0. */
  readonly #nonce = new Uint32Array(3);
  #count = 0;
  readonly #scratch = Buffer.alloc(SCRATCH_BYTES);
  /** Views of the scratch buffer by plaintext length, made once each. */
  readonly #views: Buffer[] = [];

  constructor() {
    this.#key = Buffer.alloc(KEY_BYTES);
    sodium.randombytes_buf(this.#key);
  }

  /** Seal `plaintext` under the next counter. The caller wipes its plaintext. */
  seal(plaintext: Uint8Array): MemorySealed {
    if (this.#count >= Number.MAX_SAFE_INTEGER) {
      throw new SeeqretError('E_INTERNAL', 'the in-memory value key has sealed its maximum number of values', 'Close the vault and open it again.');
    }
    const n = ++this.#count;
    this.#setNonce(n);
    // allocUnsafe: pooled, so the bodies of one index sit close together; encrypt writes every byte.
    const body = Buffer.allocUnsafe(plaintext.length + TAG_BYTES);
    sodium.crypto_aead_chacha20poly1305_ietf_encrypt(body, plaintext, null, null, this.#nonce, this.#key);
    return { n, body };
  }

  /**
   * Verify and decrypt a value this sealer made, to its UTF-8 text, wiping the plaintext bytes
   * before returning. `null` when it was modified or another sealer made it — never partial text.
   */
  open(s: MemorySealed): string | null {
    const len = s.body.length - TAG_BYTES;
    if (len < 0) return null;
    const out = len <= SCRATCH_BYTES ? (this.#views[len] ??= this.#scratch.subarray(0, len)) : Buffer.alloc(len);
    this.#setNonce(s.n);
    try {
      sodium.crypto_aead_chacha20poly1305_ietf_decrypt(out, null, s.body, null, this.#nonce, this.#key);
    } catch {
      out.fill(0);
      return null;
    }
    const text = out.toString();
    out.fill(0);
    return text;
  }

  /** Wipe the key and the scratch buffer: nothing sealed by this sealer opens again, nor is sealed. */
  wipe(): void {
    this.#count = Number.MAX_SAFE_INTEGER;
    sodium.sodium_memzero(this.#key);
    this.#scratch.fill(0);
  }

  #setNonce(n: number): void {
    const lo = n % TWO_32;
    this.#nonce[0] = lo;
    this.#nonce[1] = (n - lo) / TWO_32;
  }
}
