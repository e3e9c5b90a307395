/**
 * The unlock agent (issue 15) through the real CLI: `seeqret unlock` starts it, commands use it
 * instead of a passphrase (also many at once), `lock` and the timeout end it, a killed agent
 * leaves commands asking again, it ends when its vault is removed or re-keyed, and a socket or
 * folder of another user is neither reachable nor used.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readKeyFile, unlockKeyFile, writeKeyFile } from '../src/vault/keyfile.js';
import { AgentServer } from '../src/agent/server.js';
import { agentFiles, currentUid, ensureRuntimeDir } from '../src/agent/paths.js';
import { HeldKey } from '../src/crypto/held-key.js';
import { Vault } from '../src/vault/vault.js';
import { TEST_KDF, cli, cliAsync, cliIn, errorCode, newVault, tmpdir } from './helpers.js';
import { cliInSelf } from './self-command-helpers.js';

const PASS = 'agent test passphrase';
const started: number[] = [];

afterAll(() => {
  for (const pid of started) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already ended */
    }
  }
});

/**
 * A protected vault with one secret and a runtime folder of its own. Made in-process (TEST_KDF,
 * `Vault.set`): setup, not under test. `unlock` and the commands the agent serves run as child
 * processes where the process is what is checked (the agent is detached, `get` takes bin.ts's
 * fast path through the agent); the others run in-process (`cliIn`, the same client code).
 */
function setup(): { vault: string; env: Record<string, string>; run: string } {
  const vault = newVault({ passphrase: PASS });
  const v = Vault.open({ dir: vault, passphrase: PASS });
  try {
    v.set({ key: 'TOKEN', value: 'tok-value' });
  } finally {
    v.close();
  }
  const xdg = tmpdir('seeqret-agent-run-');
  return { vault, env: { XDG_RUNTIME_DIR: xdg }, run: path.join(xdg, 'seeqret') };
}

/**
 * `seeqret unlock` with the passphrase in the environment of that one command; the agent's pid.
 * In-process (`cliInSelf`: the run starts the real agent executable, as `seeqret unlock` does)
 * unless `child`: the first test runs `unlock` itself as a child process.
 */
async function unlock(vault: string, env: Record<string, string>, timeout = '5m', pass = PASS, child = false): Promise<number> {
  const opts = { vault, env: { ...env, SEEQRET_PASSPHRASE: pass } };
  const r = child ? cli(['unlock', '--timeout', timeout], opts) : await cliInSelf(['unlock', '--timeout', timeout], opts);
  expect(r.code, r.stderr).toBe(0);
  const pid = Number(/agent pid (\d+)/.exec(r.stderr)?.[1]);
  expect(pid).toBeGreaterThan(0);
  started.push(pid);
  return pid;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(what: string, test: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function logOf(run: string): string {
  return fs.readdirSync(run).filter((f) => f.endsWith('.log')).map((f) => fs.readFileSync(path.join(run, f), 'utf8')).join('');
}

function socketOf(run: string): string {
  const s = fs.readdirSync(run).find((f) => f.endsWith('.sock'));
  if (s === undefined) throw new Error('no socket');
  return path.join(run, s);
}

describe('seeqret unlock / lock', () => {
  it('serves many concurrent commands without a passphrase, from a 0600 socket in a 0700 folder, until lock', async () => {
    const { vault, env, run } = setup();
    expect(errorCode(await cliIn(['get', 'TOKEN'], { vault, env }))).toBe('E_PASSPHRASE_REQUIRED');
    const pid = await unlock(vault, env, '5m', PASS, true); // the suite's child-process run of `unlock`
    expect(fs.statSync(run).mode & 0o777).toBe(0o700);
    expect(fs.statSync(socketOf(run)).mode & 0o777).toBe(0o600);
    expect(fs.statSync(socketOf(run)).isSocket()).toBe(true);
    // The agent's environment is empty: it does not keep the passphrase it was started with.
    expect(fs.readFileSync(`/proc/${String(pid)}/environ`, 'utf8')).not.toContain(PASS);

    const runs = await Promise.all(Array.from({ length: 8 }, (_, i) => cliAsync(i % 2 ? ['get', 'TOKEN'] : ['list'], { vault, env }).done));
    for (const [i, r] of runs.entries()) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(i % 2 ? 'tok-value\n' : 'TOKEN');
    }
    // A command that changes the vault works too, and the next read (a process: the agent runs it) sees it.
    expect((await cliIn(['add', 'key', 'OTHER', 'o-value'], { vault, env })).code).toBe(0);
    expect(cli(['get', 'OTHER'], { vault, env }).stdout).toBe('o-value\n');

    const locked = cli(['lock'], { vault, env }); // the suite's child-process run of `lock`
    expect(locked.code, locked.stderr).toBe(0);
    expect(locked.stderr).toContain(`pid ${String(pid)}`);
    await until('agent exit', () => !alive(pid));
    expect(fs.readdirSync(run).some((f) => f.endsWith('.sock'))).toBe(false);
    expect(logOf(run)).toMatch(/exiting: locked \(seeqret lock\)/);
    expect(errorCode(await cliIn(['get', 'TOKEN'], { vault, env }))).toBe('E_PASSPHRASE_REQUIRED');
    expect((await cliIn(['lock'], { vault, env })).stderr).toContain('no unlock agent runs');
  });

  it('ends at its timeout', async () => {
    const { vault, env, run } = setup();
    // The shortest timeout `unlock` accepts (1s): the agent process itself must end.
    const pid = await unlock(vault, env, '1s');
    await until('agent exit', () => !alive(pid));
    expect(logOf(run)).toContain('exiting: timeout reached');
    expect(errorCode(await cliIn(['get', 'TOKEN'], { vault, env }))).toBe('E_PASSPHRASE_REQUIRED');
  });

  it('after a killed agent, commands ask for the passphrase again, and unlock starts a new one', async () => {
    const { vault, env, run } = setup();
    const pid = await unlock(vault, env);
    process.kill(pid, 'SIGKILL');
    await until('agent killed', () => !alive(pid));
    expect(fs.existsSync(socketOf(run))).toBe(true); // left behind, nobody listening
    const r = cli(['get', 'TOKEN'], { vault, env });
    expect(errorCode(r)).toBe('E_PASSPHRASE_REQUIRED');
    expect(r.stderr).not.toContain('warning');
    const ri = await cliIn(['get', 'TOKEN'], { vault, env }); // the in-process client too
    expect(errorCode(ri)).toBe('E_PASSPHRASE_REQUIRED');
    expect(ri.stderr).not.toContain('warning');
    expect((await cliIn(['get', 'TOKEN'], { vault, env: { ...env, SEEQRET_PASSPHRASE: PASS } })).stdout).toBe('tok-value\n');
    await unlock(vault, env);
    expect((await cliIn(['get', 'TOKEN'], { vault, env })).stdout).toBe('tok-value\n');
  });

  it('ends when its key file changes (a new passphrase) or its vault is removed', async () => {
    const { vault, env, run } = setup();
    const pid = await unlock(vault, env);
    const keyFile = path.join(vault, 'vault.key');
    writeKeyFile(keyFile, unlockKeyFile(readKeyFile(keyFile), keyFile, Buffer.from(PASS)), Buffer.from('another passphrase'), TEST_KDF);
    await until('agent exit', () => !alive(pid));
    expect(logOf(run)).toContain('exiting: the vault key file changed');

    const pid2 = await unlock(vault, env, '5m', 'another passphrase');
    fs.rmSync(vault, { recursive: true });
    await until('agent exit', () => !alive(pid2));
    expect(logOf(run)).toMatch(/exiting: the vault .* was removed/);
  });

  it('refuses a bad timeout, and has nothing to do for a vault without a passphrase (in-process)', async () => {
    const vault = newVault({ passphrase: PASS });
    const env = { XDG_RUNTIME_DIR: tmpdir('seeqret-agent-run-') };
    expect(errorCode(await cliIn(['unlock', '--timeout', '10'], { vault, env }))).toBe('E_USAGE');
    expect(errorCode(await cliIn(['unlock', '--timeout', '8d'], { vault, env }))).toBe('E_USAGE');
    const plain = newVault();
    const r = await cliIn(['unlock'], { vault: plain, env });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('nothing to unlock');
  });

  it('in-process with no selfCommand, unlock starts no agent (never the host program) and says how to fix it', async () => {
    const vault = newVault({ passphrase: PASS });
    const run = tmpdir('seeqret-agent-run-');
    const r = await cliIn(['unlock'], { vault, env: { XDG_RUNTIME_DIR: run, SEEQRET_PASSPHRASE: PASS } });
    expect(errorCode(r)).toBe('E_INTERNAL');
    expect(r.stderr).toContain('selfCommand');
    expect(r.stderr).not.toContain(PASS);
    expect(fs.readdirSync(run).flatMap((d) => fs.readdirSync(path.join(run, d)))).not.toContainEqual(expect.stringMatching(/\.sock$/));
  });

  it('answers a request of another protocol version with a refusal naming its version (the agent in-process)', async () => {
    const vault = newVault({ passphrase: PASS });
    const dir = path.join(tmpdir('seeqret-agent-run-'), 'seeqret');
    ensureRuntimeDir(dir);
    const vaultId = readKeyFile(path.join(vault, 'vault.key')).vaultId;
    const files = agentFiles(dir, vaultId);
    const server = new AgentServer({ vaultDir: vault, vaultId, files, key: new HeldKey(Buffer.alloc(64, 1)), expiresAt: Date.now() + 60_000, pid: process.pid, uid: currentUid(), log: () => undefined });
    await server.listen();
    try {
      const reply = await new Promise<string>((resolve, reject) => {
        const s = net.createConnection(files.socket, () => s.write('{"v":2,"op":"keys","vaultId":"x"}\n'));
        let got = '';
        s.on('data', (d: Buffer) => (got += d.toString()));
        s.on('end', () => {
          resolve(got);
        });
        s.on('error', reject);
      });
      expect(JSON.parse(reply)).toEqual({ v: 1, ok: false, error: 'protocol version 2 is not supported (this agent speaks 1)' });
    } finally {
      server.stop('test done');
    }
    expect(await server.ended).toBe('test done');
    expect(fs.existsSync(files.socket)).toBe(false);
  });
});

describe('only its user reaches the agent', () => {
  const root = process.getuid?.() === 0;
  if (!root) console.log('skipped: the other-user tests need root (to run a child as nobody and chown a socket)');

  it.skipIf(!root)('a process of another user (nobody) cannot connect to the socket', async () => {
    const { vault, env, run } = setup();
    fs.chmodSync(path.dirname(run), 0o755); // only the agent's own 0700 folder stands in the way
    await unlock(vault, env);
    const probe = `require('net').createConnection(${JSON.stringify(socketOf(run))}).on('connect',()=>{console.log('CONNECTED');process.exit(0)}).on('error',e=>{console.log(e.code);process.exit(0)})`;
    const r = spawnSync(process.execPath, ['-e', probe], { uid: 65534, gid: 65534, encoding: 'utf8', cwd: '/' });
    expect(r.stdout.trim()).toBe('EACCES');
    expect((await cliIn(['lock'], { vault, env })).code).toBe(0);
  });

  it.skipIf(!root)('an agent whose socket is given to another uid ends', async () => {
    const { vault, env, run } = setup();
    const pid = await unlock(vault, env);
    fs.chownSync(socketOf(run), 65534, 65534);
    await until('agent exit', () => !alive(pid));
    expect(logOf(run)).toMatch(/exiting: the socket is gone or no longer private: .*belongs to uid 65534/);
  });

  it.skipIf(!root)('a socket or folder that belongs to another uid is not used (never connected to)', async () => {
    const { vault, env, run } = setup();
    fs.mkdirSync(run, { mode: 0o700 });
    const vaultId = readKeyFile(path.join(vault, 'vault.key')).vaultId;
    // Someone else's "agent" on the socket path of this vault: it would hand out any key.
    let connections = 0;
    const server = net.createServer((c) => {
      connections++;
      c.end('{"v":1,"ok":true}\n');
    });
    const sock = path.join(run, `${vaultId}.sock`);
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    try {
      fs.chmodSync(sock, 0o600);
      fs.chownSync(sock, 65534, 65534);
      let r = await cliAsync(['get', 'TOKEN'], { vault, env }).done;
      expect(errorCode(r)).toBe('E_PASSPHRASE_REQUIRED');
      expect(r.stderr).toMatch(/warning: not using the unlock agent: .*\.sock belongs to uid 65534/);
      fs.chownSync(sock, 0, 0);
      fs.chownSync(run, 65534, 65534);
      // The folder and the mode in-process (the same client code; the socket's owner above was a process's get).
      r = await cliIn(['get', 'TOKEN'], { vault, env });
      expect(errorCode(r)).toBe('E_PASSPHRASE_REQUIRED');
      expect(r.stderr).toMatch(/not using the unlock agent: .*seeqret belongs to uid 65534/);
      fs.chownSync(run, 0, 0);
      fs.chmodSync(sock, 0o666);
      r = await cliIn(['get', 'TOKEN'], { vault, env });
      expect(r.stderr).toMatch(/not using the unlock agent: .*has mode 666/);
      expect(connections).toBe(0);
    } finally {
      server.close();
    }
  });
});
