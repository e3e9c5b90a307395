/**
 * Growth (issue 12): `restore` is linear in the records it brings (correctness here; the time is
 * in `npm run bench`, BENCH_ONLY=growth), one read command is one audit entry naming what it read,
 * and `audit compact` folds old entries into a checkpoint the chain verification still checks.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateIdentity, keyToBase64 } from '../src/crypto/index.js';
import { decryptBackup, encryptDump } from '../src/sharing/backup.js';
import { type QueuedAuditEntry, foldPerSecret } from '../src/vault/audit-fold.js';
import { Vault } from '../src/vault/vault.js';
import { type CliResult, backupIn, cliIn, errorCode, newVault, tmpdir, rawDatabase } from './helpers.js';
import { must } from './must.js';

const PASS = 'growth test backup passphrase';
const BENV = { SEEQRET_BACKUP_PASSPHRASE: PASS };

function ok(r: CliResult): CliResult {
  expect(r.code, r.stderr).toBe(0);
  return r;
}

/** Run raw SQL on a vault's database, as someone without the key would. */
const raw = rawDatabase;

function withVault<T>(dir: string, fn: (v: Vault) => T): T {
  const v = Vault.open({ dir });
  try {
    return fn(v);
  } finally {
    v.close();
  }
}

interface Row {
  id: number;
  action: string;
  target: string;
  detail: string;
}
// `audit --format json` gives each detail as the object it records; these checks read its JSON text.
const auditRows = async (vault: string): Promise<Row[]> => (JSON.parse(ok(await cliIn(['audit', '--format', 'json'], { vault })).stdout) as Array<Omit<Row, 'detail'> & { detail: unknown }>).map((e): Row => ({ ...e, detail: JSON.stringify(e.detail) }));

async function expectTampered(vault: string, what: string): Promise<void> {
  const r = await cliIn(['audit', '--verify'], { vault });
  expect(errorCode(r), r.stderr).toBe('E_TAMPERED');
  expect(r.stderr).toContain(what);
  const d = await cliIn(['doctor'], { vault });
  expect(d.code, d.stdout).toBe(6);
  expect(d.stdout).toContain('E_TAMPERED');
}

/** A vault of `n` secrets `web:dev:VAR_i` (written through the library: setup, not under test). */
function vaultWithKeys(n: number): string {
  const vault = newVault();
  withVault(vault, (v) => v.setMany(Array.from({ length: n }, (_, i) => ({ app: 'web', env: 'dev', key: `VAR_${i}`, value: `value-${i}` }))));
  return vault;
}

describe('restore is linear in the records and still exact', () => {
  it('a backup with thousands of share, loaded-bundle and user records restores every one once, duplicates and records already here skipped', async () => {
    const src = newVault();
    const users = Array.from({ length: 60 }, (_, i) => ({ username: `user${i}`, email: `user${i}@example.com`, publicKey: generateIdentity().publicKey }));
    withVault(src, (v) => {
      v.setMany(Array.from({ length: 400 }, (_, i) => ({ app: 'web', env: 'prod', key: `S_${i}`, value: `v${i}` })));
      for (const u of users) v.addUser(u);
      const records = v.all();
      // 10 bundles of 400 secrets to one user: 4,000 share records of the same user (the quadratic case).
      for (let b = 0; b < 10; b++) v.recordExport(`bundle-${b}`, v.user('user0'), records, 'json');
      v.recordExport('other', v.user('user1'), records.slice(0, 100), 'json');
    });
    // The backup command's use case at a low scrypt work factor (helpers.backupIn): what is
    // checked is the records restore brings, not the backup's key derivation.
    const file = path.join(tmpdir(), 'b.age');
    await backupIn(src, file, PASS);
    // The backup also carries duplicate records (within itself) and loaded-bundle records.
    const dump = await decryptBackup(fs.readFileSync(file), PASS);
    const shares = must(dump.shares);
    expect(shares).toHaveLength(4100);
    const loaded = Array.from({ length: 1500 }, (_, i) => ({ bundleId: `in-${i}`, sender: keyToBase64(must(users[i % 60]).publicKey), at: 1_700_000_000_000 + i, secrets: 3 }));
    const crafted = { ...dump, shares: [...shares, ...shares.slice(0, 700)], loadedBundles: [...loaded, ...loaded.slice(0, 200)] };
    const craftedFile = path.join(tmpdir(), 'crafted.age');
    fs.writeFileSync(craftedFile, await encryptDump(crafted, PASS, { logN: 10 }));

    const target = path.join(tmpdir(), 'restored');
    ok(await cliIn(['restore', craftedFile], { vault: target, env: BENV }));
    const key = (s: { bundleId: string; username: string; app: string; env: string; key: string; version: number }): string => [s.bundleId, s.username, s.app, s.env, s.key, s.version].join('|');
    const expected = new Set(shares.map(key));
    const check = (): void => { withVault(target, (v) => {
        const r = v.sharingRecords();
        expect(r.shares).toHaveLength(4100);
        expect(new Set(r.shares.map(key))).toEqual(expected);
        expect(r.loadedBundles.map((b) => b.bundleId).sort()).toEqual(loaded.map((b) => b.bundleId).sort());
        expect(v.users().map((u) => u.username).sort()).toEqual([dump.owner.username, ...users.map((u) => u.username)].sort());
        expect(v.integrityProblems()).toEqual([]);
      }); };
    check();
    // Restoring again adds nothing: every record is already here.
    const again = ok(await cliIn(['restore', craftedFile], { vault: target, env: BENV }));
    expect(again.stderr).toContain('0 users added');
    check();
    ok(await cliIn(['doctor'], { vault: target }));
  }, 120_000);
});

describe('one audit entry per command, naming what it read', () => {
  const N = 120;

  it('env, run, list --reveal and show --reveal of N keys each add exactly one entry that names the N keys and no value', async () => {
    const vault = vaultWithKeys(N);
    const names = Array.from({ length: N }, (_, i) => `web:dev:VAR_${i}`).sort();
    const cwd = tmpdir();
    fs.writeFileSync(path.join(cwd, 'env.template'), 'web:dev:\n');
    const commands: Array<[string[], string]> = [
      [['env'], 'env'],
      [['run', '-f', 'web:dev:', '--', 'true'], 'run true'],
      [['list', '--reveal', '-f', 'web:dev:'], 'list'],
    ];
    for (const [args, how] of commands) {
      const before = await auditRows(vault);
      ok(await cliIn(args, { vault, cwd }));
      const after = await auditRows(vault);
      expect(after.length, args.join(' ')).toBe(before.length + 1);
      const e = must(after.at(-1));
      expect(e.action).toBe('secret.read');
      expect(e.target).toBe(`${N} secrets`);
      const detail = JSON.parse(e.detail) as { how: string; n: number; secrets: string[] };
      expect(detail.how).toBe(how);
      expect(detail.n).toBe(N);
      expect([...detail.secrets].sort()).toEqual(names);
      expect(e.detail).not.toContain('value-');
    }
    // A single read stays a single, plain entry.
    ok(await cliIn(['get', 'VAR_7'], { vault }));
    const single = must((await auditRows(vault)).at(-1));
    expect([single.action, single.target, single.detail]).toEqual(['secret.read', 'web:dev:VAR_7', '{"how":"get"}']);
    ok(await cliIn(['audit', '--verify'], { vault }));
  });

  it('show --reveal of a project environment of N variables adds one entry', async () => {
    const vault = newVault();
    const dir = path.join(tmpdir(), 'shop');
    fs.mkdirSync(dir);
    ok(await cliIn(['project', 'init'], { vault, cwd: dir }));
    fs.writeFileSync(path.join(dir, 'secrets', 'dev', 'secrets.d', 'all.json'), JSON.stringify(Array.from({ length: N }, (_, i) => ({ Variable: `var_${i}`, Type: 'string' }))));
    withVault(vault, (v) => v.setMany(Array.from({ length: N }, (_, i) => ({ app: 'shop', env: 'dev', key: `var_${i}`, value: `value-${i}` }))));
    const before = (await auditRows(vault)).length;
    const shown = JSON.parse(ok(await cliIn(['show', '--reveal', '--format', 'json'], { vault, cwd: dir })).stdout) as unknown[];
    expect(shown).toHaveLength(N);
    const after = await auditRows(vault);
    expect(after).toHaveLength(before + 1);
    const detail = JSON.parse(must(after.at(-1)).detail) as { how: string; secrets: string[] };
    expect(detail.how).toBe('show');
    expect(new Set(detail.secrets)).toEqual(new Set(Array.from({ length: N }, (_, i) => `shop:dev:var_${i}`)));
  });

  it('importing N lines is one import entry with the counts (decision 41)', async () => {
    const vault = newVault();
    const envFile = path.join(tmpdir(), 'in.env');
    fs.writeFileSync(envFile, Array.from({ length: N }, (_, i) => `IMP_${i}=value-${i}`).join('\n') + '\n');
    const before = (await auditRows(vault)).length;
    ok(await cliIn(['importenv', envFile], { vault }));
    const added = (await auditRows(vault)).slice(before);
    expect(added.map((e) => e.action)).toEqual(['import']);
    expect((JSON.parse(must(added[0]).detail) as { added: number }).added).toBe(N);
  });

  it('five env runs over many keys grow vault.db by five entries, not by a row per key', async () => {
    const K = 3000;
    const vault = vaultWithKeys(K);
    const cwd = tmpdir();
    fs.writeFileSync(path.join(cwd, 'env.template'), 'web:dev:\n');
    const size = (): number => {
      raw(vault, (db) => db.pragma('wal_checkpoint(TRUNCATE)'));
      return fs.statSync(path.join(vault, 'vault.db')).size;
    };
    const rows0 = (await auditRows(vault)).length;
    const size0 = size();
    for (let i = 0; i < 5; i++) ok(await cliIn(['env'], { vault, cwd }));
    expect((await auditRows(vault)).length).toBe(rows0 + 5);
    // One entry names each key once (~20 bytes a key); a row per key was ~115 bytes a key.
    expect(size() - size0).toBeLessThan(5 * K * 40);
  }, 60_000);
});

describe('audit compact', () => {
  let busy: string | undefined;
  /**
   * A vault whose log has a dozen entries of several actions: made once through the CLI, then
   * each test gets its own copy of the folder (the same keys and log; nothing is shared).
   */
  async function busyVault(): Promise<string> {
    if (busy === undefined) {
      const vault = newVault();
      for (let i = 0; i < 6; i++) ok(await cliIn(['add', 'key', `K${i}`, `value-${i}`], { vault }));
      ok(await cliIn(['get', 'K1'], { vault }));
      ok(await cliIn(['edit', 'value', 'K2', 'changed'], { vault }));
      busy = vault;
    }
    const copy = path.join(tmpdir(), 'seeqret');
    fs.cpSync(busy, copy, { recursive: true });
    return copy;
  }

  it('folds all but the newest N entries into one checkpoint row; verify and doctor pass; later entries and a second compaction too', async () => {
    const vault = await busyVault();
    const before = await auditRows(vault);
    const r = ok(await cliIn(['audit', 'compact', '--keep', '3'], { vault }));
    expect(r.stderr).toContain(`Folded ${before.length - 3} entries`);
    const after = await auditRows(vault);
    expect(after).toHaveLength(4);
    expect(after.slice(1)).toEqual(before.slice(-3));
    const cp = must(after[0]);
    expect([cp.action, cp.target, cp.id]).toEqual(['audit.checkpoint', `${before.length - 3} entries`, must(before.at(-4)).id]);
    const detail = JSON.parse(cp.detail) as { entries: number; from: number; to: number; actions: Record<string, number>; last: string };
    expect(detail.entries).toBe(before.length - 3);
    expect(detail.actions['vault.create']).toBe(1);
    expect(Object.values(detail.actions).reduce((a, b) => a + b, 0)).toBe(before.length - 3);
    expect(ok(await cliIn(['audit', '--verify'], { vault })).stderr).toContain(`its checkpoint stands for ${before.length - 3} earlier entries`);
    expect(ok(await cliIn(['doctor'], { vault })).stdout).toMatch(/audit log: 4 entries \(a checkpoint standing for \d+ earlier ones\), hash chain and head intact/);
    // The log goes on: new entries chain after the kept ones; a second compaction folds the checkpoint in.
    ok(await cliIn(['add', 'key', 'LATER', 'x'], { vault }));
    ok(await cliIn(['audit', '--verify'], { vault }));
    ok(await cliIn(['audit', 'compact', '--keep', '0'], { vault }));
    const last = await auditRows(vault);
    expect(last).toHaveLength(1);
    expect((JSON.parse(must(last[0]).detail) as { entries: number }).entries).toBe(before.length + 1);
    ok(await cliIn(['audit', '--verify'], { vault }));
    ok(await cliIn(['get', 'LATER'], { vault }));
    ok(await cliIn(['audit', '--verify'], { vault }));
    ok(await cliIn(['doctor'], { vault }));
    // Nothing left to fold: a no-op that says so.
    expect(ok(await cliIn(['audit', 'compact', '--keep', '5'], { vault })).stderr).toContain('Nothing to compact');
  });

  it('--before folds the entries older than a date; the default keeps the last 90 days; a backup of a compacted log restores and verifies', async () => {
    const vault = await busyVault();
    const n = (await auditRows(vault)).length;
    expect(ok(await cliIn(['audit', 'compact'], { vault })).stderr).toContain('Nothing to compact');
    expect(ok(await cliIn(['audit', 'compact', '--before', '2000-01-01'], { vault })).stderr).toContain('Nothing to compact');
    ok(await cliIn(['audit', 'compact', '--before', new Date(Date.now() + 60_000).toISOString()], { vault }));
    const rows = await auditRows(vault);
    expect(rows.map((e) => e.action)).toEqual(['audit.checkpoint']);
    expect((JSON.parse(must(rows[0]).detail) as { entries: number }).entries).toBe(n);
    ok(await cliIn(['audit', '--verify'], { vault }));
    // The backup command's use case at a low scrypt work factor (helpers.backupIn); `restore` runs.
    const file = path.join(tmpdir(), 'b.age');
    await backupIn(vault, file, PASS);
    const target = path.join(tmpdir(), 'restored');
    ok(await cliIn(['restore', file], { vault: target, env: BENV }));
    ok(await cliIn(['audit', '--verify'], { vault: target }));
    expect((await auditRows(target)).map((e) => e.action)).toContain('audit.checkpoint');
    expect(errorCode(await cliIn(['audit', 'compact', '--keep', '1', '--before', '7d'], { vault }))).toBe('E_USAGE');
    expect(errorCode(await cliIn(['audit', 'compact', '--keep', 'many'], { vault }))).toBe('E_USAGE');
  });

  it('a changed or removed checkpoint, an entry deleted after it, or the uncompacted entries put back: E_TAMPERED', async () => {
    const cases: Array<[string, (db: Database.Database) => void, string]> = [
      ['checkpoint count changed', (db) => db.exec("DROP TRIGGER audit_no_update; UPDATE audit SET detail = replace(detail, '\"entries\":', '\"entries\":1') WHERE action = 'audit.checkpoint'"), 'was changed, inserted or removed'],
      ['checkpoint range changed', (db) => db.exec("DROP TRIGGER audit_no_update; UPDATE audit SET at = at - 1 WHERE action = 'audit.checkpoint'"), 'was changed, inserted or removed'],
      ['checkpoint removed', (db) => db.exec("DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE action = 'audit.checkpoint'"), 'was changed, inserted or removed'],
      ['entry after it removed', (db) => db.exec("DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE id = (SELECT min(id) FROM audit WHERE action != 'audit.checkpoint')"), 'was changed, inserted or removed'],
      ['newest entry removed', (db) => db.exec('DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE id = (SELECT max(id) FROM audit)'), 'newest entries were removed'],
    ];
    for (const [name, attack, what] of cases) {
      const vault = await busyVault();
      ok(await cliIn(['audit', 'compact', '--keep', '3'], { vault }));
      ok(await cliIn(['audit', '--verify'], { vault }));
      raw(vault, attack);
      await expectTampered(vault, what);
      // A tampered log is never compacted (a new checkpoint would bless it).
      expect(errorCode(await cliIn(['audit', 'compact', '--keep', '0'], { vault })), name).toBe('E_TAMPERED');
    }
    // The entries a checkpoint replaced, put back from an older copy before it: E_TAMPERED.
    const vault = await busyVault();
    const old = path.join(tmpdir(), 'old.db');
    raw(vault, (db) => db.prepare('VACUUM INTO ?').run(old));
    ok(await cliIn(['audit', 'compact', '--keep', '3'], { vault }));
    raw(vault, (db) => {
      db.prepare('ATTACH ? AS old').run(old);
      db.exec('DROP TRIGGER audit_no_delete; DELETE FROM audit; INSERT INTO audit SELECT * FROM old.audit;');
    });
    await expectTampered(vault, 'head');
  });
});

describe('folding per-secret entries loses nothing', () => {
  /** Expand a folded entry back into the entries it names. */
  function unfold(e: QueuedAuditEntry): QueuedAuditEntry[] {
    const d = e.detail as { n?: number; secrets?: string[]; each?: Record<string, unknown[]> } | undefined;
    if (!d || !Array.isArray(d.secrets)) return [e];
    const { n, secrets, each, ...common } = d;
    expect(n).toBe(secrets.length);
    expect(e.target).toBe(`${secrets.length} secrets`);
    return secrets.map((target, i) => {
      const detail: Record<string, unknown> = { ...common };
      for (const [f, values] of Object.entries(each ?? {})) if (values[i] !== null) detail[f] = values[i];
      return { action: e.action, target, detail };
    });
  }
  const byAction = (list: readonly QueuedAuditEntry[]): Map<string, QueuedAuditEntry[]> => {
    const m = new Map<string, QueuedAuditEntry[]>();
    for (const e of list) m.set(e.action, [...(m.get(e.action) ?? []), { action: e.action, target: e.target ?? null, detail: e.detail ?? {} }]);
    return m;
  };

  it('every action keeps its entries, in order, with their details; one entry per action; others untouched', () => {
    const label = fc.tuple(fc.constantFrom('web', '*'), fc.constantFrom('dev', 'prod'), fc.stringMatching(/^[A-Z][A-Z0-9_]{0,6}$/)).map((p) => p.join(':'));
    const secretEntry = fc.record({
      action: fc.constantFrom('secret.read', 'secret.add', 'secret.update', 'secret.rename'),
      target: label,
      detail: fc.record({ how: fc.constantFrom('env', 'get'), version: fc.integer({ min: 1, max: 4 }), to: label }, { requiredKeys: [] }),
    });
    const otherEntry = fc.record({ action: fc.constantFrom('import', 'restore', 'user.add'), target: fc.string(), detail: fc.record({ n: fc.nat() }) });
    fc.assert(
      fc.property(fc.array(fc.oneof(secretEntry, otherEntry), { maxLength: 40 }), (entries) => {
        const folded = foldPerSecret(entries);
        const secretActions = new Set(entries.filter((e) => e.action.startsWith('secret.')).map((e) => e.action));
        expect(folded.filter((e) => e.action.startsWith('secret.'))).toHaveLength(secretActions.size);
        expect(folded.filter((e) => !e.action.startsWith('secret.'))).toEqual(entries.filter((e) => !e.action.startsWith('secret.')));
        expect(byAction(folded.flatMap(unfold))).toEqual(byAction(entries));
      }),
      { numRuns: 300 },
    );
  });
});
