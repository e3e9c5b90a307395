/**
 * `import-psec` with the psec-style fixture (test/fixtures/psec/demo), all or nothing, and the
 * psec-style permission warnings for the vault's per-environment tmp folders.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliResult, ROOT, cleanEnv, cli, cliIn, errorCode, newVault, tmpdir } from './helpers.js';

const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'psec', 'demo');

function ok(r: CliResult): CliResult {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
  return r;
}

/**
 * A vault and a project folder `shop` (`project init` run in it). `run` runs `seeqret ARGS` there
 * in-process ({@link cliIn}); `real` runs it as a child process ({@link cli}), for one import here
 * (decision 58).
 */
async function setup(): Promise<{ vault: string; dir: string; run: (args: string[], env?: Record<string, string>) => Promise<CliResult>; real: (args: string[]) => CliResult }> {
  const vault = newVault();
  const dir = path.join(tmpdir(), 'shop');
  fs.mkdirSync(dir);
  const run = (args: string[], env?: Record<string, string>): Promise<CliResult> => cliIn(args, { vault, cwd: dir, ...(env ? { env } : {}) });
  const real = (args: string[]): CliResult => cli(args, { vault, cwd: dir });
  ok(await run(['project', 'init']));
  return { vault, dir, run, real };
}

/** A copy of the fixture under another name, to change it. */
function copyFixture(name: string): string {
  const dir = path.join(tmpdir(), name);
  fs.cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

describe('import-psec', () => {
  it('puts every value in the vault and the descriptions in the project, exactly', async () => {
    const p = await setup();
    const r = ok(p.real(['import-psec', FIXTURE])); // a child process
    expect(r.stderr).toMatch(/values: 12 added, 0 replaced, 0 unchanged, 0 skipped, 3 unset in psec/);
    expect(r.stderr).toMatch(/not imported .*: tmp/);
    expect(r.stderr).toMatch(/warning: 1 imported variable\(s\) have no description: legacy_token/);
    expect(r.stdout + r.stderr).not.toMatch(/gargle|PSK=with|tok-123/);
    const psec = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'secrets.json'), 'utf8')) as Record<string, string | null>;
    const rows = JSON.parse(ok(await p.run(['show', '-e', 'demo', '--reveal', '--format', 'json'])).stdout) as Array<{ variable: string; value: string; set: string; type: string }>;
    const got = Object.fromEntries(rows.map((x) => [x.variable, x.set === 'yes' ? x.value : null]));
    expect(got).toEqual({ ...psec, google_oauth_client_secret: null });
    expect(rows.find((x) => x.variable === 'legacy_token')?.type).toBe('string');
    for (const f of fs.readdirSync(path.join(FIXTURE, 'secrets.d'))) {
      expect(fs.readFileSync(path.join(p.dir, 'secrets', 'demo', 'secrets.d', f))).toEqual(fs.readFileSync(path.join(FIXTURE, 'secrets.d', f)));
    }
    expect(fs.existsSync(path.join(p.dir, 'secrets', 'demo', 'secrets.json'))).toBe(false);
    const listed = JSON.parse(ok(await p.run(['list', 'shop:demo:myapp_ondemand_wifi', '--format', 'json'])).stdout) as Array<Record<string, string>>;
    expect(listed[0]?.['type']).toBe('boolean');
    expect(ok(await p.run(['audit', '--action', 'import', '--format', 'json'])).stdout).toMatch(/psec/);
    // importing again changes nothing; a changed value is skipped unless --overwrite
    expect(ok(await p.run(['import-psec', FIXTURE])).stderr).toMatch(/0 added, 0 replaced, 12 unchanged/);
    const changed = copyFixture('demo');
    const json = JSON.parse(fs.readFileSync(path.join(changed, 'secrets.json'), 'utf8')) as Record<string, string | null>;
    json['trident_db_pass'] = 'new.value.from.psec';
    fs.writeFileSync(path.join(changed, 'secrets.json'), JSON.stringify(json, null, 2));
    const skipped = ok(await p.run(['import-psec', changed]));
    expect(skipped.stderr).toMatch(/1 skipped \(different value here: --overwrite/);
    expect(skipped.stderr).toMatch(/skipped shop:demo:trident_db_pass/);
    ok(await p.run(['import-psec', changed, '--overwrite']));
    expect(ok(await p.run(['get', 'shop:demo:trident_db_pass'])).stdout).toBe('new.value.from.psec\n');
    const hist = JSON.parse(ok(await p.run(['history', 'shop:demo:trident_db_pass', '--reveal', '--format', 'json'])).stdout) as Array<Record<string, string>>;
    expect(hist.map((h) => h['value'])).toEqual(['new.value.from.psec', 'embezzle.xerox.excess.skydiver']);
  });

  it("the library (seeqret/project) sees what the CLI imported", async () => {
    const p = await setup();
    ok(await p.run(['import-psec', FIXTURE]));
    const script = [
      "import { findProject, resolveEnvironment, environmentVariables, sha512Crypt } from 'seeqret/project';",
      "import { openVault } from 'seeqret';",
      'const project = findProject(process.argv[1]);',
      "const env = resolveEnvironment(project, 'demo').name;",
      'const vault = openVault({ dir: process.argv[2] });',
      'const vars = environmentVariables(vault, project, env);',
      "const psk = vars.find((v) => v.variable === 'myapp_client_psk');",
      "console.log(JSON.stringify([vars.length, psk.description.export, vault.reveal(psk.record), sha512Crypt('Hello world!', 'saltstring')]));",
    ].join('\n');
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, path.join(p.dir, 'src'), p.vault], { cwd: ROOT, env: cleanEnv(), encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([15, 'DEMO_client_psk', 'PSK=with=equals', '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1']);
  });

  it('-e chooses the environment; a folder name that is no environment name needs it', async () => {
    const p = await setup();
    ok(await p.run(['import-psec', FIXTURE, '-e', 'prod']));
    expect(ok(await p.run(['get', 'shop:prod:consul_key'])).stdout).toBe('HEvUAItLFZ0+GjxfwTxLDKq5Fbt86UtXrInzpf71GGY=\n');
    const odd = copyFixture('.hidden');
    const r = await p.run(['import-psec', odd]);
    expect([r.code, errorCode(r)]).toEqual([2, 'E_INVALID_NAME']);
    expect(r.stderr).toMatch(/-e ENV/);
  });

  it('is all or nothing: a bad value or a conflicting description writes nothing', async () => {
    const p = await setup();
    const bad = copyFixture('bad');
    const json = JSON.parse(fs.readFileSync(path.join(bad, 'secrets.json'), 'utf8')) as Record<string, string | null>;
    json['myapp_ondemand_wifi'] = 'True'; // psec never validated booleans
    fs.writeFileSync(path.join(bad, 'secrets.json'), JSON.stringify(json));
    const r = await p.run(['import-psec', bad]);
    expect([r.code, errorCode(r)]).toEqual([10, 'E_BAD_VALUE']);
    expect(r.stderr).toMatch(/myapp_ondemand_wifi.*must be exactly 'true' or 'false'/);
    expect(r.stderr).not.toContain('True');
    expect(fs.existsSync(path.join(p.dir, 'secrets', 'bad'))).toBe(false);
    expect(JSON.parse(ok(await p.run(['list', '--format', 'json'])).stdout)).toEqual([]);
    // a group of the same name with other content
    ok(await p.run(['environments', 'create', 'demo']));
    fs.writeFileSync(path.join(p.dir, 'secrets', 'demo', 'secrets.d', 'jenkins.json'), '[{"Variable": "other", "Type": "string"}]');
    const conflict = await p.run(['import-psec', FIXTURE]);
    expect([conflict.code, errorCode(conflict)]).toEqual([5, 'E_EXISTS']);
    expect(fs.readdirSync(path.join(p.dir, 'secrets', 'demo', 'secrets.d'))).toEqual(['jenkins.json']);
    expect(JSON.parse(ok(await p.run(['list', '--format', 'json'])).stdout)).toEqual([]);
    // a variable already described in another group of the environment
    fs.writeFileSync(path.join(p.dir, 'secrets', 'demo', 'secrets.d', 'jenkins.json'), fs.readFileSync(path.join(FIXTURE, 'secrets.d', 'jenkins.json')));
    fs.writeFileSync(path.join(p.dir, 'secrets', 'demo', 'secrets.d', 'mine.json'), '[{"Variable": "consul_key", "Type": "string"}]');
    const dup = await p.run(['import-psec', FIXTURE]);
    expect([dup.code, errorCode(dup)]).toEqual([10, 'E_BAD_VALUE']);
    expect(dup.stderr).toMatch(/consul_key is already described in .*mine\.json/);
    expect(JSON.parse(ok(await p.run(['list', '--format', 'json'])).stdout)).toEqual([]);
    const none = await p.run(['import-psec', tmpdir()]);
    expect([none.code, errorCode(none)]).toEqual([3, 'E_FILE_NOT_FOUND']);
  });
});

describe('permissions of the per-environment tmp folder', () => {
  it('warns psec-style about anything under the vault tmp folder that others can access', async () => {
    const p = await setup();
    const tmp = ok(await p.run(['environments', 'path', '--tmpdir'])).stdout.trim();
    expect(ok(await p.run(['list'])).stderr).not.toMatch(/warning/);
    fs.writeFileSync(path.join(tmp, 'rendered.conf'), 'x');
    fs.chmodSync(path.join(tmp, 'rendered.conf'), 0o644);
    const r = ok(await p.run(['list']));
    expect(r.stderr).toContain(`seeqret: warning: file ${path.join(tmp, 'rendered.conf')} is mode 0o644: other users can access it (want 0o600)`);
    ok(await cliIn(['doctor', '--fix'], { vault: p.vault }));
    expect(fs.statSync(path.join(tmp, 'rendered.conf')).mode & 0o777).toBe(0o600);
    expect(ok(await p.run(['list'])).stderr).not.toMatch(/warning/);
  });
});
