/**
 * The one module that calls cryptographic primitives.
 *
 * Everything here delegates to audited implementations: libsodium (through `sodium-native`) for
 * X25519 key pairs, XChaCha20-Poly1305 AEAD, Argon2id and randomness. The age text encodings
 * (bech32, via `@scure/base`) live in `./age.ts`, apart, so the hot `get` path never loads them.
 * No module outside `src/crypto/` may import `sodium-native` or `node:crypto` for cryptography.
 *
 * Why XChaCha20-Poly1305 for stored values: a 24-byte random nonce never needs a counter (no
 * nonce-reuse risk across processes writing the same vault), and libsodium's implementation
 * decrypts a short value in under a microsecond — about five times faster than Node's
 * AES-256-GCM through `createDecipheriv`, which matters for the library `get` fast path
 * (see docs/benchmarks.md).
 *
 * @module
 */
import { sodium } from './sodium.js';
import { SeeqretError } from '../errors.js';

export { MemorySealed, MemorySealer, type SealedMaker } from './memory-seal.js';

/** Length in bytes of symmetric keys, X25519 public keys and X25519 secret keys. */
export const KEY_BYTES = 32;
const NONCE_BYTES = sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES; // 24
const TAG_BYTES = sodium.crypto_aead_xchacha20poly1305_ietf_ABYTES; // 16
/** First byte of every sealed blob: the layout version, so the format can evolve. */
const SEAL_VERSION = 1;

/** Cryptographically secure random bytes from libsodium. */
export function randomBytes(n: number): Buffer {
  const b = Buffer.alloc(n);
  sodium.randombytes_buf(b);
  return b;
}

/** Overwrite a buffer holding key material or plaintext with zeros. */
export function wipe(buf: Buffer | undefined | null): void {
  if (buf && buf.length > 0) sodium.sodium_memzero(buf);
}

/**
 * Check that `key` is a usable X25519 public key: libsodium refuses low-order points, for which
 * every shared secret would be predictable.
 */
export function isUsablePublicKey(key: Buffer): boolean {
  if (key.length !== KEY_BYTES) return false;
  const probe = Buffer.alloc(KEY_BYTES);
  const scalar = randomBytes(KEY_BYTES);
  try {
    sodium.crypto_scalarmult(probe, scalar, key);
    return true;
  } catch {
    return false;
  } finally {
    wipe(scalar);
  }
}

/** BLAKE2b-256 (libsodium `crypto_generichash`) of the concatenation of `parts`. */
export function hash256(...parts: Uint8Array[]): Buffer {
  const out = Buffer.alloc(32);
  // The parts hashed one after another: the same hash as of their concatenation, without a copy
  // (nor `Buffer.concat`, which a `get` would compile for this one call; decision 75).
  if (parts.length === 1) sodium.crypto_generichash(out, parts[0] as Buffer);
  else sodium.crypto_generichash_batch(out, parts as Buffer[]);
  return out;
}

/**
 * A fingerprint of a public key for reading aloud: BLAKE2b-256 of a label and the key; each of the
 * first six 5-byte chunks is written as 5 decimal digits (the chunk mod 100,000), giving
 * 6 × log2(100,000) ≈ 99.7 bits in groups like `04217 88310 57102 99821 00345 61277`.
 */
export function fingerprint(publicKey: Buffer): string {
  const h = hash256(Buffer.from('seeqret/fingerprint/v1', 'utf8'), publicKey);
  const groups: string[] = [];
  for (let i = 0; i < 6; i++) {
    const n = h.readUIntBE(i * 5, 5) % 100_000;
    groups.push(String(n).padStart(5, '0'));
  }
  return groups.join(' ');
}

/** Keyed BLAKE2b-256 (libsodium `crypto_generichash` with a 32-byte key) of the concatenation of `parts`. */
export function mac256(key: Buffer, ...parts: Uint8Array[]): Buffer {
  const out = Buffer.alloc(32);
  // One part is hashed where it is (a row MAC's scratch buffer), several without copying them together.
  if (parts.length === 1) sodium.crypto_generichash(out, parts[0] as Buffer, key);
  else sodium.crypto_generichash_batch(out, parts as Buffer[], key);
  return out;
}

/**
 * A 32-byte sub-key of `master` for one purpose: keyed BLAKE2b-256 of the purpose label, keyed with
 * the master key. Different labels give independent keys (domain separation), e.g. the vault's
 * row-integrity key and its audit key, both derived from the data key.
 */
export function deriveSubkey(master: Buffer, label: string): Buffer {
  return mac256(master, Buffer.from(`seeqret/subkey/v1\0${label}`, 'utf8'));
}

/** Constant-time comparison of two equal-length buffers (false when lengths differ). */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && sodium.sodium_memcmp(a as Buffer, b as Buffer); // libsodium reads any typed array's bytes
}

// ---------------------------------------------------------------------------------------------
// Identity keys (X25519)

/** An X25519 key pair. `secretKey` is the raw 32-byte scalar, as the old seeqret tool stores it. */
export interface IdentityKeyPair {
  readonly publicKey: Buffer;
  readonly secretKey: Buffer;
}

/**
 * Generate a fresh X25519 key pair (libsodium `crypto_box_keypair`), or derive the pair of a given
 * 32-byte secret key (test vectors).
 */
export function generateIdentity(fromSecretKey?: Buffer): IdentityKeyPair {
  if (fromSecretKey) return { publicKey: publicKeyOf(fromSecretKey), secretKey: Buffer.from(fromSecretKey) };
  const publicKey = Buffer.alloc(sodium.crypto_box_PUBLICKEYBYTES);
  const secretKey = Buffer.alloc(sodium.crypto_box_SECRETKEYBYTES);
  sodium.crypto_box_keypair(publicKey, secretKey);
  return { publicKey, secretKey };
}

/** Compute the X25519 public key belonging to a 32-byte secret key. */
export function publicKeyOf(secretKey: Buffer): Buffer {
  if (secretKey.length !== KEY_BYTES) {
    throw new SeeqretError('E_KEY_INVALID', 'the secret key is not 32 bytes', 'Restore the key file from a backup.');
  }
  const pk = Buffer.alloc(KEY_BYTES);
  sodium.crypto_scalarmult_base(pk, secretKey);
  return pk;
}

/** A fresh random 32-byte symmetric key (the vault data key). */
export function generateDataKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

// ---------------------------------------------------------------------------------------------
// AEAD sealing (XChaCha20-Poly1305-IETF)

/**
 * Encrypt and authenticate `plaintext` under `key`, binding `ad` (associated data: authenticated,
 * not encrypted). Layout: `0x01 ‖ nonce(24) ‖ ciphertext ‖ tag(16)`.
 */
export function seal(key: Buffer, plaintext: Buffer, ad: Buffer, fixedNonce?: Buffer): Buffer {
  const out = Buffer.alloc(1 + NONCE_BYTES + plaintext.length + TAG_BYTES);
  out[0] = SEAL_VERSION;
  const nonce = out.subarray(1, 1 + NONCE_BYTES);
  // A fixed nonce exists only to reproduce published test vectors.
  if (fixedNonce && fixedNonce.length === NONCE_BYTES) fixedNonce.copy(nonce);
  else sodium.randombytes_buf(nonce);
  sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(out.subarray(1 + NONCE_BYTES), plaintext, ad, null, nonce, key);
  return out;
}

/**
 * Verify and decrypt a blob made by {@link seal}. Returns `null` when the blob is malformed, was
 * modified, or `ad`/`key` do not match — never partial plaintext.
 */
export function open(key: Buffer, blob: Buffer, ad: Buffer): Buffer | null {
  if (blob.length < 1 + NONCE_BYTES + TAG_BYTES || blob[0] !== SEAL_VERSION) return null;
  const out = Buffer.allocUnsafe(blob.length - 1 - NONCE_BYTES - TAG_BYTES);
  try {
    sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
      out,
      null,
      blob.subarray(1 + NONCE_BYTES),
      ad,
      blob.subarray(1, 1 + NONCE_BYTES),
      key,
    );
  } catch {
    out.fill(0);
    return null;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Passphrase KDF (Argon2id, memory-hard)

/** Parameters of the Argon2id key derivation, stored next to what they protect. */
export interface KdfParams {
  readonly alg: 'argon2id13';
  readonly opslimit: number;
  readonly memlimit: number;
  readonly salt: Buffer;
}

/** Default Argon2id cost: 3 passes over 64 MiB (about 0.2 s on the reference 2-core machine). */
export const DEFAULT_KDF_COST: { readonly opslimit: number; readonly memlimit: number } = { opslimit: 3, memlimit: 64 * 1024 * 1024 };

/** Fresh KDF parameters with a random 16-byte salt. */
export function newKdfParams(cost: { opslimit: number; memlimit: number } = DEFAULT_KDF_COST): KdfParams {
  return { alg: 'argon2id13', opslimit: cost.opslimit, memlimit: cost.memlimit, salt: randomBytes(sodium.crypto_pwhash_SALTBYTES) };
}

/** Derive a 32-byte key from a passphrase with Argon2id (libsodium `crypto_pwhash`). */
export function deriveKeyFromPassphrase(passphrase: Buffer, params: KdfParams): Buffer {
  // The parameters were read from a key file: check the algorithm really there, not the type's promise.
  const alg: string = params.alg;
  if (alg !== 'argon2id13' || params.salt.length !== sodium.crypto_pwhash_SALTBYTES) {
    throw new SeeqretError('E_KEY_INVALID', 'unsupported key derivation parameters in the key file', 'Restore the key file from a backup.');
  }
  if (
    params.opslimit < sodium.crypto_pwhash_OPSLIMIT_MIN ||
    params.opslimit > 64 ||
    params.memlimit < 8 * 1024 * 1024 ||
    params.memlimit > 4 * 1024 * 1024 * 1024
  ) {
    throw new SeeqretError('E_KEY_INVALID', 'key derivation cost in the key file is out of range', 'Restore the key file from a backup.');
  }
  const out = Buffer.alloc(KEY_BYTES);
  sodium.crypto_pwhash(out, passphrase, params.salt, params.opslimit, params.memlimit, sodium.crypto_pwhash_ALG_ARGON2ID13);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Public-key encodings

const B64_KEY_RE = /^[A-Za-z0-9+/]{43}=$/;

/** Standard base64 (44 characters) of a 32-byte key — the old seeqret tool's text form. */
export function keyToBase64(key: Buffer): string {
  return key.toString('base64');
}

/** Decode a 44-character standard-base64 32-byte key; `null` when it is not exactly that. */
export function keyFromBase64(text: string): Buffer | null {
  const t = text.trim();
  if (!B64_KEY_RE.test(t)) return null;
  const b = Buffer.from(t, 'base64');
  return b.length === KEY_BYTES && b.toString('base64') === t ? b : null;
}
