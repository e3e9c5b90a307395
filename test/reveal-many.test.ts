/**
 * `Vault.revealMany` (what env, run and export read values with): the values of `reveal`, in the
 * order asked, over more than one statement's worth of secrets, and the same refusals as `reveal`
 * for a row changed without the key (an older value put back, a ciphertext moved to another row)
 * or removed since it was listed.
 */
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFilter } from '../src/filter/index.js';
import { Vault } from '../src/vault/vault.js';
import type { SecretRecord } from '../src/vault/types.js';
import { rawDatabase, thrownCode, tmpdir } from './helpers.js';

const ALL = [parseFilter('*:*:*')];

function vaultWith(n: number): string {
  const dir = path.join(tmpdir(), 'vault');
  const v = Vault.create({ dir, username: 'alice', email: 'alice@example.com' });
  v.setMany(Array.from({ length: n }, (_, i) => ({ app: `app${i % 3}`, env: i % 2 ? 'dev' : 'prod', key: `K_${i}`, value: `value ${i} ${'é'.repeat(i % 7)}` })));
  v.close();
  return dir;
}

describe('revealMany gives what reveal gives', () => {
  let dir: string;
  let v: Vault;
  let records: SecretRecord[];
  beforeAll(() => {
    dir = vaultWith(1203);
    v = Vault.open({ dir });
    records = v.find(ALL);
  });
  afterAll(() => {
    v.close();
  });

  it('for every secret (three statements of at most 500), in the order asked', () => {
    expect(records).toHaveLength(1203);
    const reversed = [...records].reverse();
    expect(v.revealMany(reversed)).toEqual(reversed.map((r) => v.reveal(r)));
    expect(v.revealMany([])).toEqual([]);
  });

  it('for any selection, order and repetition of secrets (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 1202 }), { maxLength: 700 }), (picks) => {
        const chosen = picks.map((i) => records[i] as SecretRecord);
        expect(v.revealMany(chosen)).toEqual(chosen.map((r) => v.reveal(r)));
      }),
      { numRuns: 25 },
    );
  });
});

describe('revealMany refuses what reveal refuses', () => {
  it('an older value put back with its older version: E_TAMPERED, as reveal', () => {
    const dir = vaultWith(5);
    const w = Vault.open({ dir });
    w.set({ app: 'app1', env: 'dev', key: 'K_1', value: 'rotated' }, { replace: true });
    w.close();
    rawDatabase(dir, (db) => db.exec("UPDATE secrets SET value = (SELECT h.value FROM secret_history h WHERE h.secret_id = secrets.id AND h.version = 1), version = 1 WHERE key = 'K_1'"));
    const v = Vault.open({ dir });
    try {
      const all = v.find(ALL);
      const k1 = all.find((r) => r.key === 'K_1') as SecretRecord;
      expect(thrownCode(() => v.reveal(k1))).toBe('E_TAMPERED');
      expect(thrownCode(() => v.revealMany(all))).toBe('E_TAMPERED');
      // The others still read.
      const others = all.filter((r) => r.key !== 'K_1');
      expect(v.revealMany(others)).toEqual(others.map((r) => v.reveal(r)));
    } finally {
      v.close();
    }
  });

  it('a ciphertext moved to another row: the same error as reveal, never the other value', () => {
    const dir = vaultWith(4);
    rawDatabase(dir, (db) => db.exec("UPDATE secrets SET value = (SELECT value FROM secrets WHERE key = 'K_0') WHERE key = 'K_2'"));
    const v = Vault.open({ dir });
    try {
      const all = v.find(ALL);
      const k2 = all.find((r) => r.key === 'K_2') as SecretRecord;
      const single = thrownCode(() => v.reveal(k2));
      expect(single).toMatch(/^E_(DECRYPT|TAMPERED)$/);
      expect(thrownCode(() => v.revealMany(all))).toBe(single);
    } finally {
      v.close();
    }
  });

  it('a secret removed since it was listed: E_NOT_FOUND', () => {
    const dir = vaultWith(3);
    const v = Vault.open({ dir });
    try {
      const all = v.find(ALL);
      v.remove(all.filter((r) => r.key === 'K_1'));
      expect(thrownCode(() => v.revealMany(all))).toBe('E_NOT_FOUND');
    } finally {
      v.close();
    }
  });
});
