/**
 * Narrowing assertions for tests: where a test knows a value is there (a regex matched, a row
 * exists, an array has an element), `must(x)` says so and fails the test with a clear message when
 * it is not — instead of a `!` that only silences the compiler and fails later with a TypeError.
 */
import { SeeqretError } from '../src/errors.js';

/** `value`, asserted to be neither `null` nor `undefined`; throws (failing the test) when it is. */
export function must<T>(value: T, what = 'value'): NonNullable<T> {
  if (value === null || value === undefined) throw new Error(`expected a ${what}, got ${String(value)}`);
  return value;
}

/** XOR byte `pos` of `buf` with `mask` in place (tampering tests); `pos` must be inside `buf`. */
export function flip(buf: Uint8Array, pos: number, mask: number): void {
  buf[pos] = must(buf[pos], `byte at ${pos}`) ^ mask;
}

/** The `SeeqretError` `p` rejects with; fails the test when it resolves or rejects with anything else. */
export async function rejected(p: Promise<unknown>): Promise<SeeqretError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof SeeqretError) return e;
    throw e;
  }
  throw new Error('expected a SeeqretError');
}
