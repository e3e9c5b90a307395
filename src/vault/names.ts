/**
 * Rules for the names of apps, environments and keys.
 *
 * A secret is identified by `(app, env, key)`. `*` as app or env means "global". Names may not
 * contain characters that have a meaning in filter strings (`: , * ? [ ]`), `=` or `#` (which
 * have a meaning in env.template and dotenv files), whitespace or control characters, so that
 * every name can be written in a filter literally and every filter reads one way.
 *
 * @module
 */
import { SeeqretError } from '../errors.js';

/** The app/env value meaning "global" (applies to every app / every environment). */
export const GLOBAL = '*';
/** Longest accepted name, in UTF-16 code units. */
export const MAX_NAME_LENGTH = 255;

// Made on first use (see src/util/text.ts: a `\p{…}` regular expression is costly to create).
let forbidden: RegExp | undefined;
const FORBIDDEN = (): RegExp => (forbidden ??= /[:,*?[\]=#\s\p{Cc}\p{Cf}\u2028\u2029]/u);

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** `String.prototype.isWellFormed` (V8 11.1, Node 20), typed here for older type definitions. */
const nativeWellFormed = (String.prototype as { isWellFormed?: (this: string) => boolean }).isWellFormed;

/**
 * True when `s` has no lone UTF-16 surrogate (so it encodes to UTF-8 and back unchanged). The
 * built-in check where there is one: the regular expression, with its lookbehind, runs through
 * V8's runtime at ~7 k instructions a call (a load checks every value, decision 88).
 */
export function isWellFormed(s: string): boolean {
  return nativeWellFormed !== undefined ? nativeWellFormed.call(s) : !LONE_SURROGATE.test(s);
}

/** The kinds of name, used in messages. */
export type NameKind = 'app' | 'env' | 'key';

/** Why `name` is not acceptable as a `kind`, or `null` when it is. */
export function nameProblem(kind: NameKind, name: string): string | null {
  if (name.length === 0) return `${kind} name is empty`;
  if (name.length > MAX_NAME_LENGTH) return `${kind} name is longer than ${MAX_NAME_LENGTH} characters`;
  if (kind !== 'key' && name === GLOBAL) return null;
  if (!isWellFormed(name)) return `${kind} name is not valid Unicode`;
  const m = FORBIDDEN().exec(name);
  if (m) {
    const ch = m[0];
    const shown = /[\s\p{Cc}\p{Cf}]/u.test(ch) ? `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}` : `'${ch}'`;
    return `${kind} name '${kind === 'key' || name.length < 80 ? name.replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, '?') : name.slice(0, 80)}' contains ${shown}`;
  }
  return null;
}

/** Throw `E_INVALID_NAME` unless `name` is a valid `kind` name. Returns the name. */
export function checkName(kind: NameKind, name: string): string {
  const problem = nameProblem(kind, name);
  if (problem) {
    throw new SeeqretError(
      'E_INVALID_NAME',
      problem,
      kind === 'key'
        ? "Use letters, digits and '_', '-', '.', '/' (no ':', ',', '*', '?', '[', ']', '=', '#', spaces)."
        : "Use letters, digits and '_', '-', '.', or '*' alone for global.",
    );
  }
  return name;
}

/** Refuse an empty value unless `allowEmpty` (`E_EMPTY_VALUE`). */
export function refuseEmptyValue(value: string, what: string, allowEmpty: boolean): string {
  if (value === '' && !allowEmpty) {
    throw new SeeqretError('E_EMPTY_VALUE', `the value for ${what} is empty; nothing was stored`, 'Give the value (argument, stdin or the prompt); to store an empty value on purpose, add --allow-empty.');
  }
  return value;
}
