/**
 * NaCl `crypto_box` (X25519 + XSalsa20-Poly1305) exactly as the old seeqret tool (PyNaCl
 * `Box.encrypt`) uses it for transfers, plus the unkeyed SHA-256 its wire formats rely on.
 *
 * Wire form of one boxed value: standard base64 of `nonce(24) ‖ crypto_box_easy output`
 * (the output being `poly1305 tag(16) ‖ ciphertext`). The nonce is random for every value.
 *
 * @module
 */
import { sodium } from './sodium.js';
import { SeeqretError } from '../errors.js';

const NONCE_BYTES = sodium.crypto_box_NONCEBYTES; // 24
const MAC_BYTES = sodium.crypto_box_MACBYTES; // 16
const PK_BYTES = sodium.crypto_box_PUBLICKEYBYTES; // 32
const SK_BYTES = sodium.crypto_box_SECRETKEYBYTES; // 32
const STD_B64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function checkKeys(secretKey: Buffer, publicKey: Buffer): void {
  if (secretKey.length !== SK_BYTES) {
    throw new SeeqretError('E_BAD_KEY', 'the X25519 secret key is not 32 bytes', 'Check the private key file.');
  }
  if (publicKey.length !== PK_BYTES) {
    throw new SeeqretError('E_BAD_KEY', 'the X25519 public key is not 32 bytes', 'Check the public key (44 characters of standard base64).');
  }
}

/**
 * Encrypt `plaintext` from the sender to the recipient with NaCl `crypto_box_easy` and a fresh
 * random 24-byte nonce.
 *
 * @returns standard base64 of `nonce(24) ‖ tag(16) ‖ ciphertext` (the old tool's layout).
 * @throws SeeqretError `E_BAD_KEY` when a key has the wrong length or the public key is unusable
 *   (a low-order point).
 */
export function boxEncrypt(plaintext: Buffer, senderSecretKey: Buffer, recipientPublicKey: Buffer): string {
  checkKeys(senderSecretKey, recipientPublicKey);
  const out = Buffer.alloc(NONCE_BYTES + MAC_BYTES + plaintext.length);
  const nonce = out.subarray(0, NONCE_BYTES);
  sodium.randombytes_buf(nonce);
  try {
    sodium.crypto_box_easy(out.subarray(NONCE_BYTES), plaintext, nonce, recipientPublicKey, senderSecretKey);
  } catch (e) {
    throw new SeeqretError('E_BAD_KEY', 'the recipient public key is not a usable X25519 key', 'Ask the recipient for their public key again.', { cause: e });
  }
  return out.toString('base64');
}

/**
 * Open a value made by {@link boxEncrypt} (or by the old tool), using the recipient's secret key
 * and the sender's public key.
 *
 * @returns the plaintext, or `null` when the text is not strict standard base64, is too short,
 *   was modified, or was not sent by this sender to this recipient.
 * @throws SeeqretError `E_BAD_KEY` when a key has the wrong length.
 */
export function boxDecrypt(b64: string, recipientSecretKey: Buffer, senderPublicKey: Buffer): Buffer | null {
  checkKeys(recipientSecretKey, senderPublicKey);
  if (b64.length % 4 !== 0 || !STD_B64_RE.test(b64)) return null;
  const blob = Buffer.from(b64, 'base64');
  if (blob.length < NONCE_BYTES + MAC_BYTES) return null;
  const out = Buffer.alloc(blob.length - NONCE_BYTES - MAC_BYTES);
  let ok: boolean;
  try {
    ok = sodium.crypto_box_open_easy(out, blob.subarray(NONCE_BYTES), blob.subarray(0, NONCE_BYTES), senderPublicKey, recipientSecretKey);
  } catch {
    ok = false;
  }
  if (!ok) {
    out.fill(0);
    return null;
  }
  return out;
}

/**
 * Lower-case hex SHA-256 (libsodium `crypto_hash_sha256`) of `data`; strings are hashed as UTF-8.
 * Used for the old tool's unkeyed `signature` and `fp5` checks — not a MAC. Not Node's `crypto`:
 * loading that module costs every `push` and `sync` process (which carry this module) ~8 ms.
 */
export function sha256Hex(data: string | Buffer): string {
  const out = Buffer.alloc(sodium.crypto_hash_sha256_BYTES);
  sodium.crypto_hash_sha256(out, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  return out.toString('hex');
}
