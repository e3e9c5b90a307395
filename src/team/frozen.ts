/**
 * Run-time immutability of a TeamFile's content (maps whose set/delete/clear throw, frozen
 * objects). Split from store.ts (decision 43).
 *
 * @module
 */
import type { TeamData } from './format.js';

const frozen = new WeakSet<object>();

function refuseChange(): never {
  throw new TypeError('a TeamFile is immutable: use its methods, which return a new TeamFile');
}

/** Make a map of the file's content read-only at run time too (set, delete and clear throw). */
function freezeMap<K, V>(m: ReadonlyMap<K, V>): ReadonlyMap<K, V> {
  if (frozen.has(m)) return m;
  for (const method of ['set', 'delete', 'clear']) Object.defineProperty(m, method, { value: refuseChange });
  frozen.add(Object.freeze(m));
  return m;
}

/**
 * Freeze the content of a TeamFile (objects, arrays, maps; Buffers cannot be frozen, so the
 * accessors hand out copies). Parts shared with the file it was derived from are frozen already.
 */
export function freezeData(data: TeamData): TeamData {
  if (frozen.has(data)) return data;
  for (const d of data.domains.values()) {
    if (frozen.has(d)) continue;
    freezeMap(d.owners);
    freezeMap(d.secrets);
    frozen.add(Object.freeze(d));
  }
  for (const c of data.custodians.values()) Object.freeze(c);
  freezeMap(data.domains);
  freezeMap(data.custodians);
  Object.freeze(data.audit);
  frozen.add(Object.freeze(data));
  return data;
}
