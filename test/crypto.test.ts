/**
 * The crypto module: sealing, key encodings (checked against the age library), key validation.
 */
import { identityToRecipient } from 'age-encryption';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePublicKey, toAgeIdentity, toAgeRecipient } from '../src/crypto/age.js';
import { constantTimeEqual, generateIdentity, hash256, keyFromBase64, keyToBase64, open, publicKeyOf, randomBytes, seal } from '../src/crypto/index.js';
import { flip } from './must.js';

describe('seal/open', () => {
  it('round-trips any bytes and refuses any change to ciphertext, key or associated data', () => {
    const key = randomBytes(32);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 40 }), fc.nat(), (pt, ad, pos) => {
        const blob = seal(key, Buffer.from(pt), Buffer.from(ad));
        expect(open(key, blob, Buffer.from(ad))?.equals(Buffer.from(pt))).toBe(true);
        const t = Buffer.from(blob);
        flip(t, pos % t.length, 0x40);
        expect(open(key, t, Buffer.from(ad))).toBeNull();
        expect(open(randomBytes(32), blob, Buffer.from(ad))).toBeNull();
        expect(open(key, blob, Buffer.concat([Buffer.from(ad), Buffer.from([1])]))).toBeNull();
        expect(open(key, blob.subarray(0, blob.length - 1), Buffer.from(ad))).toBeNull();
      }),
      { numRuns: 200 },
    );
  });

  it('uses a fresh nonce every time', () => {
    const key = randomBytes(32);
    const a = seal(key, Buffer.from('same'), Buffer.alloc(0));
    const b = seal(key, Buffer.from('same'), Buffer.alloc(0));
    expect(a.equals(b)).toBe(false);
  });
});

describe('key encodings', () => {
  it('our age identity and recipient strings agree with the age-encryption library', async () => {
    for (let i = 0; i < 20; i++) {
      const id = generateIdentity();
      expect(publicKeyOf(id.secretKey).equals(id.publicKey)).toBe(true);
      const identity = toAgeIdentity(id.secretKey);
      expect(identity).toMatch(/^AGE-SECRET-KEY-1[0-9A-Z]{58}$/);
      expect(await identityToRecipient(identity)).toBe(toAgeRecipient(id.publicKey));
      expect(parsePublicKey(toAgeRecipient(id.publicKey))?.equals(id.publicKey)).toBe(true);
      expect(parsePublicKey(keyToBase64(id.publicKey))?.equals(id.publicKey)).toBe(true);
    }
  });

  it('rejects anything that is not a usable X25519 public key', () => {
    expect(parsePublicKey('')).toBeNull();
    expect(parsePublicKey('not a key')).toBeNull();
    expect(parsePublicKey(Buffer.alloc(31).toString('base64'))).toBeNull();
    expect(parsePublicKey(Buffer.alloc(32).toString('base64'))).toBeNull(); // low-order point (zero)
    expect(parsePublicKey('age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq')).toBeNull();
    const good = toAgeRecipient(generateIdentity().publicKey);
    expect(parsePublicKey(good.slice(0, -1) + (good.endsWith('q') ? 'p' : 'q'))).toBeNull(); // bad checksum
    expect(keyFromBase64('MBiGKmtpckXspJkmijIPXd8GrIAgAdLOoM4pZNOyDzw=')?.length).toBe(32);
    expect(keyFromBase64('MBiGKmtpckXspJkmijIPXd8GrIAgAdLOoM4pZNOyDzw')).toBeNull();
  });
});

describe('hash256 of several parts', () => {
  it('is the hash of their concatenation (one part is hashed as it is), and compares as bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 6 }), (parts) => {
        const whole = hash256(Buffer.concat(parts));
        expect(hash256(...parts).equals(whole)).toBe(true);
        expect(constantTimeEqual(new Uint8Array(whole), hash256(...parts))).toBe(true);
        expect(constantTimeEqual(new Uint8Array(whole), hash256(Buffer.from('other'), ...parts))).toBe(false);
      }),
    );
  });
});
