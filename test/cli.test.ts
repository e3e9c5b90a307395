/**
 * The main commands against real vaults in temporary folders. One test per command runs the real
 * CLI as a child process (`cli`: init's file modes, add/get over stdin pipes and the `get` fast
 * path, history, list, edit value, rm's prompt answered and closed on stdin, importenv, env's
 * 0600 file, run's exit code and signals, info, doctor); the other cases, and set-up that is not
 * what a test checks, run the same command tree in-process (`cliIn`, decision 58).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDotenv } from '../src/formats/dotenv.js';
import { cli, cliIn, cliInTerminal, errorCode, newVault, tmpdir } from './helpers.js';
import { must } from './must.js';

describe('init', () => {
  it('creates DIR/seeqret with 0700 folder and 0600 files, and prints the public key in both forms', () => {
    const parent = tmpdir();
    const r = cli(['init', parent, '--user', 'alice', '--email', 'alice@example.com']);
    expect(r.code).toBe(0);
    const dir = path.join(parent, 'seeqret');
    expect(r.stdout).toContain(`Created vault ${dir}`);
    expect(r.stdout).toMatch(/public key \(base64\): [A-Za-z0-9+/]{43}=/);
    expect(r.stdout).toMatch(/public key \(age\): +age1[a-z0-9]{58}/);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    for (const f of fs.readdirSync(dir)) expect(fs.statSync(path.join(dir, f)).mode & 0o777, f).toBe(0o600);
  });

  it('uses --vault / SEEQRET when no DIR is given', async () => {
    const dir = path.join(tmpdir(), 'v');
    expect((await cliIn(['init', '--user', 'a', '--email', 'a@x'], { env: { SEEQRET: dir } })).code).toBe(0);
    expect(fs.existsSync(path.join(dir, 'vault.db'))).toBe(true);
    const dir2 = path.join(tmpdir(), 'w');
    expect((await cliIn(['init', '--user', 'a', '--email', 'a@x'], { vault: dir2 })).code).toBe(0);
    expect(fs.existsSync(path.join(dir2, 'vault.key'))).toBe(true);
  });

  it('requires --user and --email when not on a terminal', async () => {
    const r = await cliIn(['init', tmpdir(), '--email', 'a@x']);
    expect(r.code).toBe(2);
    expect(errorCode(r)).toBe('E_USAGE');
    expect(r.stderr).toContain('--user');
  });

  it('refuses a location inside a git work tree unless --force', async () => {
    const repo = tmpdir();
    fs.mkdirSync(path.join(repo, '.git'));
    const r = await cliIn(['init', path.join(repo, 'sub'), '--user', 'a', '--email', 'a@x']);
    expect(r.code).toBe(5);
    expect(errorCode(r)).toBe('E_IN_VCS');
    expect((await cliIn(['init', path.join(repo, 'sub'), '--user', 'a', '--email', 'a@x', '--force'])).code).toBe(0);
  });

  it('refuses to overwrite an existing vault', async () => {
    const parent = tmpdir();
    expect((await cliIn(['init', parent, '--user', 'a', '--email', 'a@x'])).code).toBe(0);
    const r = await cliIn(['init', parent, '--user', 'b', '--email', 'b@x']);
    expect(errorCode(r)).toBe('E_VAULT_EXISTS');
  });
});

describe('add / get / list / edit / rm', () => {
  it('adds from an argument, from stdin and as multi-line text; get prints exactly the value', async () => {
    const v = newVault();
    // From an argument in-process; from a stdin pipe, and `get` (its fast path) of the multi-line
    // text, as child processes; the other reads in-process.
    expect((await cliIn(['add', 'key', 'FOO', 'bar', '--env', 'dev'], { vault: v })).code).toBe(0);
    expect(cli(['add', 'key', 'PIPED', '--app', 'myapp'], { vault: v, input: 'from stdin\n' }).code).toBe(0);
    const text = 'line 1\nline "2"\n\ttabbed ü ✓\n';
    expect(cli(['add', 'text', 'CERT'], { vault: v, input: text }).code).toBe(0);
    expect((await cliIn(['get', ':dev:FOO'], { vault: v })).stdout).toBe('bar\n');
    expect((await cliIn(['get', 'myapp::PIPED', '-n'], { vault: v })).stdout).toBe('from stdin');
    expect(cli(['get', 'CERT', '-n'], { vault: v }).stdout).toBe(text);
  });

  it('never prints the value when adding', async () => {
    const v = newVault();
    const r = await cliIn(['add', 'key', 'TOKEN', 'sup3r-s3cret-value'], { vault: v });
    expect(r.stdout + r.stderr).not.toContain('sup3r-s3cret-value');
    expect(r.stderr).toContain('Added *:*:TOKEN');
  });

  it('refuses to replace without --force, keeps history with --force', async () => {
    const v = newVault();
    await cliIn(['add', 'key', 'K', 'one'], { vault: v });
    const r = await cliIn(['add', 'key', 'K', 'two'], { vault: v });
    expect(r.code).toBe(5);
    expect(errorCode(r)).toBe('E_EXISTS');
    expect((await cliIn(['add', 'key', 'K', 'two', '--force'], { vault: v })).code).toBe(0);
    expect((await cliIn(['get', 'K'], { vault: v })).stdout).toBe('two\n');
    const h = await cliIn(['history', 'K', '--format', 'json'], { vault: v });
    const rows = JSON.parse(h.stdout) as Array<{ version: number; value: string; current: string }>;
    expect(rows.map((x) => [x.version, x.value])).toEqual([
      [2, 'REDACTED'],
      [1, 'REDACTED'],
    ]);
    // `history` as a child process once
    const hr = JSON.parse(cli(['history', 'K', '--format', 'json', '--reveal'], { vault: v }).stdout) as Array<{ value: string }>;
    expect(hr.map((x) => x.value)).toEqual(['two', 'one']);
  });

  it('rejects names with colons, globs or spaces', async () => {
    const v = newVault();
    for (const bad of ['A:B', 'A*', 'A B', 'A,B']) {
      const r = await cliIn(['add', 'key', bad, 'x'], { vault: v });
      expect(r.code, bad).toBe(2);
      expect(errorCode(r)).toBe('E_INVALID_NAME');
    }
    expect(errorCode(await cliIn(['add', 'key', 'K', 'x', '--app', 'my:app'], { vault: v }))).toBe('E_INVALID_NAME');
  });

  it('get with no match or several matches fails clearly, listing the candidates', async () => {
    const v = newVault();
    await cliIn(['add', 'key', 'DB', 'a', '--app', 'a1', '--env', 'dev'], { vault: v });
    await cliIn(['add', 'key', 'DB', 'b', '--app', 'a2', '--env', 'dev'], { vault: v });
    const none = await cliIn(['get', 'NOPE'], { vault: v });
    expect(none.code).toBe(3);
    expect(errorCode(none)).toBe('E_NOT_FOUND');
    const many = cli(['get', 'DB'], { vault: v }); // the fast path's refusal, as a child process
    expect(many.code).toBe(4);
    expect(many.stderr).toContain('a1:dev:DB');
    expect(many.stderr).toContain('a2:dev:DB');
    expect(many.stdout).toBe('');
    expect(many.stderr).not.toMatch(/\ba\b.*\bb\b/);
    expect((await cliIn(['get', 'a2:dev:DB'], { vault: v })).stdout).toBe('b\n');
  });

  it('list redacts unless --reveal or SEEQRET_NO_REDACT=1, and filters are case-sensitive unions', async () => {
    const v = newVault();
    await cliIn(['add', 'key', 'POSTGRES_PW', 'pg-secret', '--env', 'dev'], { vault: v });
    await cliIn(['add', 'key', 'POSTGRES_USER', 'pg-user', '--env', 'dev'], { vault: v });
    await cliIn(['add', 'key', 'postgres_lower', 'lower', '--env', 'dev'], { vault: v });
    await cliIn(['add', 'key', 'API', 'api-secret', '--env', 'prod'], { vault: v });
    const red = await cliIn(['list', '--format', 'json'], { vault: v });
    expect(red.stdout).not.toContain('pg-secret');
    expect(red.stdout).toContain('REDACTED');
    const f = JSON.parse((await cliIn(['list', '-f', ':dev:POSTGRES_*', '--format', 'json'], { vault: v })).stdout) as Array<{ key: string }>;
    expect(f.map((x) => x.key)).toEqual(['POSTGRES_PW', 'POSTGRES_USER']);
    const union = JSON.parse((await cliIn(['list', '-f', '::API', '-f', '::postgres_lower', '--format', 'json', '--reveal'], { vault: v })).stdout) as Array<{ key: string; value: string }>;
    // sorted by app, env, key: *:dev:postgres_lower before *:prod:API
    expect(union.map((x) => [x.key, x.value])).toEqual([
      ['postgres_lower', 'lower'],
      ['API', 'api-secret'],
    ]);
    const env = await cliIn(['list', ':dev:POSTGRES_PW', '--format', 'env'], { vault: v, env: { SEEQRET_NO_REDACT: '1' } });
    expect(env.stdout).toBe('POSTGRES_PW=pg-secret\n');
    expect((await cliIn(['list', ':dev:POSTGRES_PW', '--format', 'shell', '--reveal'], { vault: v })).stdout).toBe("export POSTGRES_PW='pg-secret'\n");
    const csv = (await cliIn(['list', '::API', '--format', 'csv'], { vault: v })).stdout;
    expect(csv.split('\r\n')[0]).toBe('app,env,key,value,type,updated');
    const yaml = (await cliIn(['list', '::API', '--format', 'yaml'], { vault: v })).stdout;
    expect(yaml).toContain('key: API');
    const table = (await cliIn(['list'], { vault: v })).stdout;
    expect(table).toContain('POSTGRES_USER');
    expect(table).not.toContain('\u001b['); // NO_COLOR honoured
  });

  it('colour on a terminal follows the run\'s own environment, not the host process\'s (CI, FORCE_COLOR there change nothing)', async () => {
    const v = newVault();
    await cliIn(['add', 'key', 'A', '1'], { vault: v });
    const bold = '\u001b[1m';
    const host = { CI: process.env['CI'], FORCE_COLOR: process.env['FORCE_COLOR'], NO_COLOR: process.env['NO_COLOR'] };
    // The host process asks for colour every way it can; only the run's environment may decide.
    process.env['CI'] = '1';
    process.env['FORCE_COLOR'] = '1';
    delete process.env['NO_COLOR'];
    try {
      const table = async (env: Record<string, string | undefined>): Promise<string> => (await cliInTerminal(['list'], { vault: v, env })).stdout;
      expect(await table({ TERM: 'xterm', FORCE_COLOR: undefined })).not.toContain('\u001b['); // cleanEnv sets NO_COLOR
      expect(await table({ TERM: 'dumb', NO_COLOR: undefined, FORCE_COLOR: undefined, CI: '1' })).not.toContain('\u001b[');
      expect(await table({ TERM: 'xterm', NO_COLOR: undefined, FORCE_COLOR: undefined })).toContain(bold);
      expect(await table({ TERM: 'dumb', NO_COLOR: undefined, FORCE_COLOR: '1' })).toContain(bold);
      expect(await table({ TERM: 'xterm', NO_COLOR: '', FORCE_COLOR: '1' })).not.toContain('\u001b[');
    } finally {
      const restore = (k: 'CI' | 'FORCE_COLOR' | 'NO_COLOR'): void => {
        const val = host[k];
        if (val === undefined) Reflect.deleteProperty(process.env, k);
        else process.env[k] = val;
      };
      restore('CI');
      restore('FORCE_COLOR');
      restore('NO_COLOR');
    }
  });

  it('SQL wildcards are literal: _ and % do not match other characters', async () => {
    const v = newVault();
    await cliIn(['add', 'key', 'A_B', '1'], { vault: v });
    await cliIn(['add', 'key', 'AXB', '2'], { vault: v });
    await cliIn(['add', 'key', 'A%B', '3'], { vault: v });
    const keys = (r: { stdout: string }): string[] => (JSON.parse(r.stdout) as Array<{ key: string }>).map((x) => x.key);
    const list = async (f: string): Promise<string[]> => keys(await cliIn(['list', f, '--format', 'json'], { vault: v }));
    expect(keys(cli(['list', 'A_B', '--format', 'json'], { vault: v }))).toEqual(['A_B']); // `list` as a child process once
    expect(await list('A_*')).toEqual(['A_B']);
    expect(await list('A%*')).toEqual(['A%B']);
    expect(await list('a_b')).toEqual([]);
  });

  it('edit value changes one secret (or all with --all), keeping history', async () => {
    const v = newVault();
    await cliIn(['add', 'key', 'X', 'old', '--env', 'dev'], { vault: v });
    await cliIn(['add', 'key', 'X', 'old', '--env', 'prod'], { vault: v });
    const amb = await cliIn(['edit', 'value', 'X', 'new'], { vault: v });
    expect(errorCode(amb)).toBe('E_AMBIGUOUS');
    expect((await cliIn(['edit', 'value', ':dev:X', 'new'], { vault: v })).code).toBe(0);
    expect((await cliIn(['get', ':dev:X'], { vault: v })).stdout).toBe('new\n');
    expect((await cliIn(['get', ':prod:X'], { vault: v })).stdout).toBe('old\n');
    // `edit value` as a child process once: the value from a stdin pipe
    expect(cli(['edit', 'value', 'X', '--all'], { vault: v, input: 'newest\n' }).code).toBe(0);
    expect((await cliIn(['get', ':prod:X'], { vault: v })).stdout).toBe('newest\n');
    expect(errorCode(await cliIn(['edit', 'value', 'NOPE', 'v'], { vault: v }))).toBe('E_NOT_FOUND');
  });

  it('rm key asks; answering no deletes nothing; --yes deletes; a match-everything filter needs --all', async () => {
    const v = newVault();
    await cliIn(['add', 'key', 'A', '1'], { vault: v });
    await cliIn(['add', 'key', 'B', '2'], { vault: v });
    const no = cli(['rm', 'key', 'A'], { vault: v, input: 'n\n' });
    expect(no.code).toBe(9);
    expect(errorCode(no)).toBe('E_ABORTED');
    expect(no.stderr).toContain('*:*:A');
    expect((await cliIn(['get', 'A'], { vault: v })).stdout).toBe('1\n');
    const eof = await cliIn(['rm', 'key', 'A'], { vault: v, input: '' });
    expect(eof.code).toBe(9);
    expect((await cliIn(['rm', 'key', 'A'], { vault: v, input: 'y\n' })).code).toBe(0);
    expect(errorCode(await cliIn(['get', 'A'], { vault: v }))).toBe('E_NOT_FOUND');
    await cliIn(['add', 'key', 'C', '3'], { vault: v });
    for (const everything of ['::', '*', '*:*:*', '']) {
      const r = await cliIn(['rm', 'key', everything, '--yes'], { vault: v });
      expect(errorCode(r), everything).toBe('E_NEEDS_ALL');
    }
    expect(errorCode(await cliIn(['rm', 'key', '[BC]', '--yes'], { vault: v }))).toBe('E_NEEDS_ALL');
    expect((await cliIn(['rm', 'key', '::', '--yes', '--all'], { vault: v })).code).toBe(0);
    expect(JSON.parse((await cliIn(['list', '--format', 'json'], { vault: v })).stdout)).toEqual([]);
  });
});

describe('importenv and env', () => {
  it('imports the full dotenv grammar all-or-nothing and reports added/updated/skipped', async () => {
    const v = newVault();
    const dir = tmpdir();
    const file = path.join(dir, 'in.env');
    fs.writeFileSync(file, ['# comment', 'export A=plain # trailing comment', 'B="multi\\nline \\"q\\""', "C='single $NOT'", 'D="real', 'newline"', 'E='].join('\n'));
    const r = await cliIn(['importenv', file, '--app', 'web', '--env', 'dev'], { vault: v });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('5 added, 0 updated, 0 skipped');
    expect((await cliIn(['get', 'web:dev:B', '-n'], { vault: v })).stdout).toBe('multi\nline "q"');
    expect((await cliIn(['get', 'web:dev:C', '-n'], { vault: v })).stdout).toBe('single $NOT');
    expect((await cliIn(['get', 'web:dev:D', '-n'], { vault: v })).stdout).toBe('real\nnewline');
    expect((await cliIn(['get', 'web:dev:E', '-n'], { vault: v })).stdout).toBe('');
    fs.writeFileSync(file, 'A=changed\nB="multi\\nline \\"q\\""\nF=new\n');
    const dry = await cliIn(['importenv', file, '--app', 'web', '--env', 'dev', '--update', '--dry-run'], { vault: v });
    expect(dry.stderr).toContain('1 added, 1 updated, 0 skipped, 1 unchanged (dry run');
    expect((await cliIn(['get', 'web:dev:A', '-n'], { vault: v })).stdout).toBe('plain');
    const skip = await cliIn(['importenv', file, '--app', 'web', '--env', 'dev'], { vault: v });
    expect(skip.stderr).toContain('1 added, 0 updated, 1 skipped, 1 unchanged');
    const upd = await cliIn(['importenv', file, '--app', 'web', '--env', 'dev', '--update'], { vault: v });
    expect(upd.stderr).toContain('0 added, 1 updated, 0 skipped, 2 unchanged');
    expect((await cliIn(['get', 'web:dev:A', '-n'], { vault: v })).stdout).toBe('changed');
  });

  it('a syntax error anywhere imports nothing and never echoes a value', async () => {
    const v = newVault();
    const file = path.join(tmpdir(), 'bad.env');
    fs.writeFileSync(file, 'GOOD=1\nALSO=2\nBROKEN="unterminated-secret-value\n');
    const r = cli(['importenv', file], { vault: v });
    expect(r.code).toBe(10);
    expect(errorCode(r)).toBe('E_DOTENV_SYNTAX');
    expect(r.stderr).not.toContain('unterminated-secret-value');
    expect(JSON.parse((await cliIn(['list', '--format', 'json'], { vault: v })).stdout)).toEqual([]);
  });

  it('env writes a 0600 .env from env.template that a dotenv parser reads back byte for byte', async () => {
    const v = newVault();
    const tricky = 'p"w\'$HOME x \\n\\\\ ünï ✓\nline2\nend';
    await cliIn(['add', 'key', 'FOO', 'bar', '--env', 'dev'], { vault: v });
    await cliIn(['add', 'key', 'FOOBAR', tricky, '--env', 'dev'], { vault: v });
    await cliIn(['add', 'key', 'DB_PASSWORD', 's3cr3t', '--app', 'myapp', '--env', 'prod'], { vault: v });
    const dir = tmpdir();
    fs.writeFileSync(
      path.join(dir, 'env.template'),
      ['@seeqret>=0.1', '# all FOO* keys from dev', ':dev:FOO*', 'PGPASSWORD=myapp:prod:DB_PASSWORD', 'CONST="has:colon"', 'PLAIN=value'].join('\n'),
    );
    const r = cli(['env'], { vault: v, cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('3 secrets and 2 constants');
    const envFile = path.join(dir, '.env');
    expect(fs.statSync(envFile).mode & 0o777).toBe(0o600);
    const parsed = parseDotenv(fs.readFileSync(envFile, 'utf8'));
    expect(parsed.map((e) => [e.key, e.value])).toEqual([
      ['FOO', 'bar'],
      ['FOOBAR', tricky],
      ['PGPASSWORD', 's3cr3t'],
      ['CONST', 'has:colon'],
      ['PLAIN', 'value'],
    ]);
    const so = await cliIn(['env', '--stdout'], { vault: v, cwd: dir });
    expect(so.stdout).toBe(fs.readFileSync(envFile, 'utf8'));
    // A value with a carriage return: Node's --env-file removes it, so the node dialect refuses,
    // naming the key; the python dialect carries it.
    await cliIn(['add', 'key', 'FOOCR', 'a\r\nb', '--env', 'dev'], { vault: v });
    const cr = await cliIn(['env', '--stdout'], { vault: v, cwd: dir });
    expect(errorCode(cr)).toBe('E_DIALECT');
    expect(cr.stderr).toContain('FOOCR');
    expect((await cliIn(['env', '--stdout', '--dialect', 'python'], { vault: v, cwd: dir })).stdout).toContain('FOOCR="a\\r\\nb"');
  });

  it('env refuses a duplicate output name, an unmet version and an unmatched rename, writing nothing', async () => {
    const v = newVault();
    await cliIn(['add', 'key', 'FOO', 'a', '--env', 'dev'], { vault: v });
    await cliIn(['add', 'key', 'FOO', 'b', '--env', 'prod'], { vault: v });
    const dir = tmpdir();
    const tpl = path.join(dir, 'env.template');
    const run = (t: string): ReturnType<typeof cliIn> => {
      fs.writeFileSync(tpl, t);
      return cliIn(['env'], { vault: v, cwd: dir });
    };
    expect(errorCode(await run('::FOO\n'))).toBe('E_TEMPLATE_DUPLICATE');
    expect(errorCode(await run('@seeqret>=99.0\n:dev:FOO\n'))).toBe('E_TEMPLATE_VERSION');
    expect(errorCode(await run('X=nope:dev:NOPE\n'))).toBe('E_TEMPLATE_UNMATCHED');
    expect(errorCode(await run('@include x\n'))).toBe('E_TEMPLATE_SYNTAX');
    expect(fs.existsSync(path.join(dir, '.env'))).toBe(false);
    expect(errorCode(await cliIn(['env'], { vault: v, cwd: tmpdir() }))).toBe('E_FILE_NOT_FOUND');
  });
});

describe('run', () => {
  it('runs the command without a shell, with the secrets in its environment, and returns its exit code', async () => {
    const v = newVault();
    await cliIn(['add', 'key', 'API_TOKEN', 'tok $(rm -rf /) `x`', '--app', 'web', '--env', 'dev'], { vault: v });
    const script = 'process.stdout.write(JSON.stringify({t: process.env.P_API_TOKEN, u: process.env.API_TOKEN ?? null})); process.exit(7)';
    const r = cli(['run', '-f', 'web:dev:', '--prefix', 'P_', '--no-mask', '--', process.execPath, '-e', script], { vault: v });
    expect(r.code).toBe(7);
    expect(JSON.parse(r.stdout)).toEqual({ t: 'tok $(rm -rf /) `x`', u: null });
  });

  it('uses env.template when no -f is given, and reports a missing command with 127', async () => {
    const v = newVault();
    await cliIn(['add', 'key', 'FOO', 'bar', '--env', 'dev'], { vault: v });
    const dir = tmpdir();
    fs.writeFileSync(path.join(dir, 'env.template'), 'MY_FOO=:dev:FOO\n');
    const r = await cliIn(['run', '--', 'sh', '-c', 'printf %s "$MY_FOO"'], { vault: v, cwd: dir });
    expect(r.stdout).toBe('bar');
    const nf = await cliIn(['run', '-f', '::FOO', '--', 'definitely-not-a-command-xyz'], { vault: v });
    expect(nf.code).toBe(127);
    expect(errorCode(await cliIn(['run', '--', 'true'], { vault: v, cwd: tmpdir() }))).toBe('E_USAGE');
  });

  it('forwards signals to the child', async () => {
    const { cliAsync } = await import('./helpers.js');
    const v = newVault();
    await cliIn(['add', 'key', 'FOO', 'bar'], { vault: v });
    const script = "process.on('SIGTERM', () => { process.stdout.write('got-term'); process.exit(42); }); process.stdout.write('ready'); setInterval(() => {}, 1000);";
    const { child, done } = cliAsync(['run', '-f', '::FOO', '--', process.execPath, '-e', script], { vault: v });
    await new Promise<void>((resolve) => must(child.stdout).on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve();
    }));
    child.kill('SIGTERM');
    const r = await done;
    expect(r.stdout).toContain('got-term');
    expect(r.code).toBe(42);
  });
});

describe('info, doctor, upgrade, errors', () => {
  it('info prints the command tree', () => {
    const r = cli(['info']);
    expect(r.code).toBe(0);
    for (const c of ['init', 'add', '    key', 'text', 'get', 'list', 'history', 'edit', 'value', 'rm', 'importenv', 'env', 'run', 'upgrade', 'doctor']) expect(r.stdout).toContain(c);
  });

  it('warns on every command when the vault grants access to others; doctor --fix repairs it', async () => {
    const v = newVault();
    await cliIn(['add', 'key', 'A', '1'], { vault: v });
    fs.chmodSync(v, 0o755);
    fs.chmodSync(path.join(v, 'vault.key'), 0o644);
    const r = cli(['get', 'A'], { vault: v });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: file .*vault\.key is mode 0o644/);
    expect(r.stderr).toMatch(/warning: dir .* is mode 0o755/);
    const d = cli(['doctor'], { vault: v });
    expect(d.code).toBe(7);
    expect(d.stdout).toContain('fail');
    const f = await cliIn(['doctor', '--fix'], { vault: v }); // `doctor` ran as a child process just above
    expect(f.code, f.stdout + f.stderr).toBe(0);
    expect(f.stdout).toContain('fixed');
    expect(fs.statSync(v).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(v, 'vault.key')).mode & 0o777).toBe(0o600);
    const again = await cliIn(['get', 'A'], { vault: v });
    expect(again.stderr).toBe('');
  });

  it('unknown commands and options are usage errors with exit 2', async () => {
    const r = await cliIn(['frobnicate']);
    expect(r.code).toBe(2);
    expect(errorCode(r)).toBe('E_USAGE');
    expect((await cliIn(['list', '--nope'])).code).toBe(2);
    expect((await cliIn(['--help'])).code).toBe(0);
    expect((await cliIn(['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('a missing vault is E_VAULT_NOT_FOUND (exit 3), with a hint for old-tool vaults', async () => {
    const r = await cliIn(['list'], { vault: path.join(tmpdir(), 'none') });
    expect(r.code).toBe(3);
    expect(errorCode(r)).toBe('E_VAULT_NOT_FOUND');
    const old = tmpdir();
    fs.writeFileSync(path.join(old, 'seeqrets.db'), '');
    expect((await cliIn(['list'], { vault: old })).stderr).toContain('old seeqret tool');
  });

  it('every error is one line with a code and a fix', async () => {
    const v = newVault();
    for (const args of [['get', 'NOPE'], ['get', 'a:b:c:d'], ['rm', 'key', '::', '--yes'], ['add', 'key', 'A B', 'x']]) {
      const r = await cliIn(args, { vault: v });
      const lines = r.stderr.trim().split('\n');
      expect(lines, args.join(' ')).toHaveLength(1);
      expect(lines[0]).toMatch(/^seeqret: E_[A-Z_]+: .+\. Fix: .+/);
    }
  });
});

describe('passphrase-protected vault', () => {
  // The unlock by SEEQRET_PASSPHRASE and the wrong passphrase as child processes (the fast path's exit status); the rest in-process.
  it('unlocks with SEEQRET_PASSPHRASE or --passphrase-file; wrong or missing passphrase fails clearly', async () => {
    const v = newVault({ passphrase: 'correct horse battery' });
    const ok = { SEEQRET_PASSPHRASE: 'correct horse battery' };
    expect((await cliIn(['add', 'key', 'K', 'v'], { vault: v, env: ok })).code).toBe(0);
    expect(cli(['get', 'K'], { vault: v, env: ok }).stdout).toBe('v\n');
    const pf = path.join(tmpdir(), 'pass');
    fs.writeFileSync(pf, 'correct horse battery\n');
    expect((await cliIn(['--passphrase-file', pf, 'get', 'K'], { vault: v })).stdout).toBe('v\n');
    const wrong = cli(['get', 'K'], { vault: v, env: { SEEQRET_PASSPHRASE: 'wrong' } });
    expect(wrong.code).toBe(6);
    expect(errorCode(wrong)).toBe('E_WRONG_PASSPHRASE');
    expect(wrong.stdout).toBe('');
    const none = await cliIn(['get', 'K'], { vault: v });
    expect(errorCode(none)).toBe('E_PASSPHRASE_REQUIRED');
    const key = fs.readFileSync(path.join(v, 'vault.key'), 'utf8');
    expect((JSON.parse(key) as { protection: string }).protection).toBe('passphrase');
  });
});
