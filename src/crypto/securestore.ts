/**
 * The primitives of SecureStore v3 vaults (https://neosmart.net/SecureStore/), with Node's crypto
 * (OpenSSL): PBKDF2-HMAC-SHA1 key derivation, and per-entry AES-128-CBC (PKCS#7) encryption with
 * an HMAC-SHA1 over `IV ‖ ciphertext` (encrypt-then-MAC).
 *
 * The 32-byte master key splits into an AES-128 key (first 16 bytes) and an HMAC-SHA1 key (last
 * 16). The HMAC is checked in constant time before anything is decrypted. This module never uses
 * libsodium, so the `seeqret/securestore` library loads no native addon.
 *
 * SHA-1 and CBC are what the format prescribes; they are used only to interoperate with it
 * (HMAC-SHA1 and PBKDF2-HMAC-SHA1 do not depend on SHA-1's collision resistance).
 *
 * @module
 */
import { createCipheriv, createDecipheriv, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { SeeqretError } from '../errors.js';

/** Length of the master key (AES-128 key ‖ HMAC-SHA1 key). */
export const SS_KEY_BYTES = 32;
/** Length of an entry IV and of the vault's PBKDF2 salt. */
export const SS_IV_BYTES = 16;
/** Length of an HMAC-SHA1. */
export const SS_HMAC_BYTES = 20;
/** AES block size: every payload is a positive multiple of it. */
export const SS_BLOCK_BYTES = 16;
/** PBKDF2 iterations of format version 3. */
export const SS_PBKDF2_ROUNDS = 256_000;

/** One encrypted value as stored in the vault. */
export interface SsEncrypted {
  /** The AES-CBC initialisation vector (16 bytes). */
  readonly iv: Buffer;
  /** HMAC-SHA256 of iv and payload (32 bytes). */
  readonly hmac: Buffer;
  /** The AES-256-CBC ciphertext. */
  readonly payload: Buffer;
}

/** Why {@link ssDecrypt} refused an entry. */
export type SsDecryptFailure = 'hmac' | 'padding';

/** Cryptographically secure random bytes (OpenSSL's CSPRNG). */
export function ssRandomBytes(n: number): Buffer {
  return randomBytes(n);
}

/**
 * PBKDF2-HMAC-SHA1 of the UTF-8 password with the vault's 16-byte salt: the master key of a
 * password-protected vault (`length` and `rounds` exist for the published test vector).
 */
export function ssDeriveKey(password: Uint8Array, salt: Uint8Array, rounds: number = SS_PBKDF2_ROUNDS, length: number = SS_KEY_BYTES): Buffer {
  return pbkdf2Sync(password, salt, rounds, length, 'sha1');
}

function checkKey(key: Uint8Array): void {
  if (key.length !== SS_KEY_BYTES) throw new SeeqretError('E_SS_KEY_FILE', `a SecureStore key is ${SS_KEY_BYTES} bytes, not ${key.length}`, 'Use the key file exported for this vault.');
}

function mac(key: Uint8Array, iv: Uint8Array, payload: Uint8Array): Buffer {
  return createHmac('sha1', key.subarray(16, 32)).update(iv).update(payload).digest();
}

/**
 * Encrypt `plaintext` with a fresh random IV (or `iv`, only to reproduce test vectors: never
 * reuse an IV with the same key).
 */
export function ssEncrypt(key: Uint8Array, plaintext: Uint8Array, iv?: Uint8Array): SsEncrypted {
  checkKey(key);
  const nonce = iv ? Buffer.from(iv) : randomBytes(SS_IV_BYTES);
  if (nonce.length !== SS_IV_BYTES) throw new SeeqretError('E_USAGE', `a SecureStore IV is ${SS_IV_BYTES} bytes`, 'Pass a 16-byte IV or none.');
  const cipher = createCipheriv('aes-128-cbc', key.subarray(0, 16), nonce);
  const payload = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv: nonce, hmac: mac(key, nonce, payload), payload };
}

/**
 * Check an entry's HMAC in constant time, then decrypt it. Returns the plaintext, or why it was
 * refused: `hmac` (modified, or another key) or `padding` (only possible with a valid HMAC if the
 * writer was faulty). Nothing is decrypted when the HMAC does not match.
 */
export function ssDecrypt(key: Uint8Array, entry: SsEncrypted): Buffer | SsDecryptFailure {
  checkKey(key);
  const expected = mac(key, entry.iv, entry.payload);
  if (entry.hmac.length !== expected.length || !timingSafeEqual(expected, entry.hmac)) return 'hmac';
  if (entry.iv.length !== SS_IV_BYTES || entry.payload.length === 0 || entry.payload.length % SS_BLOCK_BYTES !== 0) return 'padding';
  const decipher = createDecipheriv('aes-128-cbc', key.subarray(0, 16), entry.iv);
  try {
    return Buffer.concat([decipher.update(entry.payload), decipher.final()]);
  } catch {
    return 'padding';
  }
}
