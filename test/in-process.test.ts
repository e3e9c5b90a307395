/**
 * The in-process CLI runner (src/cli/run-in-process.ts) against the real executable: the same
 * command lines, run once as a child process and once in this process, in twin folders, give the
 * same status, stdout and stderr. Also: runs leak nothing into one another or into this process.
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/run-in-process.js';
import { type CliOptions, type CliResult, cleanEnv, cli, cliIn, tmpdir } from './helpers.js';

/** A folder `twin` for each runner; `{}` in arguments and output stands for it. */
interface Twin {
  readonly dir: string;
  run(args: string[], opts?: CliOptions): Promise<CliResult>;
}

function twins(): [Twin, Twin] {
  const child = tmpdir('seeqret-child-');
  const inProc = tmpdir('seeqret-inproc-');
  const at = (dir: string, a: string): string => a.replaceAll('{}', dir);
  const norm = (dir: string, r: CliResult): CliResult => ({ ...r, stdout: r.stdout.replaceAll(dir, '{}'), stderr: r.stderr.replaceAll(dir, '{}') });
  const args = (dir: string, list: string[]): string[] => list.map((a) => at(dir, a));
  const opts = (dir: string, o: CliOptions): CliOptions => ({ ...o, ...(o.cwd ? { cwd: at(dir, o.cwd) } : {}), ...(o.vault ? { vault: at(dir, o.vault) } : {}) });
  return [
    { dir: child, run: (a, o = {}) => Promise.resolve(norm(child, cli(args(child, a), opts(child, o)))) },
    { dir: inProc, run: async (a, o = {}) => norm(inProc, await cliIn(args(inProc, a), opts(inProc, o))) },
  ];
}

/** Public keys and times differ between twins: replace them before comparing. */
function stable(r: CliResult): CliResult {
  const mask = (s: string): string =>
    s
      .replace(/[A-Za-z0-9+/]{43}=/g, '<key>')
      .replace(/age1[0-9a-z]{58}/g, '<age>')
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/g, '<time>')
      .replace(/SHA256:[A-Za-z0-9+/]+/g, '<fp>')
      .replace(/bundle [0-9a-f]{32}/g, 'bundle <id>')
      .replace(/tag:v1:[A-Za-z0-9_-]+/g, 'tag:v1:<tag>');
  return { ...r, stdout: mask(r.stdout), stderr: mask(r.stderr) };
}

describe('in-process runner', () => {
  it('gives the status, stdout and stderr of the executable for a representative session', async () => {
    const [a, b] = twins();
    for (const t of [a, b]) fs.writeFileSync(path.join(t.dir, 'env.template'), 'API_KEY=web:dev:API_KEY\nDB=web:dev:DB_PASSWORD\n');
    const steps: Array<[string[], CliOptions?]> = [
      [['init', '{}/alice', '--user', 'alice', '--email', 'alice@example.com']],
      [['init', '{}/bob', '--user', 'bob', '--email', 'bob@example.com']],
      [['add', 'key', 'API_KEY', 'k-123', '--app', 'web', '--env', 'dev'], { vault: '{}/alice/seeqret' }],
      // A value on stdin.
      [['add', 'key', 'DB_PASSWORD', '--app', 'web', '--env', 'dev'], { vault: '{}/alice/seeqret', input: 'from stdin\n' }],
      [['list'], { vault: '{}/alice/seeqret' }],
      [['list', '--format', 'json'], { vault: '{}/alice/seeqret' }],
      [['get', 'web:dev:API_KEY'], { vault: '{}/alice/seeqret' }],
      [['get', 'web:dev:DB_PASSWORD'], { vault: '{}/alice/seeqret' }],
      // A file the run reads relative to its folder.
      [['env', '--stdout'], { vault: '{}/alice/seeqret', cwd: '{}' }],
      // A failing command: its code and status.
      [['get', 'NO_SUCH_KEY'], { vault: '{}/alice/seeqret' }],
      [['--vault', '{}/nowhere', 'list']],
      [['frobnicate']],
      [['--help']],
      [['help', 'add', 'key']],
    ];
    for (const [args, opts] of steps) {
      const [x, y] = [stable(await a.run(args, opts)), stable(await b.run(args, opts))];
      expect(y, args.join(' ')).toEqual(x);
    }
    // export from alice to bob, then load into bob's vault (relative file names: the run's folder).
    for (const t of [a, b]) {
      for (const [me, them] of [['alice', 'bob'], ['bob', 'alice']] as const) {
        const key = (await t.run(['public-key'], { vault: `{}/${them}/seeqret` })).stdout.trim();
        expect((await t.run(['add', 'user', '--username', them, '--email', `${them}@example.com`, '--pubkey', key], { vault: `{}/${me}/seeqret` })).code).toBe(0);
      }
    }
    const [ea, eb] = await Promise.all([a, b].map((t) => t.run(['export', '--to', 'bob', '-f', 'web:dev:', '-o', 'bundle.json'], { vault: '{}/alice/seeqret', cwd: '{}' })));
    expect(eb && stable(eb)).toEqual(ea && stable(ea));
    expect(fs.existsSync(path.join(b.dir, 'bundle.json'))).toBe(true);
    for (const args of [['load', '-f', 'bundle.json'], ['get', 'web:dev:DB_PASSWORD'], ['list']]) {
      const [x, y] = [stable(await a.run(args, { vault: '{}/bob/seeqret', cwd: '{}' })), stable(await b.run(args, { vault: '{}/bob/seeqret', cwd: '{}' }))];
      expect(y, args.join(' ')).toEqual(x);
    }
    expect((await b.run(['get', 'web:dev:DB_PASSWORD'], { vault: '{}/bob/seeqret' })).stdout).toBe('from stdin\n');
  });

  it('keeps the exit-code profile of each run to that run (pprotect for team, ssclient for securestore)', async () => {
    const dir = tmpdir();
    const team = await cliIn(['team', '--file', path.join(dir, 'missing.yaml'), 'list-user-secrets']);
    expect(team.code).toBe(cli(['team', '--file', path.join(dir, 'missing.yaml'), 'list-user-secrets']).code);
    expect(team.code).toBe(2);
    const ss = await cliIn(['ss', '-s', path.join(dir, 'none.json'), 'keys']);
    expect(ss.code).toBe(2);
    // The next run is seeqret's own again: a missing vault is E_VAULT_NOT_FOUND's own status.
    const own = await cliIn(['--vault', path.join(dir, 'nowhere'), 'list']);
    expect(own.code).toBe(cli(['--vault', path.join(dir, 'nowhere'), 'list']).code);
    const native = await cliIn(['team', '--file', path.join(dir, 'missing.yaml'), 'list-user-secrets'], { env: { SEEQRET_EXIT_CODES: 'native' } });
    expect(native.code).toBe(cli(['team', '--file', path.join(dir, 'missing.yaml'), 'list-user-secrets'], { env: { SEEQRET_EXIT_CODES: 'native' } }).code);
  });

  it('reads nothing from this process: environment, folder, streams; and leaves them as they were', async () => {
    const dir = tmpdir();
    const cwd = process.cwd();
    const umask = process.umask(0o022);
    const before = { ...process.env };
    const r = await runCli(['init', dir, '--user', 'carol', '--email', 'carol@example.com'], { env: { HOME: dir }, cwd: dir });
    expect(r.status).toBe(0);
    // The vault is where the run's environment says, with seeqret's private modes.
    const listed = await runCli(['list'], { env: { HOME: dir, SEEQRET: path.join(dir, 'seeqret') }, cwd: dir });
    expect(listed).toEqual({ status: 0, stdout: 'app  env  key  value  type  updated\n', stderr: '' });
    expect(fs.statSync(path.join(dir, 'seeqret', 'vault.key')).mode & 0o777).toBe(0o600);
    expect(process.cwd()).toBe(cwd);
    expect(process.umask(umask)).toBe(0o022);
    expect(process.env).toEqual(before);
    // --follow-symlinks of one run does not reach the next.
    fs.writeFileSync(path.join(dir, 'env.template'), 'K=*:*:K\n');
    fs.symlinkSync('target.env', path.join(dir, 'link.env'));
    fs.symlinkSync('target2.env', path.join(dir, 'link2.env'));
    const env = { HOME: dir, SEEQRET: path.join(dir, 'seeqret') };
    expect((await runCli(['add', 'key', 'K', 'v'], { env })).status).toBe(0);
    expect((await runCli(['--follow-symlinks', 'env', '--out', 'link.env'], { env, cwd: dir })).status).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'target.env'), 'utf8')).toContain('K=v');
    const refused = await runCli(['env', '--out', 'link2.env'], { env, cwd: dir });
    expect(refused.stderr).toContain('E_SYMLINK');
  });

  it('a stdout that is a terminal gets a table with borders; a signal source ends a wait for input', async () => {
    const dir = tmpdir();
    const env = cleanEnv({ SEEQRET: path.join(dir, 'seeqret') });
    expect((await runCli(['init', dir, '--user', 'dan', '--email', 'dan@example.com'], { env })).status).toBe(0);
    expect((await runCli(['add', 'key', 'K', 'v'], { env })).status).toBe(0);
    const tty = await runCli(['list'], { env, stdoutIsTTY: true, columns: 100 });
    expect(tty.stdout).toMatch(/[─│┌]/);
    // `relay serve` waits for SIGINT/SIGTERM from the run's signal source.
    const signals = new EventEmitter();
    const serving = runCli(['relay', 'serve', '--listen', '127.0.0.1:0', '--database', path.join(dir, 'relay.db')], { env, signals });
    for (let i = 0; i < 200 && signals.listenerCount('SIGTERM') === 0; i++) await new Promise((r) => setTimeout(r, 20));
    signals.emit('SIGTERM');
    const served = await serving;
    expect(served.status).toBe(0);
    expect(served.stderr).toContain('"event":"listening"');
  });
});
