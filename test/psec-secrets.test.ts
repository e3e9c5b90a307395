/**
 * Values of an environment through the real CLI: show (redaction, reveal, audit), set (all its
 * sources, validation, all or nothing, prompts on a real pseudo-terminal), generate and rotate.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256Base64 } from '../src/crypto/random.js';
import { verifyShaCrypt } from '../src/crypto/shacrypt.js';
import { BIN, type CliResult, ROOT, cleanEnv, cliIn, errorCode, newVault, tmpdir } from './helpers.js';
import { must } from './must.js';

const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'psec', 'demo');

interface Project {
  vault: string;
  dir: string;
  run: (args: string[], opts?: { input?: string; env?: Record<string, string | undefined> }) => Promise<CliResult>;
}

/** A vault and a project `shop` whose environment dev is described by the psec fixture's groups. */
async function project(): Promise<Project> {
  const vault = newVault();
  const dir = path.join(tmpdir(), 'shop');
  fs.mkdirSync(dir);
  const run: Project['run'] = (args, opts = {}) => cliIn(args, { vault, cwd: dir, ...(opts.input !== undefined ? { input: opts.input } : {}), ...(opts.env ? { env: opts.env } : {}) });
  ok(await run(['project', 'init']));
  for (const f of fs.readdirSync(path.join(FIXTURE, 'secrets.d'))) fs.copyFileSync(path.join(FIXTURE, 'secrets.d', f), path.join(dir, 'secrets', 'dev', 'secrets.d', f));
  return { vault, dir, run };
}

function ok(r: CliResult): CliResult {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
  return r;
}

async function values(p: Project, env = 'dev'): Promise<Record<string, string | null>> {
  const rows = JSON.parse(ok(await p.run(['show', '-e', env, '--reveal', '--format', 'json'])).stdout) as Array<{ variable: string; value: string; set: string }>;
  return Object.fromEntries(rows.map((r) => [r.variable, r.set === 'yes' ? r.value : null]));
}

describe('show', () => {
  it('redacts unless --reveal (or SEEQRET_NO_REDACT), records reveals, filters by name, group, type and --undefined', async () => {
    const p = await project();
    ok(await p.run(['set', 'myapp_client_psk=psk-value', 'myapp_ondemand_wifi=true']));
    const plain = ok(await p.run(['show', '--format', 'json']));
    expect(plain.stdout).not.toContain('psk-value');
    const rows = JSON.parse(plain.stdout) as Array<Record<string, string>>;
    expect(rows.find((r) => r['variable'] === 'myapp_client_psk')).toEqual({ variable: 'myapp_client_psk', type: 'string', value: 'REDACTED', export: 'DEMO_client_psk', set: 'yes' });
    expect(rows.find((r) => r['variable'] === 'trident_db_pass')).toEqual({ variable: 'trident_db_pass', type: 'password', value: '', export: '', set: 'no' });
    expect(ok(await p.run(['show', '--reveal', 'myapp_client_psk', '--format', 'csv'])).stdout).toBe('Variable,Type,Value,Export,Set\r\nmyapp_client_psk,string,psk-value,DEMO_client_psk,yes\r\n');
    expect(ok(await p.run(['show', 'myapp_client_psk', '--format', 'csv'], { env: { SEEQRET_NO_REDACT: 'yes' } })).stdout).toContain('psk-value');
    const audit = JSON.parse(ok(await p.run(['audit', '--action', 'secret.read', '--format', 'json'])).stdout) as Array<Record<string, string>>;
    expect(audit.map((a) => a['target'])).toEqual(['shop:dev:myapp_client_psk', 'shop:dev:myapp_client_psk']);
    const undef = JSON.parse(ok(await p.run(['show', '--undefined', '-g', 'myapp', '--format', 'json'])).stdout) as Array<Record<string, string>>;
    expect(undef.map((r) => r['variable'])).toEqual(['myapp_pi_password', 'myapp_app_password', 'myapp_client_ssid', 'myapp_optional_setting']);
    const types = JSON.parse(ok(await p.run(['show', '-t', 'uuid4', '-t', 'crypt_6', '--format', 'json'])).stdout) as Array<Record<string, string>>;
    expect(types.map((r) => r['variable'])).toEqual(['zookeeper_uuid4', 'pi_shadow_hash']);
    expect(ok(await p.run(['show', '--reveal', '--format', 'env', '-g', 'myapp'])).stdout).toBe('myapp_client_psk=psk-value\nmyapp_ondemand_wifi=true\n');
    const needsReveal = await p.run(['show', '--format', 'shell']);
    expect([needsReveal.code, errorCode(needsReveal)]).toEqual([2, 'E_USAGE']);
    expect(errorCode(await p.run(['show', 'nope']))).toBe('E_NOT_FOUND');
    expect(errorCode(await p.run(['show', '-g', 'nope']))).toBe('E_NOT_FOUND');
  });
});

describe('set', () => {
  it('takes VAR=VALUE (with "="), @file, @-, !command; validates; keeps history; prints no value', async () => {
    const p = await project();
    const file = path.join(tmpdir(), 'psk.txt');
    fs.writeFileSync(file, '  from-a-file \n');
    // The command is `sh -c` (a real child process; a shell starts for ~1 ms of CPU, node for ~100).
    const r = ok(
      await p.run(['set', 'myapp_client_psk=a=b==c', `myapp_client_ssid=@${file}`, `google_oauth_client_id=!sh -c "printf ' id-from-cmd \\n'"`, 'google_oauth_client_secret=@-', 'myapp_ondemand_wifi=false'], { input: 'from-stdin\n' }),
    );
    for (const secret of ['a=b==c', 'from-a-file', 'id-from-cmd', 'from-stdin']) expect(r.stdout + r.stderr).not.toContain(secret);
    expect(r.stderr).toMatch(/set shop:dev:myapp_client_psk/);
    const v = await values(p);
    expect(v).toMatchObject({ myapp_client_psk: 'a=b==c', myapp_client_ssid: 'from-a-file', google_oauth_client_id: 'id-from-cmd', google_oauth_client_secret: 'from-stdin', myapp_ondemand_wifi: 'false' });
    ok(await p.run(['set', '--literal', 'myapp_client_psk=@not-a-file', 'myapp_client_ssid=!not-a-command']));
    expect(await values(p)).toMatchObject({ myapp_client_psk: '@not-a-file', myapp_client_ssid: '!not-a-command' });
    const hist = JSON.parse(ok(await p.run(['history', 'shop:dev:myapp_client_psk', '--reveal', '--format', 'json'])).stdout) as Array<Record<string, unknown>>;
    expect(hist.map((h) => h['value'])).toEqual(['@not-a-file', 'a=b==c']);
    // the vault type is the description's Type
    const listed = JSON.parse(ok(await p.run(['list', 'shop:dev:myapp_ondemand_wifi', '--format', 'json'])).stdout) as Array<Record<string, string>>;
    expect(listed[0]?.['type']).toBe('boolean');
  });

  it('is all or nothing: a bad value, a failing command or an undescribed variable sets nothing', async () => {
    const p = await project();
    const cases: Array<[string[], number, string, RegExp]> = [
      [['myapp_client_psk=x', 'myapp_ondemand_wifi=yes'], 10, 'E_BAD_VALUE', /myapp_ondemand_wifi must be exactly 'true' or 'false'/],
      [['myapp_client_psk=x', 'myapp_optional_setting=maybe'], 10, 'E_BAD_VALUE', /myapp_optional_setting must be exactly/],
      [['myapp_client_psk=x', 'google_oauth_client_id=!sh -c "exit 3"'], 10, 'E_COMMAND_FAILED', /exited with status 3/],
      [['myapp_client_psk=x', 'google_oauth_client_id=!no-such-command-here'], 10, 'E_COMMAND_FAILED', /not found/],
      [['myapp_client_psk=x', 'not_described=1'], 3, 'E_NOT_DESCRIBED', /not_described has no description/],
      [['myapp_client_psk=x', 'google_oauth_client_id=@/no/such/file'], 3, 'E_FILE_NOT_FOUND', /no such file/],
      [['myapp_client_psk=x', 'myapp_client_psk=y'], 2, 'E_USAGE', /given twice/],
    ];
    for (const [args, code, err, re] of cases) {
      const r = await p.run(['set', ...args]);
      expect([r.code, errorCode(r)]).toEqual([code, err]);
      expect(r.stderr).toMatch(re);
      expect(r.stderr).not.toMatch(/yes|maybe/.test(args.join(' ')) ? /=yes|=maybe/ : /\0/);
    }
    expect((await values(p))['myapp_client_psk']).toBeNull();
    // closed Options and ints are validated too
    fs.writeFileSync(path.join(p.dir, 'secrets', 'dev', 'secrets.d', 'db.json'), '[{"Variable": "db_port", "Type": "int"}, {"Variable": "db_mode", "Type": "string", "Options": "ro,rw"}]');
    expect(errorCode(await p.run(['set', 'db_port=54x']))).toBe('E_BAD_VALUE');
    expect(errorCode(await p.run(['set', 'db_mode=admin']))).toBe('E_BAD_VALUE');
    ok(await p.run(['set', 'db_port=5432', 'db_mode=rw']));
    // --ignore-missing skips what has no description
    const skipped = ok(await p.run(['set', '--ignore-missing', 'not_described=1', 'myapp_client_psk=x']));
    expect(skipped.stderr).toMatch(/skipped not_described/);
    expect((await values(p))['myapp_client_psk']).toBe('x');
  });

  it('never hangs off a terminal: a bare VAR or --undefined needing a prompt is an error at once', async () => {
    const p = await project();
    const t0 = Date.now();
    const bare = await p.run(['set', 'myapp_client_psk']);
    expect([bare.code, errorCode(bare)]).toEqual([2, 'E_NO_TTY']);
    const undef = await p.run(['set', '--undefined']);
    expect(errorCode(undef)).toBe('E_NO_TTY');
    expect(undef.stderr).toMatch(/cannot ask for consul_key, zookeeper_uuid4, pi_shadow_hash/);
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(errorCode(await p.run(['set']))).toBe('E_USAGE');
  });

  it('--from-options sets unset non-generable variables to their default; --from-env copies from another environment', async () => {
    const p = await project();
    ok(await p.run(['set', 'myapp_ondemand_wifi=false']));
    ok(await p.run(['set', '--from-options']));
    const v = await values(p);
    expect(v).toMatchObject({ myapp_client_ssid: 'myapp_ssid', myapp_ondemand_wifi: 'false', myapp_optional_setting: 'false', myapp_client_psk: null, myapp_pi_password: null });
    ok(await p.run(['set', '--from-options', 'myapp_ondemand_wifi'])); // named: set even though it has a value
    expect((await values(p))['myapp_ondemand_wifi']).toBe('true');
    expect(errorCode(await p.run(['set', '--from-options', 'myapp_client_psk']))).toBe('E_USAGE'); // no default ('*')
    ok(await p.run(['environments', 'create', 'prod', '--clone-from', 'dev']));
    ok(await p.run(['set', 'myapp_client_psk=dev-psk']));
    ok(await p.run(['set', '-e', 'prod', '--from-env', 'dev']));
    expect(await values(p, 'prod')).toMatchObject({ myapp_client_psk: 'dev-psk', myapp_client_ssid: 'myapp_ssid', myapp_pi_password: null });
    ok(await p.run(['set', '-e', 'prod', '--from-env', 'dev', 'google_oauth_client_id=myapp_client_psk']));
    expect((await values(p, 'prod'))['google_oauth_client_id']).toBe('dev-psk');
    const missing = await p.run(['set', '-e', 'prod', '--from-env', 'dev', 'trident_db_pass']);
    expect([missing.code, errorCode(missing)]).toEqual([3, 'E_NOT_FOUND']);
    ok(await p.run(['set', '-e', 'prod', '--from-env', 'dev', '--ignore-missing', 'trident_db_pass']));
    expect(errorCode(await p.run(['set', '--from-env', 'dev', 'x']))).toBe('E_USAGE'); // the same environment
  });

  const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!hasScript)('on a terminal, a bare VAR asks with its Prompt: a menu for Options, hidden input otherwise', async () => {
    const p = await project();
    const cmd = [BIN, '--vault', p.vault, 'set', 'myapp_ondemand_wifi', 'myapp_client_psk', 'myapp_client_ssid'].map((a) => `'${a}'`).join(' ');
    const child = spawn('script', ['-qec', `'${process.execPath}' ${cmd}`, '/dev/null'], { cwd: p.dir, env: cleanEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let seen = '';
    const steps: Array<[RegExp, string]> = [
      [/Connect on demand/, '\u001b[B'], // down to "false"
      [/❯ false/, '\r'],
      [/Pre-shared key for myapp client WiFi AP/, 'typed-psk\r'],
      [/Repeat pre-shared key for myapp client WiFi AP/, 'typed-psk\r'], // typed blind: asked twice
      [/SSID for myapp client WiFi AP/, '\u001b[B'], // from myapp_ssid to "(another value)"
      [/❯ \(another value\)/, '\r'],
      [/SSID for myapp client WiFi AP \(hidden/, 'my-own-ssid\r'],
      [/Repeat SSID for myapp client WiFi AP/, 'my-own-ssid\r'],
    ];
    const done = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      seen += d;
      const next = steps[0];
      if (next && next[0].test(seen)) {
        steps.shift();
        seen = '';
        child.stdin.write(next[1]);
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const code = await done;
    clearTimeout(timer);
    expect(steps).toEqual([]);
    expect(code).toBe(0);
    expect(await values(p)).toMatchObject({ myapp_ondemand_wifi: 'false', myapp_client_psk: 'typed-psk', myapp_client_ssid: 'my-own-ssid' });
  });
});

describe('generate', () => {
  it('fills generable variables with one value per type, never touching string or boolean, and prints no value', async () => {
    const p = await project();
    ok(await p.run(['set', 'myapp_client_psk=keep-me', 'myapp_ondemand_wifi=true']));
    const r = ok(await p.run(['generate']));
    const v = await values(p);
    for (const secret of Object.values(v)) if (secret) expect(r.stdout + r.stderr).not.toContain(secret);
    expect(r.stderr).toMatch(/Entropy: .*password 68\.9 bits/);
    expect(v['myapp_client_psk']).toBe('keep-me');
    expect(v['myapp_ondemand_wifi']).toBe('true');
    expect(v['google_oauth_client_id']).toBeNull();
    const pw = must(v['myapp_pi_password']);
    expect(pw).toMatch(/^[A-Z]+\.[a-z]+\.[A-Z]+\.[a-z]+\.[A-Z]+\.[a-z]+$/);
    for (const k of ['myapp_app_password', 'jenkins_admin_password', 'trident_db_pass', 'trident_sysadmin_pass']) expect(v[k]).toBe(pw);
    expect(Buffer.from(must(v['consul_key']), 'base64')).toHaveLength(32);
    expect(v['zookeeper_uuid4']).toMatch(/^[0-9a-f-]{36}$/);
    // the crypt_6 value is the SHA-512 crypt of that same password: openssl agrees
    const hash = must(v['pi_shadow_hash']);
    const salt = must(must(/^\$6\$([^$]+)\$/.exec(hash))[1]);
    expect(spawnSync('openssl', ['passwd', '-6', '-salt', salt, '-stdin'], { input: `${pw}\n`, encoding: 'utf8' }).stdout.trim()).toBe(hash);
    // regenerating is rotating: the old value stays in history
    ok(await p.run(['generate', '-U', '--psec']));
    const w = await values(p);
    expect(w['myapp_pi_password']).not.toBe(w['myapp_app_password']);
    expect(w['myapp_pi_password']).toMatch(/^[A-Z]+\.[a-z]+\.[A-Z]+\.[a-z]+$/);
    expect(w['pi_shadow_hash']).toBe(hash); // -U: no single password to hash, left unchanged
    const hist = JSON.parse(ok(await p.run(['history', 'shop:dev:myapp_pi_password', '--format', 'json'])).stdout) as unknown[];
    expect(hist).toHaveLength(2);
  });

  it('named variables, options, hashes of a stored value, --dry-run, and what cannot be generated', async () => {
    const p = await project();
    fs.writeFileSync(
      path.join(p.dir, 'secrets', 'dev', 'secrets.d', 'extra.json'),
      JSON.stringify([
        { Variable: 'zk_digest', Type: 'sha256_digest' },
        { Variable: 'pin', Type: 'int' },
        { Variable: 'api_token', Type: 'token_hex' },
        { Variable: 'blob', Type: 'random_base64' },
      ]),
    );
    ok(await p.run(['generate', 'api_token', 'blob', '--length', '8']));
    let v = await values(p);
    expect(v['api_token']).toMatch(/^[0-9a-f]{16}$/);
    expect(Buffer.from(must(v['blob']), 'base64')).toHaveLength(8);
    expect(v['myapp_pi_password']).toBeNull(); // only what was named
    ok(await p.run(['generate', 'pin', '--min', '1000', '--max', '1009']));
    expect(Number((await values(p))['pin'])).toBeGreaterThanOrEqual(1000);
    ok(await p.run(['generate'])); // bulk: the int is left alone
    ok(await p.run(['set', 'jenkins_admin_password=known pass']));
    ok(await p.run(['generate', 'zk_digest', 'pi_shadow_hash', '--from', 'jenkins_admin_password', '--user', 'super', '--rounds', '1000']));
    v = await values(p);
    expect(v['zk_digest']).toBe(sha256Base64('super:known pass'));
    const salt = must(must(/^\$6\$rounds=1000\$([^$]+)\$/.exec(must(v['pi_shadow_hash'])))[1]);
    expect(spawnSync('openssl', ['passwd', '-6', '-salt', `rounds=1000$${salt}`, '-stdin'], { input: 'known pass\n', encoding: 'utf8' }).stdout.trim()).toBe(v['pi_shadow_hash']);
    const before = await values(p);
    const dry = ok(await p.run(['generate', '--dry-run']));
    expect(dry.stderr).toMatch(/would generate myapp_pi_password \(password\)/);
    expect(await values(p)).toEqual(before);
    const str = await p.run(['generate', 'myapp_client_psk']);
    expect([str.code, errorCode(str)]).toEqual([2, 'E_USAGE']);
    expect(str.stderr).toMatch(/myapp_client_psk \(string\) cannot be generated/);
    expect(errorCode(await p.run(['generate', 'zk_digest']))).toBe('E_USAGE'); // needs --user and a password
    expect(errorCode(await p.run(['generate', 'nope']))).toBe('E_NOT_DESCRIBED');
    expect(errorCode(await p.run(['generate', '--words', 'x']))).toBe('E_USAGE');
    expect(errorCode(await p.run(['generate', 'pi_shadow_hash', '--from', 'google_oauth_client_id']))).toBe('E_NOT_FOUND');
  });
});

describe('rotate', () => {
  it('needs a selection; rotates named, old (--older-than) and exposed (--exposed) values', async () => {
    const p = await project();
    ok(await p.run(['generate']));
    const first = await values(p);
    expect(errorCode(await p.run(['rotate']))).toBe('E_USAGE');
    ok(await p.run(['rotate', '--older-than', '90d']));
    expect(await values(p)).toEqual(first); // nothing that old
    ok(await p.run(['rotate', 'consul_key']));
    const second = await values(p);
    expect(second['consul_key']).not.toBe(first['consul_key']);
    expect(second['zookeeper_uuid4']).toBe(first['zookeeper_uuid4']);
    // expose trident_db_pass: send it to bob, then remove bob
    const bobVault = newVault({ user: 'bob' });
    const bobKey = ok(await cliIn(['public-key'], { vault: bobVault })).stdout.trim();
    ok(await p.run(['add', 'user', '--username', 'bob', '--email', 'bob@example.com', '--pubkey', bobKey]));
    ok(await p.run(['export', '--to', 'bob', '-f', 'shop:dev:trident_db_pass', '-o', path.join(tmpdir(), 'b.json')]));
    ok(await p.run(['rm', 'user', 'bob', '--yes']));
    expect(ok(await p.run(['list', '--exposed', '--format', 'json'])).stdout).toMatch(/trident_db_pass/);
    await new Promise((r) => setTimeout(r, 5));
    const r = ok(await p.run(['rotate', '--exposed']));
    const third = await values(p);
    expect(third['trident_db_pass']).not.toBe(second['trident_db_pass']);
    // generate shared one password among all password variables: every variable holding the
    // exposed value is rotated too, and so is the crypt_6 hash of it (it would still let the old
    // password in); nothing else is.
    const sharing = ['myapp_pi_password', 'myapp_app_password', 'jenkins_admin_password', 'trident_sysadmin_pass'];
    for (const k of sharing) expect(second[k]).toBe(second['trident_db_pass']);
    for (const k of sharing) expect(third[k]).toBe(third['trident_db_pass']);
    expect(verifyShaCrypt(must(second['trident_db_pass']), must(second['pi_shadow_hash']))).toBe(true);
    expect(verifyShaCrypt(must(third['trident_db_pass']), must(third['pi_shadow_hash']))).toBe(true);
    expect(r.stderr).toMatch(/selected trident_sysadmin_pass: it holds an exposed value too/);
    expect(r.stderr).toMatch(/selected pi_shadow_hash: it is a hash of an exposed value/);
    expect(r.stderr).toMatch(/Rotated 6 value/);
    expect(r.stderr).not.toContain(must(second['trident_db_pass']));
    expect(third['consul_key']).toBe(second['consul_key']);
    expect(third['zookeeper_uuid4']).toBe(second['zookeeper_uuid4']);
    expect(JSON.parse(ok(await p.run(['list', '--exposed', '--format', 'json'])).stdout)).toEqual([]);
    ok(await p.run(['rotate', '--older-than', '0s', '-U']));
    const fourth = await values(p);
    expect(fourth['trident_db_pass']).not.toBe(third['trident_db_pass']);
    expect(fourth['myapp_pi_password']).not.toBe(fourth['myapp_app_password']);
    expect(errorCode(await p.run(['rotate', 'consul_key', '--all']))).toBe('E_USAGE');
  });
});
