/**
 * src/util/lock.ts: an exclusive lock file next to a target, with real processes contending for
 * it, stale locks (a dead holder, a reused pid, another host), the timeout, and release on exit
 * and on signals.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockFile, lockFileAsync, lockPathOf, withFileLock, withFileLockAsync } from '../src/util/lock.js';
import { ROOT, thrownCode, tmpdir } from './helpers.js';
import { must } from './must.js';

/** Arguments of a child `node` running `body` with the built lock module (npm run build) imported. */
function childScript(body: string): string[] {
  const built = path.join(ROOT, 'dist', 'util', 'lock.js');
  return ['--input-type=module', '-e', `import { withFileLock, lockFile } from ${JSON.stringify(built)};\n${body}`];
}

const holderRecord = (pid: number, extra: Record<string, unknown> = {}): string => JSON.stringify({ pid, host: os.hostname(), start: '', at: Date.now(), nonce: `n${pid}`, ...extra });

describe('file lock', () => {
  it('is exclusive within a process, released by release() (idempotent) and by withFileLock', () => {
    const target = path.join(tmpdir(), 'f');
    const l = lockFile(target);
    expect(fs.existsSync(lockPathOf(target))).toBe(true);
    expect(fs.statSync(lockPathOf(target)).mode & 0o777).toBe(0o600);
    expect(thrownCode(() => lockFile(target))).toBe('E_INTERNAL');
    l.release();
    l.release();
    expect(fs.existsSync(lockPathOf(target))).toBe(false);
    expect(withFileLock(target, () => fs.existsSync(lockPathOf(target)))).toBe(true);
    expect(fs.existsSync(lockPathOf(target))).toBe(false);
    expect(() => withFileLock(target, () => {
      throw new Error('boom');
    })).toThrow('boom');
    expect(fs.existsSync(lockPathOf(target))).toBe(false);
    expect(fs.readdirSync(path.dirname(target))).toEqual([]);
  });

  it('times out with E_LOCKED naming the holder while a live process holds it', async () => {
    const target = path.join(tmpdir(), 'f');
    const holder = spawn('sleep', ['30']);
    try {
      fs.writeFileSync(lockPathOf(target), holderRecord(must(holder.pid)));
      const t0 = Date.now();
      let err: unknown;
      try {
        lockFile(target, { timeoutMs: 200, what: 'the thing' });
      } catch (e) {
        err = e;
      }
      expect((err as { code: string }).code).toBe('E_LOCKED');
      expect((err as Error).message).toContain(`the thing is being changed by process ${holder.pid}`);
      expect((err as { fix: string }).fix).toContain(`rm '${lockPathOf(target)}'`);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(200);
      await expect(lockFileAsync(target, { timeoutMs: 100 })).rejects.toMatchObject({ code: 'E_LOCKED' });
    } finally {
      holder.kill('SIGKILL');
      await new Promise((r) => holder.once('exit', r));
    }
    // The holder is gone: its lock is stale and is taken over.
    const l = lockFile(target, { timeoutMs: 1000 });
    expect((JSON.parse(fs.readFileSync(lockPathOf(target), 'utf8')) as { pid: number }).pid).toBe(process.pid);
    l.release();
  });

  it('a lock whose pid now belongs to another process (another start time), an unreadable old lock, or an old lock from another host is stale', () => {
    const target = path.join(tmpdir(), 'f');
    // pid 1 exists but did not start at this time.
    fs.writeFileSync(lockPathOf(target), holderRecord(1, { start: '1' }));
    if (fs.existsSync('/proc/1/stat')) lockFile(target, { timeoutMs: 500 }).release();
    else fs.rmSync(lockPathOf(target));
    fs.writeFileSync(lockPathOf(target), 'garbage');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(lockPathOf(target), old, old);
    lockFile(target, { timeoutMs: 500 }).release();
    fs.writeFileSync(lockPathOf(target), JSON.stringify({ pid: 1, host: 'elsewhere.example', start: '', at: Date.now() - 3_600_000, nonce: 'x' }));
    lockFile(target, { timeoutMs: 500 }).release();
    // A fresh lock from another host is not stale.
    fs.writeFileSync(lockPathOf(target), JSON.stringify({ pid: 1, host: 'elsewhere.example', start: '', at: Date.now(), nonce: 'x' }));
    expect(thrownCode(() => lockFile(target, { timeoutMs: 100 }))).toBe('E_LOCKED');
    fs.rmSync(lockPathOf(target));
  });

  it('never removes a lock it does not hold (its holder record changed)', () => {
    const target = path.join(tmpdir(), 'f');
    const l = lockFile(target);
    fs.writeFileSync(lockPathOf(target), holderRecord(process.pid, { nonce: 'someone-else' }));
    l.release();
    expect(fs.existsSync(lockPathOf(target))).toBe(true);
  });

  it('20 processes incrementing one counter under the lock lose no increment', async () => {
    const dir = tmpdir();
    const counter = path.join(dir, 'counter');
    fs.writeFileSync(counter, '0');
    const body = `import fs from 'node:fs';
for (let i = 0; i < 5; i++) withFileLock(${JSON.stringify(counter)}, () => {
  const n = Number(fs.readFileSync(${JSON.stringify(counter)}, 'utf8'));
  fs.writeFileSync(${JSON.stringify(counter)}, String(n + 1));
}, { timeoutMs: 30000 });`;
    const runs = Array.from({ length: 20 }, () => new Promise<number | null>((resolve) => spawn(process.execPath, childScript(body), { stdio: 'inherit' }).on('exit', resolve)));
    expect(await Promise.all(runs)).toEqual(Array(20).fill(0));
    expect(fs.readFileSync(counter, 'utf8')).toBe('100');
    expect(fs.readdirSync(dir)).toEqual(['counter']);
  });

  it('is released when the holder exits or is ended by a signal (which still ends it)', async () => {
    const dir = tmpdir();
    const target = path.join(dir, 'f');
    const exitRun = spawnSync(process.execPath, childScript(`lockFile(${JSON.stringify(target)}); process.exit(3);`));
    expect(exitRun.status).toBe(3);
    expect(fs.existsSync(lockPathOf(target))).toBe(false);
    for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
      const child = spawn(process.execPath, childScript(`lockFile(${JSON.stringify(target)}); process.stdout.write('held\\n'); setInterval(() => {}, 1000);`), { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve) => child.stdout.once('data', () => { resolve(); }));
      expect(fs.existsSync(lockPathOf(target))).toBe(true);
      child.kill(sig);
      const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.once('exit', (c, s) => { resolve([c, s]); }));
      expect([code, signal]).toEqual([null, sig]);
      expect(fs.existsSync(lockPathOf(target))).toBe(false);
    }
  });

  it('withFileLockAsync waits without blocking and runs after the holder releases', async () => {
    const target = path.join(tmpdir(), 'f');
    const l = lockFile(target);
    setTimeout(() => { l.release(); }, 150);
    const order: string[] = [];
    const p = withFileLockAsync(target, () => Promise.resolve(order.push('locked')), { timeoutMs: 5000 });
    order.push('waiting');
    await p;
    expect(order).toEqual(['waiting', 'locked']);
    expect(fs.existsSync(lockPathOf(target))).toBe(false);
  });

  it('a lock in a folder you cannot write, or that does not exist, is a clear error', () => {
    expect(thrownCode(() => lockFile(path.join(tmpdir(), 'no', 'such', 'f')))).toBe('E_FILE_NOT_FOUND');
  });
});
