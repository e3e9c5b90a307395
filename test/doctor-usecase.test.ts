/**
 * The `doctor` and `upgrade` use cases called in-process (src/vault/doctor.ts): findings as data,
 * the permission repair, the passphrase asked only for a protected key file, a changed row found,
 * the schema upgrade with its 0600 backup copy. Real vault folders and SQLite files.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { TEST_KDF, downgradeToSchema4, tmpdir } from './helpers.js';
import { type Finding, diagnose, upgradeVault } from '../src/vault/doctor.js';
import { SCHEMA_VERSION } from '../src/vault/schema.js';
import { Vault } from '../src/vault/vault.js';

/** A vault with one secret; with a passphrase, its key file at the tests' Argon2id cost (TEST_KDF). */
function vaultDir(opts: { passphrase?: string } = {}): string {
  const dir = path.join(tmpdir(), 'vault');
  const v = Vault.create({ dir, username: 'alice', email: 'alice@example.com', ...(opts.passphrase === undefined ? {} : { passphrase: opts.passphrase, kdfCost: TEST_KDF }) });
  v.set({ app: 'web', env: 'prod', key: 'DB', value: 'p1' });
  v.close();
  return dir;
}

const NEVER = (): Promise<Buffer> => Promise.reject(new Error('the passphrase was asked for'));
const statuses = (fs: readonly Finding[]): string[] => fs.map((f) => f.status);

describe('doctor (in-process)', () => {
  it('a healthy vault: every check ok, nothing asked; findings streamed in order', async () => {
    const dir = vaultDir();
    const seen: Finding[] = [];
    const r = await diagnose(dir, { passphrase: NEVER, onFinding: (f) => seen.push(f) });
    expect([r.stopped, r.problems, r.firstError]).toEqual([false, 0, undefined]);
    expect(seen).toEqual(r.findings);
    expect(statuses(r.findings).every((s) => s === 'ok')).toBe(true);
    expect(r.findings.map((f) => f.text)).toContain(`schema version ${SCHEMA_VERSION}`);
    expect(r.findings.map((f) => f.text)).toContain('all 1 secrets (with history) decrypt and authenticate');
  });

  it('loose permissions fail, --fix repairs them; another owner is a warning; no vault stops at once', async () => {
    const dir = vaultDir();
    fs.chmodSync(path.join(dir, 'vault.db'), 0o644);
    const before = await diagnose(dir, { passphrase: NEVER });
    const failed = before.findings.find((f) => f.status === 'fail');
    expect(failed?.status === 'fail' && [failed.text, failed.error.code]).toEqual(['permissions', 'E_PERMISSIONS']);
    expect(before.problems).toBe(1);
    const fixed = await diagnose(dir, { fix: true, passphrase: NEVER, uid: 12345 });
    expect(statuses(fixed.findings)).toContain('fixed');
    expect(fixed.findings).toContainEqual({ status: 'warn', text: expect.stringContaining('not to you (uid 12345)') });
    expect([fixed.problems, fs.statSync(path.join(dir, 'vault.db')).mode & 0o777]).toEqual([0, 0o600]);
    const none = await diagnose(path.join(tmpdir(), 'nothing'), { passphrase: NEVER });
    expect([none.stopped, none.findings.length, none.firstError?.code]).toEqual([true, 1, 'E_VAULT_NOT_FOUND']);
  });

  it('a protected key file: the passphrase is asked once; a wrong one stops at unlock', async () => {
    const dir = vaultDir({ passphrase: 'right horse' });
    let asked = 0;
    const r = await diagnose(dir, { passphrase: () => (asked++, Promise.resolve(Buffer.from('right horse'))) });
    expect([asked, r.problems]).toEqual([1, 0]);
    const wrong = await diagnose(dir, { passphrase: () => Promise.resolve(Buffer.from('wrong')) });
    expect([wrong.stopped, wrong.findings.at(-1)?.text]).toEqual([true, 'unlock']);
  });

  it('a row changed behind seeqret: its value no longer authenticates and the integrity check names it', async () => {
    const dir = vaultDir();
    const db = new Database(path.join(dir, 'vault.db'));
    db.prepare("UPDATE secrets SET env = 'dev' WHERE key = 'DB'").run();
    db.close();
    const r = await diagnose(dir, { passphrase: NEVER });
    const failures = r.findings.flatMap((f) => (f.status === 'fail' ? [`${f.text} ${f.error.code}`] : []));
    expect(failures).toContain('integrity E_TAMPERED');
    expect([r.stopped, r.firstError?.code, r.problems]).toEqual([false, 'E_DECRYPT', failures.length]);
  });
});

describe('upgrade (in-process)', () => {
  it('up to date: nothing done; schema 4: backup copy (0600) named after the clock, then migrated', async () => {
    const dir = vaultDir();
    const v = Vault.open({ dir, allowOutdatedSchema: true });
    expect(upgradeVault(v, new Date())).toEqual({ upToDate: true, version: SCHEMA_VERSION });
    v.close();
    downgradeToSchema4(dir);
    const old = Vault.open({ dir, allowOutdatedSchema: true });
    const r = upgradeVault(old, new Date('2031-02-03T04:05:06.789Z'));
    old.close();
    expect(r).toEqual({ upToDate: false, from: 4, to: SCHEMA_VERSION, applied: [5], backup: path.join(dir, 'vault.db.pre-upgrade-v4-2031-02-03T04-05-06-789Z'), auditBrokenAt: null });
    expect(!r.upToDate && fs.statSync(r.backup).mode & 0o777).toBe(0o600);
    expect((await diagnose(dir, { passphrase: NEVER })).problems).toBe(0);
  });
});
