/**
 * Filter strings: select secrets by `app:env:key`.
 *
 * A filter has up to three `:`-separated parts. One part `X` means `*:*:X`, two parts `A:E` mean
 * `A:E:*`, and an empty part (or the empty filter) means `*`. Each part is a comma-separated list
 * of alternatives, and each alternative is a glob:
 *
 * - `*` matches any sequence of characters, including none;
 * - `?` matches exactly one character (one Unicode code point);
 * - `[...]` matches one character of a class, with ranges (`a-z`) and negation by a leading `!`
 *   or `^`; a `]` right after the opening `[` (or after the negation character) is a literal `]`;
 * - every other character, including `_`, `%`, `\` and regex metacharacters, is literal.
 *
 * A lone `*` as a whole part matches anything, but inside a list of two or more alternatives a
 * bare `*` is the literal value `*` (the global app or env): `myapp,*::` selects the secrets of
 * app `myapp` and the global ones. Matching is exact and case-sensitive.
 *
 * Filters are compiled once by {@link parseFilter}; {@link matchesFilter} does no parsing, tests
 * literal fields with `===` or a `Set`, and glob fields with one precompiled regular expression.
 *
 * @module
 */
import { SeeqretError } from '../errors.js';

/** One field (app, env or key) of a parsed {@link Filter}. */
export interface FieldPattern {
  /**
   * True when the field matches any value: the part was empty or a lone `*`.
   *
   * A glob that happens to match everything (such as `**`) is not `any`.
   */
  readonly any: boolean;
  /**
   * The literal values the field matches, without duplicates and in the order written, when
   * every alternative is literal (has no `*`, `?` or `[`, or is the literal-global `*` inside a
   * list); `undefined` for `any` fields and for fields with at least one glob alternative.
   *
   * When set, `test(v)` is exactly `literals.includes(v)`, so storage can use SQL `=` or `IN`.
   */
  readonly literals: readonly string[] | undefined;
  /**
   * Whether `value` matches the field (case-sensitive, whole value).
   *
   * Does not use `this`, so it may be passed around detached.
   */
  test(value: string): boolean;
}

/** A parsed, precompiled filter. Create one with {@link parseFilter}. */
export interface Filter {
  /** Pattern for the app name. */
  readonly app: FieldPattern;
  /** Pattern for the environment name. */
  readonly env: FieldPattern;
  /** Pattern for the key name. */
  readonly key: FieldPattern;
  /**
   * The canonical text `app:env:key`: always three parts, with `any` fields written `*` and
   * other parts as written. `parseFilter(f.text)` matches exactly what `f` matches.
   */
  readonly text: string;
}

type FieldName = 'app' | 'env' | 'key';

const FIX = "Write filters as app:env:key, e.g. 'myapp:dev:DB_*' (see docs/filters.md).";
const FIX_ALTERNATIVE = "Separate alternatives with single commas, e.g. '::DB_HOST,DB_PORT' (see docs/filters.md).";
const FIX_CLASS = "Close each character class with ']', e.g. 'myapp:dev:DB_[A-Z]*' (see docs/filters.md).";
const FIX_RANGE = "Write ranges low to high, e.g. '[a-z]' (see docs/filters.md).";

/** Longest filter text (in code points) quoted in an error message. */
const QUOTE_MAX = 80;

/** Regex metacharacters escaped outside a character class (all are valid escapes with `u`). */
const REGEX_META = /[\\^$.*+?()[\]{}|/]/;
/** Characters that make an alternative a glob. */
const GLOB_CHARS = /[*?[]/;
const WHITESPACE = /\s/u;

const ANY: FieldPattern = Object.freeze({ any: true, literals: undefined, test: (_value: string): boolean => true });

/**
 * Parse and compile a filter string.
 *
 * Leading and trailing whitespace is ignored; the empty filter means `*:*:*`.
 *
 * @param input - A filter such as `myapp:dev:DB_*`, `::FOO,BAR`, `dev:` or `KEY`.
 * @returns The compiled filter; it holds no global state and may be reused freely.
 * @throws {@link SeeqretError} with code `E_FILTER_SYNTAX` (and a one-line message quoting the
 *   filter) when the filter has more than three parts, contains whitespace, has an empty
 *   alternative (`A,,B`, `A,`), an unclosed `[`, or a reversed range such as `[z-a]`.
 */
export function parseFilter(input: string): Filter {
  const given: unknown = input; // JavaScript callers can pass anything
  if (typeof given !== 'string') {
    throw new SeeqretError('E_FILTER_SYNTAX', `bad filter: expected a string, got ${given === null ? 'null' : typeof given}`, FIX);
  }
  const text = input.trim();
  if (WHITESPACE.test(text)) fail(text, 'whitespace is not allowed (names cannot contain whitespace)');
  const parts = text.split(':');
  if (parts.length > 3) fail(text, 'at most 3 parts (app:env:key)');
  const [a, e, k] = parts.length === 3 ? parts : parts.length === 2 ? [parts[0], parts[1], ''] : ['', '', parts[0]];
  const app = parseField(a ?? '', 'app', text);
  const env = parseField(e ?? '', 'env', text);
  const key = parseField(k ?? '', 'key', text);
  const show = (p: FieldPattern, part: string | undefined): string => (p.any ? '*' : (part ?? '*'));
  return Object.freeze({ app, env, key, text: `${show(app, a)}:${show(env, e)}:${show(key, k)}` });
}

/**
 * Whether the secret `(app, env, key)` matches `filter` in all three fields.
 *
 * @param filter - A filter from {@link parseFilter}.
 * @param app - The secret's app name (`*` for the global app).
 * @param env - The secret's environment name (`*` for the global environment).
 * @param key - The secret's key name.
 * @returns True when every field of `filter` matches the corresponding name.
 */
export function matchesFilter(filter: Filter, app: string, env: string, key: string): boolean {
  return filter.key.test(key) && filter.env.test(env) && filter.app.test(app);
}

/**
 * Whether the secret `(app, env, key)` matches at least one of `filters` (their union).
 *
 * @param filters - Filters from {@link parseFilter}; an empty list matches nothing.
 * @param app - The secret's app name (`*` for the global app).
 * @param env - The secret's environment name (`*` for the global environment).
 * @param key - The secret's key name.
 * @returns True when some filter matches.
 */
export function matchesAny(filters: readonly Filter[], app: string, env: string, key: string): boolean {
  for (const f of filters) if (matchesFilter(f, app, env, key)) return true;
  return false;
}

/** Throw the `E_FILTER_SYNTAX` error for `filter` saying `what` is wrong. */
function fail(filter: string, what: string, fix: string = FIX): never {
  throw new SeeqretError('E_FILTER_SYNTAX', `bad filter ${quote(filter)}: ${what}`, fix);
}

/** `s` in single quotes, on one line (control and line-separator characters escaped), shortened if long. */
function quote(s: string): string {
  const cps = Array.from(s);
  const shown = cps.length > QUOTE_MAX ? `${cps.slice(0, QUOTE_MAX).join('')}…` : s;
  const escaped = shown.replace(/[\p{Cc}\p{Zl}\p{Zp}]/gu, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return `\\u{${(c.codePointAt(0) ?? 0).toString(16)}}`;
  });
  return `'${escaped}'`;
}

/** Index of the `]` closing the class opened at `s[open]`, or -1 when unclosed. */
function classEnd(s: string, open: number): number {
  let i = open + 1;
  if (s[i] === '!' || s[i] === '^') i++;
  if (s[i] === ']') i++;
  return s.indexOf(']', i);
}

/** Split one part on commas outside `[...]`, rejecting unclosed classes and empty alternatives. */
function splitAlternatives(part: string, field: FieldName, filter: string): string[] {
  const alts: string[] = [];
  let start = 0;
  for (let i = 0; i < part.length; i++) {
    const c = part[i];
    if (c === '[') {
      const end = classEnd(part, i);
      if (end < 0) fail(filter, `unclosed '[' in the ${field} field ${quote(part)}`, FIX_CLASS);
      i = end;
    } else if (c === ',') {
      alts.push(part.slice(start, i));
      start = i + 1;
    }
  }
  alts.push(part.slice(start));
  if (alts.includes('')) fail(filter, `empty alternative in the ${field} field ${quote(part)}`, FIX_ALTERNATIVE);
  return alts;
}

/** Compile one part (already split from the filter) into a field pattern. */
function parseField(part: string, field: FieldName, filter: string): FieldPattern {
  if (part === '' || part === '*') return ANY;
  const alts = splitAlternatives(part, field, filter);
  const inList = alts.length > 1;
  const literals: string[] = [];
  const globs: string[] = [];
  for (const alt of alts) {
    if ((inList && alt === '*') || !GLOB_CHARS.test(alt)) {
      if (!literals.includes(alt)) literals.push(alt);
    } else {
      globs.push(globSource(alt, field, filter));
    }
  }
  if (globs.length === 0) {
    Object.freeze(literals);
    const only = literals[0];
    if (literals.length === 1 && only !== undefined) {
      return Object.freeze({ any: false, literals, test: (value: string): boolean => value === only });
    }
    const set = new Set(literals);
    return Object.freeze({ any: false, literals, test: (value: string): boolean => set.has(value) });
  }
  const re = new RegExp(`^(?:${globs.join('|')})$`, 'su');
  if (literals.length === 0) {
    return Object.freeze({ any: false, literals: undefined, test: (value: string): boolean => re.test(value) });
  }
  const set = new Set(literals);
  return Object.freeze({ any: false, literals: undefined, test: (value: string): boolean => set.has(value) || re.test(value) });
}

/** Regular-expression source (unanchored, for the `su` flags) of one glob alternative. */
function globSource(glob: string, field: FieldName, filter: string): string {
  let out = '';
  let i = 0;
  while (i < glob.length) {
    const c = glob[i] as string;
    if (c === '*') {
      while (glob[i] === '*') i++; // `**` is `*`; collapsing avoids needless backtracking
      out += '.*';
    } else if (c === '?') {
      out += '.';
      i++;
    } else if (c === '[') {
      const end = classEnd(glob, i); // >= 0: splitAlternatives rejected unclosed classes
      out += classSource(glob.slice(i + 1, end), field, filter);
      i = end + 1;
    } else {
      out += REGEX_META.test(c) ? `\\${c}` : c;
      i++;
    }
  }
  return out;
}

/** Regular-expression class for the body of `[...]` (between the brackets, never empty). */
function classSource(body: string, field: FieldName, filter: string): string {
  let negate = false;
  let rest = body;
  if (rest.startsWith('!') || rest.startsWith('^')) {
    negate = true;
    rest = rest.slice(1);
  }
  const cps = Array.from(rest, (ch) => ch.codePointAt(0) ?? 0);
  const u = (cp: number): string => `\\u{${cp.toString(16)}}`;
  let out = '';
  for (let j = 0; j < cps.length; j++) {
    const lo = cps[j] ?? 0;
    const hi = cps[j + 2];
    if (cps[j + 1] === 0x2d && hi !== undefined) {
      if (hi < lo) {
        const range = `${String.fromCodePoint(lo)}-${String.fromCodePoint(hi)}`;
        fail(filter, `reversed range ${quote(range)} in the ${field} field`, FIX_RANGE);
      }
      out += `${u(lo)}-${u(hi)}`;
      j += 2;
    } else {
      out += u(lo);
    }
  }
  return `[${negate ? '^' : ''}${out}]`;
}
