/**
 * `seeqret securestore …` (alias `ss`) on real files, in-process (`cliIn`) with at least one run
 * of each subcommand through the real CLI as a child process (`real: true`, decision 58) — the
 * ssclient commands, password sources (never the command line), key files and the .gitignore
 * rule, exit codes, terminal prompts (through `script`, a real pseudo-terminal), and import /
 * export between SecureStore vaults and the seeqret vault (all or nothing, audited).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KeySource, SecretsManager } from '../src/securestore/manager.js';
import { SHARED, addSecrets, cli, cliIn, errorCode, newVault, ssEntry, ssFile, tmpdir, type CliResult } from './helpers.js';
import { flip, must } from './must.js';
import { hasScript, onTerminal } from './pty.js';

const FIX = path.join(SHARED, 'fixtures', 'securestore-v3');
const FIXTURE_TEXT = fs.readFileSync(path.join(FIX, 'fixture.json'), 'utf8');
const PASSWORD = 'password123';

/** A folder holding a copy of the fixture as secrets.json and its key files. */
function fixtureDir(): string {
  const dir = tmpdir('ss-cli-');
  fs.copyFileSync(path.join(FIX, 'fixture.json'), path.join(dir, 'secrets.json'));
  fs.copyFileSync(path.join(FIX, 'fixture.key'), path.join(dir, 'secrets.key'));
  fs.copyFileSync(path.join(FIX, 'fixture.bin.key'), path.join(dir, 'legacy.key'));
  return dir;
}

/**
 * `seeqret ss ARGS` in `cwd`, with the password in SEEQRET_SS_PASSWORD unless `password` is null:
 * in-process ({@link cliIn}), or with `real` as a child process ({@link cli}) — at least one real
 * run of each subcommand in this file, the rest in-process (decision 58).
 */
function ss(cwd: string, args: string[], opts: { password?: string | null; input?: string; vault?: string; env?: Record<string, string>; real?: boolean } = {}): Promise<CliResult> {
  const password = opts.password === undefined ? PASSWORD : opts.password;
  return ssRun(cwd, args, password, opts);
}

/**
 * {@link ss} with the key file `key` (`-k KEY`) instead of the password: for the cases whose
 * subject is not the password, so that no run pays SecureStore's 256,000 PBKDF2 rounds.
 */
function ssKey(cwd: string, key: string, args: string[], opts: { input?: string; vault?: string; env?: Record<string, string>; real?: boolean } = {}): Promise<CliResult> {
  return ssRun(cwd, ['-k', key, ...args], null, opts);
}

function ssRun(cwd: string, args: string[], password: string | null, opts: { input?: string; vault?: string; env?: Record<string, string>; real?: boolean }): Promise<CliResult> {
  const o = {
    cwd,
    ...(opts.input !== undefined ? { input: opts.input } : {}),
    ...(opts.vault ? { vault: opts.vault } : {}),
    env: { ...(password === null ? {} : { SEEQRET_SS_PASSWORD: password }), ...opts.env },
  };
  return opts.real === true ? Promise.resolve(cli(['ss', ...args], o)) : cliIn(['ss', ...args], o);
}

const open = (file: string, source: KeySource = KeySource.fromPassword(PASSWORD)): SecretsManager => SecretsManager.fromFile(file, source);
/** {@link open} with the key file `secrets.key` next to `file`. */
const openByKey = (file: string): SecretsManager => open(file, KeySource.fromFile(path.join(path.dirname(file), 'secrets.key')));
/** A new SecureStore vault `DIR/secrets.json` with a random key in `DIR/secrets.key` (made by the library). */
function keyStore(dir: string): SecretsManager {
  const s = SecretsManager.create(KeySource.generate(), { path: path.join(dir, 'secrets.json') });
  s.exportKey(path.join(dir, 'secrets.key'));
  return s;
}

describe('ssclient commands on the fixture', () => {
  it('get KEY with the password (env), the PEM key file, the legacy key file and --keyfile / --key-file', async () => {
    const dir = fixtureDir();
    for (const args of [[], ['-k', 'secrets.key'], ['--key', 'legacy.key'], ['--keyfile', 'secrets.key'], ['--key-file', 'legacy.key']]) {
      const r = await ss(dir, [...args, 'get', 'unicode'], { password: args.length ? null : PASSWORD });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toBe('päss✓\n');
    }
    // options of the group also work after the subcommand; `securestore` is the long name
    expect(cli(['securestore', 'get', 'db:username', '-k', 'secrets.key'], { cwd: dir }).stdout).toBe('pgadmin\n'); // a child process
  });

  it('get --all prints ssclient JSON (default) and text; keys lists the names', async () => {
    const dir = fixtureDir();
    const json = await ss(dir, ['-k', 'secrets.key', 'get', '--all'], { password: null });
    expect(json.code).toBe(0);
    expect(json.stdout).toBe(
      `${JSON.stringify(
        [
          { key: 'db:password', value: 'pgsql123' },
          { key: 'db:username', value: 'pgadmin' },
          { key: 'unicode', value: 'päss✓' },
        ],
        null,
        2,
      )}\n`,
    );
    expect((await ssKey(dir, 'secrets.key', ['get', '-a', '--format', 'text'])).stdout).toBe('db:password: pgsql123\ndb:username: pgadmin\nunicode: päss✓\n');
    expect((await ss(dir, ['-k', 'secrets.key', 'keys'], { password: null, real: true })).stdout).toBe('db:password\ndb:username\nunicode\n');
  });

  it('binary values: text output as base64:…, JSON as byte arrays', async () => {
    const dir = tmpdir();
    const s = keyStore(dir);
    s.set('bin', Buffer.from([0xff, 0x00, 0x41]));
    s.set('txt', 'hi');
    s.save();
    expect((await ssKey(dir, 'secrets.key', ['get', 'bin'])).stdout).toBe('base64:/wBB\n');
    expect((await ssKey(dir, 'secrets.key', ['get', '--all', '--format', 'text'])).stdout).toBe('bin: base64:/wBB\ntxt: hi\n');
    expect(JSON.parse((await ssKey(dir, 'secrets.key', ['get', '--all'])).stdout)).toEqual([
      { key: 'bin', value: [255, 0, 65] },
      { key: 'txt', value: 'hi' },
    ]);
  });

  it('set from an argument and from stdin (one trailing newline removed), overwriting silently; other entries unchanged', async () => {
    const dir = fixtureDir();
    expect((await ss(dir, ['set', 'api:token', 'sk_live_1'], { password: null, env: { SEEQRET_SS_PASSWORD: PASSWORD } })).code).toBe(0);
    const r = await ss(dir, ['-k', 'secrets.key', 'set', 'db:password'], { password: null, input: 'new\nvalue\n\n', real: true }); // stdin through a pipe
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("Updated 'db:password'");
    const s = openByKey(path.join(dir, 'secrets.json'));
    expect(s.get('api:token')).toBe('sk_live_1');
    expect(s.get('db:password')).toBe('new\nvalue\n');
    expect((await ssKey(dir, 'secrets.key', ['get', 'db:password'])).stdout).toBe('new\nvalue\n\n');
    const before = ssFile(FIXTURE_TEXT);
    const after = ssFile(fs.readFileSync(path.join(dir, 'secrets.json'), 'utf8'));
    expect(after.secrets['db:username']).toEqual(before.secrets['db:username']);
    expect(after.sentinel).toEqual(before.sentinel);
    expect(fs.readFileSync(path.join(dir, 'secrets.json'), 'utf8').endsWith('}')).toBe(true);
  });

  it('delete (alias remove) removes; a missing name is E_NOT_FOUND (exit 1, as ssclient)', async () => {
    const dir = fixtureDir();
    expect((await ssKey(dir, 'secrets.key', ['delete', 'db:password'])).code).toBe(0);
    expect((await ssKey(dir, 'secrets.key', ['remove', 'unicode'])).code).toBe(0);
    expect(openByKey(path.join(dir, 'secrets.json')).keys()).toEqual(['db:username']);
    const r = await ssKey(dir, 'secrets.key', ['delete', 'db:password'], { real: true }); // the exit status of a process
    expect(r.code).toBe(1);
    expect(errorCode(r)).toBe('E_NOT_FOUND');
    const g = await ssKey(dir, 'secrets.key', ['get', 'nope']);
    expect([g.code, errorCode(g), g.stdout]).toEqual([1, 'E_NOT_FOUND', '']);
  });

  it('-s names another vault file; a missing one is E_FILE_NOT_FOUND (exit 2, as ssclient)', async () => {
    const dir = fixtureDir();
    fs.renameSync(path.join(dir, 'secrets.json'), path.join(dir, 'other.json'));
    expect((await ssKey(dir, 'secrets.key', ['-s', 'other.json', 'get', 'db:username'])).stdout).toBe('pgadmin\n');
    const r = await ssKey(dir, 'secrets.key', ['get', 'db:username']);
    expect(r.code).toBe(2); // ssclient's "store not found"
    expect(errorCode(r)).toBe('E_FILE_NOT_FOUND');
    expect(r.stderr).toContain('no SecureStore vault at secrets.json');
    // SEEQRET_EXIT_CODES=native: seeqret's own table instead of ssclient's
    const native = await ss(dir, ['get', 'db:username'], { env: { SEEQRET_EXIT_CODES: 'native' } });
    expect([native.code, errorCode(native)]).toEqual([3, 'E_FILE_NOT_FOUND']);
    const nf = await ssKey(dir, 'secrets.key', ['-s', 'other.json', 'get', 'nope'], { env: { SEEQRET_EXIT_CODES: 'native' } });
    expect([nf.code, errorCode(nf)]).toEqual([3, 'E_NOT_FOUND']);
  });
});

describe('passwords, keys and errors', () => {
  it('a wrong password or key is E_SS_WRONG_KEY (exit 1, as ssclient), a tampered entry E_SS_AUTH (exit 1)', async () => {
    const dir = fixtureDir();
    const r = await ss(dir, ['get', 'unicode'], { password: 'password124' });
    expect([r.code, errorCode(r), r.stdout]).toEqual([1, 'E_SS_WRONG_KEY', '']);
    expect(r.stderr).toContain('the password does not open secrets.json');
    fs.writeFileSync(path.join(dir, 'other.key'), `-----BEGIN PRIVATE KEY-----\n${Buffer.alloc(32, 9).toString('base64')}\n-----END PRIVATE KEY-----\n`);
    expect(errorCode(await ss(dir, ['-k', 'other.key', 'get', 'unicode'], { password: null }))).toBe('E_SS_WRONG_KEY');
    const d = ssFile(FIXTURE_TEXT);
    const hmac = Buffer.from(ssEntry(d, 'unicode').hmac, 'base64');
    flip(hmac, 0, 0x80);
    ssEntry(d, 'unicode').hmac = hmac.toString('base64');
    fs.writeFileSync(path.join(dir, 'secrets.json'), JSON.stringify(d, null, 2));
    const t = await ssKey(dir, 'secrets.key', ['get', 'unicode']);
    expect([t.code, errorCode(t), t.stdout]).toEqual([1, 'E_SS_AUTH', '']);
    expect((await ssKey(dir, 'secrets.key', ['get', 'db:username'])).stdout).toBe('pgadmin\n');
  });

  it('an unknown version is E_SS_VERSION , a malformed file E_SS_FORMAT, a bad key file E_SS_KEY_FILE (exit 1 each, as ssclient)', async () => {
    const dir = fixtureDir();
    fs.writeFileSync(path.join(dir, 'v2.json'), FIXTURE_TEXT.replace('"version": 3', '"version": 2'));
    const v = await ss(dir, ['-s', 'v2.json', 'keys']);
    expect([v.code, errorCode(v)]).toEqual([1, 'E_SS_VERSION']);
    expect(v.stderr).toContain('version 2 vault; only version 3 is supported');
    fs.writeFileSync(path.join(dir, 'bad.json'), '{"version": 3, "iv": "secret-looking-text"');
    const b = await ss(dir, ['-s', 'bad.json', 'keys']);
    expect([b.code, errorCode(b)]).toEqual([1, 'E_SS_FORMAT']);
    expect(b.stderr).not.toContain('secret-looking-text');
    fs.writeFileSync(path.join(dir, 'bad.key'), 'not a key');
    const k = await ss(dir, ['-k', 'bad.key', 'keys'], { password: null });
    expect([k.code, errorCode(k)]).toEqual([1, 'E_SS_KEY_FILE']);
  });

  it('no terminal and no password or key: E_PASSPHRASE_REQUIRED (exit 1, as ssclient); --password-file works (one newline removed)', async () => {
    const dir = fixtureDir();
    const r = await ss(dir, ['get', 'unicode'], { password: null });
    expect([r.code, errorCode(r)]).toEqual([1, 'E_PASSPHRASE_REQUIRED']);
    expect((await ss(dir, ['-p', 'get', 'unicode'], { password: null })).code).toBe(1);
    fs.writeFileSync(path.join(dir, 'pw'), `${PASSWORD}\n`);
    expect((await ss(dir, ['-p', '--password-file', 'pw', 'get', 'unicode'], { password: null })).stdout).toBe('päss✓\n');
    expect((await ss(dir, ['--password-file', 'pw', 'get', 'unicode'], { password: null })).stdout).toBe('päss✓\n');
    // the file wins over the environment
    expect((await ss(dir, ['--password-file', 'pw', 'get', 'unicode'], { password: 'wrong password' })).code).toBe(0);
  });

  it('-p takes no value: a password written after it is refused and never echoed', async () => {
    const dir = fixtureDir();
    const r = await ss(dir, ['-p', 'hunter2-secret', 'get', 'unicode']);
    expect([r.code, errorCode(r)]).toEqual([2, 'E_USAGE']);
    expect(r.stderr).not.toContain('hunter2-secret');
    expect(r.stderr).toContain('-p takes no value');
    // The attached forms (as ssclient accepts them) are refused without echo too, before or after the command.
    for (const args of [
      ['--password=hunter2-secret', 'get', 'unicode'],
      ['-phunter2-secret', 'get', 'unicode'],
      ['get', 'unicode', '--password=hunter2-secret'],
      ['keys', '-phunter2-secret'],
    ]) {
      const a = await ss(dir, args);
      expect([a.code, errorCode(a)], args.join(' ')).toEqual([2, 'E_USAGE']);
      expect(a.stderr, args.join(' ')).not.toContain('hunter2');
      expect(a.stderr).toContain('-p takes no value');
    }
    // -p after the command word: the next word would be a secret's name (set) or echoed (get).
    for (const args of [
      ['set', '-p', 'hunter2-secret', 'value'],
      ['get', '-p', 'hunter2-secret'],
      ['-s', 'secrets.json', 'delete', '--password', 'hunter2-secret'],
    ]) {
      const a = await ss(dir, args);
      expect([a.code, errorCode(a)], args.join(' ')).toEqual([2, 'E_USAGE']);
      expect(a.stderr, args.join(' ')).not.toContain('hunter2');
    }
    expect(openByKey(path.join(dir, 'secrets.json')).keys()).not.toContain('hunter2-secret');
    expect((await ss(dir, ['-s', 'secrets.json', '-p', 'get', 'unicode'])).code).toBe(0);
    // A value after `--` is not an option: it may look like one.
    expect((await ssKey(dir, 'secrets.key', ['set', 'dash', '--', '-pvalue'])).code).toBe(0);
    expect((await ssKey(dir, 'secrets.key', ['get', 'dash'])).stdout).toBe('-pvalue\n');
    const both = await ss(dir, ['-p', '-k', 'secrets.key', 'get', 'unicode']);
    expect([both.code, errorCode(both)]).toEqual([2, 'E_USAGE']);
    const two = await ss(dir, ['-k', 'secrets.key', '--keyfile', 'legacy.key', 'keys']);
    expect(errorCode(two)).toBe('E_USAGE');
  });

  it('get needs KEY or --all (not both); --format only with --all', async () => {
    const dir = fixtureDir();
    for (const args of [['get'], ['get', 'unicode', '--all'], ['get', 'unicode', '--format', 'text'], ['get', '--all', '--format', 'yaml']]) {
      const r = await ss(dir, args);
      expect([r.code, errorCode(r)], args.join(' ')).toEqual([2, 'E_USAGE']);
    }
  });
});

describe('create and export-key', () => {
  it('create with a password: reference layout, sentinel, 0600, no secrets; reopens with it', async () => {
    const dir = tmpdir();
    const r = await ss(dir, ['create']); // the file modes under a real umask: `create -k` below
    expect(r.code).toBe(0);
    const text = fs.readFileSync(path.join(dir, 'secrets.json'), 'utf8');
    expect(text).toBe(JSON.stringify(JSON.parse(text), null, 2));
    expect(Object.keys(ssFile(text))).toEqual(['version', 'iv', 'sentinel', 'secrets']);
    expect(text.endsWith('"secrets": {}\n}')).toBe(true);
    expect(fs.statSync(path.join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
    expect(open(path.join(dir, 'secrets.json')).size).toBe(0);
    expect(errorCode(await ss(dir, ['get', 'x'], { password: 'another password' }))).toBe('E_SS_WRONG_KEY');
  });

  it('create STORE / -s; conflicting paths, short passwords and an existing vault are refused', async () => {
    const dir = tmpdir();
    expect((await ss(dir, ['create', 'a.json'])).code).toBe(0);
    expect((await ss(dir, ['-s', 'b.json', 'create'])).code).toBe(0);
    expect(fs.existsSync(path.join(dir, 'a.json')) && fs.existsSync(path.join(dir, 'b.json'))).toBe(true);
    expect(errorCode(await ss(dir, ['-s', 'c.json', 'create', 'd.json']))).toBe('E_USAGE');
    const short = await ss(dir, ['create', 'e.json'], { password: 'short' });
    expect([short.code, errorCode(short)]).toEqual([2, 'E_USAGE']);
    expect(fs.existsSync(path.join(dir, 'e.json'))).toBe(false);
    const before = fs.readFileSync(path.join(dir, 'a.json'));
    const again = await ss(dir, ['create', 'a.json']);
    expect([again.code, errorCode(again)]).toEqual([17, 'E_EXISTS']);
    expect(fs.readFileSync(path.join(dir, 'a.json')).equals(before)).toBe(true);
    expect((await ss(dir, ['create', 'a.json', '--force'])).code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'a.json')).equals(before)).toBe(false);
  });

  it('create -k NEWFILE generates a random key (PEM, 99 bytes, 0600) and adds the .gitignore rule in a git work tree', async () => {
    const repo = tmpdir();
    fs.mkdirSync(path.join(repo, '.git'));
    fs.mkdirSync(path.join(repo, 'app'));
    const cwd = path.join(repo, 'app');
    const r = await ss(cwd, ['-k', 'secrets.key', 'create'], { password: null, real: true }); // the file modes under a real umask
    expect(r.code).toBe(0);
    expect(fs.statSync(path.join(cwd, 'secrets.json')).mode & 0o777).toBe(0o600);
    const key = fs.readFileSync(path.join(cwd, 'secrets.key'), 'utf8');
    expect(key).toMatch(/^-----BEGIN PRIVATE KEY-----\n[A-Za-z0-9+/]{43}=\n-----END PRIVATE KEY-----\n$/);
    expect(Buffer.byteLength(key)).toBe(99);
    expect(fs.statSync(path.join(cwd, 'secrets.key')).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(path.join(cwd, '.gitignore'), 'utf8')).toBe('# SecureStore key file ignore rule:\n/secrets.key\n');
    // A random-key vault is not stretched: the key opens it directly; no password does.
    expect(open(path.join(cwd, 'secrets.json'), KeySource.fromFile(path.join(cwd, 'secrets.key'))).size).toBe(0);
    expect((await ss(cwd, ['-k', 'secrets.key', 'set', 'a', 'b'], { password: null })).code).toBe(0);
    // an empty key file also gets a new key; an existing key file is used as is
    fs.writeFileSync(path.join(cwd, 'empty.key'), '');
    expect((await ss(cwd, ['-k', 'empty.key', 'create', 'e.json', '--no-vcs'], { password: null })).code).toBe(0);
    expect(fs.statSync(path.join(cwd, 'empty.key')).size).toBe(99);
    const reuse = await ss(cwd, ['-k', 'secrets.key', 'create', 'r.json'], { password: null });
    expect(reuse.stderr).toContain('Using the existing key file secrets.key');
    expect(fs.readFileSync(path.join(cwd, 'secrets.key'), 'utf8')).toBe(key);
    expect(open(path.join(cwd, 'r.json'), KeySource.fromFile(path.join(cwd, 'secrets.key'))).size).toBe(0);
    // --no-vcs left no rule for empty.key, and the rule for secrets.key was not added twice
    expect(fs.readFileSync(path.join(cwd, '.gitignore'), 'utf8')).toBe('# SecureStore key file ignore rule:\n/secrets.key\n');
  });

  it('all or nothing: when the vault cannot be written, no key file and no .gitignore change are left (create, export)', async () => {
    const repo = tmpdir();
    fs.mkdirSync(path.join(repo, '.git'));
    fs.writeFileSync(path.join(repo, '.gitignore'), 'node_modules\n');
    fs.writeFileSync(path.join(repo, 'old.key'), 'previous key file content');
    fs.writeFileSync(path.join(repo, 'empty.key'), '');
    const r = await ss(repo, ['-k', 'new.key', 'create', 'missing/secrets.json'], { password: null });
    expect([r.code, errorCode(r)]).toEqual([1, 'E_FILE_NOT_FOUND']);
    const p = await ss(repo, ['create', 'missing/secrets.json', '--export-key', 'old.key', '--force']);
    expect(errorCode(p)).toBe('E_FILE_NOT_FOUND');
    const e = await ss(repo, ['-k', 'empty.key', 'create', 'missing/secrets.json'], { password: null });
    expect(errorCode(e)).toBe('E_FILE_NOT_FOUND');
    const vault = newVault();
    addSecrets(vault, { key: 'K', value: 'v' });
    const x = await ss(repo, ['export', '-f', '::K', 'missing/secrets.json', '-k', 'new.key'], { vault, password: null });
    expect(errorCode(x)).toBe('E_FILE_NOT_FOUND');
    expect(fs.readdirSync(repo).sort()).toEqual(['.git', '.gitignore', 'empty.key', 'old.key']);
    expect(fs.readFileSync(path.join(repo, '.gitignore'), 'utf8')).toBe('node_modules\n');
    expect(fs.readFileSync(path.join(repo, 'old.key'), 'utf8')).toBe('previous key file content');
    expect(fs.statSync(path.join(repo, 'empty.key')).size).toBe(0);
    const log = JSON.parse((await cliIn(['audit', '--format', 'json'], { vault })).stdout) as Array<{ action: string }>;
    expect(log.some((a) => a.action === 'export')).toBe(false);
  });

  it('outside a git work tree no .gitignore is written', async () => {
    const dir = tmpdir();
    expect((await ss(dir, ['-k', 'k.key', 'create'], { password: null })).code).toBe(0);
    expect(fs.existsSync(path.join(dir, '.gitignore'))).toBe(false);
  });

  it('create --export-key and export-key write the key equivalent to the password', async () => {
    const repo = tmpdir();
    fs.mkdirSync(path.join(repo, '.git'));
    expect((await ss(repo, ['create', '--export-key', 'secrets.key'])).code).toBe(0);
    expect((await ss(repo, ['-k', 'secrets.key', 'set', 'x', 'y'], { password: null })).code).toBe(0);
    expect((await ss(repo, ['get', 'x'])).stdout).toBe('y\n');
    expect(fs.readFileSync(path.join(repo, '.gitignore'), 'utf8')).toContain('/secrets.key\n');
    const dir = fixtureDir();
    const r = await ss(dir, ['export-key', 'exported.key'], { real: true });
    expect(r.code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'exported.key'), 'utf8')).toBe(fs.readFileSync(path.join(FIX, 'fixture.key'), 'utf8'));
    expect(fs.statSync(path.join(dir, 'exported.key')).mode & 0o777).toBe(0o600);
    const again = await ss(dir, ['export-key', 'exported.key']);
    expect([again.code, errorCode(again)]).toEqual([17, 'E_EXISTS']);
    expect((await ss(dir, ['export-key', 'exported.key', '--force'])).code).toBe(0);
  });
});

/** Run `seeqret ARGS` in `cwd` on a pseudo-terminal (test/pty.ts), typing each answer and Enter when its prompt appears. */
async function ssOnTerminal(cwd: string, args: string[], answers: Array<[RegExp, string]>): Promise<{ code: number | null; output: string }> {
  const r = await onTerminal({ cwd, args, answers: answers.map(([p, line]) => [p, `${line}\r`] as const) });
  return { code: r.code, output: r.output };
}

describe.runIf(hasScript)('on a terminal', () => {
  it('create asks for the password twice; get asks once; a declined overwrite is E_ABORTED (exit 17, as ssclient)', async () => {
    const dir = tmpdir();
    const c = await ssOnTerminal(dir, ['ss', 'create'], [
      [/New SecureStore password/, 'correct horse battery'],
      [/Repeat the password/, 'correct horse battery'],
    ]);
    expect(c.code).toBe(0);
    expect(c.output).not.toContain('correct horse');
    expect(open(path.join(dir, 'secrets.json'), KeySource.fromPassword('correct horse battery')).size).toBe(0);
    const s = await ssOnTerminal(dir, ['ss', 'set', 'k', 'v'], [[/SecureStore password/, 'correct horse battery']]);
    expect(s.code).toBe(0);
    const before = fs.readFileSync(path.join(dir, 'secrets.json'));
    const no = await ssOnTerminal(dir, ['ss', 'create'], [[/Replace the existing vault/, 'n']]);
    expect(no.code).toBe(17); // ssclient's "declined overwrite"
    expect(no.output).toContain('E_ABORTED');
    expect(fs.readFileSync(path.join(dir, 'secrets.json')).equals(before)).toBe(true);
    const differ = await ssOnTerminal(dir, ['ss', 'create', 'x.json'], [
      [/New SecureStore password/, 'first password'],
      [/Repeat the password/, 'second password'],
    ]);
    expect(differ.code).toBe(2);
    expect(fs.existsSync(path.join(dir, 'x.json'))).toBe(false);
  });
});

describe('import into the seeqret vault', () => {
  it('--colon maps ssclient-style names to keys, with --app/--env; all values arrive; audited', async () => {
    const dir = fixtureDir();
    const vault = newVault();
    const r = await ss(dir, ['import', '-k', 'secrets.key', '--colon', '.', '--app', 'web', '--env', 'prod'], { vault, password: null, real: true });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('3 added');
    expect((await cliIn(['get', 'web:prod:db.password'], { vault })).stdout).toBe('pgsql123\n');
    expect((await cliIn(['get', 'web:prod:unicode'], { vault })).stdout).toBe('päss✓\n');
    const log = (JSON.parse((await cliIn(['audit', '--format', 'json'], { vault })).stdout) as Array<{ action: string; target: string; detail: unknown }>).map((e) => ({ ...e, detail: JSON.stringify(e.detail) }));
    const imp = must(log.find((e) => e.action === 'import'));
    expect(imp.target).toBe('secrets.json');
    expect(JSON.parse(imp.detail)).toMatchObject({ from: 'securestore-v3', added: 3 });
    expect(JSON.stringify(log)).not.toContain('pgsql123');
    // again: unchanged; with a changed value: skipped unless --update
    expect((await ss(dir, ['import', '-k', 'secrets.key', '--colon', '.', '--app', 'web', '--env', 'prod'], { vault, password: null })).stderr).toContain('3 unchanged');
    expect((await ssKey(dir, 'secrets.key', ['set', 'unicode', 'changed'])).code).toBe(0);
    expect((await ssKey(dir, 'secrets.key', ['import', '--colon', '.', '--app', 'web', '--env', 'prod'], { vault })).stderr).toContain('1 skipped');
    expect((await cliIn(['get', 'web:prod:unicode'], { vault })).stdout).toBe('päss✓\n');
    expect((await ssKey(dir, 'secrets.key', ['import', '--colon', '.', '--app', 'web', '--env', 'prod', '--update'], { vault })).stderr).toContain('1 updated');
    expect((await cliIn(['get', 'web:prod:unicode'], { vault })).stdout).toBe('changed\n');
  });

  it('is all or nothing: one name that cannot be a seeqret key (or a binary value) imports nothing', async () => {
    const dir = fixtureDir();
    const vault = newVault();
    const r = await ssKey(dir, 'secrets.key', ['import'], { vault });
    expect([r.code, errorCode(r)]).toEqual([1, 'E_INVALID_NAME']);
    expect(r.stderr).toContain("secret 'db:password'");
    expect(r.stderr).toContain('--colon');
    const s = openByKey(path.join(dir, 'secrets.json'));
    s.set('zz', Buffer.from([0xff]));
    s.save();
    const b = await ssKey(dir, 'secrets.key', ['import', '--colon', '_'], { vault });
    expect([b.code, errorCode(b)]).toEqual([1, 'E_BAD_VALUE']);
    expect((await cliIn(['list', '--format', 'json'], { vault })).stdout.trim()).toBe('[]');
  });

  it('--names full takes app:env:key from each name; --dry-run writes nothing', async () => {
    const dir = tmpdir();
    const s = keyStore(dir);
    s.set('shop:prod:STRIPE_KEY', 'sk_live');
    s.set('*:dev:DEBUG', '1');
    s.save();
    const vault = newVault();
    const dry = await ssKey(dir, 'secrets.key', ['import', 'secrets.json', '--names', 'full', '--dry-run'], { vault });
    expect(dry.code).toBe(0);
    expect(dry.stderr).toContain('would be added: shop:prod:STRIPE_KEY');
    expect((await cliIn(['list', '--format', 'json'], { vault })).stdout.trim()).toBe('[]');
    expect((await ssKey(dir, 'secrets.key', ['import', 'secrets.json', '--names', 'full'], { vault })).code).toBe(0);
    expect((await cliIn(['get', 'shop:prod:STRIPE_KEY'], { vault })).stdout).toBe('sk_live\n');
    expect((await cliIn(['get', '*:dev:DEBUG'], { vault })).stdout).toBe('1\n');
    const fixture = fixtureDir();
    const bad = await ssKey(fixture, 'secrets.key', ['import', '--names', 'full'], { vault });
    expect([bad.code, errorCode(bad)]).toEqual([1, 'E_INVALID_NAME']);
    expect(errorCode(await ssKey(fixture, 'secrets.key', ['import', '--names', 'full', '--app', 'x'], { vault }))).toBe('E_USAGE');
  });

  it('two names that map to one seeqret name are refused (E_AMBIGUOUS)', async () => {
    const dir = tmpdir();
    const s = keyStore(dir);
    s.set('a:b', '1');
    s.set('a.b', '2');
    s.save();
    const r = await ssKey(dir, 'secrets.key', ['import', '--colon', '.'], { vault: newVault() });
    expect([r.code, errorCode(r)]).toEqual([1, 'E_AMBIGUOUS']);
  });
});

describe('export from the seeqret vault', () => {
  /** A vault holding three secrets, made in-process (`addSecrets`): setup, not what is tested. */
  function vaultWithSecrets(): string {
    const vault = newVault();
    addSecrets(vault, { app: 'shop', env: 'prod', key: 'DB_PASSWORD', value: 'prod-pw' }, { app: 'shop', env: 'prod', key: 'API_KEY', value: 'sk_live_9' }, { app: 'shop', env: 'dev', key: 'API_KEY', value: 'sk_test_9' });
    return vault;
  }

  it('into a new vault with a new key file (plain key names), readable by the library; audited', async () => {
    const vault = vaultWithSecrets();
    const repo = tmpdir();
    fs.mkdirSync(path.join(repo, '.git'));
    const r = await ss(repo, ['export', '-f', 'shop:prod:', 'secrets.json', '-k', 'secrets.key'], { vault, password: null, real: true });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('2 added');
    const s = open(path.join(repo, 'secrets.json'), KeySource.fromFile(path.join(repo, 'secrets.key')));
    expect(s.keys()).toEqual(['API_KEY', 'DB_PASSWORD']);
    expect(s.get('API_KEY')).toBe('sk_live_9');
    expect(s.get('DB_PASSWORD')).toBe('prod-pw');
    expect(fs.readFileSync(path.join(repo, '.gitignore'), 'utf8')).toContain('/secrets.key\n');
    const log = (JSON.parse((await cliIn(['audit', '--format', 'json'], { vault })).stdout) as Array<{ action: string; target: string; detail: unknown }>).map((e) => ({ ...e, detail: JSON.stringify(e.detail) }));
    const exp = log.filter((e) => e.action === 'export');
    expect(exp).toHaveLength(1);
    expect(must(exp[0]).target).toBe('secrets.json');
    expect(JSON.parse(must(exp[0]).detail)).toMatchObject({ format: 'securestore-v3', secrets: ['shop:prod:API_KEY', 'shop:prod:DB_PASSWORD'] });
  });

  it('into an existing vault: unchanged entries stay byte-identical, changed ones are replaced, others kept', async () => {
    const vault = vaultWithSecrets();
    const dir = tmpdir();
    // The existing vault (a random key in secrets.key) made by the library, as `ss create -k` and `ss set` make it.
    const existing = keyStore(dir);
    existing.set('OTHER', 'kept');
    existing.save();
    expect((await ssKey(dir, 'secrets.key', ['export', '-f', 'shop:prod:'], { vault })).code).toBe(0);
    const first = ssFile(fs.readFileSync(path.join(dir, 'secrets.json'), 'utf8'));
    expect((await cliIn(['edit', 'value', 'shop:prod:API_KEY'], { vault, input: 'sk_live_10' })).code).toBe(0);
    const r = await ssKey(dir, 'secrets.key', ['export', '-f', 'shop:prod:'], { vault });
    expect(r.stderr).toContain('0 added, 1 updated, 1 unchanged');
    const second = ssFile(fs.readFileSync(path.join(dir, 'secrets.json'), 'utf8'));
    expect(second.secrets.DB_PASSWORD).toEqual(first.secrets.DB_PASSWORD);
    expect(second.secrets.API_KEY).not.toEqual(first.secrets.API_KEY);
    const s = openByKey(path.join(dir, 'secrets.json'));
    expect([s.get('API_KEY'), s.get('OTHER')]).toEqual(['sk_live_10', 'kept']);
  });

  it('one key in two apps/envs is refused with plain names; --names full writes app:env:key and round-trips', async () => {
    const vault = vaultWithSecrets();
    const dir = tmpdir();
    const r = await ss(dir, ['export', '-f', 'shop::', '-k', 'k.key'], { vault, password: null });
    expect([r.code, errorCode(r)]).toEqual([1, 'E_AMBIGUOUS']);
    expect(fs.existsSync(path.join(dir, 'secrets.json'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'k.key'))).toBe(false);
    expect((await ss(dir, ['export', '-f', 'shop::', '--names', 'full', '-k', 'k.key'], { vault, password: null })).code).toBe(0);
    expect(open(path.join(dir, 'secrets.json'), KeySource.fromFile(path.join(dir, 'k.key'))).keys()).toEqual(['shop:dev:API_KEY', 'shop:prod:API_KEY', 'shop:prod:DB_PASSWORD']);
    const other = newVault();
    expect((await ss(dir, ['import', '--names', 'full', '-k', 'k.key'], { vault: other, password: null })).code).toBe(0);
    expect((await cliIn(['get', 'shop:dev:API_KEY'], { vault: other })).stdout).toBe('sk_test_9\n');
    expect((await cliIn(['get', 'shop:prod:DB_PASSWORD'], { vault: other })).stdout).toBe('prod-pw\n');
  });

  it('needs -f; a filter matching nothing is E_NOT_FOUND; a wrong key for an existing vault writes nothing', async () => {
    const vault = vaultWithSecrets();
    const dir = fixtureDir();
    expect(errorCode(await ss(dir, ['export'], { vault }))).toBe('E_USAGE');
    expect(errorCode(await ss(dir, ['export', '-f', 'nothing:here:'], { vault }))).toBe('E_NOT_FOUND');
    const r = await ss(dir, ['export', '-f', 'shop:prod:'], { vault, password: 'not the password' });
    expect([r.code, errorCode(r)]).toEqual([1, 'E_SS_WRONG_KEY']);
    expect(fs.readFileSync(path.join(dir, 'secrets.json'), 'utf8')).toBe(FIXTURE_TEXT);
    const log = JSON.parse((await cliIn(['audit', '--format', 'json'], { vault })).stdout) as Array<{ action: string }>;
    expect(log.some((e) => e.action === 'export')).toBe(false);
  });
});
