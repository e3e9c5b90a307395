/**
 * `seeqret/config` against a hostile environment or file, in a real `node` child importing the
 * package: credential variables are gone from process.env once the vault is open (also for the
 * app's own children), a constant of env.template cannot set a loader variable, a NUL value is
 * refused (all or nothing), and a file that is not a template never has its content printed.
 * Each refusal runs once in such a child; its other cases call the module's `config()` in this
 * process (decision 58).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, cleanEnv, cliIn, errorCode, newVault, tmpdir } from './helpers.js';

const PASS = 'vault passphrase 1';

/** Run `import 'seeqret/config'` then `after` (JS, may use `report`) in a node child. */
function withConfig(after: string, opts: { cwd: string; env: Record<string, string> }): { status: number | null; stdout: string; stderr: string } {
  const script = `import 'seeqret/config';\nimport { execFileSync } from 'node:child_process';\nconst report = (x) => process.stdout.write(JSON.stringify(x));\n${after}`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: opts.cwd, env: cleanEnv({ NODE_PATH: path.join(ROOT, 'node_modules'), ...opts.env }), encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * What `import 'seeqret/config'` does, in this process: `config()` (src/config.ts, the module's
 * one statement) on a fresh target with the app's environment and folder. `stderr` is what Node
 * prints: its warnings, and the uncaught error the import would throw (`util.inspect`: stack,
 * code and fix);
 * `status` 1 when it throws, as the app's. Each test below also keeps one real `node` child
 * ({@link withConfig}) that the import stops.
 */
let config: typeof import('../src/inject/config.js').config;
beforeAll(async () => {
  // src/inject/config.ts has no effect when imported (src/config.ts is the module that runs it).
  ({ config } = await import('../src/inject/config.js'));
});

function configIn(cwd: string, env: Record<string, string>): { status: number; stdout: string; stderr: string } {
  const target: NodeJS.ProcessEnv = {};
  // Warnings (a filter that matches nothing) go where `process.emitWarning` would print them.
  const warnings: string[] = [];
  const warn = (text: string): void => void warnings.push(`Warning: ${text}\n`);
  try {
    config(target, { env: { ...env }, cwd, warn });
    return { status: 0, stdout: JSON.stringify(target), stderr: warnings.join('') };
  } catch (e) {
    return { status: 1, stdout: '', stderr: warnings.join('') + inspect(e) };
  }
}

/** A project folder whose node resolution finds this package (a link to it in node_modules). */
function appDir(): string {
  const dir = tmpdir();
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(ROOT, path.join(dir, 'node_modules', 'seeqret'));
  return dir;
}

describe('seeqret/config', () => {
  it('removes the credential variables from process.env once the vault is open; the app and its children never see them', async () => {
    const v = newVault({ passphrase: PASS });
    expect((await cliIn(['add', 'key', 'API', 'api-value', '--app', 'web', '--env', 'dev'], { vault: v, env: { SEEQRET_PASSPHRASE: PASS } })).code).toBe(0);
    const dir = appDir();
    fs.writeFileSync(path.join(dir, 'env.template'), 'web:dev:\n');
    const creds = { SEEQRET_PASSPHRASE: PASS, SEEQRET_BACKUP_PASSPHRASE: 'backup pass', SEEQRET_SS_PASSWORD: 'ss pass', SEEQRET_TEAM_PASSPHRASE: 'team pass', PPROTECT_PASSPHRASE: 'pp pass' };
    const r = withConfig(
      "report({ api: process.env.API, left: Object.keys(process.env).filter((k) => /^(SEEQRET_|PPROTECT_)/.test(k) && /PASS/.test(k)), child: execFileSync(process.execPath, ['-e', 'process.stdout.write(Object.keys(process.env).filter((k) => /^(SEEQRET_|PPROTECT_)/.test(k) && /PASS/.test(k)).join())'], { encoding: 'utf8' }) });",
      { cwd: dir, env: { SEEQRET: v, ...creds } },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ api: 'api-value', left: [], child: '' });
    // Also when opening the vault fails (a wrong passphrase): it was used, it is removed.
    const bad = withConfig('', { cwd: dir, env: { SEEQRET: v, SEEQRET_PASSPHRASE: 'not-the-pass-xyz' } });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('E_WRONG_PASSPHRASE');
    expect(bad.stderr).not.toContain('not-the-pass-xyz');
  });

  it('refuses a loader variable set by a constant line (nothing is set); an explicit NAME=app:env:key line still sets one', async () => {
    const v = newVault();
    expect((await cliIn(['add', 'key', 'API', 'api-value', '--app', 'web', '--env', 'dev'], { vault: v })).code).toBe(0);
    expect((await cliIn(['add', 'key', 'NODE_OPTIONS', '--app', 'web', '--env', 'dev'], { vault: v, input: '--max-old-space-size=64\n' })).code).toBe(0);
    const dir = appDir();
    for (const [i, line] of ['NODE_OPTIONS=--require /tmp/evil.js', 'LD_PRELOAD=/tmp/evil.so', "PATH='/tmp/evil:/usr/bin'", 'PYTHONSTARTUP=/tmp/x.py', 'BASH_ENV=/tmp/x.sh'].entries()) {
      fs.writeFileSync(path.join(dir, 'env.template'), `API=web:dev:API\n${line}\n`);
      const r = i === 0 ? withConfig("report({ api: process.env.API ?? 'unset' });", { cwd: dir, env: { SEEQRET: v } }) : configIn(dir, { SEEQRET: v });
      expect(r.status, line).not.toBe(0);
      expect(r.stderr, line).toContain('E_BAD_VALUE');
      expect(r.stderr, line).not.toContain('/tmp/evil');
    }
    fs.writeFileSync(path.join(dir, 'env.template'), 'NODE_OPTIONS=web:dev:NODE_OPTIONS\n');
    const ok = configIn(dir, { SEEQRET: v });
    expect(ok.status, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ NODE_OPTIONS: '--max-old-space-size=64' });
  });

  it('refuses a value containing NUL (from the vault or a constant), as the CLI does, setting nothing', async () => {
    const v = newVault();
    expect((await cliIn(['add', 'key', 'API', 'api-value', '--app', 'web', '--env', 'dev'], { vault: v })).code).toBe(0);
    expect((await cliIn(['add', 'key', 'BIN', '--app', 'web', '--env', 'dev'], { vault: v, input: Buffer.from('a\0b\n') })).code).toBe(0);
    const dir = appDir();
    const cases: Array<[string, Record<string, string>]> = [
      ['web:dev:API\nweb:dev:BIN\n', {}],
      ['', { SEEQRET_FILTER: 'web:dev:' }],
      ['API=web:dev:API\nX=a\0b\n', {}],
    ];
    for (const [i, [template, env]] of cases.entries()) {
      fs.writeFileSync(path.join(dir, 'env.template'), template);
      const r = i === 0 ? withConfig("report({ api: process.env.API ?? 'unset' });", { cwd: dir, env: { SEEQRET: v, ...env } }) : configIn(dir, { SEEQRET: v, ...env });
      expect(r.status, JSON.stringify(template)).not.toBe(0);
      expect(r.stderr).toContain('E_BAD_VALUE');
      expect(r.stderr).toMatch(/\b(BIN|X) contains a NUL character/);
    }
    const cliRun = await cliIn(['run', '-f', 'web:dev:', '--', process.execPath, '-e', '0'], { vault: v });
    expect(errorCode(cliRun)).toBe('E_BAD_VALUE');
  });

  it('never prints the content of a file that is not a template (SEEQRET_TEMPLATE, run --template)', async () => {
    const v = newVault();
    expect((await cliIn(['add', 'key', 'API', 'api-value', '--app', 'web', '--env', 'dev'], { vault: v })).code).toBe(0);
    const dir = appDir();
    const files: Record<string, string> = {
      shadow: 'root:$6$saltsalt$SHADOWHASHSHADOWHASH:19000:0:99999:7:::\n',
      dotenv: 'DATABASE_URL=postgres://user:SUPERSECRETPW@db.example.com:5432/app\n',
      password: 'correct-horse-battery-staple\n',
      spaced: 'my secret passphrase words\n',
    };
    const markers = ['SHADOWHASH', 'SUPERSECRETPW', 'correct-horse', 'passphrase words'];
    for (const [i, [name, content]] of Object.entries(files).entries()) {
      const file = path.join(dir, name);
      fs.writeFileSync(file, content);
      const r = i === 0 ? withConfig("report({ api: process.env.API ?? 'unset' });", { cwd: dir, env: { SEEQRET: v, SEEQRET_TEMPLATE: file } }) : configIn(dir, { SEEQRET: v, SEEQRET_TEMPLATE: file });
      const c = await cliIn(['run', '--template', file, '--', process.execPath, '-e', '0'], { vault: v });
      for (const m of markers) {
        expect(r.stderr, `${name} (seeqret/config)`).not.toContain(m);
        expect(c.stderr, `${name} (run --template)`).not.toContain(m);
      }
      // Each says which file and line.
      expect(r.stderr + r.stdout, name).toMatch(new RegExp(`${name}:1: `));
      expect(c.stderr, name).toMatch(new RegExp(`${name}:1: `));
    }
  });
});
