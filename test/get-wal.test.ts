/**
 * A successful `seeqret get` ends its process without closing the database (decision 65): its
 * audit entry stays in the write-ahead log, which the next connection reads, instead of being
 * checkpointed with two fsyncs. Every get is still recorded, the chain still verifies, the log
 * stays short (checkpointed every READ_CHECKPOINT_PAGES pages), a failed get closes as before,
 * and a writable vault's commits are synced (synchronous = FULL) whatever the build's default.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { vaultDatabase } from '../src/vault/internal.js';
import { Vault } from '../src/vault/vault.js';
import { ROOT, cleanEnv, cli, errorCode, newVault } from './helpers.js';

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
    // The log is first brought near the 256 KiB mark by ONE child process that does what a run
    // of gets does — the audited read of `get` (src/vault/secret-ops.ts `revealOne`), then an exit
    // without closing (src/vault/internal.ts `closeKeepingConnection`), from the built package —
    // so the gets that cross the mark, each its own `seeqret get` process replaying the log on
    // open, are eight rather than twenty-five: the same property at fewer process starts.
    const mod = (m: string): string => JSON.stringify(path.join(ROOT, 'dist', m));
    const script = `
      import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
      const { Vault } = await import(${mod('vault/vault.js')});
      const { revealOne } = await import(${mod('vault/secret-ops.js')});
      const { closeKeepingConnection } = await import(${mod('vault/internal.js')});
      const { parseFilter } = await import(${mod('filter/index.js')});
      process.umask(0o077);
      const v = Vault.open({ dir: ${JSON.stringify(vault)} });
      const keys = [];
      while ((fs.statSync(${JSON.stringify(wal(vault))}, { throwIfNoEntry: false })?.size ?? 0) < 200 * 1024) {
        const key = 'K' + (keys.length % 5);
        const [r] = v.find([parseFilter(key)]);
        revealOne(v, r, 'get');
        keys.push(key);
      }
      closeKeepingConnection(v);
      process.stdout.write(JSON.stringify(keys));
      process.exit(0);`;
    const pre = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: cleanEnv() });
    expect(pre.stderr).toBe('');
    const asked = (JSON.parse(pre.stdout) as string[]).map((k) => `*:*:${k}`);
    const before = fs.statSync(wal(vault)).size;
    expect(before).toBeGreaterThanOrEqual(200 * 1024);
    const sizes: number[] = [];
    const first = asked.length;
    for (let i = first; i < first + 8; i++) {
      const key = `K${i % 5}`;
      const r = cli(['get', '-n', key], { vault });
      expect(r).toMatchObject({ code: 0, stdout: `value ${i % 5}`, stderr: '' });
      asked.push(`*:*:${key}`);
      sizes.push(fs.statSync(wal(vault)).size);
    }
    // More than 256 KiB of log (about three pages a get): a get checkpointed it and the log
    // started over (it shrank), and it never grew past ~72 pages.
    expect(asked.length).toBeGreaterThanOrEqual(25);
    expect(sizes.some((s, i) => s < (i === 0 ? before : (sizes[i - 1] ?? 0)))).toBe(true);
    const page = 4096 + 24;
    expect(Math.max(before, ...sizes)).toBeLessThan(32 + 72 * page);
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
