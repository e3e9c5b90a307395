/**
 * The project commands in temporary folders: project init/show, environments (create and clone,
 * list, default, path, tree, rename, delete), find, groups, describe. In-process (`cliIn`), with one
 * run of each command group (`real: true`) through the real CLI as a child process (decision 58),
 * the one whose outcome a process decides where there is one: `project init` and
 * `environments path --tmpdir` (modes under a real umask), `groups create`, `find`, `describe`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliResult, ROOT, cli, cliIn, errorCode, newVault, tmpdir } from './helpers.js';

const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'psec', 'demo');

interface Project {
  vault: string;
  dir: string;
  /**
   * `seeqret ARGS` on the project's vault in its folder: in-process ({@link cliIn}), or with
   * `real` as a child process ({@link cli}) — one real run of each command group in this file, the rest
   * in-process (decision 58).
   */
  run: (args: string[], opts?: { input?: string; env?: Record<string, string | undefined>; cwd?: string; real?: boolean }) => Promise<CliResult>;
}

/** A new vault and project folder NAME with `project init` run in it (as a child process with `real`). */
async function project(name = 'shop', init: string[] = [], real = false): Promise<Project> {
  const vault = newVault();
  const dir = path.join(tmpdir(), name);
  fs.mkdirSync(dir);
  const run: Project['run'] = (args, opts = {}) => {
    const o = { vault, cwd: opts.cwd ?? dir, ...(opts.input !== undefined ? { input: opts.input } : {}), ...(opts.env ? { env: opts.env } : {}) };
    return opts.real === true ? Promise.resolve(cli(args, o)) : cliIn(args, o);
  };
  const r = await run(['project', 'init', ...init], { real });
  if (r.code !== 0) throw new Error(`project init failed: ${r.stderr}`);
  return { vault, dir, run };
}

function ok(r: CliResult): CliResult {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
  return r;
}

/** The rows a successful `--format json` listing printed. */
function json(r: CliResult): Array<Record<string, unknown>> {
  return JSON.parse(ok(r).stdout) as Array<Record<string, unknown>>;
}

/** The fields a successful `--format json` report (project show) printed. */
function jsonFields(r: CliResult): Record<string, string> {
  return JSON.parse(ok(r).stdout) as Record<string, string>;
}

const mode = (p: string): number => fs.statSync(p).mode & 0o777;

describe('project init / show', () => {
  it('creates seeqret.yaml with sensible defaults and the environment folder, with repository modes', async () => {
    const p = await project('shop', [], true); // a child process: the modes under a real umask
    const text = fs.readFileSync(path.join(p.dir, 'seeqret.yaml'), 'utf8');
    expect(text).toMatch(/^app: shop$/m);
    expect(text).toMatch(/^environment: dev$/m);
    expect(mode(path.join(p.dir, 'seeqret.yaml'))).toBe(0o644);
    expect(mode(path.join(p.dir, 'secrets', 'dev', 'secrets.d'))).toBe(0o755);
    const shown = jsonFields(await p.run(['project', 'show', '--format', 'json']));
    expect(shown).toMatchObject({ app: 'shop', environment: 'dev', 'environment from': 'seeqret.yaml', descriptions: path.join(p.dir, 'secrets') });
    expect(shown['tmp folder']).toBe(path.join(p.vault, 'tmp', 'shop', 'dev'));
    // from a sub-folder, the project is found by walking up; -e and SEEQRET_ENV override
    fs.mkdirSync(path.join(p.dir, 'src', 'deep'), { recursive: true });
    expect(jsonFields(await p.run(['project', 'show', '--format', 'json', '-e', 'qa'], { cwd: path.join(p.dir, 'src', 'deep') }))).toMatchObject({ environment: 'qa', 'environment from': '-e/--env' });
    expect(jsonFields(await p.run(['project', 'show', '--format', 'json'], { env: { SEEQRET_ENV: 'ci' } }))).toMatchObject({ environment: 'ci', 'environment from': 'SEEQRET_ENV' });
  });

  it('refuses to replace a project file without --force, and a folder name that is not an app name', async () => {
    const p = await project();
    const again = await p.run(['project', 'init']);
    expect([again.code, errorCode(again)]).toEqual([5, 'E_EXISTS']);
    ok(await p.run(['project', 'init', '--force', '--app', 'web', '--env', 'prod', '--descriptions', 'cfg/secrets']));
    expect(jsonFields(await p.run(['project', 'show', '--format', 'json']))).toMatchObject({ app: 'web', environment: 'prod', descriptions: path.join(p.dir, 'cfg', 'secrets') });
    expect(fs.existsSync(path.join(p.dir, 'cfg', 'secrets', 'prod', 'secrets.d'))).toBe(true);
    const odd = path.join(tmpdir(), 'my app');
    fs.mkdirSync(odd);
    const r = await cliIn(['project', 'init'], { cwd: odd });
    expect([r.code, errorCode(r)]).toEqual([2, 'E_INVALID_NAME']);
    expect(r.stderr).toMatch(/--app/);
  });

  it('commands outside a project say how to make one', async () => {
    const r = await cliIn(['environments', 'list'], { cwd: tmpdir() });
    expect([r.code, errorCode(r)]).toEqual([3, 'E_NO_PROJECT']);
    expect(r.stderr).toMatch(/project init/);
  });
});

describe('environments', () => {
  it('create clones descriptions (never values) from a *.d folder, a file, a psec folder or an environment', async () => {
    const p = await project();
    const fromDir = await p.run(['environments', 'create', 'a', 'b', '--clone-from', path.join(FIXTURE, 'secrets.d')]);
    ok(fromDir);
    expect(fromDir.stderr).toMatch(/new password variable "myapp_pi_password" is unset/);
    for (const env of ['a', 'b']) {
      for (const f of fs.readdirSync(path.join(FIXTURE, 'secrets.d'))) {
        expect(fs.readFileSync(path.join(p.dir, 'secrets', env, 'secrets.d', f))).toEqual(fs.readFileSync(path.join(FIXTURE, 'secrets.d', f)));
      }
    }
    ok(await p.run(['set', '-e', 'a', 'myapp_client_psk=only-in-a']));
    ok(await p.run(['environments', 'create', 'c', '--clone-from', 'a']));
    const c = json(await p.run(['show', '-e', 'c', '--format', 'json']));
    expect(c.length).toBeGreaterThan(10);
    expect(c.every((r) => r['set'] === 'no')).toBe(true);
    ok(await p.run(['environments', 'create', 'd', '--clone-from', path.join(FIXTURE, 'secrets.d', 'jenkins.json')]));
    expect(fs.readdirSync(path.join(p.dir, 'secrets', 'd', 'secrets.d'))).toEqual(['jenkins.json']);
    ok(await p.run(['environments', 'create', 'e', '--clone-from', FIXTURE])); // a psec environment folder: its secrets.d
    expect(fs.readdirSync(path.join(p.dir, 'secrets', 'e', 'secrets.d'))).toHaveLength(6);
    expect(fs.existsSync(path.join(p.dir, 'secrets', 'e', 'secrets.json'))).toBe(false);
    // all or nothing: an existing name anywhere in the list creates nothing
    const r = await p.run(['environments', 'create', 'f', 'a']);
    expect([r.code, errorCode(r)]).toEqual([5, 'E_EXISTS']);
    expect(fs.existsSync(path.join(p.dir, 'secrets', 'f'))).toBe(false);
    const missing = await p.run(['environments', 'create', 'g', '--clone-from', 'nope']);
    expect([missing.code, errorCode(missing)]).toEqual([3, 'E_NOT_FOUND']);
    // a broken source is reported with file and entry, and creates nothing
    const bad = path.join(tmpdir(), 'bad.d');
    fs.mkdirSync(bad);
    fs.writeFileSync(path.join(bad, 'x.json'), '[{"Variable": "v", "Type": "pasword"}]');
    const broken = await p.run(['environments', 'create', 'h', '--clone-from', bad]);
    expect([broken.code, errorCode(broken)]).toEqual([10, 'E_BAD_VALUE']);
    expect(broken.stderr).toMatch(/x\.json entry 1 \(v\): unknown Type "pasword"/);
    expect(fs.existsSync(path.join(p.dir, 'secrets', 'h'))).toBe(false);
  });

  it('list shows Environment, Default, Described and Values; default sets, shows and unsets', async () => {
    const p = await project();
    ok(await p.run(['environments', 'create', 'prod']));
    ok(await p.run(['add', 'key', 'ONLY_IN_VAULT', 'x', '--app', 'shop', '--env', 'staging']));
    ok(await p.run(['add', 'key', 'OTHER_APP', 'x', '--app', 'elsewhere', '--env', 'zzz']));
    expect(json(await p.run(['environments', 'list', '--format', 'json']))).toEqual([
      { environment: 'dev', default: 'Yes', described: 'yes', values: 0 },
      { environment: 'prod', default: 'No', described: 'yes', values: 0 },
      { environment: 'staging', default: 'No', described: 'no', values: 1 },
    ]);
    expect(ok(await p.run(['environments', 'default'])).stdout).toBe('dev\n');
    ok(await p.run(['environments', 'default', 'prod']));
    expect(fs.readFileSync(path.join(p.dir, '.seeqret-environment'), 'utf8')).toBe('prod\n');
    expect(ok(await p.run(['environments', 'default'])).stdout).toBe('prod\n');
    expect(json(await p.run(['environments', 'list', '--format', 'json'])).find((e) => e['default'] === 'Yes')?.['environment']).toBe('prod');
    expect(ok(await p.run(['environments', 'default'], { env: { SEEQRET_ENV: 'staging' } })).stdout).toBe('staging\n');
    ok(await p.run(['environments', 'default', '--unset']));
    expect(fs.existsSync(path.join(p.dir, '.seeqret-environment'))).toBe(false);
    expect(ok(await p.run(['environments', 'default'])).stdout).toBe('dev\n');
    const bad = await p.run(['environments', 'default', '--set']);
    expect(errorCode(bad)).toBe('E_USAGE');
  });

  it('path prints the folders, --exists answers with the exit code, --tmpdir is private', async () => {
    const p = await project();
    expect(ok(await p.run(['environments', 'path'])).stdout).toBe(`${path.join(p.dir, 'secrets', 'dev')}\n`);
    expect((await p.run(['environments', 'path', '--exists'])).code).toBe(0);
    const none = await p.run(['environments', 'path', '--exists', '-e', 'nope']);
    expect([none.code, none.stdout]).toEqual([3, '']);
    expect((await p.run(['environments', 'path', '--tmpdir', '-e', 'nope'])).code).toBe(3);
    ok(await p.run(['environments', 'path', '--create', '-e', 'qa']));
    expect(fs.existsSync(path.join(p.dir, 'secrets', 'qa', 'secrets.d'))).toBe(true);
    const tmp = ok(await p.run(['environments', 'path', '--tmpdir'], { real: true })).stdout.trim();
    expect(tmp).toBe(path.join(p.vault, 'tmp', 'shop', 'dev'));
    for (const d of [tmp, path.dirname(tmp), path.dirname(path.dirname(tmp))]) expect(mode(d)).toBe(0o700);
    expect((await p.run(['environments', 'path', '--tmpdir', '--exists'])).code).toBe(0);
  });

  it('tree draws the environment folder (with --no-files, folders only)', async () => {
    const p = await project();
    ok(await p.run(['environments', 'create', 'qa', '--clone-from', path.join(FIXTURE, 'secrets.d')]));
    fs.mkdirSync(path.join(p.dir, 'secrets', 'qa', 'notes', 'old'), { recursive: true });
    const t = ok(await p.run(['environments', 'tree', 'qa'])).stdout.split('\n');
    expect(t[0]).toBe(path.join(p.dir, 'secrets', 'qa'));
    expect(t).toContain('├── notes');
    expect(t).toContain('│   └── old');
    expect(t).toContain('└── secrets.d');
    expect(t).toContain('    ├── consul.json');
    expect(t).toContain('    └── trident.json');
    expect(t).toContain('3 directories, 6 files');
    const nf = ok(await p.run(['environments', 'tree', '-e', 'qa', '--no-files'])).stdout;
    expect(nf).not.toMatch(/\.json/);
    expect(nf).toMatch(/3 directories\n$/);
  });

  it('rename moves descriptions, values (history kept, re-sealed), the tmp folder and the local default', async () => {
    const p = await project();
    ok(await p.run(['environments', 'create', 'stage', '--clone-from', path.join(FIXTURE, 'secrets.d')]));
    ok(await p.run(['set', '-e', 'stage', 'myapp_client_psk=first']));
    ok(await p.run(['set', '-e', 'stage', 'myapp_client_psk=second']));
    const tmp = ok(await p.run(['environments', 'path', '--tmpdir', '-e', 'stage'])).stdout.trim();
    fs.writeFileSync(path.join(tmp, 'rendered.conf'), 'x', { mode: 0o600 });
    ok(await p.run(['environments', 'default', 'stage']));
    const taken = await p.run(['environments', 'rename', 'stage', 'dev']);
    expect([taken.code, errorCode(taken)]).toEqual([5, 'E_EXISTS']);
    const r = ok(await p.run(['environments', 'rename', 'stage', 'staging']));
    expect(r.stderr).toMatch(/1 value\(s\) re-sealed/);
    expect(fs.existsSync(path.join(p.dir, 'secrets', 'stage'))).toBe(false);
    expect(fs.existsSync(path.join(p.dir, 'secrets', 'staging', 'secrets.d', 'myapp.json'))).toBe(true);
    expect(fs.readFileSync(path.join(p.vault, 'tmp', 'shop', 'staging', 'rendered.conf'), 'utf8')).toBe('x');
    expect(fs.readFileSync(path.join(p.dir, '.seeqret-environment'), 'utf8')).toBe('staging\n');
    expect(ok(await p.run(['get', 'shop:staging:myapp_client_psk'])).stdout).toBe('second\n');
    const hist = json(await p.run(['history', 'shop:staging:myapp_client_psk', '--reveal', '--format', 'json']));
    expect(hist.map((h) => h['value'])).toEqual(['second', 'first']);
    expect(errorCode(await p.run(['get', 'shop:stage:myapp_client_psk']))).toBe('E_NOT_FOUND');
    expect(ok(await p.run(['audit', '--action', 'secret.rename', '--format', 'json'])).stdout).toMatch(/shop:stage:myapp_client_psk/);
    const gone = await p.run(['environments', 'rename', 'nope', 'other']);
    expect([gone.code, errorCode(gone)]).toEqual([3, 'E_NOT_FOUND']);
  });

  it('delete refuses without --force off a terminal (listing what would go), then removes folder, values and tmp files', async () => {
    const p = await project();
    ok(await p.run(['environments', 'create', 'old', '--clone-from', path.join(FIXTURE, 'secrets.d', 'myapp.json')]));
    ok(await p.run(['set', '-e', 'old', 'myapp_client_psk=s3cret-psk', 'myapp_client_ssid=net']));
    ok(await p.run(['add', 'key', 'KEEP', 'k', '--app', 'shop', '--env', 'dev']));
    const tmp = ok(await p.run(['environments', 'path', '--tmpdir', '-e', 'old'])).stdout.trim();
    fs.writeFileSync(path.join(tmp, 'app.conf'), 'password=s3cret-psk\n', { mode: 0o600 });
    const witness = path.join(p.vault, 'witness');
    fs.linkSync(path.join(tmp, 'app.conf'), witness); // shows what deletion leaves in the file's blocks
    const refused = await p.run(['environments', 'delete', 'old']); // stdin not a terminal
    expect([refused.code, errorCode(refused)]).toEqual([2, 'E_NO_TTY']);
    expect(refused.stderr).toMatch(/shop:old:myapp_client_psk/);
    expect(refused.stderr).toMatch(/descriptions folder .*old \(1 group\(s\), 6 variable\(s\)\)/);
    expect(refused.stderr).not.toMatch(/s3cret/);
    expect(fs.existsSync(path.join(p.dir, 'secrets', 'old'))).toBe(true);
    const r = ok(await p.run(['environments', 'delete', 'old', '--force']));
    expect(r.stderr).toMatch(/Deleted environment old: 2 value\(s\), 1 tmp file\(s\) overwritten and removed/);
    expect(fs.existsSync(path.join(p.dir, 'secrets', 'old'))).toBe(false);
    expect(fs.existsSync(tmp)).toBe(false);
    expect(fs.readFileSync(witness).includes(Buffer.from('s3cret'))).toBe(false);
    expect(errorCode(await p.run(['get', 'shop:old:myapp_client_psk']))).toBe('E_NOT_FOUND');
    expect(ok(await p.run(['get', 'shop:dev:KEEP'])).stdout).toBe('k\n');
    const again = await p.run(['environments', 'delete', 'old', '--force']);
    expect([again.code, errorCode(again)]).toEqual([3, 'E_NOT_FOUND']);
  });

  it('find lists matching variables of every environment, described or only stored', async () => {
    const p = await project();
    ok(await p.run(['environments', 'create', 'a', '--clone-from', path.join(FIXTURE, 'secrets.d')]));
    ok(await p.run(['environments', 'create', 'b', '--clone-from', path.join(FIXTURE, 'secrets.d', 'trident.json')]));
    ok(await p.run(['set', '-e', 'b', 'trident_db_pass=x']));
    ok(await p.run(['add', 'key', 'stray_db_pass', 'y', '--app', 'shop', '--env', 'c']));
    expect(json(await p.run(['find', 'db_pass', '--format', 'json'], { real: true }))).toEqual([
      { environment: 'a', group: 'trident', variable: 'trident_db_pass', type: 'password', set: 'no' },
      { environment: 'b', group: 'trident', variable: 'trident_db_pass', type: 'password', set: 'yes' },
      { environment: 'c', group: '', variable: 'stray_db_pass', type: 'str', set: 'yes' },
    ]);
    const none = await p.run(['find', 'zzz']);
    expect([none.code, errorCode(none)]).toEqual([3, 'E_NOT_FOUND']);
  });
});

describe('groups', () => {
  it('list, show, create (empty or cloned), delete and path', async () => {
    const p = await project();
    ok(await p.run(['groups', 'create', 'db'], { real: true }));
    expect(fs.readFileSync(path.join(p.dir, 'secrets', 'dev', 'secrets.d', 'db.json'), 'utf8')).toBe('[]\n');
    ok(await p.run(['groups', 'create', 'app', '--clone-from', path.join(FIXTURE, 'secrets.d', 'myapp.json')]));
    expect(json(await p.run(['groups', 'list', '--format', 'json']))).toEqual([
      { group: 'app', items: 6, file: path.join(p.dir, 'secrets', 'dev', 'secrets.d', 'app.json') },
      { group: 'db', items: 0, file: path.join(p.dir, 'secrets', 'dev', 'secrets.d', 'db.json') },
    ]);
    const shown = json(await p.run(['groups', 'show', 'app', '--format', 'json']));
    expect(shown[0]).toEqual({ group: 'app', variable: 'myapp_pi_password', type: 'password' });
    expect(shown).toHaveLength(6);
    expect(errorCode(await p.run(['groups', 'show', 'nope']))).toBe('E_NOT_FOUND');
    // a clone that would describe a variable twice names both places
    const dup = await p.run(['groups', 'create', 'again', '--clone-from', path.join(FIXTURE, 'secrets.d', 'myapp.json')]);
    expect([dup.code, errorCode(dup)]).toEqual([10, 'E_BAD_VALUE']);
    expect(dup.stderr).toMatch(/myapp\.json entry 1 \(myapp_pi_password\): Variable is already described in .*app\.json/);
    expect(errorCode(await p.run(['groups', 'create', 'db']))).toBe('E_EXISTS');
    expect(errorCode(await p.run(['groups', 'create', 'bad.name']))).toBe('E_INVALID_NAME');
    const refused = await p.run(['groups', 'delete', 'app']); // stdin not a terminal
    expect([refused.code, errorCode(refused)]).toEqual([2, 'E_NO_TTY']);
    expect(refused.stderr).toMatch(/myapp_client_ssid \(string\)/);
    ok(await p.run(['groups', 'delete', 'app', '--force']));
    expect(fs.existsSync(path.join(p.dir, 'secrets', 'dev', 'secrets.d', 'app.json'))).toBe(false);
    expect(ok(await p.run(['groups', 'path'])).stdout).toBe(`${path.join(p.dir, 'secrets', 'dev', 'secrets.d')}\n`);
    const noenv = await p.run(['groups', 'create', 'x', '-e', 'nowhere']);
    expect([noenv.code, errorCode(noenv)]).toEqual([3, 'E_NOT_FOUND']);
  });
});

describe('describe', () => {
  it('lists types, variables and groups; names the file and entry of a broken description', async () => {
    const p = await project();
    const types = json(await p.run(['describe', '--types', '--format', 'json'], { real: true }));
    expect(types.map((t) => t['type'])).toEqual(['password', 'token_hex', 'token_urlsafe', 'token_base64', 'random_base64', 'uuid4', 'crypt_6', 'sha256_digest', 'random', 'boolean', 'string', 'int']);
    expect(types.find((t) => t['type'] === 'string')?.['generable']).toBe('No');
    ok(await p.run(['groups', 'create', 'myapp', '--clone-from', path.join(FIXTURE, 'secrets.d', 'myapp.json')]));
    ok(await p.run(['groups', 'create', 'jenkins', '--clone-from', path.join(FIXTURE, 'secrets.d', 'jenkins.json')]));
    const all = json(await p.run(['describe', '--format', 'json']));
    expect(all.map((d) => d['variable'])).toEqual(['jenkins_admin_password', 'myapp_pi_password', 'myapp_app_password', 'myapp_client_psk', 'myapp_client_ssid', 'myapp_ondemand_wifi', 'myapp_optional_setting']);
    expect(all.find((d) => d['variable'] === 'myapp_client_ssid')).toEqual({
      variable: 'myapp_client_ssid',
      group: 'myapp',
      type: 'string',
      prompt: 'SSID for myapp client WiFi AP',
      options: 'myapp_ssid,*',
      export: 'DEMO_client_ssid',
      help: '',
    });
    expect(json(await p.run(['describe', '-g', 'jenkins', '--format', 'json'])).map((d) => d['variable'])).toEqual(['jenkins_admin_password']);
    const one = json(await p.run(['describe', 'myapp_ondemand_wifi', '--format', 'json']));
    expect(one.map((d) => d['type'])).toEqual(['boolean']);
    const unknown = await p.run(['describe', 'nope']);
    expect([unknown.code, errorCode(unknown)]).toEqual([3, 'E_NOT_DESCRIBED']);
    fs.writeFileSync(path.join(p.dir, 'secrets', 'dev', 'secrets.d', 'zz.json'), '[{"Variable": "x", "Type": "string", "Colour": "red"}]');
    const broken = await p.run(['describe']);
    expect([broken.code, errorCode(broken)]).toEqual([10, 'E_BAD_VALUE']);
    expect(broken.stderr).toMatch(/zz\.json entry 1 \(x\): unknown attribute "Colour"/);
  });
});
