/**
 * Concurrency and crash safety, with real processes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Vault } from '../src/vault/vault.js';
import { addSecrets, cliAsync, cliIn, newVault, tmpdir } from './helpers.js';

describe('reliability', () => {
  it('20 concurrent `seeqret add key` processes on one vault all succeed', async () => {
    const v = newVault();
    const runs = Array.from({ length: 20 }, (_, i) => cliAsync(['add', 'key', `CONCURRENT_${i}`, `value-${i}`, '--env', 'dev'], { vault: v }));
    const results = await Promise.all(runs.map((r) => r.done));
    for (const [i, r] of results.entries()) expect(r.code, `process ${i}: ${r.stderr}`).toBe(0);
    const vault = Vault.open({ dir: v });
    expect(vault.count()).toBe(20);
    for (let i = 0; i < 20; i++) expect(vault.get(`CONCURRENT_${i}`, { env: 'dev' })).toBe(`value-${i}`);
    vault.close();
  });

  it('a writer killed with SIGKILL mid-transaction leaves the vault openable with the old or the new values', async () => {
    const v = newVault();
    addSecrets(v, { key: 'BIG_0', value: 'old-value' });
    const file = path.join(tmpdir(), 'big.env');
    const lines = Array.from({ length: 30000 }, (_, i) => `BIG_${i}=new-value-${i}-${'p'.repeat(40)}`);
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const outcomes = { none: 0, all: 0 };
    for (const delayMs of [150, 250, 350, 450, 600]) {
      const { child, done } = cliAsync(['importenv', file, '--update'], { vault: v });
      await new Promise((r) => setTimeout(r, delayMs));
      child.kill('SIGKILL');
      const r = await done;
      const vault = Vault.open({ dir: v });
      const n = vault.count();
      const big0 = vault.get('BIG_0');
      if (n === 1) {
        expect(big0).toBe('old-value');
        outcomes.none += 1;
      } else {
        expect(n, `killed after ${delayMs} ms (exit ${r.code}/${r.signal})`).toBe(30000);
        expect(big0).toBe(`new-value-0-${'p'.repeat(40)}`);
        expect(vault.get('BIG_29999')).toBe(`new-value-29999-${'p'.repeat(40)}`);
        outcomes.all += 1;
        vault.setMany([{ key: 'BIG_0', value: 'old-value' }], { update: true });
        vault.remove(vault.all().filter((x) => x.key !== 'BIG_0'));
      }
      vault.close();
      // The check runs in-process (doctor's child-process case is in test/cli.test.ts); the writers stay processes.
      expect((await cliIn(['doctor'], { vault: v })).code).toBe(0);
    }
    // At least one kill must have landed inside the import for the test to mean something.
    expect(outcomes.none).toBeGreaterThan(0);
  });
});
