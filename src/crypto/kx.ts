/**
 * Key agreement for seeqret bundles: X25519 (libsodium `crypto_scalarmult`) and a BLAKE2b-256
 * (`crypto_generichash`) derivation over both shared secrets and all three public keys — the
 * construction of libsodium's `crypto_kx`, extended with an ephemeral key:
 *
 *   key = BLAKE2b-256("seeqret/bundle/v1" ‖ X25519(e, R) ‖ X25519(S, R) ‖ E ‖ S ‖ R)
 *
 * where S/R are the sender's and recipient's static keys and e/E a fresh ephemeral pair. Only the
 * holder of S's or R's secret key can compute it (sender authentication to the recipient), it is
 * bound to R (nobody else can open the bundle), and the ephemeral part gives each bundle a fresh key.
 *
 * @module
 */
import { SeeqretError } from '../errors.js';
import { KEY_BYTES, generateIdentity, hash256, wipe } from './index.js';
import { sodium } from './sodium.js';

const LABEL = Buffer.from('seeqret/bundle/v1', 'utf8');

/** X25519(secretKey, publicKey); `E_BAD_KEY` for a low-order public key. */
export function x25519(secretKey: Buffer, publicKey: Buffer): Buffer {
  const out = Buffer.alloc(KEY_BYTES);
  try {
    sodium.crypto_scalarmult(out, secretKey, publicKey);
  } catch {
    throw new SeeqretError('E_BAD_KEY', 'a public key is not a usable X25519 key', 'Check the public key (it must be the 32-byte key printed by `seeqret public-key`).');
  }
  return out;
}

/** Sender side: a fresh ephemeral key and the bundle key for (sender, recipient). */
export function senderBundleKey(
  senderSecretKey: Buffer,
  senderPublicKey: Buffer,
  recipientPublicKey: Buffer,
  ephemeral = generateIdentity(),
): { key: Buffer; ephemeralPublicKey: Buffer } {
  try {
    const ss1 = x25519(ephemeral.secretKey, recipientPublicKey);
    const ss2 = x25519(senderSecretKey, recipientPublicKey);
    const key = hash256(LABEL, ss1, ss2, ephemeral.publicKey, senderPublicKey, recipientPublicKey);
    wipe(ss1);
    wipe(ss2);
    return { key, ephemeralPublicKey: ephemeral.publicKey };
  } finally {
    wipe(ephemeral.secretKey);
  }
}

/** Recipient side: the same bundle key from the recipient's secret key. */
export function recipientBundleKey(recipientSecretKey: Buffer, recipientPublicKey: Buffer, senderPublicKey: Buffer, ephemeralPublicKey: Buffer): Buffer {
  const ss1 = x25519(recipientSecretKey, ephemeralPublicKey);
  const ss2 = x25519(recipientSecretKey, senderPublicKey);
  const key = hash256(LABEL, ss1, ss2, ephemeralPublicKey, senderPublicKey, recipientPublicKey);
  wipe(ss1);
  wipe(ss2);
  return key;
}
