/**
 * Issue 11, item 2: whoever can write vault.db without the key cannot change what the vault means.
 * Every attack is a raw SQLite write (better-sqlite3 opened directly on vault.db, as a backup tool,
 * a sync folder or another process of the same user could do), then the real CLI.
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { accessMatrix, sharesOf } from '../src/sharing/access.js';
import { PROTECTED_TABLES } from '../src/vault/integrity.js';
import { SCHEMA_VERSION } from '../src/vault/schema.js';
import { Vault } from '../src/vault/vault.js';
import { type CliResult, backupIn, cliIn, downgradeToSchema4, addSecrets, errorCode, introduce, newVault, tmpdir, rawDatabase } from './helpers.js';
import { must } from './must.js';

/** Run raw SQL on a vault's database, as someone without the key would. */
const raw = rawDatabase;

/** A copy of the database as it is now (an older copy, for replay attacks). */
function snapshot(vault: string): string {
  const file = path.join(tmpdir(), 'old-vault.db');
  raw(vault, (db) => db.prepare('VACUUM INTO ?').run(file));
  return file;
}

function expectTampered(r: CliResult, ...names: string[]): void {
  expect(errorCode(r), r.stderr).toBe('E_TAMPERED');
  expect(r.code).toBe(6);
  for (const n of names) expect(r.stderr).toContain(n);
}

async function doctorTampered(vault: string, ...names: string[]): Promise<string> {
  const r = await cliIn(['doctor'], { vault });
  expect(r.code, r.stdout).toBe(6);
  expect(r.stdout).toContain('E_TAMPERED');
  for (const n of names) expect(r.stdout).toContain(n);
  return r.stdout;
}

function ok(r: CliResult): CliResult {
  expect(r.code, r.stderr).toBe(0);
  return r;
}

/** Alice (owner) and bob, who know each other (alice verified bob); alice has web:dev:K with a history. */
async function verifiedPair(): Promise<{ alice: string; bob: string }> {
  const alice = newVault();
  const bob = newVault({ user: 'bob' });
  introduce(bob, alice, { verify: true });
  introduce(alice, bob);
  addSecrets(alice, { key: 'K', value: 'v1', app: 'web', env: 'dev' });
  ok(await cliIn(['edit', 'value', 'web:dev:K', 'v2'], { vault: alice }));
  return { alice, bob };
}

describe('users: a public key or verification mark changed outside seeqret', () => {
  it('replacing bob\'s key (and marking it verified) makes export to bob and load "from bob" refuse, and doctor report it', async () => {
    const alice = newVault();
    const bob = newVault({ user: 'bob' });
    const mallory = newVault({ user: 'bob' }); // calls itself bob
    introduce(bob, alice); // alice knows bob, unverified
    introduce(alice, mallory);
    addSecrets(alice, { key: 'K', value: 'alice-secret-value' });
    const malloryKey = (await cliIn(['public-key'], { vault: mallory })).stdout.trim();
    raw(alice, (db) => db.prepare("UPDATE users SET pubkey = ?, verified_at = 1700000000000 WHERE username = 'bob'").run(malloryKey));

    const out = path.join(tmpdir(), 'to-bob.json');
    const exp = await cliIn(['export', '--to', 'bob', '-f', '::K', '-o', out], { vault: alice });
    expectTampered(exp, "user bob's record");
    expect(fs.existsSync(out)).toBe(false);

    // Mallory's bundle, made with the key now under bob's name, is refused too.
    addSecrets(mallory, { key: 'EVIL', value: 'x' });
    const bundle = path.join(tmpdir(), 'from-mallory.json');
    ok(await cliIn(['export', '--to', 'alice', '-f', '::EVIL', '-o', bundle], { vault: mallory }));
    expectTampered(await cliIn(['load', '-f', bundle], { vault: alice }), "user bob's record");
    expect((await cliIn(['list', '--format', 'json'], { vault: alice })).stdout).not.toContain('EVIL');

    const report = await doctorTampered(alice, "user bob's record");
    expect(report).not.toContain('alice-secret-value');
  });

  it('a verification mark alone, another e-mail, the owner flag, or one row\'s MAC copied to another are each detected', async () => {
    const alice = newVault();
    introduce(newVault({ user: 'bob' }), alice);
    introduce(newVault({ user: 'carol' }), alice);
    const snap = snapshot(alice);
    const attacks: Array<[string, string]> = [
      ["UPDATE users SET verified_at = 1 WHERE username = 'bob'", "user bob's record"],
      ["UPDATE users SET email = 'bob@evil.example' WHERE username = 'bob'", "user bob's record"],
      ["UPDATE users SET is_owner = 1 WHERE username = 'carol'", "user carol's record"],
      ["UPDATE users SET mac = (SELECT mac FROM users WHERE username = 'carol') WHERE username = 'bob'", "user bob's record"],
    ];
    for (const [sql, name] of attacks) {
      fs.copyFileSync(snap, path.join(alice, 'vault.db'));
      fs.chmodSync(path.join(alice, 'vault.db'), 0o600);
      for (const f of ['vault.db-wal', 'vault.db-shm']) fs.rmSync(path.join(alice, f), { force: true });
      raw(alice, (db) => db.exec(sql));
      expectTampered(await cliIn(['export', '--to', 'all', '-f', '::', '-o', path.join(tmpdir(), 'x.json')], { vault: alice }), name);
      await doctorTampered(alice, name);
    }
  });

  it('deleting a user row, or putting back an old row of a re-keyed user, is detected by export, load and doctor', async () => {
    const alice = newVault();
    const bob = newVault({ user: 'bob' });
    introduce(bob, alice);
    introduce(newVault({ user: 'carol' }), alice);
    addSecrets(alice, { key: 'K', value: 'v' });
    raw(alice, (db) => db.exec("DELETE FROM users WHERE username = 'carol'"));
    expectTampered(await cliIn(['export', '--to', 'bob', '-f', '::K', '-o', path.join(tmpdir(), 'x.json')], { vault: alice }), 'the users', 'removed');
    await doctorTampered(alice, 'the users');

    // Row replay: bob's old key put back (with its old, valid MAC) after he was re-keyed.
    const a2 = newVault();
    introduce(bob, a2);
    const old = snapshot(a2);
    ok(await cliIn(['rm', 'user', 'bob', '--yes'], { vault: a2 }));
    introduce(newVault({ user: 'bob' }), a2); // bob's new key
    raw(a2, (db) => {
      db.prepare('ATTACH ? AS old').run(old);
      db.exec("DELETE FROM users WHERE username = 'bob'; INSERT INTO users SELECT * FROM old.users WHERE username = 'bob';");
    });
    addSecrets(a2, { key: 'K', value: 'v' });
    expectTampered(await cliIn(['export', '--to', 'bob', '-f', '::K', '-o', path.join(tmpdir(), 'y.json')], { vault: a2 }), 'the users', 'older copy');
    addSecrets(bob, { key: 'B', value: 'b' });
    introduce(a2, bob);
    const bundle = path.join(tmpdir(), 'from-old-bob.json');
    ok(await cliIn(['export', '--to', 'alice', '-f', '::B', '-o', bundle], { vault: bob }));
    expectTampered(await cliIn(['load', '-f', bundle], { vault: a2 }), 'the users');
    await doctorTampered(a2, 'the users');
  });
});

describe('secrets: a rotated-away value put back as current', () => {
  async function rotated(): Promise<string> {
    const vault = newVault();
    addSecrets(vault, { key: 'K', value: 'old-rotated-away' });
    ok(await cliIn(['edit', 'value', 'K', 'new-current'], { vault }));
    introduce(newVault({ user: 'bob' }), vault);
    return vault;
  }

  it('the history ciphertext put back with its older version: get, run, env and export refuse; doctor reports', async () => {
    const vault = await rotated();
    raw(vault, (db) => db.exec("UPDATE secrets SET value = (SELECT h.value FROM secret_history h WHERE h.secret_id = secrets.id AND h.version = 1), version = 1 WHERE key = 'K'"));
    const g = await cliIn(['get', 'K'], { vault });
    expectTampered(g, '*:*:K');
    expect(g.stdout).toBe('');
    const run = await cliIn(['run', '-f', '::K', '--', process.execPath, '-e', 'process.stdout.write(process.env.K ?? "")'], { vault });
    expectTampered(run, '*:*:K');
    expect(run.stdout).not.toContain('old-rotated-away');
    const cwd = tmpdir();
    fs.writeFileSync(path.join(cwd, 'env.template'), '::K\n');
    const env = await cliIn(['env', '--stdout'], { vault, cwd });
    expectTampered(env, '*:*:K');
    expect(env.stdout).not.toContain('old-rotated-away');
    expectTampered(await cliIn(['export', '--to', 'bob', '-f', '::K'], { vault }), '*:*:K');
    const report = await doctorTampered(vault, '*:*:K');
    expect(report).not.toContain('old-rotated-away');
  });

  it('the whole old row put back from an older copy of vault.db: run, env, export, load and doctor refuse', async () => {
    const vault = newVault();
    addSecrets(vault, { key: 'K', value: 'old-rotated-away' });
    const bob = newVault({ user: 'bob' });
    introduce(bob, vault);
    introduce(vault, bob);
    const old = snapshot(vault);
    ok(await cliIn(['edit', 'value', 'K', 'new-current'], { vault }));
    raw(vault, (db) => {
      db.prepare('ATTACH ? AS old').run(old);
      // Only the row: foreign keys off, so its history is not deleted with it.
      db.pragma('foreign_keys = OFF');
      db.exec("DELETE FROM secrets WHERE key = 'K'; INSERT INTO secrets SELECT * FROM old.secrets WHERE key = 'K';");
    });
    // get checks only the row it decrypts (O(1)): its history says version 1 was replaced.
    const g = await cliIn(['get', 'K'], { vault });
    expectTampered(g, 'current value', 'older one');
    expect(g.stdout).toBe('');
    // With that history removed as well, get has no way to know; the table aggregates do.
    raw(vault, (db) => db.exec("DELETE FROM secret_history WHERE secret_id = (SELECT id FROM secrets WHERE key = 'K')"));
    const run = await cliIn(['run', '-f', '::K', '--', process.execPath, '-e', 'process.stdout.write(process.env.K ?? "")'], { vault });
    expectTampered(run, 'older copy');
    expect(run.stdout).toBe('');
    const cwd = tmpdir();
    fs.writeFileSync(path.join(cwd, 'env.template'), '::K\n');
    expectTampered(await cliIn(['env', '--stdout'], { vault, cwd }), 'the secrets');
    expectTampered(await cliIn(['export', '--to', 'bob', '-f', '::K'], { vault }), 'the secrets');
    addSecrets(bob, { key: 'B', value: 'b' });
    const bundle = path.join(tmpdir(), 'b.json');
    ok(await cliIn(['export', '--to', 'alice', '-f', '::B', '-o', bundle], { vault: bob }));
    expectTampered(await cliIn(['load', '-f', bundle], { vault }), 'the secrets');
    await doctorTampered(vault, 'the secrets');
  });

  it('a history row changed, or moved to another secret, is reported by doctor and refused by history --reveal', async () => {
    const vault = await rotated();
    addSecrets(vault, { key: 'OTHER', value: 'o1' });
    ok(await cliIn(['edit', 'value', 'OTHER', 'o2'], { vault }));
    raw(vault, (db) => db.exec("UPDATE secret_history SET replaced_at = replaced_at + 1 WHERE secret_id = (SELECT id FROM secrets WHERE key = 'K')"));
    expectTampered(await cliIn(['history', 'K', '--reveal'], { vault }), 'version 1 in the history of secret *:*:K');
    await doctorTampered(vault, 'version 1 in the history of secret *:*:K');
  });
});

describe('the audit log', () => {
  it('deleting every entry and the head is E_TAMPERED, never "0 entries, chain intact"', async () => {
    const vault = newVault();
    addSecrets(vault, { key: 'K', value: 'v' });
    raw(vault, (db) => db.exec("DROP TRIGGER audit_no_delete; DELETE FROM audit; DELETE FROM meta WHERE name = 'audit_head';"));
    const report = await doctorTampered(vault, "the audit log's head was removed");
    expect(report).not.toContain('0 entries');
    expectTampered(await cliIn(['audit', '--verify'], { vault }), "the audit log's head was removed");
    // Every command that records something refuses to extend a log without its head.
    expectTampered(await cliIn(['get', 'K'], { vault }), 'audit log');
  });

  it('deleting the entries but keeping the head, or the head alone, an edited entry with the triggers dropped: each detected', async () => {
    const cases: Array<[string, string]> = [
      ['DROP TRIGGER audit_no_delete; DELETE FROM audit;', 'newest entries were removed'],
      ["DROP TRIGGER audit_no_update; UPDATE audit SET target = 'nobody' WHERE action = 'secret.add';", 'was changed, inserted or removed'],
      ["UPDATE meta SET value = replace(value, '\"n\":', '\"n\":1') WHERE name = 'audit_head';", "the audit log's head was changed"],
    ];
    for (const [sql, what] of cases) {
      const vault = newVault();
      addSecrets(vault, { key: 'K', value: 'v' });
      raw(vault, (db) => db.exec(sql));
      expectTampered(await cliIn(['audit', '--verify'], { vault }), what);
      await doctorTampered(vault, what);
    }
  });
});

describe('sharing records', () => {
  it('deleting a loaded_bundles row to re-enable a replay: load refuses', async () => {
    const alice = newVault();
    const bob = newVault({ user: 'bob' });
    introduce(alice, bob);
    introduce(bob, alice);
    addSecrets(alice, { key: 'K', value: 'first' });
    const bundle = path.join(tmpdir(), 'k.json');
    ok(await cliIn(['export', '--to', 'bob', '-f', '::K', '-o', bundle], { vault: alice }));
    ok(await cliIn(['load', '-f', bundle], { vault: bob }));
    expect(errorCode(await cliIn(['load', '-f', bundle], { vault: bob }))).toBe('E_BUNDLE_REPLAY');
    raw(bob, (db) => db.exec('DELETE FROM loaded_bundles'));
    expectTampered(await cliIn(['load', '-f', bundle, '--overwrite'], { vault: bob }), 'loaded bundles');
    await doctorTampered(bob, 'loaded bundles');
    // Editing the record (another sender) instead of deleting it: the row itself is refused.
    const alice2 = newVault();
    const b2 = newVault({ user: 'bob' });
    introduce(alice2, b2);
    introduce(b2, alice2);
    addSecrets(alice2, { key: 'K', value: 'first' });
    const bundle2 = path.join(tmpdir(), 'k2.json');
    ok(await cliIn(['export', '--to', 'bob', '-f', '::K', '-o', bundle2], { vault: alice2 }));
    ok(await cliIn(['load', '-f', bundle2], { vault: b2 }));
    raw(b2, (db) => db.exec("UPDATE loaded_bundles SET at = at + 1"));
    expectTampered(await cliIn(['load', '-f', bundle2], { vault: b2 }), 'was loaded');
  });

  it('deleting the record of what bob was sent: rm user (which marks what he had as exposed) and doctor refuse', async () => {
    const alice = newVault();
    introduce(newVault({ user: 'bob' }), alice);
    addSecrets(alice, { key: 'K', value: 'v' });
    ok(await cliIn(['export', '--to', 'bob', '-f', '::K', '-o', path.join(tmpdir(), 'k.json')], { vault: alice }));
    raw(alice, (db) => db.exec('DELETE FROM shares'));
    expectTampered(await cliIn(['rm', 'user', 'bob', '--yes'], { vault: alice }), 'sent to and received from whom');
    await doctorTampered(alice, 'sent to and received from whom');
  });

  it('more share records than one 65,536-row chunk of the aggregate: the access matrix page matches the full fold, and one deleted record or a swapped MAC is refused', () => {
    const dir = newVault();
    const v = Vault.open({ dir });
    v.setMany(Array.from({ length: 3_000 }, (_, i) => ({ app: `a${String(i % 3)}`, env: 'dev', key: `K${String(i)}`, value: `v${String(i)}` })));
    const all = v.all();
    const people = ['bob', 'carol'].map((username) => v.addUser({ username, publicKey: randomBytes(32) }));
    for (let b = 0; b < 34; b++) v.recordExport(`b${String(b)}`, must(people[b % 2]), all.filter((_, i) => (i + b) % 3 !== 0), 'bundle');
    v.updateValues(all.slice(0, 100), 'changed');
    expect(v.sharingRecords().shares.length).toBeGreaterThan(65_536);
    const full = sharesOf(v);
    const m = accessMatrix(v, { offset: 1_000, limit: 200 });
    expect(m.total).toBe(3_000);
    expect(m.columns.map((c) => c.username)).toEqual(['bob', 'carol']);
    for (const row of m.rows) {
      m.columns.forEach((c, i) => {
        const h = full.get(c.username)?.get(`${row.secret.app}:${row.secret.env}:${row.secret.key}`);
        expect(row.cells[i]).toEqual(h ? { ...h, current: h.version >= row.secret.version && h.at >= row.secret.createdAt } : null);
      });
    }
    v.close();
    const snap = snapshot(dir);
    raw(dir, (db) => db.exec('DELETE FROM shares WHERE id = (SELECT max(id) FROM shares)'));
    const after = Vault.open({ dir });
    expect(() => accessMatrix(after, { limit: 200 })).toThrow(/sent to and received from whom/);
    after.close();
    fs.copyFileSync(snap, path.join(dir, 'vault.db'));
    // Two rows' MACs swapped: the sum is the same, but each row is refused when named.
    raw(dir, (db) => {
      const mac = db.prepare('SELECT mac FROM shares WHERE id = ?').pluck();
      const [first, last] = [mac.get(1), mac.get(67_000)];
      db.prepare('UPDATE shares SET mac = ? WHERE id = ?').run(last, 1);
      db.prepare('UPDATE shares SET mac = ? WHERE id = ?').run(first, 67_000);
    });
    const swapped = Vault.open({ dir });
    // The aggregate is unchanged; the page showing the swapped row checks that row's MAC.
    expect(() => accessMatrix(swapped, { limit: 200 })).toThrow(/was shared with bob was changed/);
    expect(swapped.integrityProblems().join('\n')).toContain('was shared with');
    swapped.close();
  });

  it('the integrity record removed from meta is itself E_TAMPERED (it cannot be reset by deleting it)', async () => {
    const vault = newVault();
    addSecrets(vault, { key: 'K', value: 'v' });
    raw(vault, (db) => db.exec("DELETE FROM meta WHERE name = 'integrity'"));
    expectTampered(await cliIn(['run', '-f', '::K', '--', process.execPath, '-e', '0'], { vault }), 'integrity record');
    expectTampered(await cliIn(['add', 'key', 'L', 'w'], { vault }), 'integrity record');
    await doctorTampered(vault, 'integrity record');
  });

  it('one table put back from an older copy together with the integrity record of that time: the other tables no longer match', async () => {
    const alice = newVault();
    const bob = newVault({ user: 'bob' });
    introduce(bob, alice);
    const old = snapshot(alice);
    ok(await cliIn(['rm', 'user', 'bob', '--yes'], { vault: alice }));
    introduce(newVault({ user: 'bob' }), alice); // bob re-keyed
    addSecrets(alice, { key: 'K', value: 'v' });
    // The whole old users table and the old integrity record: users agree with it, secrets do not.
    raw(alice, (db) => {
      db.prepare('ATTACH ? AS old').run(old);
      db.exec("DELETE FROM users; INSERT INTO users SELECT * FROM old.users; UPDATE meta SET value = (SELECT value FROM old.meta WHERE name = 'integrity') WHERE name = 'integrity';");
    });
    expectTampered(await cliIn(['export', '--to', 'bob', '-f', '::K', '-o', path.join(tmpdir(), 'x.json')], { vault: alice }), 'the secrets');
    await doctorTampered(alice, 'the secrets');
  });
});

describe('legitimate use keeps the vault authentic', () => {
  it('every write path (add, edit, rename, remove, users, export, load, restore, rm user) leaves doctor clean', async () => {
    const { alice, bob } = await verifiedPair();
    ok(await cliIn(['importenv', '-', '--app', 'web', '--env', 'dev'], { vault: alice, input: 'A=1\nB=2\n' }));
    const bundle = path.join(tmpdir(), 'x.json');
    ok(await cliIn(['export', '--to', 'bob', '-f', 'web:dev:', '-o', bundle], { vault: alice }));
    ok(await cliIn(['load', '-f', bundle], { vault: bob }));
    ok(await cliIn(['rm', 'key', 'web:dev:A', '--yes'], { vault: alice }));
    ok(await cliIn(['rm', 'user', 'bob', '--yes'], { vault: alice }));
    const backup = path.join(tmpdir(), 'b.age');
    const env = { SEEQRET_BACKUP_PASSPHRASE: 'correct horse battery staple' };
    // The backup by its use case at a low scrypt work factor (helpers.backupIn: the same file and
    // `backup` audit entry as `seeqret backup`: test/sharing.test.ts runs it in-process, and
    // test/output-paths.test.ts as a child process at age's default work factor).
    await backupIn(alice, backup, env.SEEQRET_BACKUP_PASSPHRASE);
    ok(await cliIn(['restore', backup], { vault: bob, env }));
    for (const v of [alice, bob]) {
      const r = await cliIn(['doctor'], { vault: v });
      expect(r.code, r.stdout).toBe(0);
      expect(r.stdout).toContain('integrity: every user, secret');
    }
  });

  it('writes composed with atomically (a dry run inside, a failed savepoint, audit entries) keep the records exact', () => {
    const dir = path.join(tmpdir(), 'v');
    const v = Vault.create({ dir, username: 'me', email: 'me@example.com' });
    try {
      const entries = v.auditLog().length;
      v.atomically(() => {
        v.setMany([{ key: 'A', value: '1' }]);
        v.setMany([{ key: 'B', value: '2' }], { dryRun: true });
        expect(() =>
          v.atomically(() => {
            v.setMany([{ key: 'C', value: '3' }]);
            throw new Error('inner failure');
          }),
        ).toThrow('inner failure');
        v.setMany([{ key: 'D', value: '4' }]);
        v.audit([{ action: 'import', target: 'test' }]);
      });
      expect(v.all().map((r) => r.key)).toEqual(['A', 'D']);
      expect(v.integrityProblems()).toEqual([]);
      // One entry per action of the command (issue 12), naming exactly the secrets that were written.
      const added = v.auditLog().slice(entries);
      expect(added.map((e) => `${e.action} ${e.target}`)).toEqual(['secret.add 2 secrets', 'import test']);
      expect(JSON.parse(must(must(added[0]).detail))).toEqual({ version: 1, n: 2, secrets: ['*:*:A', '*:*:D'] });
    } finally {
      v.close();
    }
  });
});

describe('schema 5 upgrade', () => {
  it('a schema-4 vault is refused until `seeqret upgrade`, which authenticates it as it is; then tampering is detected', async () => {
    expect(SCHEMA_VERSION).toBe(5);
    const alice = newVault();
    const bob = newVault({ user: 'bob' });
    introduce(bob, alice, { verify: true });
    introduce(alice, bob);
    addSecrets(alice, { key: 'K', value: 'v1' });
    ok(await cliIn(['edit', 'value', 'K', 'v2'], { vault: alice }));
    addSecrets(bob, { key: 'FROM_BOB', value: 'b' });
    const bundle = path.join(tmpdir(), 'b.json');
    ok(await cliIn(['export', '--to', 'alice', '-f', '::FROM_BOB', '-o', bundle], { vault: bob }));
    ok(await cliIn(['load', '-f', bundle], { vault: alice }));
    ok(await cliIn(['export', '--to', 'bob', '-f', '::K', '-o', path.join(tmpdir(), 'k.json')], { vault: alice }));
    downgradeToSchema4(alice);

    expect(errorCode(await cliIn(['list'], { vault: alice }))).toBe('E_SCHEMA_OUTDATED');
    const up = ok(await cliIn(['upgrade'], { vault: alice }));
    expect(up.stdout).toContain('from schema 4 to 5 (applied 5)');
    expect(up.stderr).not.toContain('audit log had already');
    const doc = ok(await cliIn(['doctor'], { vault: alice }));
    expect(doc.stdout).toContain('integrity: every user, secret');
    expect(doc.stdout).toMatch(/audit log: \d+ entries, hash chain and head intact/);
    expect((await cliIn(['get', 'K'], { vault: alice })).stdout).toBe('v2\n');
    expect(ok(await cliIn(['history', 'K', '--reveal'], { vault: alice })).stdout).toContain('v1');
    expect(errorCode(await cliIn(['load', '-f', bundle], { vault: alice }))).toBe('E_BUNDLE_REPLAY');
    raw(alice, (db) => db.exec("UPDATE users SET verified_at = NULL WHERE username = 'bob'"));
    await doctorTampered(alice, "user bob's record");
  });
});

describe('property: any single-cell change to a protected table is detected', () => {
  it('doctor\'s full check finds a random change to any column of any row (or its MAC)', async () => {
    const { alice, bob } = await verifiedPair();
    addSecrets(bob, { key: 'B', value: 'b' });
    const bundle = path.join(tmpdir(), 'b.json');
    ok(await cliIn(['export', '--to', 'alice', '-f', '::B', '-o', bundle], { vault: bob }));
    ok(await cliIn(['load', '-f', bundle], { vault: alice }));
    ok(await cliIn(['export', '--to', 'bob', '-f', 'web:dev:K', '-o', path.join(tmpdir(), 'k.json')], { vault: alice }));
    const pristine = snapshot(alice);
    const work = tmpdir();
    fs.copyFileSync(path.join(alice, 'vault.key'), path.join(work, 'vault.key'));
    fs.chmodSync(work, 0o700);
    // Every (table, row, column) there is, pgp_keys aside (empty here: covered by the same code).
    const cells: Array<{ table: string; rowid: unknown; keyCol: string; col: string }> = [];
    raw(alice, (db) => {
      for (const t of PROTECTED_TABLES) {
        const keyCol = t.name === 'loaded_bundles' ? 'bundle_id' : 'rowid';
        for (const r of db.prepare(`SELECT ${keyCol} AS k FROM ${t.name}`).all() as Array<{ k: unknown }>) {
          for (const col of [...t.cols, 'mac']) cells.push({ table: t.name, rowid: r.k, keyCol, col });
        }
      }
    });
    expect(new Set(cells.map((c) => c.table)).size).toBe(PROTECTED_TABLES.length - 1);
    const replacement = fc.oneof(fc.integer({ min: -5, max: 1e13 }), fc.string({ maxLength: 12 }), fc.constant(null), fc.uint8Array({ minLength: 0, maxLength: 40 }).map((a) => Buffer.from(a)));
    fc.assert(
      fc.property(fc.constantFrom(...cells), replacement, (cell, value) => {
        fs.copyFileSync(pristine, path.join(work, 'vault.db'));
        for (const f of ['vault.db-wal', 'vault.db-shm']) fs.rmSync(path.join(work, f), { force: true });
        let changed = 0;
        raw(work, (db) => {
          // The stored cell as SQLite itself writes it (type and value): the written value goes
          // through the column's affinity, so '2' into an INTEGER column stores 2 — no change.
          const stored = db.prepare(`SELECT quote(${cell.col}) AS q FROM ${cell.table} WHERE ${cell.keyCol} = ?`).pluck();
          const before = stored.get(cell.rowid);
          try {
            db.prepare(`UPDATE ${cell.table} SET ${cell.col} = ? WHERE ${cell.keyCol} = ?`).run(value, cell.rowid);
          } catch {
            return; // a constraint refused the change: nothing to detect
          }
          changed = stored.get(cell.rowid) === before ? 0 : 1;
        });
        if (changed === 0) return;
        const v = Vault.open({ dir: work });
        try {
          expect(v.integrityProblems().length, `${cell.table}.${cell.col} = ${String(value)}`).toBeGreaterThan(0);
        } finally {
          v.close();
        }
      }),
      { numRuns: 150 },
    );
  });
});
