/**
 * Server vaults with real operating-system users: root owns a vault made by `server init`; a
 * throwaway user in its group (made with groupadd/useradd, removed afterwards) runs the CLI and the
 * library. A member reads values through the library only — every CLI command that reveals a
 * value refuses (E_PERMISSIONS) before decrypting — and a member holding a read open never blocks
 * the owner's writes. Skipped, with the reason printed, when not root or without useradd.
 */
import { type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, type CliResult, cleanEnv, cli, cliIn, errorCode, tmpdir } from './helpers.js';
import { must } from './must.js';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasUseradd = ['/usr/sbin/useradd', '/usr/sbin/groupadd', '/usr/sbin/userdel', '/usr/sbin/groupdel'].every((f) => fs.existsSync(f));
const skipReason = !isRoot ? 'not running as root' : !hasUseradd ? 'useradd/groupadd are not installed' : '';
if (skipReason) console.log(`server-vault.test.ts: skipped: ${skipReason} (real users and a group are needed)`);

const suffix = `${process.pid % 100000}${Math.floor(Math.random() * 1000)}`;
const GROUP = `sqg${suffix}`;
const MEMBER = `sqm${suffix}`;
let uid = -1;
let gid = -1;

function sh(cmd: string, args: string[]): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r;
}

beforeAll(() => {
  if (skipReason) return;
  sh('/usr/sbin/groupadd', [GROUP]);
  sh('/usr/sbin/useradd', ['-M', '-N', '-g', GROUP, '-s', '/usr/sbin/nologin', MEMBER]);
  uid = Number(sh('id', ['-u', MEMBER]).stdout.trim());
  gid = Number(sh('id', ['-g', MEMBER]).stdout.trim());
});

afterAll(() => {
  if (skipReason) return;
  spawnSync('/usr/sbin/userdel', [MEMBER]);
  spawnSync('/usr/sbin/groupdel', [GROUP]);
});

/** `seeqret ARGS` as the group member. */
function asMember(args: string[], opts: { vault: string; env?: Record<string, string> }): CliResult {
  const r = spawnSync(process.execPath, [BIN, '--vault', opts.vault, ...args], {
    encoding: 'utf8',
    input: '',
    uid,
    gid,
    cwd: '/',
    env: cleanEnv({ HOME: '/', ...opts.env }),
    timeout: 60_000,
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Several `seeqret` commands as the group member in ONE process of the member: each run through
 * the command tree in-process (dist/cli/run-in-process.js, `runCli`: the executable's commands,
 * error reports and exit statuses), in order; what each returned. {@link asMember} is the
 * executable itself (bin.ts, the fast `get` path).
 */
function asMemberInProcess(runs: ReadonlyArray<{ args: string[]; env?: Record<string, string> }>, vault: string): CliResult[] {
  const calls = runs.map((r) => ({ args: ['--vault', vault, ...r.args], env: cleanEnv({ HOME: '/', ...r.env }) }));
  const script = `
    import(${JSON.stringify(path.join(ROOT, 'dist', 'cli', 'run-in-process.js'))}).then(async ({ runCli }) => {
      const out = [];
      for (const c of ${JSON.stringify(calls)}) {
        const x = await runCli(c.args, { env: c.env, cwd: '/' });
        out.push({ code: x.status, signal: null, stdout: x.stdout, stderr: x.stderr });
      }
      process.stdout.write(JSON.stringify(out));
    });`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', input: '', uid, gid, cwd: '/', env: cleanEnv({ HOME: '/' }), timeout: 60_000 });
  if (r.status !== 0) throw new Error(`the member's process failed (${String(r.status ?? r.signal)}): ${r.stderr}`);
  return JSON.parse(r.stdout) as CliResult[];
}

/**
 * A server vault (owner root, group GROUP) in a folder the member can reach, with one secret.
 * `server init` runs as a child process for the first test (`real`), in-process (cliIn) for the
 * others: what they test is what the member's processes can do with the vault.
 */
async function serverVault(real = false): Promise<string> {
  const parent = tmpdir();
  fs.chmodSync(parent, 0o755);
  // `server init DIR` puts the vault in DIR/seeqret, as `init DIR` does.
  const base = path.join(parent, 'srv');
  fs.mkdirSync(base, { mode: 0o755 });
  fs.chmodSync(base, 0o755);
  const dir = path.join(base, 'seeqret');
  const initArgs = ['server', 'init', base, '--group', GROUP, '--user', 'web1'];
  const r = real ? cli(initArgs) : await cliIn(initArgs);
  expect(r.code, r.stderr).toBe(0);
  // The owner's first secret in-process (cliIn); the members' commands are processes.
  expect((await cliIn(['add', 'key', 'DB_URL', 'postgres://secret-value', '--app', 'web', '--env', 'prod'], { vault: dir })).code).toBe(0);
  return dir;
}

const LIBRARY = path.join(ROOT, 'dist', 'index.js');
/** The vault's internal module (not exported from the package): the member reaches the database handle through it. */
const INTERNAL = path.join(ROOT, 'dist', 'vault', 'internal.js');

describe.skipIf(Boolean(skipReason))('a server vault and a member of its group (real users)', () => {
  it('the files: vault.db private to the owner, the key file and the published copy readable by the group', async () => {
    const dir = await serverVault(true);
    const mode = (f: string): number => fs.statSync(path.join(dir, f)).mode & 0o777;
    expect(mode('vault.db')).toBe(0o600);
    expect(mode('vault.key')).toBe(0o640);
    expect(mode('vault.shared.db')).toBe(0o640);
    expect(fs.statSync(path.join(dir, 'vault.shared.db')).gid).toBe(gid);
    expect(mode('inbox')).toBe(0o700);
    const d = await cliIn(['doctor'], { vault: dir });
    expect(d.code, d.stdout + d.stderr).toBe(0);
  });

  it('a member gets E_PERMISSIONS from every CLI command that reveals a value, before anything is printed or written, and nothing goes unaudited', async () => {
    const dir = await serverVault();
    const out = path.join(fs.mkdtempSync('/tmp/sq-member-'), 'x');
    fs.chmodSync(path.dirname(out), 0o777);
    const auditBefore = (await cliIn(['audit', '--format', 'json'], { vault: dir })).stdout;
    const revealing: string[][] = [
      ['get', 'DB_URL'],
      ['get', 'web:prod:DB_URL'],
      ['list', '--reveal'],
      ['list'], // with SEEQRET_NO_REDACT below
      ['history', 'web:prod:DB_URL', '--reveal'],
      ['run', '-f', 'web:prod:', '--', process.execPath, '-e', 'console.log(process.env.DB_URL)'],
      ['export', '--to', 'self', '-f', 'web:prod:', '-o', out],
      ['backup', '-o', out],
      ['add', 'key', 'PLANTED', 'x'],
      ['inbox'],
    ];
    // env --stdout through a template the member can read
    const tdir = fs.mkdtempSync('/tmp/sq-member-');
    fs.chmodSync(tdir, 0o755);
    fs.writeFileSync(path.join(tdir, 'env.template'), 'web:prod:\n', { mode: 0o644 });
    const envOf = (args: string[]): Record<string, string> => ({ SEEQRET_BACKUP_PASSPHRASE: 'a long passphrase', ...(args.length === 1 && args[0] === 'list' ? { SEEQRET_NO_REDACT: '1' } : {}) });
    // The first command is the executable run by the member (bin.ts, the fast `get` path, the
    // status as the OS reports it); the others run in one process of the member (in-process).
    const [first, ...rest] = revealing;
    const results = [
      asMember(must(first), { vault: dir, env: envOf(must(first)) }),
      ...asMemberInProcess([...rest.map((args) => ({ args, env: envOf(args) })), { args: ['env', '--template', path.join(tdir, 'env.template'), '--stdout'] }], dir),
    ];
    expect(results).toHaveLength(revealing.length + 1);
    for (const [i, args] of revealing.entries()) {
      const r = must(results[i]);
      expect([r.code, errorCode(r)], `${args.join(' ')}: ${r.stderr}`).toEqual([7, 'E_PERMISSIONS']);
      expect(r.stdout + r.stderr, args.join(' ')).not.toContain('secret-value');
    }
    expect(fs.existsSync(out)).toBe(false);
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
    const e = must(results[revealing.length]);
    expect(errorCode(e), e.stderr).toBe('E_PERMISSIONS');
    expect(e.stdout).not.toContain('secret-value');
    fs.rmSync(tdir, { recursive: true, force: true });
    // The message says what to do (the member's `get DB_URL` above).
    expect(must(results[0]).stderr).toMatch(/only the owner of the server vault .* through the library/);
    // Nothing was read unrecorded, nothing was written.
    expect((await cliIn(['audit', '--format', 'json'], { vault: dir })).stdout).toBe(auditBefore);
    expect((await cliIn(['list', '--format', 'json'], { vault: dir })).stdout).not.toContain('PLANTED');
    // Listing names (no values) still works for a member, from the published copy.
    const l = asMember(['list'], { vault: dir });
    expect(l.code, l.stderr).toBe(0);
    expect(l.stdout).toContain('DB_URL');
    expect(l.stdout).not.toContain('secret-value');
  });

  it('a member reads values through the library, and cannot open the owner\'s database at all', async () => {
    const dir = await serverVault();
    const script = `
      const fs = require('fs');
      let direct = 'opened';
      try { fs.openSync(${JSON.stringify(path.join(dir, 'vault.db'))}, 'r'); } catch (e) { direct = e.code; }
      import(${JSON.stringify(LIBRARY)}).then((lib) => {
        const v = lib.openVault({ dir: ${JSON.stringify(dir)} });
        console.log(JSON.stringify({ direct, value: v.get('DB_URL', { app: 'web', env: 'prod' }) }));
        v.close();
      });`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', uid, gid, cwd: '/', env: cleanEnv({ HOME: '/' }) });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ direct: 'EACCES', value: 'postgres://secret-value' });
  });

  it('a member holding a read open does not block the owner; after reopening it sees the new value', async () => {
    const dir = await serverVault();
    const release = path.join(fs.mkdtempSync('/tmp/sq-release-'), 'go');
    fs.chmodSync(path.dirname(release), 0o755);
    // The member opens the vault and holds a read transaction until told to stop (at most 60 s).
    const script = `
      const fs = require('fs');
      Promise.all([import(${JSON.stringify(LIBRARY)}), import(${JSON.stringify(INTERNAL)})]).then(([lib, internal]) => {
        const v = lib.openVault({ dir: ${JSON.stringify(dir)} });
        const db = internal.vaultDatabase(v);
        db.exec('BEGIN');
        db.prepare('SELECT count(*) FROM secrets').get();
        const before = v.get('DB_URL', { app: 'web', env: 'prod' });
        process.stdout.write('holding\\n');
        const t0 = Date.now();
        while (!fs.existsSync(${JSON.stringify(release)}) && Date.now() - t0 < 60000) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
        const stillOld = v.get('DB_URL', { app: 'web', env: 'prod' });
        db.exec('COMMIT');
        v.close();
        const again = lib.openVault({ dir: ${JSON.stringify(dir)} });
        process.stdout.write(JSON.stringify({ before, stillOld, after: again.get('DB_URL', { app: 'web', env: 'prod' }), added: again.get('API_KEY', { app: 'web', env: 'prod' }) }) + '\\n');
        again.close();
      });`;
    const member = spawn(process.execPath, ['-e', script], { uid, gid, cwd: '/', env: cleanEnv({ HOME: '/' }), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    member.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    // An object, so that the compiler does not narrow the flag the 'close' handler sets.
    const member_ = { exited: false };
    const done = new Promise<void>((resolve) => member.on('close', () => {
      member_.exited = true;
      resolve();
    }));
    try {
      await new Promise<void>((resolve, reject) => {
        member.stdout.setEncoding('utf8').on('data', (d: string) => {
          stdout += d;
          if (stdout.includes('holding\n')) resolve();
        });
        member.on('close', () => { reject(new Error(`the member exited early: ${stderr}`)); });
      });
      // While the member holds its read: the owner writes (in this process; the member is another
      // process), and the write is not made to wait for it.
      const add = await cliIn(['add', 'key', 'API_KEY', 'new-api-key', '--app', 'web', '--env', 'prod'], { vault: dir });
      expect(add.code, add.stderr).toBe(0);
      const edit = await cliIn(['edit', 'value', 'web:prod:DB_URL', 'postgres://rotated'], { vault: dir });
      expect(edit.code, edit.stderr).toBe(0);
      expect(member_.exited, 'the member was still holding its read when the owner finished').toBe(false);
      fs.writeFileSync(release, '');
      await done;
    } finally {
      // A failed run must not leave the member's process behind (userdel refuses a user that runs one).
      if (!member_.exited) member.kill('SIGKILL');
    }
    expect(JSON.parse(must(stdout.split('\n')[1]))).toEqual({ before: 'postgres://secret-value', stillOld: 'postgres://secret-value', after: 'postgres://rotated', added: 'new-api-key' });
    fs.rmSync(path.dirname(release), { recursive: true, force: true });
  });

  it('a server vault from before (vault.db group-readable, no published copy) is made private by the owner\'s next write', async () => {
    const dir = await serverVault();
    fs.chmodSync(path.join(dir, 'vault.db'), 0o640);
    fs.chownSync(path.join(dir, 'vault.db'), 0, gid);
    fs.rmSync(path.join(dir, 'vault.shared.db'));
    expect((await cliIn(['add', 'key', 'LATER', 'later-value', '--app', 'web', '--env', 'prod'], { vault: dir })).code).toBe(0);
    expect(fs.statSync(path.join(dir, 'vault.db')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(dir, 'vault.shared.db')).mode & 0o777).toBe(0o640);
    const l = asMember(['list', '--format', 'json'], { vault: dir });
    expect(l.code, l.stderr).toBe(0);
    expect(l.stdout).toContain('LATER');
  });
});

describe('a vault the process can read but not write (not a server vault)', () => {
  it.skipIf(Boolean(skipReason))('CLI reads are refused (E_PERMISSIONS), not left unrecorded', async () => {
    const parent = tmpdir();
    fs.chmodSync(parent, 0o755);
    const r = await cliIn(['init', parent, '--user', 'owner', '--email', 'owner@example.com']);
    expect(r.code, r.stderr).toBe(0);
    const v = path.join(parent, 'seeqret');
    expect((await cliIn(['add', 'key', 'K', 'readable-secret'], { vault: v })).code).toBe(0);
    // A rollback journal (as an older server vault had), and someone made the vault readable to
    // the member's group (doctor would complain): SQLite opens it read-only for the member.
    const db = new Database(path.join(v, 'vault.db'));
    db.pragma('journal_mode = DELETE');
    db.close();
    fs.chmodSync(v, 0o750);
    for (const f of fs.readdirSync(v)) fs.chmodSync(path.join(v, f), 0o640);
    spawnSync('chgrp', ['-R', GROUP, v]);
    const g = asMember(['get', 'K'], { vault: v });
    expect(errorCode(g), g.stderr).toBe('E_PERMISSIONS');
    expect(g.stdout).not.toContain('readable-secret');
  });
});
