/**
 * A successful `seeqret get` ends its process without closing the database (decision 65): its
 * audit entry stays in the write-ahead log, which the next connection reads, instead of being
 * checkpointed with two fsyncs. Every get is still recorded, the chain still verifies, the log
 * stays short (checkpointed every READ_CHECKPOINT_PAGES pages), a failed get closes as before,
 * and a writable vault's commits are synced (synchronous = FULL) whatever the build's default.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { vaultDatabase } from '../src/vault/internal.js';
import { Vault } from '../src/vault/vault.js';
import { cli, errorCode, newVault } from './helpers.js';

/** The `secret.read` entries of the vault's log (targets), and whether its chain verifies. */
function reads(vault: string): { targets: Array<string | null>; chainOk: boolean } {
  const v = Vault.open({ dir: vault });
  try {
    const targets = v
      .auditLog({})
      .filter((e) => e.action === 'secret.read')
      .map((e) => e.target);
    return { targets, chainOk: v.verifyAudit().problem === null };
  } finally {
    v.close();
  }
}

const wal = (vault: string): string => path.join(vault, 'vault.db-wal');

describe('get leaves its audit entry in the write-ahead log', () => {
  it('a get leaves the log (0600) with its entry, which the next open reads; the chain verifies', () => {
    const vault = newVault();
    const v = Vault.open({ dir: vault });
    v.set({ key: 'TOKEN', value: 'tok-1' });
    v.close();
    expect(fs.existsSync(wal(vault))).toBe(false);

    const r = cli(['get', 'TOKEN'], { vault });
    expect(r).toMatchObject({ code: 0, stdout: 'tok-1\n', stderr: '' });
    expect(fs.statSync(wal(vault)).size).toBeGreaterThan(0);
    for (const f of ['vault.db-wal', 'vault.db-shm']) expect(fs.statSync(path.join(vault, f)).mode & 0o777).toBe(0o600);

    expect(reads(vault)).toEqual({ targets: ['*:*:TOKEN'], chainOk: true });
    // The reader above was the last connection: its close checkpointed and removed the log.
    expect(fs.existsSync(wal(vault))).toBe(false);
  });

  it('consecutive gets are each recorded, in order, and the log is checkpointed before it grows long', () => {
    const vault = newVault();
    const v = Vault.open({ dir: vault });
    v.setMany(Array.from({ length: 5 }, (_, i) => ({ key: `K${i}`, value: `value ${i}` })));
    v.close();
    const asked: string[] = [];
    let largest = 0;
    for (let i = 0; i < 25; i++) {
      const key = `K${i % 5}`;
      const r = cli(['get', '-n', key], { vault });
      expect(r).toMatchObject({ code: 0, stdout: `value ${i % 5}`, stderr: '' });
      asked.push(`*:*:${key}`);
      largest = Math.max(largest, fs.statSync(wal(vault)).size);
    }
    // Twenty-five gets of about three pages each would be ~75 pages: the log was restarted on the way.
    const page = 4096 + 24;
    expect(largest).toBeLessThan(32 + 72 * page);
    expect(reads(vault)).toEqual({ targets: asked, chainOk: true });
  });

  it('a get that fails closes the database as before (the log is checkpointed and removed)', () => {
    const vault = newVault();
    const ok = cli(['get', 'NOPE'], { vault });
    expect(errorCode(ok)).toBe('E_NOT_FOUND');
    expect(ok.code).not.toBe(0);
    expect(fs.existsSync(wal(vault))).toBe(false);
  });

  it('a writable vault syncs its commits (FULL), and a recorded read puts that back', () => {
    const vault = newVault();
    const v = Vault.open({ dir: vault });
    try {
      const db = vaultDatabase(v);
      const level = (): unknown => db.pragma('synchronous', { simple: true });
      expect(level()).toBe(2);
      v.set({ key: 'A', value: 'a' });
      const r = v.lookup('*', '*', 'A');
      expect(r).toBeDefined();
      if (r) v.auditReads([r], 'test');
      expect(level()).toBe(2);
    } finally {
      v.close();
    }
  });
});
