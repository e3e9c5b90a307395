/**
 * Keys and proofs of the relay (docs/relay.md, issue 14).
 *
 * - A member signs every request with an Ed25519 key derived from its vault's X25519 secret key
 *   (keyed BLAKE2b-256 as the seed), so a vault needs no new stored secret to join a relay.
 * - A member is addressed by its key id: the first 16 bytes (hex) of BLAKE2b-256 of a label and
 *   its X25519 public key; envelopes go to a key id, never to a name.
 * - When joining, a member proves to the relay that it holds the X25519 secret key of the public
 *   key it registers: a keyed BLAKE2b-256 MAC under a key derived from X25519(member, relay).
 *
 * @module
 */
import { constantTimeEqual, hash256, mac256, wipe } from './index.js';
import { x25519 } from './kx.js';
import { sodium } from './sodium.js';
import { type SigningKeyPair, signDetached, verifyDetached } from './team.js';

export { signDetached, verifyDetached, type SigningKeyPair };

/** The Ed25519 key pair a vault signs relay requests with (always the same for the same vault key). */
export function relaySigningKey(identitySecretKey: Buffer): SigningKeyPair {
  const seed = Buffer.alloc(sodium.crypto_sign_SEEDBYTES);
  sodium.crypto_generichash(seed, Buffer.from('seeqret/relay/signing-key/v1', 'utf8'), identitySecretKey);
  const publicKey = Buffer.alloc(sodium.crypto_sign_PUBLICKEYBYTES);
  const secretKey = Buffer.alloc(sodium.crypto_sign_SECRETKEYBYTES);
  sodium.crypto_sign_seed_keypair(publicKey, secretKey, seed);
  wipe(seed);
  return { publicKey, secretKey };
}

/** A member's key id on the relay: 32 hex digits derived from its X25519 public key. */
export function relayKeyId(boxPublicKey: Buffer): string {
  return hash256(Buffer.from('seeqret/relay/key-id/v1', 'utf8'), boxPublicKey).subarray(0, 16).toString('hex');
}

/** BLAKE2b-256 of a request body, as hex (what a request signature covers). */
export function bodyDigest(body: Buffer): string {
  return hash256(Buffer.from('seeqret/relay/body/v1', 'utf8'), body).toString('hex');
}

function proofKey(secretKey: Buffer, peerPublicKey: Buffer): Buffer {
  const shared = x25519(secretKey, peerPublicKey);
  const key = hash256(Buffer.from('seeqret/relay/possession/v1', 'utf8'), shared);
  wipe(shared);
  return key;
}

/**
 * Proof that the holder of `secretKey` made `message` for the holder of `peerPublicKey`'s secret
 * key (either side can compute it: X25519 is symmetric). Used once, when a member joins.
 */
export function possessionProof(secretKey: Buffer, peerPublicKey: Buffer, message: Buffer): Buffer {
  const key = proofKey(secretKey, peerPublicKey);
  const out = mac256(key, message);
  wipe(key);
  return out;
}

/** Check a {@link possessionProof} (constant time); false for a low-order key or any mismatch. */
export function checkPossessionProof(secretKey: Buffer, peerPublicKey: Buffer, message: Buffer, proof: Buffer): boolean {
  try {
    return proof.length === 32 && constantTimeEqual(possessionProof(secretKey, peerPublicKey, message), proof);
  } catch {
    return false;
  }
}
