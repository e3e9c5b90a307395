/**
 * Uniform random choices for secret generation.
 *
 * All randomness comes from libsodium (`randombytes_uniform`, `randombytes_random`, which reject
 * biased draws internally) or Node's `crypto` (`randomUUID`). There is no home-made generator and
 * no modulo reduction here.
 *
 * @module
 */
import { createHash, randomUUID as nodeRandomUUID } from 'node:crypto';
import { SeeqretError } from '../errors.js';
import { sodium } from './sodium.js';

const TWO_POW_32 = 2 ** 32;

/**
 * A uniformly distributed integer in `[0, upperExclusive)`.
 *
 * @param upperExclusive - an integer in `1..2^32`.
 * @throws SeeqretError `E_USAGE` when the bound is not an integer in that range.
 */
export function randomInt(upperExclusive: number): number {
  if (!Number.isInteger(upperExclusive) || upperExclusive < 1 || upperExclusive > TWO_POW_32) {
    throw new SeeqretError('E_USAGE', `random bound must be an integer from 1 to 2^32, got ${String(upperExclusive)}`, 'pass an integer bound from 1 to 4294967296');
  }
  if (upperExclusive === 1) return 0;
  // randombytes_uniform takes a uint32 bound; 2^32 itself is the full 32-bit range.
  if (upperExclusive === TWO_POW_32) return sodium.randombytes_random() >>> 0;
  return sodium.randombytes_uniform(upperExclusive);
}

/**
 * A uniformly chosen element of `items`.
 *
 * @throws SeeqretError `E_USAGE` when `items` is empty (or longer than 2^32).
 */
export function randomChoice<T>(items: readonly T[]): T {
  if (items.length === 0) throw new SeeqretError('E_USAGE', 'cannot choose from an empty list', 'this is a bug in the caller');
  return items[randomInt(items.length)] as T;
}

/** A random version 4 UUID (Node `crypto.randomUUID`), lower-case with hyphens. */
export function randomUUID(): string {
  return nodeRandomUUID();
}

/** Standard base64 (with padding) of SHA-256 over the UTF-8 bytes of `text`. */
export function sha256Base64(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64');
}
