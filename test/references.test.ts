/**
 * Secret references through the real CLI: `run --env-file` (in order, plain values through,
 * references in the inherited environment too, one audit entry), `inject` (0600, atomic, every
 * unresolved reference named and nothing written, stdout, no special files), short references
 * inside a project, the accepted-names rule and the code-loading-variable rule. `run` and
 * `inject` each run once as a child process (the first `run --env-file` test, inject's 0600 file
 * and stdin); the other cases run in this process (cliIn, decision 58).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Vault } from '../src/vault/vault.js';
import { type CliResult, addSecrets, cli, cliIn, errorCode, newVault, tmpdir } from './helpers.js';
import { ENV_DUMP, parseEnvDump } from './env-dump.js';

function ok(r: CliResult): CliResult {
  expect(r.code, r.stderr).toBe(0);
  return r;
}

const PRINT_ENV = [process.execPath, '-e', 'process.stdout.write(JSON.stringify(process.env))'];

/** The child's environment as `run` gives it (`run` a child process of its own: the first test). */
function childEnv(vault: string, args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): { r: CliResult; env: Record<string, string> } {
  const r = cli(['run', ...args, '--no-mask', '--', ...PRINT_ENV], { vault, ...opts });
  return { r, env: r.code === 0 ? (JSON.parse(r.stdout) as Record<string, string>) : {} };
}

/** {@link childEnv}, `run` in this process (cliIn): its child, `env -0`, is still a real process (test/env-dump.ts). */
async function childEnvIn(vault: string, args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<{ r: CliResult; env: Record<string, string> }> {
  const r = await cliIn(['run', ...args, '--no-mask', '--', ...ENV_DUMP], { vault, ...opts });
  return { r, env: r.code === 0 ? parseEnvDump(r.stdout) : {} };
}

/** A vault with a few secrets, and a folder to work in. */
function setup(): { vault: string; dir: string } {
  const vault = newVault();
  addSecrets(
    vault,
    { app: 'web', env: 'dev', key: 'DB_URL', value: 'postgres://dev-secret' },
    { app: 'web', env: 'prod', key: 'DB_URL', value: 'postgres://prod-secret' },
    { app: 'web', env: 'dev', key: 'certs/tls.key', value: 'key-with-slash' },
    { app: '*', env: '*', key: 'TOKEN', value: 'global-token' },
    { app: 'web', env: 'dev', key: 'LOADER', value: '--require ./evil.js' },
  );
  return { vault, dir: tmpdir() };
}

/** The `how` of every secret.read audit entry, with the secrets it names. */
function reads(vault: string): Array<{ how: string; secrets: string[] }> {
  const v = Vault.open({ dir: vault, readonly: true });
  try {
    return v
      .auditLog()
      .filter((e) => e.action === 'secret.read')
      .map((e) => {
        const d = JSON.parse(e.detail ?? '{}') as { how: string; secrets?: string[] };
        return { how: d.how, secrets: d.secrets ?? [e.target ?? ''] };
      });
  } finally {
    v.close();
  }
}

describe('run --env-file', () => {
  it('resolves references, passes plain values through, reads several files in order, resolves inherited references, and audits once', () => {
    const { vault, dir } = setup();
    fs.writeFileSync(path.join(dir, '.env'), 'DB_URL=seeqret://web/dev/DB_URL\nPLAIN=hello world\nTLS="seeqret://web/dev/certs%2Ftls.key"\nLATER=first\n');
    fs.writeFileSync(path.join(dir, '.env.local'), 'LATER=second\nGLOBAL=seeqret://*/*/TOKEN\n');
    const before = reads(vault).length;
    const { r, env } = childEnv(vault, ['--env-file', '.env', '--env-file', '.env.local'], { cwd: dir, env: { INHERITED: 'seeqret://web/prod/DB_URL', OTHER: 'kept' } });
    ok(r);
    expect(env['DB_URL']).toBe('postgres://dev-secret');
    expect(env['PLAIN']).toBe('hello world');
    expect(env['TLS']).toBe('key-with-slash');
    expect(env['LATER']).toBe('second');
    expect(env['GLOBAL']).toBe('global-token');
    expect(env['INHERITED']).toBe('postgres://prod-secret');
    expect(env['OTHER']).toBe('kept');
    const after = reads(vault).slice(before);
    expect(after).toHaveLength(1);
    expect(after[0]?.how).toBe(`run ${process.execPath}`);
    expect([...(after[0]?.secrets ?? [])].sort()).toEqual(['*:*:TOKEN', 'web:dev:DB_URL', 'web:dev:certs/tls.key', 'web:prod:DB_URL']);
  });

  it('--preserve-existing keeps a variable set in the environment over the file; with -f the selected secrets are added', async () => {
    const { vault, dir } = setup();
    fs.writeFileSync(path.join(dir, '.env'), 'DB_URL=seeqret://web/dev/DB_URL\nMODE=file\n');
    const kept = await childEnvIn(vault, ['--env-file', '.env', '--preserve-existing'], { cwd: dir, env: { MODE: 'parent' } });
    ok(kept.r);
    expect(kept.env['MODE']).toBe('parent');
    expect(kept.env['DB_URL']).toBe('postgres://dev-secret');
    const withFilter = await childEnvIn(vault, ['--env-file', '.env', '-f', '*:*:TOKEN'], { cwd: dir });
    ok(withFilter.r);
    expect(withFilter.env['TOKEN']).toBe('global-token');
    expect(withFilter.env['DB_URL']).toBe('postgres://dev-secret');
  });

  it('masks resolved values in captured output by default', async () => {
    const { vault, dir } = setup();
    fs.writeFileSync(path.join(dir, '.env'), 'DB_URL=seeqret://web/dev/DB_URL\n');
    const r = ok(await cliIn(['run', '--env-file', '.env', '--', 'sh', '-c', 'printf "%s\\n" "$DB_URL"'], { vault, cwd: dir }));
    expect(r.stdout).not.toContain('dev-secret');
    expect(r.stdout).toContain('*****');
  });

  it('names every unresolved reference (file:line or the variable) without values, and starts nothing', async () => {
    const { vault, dir } = setup();
    const marker = path.join(dir, 'started');
    fs.writeFileSync(path.join(dir, '.env'), '# c\nA=seeqret://web/dev/NOPE\nB=seeqret://web/dev/bad key\nC=seeqret://web/dev/DB_URL\nD=seeqret://SHORT\n');
    const r = await cliIn(['run', '--env-file', '.env', '--', process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, '')`], { vault, cwd: dir, env: { E: 'SEEQRET://web/dev/DB_URL' } });
    expect(errorCode(r)).toBe('E_REFERENCE_UNRESOLVED');
    expect(r.code).toBe(3);
    for (const part of ['.env:2 (A): seeqret://web/dev/NOPE', '.env:3 (B)', '.env:5 (D): seeqret://SHORT', 'environment variable E']) expect(r.stderr).toContain(part);
    expect(r.stderr).toContain('4 references');
    expect(r.stderr).not.toContain('dev-secret');
    expect(fs.existsSync(marker)).toBe(false);
  });

  it('refuses a reference in a code-loading variable (from a file or inherited), even to a secret that exists', async () => {
    const { vault, dir } = setup();
    fs.writeFileSync(path.join(dir, '.env'), 'NODE_OPTIONS=seeqret://web/dev/LOADER\n');
    const r = await cliIn(['run', '--env-file', '.env', '--', 'true'], { vault, cwd: dir });
    expect(errorCode(r)).toBe('E_BAD_VALUE');
    expect(r.stderr).toContain('.env:1 (NODE_OPTIONS)');
    expect(r.stderr).not.toContain('evil');
    const inherited = await cliIn(['run', '--env-file', '/dev/null', '--', 'true'], { vault, cwd: dir, env: { LD_PRELOAD: 'seeqret://web/dev/LOADER' } });
    expect(errorCode(inherited)).toBe('E_BAD_VALUE');
    expect(inherited.stderr).toContain('LD_PRELOAD');
  });

  it('a missing env file is E_FILE_NOT_FOUND; a bad line is E_DOTENV_SYNTAX', async () => {
    const { vault, dir } = setup();
    // In-process: Node 20 itself checks an --env-file argument even after the script (nodejs/node#54232)
    // and exits 9 with "node: nope.env: not found" before seeqret starts.
    expect(errorCode(await cliIn(['run', '--env-file', 'nope.env', '--', 'true'], { vault, cwd: dir }))).toBe('E_FILE_NOT_FOUND');
    fs.writeFileSync(path.join(dir, 'bad.env'), 'not an assignment\n');
    expect(errorCode(await cliIn(['run', '--env-file', 'bad.env', '--', 'true'], { vault, cwd: dir }))).toBe('E_DOTENV_SYNTAX');
  });
});

describe('short references inside a project', () => {
  it('seeqret://KEY is the project app and the selected environment (-e, SEEQRET_ENV, seeqret.yaml)', async () => {
    const { vault, dir } = setup();
    fs.writeFileSync(path.join(dir, 'seeqret.yaml'), 'app: web\nenvironment: dev\n');
    fs.writeFileSync(path.join(dir, '.env'), 'DB_URL=seeqret://DB_URL\n');
    expect((await childEnvIn(vault, ['--env-file', '.env'], { cwd: dir })).env['DB_URL']).toBe('postgres://dev-secret');
    expect((await childEnvIn(vault, ['--env-file', '.env'], { cwd: dir, env: { SEEQRET_ENV: 'prod' } })).env['DB_URL']).toBe('postgres://prod-secret');
    fs.writeFileSync(path.join(dir, 'app.tpl'), 'db={{ seeqret://DB_URL }}\n');
    expect(ok(await cliIn(['inject', '-i', 'app.tpl', '-e', 'prod'], { vault, cwd: dir })).stdout).toBe('db=postgres://prod-secret\n');
  });
});

describe('accepted names', () => {
  it('a reference to a name received and not accepted yet is unresolved (with the accept fix) until it is accepted', async () => {
    const { vault, dir } = setup();
    const bob = newVault({ user: 'bob' });
    const { introduce } = await import('./helpers.js');
    introduce(vault, bob);
    introduce(bob, vault);
    addSecrets(bob, { app: 'web', env: 'dev', key: 'SENT', value: 'from-bob' });
    const bundle = path.join(tmpdir(), 'b.json');
    ok(await cliIn(['export', '--to', 'alice', '-f', 'web:dev:SENT', '-o', bundle], { vault: bob }));
    ok(await cliIn(['load', '-f', bundle], { vault }));
    fs.writeFileSync(path.join(dir, '.env'), 'S=seeqret://web/dev/SENT\n');
    const r = await cliIn(['run', '--env-file', '.env', '--', 'true'], { vault, cwd: dir });
    expect(errorCode(r)).toBe('E_REFERENCE_UNRESOLVED');
    expect(r.stderr).toContain('not accepted yet');
    expect(r.stderr).toContain('seeqret accept web:dev:SENT');
    fs.writeFileSync(path.join(dir, 't.tpl'), 's={{ seeqret://web/dev/SENT }}\n');
    expect(errorCode(await cliIn(['inject', '-i', 't.tpl'], { vault, cwd: dir }))).toBe('E_REFERENCE_UNRESOLVED');
    ok(await cliIn(['accept', 'web:dev:SENT'], { vault }));
    expect((await childEnvIn(vault, ['--env-file', '.env'], { cwd: dir })).env['S']).toBe('from-bob');
  });
});

describe('inject', () => {
  // A child process (file mode under its umask, stdin as a pipe to EOF); `-o -` in this process.
  it('fills every placeholder, writes 0600 atomically, to stdout with -o - or no -o, and from stdin; audits the read', async () => {
    const { vault, dir } = setup();
    const tpl = 'url: {{ seeqret://web/dev/DB_URL }}\ntoken: {{seeqret://*/*/TOKEN}} and {{ seeqret://web/dev/DB_URL }}\nplain {{ NOT_A_REF }} $HOME\n';
    const expected = 'url: postgres://dev-secret\ntoken: global-token and postgres://dev-secret\nplain {{ NOT_A_REF }} $HOME\n';
    fs.writeFileSync(path.join(dir, 'config.tpl'), tpl);
    const before = reads(vault).length;
    const r = ok(cli(['inject', '-i', 'config.tpl', '-o', 'config.yaml'], { vault, cwd: dir }));
    expect(r.stderr).toContain('3 references (2 secrets)');
    const out = path.join(dir, 'config.yaml');
    expect(fs.readFileSync(out, 'utf8')).toBe(expected);
    expect(fs.statSync(out).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir).sort()).toEqual(['config.tpl', 'config.yaml']);
    expect(ok(await cliIn(['inject', '-i', 'config.tpl', '-o', '-'], { vault, cwd: dir })).stdout).toBe(expected);
    expect(ok(cli(['inject'], { vault, cwd: dir, input: tpl })).stdout).toBe(expected);
    const audit = reads(vault).slice(before);
    expect(audit.map((a) => a.how)).toEqual(['inject config.tpl', 'inject config.tpl --stdout', 'inject <stdin> --stdout']);
    expect([...(audit[0]?.secrets ?? [])].sort()).toEqual(['*:*:TOKEN', 'web:dev:DB_URL']);
  });

  it('reports every unresolved reference with file:line and writes nothing (an existing output stays as it was)', async () => {
    const { vault, dir } = setup();
    fs.writeFileSync(path.join(dir, 'c.tpl'), 'a={{ seeqret://web/dev/DB_URL }}\nb={{ seeqret://web/dev/MISSING }}\n\nc={{ seeqret://a b }}\nd={{ seeqret://web/dev/%zz }}\ne={{ seeqret://KEY }}\n');
    fs.writeFileSync(path.join(dir, 'out.txt'), 'old');
    const r = await cliIn(['inject', '-i', 'c.tpl', '-o', 'out.txt'], { vault, cwd: dir });
    expect(errorCode(r)).toBe('E_REFERENCE_UNRESOLVED');
    for (const part of ['c.tpl:2: seeqret://web/dev/MISSING', 'c.tpl:4: {{ seeqret:', 'c.tpl:5: seeqret://web/dev/%zz', 'c.tpl:6: seeqret://KEY']) expect(r.stderr).toContain(part);
    expect(r.stderr).toContain('4 references');
    expect(r.stderr).not.toContain('dev-secret');
    expect(r.stdout).toBe('');
    expect(fs.readFileSync(path.join(dir, 'out.txt'), 'utf8')).toBe('old');
    expect(fs.readdirSync(dir).sort()).toEqual(['c.tpl', 'out.txt']);
  });

  it('refuses to write over a symlink, a folder or the template itself', async () => {
    const { vault, dir } = setup();
    fs.writeFileSync(path.join(dir, 'c.tpl'), 'a={{ seeqret://web/dev/DB_URL }}\n');
    fs.writeFileSync(path.join(dir, 'target'), 'untouched');
    fs.symlinkSync(path.join(dir, 'target'), path.join(dir, 'link'));
    fs.mkdirSync(path.join(dir, 'folder'));
    for (const out of ['link', 'folder', 'c.tpl']) expect([out, errorCode(await cliIn(['inject', '-i', 'c.tpl', '-o', out], { vault, cwd: dir }))]).toEqual([out, 'E_USAGE']);
    expect(fs.readFileSync(path.join(dir, 'target'), 'utf8')).toBe('untouched');
  });

  it('is in the help and in shell completion', async () => {
    expect(ok(await cliIn(['--help'])).stdout).toContain('inject');
    expect(ok(await cliIn(['inject', '--help'])).stdout).toContain('--out');
    const bash = ok(await cliIn(['completion', 'bash'])).stdout;
    expect(bash).toContain("'inject') echo");
  });
});
