/**
 * Fernet tokens (https://github.com/fernet/spec), as the old seeqret tool stores values in its
 * SQLite database, implemented with Node's crypto (AES-128-CBC, HMAC-SHA256).
 *
 * Token: urlsafe base64 of
 * `0x80 ‖ u64be timestamp ‖ IV(16) ‖ AES-128-CBC(PKCS7) ciphertext ‖ HMAC-SHA256(everything before)`.
 * Key: urlsafe base64 of 32 bytes — the first 16 sign, the last 16 encrypt. The HMAC is verified in constant time before anything is decrypted. No TTL check:
 * the old tool never expires values.
 *
 * @module
 */
import { createCipheriv, createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import { randomBytes } from './index.js';
import { SeeqretError } from '../errors.js';

const VERSION = 0x80;
const HEADER_BYTES = 1 + 8 + 16;
const MAC_BYTES = 32;
const BLOCK = 16;
const KEY_RE = /^[A-Za-z0-9_-]{43}=?$/;
const TOKEN_RE = /^[A-Za-z0-9_-]*={0,2}$/;

/** Split a Fernet key into its signing and encryption halves; throws `E_BAD_KEY` when malformed. */
function decodeKey(fernetKeyUrlB64: string): { signing: Buffer; encryption: Buffer } {
  const t = fernetKeyUrlB64.trim();
  const raw = KEY_RE.test(t) ? Buffer.from(t, 'base64url') : null;
  if (!raw || raw.length !== 32) {
    throw new SeeqretError('E_BAD_KEY', 'the Fernet key is not urlsafe base64 of 32 bytes', 'Check the seeqret.key file of the old vault.');
  }
  return { signing: raw.subarray(0, 16), encryption: raw.subarray(16, 32) };
}

/** True when `fernetKeyUrlB64` is a well-formed Fernet key (urlsafe base64 of 32 bytes). */
export function isFernetKey(fernetKeyUrlB64: string): boolean {
  try {
    const { signing, encryption } = decodeKey(fernetKeyUrlB64);
    signing.fill(0);
    encryption.fill(0);
    return true;
  } catch {
    return false;
  }
}

/** Strict urlsafe-base64 decode (padding optional); `null` when `text` is not exactly that. */
function decodeToken(text: string): Buffer | null {
  if (!TOKEN_RE.test(text)) return null;
  const unpadded = text.replace(/=+$/, '');
  if (unpadded.length % 4 === 1) return null;
  if (text.length !== unpadded.length && text.length % 4 !== 0) return null;
  const b = Buffer.from(unpadded, 'base64url');
  return b.toString('base64url') === unpadded ? b : null;
}

/**
 * Verify and decrypt a Fernet token.
 *
 * @param token - urlsafe base64 token (padded as Python writes it, or unpadded).
 * @param fernetKeyUrlB64 - the 32-byte Fernet key in urlsafe base64 (the old `seeqret.key`).
 * @returns the plaintext, or `null` when the token is malformed, has another version byte, was
 *   modified, or was made with another key.
 * @throws SeeqretError `E_BAD_KEY` when the key itself is malformed.
 */
export function fernetDecrypt(token: string, fernetKeyUrlB64: string): Buffer | null {
  const { signing, encryption } = decodeKey(fernetKeyUrlB64);
  try {
    const data = decodeToken(token.trim());
    if (!data || data.length < HEADER_BYTES + BLOCK + MAC_BYTES || data[0] !== VERSION) return null;
    const ctLen = data.length - HEADER_BYTES - MAC_BYTES;
    if (ctLen % BLOCK !== 0) return null;
    const signed = data.subarray(0, data.length - MAC_BYTES);
    const expected = createHmac('sha256', signing).update(signed).digest();
    if (!timingSafeEqual(expected, data.subarray(data.length - MAC_BYTES))) return null;
    const decipher = createDecipheriv('aes-128-cbc', encryption, data.subarray(9, HEADER_BYTES));
    try {
      return Buffer.concat([decipher.update(data.subarray(HEADER_BYTES, data.length - MAC_BYTES)), decipher.final()]);
    } catch {
      return null; // bad padding (only possible with a valid HMAC if the key's halves were swapped)
    }
  } finally {
    signing.fill(0);
    encryption.fill(0);
  }
}

/** Options of {@link fernetEncrypt}; both exist for reproducible tests. */
export interface FernetEncryptOptions {
  /** The 16-byte IV; random by default. Never reuse one with the same key outside tests. */
  iv?: Buffer;
  /** Timestamp in unix seconds; now by default. */
  time?: number;
}

/**
 * Make a Fernet token of `plaintext` under `fernetKeyUrlB64`, in the layout Python's
 * `cryptography.fernet.Fernet.encrypt` produces (padded urlsafe base64).
 *
 * @throws SeeqretError `E_BAD_KEY` when the key, IV or timestamp is malformed.
 */
export function fernetEncrypt(plaintext: Buffer, fernetKeyUrlB64: string, options: FernetEncryptOptions = {}): string {
  const { signing, encryption } = decodeKey(fernetKeyUrlB64);
  try {
    const iv = options.iv ?? randomBytes(16);
    if (iv.length !== 16) throw new SeeqretError('E_BAD_KEY', 'the Fernet IV is not 16 bytes', 'Pass a 16-byte IV or none.');
    const time = options.time ?? Math.floor(Date.now() / 1000);
    if (!Number.isSafeInteger(time) || time < 0) {
      throw new SeeqretError('E_BAD_KEY', 'the Fernet timestamp is not a non-negative integer', 'Pass unix seconds.');
    }
    const header = Buffer.alloc(HEADER_BYTES);
    header[0] = VERSION;
    header.writeBigUInt64BE(BigInt(time), 1);
    iv.copy(header, 9);
    const cipher = createCipheriv('aes-128-cbc', encryption, iv);
    const body = Buffer.concat([header, cipher.update(plaintext), cipher.final()]);
    const mac = createHmac('sha256', signing).update(body).digest();
    return Buffer.concat([body, mac]).toString('base64url').padEnd(Math.ceil((body.length + MAC_BYTES) / 3) * 4, '=');
  } finally {
    signing.fill(0);
    encryption.fill(0);
  }
}
