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
import { randomBytes } from '../crypto/index.js';
import { randomChoice, randomInt, randomUUID, sha256Base64 } from '../crypto/random.js';
import { SHA_CRYPT_MAX_ROUNDS, SHA_CRYPT_MIN_ROUNDS, randomShaCryptSalt, sha512Crypt } from '../crypto/shacrypt.js';
import { type PasswordOptions, generatePassword, passwordEntropyBits, usage } from './password.js';

/** Bytes of a `random_base64` value by default (psec's size). */
const RANDOM_BASE64_BYTES = 18;

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

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
/** Python's `string.punctuation`. */
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
const RANDOM_ALPHABET: readonly string[] = (LOWER + UPPER + DIGITS + PUNCTUATION).split(''); // ASCII: one unit a character
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
  return RANDOM_CLASSES.every((cls) => cls.split('').some((ch) => s.includes(ch))); // the classes are ASCII
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
