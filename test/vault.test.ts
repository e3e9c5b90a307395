/**
 * The vault core through the library: real SQLite files, real crypto, temporary folders.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { parseFilter } from '../src/filter/index.js';
import { SCHEMA_VERSION, migrate } from '../src/vault/schema.js';
import { Vault } from '../src/vault/vault.js';
import { VERSION } from '../src/version.js';
import { ROOT, cli, cliIn, errorCode, tmpdir, thrownCode } from './helpers.js';
import { flip, must } from './must.js';

const FAST_KDF = { opslimit: 1, memlimit: 8 * 1024 * 1024 };

function create(opts: { passphrase?: string } = {}): { dir: string; vault: Vault } {
  const dir = path.join(tmpdir(), 'seeqret');
  const vault = Vault.create({ dir, username: 'alice', email: 'alice@example.com', kdfCost: FAST_KDF, ...opts });
  return { dir, vault };
}


describe('package', () => {
  it('VERSION matches package.json', () => {
    expect((JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version).toBe(VERSION);
  });
});

describe('values at rest', () => {
  it('no file in the vault folder contains a stored value in plaintext', () => {
    const { dir, vault } = create();
    const values = ['plaintext-marker-1f9a', 'ünïcödé-marker-✓', 'x'.repeat(5000) + 'long-marker'];
    values.forEach((value, i) => vault.set({ key: `K${i}`, value }));
    vault.set({ key: 'K0', value: 'replacement-marker-77' }, { replace: true });
    vault.close();
    const files = fs.readdirSync(dir);
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const f of files) {
      const bytes = fs.readFileSync(path.join(dir, f));
      for (const value of [...values, 'replacement-marker-77']) {
        for (const enc of ['utf8', 'utf16le'] as const) expect(bytes.includes(Buffer.from(value, enc)), `${f} contains ${value.slice(0, 20)}`).toBe(false);
      }
    }
  });

  it('a ciphertext copied to another row (or an old version moved back) fails to decrypt', () => {
    const { dir, vault } = create();
    vault.set({ app: 'a', env: 'dev', key: 'ONE', value: 'first' });
    vault.set({ app: 'a', env: 'dev', key: 'TWO', value: 'second' });
    vault.set({ app: 'a', env: 'dev', key: 'TWO', value: 'second-v2' }, { replace: true });
    vault.close();
    const db = new Database(path.join(dir, 'vault.db'));
    const one = db.prepare("SELECT value FROM secrets WHERE key = 'ONE'").pluck().get() as Buffer;
    db.prepare("UPDATE secrets SET value = ? WHERE key = 'TWO'").run(one);
    db.close();
    const v = Vault.open({ dir });
    const [two] = v.find([parseFilter('a:dev:TWO')]);
    expect(thrownCode(() => v.reveal(must(two)))).toBe('E_DECRYPT');
    expect(thrownCode(() => v.get('TWO', { app: 'a', env: 'dev' }))).toBe('E_DECRYPT');
    v.close();
    // Roll the current value back to the version-1 ciphertext: bound to version 1, refused as version 2.
    const db2 = new Database(path.join(dir, 'vault.db'));
    const old = db2.prepare("SELECT h.value FROM secret_history h JOIN secrets s ON s.id = h.secret_id WHERE s.key = 'TWO'").pluck().get() as Buffer;
    db2.prepare("UPDATE secrets SET value = ? WHERE key = 'TWO'").run(old);
    db2.close();
    const v2 = Vault.open({ dir });
    expect(thrownCode(() => v2.reveal(must(v2.find([parseFilter('a:dev:TWO')])[0])))).toBe('E_DECRYPT');
    v2.close();
  });

  it('a flipped byte in any stored ciphertext gives E_DECRYPT, never garbage', () => {
    const { dir, vault } = create();
    vault.set({ key: 'K', value: 'value-to-tamper' });
    vault.close();
    const db = new Database(path.join(dir, 'vault.db'));
    const blob = db.prepare("SELECT value FROM secrets WHERE key = 'K'").pluck().get() as Buffer;
    for (let i = 0; i < blob.length; i++) {
      const t = Buffer.from(blob);
      flip(t, i, 0x01);
      db.prepare("UPDATE secrets SET value = ? WHERE key = 'K'").run(t);
      const v = Vault.open({ dir });
      expect(thrownCode(() => v.get('K')), `byte ${i}`).toBe('E_DECRYPT');
      v.close();
    }
    db.close();
  });
});

describe('opening failures each have their own error', () => {
  it('missing key file', () => {
    const { dir, vault } = create();
    vault.close();
    fs.unlinkSync(path.join(dir, 'vault.key'));
    expect(thrownCode(() => Vault.open({ dir }))).toBe('E_KEY_MISSING');
  });

  it('key file of another vault', () => {
    const a = create();
    const b = create();
    a.vault.close();
    b.vault.close();
    fs.copyFileSync(path.join(b.dir, 'vault.key'), path.join(a.dir, 'vault.key'));
    expect(thrownCode(() => Vault.open({ dir: a.dir }))).toBe('E_KEY_MISMATCH');
  });

  it('wrong passphrase, missing passphrase, right passphrase', () => {
    const { dir, vault } = create({ passphrase: 'right one' });
    vault.set({ key: 'K', value: 'v' });
    vault.close();
    expect(thrownCode(() => Vault.open({ dir, passphrase: 'wrong one' }))).toBe('E_WRONG_PASSPHRASE');
    expect(thrownCode(() => Vault.open({ dir }))).toBe('E_PASSPHRASE_REQUIRED');
    const v = Vault.open({ dir, passphrase: 'right one' });
    expect(v.get('K')).toBe('v');
    v.close();
    expect(fs.readFileSync(path.join(dir, 'vault.key'), 'utf8')).not.toContain(v.publicKey.toString('hex'));
  });

  it('truncated database', () => {
    const { dir, vault } = create();
    for (let i = 0; i < 200; i++) vault.set({ key: `K${i}`, value: 'x'.repeat(200) });
    vault.close();
    const db = path.join(dir, 'vault.db');
    const size = fs.statSync(db).size;
    expect(size).toBeGreaterThan(8192);
    fs.truncateSync(db, Math.floor(size / 2));
    const code = thrownCode(() => {
      const v = Vault.open({ dir });
      try {
        for (const r of v.all()) v.reveal(r);
      } finally {
        v.close();
      }
    });
    expect(code).toBe('E_VAULT_CORRUPT');
    fs.truncateSync(db, 50);
    expect(thrownCode(() => Vault.open({ dir }))).toBe('E_VAULT_CORRUPT');
    fs.writeFileSync(db, 'this is not a database at all, just text that is long enough to fill a header '.repeat(3));
    expect(thrownCode(() => Vault.open({ dir }))).toBe('E_VAULT_CORRUPT');
  });

  it('CLI: a truncated db, a flipped byte and a missing key file each give their own code', () => {
    // The vault and its secret are written in-process (what `init` and `add key` call; both run as
    // child processes in test/cli.test.ts): what is checked is the `get` processes below.
    const { dir: v, vault } = create();
    vault.set({ key: 'K', value: 'secret-value' });
    vault.close();
    const db = new Database(path.join(v, 'vault.db'));
    const blob = db.prepare('SELECT value FROM secrets').pluck().get() as Buffer;
    flip(blob, blob.length - 1, 0x80);
    db.prepare('UPDATE secrets SET value = ?').run(blob);
    db.close();
    const flipped = cli(['get', 'K'], { vault: v });
    expect(errorCode(flipped)).toBe('E_DECRYPT');
    expect(flipped.code).toBe(6);
    expect(flipped.stdout).toBe('');
    fs.renameSync(path.join(v, 'vault.key'), path.join(v, 'gone'));
    expect(errorCode(cli(['get', 'K'], { vault: v }))).toBe('E_KEY_MISSING');
    fs.renameSync(path.join(v, 'gone'), path.join(v, 'vault.key'));
    fs.truncateSync(path.join(v, 'vault.db'), 10);
    const trunc = cli(['get', 'K'], { vault: v });
    expect(errorCode(trunc)).toBe('E_VAULT_CORRUPT');
    expect(trunc.code).toBe(7);
  });
});

describe('schema migrations', () => {
  it('opening a vault from a newer seeqret fails clearly', async () => {
    const { dir, vault } = create();
    vault.close();
    const db = new Database(path.join(dir, 'vault.db'));
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(thrownCode(() => Vault.open({ dir }))).toBe('E_SCHEMA_NEWER');
    const r = await cliIn(['list'], { vault: dir });
    expect(r.code).toBe(8);
    expect(r.stderr).toContain('newer seeqret');
  });

  it('an outdated vault is refused until `seeqret upgrade`, which backs up and migrates', async () => {
    const { dir, vault } = create();
    vault.close();
    // Rebuild the database at schema 1, as an older seeqret would have left it.
    const dbPath = path.join(dir, 'vault.db');
    const cur = new Database(dbPath);
    const meta = cur.prepare('SELECT name, value FROM meta').all() as Array<{ name: string; value: string }>;
    const owner = cur.prepare('SELECT username, email, pubkey, created_at FROM users').get() as Record<string, unknown>;
    cur.close();
    for (const f of fs.readdirSync(dir)) if (f.startsWith('vault.db')) fs.unlinkSync(path.join(dir, f));
    const db = new Database(dbPath);
    db.pragma('journal_mode = WAL');
    migrate(db, '0.9.0', 1);
    for (const m of meta) db.prepare('INSERT INTO meta (name, value) VALUES (?, ?)').run(m.name, m.value);
    db.prepare('INSERT INTO users (username, email, pubkey, is_owner, created_at) VALUES (?, ?, ?, 1, ?)').run(owner['username'], owner['email'], owner['pubkey'], owner['created_at']);
    db.close();
    expect(thrownCode(() => Vault.open({ dir }))).toBe('E_SCHEMA_OUTDATED');
    // `upgrade` as a child process (its one end-to-end run in the suite); the commands around it
    // in-process: what they check is their status and output.
    const refused = await cliIn(['list'], { vault: dir });
    expect(refused.stderr).toContain('seeqret upgrade');
    const up = cli(['upgrade'], { vault: dir });
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain(`from schema 1 to ${SCHEMA_VERSION}`);
    expect(fs.readdirSync(dir).some((f) => f.startsWith('vault.db.pre-upgrade-v1'))).toBe(true);
    expect((await cliIn(['add', 'key', 'K', 'v'], { vault: dir })).code).toBe(0);
    expect((await cliIn(['get', 'K'], { vault: dir })).stdout).toBe('v\n');
    expect((await cliIn(['upgrade'], { vault: dir })).stdout).toContain('up to date');
  });
});

describe('library get', () => {
  it('prefers the most specific value and reports ambiguity', () => {
    const { dir, vault } = create();
    vault.set({ key: 'DB', value: 'global' });
    vault.set({ app: 'web', env: '*', key: 'DB', value: 'web-any-env' });
    vault.set({ app: 'web', env: 'prod', key: 'DB', value: 'web-prod' });
    vault.set({ app: '*', env: 'dev', key: 'DB', value: 'any-app-dev' });
    vault.set({ app: 'api', env: 'dev', key: 'ONLY', value: 'api-dev' });
    vault.set({ app: 'api', env: 'prod', key: 'ONLY', value: 'api-prod' });
    vault.close();
    const v = Vault.open({ dir, readonly: true });
    expect(v.get('DB', { app: 'web', env: 'prod' })).toBe('web-prod');
    expect(v.get('DB', { app: 'web', env: 'test' })).toBe('web-any-env');
    expect(v.get('DB', { app: 'other', env: 'dev' })).toBe('any-app-dev');
    expect(v.get('DB', { app: 'other', env: 'prod' })).toBe('global');
    expect(v.get('ONLY', { app: 'api', env: 'prod' })).toBe('api-prod');
    expect(thrownCode(() => v.get('ONLY'))).toBe('E_AMBIGUOUS');
    expect(thrownCode(() => v.get('ONLY', { app: 'web', env: 'prod' }))).toBe('E_NOT_FOUND');
    expect(thrownCode(() => v.get('MISSING'))).toBe('E_NOT_FOUND');
    v.close();
  });

  it('setMany is all-or-nothing: one invalid entry writes nothing', () => {
    const { vault } = create();
    expect(thrownCode(() => vault.setMany([{ key: 'GOOD', value: '1' }, { key: 'BAD:NAME', value: '2' }]))).toBe('E_INVALID_NAME');
    expect(vault.count()).toBe(0);
    vault.close();
  });

  it('refuses values that are not well-formed Unicode', () => {
    const { vault } = create();
    expect(thrownCode(() => vault.set({ key: 'K', value: 'bad \uD800 surrogate' }))).toBe('E_BAD_VALUE');
    vault.close();
  });
});
