/**
 * The one emulation of Python's `json.dumps(value, indent=N, sort_keys=…)` with its default
 * `ensure_ascii`: the text the old tools write (psec's description files, the old seeqret's
 * json-crypt export, pocket_protector's `decrypt`), byte for byte.
 *
 * @module
 */
import { codePointCompare } from '../util/compare.js';

/** Options of {@link pythonJsonDumps}. */
export interface PythonJsonOptions {
  /** Python's `indent`: spaces per level (every element on its own line). */
  readonly indent: number;
  /** Python's `sort_keys=True`: object keys in code-point order; else in insertion order. */
  readonly sortKeys?: boolean;
}


/** A string as Python writes it with `ensure_ascii`: everything outside space..`~` as `\uXXXX` (lower-case). */
function pythonString(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function emit(value: unknown, o: PythonJsonOptions, depth: number): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    // Python writes floats differently (1.0, 1e+21); the old formats hold integers only.
    if (!Number.isSafeInteger(value)) throw new RangeError(`pythonJsonDumps: ${value} is not a safe integer`);
    return String(value);
  }
  if (typeof value === 'string') return pythonString(value);
  const inner = '\n' + ' '.repeat(o.indent * (depth + 1));
  const outer = '\n' + ' '.repeat(o.indent * depth);
  if (Array.isArray(value)) {
    const items = (value as readonly unknown[]).map((v) => emit(v, o, depth + 1));
    return items.length === 0 ? '[]' : `[${inner}${items.join(`,${inner}`)}${outer}]`;
  }
  if (typeof value !== 'object') throw new TypeError(`pythonJsonDumps: a ${typeof value} cannot be written as JSON`);
  // A Map keeps integer-like keys where they were put (a plain object moves them first). Members
  // whose value is undefined are left out, as JSON.stringify does.
  const all: [unknown, unknown][] = value instanceof Map ? [...(value as ReadonlyMap<unknown, unknown>)] : Object.entries(value);
  const entries = all.filter((e): e is [string, unknown] => typeof e[0] === 'string' && e[1] !== undefined);
  if (o.sortKeys === true) entries.sort((x, y) => codePointCompare(x[0], y[0]));
  const items = entries.map(([k, v]) => `${pythonString(k)}: ${emit(v, o, depth + 1)}`);
  return items.length === 0 ? '{}' : `{${inner}${items.join(`,${inner}`)}${outer}}`;
}

/**
 * `json.dumps(value, indent=o.indent, sort_keys=o.sortKeys)` as Python 3 writes it: `,` and
 * `: ` separators, empty containers as `[]` and `{}`, non-ASCII and DEL escaped as `\uXXXX`
 * (surrogate pairs for astral characters).
 *
 * Values are `null`, booleans, safe integers, strings, arrays, plain objects and Maps with string keys.
 *
 * @throws RangeError for a number that is not a safe integer (Python would write it differently).
 * @throws TypeError for any other kind of value.
 */
export function pythonJsonDumps(value: unknown, o: PythonJsonOptions): string {
  return emit(value, o, 0);
}
