/**
 * A bulk write of many names reads their current rows in one statement per app and environment
 * before it writes (src/vault/secret-writer.ts, decision 88) instead of one lookup per name. What
 * must hold: the same outcomes, versions, history and acceptance as names written a few at a time
 * (which read each row on its own) — with names new and existing in two places, a name written
 * three times in one batch, a pending name typed again; a row changed outside seeqret still
 * refused, naming it; and the vault checks out. Real vaults, real SQLite, real crypto.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rawDatabase, thrownCode, vaultsClosedAfterEach } from './helpers.js';
import { must } from './must.js';
import type { SecretInput } from '../src/vault/types.js';
import type { Vault } from '../src/vault/vault.js';

const vault = vaultsClosedAfterEach();

/** Every secret of `v`: name, version, value, pending, and its history's versions and values. */
function state(v: Vault): unknown[] {
  return v
    .find([])
    .map((r) => [`${r.app}:${r.env}:${r.key}`, r.version, v.reveal(r), r.pending, v.history(r).map((h) => [h.version, v.revealVersion(r, h.version)])])
    .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
}

describe('a bulk write reads its rows before it writes', () => {
  it('gives what writing the names a few at a time gives (fast-check: names new and existing, repeated, in two places)', () => {
    const name = fc.record({ app: fc.constantFrom('web', 'api'), env: fc.constant('prod'), key: fc.constantFrom('A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'), value: fc.constantFrom('one', 'two', 'three', 'four') });
    fc.assert(
      fc.property(fc.array(name, { maxLength: 10 }), fc.array(name, { minLength: 16, maxLength: 40 }), fc.boolean(), (before, batch, update) => {
        const bulk = vault('bulk');
        const few = vault('few');
        for (const v of [bulk, few]) v.setMany(before, { update: true });
        const all = bulk.setMany(batch, { update });
        const parts = [];
        // The same names a few at a time (below the bulk read's threshold): each row read on its own.
        for (let i = 0; i < batch.length; i += 3) parts.push(few.setMany(batch.slice(i, i + 3), { update }));
        expect(all.outcomes).toEqual(parts.flatMap((p) => p.outcomes));
        expect(state(bulk)).toEqual(state(few));
        expect(bulk.integrityProblems()).toEqual([]);
        bulk.close();
        few.close();
      }),
      { numRuns: 15 },
    );
  });

  it('a name written three times in one batch keeps both older values in history; a pending name typed again is accepted', () => {
    const bob = vault('bob');
    bob.setMany([{ app: 'web', env: 'prod', key: 'P', value: 'sent' }], { received: 'load from alice' });
    expect(must(bob.lookup('web', 'prod', 'P')).pending).toBe(true);
    const batch: SecretInput[] = Array.from({ length: 20 }, (_x, i) => ({ app: 'web', env: 'prod', key: `K${String(i)}`, value: `v${String(i)}` }));
    batch.push({ app: 'web', env: 'prod', key: 'K3', value: 'again' }, { app: 'web', env: 'prod', key: 'K3', value: 'and again' }, { app: 'web', env: 'prod', key: 'P', value: 'mine' });
    const s = bob.setMany(batch, { update: true });
    expect([s.added, s.updated]).toEqual([20, 3]);
    const k3 = must(bob.lookup('web', 'prod', 'K3'));
    expect(bob.history(k3).map((h) => [h.version, bob.revealVersion(k3, h.version)]).sort()).toEqual([
      [1, 'v3'],
      [2, 'again'],
      [3, 'and again'],
    ]);
    const p = must(bob.lookup('web', 'prod', 'P'));
    expect([bob.reveal(p), p.pending, p.version]).toEqual(['mine', false, 2]);
    expect(bob.integrityProblems()).toEqual([]);
  });

  it('a row changed outside seeqret is refused by a bulk write, naming it; nothing is written', () => {
    const bob = vault('bob');
    const batch = (round: number): SecretInput[] => Array.from({ length: 30 }, (_x, i) => ({ app: 'web', env: 'prod', key: `K${String(i)}`, value: `round ${String(round)} ${String(i)}` }));
    bob.setMany(batch(1));
    rawDatabase(bob.dir, (db) => db.prepare("UPDATE secrets SET updated_at = updated_at + 1 WHERE key = 'K17'").run());
    expect(thrownCode(() => bob.setMany(batch(2), { update: true }))).toBe('E_TAMPERED');
    expect(() => bob.setMany(batch(2), { update: true })).toThrow(/web:prod:K17/);
    expect(bob.reveal(must(bob.lookup('web', 'prod', 'K0')))).toBe('round 1 0');
  });
});
