/**
 * `seeqret ss` writes from concurrent processes (the real CLI, 20 children at once on one
 * `secrets.json`): every acknowledged write is there; a writer that cannot get the lock in time
 * fails with E_LOCKED and changes nothing.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KeySource, SecretsManager } from '../src/securestore/manager.js';
import { type CliResult, addSecrets, cli, cliAsync, cliIn, errorCode, newVault, tmpdir } from './helpers.js';

/**
 * A folder with a new key-file SecureStore vault `secrets.json` holding `names` (value `old-NAME`),
 * made in-process by the library, as `ss create -s FILE -k KEY --no-vcs` makes it (that command
 * runs through the real CLI in test/securestore-cli.test.ts).
 */
function store(names: string[] = []): { dir: string; file: string; key: string } {
  const dir = tmpdir('ss-lock-');
  const file = path.join(dir, 'secrets.json');
  const key = path.join(dir, 'secrets.key');
  const s = SecretsManager.create(KeySource.generate(), { path: file });
  s.exportKey(key);
  for (const n of names) s.set(n, `old-${n}`);
  s.save();
  return { dir, file, key };
}

const open = (file: string, key: string): SecretsManager => SecretsManager.fromFile(file, KeySource.fromFile(key));
// A generous wait for the lock: on a loaded machine 20 node processes queue for a while.
const WAIT = { SEEQRET_LOCK_TIMEOUT_MS: '60000' };
const ssAsync = (dir: string, args: string[], opts: { vault?: string } = {}): Promise<CliResult> => cliAsync(['ss', ...args], { cwd: dir, env: WAIT, ...opts }).done;

describe('concurrent ss writers lose nothing', () => {
  it('20 concurrent `ss set` on one secrets.json all exit 0 and every value is there', async () => {
    const { dir, file, key } = store();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => ssAsync(dir, ['-s', file, '-k', key, 'set', `K${i}`, `v${i}`])));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const s = open(file, key);
    expect(s.size).toBe(20);
    for (let i = 0; i < 20; i++) expect(s.get(`K${i}`)).toBe(`v${i}`);
    expect(fs.readdirSync(dir).filter((n) => n.includes('.lock'))).toEqual([]);
  });

  it('set, remove and export at once (20 processes): each change is there, none undone by another', async () => {
    const { dir, file, key } = store(Array.from({ length: 5 }, (_, i) => `GONE${i}`));
    const vault = newVault();
    addSecrets(vault, ...Array.from({ length: 5 }, (_, i) => ({ app: 'shop', env: 'prod', key: `EXP${i}`, value: `exported-${i}` })));
    const jobs = [
      ...Array.from({ length: 10 }, (_, i) => ssAsync(dir, ['-s', file, '-k', key, 'set', `K${i}`, `v${i}`])),
      ...Array.from({ length: 5 }, (_, i) => ssAsync(dir, ['-s', file, '-k', key, 'remove', `GONE${i}`])),
      ...Array.from({ length: 5 }, (_, i) => ssAsync(dir, ['export', '-f', `shop:prod:EXP${i}`, file, '-k', key, '--no-vcs'], { vault })),
    ];
    const results = await Promise.all(jobs);
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const s = open(file, key);
    expect(s.keys().sort()).toEqual([...Array.from({ length: 5 }, (_, i) => `EXP${i}`), ...Array.from({ length: 10 }, (_, i) => `K${i}`)].sort());
    for (let i = 0; i < 10; i++) expect(s.get(`K${i}`)).toBe(`v${i}`);
    for (let i = 0; i < 5; i++) expect(s.get(`EXP${i}`)).toBe(`exported-${i}`);
  });

  it('a writer that cannot get the lock in time fails with E_LOCKED and changes nothing', async () => {
    const { dir, file, key } = store(['KEEP']);
    const before = fs.readFileSync(file);
    const holder = spawn('sleep', ['60']);
    try {
      fs.writeFileSync(`${file}.lock`, JSON.stringify({ pid: holder.pid, host: os.hostname(), start: '', at: Date.now(), nonce: 'held' }));
      // `set` through the real CLI as a child process, `remove` in-process (the same lock code).
      for (const args of [['set', 'NEW', 'x'], ['remove', 'KEEP']]) {
        const o = { cwd: dir, env: { SEEQRET_LOCK_TIMEOUT_MS: '300' } };
        const r = args[0] === 'set' ? cli(['ss', '-s', file, '-k', key, ...args], o) : await cliIn(['ss', '-s', file, '-k', key, ...args], o);
        expect([r.code, errorCode(r)], r.stderr).toEqual([1, 'E_LOCKED']);
        expect(r.stderr).toContain(`process ${holder.pid}`);
        expect(fs.readFileSync(file).equals(before)).toBe(true);
      }
    } finally {
      holder.kill('SIGKILL');
      await new Promise((resolve) => holder.once('exit', resolve));
    }
    // The holder is gone: its lock is stale and the next writer takes it over.
    expect((await cliIn(['ss', '-s', file, '-k', key, 'set', 'NEW', 'x'], { cwd: dir })).code).toBe(0);
    expect(open(file, key).get('NEW')).toBe('x');
    expect(fs.existsSync(`${file}.lock`)).toBe(false);
  });
});
