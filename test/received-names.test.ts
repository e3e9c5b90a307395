/**
 * Issue 11, item 1: a received secret must never run code. Names that arrived from someone else
 * (load, inbox, team pull, restore of another vault's backup, import-vault, ss import) are not
 * exported by a filter that does not name them exactly until this person accepts them, and the
 * corpus of code-loading variables (src/inject/code-loading-variables.ts) is never exported through
 * a filter, even once accepted.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { CODE_LOADING_VARIABLES, isCodeLoadingVariable } from '../src/inject/code-loading-variables.js';
import { resolveFilters, resolveTemplate } from '../src/inject/resolve.js';
import { writeBackup } from '../src/sharing/restore.js';
import { Vault } from '../src/vault/vault.js';
import { TeamFile } from '../src/team/store.js';
import { SHARED, TEST_TEAM_KDF, type CliResult, cli, cliIn, errorCode, introduce, newVault, thrownCode, tmpdir } from './helpers.js';
import { ENV_DUMP, parseEnvDump } from './env-dump.js';
import { must } from './must.js';

function ok(r: CliResult): CliResult {
  expect(r.code, r.stderr).toBe(0);
  return r;
}

/** Alice and bob know each other; bob's secrets (set with the library) travel to alice in a real bundle. */
/**
 * bob sends SECRETS to alice in a bundle and alice loads it: `export` and `load` run in-process (the
 * in-process runner, decision 50) — setup for the tests below; both also run as child processes in
 * test/sharing.test.ts.
 */
async function received(secrets: Array<{ app?: string; env?: string; key: string; value: string }>, loadArgs: string[] = []): Promise<{ alice: string; bob: string; bundle: string; load: CliResult }> {
  const alice = newVault();
  const bob = newVault({ user: 'bob' });
  introduce(alice, bob);
  introduce(bob, alice);
  const v = Vault.open({ dir: bob });
  v.setMany(secrets);
  v.close();
  const bundle = path.join(tmpdir(), 'from-bob.json');
  ok(await cliIn(['export', '--to', 'alice', '-f', '::', '-o', bundle], { vault: bob }));
  const load = ok(await cliIn(['load', '-f', bundle, ...loadArgs], { vault: alice }));
  return { alice, bob, bundle, load };
}

/**
 * The child's environment as `run` gives it: `run` in-process, its child program `env -0` (a real
 * process, test/env-dump.ts; `run` itself runs as a child process in test/cli.test.ts and
 * test/psec-run.test.ts).
 */
async function childEnv(vault: string, args: string[], cwd?: string): Promise<{ r: CliResult; env: Record<string, string> }> {
  const r = await cliIn(['run', ...args, '--no-mask', '--', ...ENV_DUMP], { vault, ...(cwd ? { cwd } : {}) });
  return { r, env: r.code === 0 ? parseEnvDump(r.stdout) : {} };
}

/**
 * What `seeqret backup -o FILE` writes, made in-process with the library (`writeBackup`) at scrypt
 * work factor 2^10 instead of the default 2^18 (about a second of CPU and 256 MiB each): setup
 * for restore tests. `backup` itself runs as a child process at the default work factor in
 * test/output-paths.test.ts and test/limits.test.ts.
 */
async function backupAt(vault: string, file: string, passphrase: string): Promise<void> {
  const v = Vault.open({ dir: vault });
  try {
    await writeBackup(v, { file, passphrase, includeKeys: false, armor: false, html: false, logN: 10 }, { info: () => undefined, warn: () => undefined });
  } finally {
    v.close();
  }
}

const CORPUS_NAMES = [...new Set(CODE_LOADING_VARIABLES.map((v) => (v.prefix ? must(v.example) : v.name)))];
const sent = (name: string): string => `sent-by-bob-${name}`;

describe('the corpus of code-loading variables', () => {
  it('has at least 60 entries across every family, and every prefix has an example it matches', () => {
    expect(CODE_LOADING_VARIABLES.length).toBeGreaterThanOrEqual(60);
    const families = new Set(CODE_LOADING_VARIABLES.map((v) => v.family));
    for (const f of ['node', 'git', 'python', 'ruby', 'perl', 'java-dotnet', 'go-rust-c', 'shell', 'linker', 'tls-network', 'pager-editor']) expect(families).toContain(f);
    for (const v of CODE_LOADING_VARIABLES) {
      if (v.prefix) {
        expect(v.example, v.name).toBeDefined();
        expect(must(v.example).startsWith(v.name)).toBe(true);
      }
      expect(isCodeLoadingVariable(v.prefix ? must(v.example) : v.name)).toBe(true);
    }
    for (const ordinary of ['DATABASE_URL', 'API_KEY', 'NODE_ENV', 'PORT', 'GITHUB_TOKEN', 'LESSON', 'CCACHE_DIR']) expect(isCodeLoadingVariable(ordinary), ordinary).toBe(false);
  });

  it('every variable, received in one real bundle, is not exported by run -f or env, before or after accept; only its own template line exports it', async () => {
    const { alice, load } = await received([
      ...CORPUS_NAMES.map((key) => ({ app: 'web', env: 'dev', key, value: sent(key) })),
      { app: 'web', env: 'dev', key: 'ORDINARY', value: 'ordinary-value' },
    ]);
    expect(load.stderr).toContain('make programs load or run code');
    // Pending: none is exported (nor the ordinary name), with one warning line.
    const before = await childEnv(alice, ['-f', 'web:dev:']);
    expect(before.r.code, before.r.stderr).toBe(0);
    for (const name of CORPUS_NAMES) expect(before.env[name], name).not.toBe(sent(name));
    expect(before.env['ORDINARY']).toBeUndefined();
    expect(before.r.stderr.split('\n').filter((l) => l.includes('not accepted yet'))).toHaveLength(1);
    const cwd = tmpdir();
    fs.writeFileSync(path.join(cwd, 'env.template'), 'web:dev:\n');
    const env = ok(await cliIn(['env', '--stdout'], { vault: alice, cwd }));
    for (const name of CORPUS_NAMES) expect(env.stdout, name).not.toContain(sent(name));

    // Accepted: the ordinary name is exported; every code-loading one is still refused through a filter.
    ok(await cliIn(['accept', '-f', 'web:dev:'], { vault: alice }));
    expect((await cliIn(['list', '--pending', '--format', 'json'], { vault: alice })).stdout.trim()).toBe('[]');
    const after = await childEnv(alice, ['-f', 'web:dev:']);
    expect(errorCode(after.r)).toBe('E_BAD_VALUE');
    expect(after.r.stdout).toBe('');
    expect(errorCode(await cliIn(['env', '--stdout'], { vault: alice, cwd }))).toBe('E_BAD_VALUE');
    expect((await childEnv(alice, ['-f', 'web:dev:ORDINARY'])).env['ORDINARY']).toBe('ordinary-value');
    // Each one individually, through the same code run and env use, on the vault the bundle filled.
    const v = Vault.open({ dir: alice, readonly: true });
    try {
      for (const name of CORPUS_NAMES) {
        expect(thrownCode(() => resolveFilters(v, [`web:dev:${name}`])), name).toBe('E_BAD_VALUE');
        expect(thrownCode(() => resolveTemplate(v, `web:dev:${name}\n`)), name).toBe('E_BAD_VALUE');
        // Its own template line is the person's explicit decision (for names a template line can hold).
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) continue;
        const own = resolveTemplate(v, `${name}=web:dev:${name}\n`);
        expect(own.entries.map((e) => [e.name, e.value])).toEqual([[name, sent(name)]]);
      }
    } finally {
      v.close();
    }
    const tpl = tmpdir();
    fs.writeFileSync(path.join(tpl, 'env.template'), 'NODE_OPTIONS=web:dev:NODE_OPTIONS\n');
    expect((await childEnv(alice, [], tpl)).env['NODE_OPTIONS']).toBe(sent('NODE_OPTIONS'));
  });
});

describe('received names start pending', () => {
  it('a pending name is skipped by filters (one warning), exported when named exactly, and by every filter once accepted; load --accept accepts', async () => {
    const { alice, load } = await received([
      { app: 'web', env: 'dev', key: 'API_URL', value: 'https://api.example' },
      { app: 'web', env: 'dev', key: 'TOKEN', value: 'tok' },
    ]);
    expect(load.stderr).toContain('2 new names are pending');
    expect(load.stderr).toContain('web:dev:API_URL  added (new name, pending)');
    const pending = JSON.parse((await cliIn(['list', '--pending', '--format', 'json'], { vault: alice })).stdout) as Array<Record<string, string>>;
    expect(pending.map((p) => [p['key'], p['pending']])).toEqual([
      ['API_URL', 'load from bob'],
      ['TOKEN', 'load from bob'],
    ]);
    const glob = await childEnv(alice, ['-f', 'web:dev:', '-f', 'web:*:TOK*']);
    expect(glob.env['API_URL']).toBeUndefined();
    expect(glob.env['TOKEN']).toBeUndefined();
    const warnings = glob.r.stderr.split('\n').filter((l) => l.includes('not accepted yet'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('web:dev:API_URL, web:dev:TOKEN');
    expect(warnings[0]).toContain('seeqret accept');
    expect(glob.r.stderr).not.toContain('tok');
    // Named exactly (filter or template): exported.
    expect((await childEnv(alice, ['-f', 'web:dev:TOKEN'])).env['TOKEN']).toBe('tok');
    const cwd = tmpdir();
    fs.writeFileSync(path.join(cwd, 'env.template'), 'URL=web:dev:API_URL\nweb:dev:TOKEN\nOTHER=web:dev:TOK*\n');
    const tplRun = await childEnv(alice, [], cwd);
    expect(errorCode(tplRun.r)).toBe('E_TEMPLATE_UNMATCHED'); // OTHER= names no secret exactly: only a pending one
    expect(tplRun.r.stderr).toContain('not accepted yet');
    fs.writeFileSync(path.join(cwd, 'env.template'), 'URL=web:dev:API_URL\nweb:dev:TOKEN\n');
    const exact = await childEnv(alice, [], cwd);
    expect([exact.env['URL'], exact.env['TOKEN']]).toEqual(['https://api.example', 'tok']);
    // Accepting one name: audited; the other stays pending.
    // `accept` as a child process (its end-to-end case; the others run in-process).
    const acc = ok(cli(['accept', 'web:dev:API_URL'], { vault: alice }));
    expect(acc.stderr).toContain('Accepted 1 name');
    expect((await childEnv(alice, ['-f', 'web:dev:'])).env['API_URL']).toBe('https://api.example');
    expect((await childEnv(alice, ['-f', 'web:dev:'])).env['TOKEN']).toBeUndefined();
    const log = JSON.parse((await cliIn(['audit', '--format', 'json', '--action', 'secret.accept'], { vault: alice })).stdout) as Array<{ target: string }>;
    expect(log.map((e) => e.target)).toEqual(['web:dev:API_URL']);
    expect(errorCode(await cliIn(['accept'], { vault: alice }))).toBe('E_USAGE');

    const auto = await received([{ app: 'web', env: 'dev', key: 'A', value: 'a' }], ['--accept']);
    expect(auto.load.stderr).toContain('Accepted 1 name from bob');
    expect((await childEnv(auto.alice, ['-f', 'web:dev:'])).env['A']).toBe('a');
  });

  it('typing a received name (add key --force, edit value) makes it yours; a second bundle does not re-pend it', async () => {
    const { alice, bob } = await received([
      { app: 'web', env: 'dev', key: 'MINE', value: 'theirs' },
      { app: 'web', env: 'dev', key: 'EDITED', value: 'theirs' },
    ]);
    ok(await cliIn(['add', 'key', 'MINE', 'mine', '--app', 'web', '--env', 'dev', '--force'], { vault: alice }));
    ok(await cliIn(['edit', 'value', 'web:dev:EDITED', 'edited'], { vault: alice }));
    const e = await childEnv(alice, ['-f', 'web:dev:']);
    expect([e.env['MINE'], e.env['EDITED']]).toEqual(['mine', 'edited']);
    // bob sends a new value later: the name stays accepted.
    const v = Vault.open({ dir: bob });
    v.set({ app: 'web', env: 'dev', key: 'MINE', value: 'theirs-2' }, { replace: true });
    v.close();
    const b2 = path.join(tmpdir(), 'again.json');
    ok(await cliIn(['export', '--to', 'alice', '-f', 'web:dev:MINE', '-o', b2], { vault: bob }));
    ok(await cliIn(['load', '-f', b2, '--overwrite'], { vault: alice }));
    expect((await childEnv(alice, ['-f', 'web:dev:'])).env['MINE']).toBe('theirs-2');
  });

  it('an attacker who can write vault.db cannot mark a name accepted (E_TAMPERED)', async () => {
    const { alice } = await received([{ app: 'web', env: 'dev', key: 'X', value: 'x' }]);
    const db = new Database(path.join(alice, 'vault.db'));
    db.exec("UPDATE secrets SET pending = 0, origin = NULL WHERE key = 'X'");
    db.close();
    const r = await childEnv(alice, ['-f', 'web:dev:']);
    expect(errorCode(r.r)).toBe('E_TAMPERED');
    expect(r.r.stderr).toContain('web:dev:X');
  });

  it('project mode: a pending value without a description is not exported', async () => {
    const { alice } = await received([
      { app: 'myapp', env: 'dev', key: 'UNDESCRIBED', value: 'u' },
      { app: 'myapp', env: 'dev', key: 'LD_PRELOAD', value: '/tmp/evil.so' },
    ]);
    const dir = tmpdir();
    fs.writeFileSync(path.join(dir, 'seeqret.yaml'), 'app: myapp\nenvironment: dev\n');
    const r = await childEnv(alice, [], dir);
    expect(r.r.code, r.r.stderr).toBe(0);
    expect(r.env['UNDESCRIBED']).toBeUndefined();
    expect(r.env['LD_PRELOAD']).not.toBe('/tmp/evil.so');
    expect(r.r.stderr).toContain('not accepted yet');
    ok(await cliIn(['accept', 'myapp:dev:UNDESCRIBED'], { vault: alice }));
    expect((await childEnv(alice, [], dir)).env['UNDESCRIBED']).toBe('u');
  });
});

describe('every way names arrive from someone else', () => {
  const env = { SEEQRET_BACKUP_PASSPHRASE: 'correct horse battery staple' };

  it('restore of another vault\'s backup: new names pending; restoring your own backup keeps acceptance', async () => {
    const other = newVault({ user: 'carol' });
    ok(await cliIn(['add', 'key', 'FROM_CAROL', 'c', '--app', 'web', '--env', 'dev'], { vault: other }));
    const carolBackup = path.join(tmpdir(), 'carol.age');
    await backupAt(other, carolBackup, env.SEEQRET_BACKUP_PASSPHRASE);
    // restore and import-vault: each once as a child process (their end-to-end cases here).
    const mine = newVault();
    ok(cli(['restore', carolBackup], { vault: mine, env }));
    expect((await cliIn(['list', '--pending', '--format', 'json'], { vault: mine })).stdout).toContain("restore of carol's backup");
    expect((await childEnv(mine, ['-f', 'web:dev:'])).env['FROM_CAROL']).toBeUndefined();

    // Own backup: one accepted name, one pending; both keep their state in a new vault.
    const { alice } = await received([
      { app: 'web', env: 'dev', key: 'ACCEPTED', value: 'a' },
      { app: 'web', env: 'dev', key: 'STILL_PENDING', value: 'p' },
    ]);
    ok(await cliIn(['add', 'key', 'TYPED', 't', '--app', 'web', '--env', 'dev'], { vault: alice }));
    ok(await cliIn(['accept', 'web:dev:ACCEPTED'], { vault: alice }));
    const own = path.join(tmpdir(), 'own.age');
    // Made by the library at a low scrypt work factor (what `backup` calls; the restores read it from the file).
    await backupAt(alice, own, env.SEEQRET_BACKUP_PASSPHRASE);
    const fresh = path.join(tmpdir(), 'fresh');
    ok(await cliIn(['restore', own], { vault: fresh, env }));
    const e = (await childEnv(fresh, ['-f', 'web:dev:'])).env;
    expect([e['ACCEPTED'], e['TYPED'], e['STILL_PENDING']]).toEqual(['a', 't', undefined]);
    // And into the same vault (same vault id) after losing the names.
    ok(await cliIn(['rm', 'key', 'web:dev:', '--all', '--yes'], { vault: alice }));
    ok(await cliIn(['restore', own], { vault: alice, env }));
    const e2 = (await childEnv(alice, ['-f', 'web:dev:'])).env;
    expect([e2['ACCEPTED'], e2['TYPED'], e2['STILL_PENDING']]).toEqual(['a', 't', undefined]);
  });

  it('import-vault of the old tool\'s vault and ss import: names pending', async () => {
    const v1 = path.join(SHARED, 'fixtures', 'seeqret-v1', 'bob', 'seeqret');
    const fix = path.join(SHARED, 'fixtures', 'securestore-v3');
    if (!fs.existsSync(v1) || !fs.existsSync(path.join(fix, 'fixture.json'))) {
      console.log('skipped: the shared fixtures (seeqret-v1, securestore) are not here');
      return;
    }
    const vault = newVault();
    ok(cli(['import-vault', v1], { vault }));
    const p1 = JSON.parse((await cliIn(['list', '--pending', '--format', 'json'], { vault })).stdout) as Array<Record<string, string>>;
    expect(p1.length).toBeGreaterThan(0);
    expect(p1.every((p) => p['pending'] === 'import-vault')).toBe(true);
    expect((JSON.parse((await cliIn(['list', '--format', 'json'], { vault })).stdout) as unknown[]).length).toBe(p1.length);

    const dir = tmpdir();
    fs.copyFileSync(path.join(fix, 'fixture.json'), path.join(dir, 'secrets.json'));
    fs.copyFileSync(path.join(fix, 'fixture.key'), path.join(dir, 'secrets.key'));
    const ssVault = newVault();
    // In-process: the same `ss import` runs as a child process in test/securestore-cli.test.ts.
    ok(await cliIn(['ss', 'import', '-k', 'secrets.key', '--colon', '.', '--app', 'web', '--env', 'prod'], { vault: ssVault, cwd: dir }));
    const p2 = JSON.parse((await cliIn(['list', '--pending', '--format', 'json'], { vault: ssVault })).stdout) as Array<Record<string, string>>;
    expect(p2.length).toBe(3);
    expect(p2.every((p) => p['pending'] === 'ss import')).toBe(true);
    expect(Object.keys((await childEnv(ssVault, ['-f', 'web:prod:'])).env).filter((k) => p2.some((p) => p['key'] === k))).toEqual([]);
  });

  it('team pull: names pending', async () => {
    const ALICE = { SEEQRET_TEAM_USER: 'alice@example.com', SEEQRET_TEAM_PASSPHRASE: 'alice pass' };
    const file = path.join(tmpdir(), 'protected.yaml');
    const team = (args: string[], opts: { env?: Record<string, string>; vault?: string } = {}): Promise<CliResult> =>
      cliIn([...(opts.vault ? ['--vault', opts.vault] : []), 'team', '--file', file, ...args], opts.env ? { env: opts.env } : {});
    // The file made through the library, alice's Argon2id at TEST_TEAM_KDF (what `team init`,
    // `add-domain` and `add-secret` write; they run through the CLI in test/team-cli.test.ts).
    const created = TeamFile.create(file).addCustodian(ALICE.SEEQRET_TEAM_USER, ALICE.SEEQRET_TEAM_PASSPHRASE, TEST_TEAM_KDF);
    const alice = created.unlock({ name: ALICE.SEEQRET_TEAM_USER, passphrase: ALICE.SEEQRET_TEAM_PASSPHRASE });
    created.addDomain('dev', alice).addSecret('dev', 'API_KEY', 'k').addSecret('dev', 'NODE_OPTIONS', 'require-evil').write();
    const vault = newVault();
    ok(await team(['pull', '--domain', 'dev'], { env: ALICE, vault }));
    const p = JSON.parse((await cliIn(['list', '--pending', '--format', 'json'], { vault })).stdout) as Array<Record<string, string>>;
    expect(p.map((x) => x['key']).sort()).toEqual(['API_KEY', 'NODE_OPTIONS']);
    expect(p.every((x) => x['pending'] === 'team pull dev')).toBe(true);
    const all = must(p[0]);
    const e = (await childEnv(vault, ['-f', `${all['app']}:${all['env']}:`])).env;
    expect([e['API_KEY'], e['NODE_OPTIONS']]).toEqual([undefined, undefined]);
  });
});
