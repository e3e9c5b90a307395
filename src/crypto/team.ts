/**
 * Cryptography of the team store (pocket_protector's `protected.yaml`), all through libsodium:
 * anonymous sealed boxes (`crypto_box_seal`: X25519 + XSalsa20-Poly1305), the custodian key
 * derivation (SHA-512 and Argon2id13 `crypto_pwhash`), and the seeqret extension's Ed25519
 * signatures (`crypto_sign_detached`).
 *
 * Custodian key derivation, exactly as the old tool does it (name = custodian name, salt8 = the
 * custodian's 8-byte salt):
 * ```
 * valet = SHA-512(utf8(passphrase) ‖ salt8 ‖ utf8(name))
 * sk    = Argon2id13(32 bytes, password = valet, salt = SHA-512(salt8 ‖ utf8(name))[:16], ops, mem)
 * raw:  sk = SHA-512(utf8(passphrase) ‖ salt8 ‖ utf8(name))[:32]
 * ```
 *
 * @module
 */
import { sodium } from './sodium.js';
import { SeeqretError } from '../errors.js';
import { KEY_BYTES, publicKeyOf, randomBytes, wipe } from './index.js';

/** Bytes a sealed box adds to its message (ephemeral public key + tag). */
export const SEAL_OVERHEAD = sodium.crypto_box_SEALBYTES; // 48
/** Length of a custodian salt. */
export const CUSTODIAN_SALT_BYTES = 8;

/** Argon2id cost of a custodian key type. */
export interface KdfCost {
  /** Argon2id passes. */
  readonly opslimit: number;
  /** Argon2id memory in bytes. */
  readonly memlimit: number;
}
/** "hard": libsodium's SENSITIVE ops with MODERATE memory (4 passes over 256 MiB), the old tool's default. */
export const HARD_COST: KdfCost = { opslimit: 4, memlimit: 256 * 1024 * 1024 };
/** "fast": libsodium's INTERACTIVE preset (2 passes over 64 MiB). */
export const FAST_COST: KdfCost = { opslimit: 2, memlimit: 64 * 1024 * 1024 };
/** Largest Argon2id cost accepted from a file (a file could otherwise ask for any amount of memory). */
export const MAX_COST: KdfCost = { opslimit: 64, memlimit: 4 * 1024 * 1024 * 1024 - 1024 };

/** The passphrase form of a raw (v2) custodian key: `P`, 64 lower-case hex digits, `P`. */
export const RAW_PASSPHRASE_RE = /^P[0-9a-f]{64}P$/;

/** SHA-512 (libsodium) of the concatenation of `parts`. */
export function sha512(...parts: Uint8Array[]): Buffer {
  const out = Buffer.alloc(sodium.crypto_hash_sha512_BYTES);
  sodium.crypto_hash_sha512(out, Buffer.concat(parts));
  return out;
}

/** A fresh X25519 key pair (a domain key). */
export function newBoxKeyPair(): { publicKey: Buffer; secretKey: Buffer } {
  const publicKey = Buffer.alloc(sodium.crypto_box_PUBLICKEYBYTES);
  const secretKey = Buffer.alloc(sodium.crypto_box_SECRETKEYBYTES);
  sodium.crypto_box_keypair(publicKey, secretKey);
  return { publicKey, secretKey };
}

/** Seal `message` to `publicKey` (anonymous sender): `ephemeral pk(32) ‖ ciphertext ‖ tag(16)`. */
export function sealTo(publicKey: Buffer, message: Buffer): Buffer {
  if (publicKey.length !== KEY_BYTES) throw new SeeqretError('E_BAD_KEY', 'a team public key is not 32 bytes', 'The team file is damaged; restore it from git.');
  const out = Buffer.alloc(message.length + SEAL_OVERHEAD);
  try {
    sodium.crypto_box_seal(out, message, publicKey);
  } catch (e) {
    throw new SeeqretError('E_BAD_KEY', 'a team public key is not a usable X25519 key', 'The team file is damaged; restore it from git.', { cause: e });
  }
  return out;
}

/** Open a sealed box with the recipient's key pair; `null` when it was not sealed to it or was modified. */
export function openSealed(publicKey: Buffer, secretKey: Buffer, sealed: Buffer): Buffer | null {
  if (sealed.length < SEAL_OVERHEAD || publicKey.length !== KEY_BYTES || secretKey.length !== KEY_BYTES) return null;
  const out = Buffer.alloc(sealed.length - SEAL_OVERHEAD);
  let ok = false;
  try {
    ok = sodium.crypto_box_seal_open(out, sealed, publicKey, secretKey);
  } catch {
    ok = false;
  }
  if (!ok) {
    wipe(out);
    return null;
  }
  return out;
}

/** A fresh random custodian salt (8 bytes). */
export function newCustodianSalt(): Buffer {
  return randomBytes(CUSTODIAN_SALT_BYTES);
}

/** A fresh raw custodian passphrase: `P` + 64 hex digits (256 random bits) + `P`. */
export function newRawPassphrase(): string {
  const b = randomBytes(32);
  const s = `P${b.toString('hex')}P`;
  wipe(b);
  return s;
}

/** Check an Argon2id cost read from a file. */
export function checkCost(cost: KdfCost): boolean {
  return (
    Number.isInteger(cost.opslimit) &&
    Number.isInteger(cost.memlimit) &&
    cost.opslimit >= sodium.crypto_pwhash_OPSLIMIT_MIN &&
    cost.opslimit <= MAX_COST.opslimit &&
    cost.memlimit >= sodium.crypto_pwhash_MEMLIMIT_MIN &&
    cost.memlimit <= MAX_COST.memlimit
  );
}

/**
 * Derive a custodian's X25519 secret key from its passphrase, salt and name: Argon2id with
 * `cost`, or, for a raw custodian (`cost` = `'raw'`), SHA-512 alone.
 */
export function deriveCustodianSecretKey(passphrase: string, salt: Buffer, name: string, cost: KdfCost | 'raw'): Buffer {
  const pass = Buffer.from(passphrase, 'utf8');
  const nameBytes = Buffer.from(name, 'utf8');
  const valet = sha512(pass, salt, nameBytes);
  wipe(pass);
  if (cost === 'raw') {
    const sk = Buffer.from(valet.subarray(0, KEY_BYTES));
    wipe(valet);
    return sk;
  }
  if (!checkCost(cost)) throw new SeeqretError('E_TEAM_FORMAT', `a custodian's key derivation cost is out of range (ops ${cost.opslimit}, mem ${cost.memlimit})`, 'The team file is damaged; restore it from git.');
  const argonSalt = sha512(salt, nameBytes).subarray(0, sodium.crypto_pwhash_SALTBYTES);
  const sk = Buffer.alloc(KEY_BYTES);
  try {
    sodium.crypto_pwhash(sk, valet, argonSalt, cost.opslimit, cost.memlimit, sodium.crypto_pwhash_ALG_ARGON2ID13);
  } finally {
    wipe(valet);
  }
  return sk;
}

/**
 * True when `secretKey` belongs to `publicKey`, checked as the old tool does: a zero byte sealed
 * to the public key opens with the secret key.
 */
export function keyPairMatches(publicKey: Buffer, secretKey: Buffer): boolean {
  const opened = openSealed(publicKey, secretKey, sealTo(publicKey, Buffer.alloc(1)));
  return opened !== null && opened.length === 1 && opened[0] === 0;
}

/** The X25519 public key of a secret key. */
export { publicKeyOf };

/** An Ed25519 signing key pair. */
export interface SigningKeyPair {
  readonly publicKey: Buffer;
  readonly secretKey: Buffer;
}

/**
 * The Ed25519 signing key pair of a custodian, derived from its X25519 secret key with keyed
 * BLAKE2b-256 (the secret key as the key, a label and the name as the message) as the seed, so
 * the same credentials always give the same signing key and no extra secret is stored.
 */
export function custodianSigningKey(custodianSecretKey: Buffer, name: string): SigningKeyPair {
  const seed = Buffer.alloc(sodium.crypto_sign_SEEDBYTES);
  sodium.crypto_generichash(seed, Buffer.from(`seeqret/team/signing-key/v1\0${name}`, 'utf8'), custodianSecretKey);
  const publicKey = Buffer.alloc(sodium.crypto_sign_PUBLICKEYBYTES);
  const secretKey = Buffer.alloc(sodium.crypto_sign_SECRETKEYBYTES);
  sodium.crypto_sign_seed_keypair(publicKey, secretKey, seed);
  wipe(seed);
  return { publicKey, secretKey };
}

/** Ed25519 detached signature of `message`. */
export function signDetached(secretKey: Buffer, message: Buffer): Buffer {
  const sig = Buffer.alloc(sodium.crypto_sign_BYTES);
  sodium.crypto_sign_detached(sig, message, secretKey);
  return sig;
}

/** Verify an Ed25519 detached signature. */
export function verifyDetached(publicKey: Buffer, message: Buffer, signature: Buffer): boolean {
  if (publicKey.length !== sodium.crypto_sign_PUBLICKEYBYTES || signature.length !== sodium.crypto_sign_BYTES) return false;
  try {
    return sodium.crypto_sign_verify_detached(signature, message, publicKey);
  } catch {
    return false;
  }
}
