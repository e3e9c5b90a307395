/**
 * The cells of a row MAC's canonical JSON text (src/vault/integrity.ts `rowMac`), written by hand
 * as `JSON.stringify` writes them (decision 74), and the last row's cells kept by position
 * (decision 77).
 *
 * @module
 */

/** A string JSON writes as itself between quotes: printable ASCII without `"` and `\\`. */
const PLAIN_JSON_STRING = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** One cell of a row as `JSON.stringify` writes it inside an array (`null` for what it cannot write). */
export function jsonCell(v: unknown): string {
  if (typeof v === 'string') return PLAIN_JSON_STRING.test(v) ? `"${v}"` : JSON.stringify(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  // A function, a symbol or a toJSON that gives undefined: JSON writes `null` for it inside an array.
  const written: unknown = JSON.stringify(v);
  return typeof written === 'string' ? written : 'null';
}

/**
 * The cells `rowMac` wrote last, by position (strings and numbers only, whose text is a
 * function of the value): a push's or a load's thousand rows repeat most of them (bundle, user,
 * key, app, env, time), and each costs a regular-expression test or a conversion otherwise.
 * Names, ids and times only — a value is a ciphertext blob, never memoized.
 */
const lastValues: unknown[] = [];
const lastCells: string[] = [];

/**
 * The text of cell `i` (a string or a number) of the row being written: the last row's when it
 * held the same value there (`===` is the same text: -0 and 0 both write `0`; NaN is never
 * equal, so it is written again).
 */
export function cellAt(i: number, v: string | number): string {
  if (lastValues[i] !== v) {
    lastValues[i] = v;
    lastCells[i] = jsonCell(v);
  }
  return lastCells[i] ?? jsonCell(v);
}

/** The row MAC text's start for each table name (a handful), made once. */
const prefixes = new Map<string, string>();

/** `["seeqret/row/v1",TABLE,[`: how the row MAC's text of a row of `table` starts. */
export function rowPrefix(table: string): string {
  let p = prefixes.get(table);
  if (p === undefined) prefixes.set(table, (p = `["seeqret/row/v1",${jsonCell(table)},[`));
  return p;
}
