/**
 * `seeqret watch` end to end: real relay processes on 127.0.0.1 (SQLite, and PostgreSQL when it
 * can start), the CLI in separate vault folders (the watchers are child processes, signalled;
 * the other commands, and the watcher started after a push, run in-process). A watcher loads
 * each pushed envelope as it arrives and logs names, never values; it reconnects to a restarted relay; SIGTERM stops it with
 * nothing lost. On PostgreSQL two relay processes share one database: pushed through one, the
 * watcher on the other is woken by LISTEN/NOTIFY (well before its long poll would have ended).
 */
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backoffDelay } from '../src/relay/watch.js';
import { ROOT, cleanEnv, cliIn, errorCode, introduce, newVault, tmpdir, vaultValues } from './helpers.js';
import { freePort } from './relay-helpers.js';
import { must } from './must.js';
import { type Child, postgresForFile, relayAt, spawnCli, until } from './relay-watch-helpers.js';

const pg = postgresForFile('relay watch');

/** `seeqret ARGS` in-process (cliIn) against the real relay process; throws on failure. */
async function ok(args: string[], vault: string): Promise<string> {
  const r = await cliIn(args, { vault });
  if (r.code !== 0) throw new Error(`seeqret ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** alice creates the space on `url` and invites `server`, which joins. */
async function space(url: string, alice: string, server: string, ca: string[] = []): Promise<void> {
  introduce(server, alice, { verify: true });
  introduce(alice, server, { verify: true });
  await ok(['relay', 'create', url, ...ca], alice);
  await ok(['relay', 'join', url, (await ok(['relay', 'invite', 'server'], alice)).trim(), ...ca], server);
}

const SECRET = 'watch-value-9f3e1a';

/** `server init DIR --watch-only` (no such group: the vault stays private to its owner), in-process. */
async function watchOnlyServer(): Promise<string> {
  const parent = tmpdir();
  const r = await cliIn(['server', 'init', parent, '--watch-only', '--user', 'server', '--group', 'seeqret-no-such-group']);
  if (r.code !== 0) throw new Error(r.stderr);
  return path.join(parent, 'seeqret');
}

describe('backoff', () => {
  it('doubles up to the cap, with half of each delay random', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, 500, 60_000, () => 0))).toEqual([250, 500, 1000, 2000]);
    expect(backoffDelay(3, 500, 60_000, () => 0.999)).toBeLessThanOrEqual(2000);
    expect(backoffDelay(30, 500, 60_000, () => 0.5)).toBe(45_000);
  });
});

const backends = [
  { name: 'sqlite', database: (): Promise<string | undefined> => Promise.resolve(path.join(tmpdir(), 'relay.db')) },
  {
    name: 'postgres',
    database: (): Promise<string | undefined> => {
      const s = pg.server();
      return s ? s.database(`relay_watch_${Date.now()}`) : Promise.resolve(undefined);
    },
  },
];

describe.each(backends)('watch on $name', (backend) => {
  let database: string | undefined;
  let port = 0;
  let relay: (Child & { url: string }) | undefined;
  let watcher: Child | undefined;
  let alice: string, server: string;

  beforeAll(async () => {
    database = await backend.database();
    if (!database) return;
    port = await freePort();
    relay = await relayAt(database, port);
    alice = newVault({ user: 'alice' });
    server = await watchOnlyServer();
    await space(relay.url, alice, server);
  }, 180_000);
  afterAll(async () => {
    await watcher?.stop('SIGKILL');
    await relay?.stop();
  });
  const need = (ctx: { skip: (n?: string) => void }): void => {
    if (!relay) ctx.skip(pg.skip());
  };

  it('loads each envelope as it arrives, logs names not values, survives a relay restart, stops on SIGTERM', async (ctx) => {
    need(ctx);
    // A long poll of 50 s: anything sooner is the relay's wake-up, not the poll ending.
    const w = spawnCli(['watch', '--accept', '--overwrite', '--wait', '50'], server);
    watcher = w;
    await until(() => w.stderr().includes('watching'), 30_000, () => w.stderr());
    await ok(['add', 'key', 'API_TOKEN', SECRET, '--app', 'shop', '--env', 'prod'], alice);
    await ok(['push', '--to', 'server', '-f', 'shop:prod:'], alice);
    await until(() => /envelope \w+: from alice: 1 secret/.test(w.stderr()), 20_000, () => w.stderr());
    expect(vaultValues(server)['shop:prod:API_TOKEN']).toBe(SECRET);
    expect(w.stderr()).toMatch(/from alice: 1 secret \(1 added, 0 updated.*\): shop:prod:API_TOKEN/);
    // The server only receives: it cannot seal what it holds for anyone, not even alice.
    expect(errorCode(await cliIn(['export', '--to', 'alice', '-f', 'shop:prod:'], { vault: server }))).toBe('E_WATCH_ONLY');
    expect(errorCode(await cliIn(['push', '--to', 'alice', '-f', 'shop:prod:'], { vault: server }))).toBe('E_WATCH_ONLY');

    // The relay goes away and comes back on the same address: the watcher retries and goes on.
    await must(relay, 'relay').stop();
    await until(() => /E_RELAY_UNREACHABLE: .*trying again in/.test(w.stderr()), 20_000, () => w.stderr());
    relay = await relayAt(must(database, 'database'), port);
    await ok(['edit', 'value', 'shop:prod:API_TOKEN', `${SECRET}-2`], alice);
    await ok(['push', '--updates'], alice);
    // Waited for by the watcher's log line of the load (written after its commit), not by
    // opening the vault every 20 ms; then the value is checked once.
    await until(() => (w.stderr().match(/from alice: 1 secret/g) ?? []).length === 2, 60_000, () => w.stderr());
    expect(vaultValues(server)['shop:prod:API_TOKEN']).toBe(`${SECRET}-2`);

    // SIGTERM: exit 0, and nothing left behind on the relay.
    expect(await w.stop()).toBe(0);
    expect(w.stderr()).toMatch(/stopped: 2 envelopes loaded/);
    expect(w.stderr()).not.toContain(SECRET);
    watcher = undefined;
    expect((await cliIn(['sync'], { vault: server })).stderr).toMatch(/0 envelopes loaded/);
  }, 180_000);

  it('an envelope pushed while the watcher is stopped is loaded when it starts', async (ctx) => {
    need(ctx);
    await ok(['add', 'key', 'LATE_KEY', 'late-value-4', '--app', 'shop', '--env', 'prod'], alice);
    await ok(['push', '--to', 'server', '-f', 'shop:prod:LATE_KEY'], alice);
    // The watcher in-process (the first test's watchers are processes, signalled): SIGINT comes
    // through the run's signal source once the envelope is in the vault.
    const signals = new EventEmitter();
    const { runCli } = await import('../src/cli/run-in-process.js');
    const run = runCli(['--vault', server, 'watch', '--accept'], { env: cleanEnv(), cwd: ROOT, signals });
    try {
      await until(() => vaultValues(server)['shop:prod:LATE_KEY'] === 'late-value-4', 30_000, () => 'LATE_KEY not loaded');
    } finally {
      signals.emit('SIGINT');
    }
    const r = await run;
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('watching');
    expect(r.stderr).toMatch(/from alice: 1 secret .*: shop:prod:LATE_KEY/);
  }, 120_000);

  it('two relay processes on one database: pushed through one, the watcher on the other is woken (LISTEN/NOTIFY)', async (ctx) => {
    need(ctx);
    if (backend.name !== 'postgres') ctx.skip('several processes share a PostgreSQL database only');
    const second = await relayAt(must(database, 'database'), await freePort());
    const copy = newVault({ user: 'server' });
    try {
      // The server's vault, pointed at the second process (same database, same relay key).
      const fs = await import('node:fs');
      fs.cpSync(server, copy, { recursive: true });
      const file = path.join(copy, 'relay.json');
      const cfg = JSON.parse(fs.readFileSync(file, 'utf8')) as { url: string };
      fs.writeFileSync(file, JSON.stringify({ ...cfg, url: `${second.url}/` }));
      const w = spawnCli(['watch', '--overwrite', '--wait', '50'], copy);
      watcher = w;
      await until(() => w.stderr().includes(`watching ${second.url}`), 30_000, () => w.stderr());
      await ok(['edit', 'value', 'shop:prod:API_TOKEN', `${SECRET}-3`], alice);
      const pushed = Date.now();
      await ok(['push', '--to', 'server', '-f', 'shop:prod:API_TOKEN'], alice);
      await until(() => /envelope \w+: from alice: 1 secret/.test(w.stderr()), 40_000, () => w.stderr());
      expect(vaultValues(copy)['shop:prod:API_TOKEN']).toBe(`${SECRET}-3`);
      // Well inside the 50 s poll: the NOTIFY from the first process woke the second.
      expect(Date.now() - pushed).toBeLessThan(30_000);
      expect(await w.stop()).toBe(0);
      watcher = undefined;
    } finally {
      await second.stop();
    }
  }, 180_000);
});
