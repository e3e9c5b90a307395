/**
 * importenv records ONE audit entry naming its counts (Vault.atomically's `summary`), not one per
 * line held in memory until the commit (issue 12: a million lines under 300 MiB); a dry run
 * records nothing; the values are all there.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, newVault, tmpdir, vaultValues } from './helpers.js';
import { Vault } from '../src/vault/vault.js';
import { must } from './must.js';

function entries(vault: string): Array<{ action: string; target: string | null; detail: string | null }> {
  const v = Vault.open({ dir: vault });
  try {
    expect(v.verifyAudit().problem).toBeNull();
    return v.auditLog({}).map((e) => ({ action: e.action, target: e.target, detail: e.detail }));
  } finally {
    v.close();
  }
}

describe('importenv audit', () => {
  it('one import entry with the counts; a dry run adds none; --update counts the replaced values', () => {
    const vault = newVault();
    const file = path.join(tmpdir(), 'a.env');
    fs.writeFileSync(file, 'A=1\nB="two words"\nC=3\n');
    const before = entries(vault).length;
    expect(cli(['importenv', file, '--env', 'dev', '--dry-run'], { vault }).code).toBe(0);
    expect(entries(vault).length).toBe(before);
    expect(cli(['importenv', file, '--env', 'dev'], { vault }).code).toBe(0);
    const after = entries(vault).slice(before);
    expect(after).toHaveLength(1);
    expect(must(after[0]).action).toBe('import');
    expect(must(after[0]).target).toBe(file);
    expect(JSON.parse(must(must(after[0]).detail))).toEqual({ from: 'dotenv', app: '*', env: 'dev', added: 3 });
    fs.writeFileSync(file, 'A=1\nB=changed\nC=3\nD=4\n');
    expect(cli(['importenv', file, '--env', 'dev', '--update'], { vault }).code).toBe(0);
    const last = entries(vault).slice(before + 1);
    expect(last).toHaveLength(1);
    expect(JSON.parse(must(must(last[0]).detail))).toEqual({ from: 'dotenv', app: '*', env: 'dev', added: 1, updated: 1 });
    expect(vaultValues(vault)).toMatchObject({ '*:dev:A': '1', '*:dev:B': 'changed', '*:dev:C': '3', '*:dev:D': '4' });
  });
});
