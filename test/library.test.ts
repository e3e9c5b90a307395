/**
 * The library API (`get`, `openVault`, `seeqret/config`) and the end-to-end dotenv round trip.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeeqretError, closeAll, get, openVault } from '../src/index.js';
import { formatDotenv, parseDotenv } from '../src/formats/dotenv.js';
import { quoteForDialect } from '../src/formats/dialects.js';
import { isDangerousVariable, resolveTemplate } from '../src/inject/resolve.js';
import { Vault } from '../src/vault/vault.js';
import { binaryString } from './fc-helpers.js';
import { ROOT, cleanEnv, addSecrets, cli, cliIn, errorCode, newVault, tmpdir } from './helpers.js';

const FAST_KDF = { opslimit: 1, memlimit: 8 * 1024 * 1024 };

function newLibVault(): string {
  const dir = path.join(tmpdir(), 'seeqret');
  Vault.create({ dir, username: 'lib', email: 'lib@example.com', kdfCost: FAST_KDF }).close();
  return dir;
}

describe('library get/openVault', () => {
  it('get() opens once and resolves app/env with global fallback; unspecified prefers global', () => {
    const dir = newLibVault();
    const v = Vault.open({ dir });
    v.set({ key: 'FOO', value: 'global-foo' });
    v.set({ env: 'dev', key: 'FOO', value: 'dev-foo' });
    v.set({ app: 'web', env: 'prod', key: 'URL', value: 'https://prod' });
    v.set({ app: 'web', env: 'dev', key: 'URL', value: 'https://dev' });
    v.close();
    expect(get('FOO', { vault: dir })).toBe('global-foo');
    expect(get('FOO', { vault: dir, env: 'dev' })).toBe('dev-foo');
    expect(get('FOO', { vault: dir, env: 'prod' })).toBe('global-foo');
    expect(get('URL', { vault: dir, app: 'web', env: 'prod' })).toBe('https://prod');
    try {
      get('URL', { vault: dir });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SeeqretError);
      expect((e as SeeqretError).code).toBe('E_AMBIGUOUS');
      expect((e as SeeqretError).exitCode).toBe(4);
      expect((e as SeeqretError).message).toContain('web:dev:URL');
      expect((e as SeeqretError).message).not.toContain('https://');
    }
    try {
      get('FOO', { vault: dir, env: 'dev', app: 'zzz' });
    } catch {
      expect.unreachable('global app fallback should apply');
    }
    closeAll();
  });

  it('get() returns values of every length and script exactly, again and again, from ciphertexts kept in memory', () => {
    const dir = newLibVault();
    const v = Vault.open({ dir });
    const values = ['x', 'é€😀'.repeat(700), 'y'.repeat(4096), 'z'.repeat(4097), 'long-'.repeat(20_000)];
    values.forEach((value, i) => v.set({ app: 'a', env: 'e', key: `K${i}`, value }));
    for (let round = 0; round < 3; round++) {
      values.forEach((value, i) => { expect(v.get(`K${i}`, { app: 'a', env: 'e' })).toBe(value); });
    }
    v.close();
  });

  it('the ambiguity error lists only the tied candidates', () => {
    const dir = newLibVault();
    const v = Vault.open({ dir });
    v.set({ app: 'a', env: 'dev', key: 'K', value: '1' });
    v.set({ app: 'b', env: 'dev', key: 'K', value: '2' });
    v.set({ app: 'c', env: 'prod', key: 'K', value: '3' });
    try {
      v.get('K', { env: 'dev' });
      expect.unreachable();
    } catch (e) {
      expect((e as SeeqretError).message).toContain('a:dev:K, b:dev:K');
      expect((e as SeeqretError).message).not.toContain('c:prod:K');
    }
    v.close();
  });

  it('openVault is read-only and refresh() picks up changes made elsewhere', () => {
    const dir = newLibVault();
    const w = Vault.open({ dir });
    w.set({ key: 'K', value: 'one' });
    const r = openVault({ dir });
    expect(r.get('K')).toBe('one');
    w.set({ key: 'K', value: 'two' }, { replace: true });
    expect(r.get('K')).toBe('one');
    r.refresh();
    expect(r.get('K')).toBe('two');
    expect(() => r.set({ key: 'X', value: 'y' })).toThrow(SeeqretError);
    r.close();
    w.close();
  });

  it("import 'seeqret/config' fills process.env from env.template without overwriting", () => {
    const v = newVault();
    addSecrets(v, { key: 'DB_URL', value: 'postgres://u:p@h/db', app: 'web', env: 'dev' });
    addSecrets(v, { key: 'KEEP', value: 'from-vault', app: 'web', env: 'dev' });
    const dir = tmpdir();
    fs.writeFileSync(path.join(dir, 'env.template'), 'web:dev:\nSQ_MODE=test\n');
    const script = `await import(${JSON.stringify(path.join(ROOT, 'dist', 'config.js'))}); console.log(JSON.stringify({ db: process.env.DB_URL, keep: process.env.KEEP, mode: process.env.SQ_MODE }));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, env: cleanEnv({ SEEQRET: v, KEEP: 'already-set' }), encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ db: 'postgres://u:p@h/db', keep: 'already-set', mode: 'test' });
    // The package's own name resolves too (exports map), and SEEQRET_FILTER overrides the template.
    const r2 = spawnSync(process.execPath, ['--input-type=module', '-e', "import 'seeqret/config'; console.log(process.env.DB_URL ?? 'unset', process.env.SQ_MODE ?? 'unset')"], {
      cwd: ROOT,
      env: cleanEnv({ SEEQRET: v, SEEQRET_FILTER: 'web:dev:DB_URL' }),
      encoding: 'utf8',
    });
    expect(r2.status, r2.stderr).toBe(0);
    expect(r2.stdout.trim()).toBe('postgres://u:p@h/db unset');
    const r3 = spawnSync(process.execPath, ['--input-type=module', '-e', "import 'seeqret/config'"], {
      cwd: ROOT,
      env: cleanEnv({ SEEQRET: v, SEEQRET_TEMPLATE: path.join(dir, 'missing.template') }),
      encoding: 'utf8',
    });
    expect(r3.status).not.toBe(0);
    expect(r3.stderr).toContain('E_FILE_NOT_FOUND');
  });
});

describe('CLI get and list details', () => {
  it('get prefers the secret named literally (* = global) when a glob-free filter matches several', () => {
    const v = newVault();
    addSecrets(v, { key: 'FOO', value: 'global' });
    addSecrets(v, { key: 'FOO', value: 'dev', env: 'dev' });
    addSecrets(v, { key: 'FOO', value: 'app-dev', app: 'web', env: 'dev' });
    expect(cli(['get', 'FOO'], { vault: v }).stdout).toBe('global\n');
    expect(cli(['get', ':dev:FOO'], { vault: v }).stdout).toBe('dev\n');
    expect(cli(['get', 'web:dev:FOO'], { vault: v }).stdout).toBe('app-dev\n');
    expect(errorCode(cli(['get', 'F*'], { vault: v }))).toBe('E_AMBIGUOUS');
  });

  it('list --format env/shell refuses duplicate and invalid variable names', async () => {
    const v = newVault();
    addSecrets(v, { key: 'K', value: '1', env: 'dev' });
    addSecrets(v, { key: 'K', value: '2', env: 'prod' });
    addSecrets(v, { key: 'db-password', value: '3', env: 'x' });
    expect(errorCode(await cliIn(['list', '::K', '--format', 'env', '--reveal'], { vault: v }))).toBe('E_AMBIGUOUS');
    expect(errorCode(await cliIn(['list', ':x:', '--format', 'shell', '--reveal'], { vault: v }))).toBe('E_BAD_VALUE');
    expect((await cliIn(['list', ':x:', '--format', 'env', '--reveal'], { vault: v })).stdout).toBe('db-password=3\n');
  });

  it('init --passphrase refuses a passphrase shorter than 8 characters from any source', async () => {
    const parent = tmpdir();
    const r = await cliIn(['init', parent, '--user', 'a', '--email', 'a@x', '--passphrase'], { env: { SEEQRET_PASSPHRASE: 'short' } });
    expect(errorCode(r)).toBe('E_USAGE');
    const pf = path.join(tmpdir(), 'empty');
    fs.writeFileSync(pf, '\n');
    expect(errorCode(await cliIn(['--passphrase-file', pf, 'init', parent, '--user', 'a', '--email', 'a@x', '--passphrase']))).toBe('E_USAGE');
    expect(fs.existsSync(path.join(parent, 'seeqret', 'vault.key'))).toBe(false);
  });

  it('-- ends seeqret options: --debug after it belongs to the child', async () => {
    const v = newVault();
    addSecrets(v, { key: 'K', value: 'v' });
    const r = await cliIn(['run', '-f', '::K', '--', process.execPath, '-e', 'console.log(process.argv.slice(1).join(" "))', '--', '--debug'], { vault: v });
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('--debug');
  });
});

describe('dotenv round trip through the vault (property)', () => {
  // Loader variables (PATH, LD_*, PYTHON*, ...) are never exported through a filter (tested in
  // cli.test.ts), so the round trip is about every other name.
  const key = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,15}$/).filter((k) => !isDangerousVariable(k));
  const value = binaryString({ maxLength: 60 }).map((s) => s.replace(/\0/g, '').replace(/[\uD800-\uDFFF]/g, '?'));

  it('any value survives dotenv → vault (importenv) → env.template → .env → dotenv parse', () => {
    const dir = newLibVault();
    const vault = Vault.open({ dir });
    let round = 0;
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(key, value), { minLength: 1, maxLength: 8, selector: ([k]) => k }), (pairs) => {
        const env = `r${round++}`;
        const input = formatDotenv(pairs.map(([k, v]) => ({ key: k, value: v })));
        const imported = parseDotenv(input);
        vault.setMany(imported.map((e) => ({ env, key: e.key, value: e.value })), { update: true });
        const { entries } = resolveTemplate(vault, `:${env}:\n`);
        const back = parseDotenv(formatDotenv(entries.map((e) => ({ key: e.name, value: e.value }))));
        const want = new Map(pairs);
        expect(back.length).toBe(pairs.length);
        for (const b of back) expect(b.value).toBe(want.get(b.key));
      }),
      { numRuns: 300 },
    );
    vault.close();
  });

  // The command tree in-process (cliIn, decision 58): importenv and env as child processes are in
  // test/cli.test.ts.
  it('the same through the CLI: importenv FILE, then env --stdout', async () => {
    const v = newVault();
    const dir = tmpdir();
    let round = 0;
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.tuple(key, value), { minLength: 1, maxLength: 5, selector: ([k]) => k }), async (pairs) => {
        const env = `c${round++}`;
        fs.writeFileSync(path.join(dir, 'in.env'), formatDotenv(pairs.map(([k, val]) => ({ key: k, value: val }))));
        fs.writeFileSync(path.join(dir, 'env.template'), `:${env}:\n`);
        expect((await cliIn(['importenv', 'in.env', '--env', env], { vault: v, cwd: dir })).code).toBe(0);
        const out = await cliIn(['env', '--stdout'], { vault: v, cwd: dir });
        // The default (node) dialect refuses, naming the key, a value Node or npm dotenv cannot read back (a CR, ...).
        const refused = pairs.filter(([, val]) => quoteForDialect(val, 'node') === null);
        if (refused.length > 0) {
          expect(errorCode(out), out.stderr).toBe('E_DIALECT');
          expect(refused.some(([k]) => out.stderr.includes(`write ${k} in the node dialect`)), out.stderr).toBe(true);
          return;
        }
        expect(out.code, out.stderr).toBe(0);
        const back = new Map(parseDotenv(out.stdout).map((e) => [e.key, e.value]));
        expect(back).toEqual(new Map(pairs));
      }),
      { numRuns: 12 },
    );
  });
});
