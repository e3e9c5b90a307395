/**
 * The published seeqret bundle test vector (docs/formats.md#bundle-test-vector): our code
 * reproduces it byte for byte, and an independent implementation (the audited \@noble libraries,
 * not libsodium) derives the same key and opens it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { blake2b } from '@noble/hashes/blake2.js';
import { describe, expect, it } from 'vitest';
import { generateIdentity } from '../src/crypto/index.js';
import { createBundle, openBundle } from '../src/sharing/bundle.js';
import { ROOT } from './helpers.js';
import { must } from './must.js';

const VECTOR = fs.readFileSync(path.join(ROOT, 'test', 'vectors', 'bundle-v1.json'), 'utf8');
const INPUT = {
  senderSecret: Buffer.alloc(32, 0x01),
  recipientSecret: Buffer.alloc(32, 0x02),
  ephemeralSecret: Buffer.alloc(32, 0x03),
  nonce: Buffer.alloc(24, 0x04),
  id: '00112233445566778899aabbccddeeff',
  created: 1795504674000,
  secret: { app: 'myapp', env: 'dev', key: 'API_KEY', type: 'str', value: 'sk_test_123 ✓', updated: 1795504674000 },
};

describe('bundle test vector', () => {
  it('createBundle reproduces the vector byte for byte, and openBundle opens it', () => {
    const alice = generateIdentity(INPUT.senderSecret);
    const bob = generateIdentity(INPUT.recipientSecret);
    const { text } = createBundle({ username: 'alice', email: 'alice@example.com', pubkey: alice.publicKey }, alice.secretKey, { username: 'bob', pubkey: bob.publicKey }, [INPUT.secret], {
      id: INPUT.id,
      created: INPUT.created,
      ephemeral: generateIdentity(INPUT.ephemeralSecret),
      nonce: INPUT.nonce,
    });
    expect(text).toBe(VECTOR);
    expect(openBundle(VECTOR, bob).secrets).toEqual([INPUT.secret]);
  });

  it('an independent implementation (@noble) derives the same key and decrypts the vector', () => {
    const b = JSON.parse(VECTOR) as Record<string, unknown> & { sender: Record<string, string>; recipient: Record<string, string>; ephemeral: string; ciphertext: string };
    const R = x25519.getPublicKey(INPUT.recipientSecret);
    const S = Buffer.from(must(b.sender['pubkey']), 'base64');
    const E = Buffer.from(b.ephemeral, 'base64');
    expect(Buffer.from(R).toString('base64')).toBe(b.recipient['pubkey']);
    const ss1 = x25519.getSharedSecret(INPUT.recipientSecret, E);
    const ss2 = x25519.getSharedSecret(INPUT.recipientSecret, S);
    const key = blake2b(Buffer.concat([Buffer.from('seeqret/bundle/v1'), ss1, ss2, E, S, R]), { dkLen: 32 });
    const ad = Buffer.from(
      JSON.stringify([b['format'], b['version'], b['id'], b['created'], b.sender['username'], b.sender['email'], b.sender['pubkey'], b.recipient['username'], b.recipient['pubkey'], b.ephemeral]),
    );
    const blob = Buffer.from(b.ciphertext, 'base64');
    expect(blob[0]).toBe(1);
    const plain = xchacha20poly1305(key, blob.subarray(1, 25), ad).decrypt(blob.subarray(25));
    expect(JSON.parse(Buffer.from(plain).toString('utf8'))).toEqual({ secrets: [INPUT.secret] });
    // Published intermediate values (docs/formats.md).
    expect(Buffer.from(key).toString('hex')).toBe(KEY_HEX);
  });
});

const KEY_HEX = '22bce28b6979611667d16f9e6004912833f324224fbddc0d4ba0848cddbfd924';
