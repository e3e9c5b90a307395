/**
 * `seeqret run` with psec's options: the project environment (own and Export names), --prefix,
 * --preserve-existing, --umask, --mask; the old filter and template modes. In-process (`cliIn`,
 * the command's own child still a real process); the real CLI as a child process for one export,
 * the umask and file mode it gives its child, a masked exit status, the terminal and signals
 * (decision 58).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, addSecrets, cleanEnv, cli, cliAsync, cliIn, errorCode, newVault, tmpdir } from './helpers.js';
import { must } from './must.js';

const DUMP = 'process.stdout.write(JSON.stringify(Object.fromEntries(Object.entries(process.env).filter(([k]) => /^(P_)?(db_|DB_|api_|API_|X_|FOO)/.test(k)))))';
// The tests of what is exported read it from the child's output: --no-mask keeps the values (masking is tested below).

/** A project folder (app myapp, default environment dev) with descriptions for dev and prod. */
function makeProject(): string {
  const dir = tmpdir();
  fs.writeFileSync(path.join(dir, 'seeqret.yaml'), 'app: myapp\nenvironment: dev\n');
  for (const env of ['dev', 'prod']) {
    const d = path.join(dir, 'secrets', env, 'secrets.d');
    fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(
      path.join(d, 'db.json'),
      JSON.stringify([
        { Variable: 'db_password', Type: 'password', Export: 'DB_PASSWORD' },
        { Variable: 'db_user', Type: 'string' },
        { Variable: 'api_token', Type: 'token_hex', Export: 'API_TOKEN' },
      ]),
    );
  }
  return dir;
}

/** Secret KEY = VALUE put into the vault in-process (`addSecrets`): setup, not what is tested. */
function add(vault: string, key: string, value: string, app = 'myapp', env = 'dev'): void {
  addSecrets(vault, { app, env, key, value });
}

function setup(): { vault: string; dir: string } {
  const vault = newVault();
  const dir = makeProject();
  add(vault, 'db_password', 'correct.horse.battery');
  add(vault, 'db_user', 'admin');
  add(vault, 'db_password', 'prod-password-value', 'myapp', 'prod');
  add(vault, 'FOO', 'global-foo', '*', '*');
  return { vault, dir };
}

/**
 * The same report from `env -0` (coreutils): the environment NUL-separated, filtered here by the
 * same names. A start of `env` costs about a millisecond of CPU, of `node` about fifty: the
 * in-process runs below use it; the child-process run keeps `node`.
 */
const ENV_DUMP = ['env', '-0'];
const DUMPED = /^(P_)?(db_|DB_|api_|API_|X_|FOO)/;

function envOf(r: ReturnType<typeof cli>): Record<string, string> {
  expect(r.code, r.stderr).toBe(0);
  if (!r.stdout.includes('\0')) return JSON.parse(r.stdout) as Record<string, string>;
  return Object.fromEntries(
    r.stdout
      .split('\0')
      .filter((l) => l !== '')
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const)
      .filter(([k]) => DUMPED.test(k)),
  );
}

describe('run inside a project', () => {
  it('exports the environment under own and Export names; -e and SEEQRET_ENV choose it; reads are audited', async () => {
    const { vault, dir } = setup();
    const sub = path.join(dir, 'deep', 'er');
    fs.mkdirSync(sub, { recursive: true });
    const dev = envOf(cli(['run', '--no-mask', '--', process.execPath, '-e', DUMP], { vault, cwd: sub }));
    expect(dev).toEqual({ db_password: 'correct.horse.battery', DB_PASSWORD: 'correct.horse.battery', db_user: 'admin' });
    const prod = envOf(await cliIn(['run', '-e', 'prod', '--no-mask', '--', ...ENV_DUMP], { vault, cwd: dir }));
    expect(prod).toEqual({ db_password: 'prod-password-value', DB_PASSWORD: 'prod-password-value' });
    expect(envOf(await cliIn(['run', '--no-mask', '--', ...ENV_DUMP], { vault, cwd: dir, env: { SEEQRET_ENV: 'prod' } }))).toEqual(prod);
    const audit = await cliIn(['audit', '--action', 'secret.read', '--format', 'json'], { vault });
    const entries = (JSON.parse(audit.stdout) as Array<{ target: string; detail: unknown }>).map((e) => ({ ...e, detail: JSON.stringify(e.detail) }));
    // One entry per run (issue 12): a single secret as its target, several named in `secrets`.
    expect(entries).toHaveLength(3);
    const named = entries.map((e) => (JSON.parse(e.detail) as { secrets?: string[] }).secrets ?? [e.target]);
    expect(must(named[0]).filter((t) => t === 'myapp:dev:db_password')).toHaveLength(1); // once per run, not per exported name
    expect(must(named[0]).sort()).toEqual(['myapp:dev:db_password', 'myapp:dev:db_user']);
    expect(named[1]).toEqual(['myapp:prod:db_password']);
    expect(must(entries[0]).detail).toContain(`run ${process.execPath}`);
    expect(audit.stdout).not.toContain('correct.horse');
  });

  it('warns (and still runs, as for a filter that matches nothing) when the environment does not exist', async () => {
    const { vault, dir } = setup();
    const typo = await cliIn(['run', '-e', 'prdo', '--no-mask', '--', ...ENV_DUMP], { vault, cwd: dir });
    expect(envOf(typo)).toEqual({});
    expect(typo.stderr).toMatch(/^seeqret: warning: environment prdo does not exist \(no descriptions folder, no values\): the command runs without its secrets$/m);
    // an environment with values but no descriptions folder exists: no warning
    add(vault, 'db_password', 'staging-pw', 'myapp', 'staging');
    const staging = await cliIn(['run', '-e', 'staging', '--no-mask', '--', ...ENV_DUMP], { vault, cwd: dir });
    expect(envOf(staging)).toEqual({ db_password: 'staging-pw' });
    expect(staging.stderr).toBe('');
  });

  it('--prefix prefixes every exported name, in every mode', async () => {
    const { vault, dir } = setup();
    expect(envOf(await cliIn(['run', '--prefix', 'P_', '--no-mask', '--', ...ENV_DUMP], { vault, cwd: dir }))).toEqual({
      P_db_password: 'correct.horse.battery',
      P_DB_PASSWORD: 'correct.horse.battery',
      P_db_user: 'admin',
    });
    expect(envOf(await cliIn(['run', '-f', '::FOO', '--prefix', 'P_', '--no-mask', '--', ...ENV_DUMP], { vault, cwd: dir }))).toEqual({ P_FOO: 'global-foo' });
    const tpl = path.join(dir, 'x.template');
    fs.writeFileSync(tpl, '::FOO\nX_CONST=1\n');
    expect(envOf(await cliIn(['run', '--template', tpl, '--prefix', 'P_', '--no-mask', '--', ...ENV_DUMP], { vault, cwd: dir }))).toEqual({ P_FOO: 'global-foo', P_X_CONST: '1' });
  });

  it('an explicit --template or -f replaces the environment; -e needs a project and no -f', async () => {
    const { vault, dir } = setup();
    const tpl = path.join(dir, 'env.template');
    fs.writeFileSync(tpl, 'X_ONLY=yes\n');
    // Inside a project ./env.template is not used unless named.
    expect(envOf(await cliIn(['run', '--no-mask', '--', ...ENV_DUMP], { vault, cwd: dir }))).toHaveProperty('DB_PASSWORD');
    expect(envOf(await cliIn(['run', '--template', tpl, '--no-mask', '--', ...ENV_DUMP], { vault, cwd: dir }))).toEqual({ X_ONLY: 'yes' });
    expect(envOf(await cliIn(['run', '-f', '::FOO', '--no-mask', '--', ...ENV_DUMP], { vault, cwd: dir }))).toEqual({ FOO: 'global-foo' });
    const both = await cliIn(['run', '-e', 'dev', '-f', '::FOO', '--', 'true'], { vault, cwd: dir });
    expect(errorCode(both)).toBe('E_USAGE');
    const outside = await cliIn(['run', '-e', 'dev', '--', 'true'], { vault, cwd: tmpdir() });
    expect(errorCode(outside)).toBe('E_NO_PROJECT');
    expect(outside.code).toBe(3);
    const badEnv = await cliIn(['run', '-e', '../x', '--', 'true'], { vault, cwd: dir });
    expect(errorCode(badEnv)).toBe('E_INVALID_NAME');
    const noEnv = await cliIn(['run', '--', 'true'], { vault, cwd: (() => {
      const d = tmpdir();
      fs.writeFileSync(path.join(d, 'seeqret.yaml'), 'app: myapp\n');
      return d;
    })() });
    expect(errorCode(noEnv)).toBe('E_NO_ENVIRONMENT');
  });

  it('--preserve-existing keeps variables already set and non-empty', async () => {
    const { vault, dir } = setup();
    const env = { DB_PASSWORD: 'from-the-shell', db_user: '', FOO: 'shell-foo' };
    expect(envOf(await cliIn(['run', '--preserve-existing', '--no-mask', '--', ...ENV_DUMP], { vault, cwd: dir, env }))).toEqual({
      db_password: 'correct.horse.battery',
      DB_PASSWORD: 'from-the-shell',
      db_user: 'admin',
      FOO: 'shell-foo',
    });
    // Without it the vault wins.
    expect(envOf(await cliIn(['run', '--no-mask', '--', ...ENV_DUMP], { vault, cwd: dir, env }))['DB_PASSWORD']).toBe('correct.horse.battery');
    expect(envOf(await cliIn(['run', '-f', '::FOO', '--preserve-existing', '--no-mask', '--', ...ENV_DUMP], { vault, cwd: dir, env }))['FOO']).toBe('shell-foo');
  });
});

describe('run --umask', () => {
  it('gives the child the umask (default 0o077) and refuses values that are not 0o-octal up to 0o777', async () => {
    const vault = newVault();
    add(vault, 'FOO', 'x', '*', '*');
    // The umask a real seeqret process gives its child, and the mode of a file the child creates
    // under it, in one child process; the rest in-process.
    const dir = tmpdir();
    const real = cli(['run', '-f', '::FOO', '--', 'sh', '-c', `umask; : > '${path.join(dir, 'default')}'`], { vault });
    expect(real.code, real.stderr).toBe(0);
    expect(real.stdout.trim()).toBe('0077');
    expect(fs.statSync(path.join(dir, 'default')).mode & 0o777).toBe(0o600);
    const umaskOf = async (extra: string[]): Promise<string> => {
      const r = await cliIn(['run', '-f', '::FOO', ...extra, '--', 'sh', '-c', 'umask'], { vault });
      expect(r.code, r.stderr).toBe(0);
      return r.stdout.trim();
    };
    expect(await umaskOf(['--umask', '0o022'])).toBe('0022');
    expect(await umaskOf(['--umask', '0o0'])).toBe('0000');
    expect(await umaskOf(['--umask', '0o777'])).toBe('0777');
    // A file the child creates gets the mode the umask allows.
    const file = path.join(dir, 'f');
    expect((await cliIn(['run', '-f', '::FOO', '--umask', '0o027', '--', 'sh', '-c', `: > '${file}'`], { vault })).code).toBe(0);
    expect(fs.statSync(file).mode & 0o777).toBe(0o640);
    for (const bad of ['077', '0o778', '0o1000', '0x1ff', '63', '', '0o', '0o-1']) {
      const r = await cliIn(['run', '-f', '::FOO', `--umask=${bad}`, '--', 'true'], { vault });
      expect(errorCode(r), bad).toBe('E_USAGE');
      expect(r.code).toBe(2);
    }
  });
});

describe('run --mask', () => {
  const SECRET = 'sk_live_abcdefghijklmnop';
  // Writes the secret in two pieces with a pause between (two chunks for seeqret), on both streams.
  // A shell script (a real child process, ~1 ms of CPU to start where node takes ~100).
  const SPLIT = ['sh', '-c', `printf 'a=%.7s' "$TOKEN"; printf 'e=%.3s' "$TOKEN" >&2; sleep 0.15
printf '%s short=%s\\n' "\${TOKEN#???????}" "$SHORT"; printf '%s\\n' "\${TOKEN#???}" >&2; exit 7`];

  it('masks values in stdout and stderr across chunk boundaries and keeps the exit code', async () => {
    const vault = newVault();
    add(vault, 'TOKEN', SECRET, 'web', 'dev');
    add(vault, 'SHORT', 'abc12', 'web', 'dev');
    const r = cli(['run', '-f', 'web:dev:', '--mask', '--', ...SPLIT], { vault }); // the exit status of a real process
    expect(r.code, r.stderr).toBe(7);
    expect(r.stdout).toBe('a=***** short=abc12\n'); // values under 6 characters are not masked
    expect(r.stderr).toBe('e=*****\n');
    // By default captured output (here: pipes) is masked too; --no-mask gives the child's own.
    const byDefault = await cliIn(['run', '-f', 'web:dev:', '--', ...SPLIT], { vault });
    expect([byDefault.code, byDefault.stdout, byDefault.stderr]).toEqual([7, 'a=***** short=abc12\n', 'e=*****\n']);
    const plain = await cliIn(['run', '-f', 'web:dev:', '--no-mask', '--', ...SPLIT], { vault });
    expect(plain.stdout).toBe(`a=${SECRET} short=abc12\n`);
  });

  it.skipIf(!fs.existsSync('/usr/bin/python3'))('by default leaves a terminal to the child (unmasked, a TTY); --mask masks it there too', () => {
    const vault = newVault();
    add(vault, 'TOKEN', SECRET, 'web', 'dev');
    const script = "process.stdout.write(String(process.stdout.isTTY === true) + ' ' + process.env.TOKEN + '\\n')";
    const onTty = (extra: string[]): string => {
      const spec = { argv: [process.execPath, BIN, '--vault', vault, 'run', '-f', 'web:dev:', ...extra, '--', process.execPath, '-e', script], env: cleanEnv({ TERM: 'xterm' }), cwd: ROOT, timeout: 40, steps: [] };
      const r = spawnSync('/usr/bin/python3', [path.join(ROOT, 'test', 'pty-driver.py')], { input: JSON.stringify(spec), encoding: 'utf8', timeout: 60_000 });
      return (JSON.parse(r.stdout) as { output: string }).output;
    };
    expect(onTty([])).toContain(`true ${SECRET}`);
    expect(onTty(['--mask'])).toContain('false *****');
  });

  it('masks the longest value first and passes everything else through unchanged, bytes included', async () => {
    const vault = newVault();
    add(vault, 'A', 'password', 'web', 'dev');
    add(vault, 'B', 'password123', 'web', 'dev');
    add(vault, 'C', 'mot de passe é€😀', 'web', 'dev');
    const script = String.raw`printf 'x password123 password1 %s \377\000\342' "$C"`; // bytes 0xff 0x00 0xe2 after the text
    const r = await cliIn(['run', '-f', 'web:dev:', '--mask', '--', 'sh', '-c', script], { vault });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.startsWith('x ***** *****1 ***** ')).toBe(true);
  });

  it('forwards signals and dies by the child\'s signal when masking', async () => {
    const vault = newVault();
    add(vault, 'TOKEN', SECRET, 'web', 'dev');
    const script = `process.on('SIGTERM', () => { process.stdout.write('got TERM ' + process.env.TOKEN + '\\n'); process.kill(process.pid, 'SIGKILL'); }); process.stdout.write(process.env.TOKEN + '\\n'); setInterval(() => {}, 1000);`;
    const { child, done } = cliAsync(['run', '-f', 'web:dev:', '--mask', '--', process.execPath, '-e', script], { vault });
    let seen = '';
    await new Promise<void>((resolve) => {
      must(child.stdout).on('data', (d: Buffer) => {
        seen += d.toString();
        if (seen.includes('\n')) resolve();
      });
    });
    child.kill('SIGTERM');
    const r = await done;
    expect(r.signal, JSON.stringify(r)).toBe('SIGKILL');
    expect(r.stdout).toBe('*****\ngot TERM *****\n');
  });
});
