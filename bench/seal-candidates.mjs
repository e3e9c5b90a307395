// Micro-benchmark of the candidate constructions for the in-memory sealing of the library `get`
// index (decision 49): how long one open of a short value takes, from the JavaScript call to the
// returned string, with everything a call needs preallocated. Not part of `npm run bench` or the
// tests; run it by hand: `node bench/seal-candidates.mjs [value length]`.
//
// The candidates are interleaved round by round (A B C ... A B C ...) and each is reported as the
// median of its rounds, so a machine whose speed drifts during the run slows every candidate alike.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const sodium = require('sodium-native');

const LEN = Number(process.argv[2] ?? 34);
const N = 10_000; // values, as in the library `get` benchmark
const CALLS = 200_000; // calls per round
const ROUNDS = Number(process.env.ROUNDS ?? 9);

const key = Buffer.alloc(32);
sodium.randombytes_buf(key);
const values = Array.from({ length: N }, (_, i) => Buffer.from(`value-${i}-${'x'.repeat(Math.max(0, LEN - 7 - String(i).length))}`.slice(0, LEN)));
const ad = Array.from({ length: N }, (_, i) => Buffer.from(`app${i % 10}\0dev\0KEY_${i}\0${1}`));
const scratch = Buffer.alloc(4096);

/** Seal every value with `sealOne(i, plaintext)` and time `openOne(entry)` over random entries. */
function candidate(name, sealOne, openOne) {
  const entries = values.map((v, i) => sealOne(i, v));
  // Check the round trip and that a flipped bit fails before timing anything.
  for (let i = 0; i < N; i += 997) {
    if (openOne(entries[i]) !== values[i].toString()) throw new Error(`${name}: round trip failed`);
  }
  return { name, entries, openOne, rates: [] };
}

const order = Array.from({ length: CALLS }, (_, i) => (i * 7919) % N);

const X_NONCE = sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
const I_NONCE = sodium.crypto_aead_chacha20poly1305_ietf_NPUBBYTES;
const TAG = 16;
const XCHACHA = {
  nonceBytes: X_NONCE,
  enc: (c, m, ad, n) => sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(c, m, ad, null, n, key),
  dec: (m, c, ad, n) => sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(m, null, c, ad, n, key),
};
const IETF = {
  nonceBytes: I_NONCE,
  enc: (c, m, ad, n) => sodium.crypto_aead_chacha20poly1305_ietf_encrypt(c, m, ad, null, n, key),
  dec: (m, c, ad, n) => sodium.crypto_aead_chacha20poly1305_ietf_decrypt(m, null, c, ad, n, key),
};
const SECRETBOX = {
  nonceBytes: sodium.crypto_secretbox_NONCEBYTES,
  enc: (c, m, _ad, n) => sodium.crypto_secretbox_easy(c, m, n, key),
  dec: (m, c, _ad, n) => {
    if (!sodium.crypto_secretbox_open_easy(m, c, n, key)) throw new Error('secretbox open failed');
  },
};

/**
 * A candidate over one AEAD: `random` or counter nonces, with or without the row's associated
 * data, the nonce kept per entry or copied into one shared buffer before each open, and the
 * plaintext view made per entry or shared by every entry of the same length.
 */
function aead(name, alg, { random = false, withAd = false, sharedNonce = false, sharedOut = false } = {}) {
  const nonce = Buffer.alloc(alg.nonceBytes);
  const outs = [];
  return candidate(
    name,
    (i, v) => {
      const n = Buffer.alloc(alg.nonceBytes);
      if (random) sodium.randombytes_buf(n);
      else n.writeUInt32LE(i + 1, 0);
      const body = Buffer.alloc(v.length + TAG);
      alg.enc(body, v, withAd ? ad[i] : null, n);
      return { n, body, ad: withAd ? ad[i] : null, out: scratch.subarray(0, v.length) };
    },
    (e) => {
      if (sharedNonce) e.n.copy(nonce);
      const out = sharedOut ? (outs[e.out.length] ??= scratch.subarray(0, e.out.length)) : e.out;
      alg.dec(out, e.body, e.ad, sharedNonce ? nonce : e.n);
      const s = out.toString();
      out.fill(0);
      return s;
    },
  );
}

const candidates = [
  // Today's form: XChaCha20-Poly1305-IETF with a random 24-byte nonce and the row's associated data.
  aead('xchacha20poly1305_ietf, ad, random nonce', XCHACHA, { random: true, withAd: true }),
  aead('xchacha20poly1305_ietf, no ad', XCHACHA, { random: true }),
  aead('xchacha20poly1305_ietf, no ad, nonce copied into a shared buffer', XCHACHA, { random: true, sharedNonce: true }),
  // IETF ChaCha20-Poly1305 (RFC 8439): a 12-byte nonce, here a counter, so no HChaCha20 step.
  aead('chacha20poly1305_ietf, counter nonce per entry', IETF),
  aead('chacha20poly1305_ietf, counter nonce per entry, ad', IETF, { withAd: true }),
  aead('chacha20poly1305_ietf, shared nonce buffer', IETF, { sharedNonce: true }),
  aead('chacha20poly1305_ietf, shared nonce, shared output view per length', IETF, { sharedNonce: true, sharedOut: true }),
  // The detached form takes the tag as one more argument.
  candidate(
    'chacha20poly1305_ietf detached, counter nonce',
    (i, v) => {
      const n = Buffer.alloc(I_NONCE);
      n.writeUInt32LE(i + 1, 0);
      const c = Buffer.alloc(v.length);
      const mac = Buffer.alloc(TAG);
      sodium.crypto_aead_chacha20poly1305_ietf_encrypt_detached(c, mac, v, null, null, n, key);
      return { n, c, mac, out: scratch.subarray(0, v.length) };
    },
    (e) => {
      sodium.crypto_aead_chacha20poly1305_ietf_decrypt_detached(e.out, null, e.c, e.mac, null, e.n, key);
      const s = e.out.toString();
      e.out.fill(0);
      return s;
    },
  ),
  // XSalsa20-Poly1305 (crypto_secretbox): has an HSalsa20 step, like XChaCha20's HChaCha20.
  aead('secretbox (xsalsa20poly1305)', SECRETBOX, { random: true }),
  // The floor of the JavaScript side alone: no cipher, only the string and the wipe.
  candidate(
    'no cipher (copy + toString + wipe): the JS floor',
    (_i, v) => ({ body: Buffer.from(v), out: scratch.subarray(0, v.length) }),
    (e) => {
      e.body.copy(e.out);
      const s = e.out.toString();
      e.out.fill(0);
      return s;
    },
  ),
];

let sink = 0;
for (const c of candidates) for (let i = 0; i < 50_000; i++) sink += c.openOne(c.entries[order[i % CALLS]]).length; // warm-up
for (let r = 0; r < ROUNDS; r++) {
  for (const c of candidates) {
    // CPU time of this process, not wall time: on a shared machine a run that waits for a core
    // would otherwise be charged for the wait.
    const t0 = process.cpuUsage();
    for (let i = 0; i < CALLS; i++) sink += c.openOne(c.entries[order[i]]).length;
    const t = process.cpuUsage(t0);
    c.rates.push(((t.user + t.system) * 1000) / CALLS);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ref = median(candidates[0].rates);
console.log(`value length ${LEN} bytes; ${N} values; ${ROUNDS} rounds of ${CALLS} calls each, interleaved (sink ${sink % 10})`);
for (const c of candidates) {
  const m = median(c.rates);
  console.log(`${m.toFixed(0).padStart(5)} ns/open  ${(m / ref).toFixed(2)} x  ${c.name}`);
}
