/**
 * The row MAC and the aggregate bookkeeping, written for speed (decision 73): the MAC is the
 * keyed BLAKE2b-256 of the same bytes as before (the row's canonical JSON, then its blobs), so every
 * MAC already stored in a vault still verifies; and the per-transaction sums, kept in float lanes
 * instead of bigints, give exactly the aggregates the rows have, through adds, replacements,
 * removals and savepoints rolled back. And the old formats' SHA-256, now libsodium's instead of
 * Node's `crypto` (which a `push` or `sync` no longer loads), gives the same digests. Real
 * libsodium, real vaults.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { binaryString } from './fc-helpers.js';
import { describe, expect, it } from 'vitest';
import { vaultsClosedAfterEach } from './helpers.js';
import { sha256Hex } from '../src/crypto/box.js';
import { mac256, randomBytes } from '../src/crypto/index.js';
import { rowMac } from '../src/vault/integrity.js';
import { referenceRowMac } from './row-mac-reference.js';

const vault = vaultsClosedAfterEach();

const cell = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  binaryString({ maxLength: 20 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.bigInt(),
  fc.constant(null),
  fc.uint8Array({ maxLength: 300 }),
);

describe('row MAC', () => {
  it('is the keyed BLAKE2b-256 of the canonical JSON followed by the blobs, for any cells (so stored MACs still verify)', () => {
    const key = randomBytes(32);
    fc.assert(
      fc.property(fc.constantFrom('users', 'secrets', 'shares'), fc.array(cell, { maxLength: 14 }), (table, values) => {
        expect(rowMac(key, table, values).equals(referenceRowMac(key, table, values))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('rows larger than the scratch buffer (and than the largest one kept), then a small one, each hash their own bytes only', () => {
    const key = randomBytes(32);
    const big = [1, 'x'.repeat(20_000), randomBytes(50_000)];
    const huge = [3, 'ü'.repeat(400_000), randomBytes(2_000_000)];
    expect(rowMac(key, 'secrets', huge).equals(referenceRowMac(key, 'secrets', huge))).toBe(true);
    const small = [2, 'y', randomBytes(10)];
    expect(rowMac(key, 'secrets', big).equals(referenceRowMac(key, 'secrets', big))).toBe(true);
    expect(rowMac(key, 'secrets', small).equals(referenceRowMac(key, 'secrets', small))).toBe(true);
  });

  it('mac256 of several parts is the MAC of their concatenation', () => {
    const key = randomBytes(32);
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 100 }), { minLength: 1, maxLength: 5 }), (parts) => {
        expect(mac256(key, ...parts).equals(mac256(key, Buffer.concat(parts)))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('sha256Hex', () => {
  it("is Node's SHA-256 of the text's UTF-8 bytes, or of the bytes", () => {
    fc.assert(
      fc.property(binaryString({ maxLength: 200 }), fc.uint8Array({ maxLength: 200 }), (text, bytes) => {
        expect(sha256Hex(text)).toBe(createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex'));
        expect(sha256Hex(Buffer.from(bytes))).toBe(createHash('sha256').update(bytes).digest('hex'));
      }),
      { numRuns: 200 },
    );
  });
});

type Step =
  | { readonly kind: 'set'; readonly keys: readonly number[]; readonly round: number }
  | { readonly kind: 'remove'; readonly keys: readonly number[] }
  | { readonly kind: 'rolled-back'; readonly keys: readonly number[] };

const keys = fc.uniqueArray(fc.nat({ max: 30 }), { minLength: 1, maxLength: 12 });
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), keys, round: fc.nat({ max: 5 }) }),
  fc.record({ kind: fc.constant('remove' as const), keys }),
  fc.record({ kind: fc.constant('rolled-back' as const), keys }),
);

describe('aggregates kept per transaction', () => {
  it('after any sequence of adds, replacements, removals and rolled-back savepoints, the stored aggregates are the rows\' own', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 8 }), (steps) => {
        const v = vault('alice');
        for (const s of steps) {
          const inputs = s.keys.map((k) => ({ app: 'a', env: 'e', key: `K${String(k)}`, value: `v${String(k)}-${s.kind === 'set' ? String(s.round) : 'x'}` }));
          if (s.kind === 'set') v.setMany(inputs, { update: true });
          else if (s.kind === 'remove') v.remove(v.all().filter((r) => s.keys.includes(Number(r.key.slice(1)))));
          else {
            // A write inside a transaction that goes on: its savepoint is rolled back, the rest kept.
            v.atomically(() => {
              v.setMany([{ app: 'a', env: 'kept', key: 'K', value: String(s.keys.length) }], { update: true });
              try {
                v.atomically(() => {
                  v.setMany(inputs, { update: true });
                  throw new Error('roll this back');
                });
              } catch {
                /* the savepoint was rolled back */
              }
            });
          }
          expect(v.integrityProblems()).toEqual([]);
        }
        expect(() => {
          v.checkIntegrity(['secrets', 'secret_history']);
        }).not.toThrow();
      }),
      { numRuns: 25 },
    );
  });
});
