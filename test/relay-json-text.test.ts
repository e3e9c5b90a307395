/**
 * The texts written by hand since decision 89 instead of through `JSON.stringify` of the whole: a
 * bundle's text with its base64 ciphertext put in as it is (src/sharing/bundle.ts), and an
 * upload's body and the relay's listing of pending envelopes with each envelope escaped by
 * searching for its quotes, backslashes and newlines (src/relay/json-text.ts). Both must be the first definition's text byte for byte, for
 * any names, e-mails and strings — quotes, backslashes, control characters, DEL, U+2028, lone and
 * paired surrogates. Real libsodium seals the bundles.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binaryString } from './fc-helpers.js';
import { generateIdentity } from '../src/crypto/index.js';
import { bundlePayload, openBundle, sealBundle } from '../src/sharing/bundle.js';
import { envelopeListing, envelopesBody, jsonString } from '../src/relay/json-text.js';

const awkward = fc.constantFrom('', '"', '\\', '\n', '\r\n', '\t', '\u0000', '\u001f', '\u007f', '\u0080', '\ud800', '\udfff', '\ud83d\ude00', '\u2028', 'a"b\\c\nd\te', '\\n', '\\"');
const text = fc.oneof(
  binaryString({ maxLength: 40 }),
  fc.string({ unit: fc.constantFrom('a', ' ', '"', '\\', '\n', '\t', '\u0007', '\u007f', 'é', '\ud800', '\udc00', '\ud83d\ude00'), maxLength: 30 }),
  awkward,
);

describe('an upload body written by hand', () => {
  it('jsonString is JSON.stringify of any string', () => {
    fc.assert(
      fc.property(text, (s) => {
        expect(jsonString(s)).toBe(JSON.stringify(s));
      }),
      { numRuns: 2000 },
    );
  });

  it('envelopesBody is JSON.stringify({ envelopes }) of any list, and parses back to it', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ to: text, envelope: text }), { minLength: 1, maxLength: 5 }), (envelopes) => {
        const body = envelopesBody(envelopes).text;
        expect(body).toBe(JSON.stringify({ envelopes }));
        expect(JSON.parse(body)).toEqual({ envelopes });
      }),
      { numRuns: 500 },
    );
  });

  it("the relay's listing is JSON.stringify({ envelopes }) of any envelopes, times included", () => {
    const created = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -0, Number.NaN, Number.POSITIVE_INFINITY, 1e21, Date.now()));
    fc.assert(
      fc.property(fc.array(fc.record({ id: text, from: text, created, envelope: text }), { maxLength: 5 }), (envelopes) => {
        expect(envelopeListing(envelopes).text).toBe(JSON.stringify({ envelopes }));
      }),
      { numRuns: 500 },
    );
  });

  it('a real bundle of 1,000 secrets goes on the wire as JSON.stringify wrote it', () => {
    const alice = generateIdentity();
    const bob = generateIdentity();
    const payload = bundlePayload(Array.from({ length: 1000 }, (_x, i) => ({ app: 'bench', env: 'prod', key: `KEY_${i}`, type: 'str', value: `v"${i}\\\n`, updated: 1765000000000 + i })));
    const { text: envelope } = sealBundle({ username: 'alice', email: 'alice@example.com', pubkey: alice.publicKey }, alice.secretKey, { username: 'bob', pubkey: bob.publicKey }, payload);
    const envelopes = [{ to: 'f17c9b299c3b72c78daa33c817625458', envelope }, { to: '0123456789abcdef0123456789abcdef', envelope: `${envelope}x` }];
    expect(envelopesBody(envelopes).text).toBe(JSON.stringify({ envelopes }));
    const listed = envelopes.map((e, i) => ({ id: e.to, from: e.to, created: 1765000000000 + i, envelope: e.envelope }));
    expect(envelopeListing(listed).text).toBe(JSON.stringify({ envelopes: listed }));
    // And the hand-written bundle text opens for its recipient, every value as sealed.
    const opened = openBundle(envelope, bob).secrets;
    expect(opened).toHaveLength(1000);
    expect(opened[999]).toEqual({ app: 'bench', env: 'prod', key: 'KEY_999', type: 'str', value: 'v"999\\\n', updated: 1765000000999 });
  });
});

describe('a bundle text written by hand', () => {
  it('is JSON.stringify({ ...header, ciphertext }, null, 2) and a newline, for any names and e-mails', () => {
    const alice = generateIdentity();
    const bob = generateIdentity();
    fc.assert(
      fc.property(text, fc.option(text), text, fc.uint8Array({ maxLength: 300 }), (from, email, to, bytes) => {
        const payload = bundlePayload([{ app: 'a', env: 'e', key: 'K', type: 'str', value: Buffer.from(bytes).toString('base64'), updated: 1 }]);
        const { text: t, header } = sealBundle({ username: from, email, pubkey: alice.publicKey }, alice.secretKey, { username: to, pubkey: bob.publicKey }, payload);
        const parsed = JSON.parse(t) as Record<string, unknown>;
        expect(t).toBe(`${JSON.stringify({ ...header, ciphertext: parsed['ciphertext'] }, null, 2)}\n`);
        expect(Object.keys(parsed).at(-1)).toBe('ciphertext');
        expect(parsed['ciphertext']).toMatch(/^[A-Za-z0-9+/]+=*$/);
      }),
      { numRuns: 300 },
    );
  });
});
