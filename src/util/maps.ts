/**
 * Lookups of a key the caller knows is present (it was just listed, or checked above): a missing
 * one is a bug, reported as `E_INTERNAL` with a fix instead of a `TypeError` further on.
 *
 * @module
 */
import { SeeqretError } from '../errors.js';

/**
 * The value of `key` in `map`, which the caller's invariant says is there.
 *
 * @param what - Names the entry in the message, e.g. `custodian bob` (never a secret value).
 * @throws SeeqretError `E_INTERNAL` when the key is missing (a bug).
 */
export function present<K, V>(map: ReadonlyMap<K, V>, key: K, what: string): V {
  const v = map.get(key);
  if (v === undefined) throw new SeeqretError('E_INTERNAL', `${what} is missing`, 'Report this bug.');
  return v;
}
