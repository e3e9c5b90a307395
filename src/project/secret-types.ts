/**
 * The secret types of variable descriptions (psec's, with `int`) and their `Options` text.
 *
 * @module
 */
import { SeeqretError } from '../errors.js';
import { INT_RE } from './descriptions.js';

/**
 * The secret types a description's `Type` may name, in the order `describe --types` lists them.
 *
 * `generable` is true when seeqret can produce a value of the type by itself:
 *
 * | name | value |
 * |---|---|
 * | `password` | xkcd-style passphrase: 6 EFF words joined with `.` (psec's style: 4 words spelling a word) |
 * | `token_hex` | 32 random bytes as 64 hex characters |
 * | `token_urlsafe` | 32 random bytes, URL-safe base64 without padding (43 characters) |
 * | `token_base64` | 32 random bytes, standard base64 (44 characters) |
 * | `random_base64` | 18 random bytes, standard base64 (24 characters; psec's size) |
 * | `uuid4` | a random (version 4) UUID |
 * | `crypt_6` | SHA-512 crypt (`$6$salt$…`) of a generated or given password |
 * | `sha256_digest` | base64(SHA-256(`user:password`)) of a generated or given password |
 * | `random` | random characters, including at least one of each required character class |
 * | `boolean` | not generable: exactly `true` or `false` |
 * | `string` | not generable: any text, set by hand |
 * | `int` | not generable: an integer (optional sign, ASCII digits), set by hand (generated only when named) |
 */
export const SECRET_TYPES: readonly { readonly name: string; readonly description: string; readonly generable: boolean }[] =
  Object.freeze(
    [
      { name: 'password', description: 'xkcd-style passphrase from the EFF list: 6 words joined with "." (68.9 bits; psec style: --words 4 --acrostic)', generable: true },
      { name: 'token_hex', description: '32 random bytes as 64 hex characters', generable: true },
      { name: 'token_urlsafe', description: '32 random bytes, URL-safe base64 without padding (43 characters)', generable: true },
      { name: 'token_base64', description: '32 random bytes, standard base64 (44 characters)', generable: true },
      { name: 'random_base64', description: '18 random bytes, standard base64 (24 characters)', generable: true },
      { name: 'uuid4', description: 'a random (version 4) UUID', generable: true },
      { name: 'crypt_6', description: 'SHA-512 crypt ("$6$salt$...") of the password generated in the same run, or of --from VAR', generable: true },
      { name: 'sha256_digest', description: 'base64(SHA-256("user:password")) of the password generated in the same run, or of --from VAR (needs --user)', generable: true },
      { name: 'random', description: 'random characters, at least one of each required character class', generable: true },
      { name: 'boolean', description: '"true" or "false", set by hand', generable: false },
      { name: 'string', description: 'any text, set by hand', generable: false },
      { name: 'int', description: 'an integer (optional sign and ASCII digits), set by hand; generated only when named (--min/--max)', generable: false },
    ].map((t) => Object.freeze(t)),
  );

export const TYPE_NAMES: ReadonlySet<string> = new Set(SECRET_TYPES.map((t) => t.name));
export const KNOWN_TYPES_TEXT = SECRET_TYPES.map((t) => t.name).join(', ');

/** The parsed `Options` attribute of a description. */
export interface Options {
  /** The listed values other than `*`, in file order, without duplicates (trimmed). */
  readonly choices: readonly string[];
  /** True when `*` is listed (or there is no list): any value is accepted, not only `choices`. */
  readonly freeText: boolean;
  /** The first entry when it is not `*` (then `choices[0]`), else `undefined` (psec's rule). */
  readonly default: string | undefined;
}

/** Why `text` is not a usable `Options` for `type`, or the parsed options. */
export function analyseOptions(text: string, type: string): Options | string {
  const t = text.trim();
  if (t === '') {
    return type === 'boolean'
      ? { choices: ['true', 'false'], freeText: false, default: 'true' }
      : { choices: [], freeText: true, default: undefined };
  }
  const choices: string[] = [];
  let freeText = false;
  for (const raw of t.split(',')) {
    const entry = raw.trim();
    if (entry === '') return 'Options has an empty entry (two commas in a row, or a comma at either end)';
    if (entry === '*') {
      freeText = true;
      continue;
    }
    if (type === 'boolean' && entry !== 'true' && entry !== 'false') {
      return "Options of a boolean may only list 'true' and 'false'";
    }
    if (type === 'int' && !INT_RE.test(entry)) return 'Options of an int may only list integers (and *)';
    if (!choices.includes(entry)) choices.push(entry);
  }
  if (type === 'boolean' && freeText) return "Options of a boolean cannot include '*' (the value must be 'true' or 'false')";
  // psec's rule: the first entry is the default unless it is '*' ('*,a' has no default).
  const first = (t.split(',')[0] ?? '').trim(); // split gives at least one part
  return { choices, freeText, default: first === '*' ? undefined : first };
}

/**
 * Parse psec's `Options` attribute: a comma-separated list.
 *
 * - `*` alone: any value; `a,b`: only `a` or `b`; `a,*`: `a` or any other value.
 * - Entries are trimmed; duplicates are dropped (the first occurrence keeps its place).
 * - The default is the first entry, unless it is `*` (`*,a` has no default), as in psec.
 * - Empty or blank `text` means "no Options": `true,false` for a `boolean`, `*` for any other type.
 *
 * @param text - The attribute as written.
 * @param type - The description's `Type`; `boolean` and `int` constrain the entries.
 * @returns The choices, whether free text is allowed, and the default.
 * @throws SeeqretError `E_BAD_VALUE` for an empty entry (`a,,b`, `a,`), a boolean entry other than
 *   `true`/`false` or `*` on a boolean, or a non-integer entry on an `int`.
 */
export function parseOptions(text: string, type: string): Options {
  const r = analyseOptions(text, type);
  if (typeof r === 'string') {
    throw new SeeqretError('E_BAD_VALUE', r, 'Write Options as a comma-separated list, e.g. "a,b" or "a,*".');
  }
  return r;
}

/** Options as psec writes them: the default first, then the other choices, then `*` if free. */
export function formatOptions(o: Options): string {
  if (o.default === undefined) return (o.freeText ? ['*', ...o.choices] : [...o.choices]).join(',');
  const choices = [o.default, ...o.choices.filter((c) => c !== o.default)];
  if (o.freeText) choices.push('*');
  return choices.join(',');
}
