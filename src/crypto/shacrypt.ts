/**
 * SHA-512 crypt (`$6$`), as specified by Ulrich Drepper, "Unix crypt using SHA-256 and SHA-512"
 * (https://www.akkadia.org/drepper/SHA-crypt.txt) and implemented by glibc `crypt(3)`, OpenSSL
 * `passwd -6` and Python's `crypt`: the format of `/etc/shadow` and psec's `crypt_6` type.
 *
 * No audited library primitive offers it (Node's `crypto` has no `crypt(3)`; libsodium has none),
 * so the published algorithm is written out here on top of Node's SHA-512 and nothing else: this
 * module only decides which bytes go into which SHA-512 digest, in the order the specification
 * gives. It is checked against the specification's test vectors and against `openssl passwd -6`
 * (test/shacrypt.test.ts); see docs/architecture.md, "SHA-512 crypt".
 *
 * SHA-512 crypt is a password *hash* for systems that expect it, not a key-derivation function to
 * choose for new designs (Argon2id, used for the vault passphrase, is that).
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { SeeqretError } from '../errors.js';
import { constantTimeEqual, randomBytes } from './index.js';

/** The crypt base-64 alphabet (not RFC 4648's). */
const ALPHABET = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** Rounds used when none are given (not written in the output). */
export const SHA_CRYPT_DEFAULT_ROUNDS = 5000;
/** The specification clamps a requested number of rounds to this range. */
export const SHA_CRYPT_MIN_ROUNDS = 1000;
export const SHA_CRYPT_MAX_ROUNDS = 999_999_999;
/** Longest salt used; longer salts are cut to this many bytes. */
export const SHA_CRYPT_MAX_SALT = 16;

function sha512(...parts: Buffer[]): Buffer {
  const h = createHash('sha512');
  for (const p of parts) h.update(p);
  return h.digest();
}

/** `length` bytes made of `block` repeated (the spec's P and S sequences). */
function repeatTo(block: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let off = 0; off < length; off += block.length) block.copy(out, off, 0, Math.min(block.length, length - off));
  return out;
}

/** The output order of the 64 digest bytes, three at a time (specification step 22). */
const ORDER: readonly (readonly [number, number, number])[] = Array.from({ length: 21 }, (_, i) => {
  const a = i;
  const b = i + 21;
  const c = i + 42;
  return i % 3 === 0 ? ([a, b, c] as const) : i % 3 === 1 ? ([b, c, a] as const) : ([c, a, b] as const);
});

function encode(digest: Buffer): string {
  let out = '';
  const put = (w: number, n: number): void => {
    for (let k = 0; k < n; k++) {
      out += ALPHABET.charAt(w & 0x3f);
      w >>>= 6;
    }
  };
  for (const [x, y, z] of ORDER) put((digest.readUInt8(x) << 16) | (digest.readUInt8(y) << 8) | digest.readUInt8(z), 4);
  put(digest.readUInt8(63), 2);
  return out;
}

/** What a `$6$` setting string (`$6$[rounds=N$]salt[$...]`) asks for. */
export interface ShaCryptSetting {
  /** The salt bytes actually used (at most 16, up to the first `$`). */
  readonly salt: string;
  /** The rounds used (clamped), or `undefined` for the default (5000, not written). */
  readonly rounds: number | undefined;
}

/**
 * Parse a setting or a complete hash: `$6$salt`, `$6$rounds=N$salt`, optionally followed by
 * `$hash`. Follows the specification: the salt ends at the first `$` and is cut to 16 characters;
 * `rounds=N` with N a decimal number is clamped to 1000..999,999,999.
 *
 * @throws SeeqretError `E_BAD_VALUE` when the text does not start with `$6$` or `rounds=` is not a number.
 */
export function parseShaCryptSetting(setting: string): ShaCryptSetting {
  if (!setting.startsWith('$6$')) throw new SeeqretError('E_BAD_VALUE', 'not a SHA-512 crypt string (it must start with $6$)', 'Use a "$6$salt$hash" string.');
  let rest = setting.slice(3);
  let rounds: number | undefined;
  const m = /^rounds=([0-9]{1,10})\$/.exec(rest);
  if (m) {
    rounds = Math.min(SHA_CRYPT_MAX_ROUNDS, Math.max(SHA_CRYPT_MIN_ROUNDS, Number(m[1])));
    rest = rest.slice(m[0].length);
  } else if (rest.startsWith('rounds=')) {
    throw new SeeqretError('E_BAD_VALUE', 'the rounds= of a SHA-512 crypt string is not a number', 'Write it as $6$rounds=N$salt.');
  }
  const end = rest.indexOf('$');
  const salt = (end < 0 ? rest : rest.slice(0, end)).slice(0, SHA_CRYPT_MAX_SALT);
  return { salt, rounds };
}

/**
 * SHA-512 crypt of `password` with `salt` and `rounds`, exactly as the specification.
 *
 * @param password - UTF-8 encoded before hashing.
 * @param salt - At most 16 characters are used; it may not contain `$`, `:`, newlines or NUL
 *   (they would break the output string or `/etc/shadow`).
 * @param rounds - Clamped to 1000..999,999,999 and written as `rounds=N$`; leave it out for the
 *   default 5000, which is not written.
 * @returns `$6$[rounds=N$]salt$hash` (86 characters of hash).
 * @throws SeeqretError `E_BAD_VALUE` for a salt with a forbidden character, `E_USAGE` for rounds
 *   that are not an integer.
 */
export function sha512Crypt(password: string, salt: string, rounds?: number): string {
  if (/[$:\n\r\0]/.test(salt)) throw new SeeqretError('E_BAD_VALUE', 'a SHA-512 crypt salt may not contain "$", ":", newlines or NUL', 'Use letters, digits, "." and "/".');
  if (rounds !== undefined && !Number.isSafeInteger(rounds)) throw new SeeqretError('E_USAGE', 'SHA-512 crypt rounds must be an integer', `Pass rounds from ${SHA_CRYPT_MIN_ROUNDS} to ${SHA_CRYPT_MAX_ROUNDS}.`);
  const r = rounds === undefined ? SHA_CRYPT_DEFAULT_ROUNDS : Math.min(SHA_CRYPT_MAX_ROUNDS, Math.max(SHA_CRYPT_MIN_ROUNDS, rounds));
  const p = Buffer.from(password, 'utf8');
  const s = Buffer.from(salt, 'utf8').subarray(0, SHA_CRYPT_MAX_SALT);
  // Steps 4-8: digest B = SHA512(P S P).
  const b = sha512(p, s, p);
  // Steps 1-3, 9-12: digest A = SHA512(P S, B repeated over |P| bytes, then B or P for each bit of |P|).
  const a = createHash('sha512');
  a.update(p);
  a.update(s);
  a.update(repeatTo(b, p.length));
  for (let n = p.length; n > 0; n >>>= 1) a.update(n & 1 ? b : p);
  let c = a.digest();
  // Steps 13-16: the P sequence, |P| bytes of SHA512(P repeated |P| times).
  const dp = createHash('sha512');
  for (let i = 0; i < p.length; i++) dp.update(p);
  const pSeq = repeatTo(dp.digest(), p.length);
  // Steps 17-20: the S sequence, |S| bytes of SHA512(S repeated 16 + A[0] times).
  const ds = createHash('sha512');
  for (let i = 0; i < 16 + c.readUInt8(0); i++) ds.update(s);
  const sSeq = repeatTo(ds.digest(), s.length);
  // Step 21: the rounds.
  for (let i = 0; i < r; i++) {
    const h = createHash('sha512');
    h.update(i & 1 ? pSeq : c);
    if (i % 3 !== 0) h.update(sSeq);
    if (i % 7 !== 0) h.update(pSeq);
    h.update(i & 1 ? c : pSeq);
    c = h.digest();
  }
  p.fill(0);
  pSeq.fill(0);
  const prefix = rounds === undefined ? '$6$' : `$6$rounds=${r}$`;
  return `${prefix}${s.toString('utf8')}$${encode(c)}`;
}

/**
 * A random 16-character salt from the crypt alphabet (96 bits), drawn without bias: each byte's
 * low six bits index the 64-character alphabet.
 */
export function randomShaCryptSalt(): string {
  const bytes = randomBytes(SHA_CRYPT_MAX_SALT);
  let s = '';
  for (const x of bytes) s += ALPHABET.charAt(x & 0x3f);
  return s;
}

/** True when `password` hashes to `hash` (a complete `$6$...$...` string), compared in constant time. */
export function verifyShaCrypt(password: string, hash: string): boolean {
  const { salt, rounds } = parseShaCryptSetting(hash);
  const explicit = /^\$6\$rounds=/.test(hash);
  const again = Buffer.from(sha512Crypt(password, salt, explicit ? rounds : undefined), 'utf8');
  const given = Buffer.from(hash, 'utf8');
  if (again.length !== given.length) return false;
  return constantTimeEqual(again, given);
}
