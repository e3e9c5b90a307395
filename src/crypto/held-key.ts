/**
 * Key material held by the unlock agent (src/agent/) for as long as it runs: in memory that
 * libsodium allocates with guard pages and locks against swapping (`sodium_malloc`), read-only
 * between uses, and zeroed when released. Never written anywhere.
 *
 * @module
 */
import type { SecureBuffer } from 'sodium-native';
import { sodium } from './sodium.js';

/** Key bytes in locked memory; {@link HeldKey.copy} hands out one copy, {@link HeldKey.release} zeroes them. */
export class HeldKey {
  #buf: SecureBuffer | undefined;

  /** Copy `secret` into locked memory (the caller wipes its own copy). */
  constructor(secret: Buffer) {
    const b = sodium.sodium_malloc(secret.length);
    secret.copy(b);
    sodium.sodium_mprotect_readonly(b);
    this.#buf = b;
  }

  /** True until {@link HeldKey.release}. */
  get held(): boolean {
    return this.#buf !== undefined;
  }

  /** A copy of the key bytes in an ordinary buffer (wipe it after use). */
  copy(): Buffer {
    if (this.#buf === undefined) throw new TypeError('the key was released');
    return Buffer.from(this.#buf);
  }

  /** Zero the locked memory and forget it. */
  release(): void {
    const b = this.#buf;
    if (b === undefined) return;
    this.#buf = undefined;
    sodium.sodium_mprotect_readwrite(b);
    sodium.sodium_memzero(b);
  }
}
