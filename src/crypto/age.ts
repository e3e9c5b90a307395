/**
 * Text encodings of X25519 keys used by age: `age1…` recipients and `AGE-SECRET-KEY-1…`
 * identities (bech32 through the audited `@scure/base`), and parsing of public keys given in
 * either the old tool's base64 or age form.
 *
 * @module
 */
import { bech32 } from '@scure/base';
import { isUsablePublicKey, keyFromBase64 } from './index.js';

/** The age recipient string (`age1…`, bech32) of an X25519 public key. */
export function toAgeRecipient(publicKey: Buffer): string {
  return bech32.encode('age', bech32.toWords(publicKey), false);
}

/** The age identity string (`AGE-SECRET-KEY-1…`) of an X25519 secret key. */
export function toAgeIdentity(secretKey: Buffer): string {
  return bech32.encode('AGE-SECRET-KEY-', bech32.toWords(secretKey), false).toUpperCase();
}

/**
 * Parse a public key given as the old tool's base64 or as an age `age1…` recipient, and check it
 * is a usable X25519 public key (not a low-order point). Returns `null` when it is not.
 */
export function parsePublicKey(text: string): Buffer | null {
  const t = text.trim();
  let key: Buffer | null = null;
  if (t.startsWith('age1')) {
    try {
      const { prefix, words } = bech32.decode(t as `${string}1${string}`, false);
      if (prefix === 'age') key = Buffer.from(bech32.fromWords(words));
    } catch {
      return null;
    }
  } else {
    key = keyFromBase64(t);
  }
  return key && isUsablePublicKey(key) ? key : null;
}
