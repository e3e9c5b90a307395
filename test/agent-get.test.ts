/**
 * The unlock agent runs a plain `seeqret get` itself (decision 64): through the real CLI the
 * output bytes, exit status, error lines and audit entries are those of the same get without an
 * agent; the agent's own answer to op `get` (asked in-process) carries the same bytes; and an
 * agent that fails, an older agent, or another path to the vault leave the get to the normal path
 * with today's warnings, the agent asked once.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFromAgent } from '../src/agent/client.js';
import { agentFiles } from '../src/agent/paths.js';
import type { AgentGet } from '../src/agent/protocol.js';
import { readKeyFile } from '../src/vault/keyfile.js';
import { Vault } from '../src/vault/vault.js';
import { type CliResult, cli, cliAsync, cliIn, newVault, rawDatabase, tmpdir } from './helpers.js';
import { cliInSelf } from './self-command-helpers.js';

const PASS = 'agent get passphrase';

let vault = '';
let vaultId = '';
let xdg = '';
let agentPid = 0;

beforeAll(async () => {
  vault = newVault({ passphrase: PASS });
  const v = Vault.open({ dir: vault, passphrase: PASS });
  try {
    v.setMany([
      { app: '*', env: '*', key: 'TOKEN', value: 'tok-välue' },
      { app: '*', env: '*', key: 'FOO', value: 'global foo' },
      { app: '*', env: 'dev', key: 'FOO', value: 'dev foo' },
      { app: 'web', env: 'dev', key: 'DB_URL', value: 'postgres://u:p@h/db' },
      { app: 'web', env: 'prod', key: 'DB_URL', value: 'postgres://u:p@h/prod' },
      { app: '*', env: '*', key: 'ESC', value: 'a\u001b[31mred\u0007' },
      { app: '*', env: '*', key: 'TAMPER_A', value: 'value a' },
      { app: '*', env: '*', key: 'TAMPER_B', value: 'value b' },
    ]);
  } finally {
    v.close();
  }
  vaultId = readKeyFile(path.join(vault, 'vault.key')).vaultId;
  xdg = tmpdir('seeqret-agent-get-');
  // In-process (it starts the real agent executable); `unlock` as a child process is in test/agent.test.ts.
  const r = await cliInSelf(['unlock', '--timeout', '10m'], { vault, env: { XDG_RUNTIME_DIR: xdg, SEEQRET_PASSPHRASE: PASS } });
  expect(r.code, r.stderr).toBe(0);
  agentPid = Number(/agent pid (\d+)/.exec(r.stderr)?.[1]);
  expect(agentPid).toBeGreaterThan(0);
}, 60_000);

afterAll(() => {
  try {
    process.kill(agentPid, 'SIGKILL');
  } catch {
    /* already ended */
  }
});

/** The audit entries of reads, without their time and id. */
function reads(): string[] {
  const v = Vault.open({ dir: vault, passphrase: PASS, readonly: true });
  try {
    return v
      .auditLog()
      .filter((e) => e.action === 'secret.read')
      .map((e) => `${e.actor} ${e.action} ${e.target ?? ''} ${e.detail ?? ''}`);
  } finally {
    v.close();
  }
}

/** The same get: through the agent (real CLI, stdout a pipe), and without one (in-process, the passphrase). */
async function both(args: string[], env: Record<string, string> = {}): Promise<{ agent: CliResult; plain: CliResult; agentReads: string[]; plainReads: string[] }> {
  const r0 = reads();
  const agent = cli(args, { vault, env: { ...env, XDG_RUNTIME_DIR: xdg } });
  const r1 = reads();
  const plain = await cliIn(args, { vault, env: { ...env, XDG_RUNTIME_DIR: tmpdir('seeqret-no-agent-'), SEEQRET_PASSPHRASE: PASS } });
  const r2 = reads();
  return { agent, plain, agentReads: r1.slice(r0.length), plainReads: r2.slice(r1.length) };
}

/** Ask the agent to run a get, in-process; what it printed, decoded. */
async function agentRun(get: Partial<AgentGet> & { filter: string }): Promise<{ status: number; stdout: string; stderr: string }> {
  const a = await getFromAgent(path.join(xdg, 'seeqret'), vaultId, { dir: vault, newline: true, debug: false, ...get });
  if (a.kind !== 'ran') throw new Error(`the agent did not run the get: ${JSON.stringify(a)}`);
  return { status: a.run.status, stdout: Buffer.from(a.run.stdout, 'base64').toString('utf8'), stderr: Buffer.from(a.run.stderr, 'base64').toString('utf8') };
}

describe('the agent runs `seeqret get`', () => {
  it('prints the same bytes, errors and exit statuses, and writes the same audit entries, as a get without it', async () => {
    const cases: string[][] = [['get', 'TOKEN'], ['get', '-n', 'TOKEN'], ['get', 'FOO'], ['get', 'ESC'], ['get', 'NOPE'], ['get', 'web:*:DB_URL'], ['get', 'a:b:c:d'], ['--debug', 'get', 'NOPE']];
    for (const args of cases) {
      const { agent, plain, agentReads, plainReads } = await both(args);
      const label = args.join(' ');
      expect(agent.stdout, label).toBe(plain.stdout);
      expect(agent.code, label).toBe(plain.code);
      if (args[0] === '--debug') expect(agent.stderr.split('\n')[0], label).toBe(plain.stderr.split('\n')[0]);
      else expect(agent.stderr, label).toBe(plain.stderr);
      expect(agentReads, label).toEqual(plainReads);
    }
    const env = { SEEQRET_EXIT_CODES: 'native' };
    const { agent, plain } = await both(['get', 'web:*:DB_URL'], env);
    expect([agent.code, agent.stderr]).toEqual([plain.code, plain.stderr]);
  }, 120_000);

  it('answers op get itself with what the get prints (value, error, warnings)', async () => {
    expect(await agentRun({ filter: 'TOKEN' })).toEqual({ status: 0, stdout: 'tok-välue\n', stderr: '' });
    expect(await agentRun({ filter: 'FOO', newline: false })).toEqual({ status: 0, stdout: 'global foo', stderr: '' });
    const notFound = await agentRun({ filter: 'NOPE' });
    expect(notFound.stdout).toBe('');
    expect(notFound.stderr).toMatch(/^seeqret: E_NOT_FOUND: no secret matches '\*:\*:NOPE'\. Fix: /);
    expect(notFound.status).not.toBe(0);
    // A vault folder open to others: the same warning as the get without the agent, before the value.
    fs.chmodSync(vault, 0o755);
    try {
      const { agent, plain } = await both(['get', 'TOKEN']);
      expect(agent.stderr).toContain('seeqret: warning: ');
      expect([agent.code, agent.stdout, agent.stderr]).toEqual([plain.code, plain.stdout, plain.stderr]);
    } finally {
      fs.chmodSync(vault, 0o700);
    }
  }, 60_000);

  it('reports a tampered row as the get without it does', async () => {
    rawDatabase(vault, (db) => db.exec("UPDATE secrets SET value = (SELECT s.value FROM secrets s WHERE s.key = 'TAMPER_B') WHERE key = 'TAMPER_A'"));
    const { agent, plain } = await both(['get', 'TAMPER_A']);
    expect(agent.stderr).toMatch(/^seeqret: E_[A-Z_]+: /);
    expect([agent.code, agent.stdout, agent.stderr]).toEqual([plain.code, plain.stdout, plain.stderr]);
  }, 60_000);

  it('leaves a get of the vault by another path (a link to its folder) to the normal path, which takes the key from the agent', async () => {
    const link = path.join(tmpdir(), 'link');
    fs.symlinkSync(vault, link);
    const a = await getFromAgent(path.join(xdg, 'seeqret'), vaultId, { dir: link, filter: 'TOKEN', newline: true, debug: false });
    expect(a.kind).toBe('normal');
    const r = cli(['--vault', link, 'get', 'TOKEN'], { env: { XDG_RUNTIME_DIR: xdg } });
    expect([r.code, r.stdout]).toEqual([0, 'tok-välue\n']);
  }, 60_000);
});

describe('an agent that does not run the get', () => {
  /** A stand-in agent on the socket of the vault in a fresh runtime folder: `answer` gives its reply to each request (the CLI runs as {@link cliAsync}, so it can answer). */
  async function standIn(answer: (req: Record<string, unknown>) => string): Promise<{ env: Record<string, string>; requests: Array<Record<string, unknown>>; close: () => Promise<void> }> {
    const run = tmpdir('seeqret-stand-in-');
    const dir = path.join(run, 'seeqret');
    fs.mkdirSync(dir, { mode: 0o700 });
    const requests: Array<Record<string, unknown>> = [];
    const server = net.createServer((c) => {
      c.once('data', (chunk: Buffer) => {
        const req = JSON.parse(chunk.toString('utf8').split('\n')[0] ?? '{}') as Record<string, unknown>;
        requests.push(req);
        c.end(answer(req));
      });
    });
    const socket = agentFiles(dir, vaultId).socket;
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    fs.chmodSync(socket, 0o600);
    return { env: { XDG_RUNTIME_DIR: run }, requests, close: () => new Promise((resolve) => server.close(() => { resolve(); })) };
  }

  it('a failing agent is asked once, and the get warns as today and asks for the passphrase', async () => {
    const s = await standIn(() => '{"v":2}\n');
    try {
      const r = await cliAsync(['get', 'TOKEN'], { vault, env: { ...s.env, SEEQRET_PASSPHRASE: PASS } }).done;
      expect([r.code, r.stdout]).toEqual([0, 'tok-välue\n']);
      expect(r.stderr).toBe('seeqret: warning: not using the unlock agent: the agent sent a reply of another protocol version\n');
      expect(s.requests.map((q) => q['op'])).toEqual(['get']);
    } finally {
      await s.close();
    }
  }, 60_000);

  it('an agent of an older seeqret (no op get) still hands out the key, with no warning', async () => {
    // The vault's unwrapped key, as an older agent would hand it out.
    const a = await fetchKey();
    const s = await standIn((req) =>
      req['op'] === 'get'
        ? '{"v":1,"ok":false,"error":"unknown op"}\n'
        : `${JSON.stringify({ v: 1, ok: true, vaultId, dir: vault, pid: 1, expiresAt: Date.now() + 60_000, secret: a })}\n`,
    );
    try {
      const r = await cliAsync(['get', 'TOKEN'], { vault, env: s.env }).done;
      expect([r.code, r.stdout, r.stderr]).toEqual([0, 'tok-välue\n', '']);
      expect(s.requests.map((q) => q['op'])).toEqual(['get', 'keys']);
    } finally {
      await s.close();
    }
  }, 60_000);
});

/** The vault's key in base64, from its running agent (op `keys`). */
function fetchKey(): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = net.createConnection(agentFiles(path.join(xdg, 'seeqret'), vaultId).socket);
    let text = '';
    c.on('connect', () => c.write(`${JSON.stringify({ v: 1, op: 'keys', vaultId })}\n`));
    c.on('data', (d: Buffer) => (text += d.toString('utf8')));
    c.on('end', () => {
      const reply = JSON.parse(text) as { secret?: string };
      if (reply.secret === undefined) reject(new Error('no key'));
      else resolve(reply.secret);
    });
    c.on('error', reject);
  });
}
