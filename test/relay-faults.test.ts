/**
 * Relay faults, with real processes: two relay processes on one PostgreSQL database behind a TCP
 * load balancer, one SIGKILLed in the middle of a push and another time in the middle of a sync;
 * PostgreSQL restarted in the middle of a sync; a `seeqret sync` SIGKILLed between fetching and
 * acknowledging (SQLite and PostgreSQL). Each time every envelope is stored once, delivered once,
 * and loaded once (the vault's audit log has one `load` per bundle); nothing is left pending.
 * The balancer runs in this process. The CLI runs in-process (cliIn, asynchronous: the balancer
 * keeps piping) except the syncs that are SIGKILLed, which are child processes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFilter } from '../src/filter/index.js';
import { openRelayStorage } from '../src/relay/storage/index.js';
import { pushToRelay } from '../src/relay/usecases.js';
import { BIN, cleanEnv, cliAsync, cliIn, tmpdir, vaultValues } from './helpers.js';
import { type RelayProcess, type TestPostgres, startBalancer, startPostgres, startRelay } from './relay-helpers.js';
import { addSecrets, clientOf, loadsByBundle, makeTeam } from './relay-team.js';
import path from 'node:path';
import { must } from './must.js';

let pgServer: TestPostgres | undefined;
let pgSkip = '';
beforeAll(async () => {
  const r = await startPostgres();
  if ('skip' in r) {
    pgSkip = r.skip;
    console.log(`relay faults: PostgreSQL runs skipped: ${r.skip}`);
  } else pgServer = r;
}, 120_000);
afterAll(async () => {
  await pgServer?.stop();
});

const T = 240_000;
let dbs = 0;
const pgDatabase = async (): Promise<string> => must(pgServer).database(`relay_faults_${++dbs}`);

/** `count` one-secret envelopes from `from` to `to`, pushed in-process (each a new value of FAULT:prod:K). */
async function pushMany(url: string, from: string, to: string, count: number): Promise<void> {
  const c = clientOf(from, url);
  try {
    for (let i = 0; i < count; i++) {
      c.v.setMany([{ app: 'fault', env: 'prod', key: `K${i}`, value: `value-${i}` }]);
      await pushToRelay(c.v, c.client, { to: [to], filters: [parseFilter(`fault:prod:K${i}`)] });
    }
  } finally {
    c.close();
  }
}

/** Every envelope stored once and delivered once; each recipient vault loaded each bundle once. */
async function expectExactlyOnce(database: string, recipients: readonly string[], envelopes: number): Promise<void> {
  const s = await openRelayStorage(database);
  try {
    const dump = await s.dump();
    const rows = must(dump['envelopes']);
    expect(rows).toHaveLength(envelopes);
    expect(rows.filter((r) => r['delivered_at'] === null)).toEqual([]);
    const delivered = (await s.log()).filter((l) => l.event === 'delivered').map((l) => l.envelopeId);
    expect(delivered).toHaveLength(envelopes);
    expect(new Set(delivered).size).toBe(envelopes);
  } finally {
    await s.close();
  }
  let loads = 0;
  for (const dir of recipients) {
    const counts = loadsByBundle(dir);
    for (const [bundle, n] of counts) expect(n, `bundle ${bundle} loaded ${n} times`).toBe(1);
    loads += counts.size;
  }
  expect(loads).toBe(envelopes);
}

describe('relay faults on PostgreSQL (two relay processes, one database)', () => {
  const need = (ctx: { skip: (n?: string) => void }): void => {
    if (!pgServer) ctx.skip(pgSkip);
  };

  it('a relay killed in the middle of a push: the push carries on through the other; each envelope once', async (ctx) => {
    need(ctx);
    const database = await pgDatabase();
    const a = await startRelay(BIN, cleanEnv(), database);
    const b = await startRelay(BIN, cleanEnv(), database);
    const lb = await startBalancer([a.url, b.url]);
    const names = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'];
    try {
      const team = await makeTeam(lb.url, 'alice', names);
      addSecrets(team.creator, 'bulk', 'prod', 300, 'bulk');
      // The push's connection lands on A (the balancer's next turn); A dies after its first stored envelope.
      const killed = a.waitForLog(/"method":"POST","path":"\/v1\/envelopes","status":200/).then(() => a.kill());
      const pushed = await cliIn(['push', '--to', names.join(','), '-f', 'bulk:prod:'], { vault: team.creator });
      await killed;
      expect(pushed.code, pushed.stderr).toBe(0);
      expect(pushed.stderr.match(/Sent 300 secrets to/g)).toHaveLength(names.length);
      for (const n of names) {
        const r = await cliIn(['sync', '--accept'], { vault: must(team.vaults[n]) });
        expect(r.code, r.stderr).toBe(0);
        expect(vaultValues(must(team.vaults[n]))['bulk:prod:KEY_299']).toBe('bulk-299');
      }
      await expectExactlyOnce(database, names.map((n) => must(team.vaults[n])), names.length);
    } finally {
      await lb.close();
      await a.kill();
      await b.stop();
    }
  }, T);

  it('a relay killed in the middle of a sync: the sync carries on through the other; each envelope loaded once', async (ctx) => {
    need(ctx);
    const database = await pgDatabase();
    const a = await startRelay(BIN, cleanEnv(), database);
    const b = await startRelay(BIN, cleanEnv(), database);
    const lb = await startBalancer([b.url, a.url]);
    try {
      const team = await makeTeam(lb.url, 'alice', ['bob']);
      const n = 40;
      await pushMany(lb.url, team.creator, 'bob', n);
      // bob's sync connects to A (the balancer's next turn); A dies once it has handed out the envelopes.
      const killed = a.waitForLog(/"method":"GET","path":"\/v1\/envelopes","status":200/).then(() => a.kill());
      const synced = await cliIn(['sync', '--accept'], { vault: must(team.vaults['bob']) });
      await killed;
      expect(synced.code, synced.stderr).toBe(0);
      expect(synced.stderr).toMatch(new RegExp(`${n} envelopes loaded`));
      expect(vaultValues(must(team.vaults['bob']))[`fault:prod:K${n - 1}`]).toBe(`value-${n - 1}`);
      await expectExactlyOnce(database, [must(team.vaults['bob'])], n);
    } finally {
      await lb.close();
      await a.kill();
      await b.stop();
    }
  }, T);

  it('PostgreSQL restarted in the middle of a sync: the sync waits it out; each envelope loaded once', async (ctx) => {
    need(ctx);
    const database = await pgDatabase();
    const relay = await startRelay(BIN, cleanEnv(), database);
    try {
      const team = await makeTeam(relay.url, 'alice', ['bob']);
      const n = 40;
      await pushMany(relay.url, team.creator, 'bob', n);
      const restarted = relay.waitForLog(/"method":"GET","path":"\/v1\/envelopes","status":200/).then(() => must(pgServer).restart(1000));
      const synced = await cliIn(['sync', '--accept'], { vault: must(team.vaults['bob']) });
      await restarted;
      expect(synced.code, synced.stderr).toBe(0);
      // The relay came through the restart: its health answers and nothing is pending.
      expect((await fetch(`${relay.url}/v1/health`)).status).toBe(200);
      const again = await cliIn(['sync'], { vault: must(team.vaults['bob']) });
      expect(again.code, again.stderr).toBe(0);
      expect(vaultValues(must(team.vaults['bob']))[`fault:prod:K${n - 1}`]).toBe(`value-${n - 1}`);
      await expectExactlyOnce(database, [must(team.vaults['bob'])], n);
    } finally {
      expect(await relay.stop()).toBe(0);
    }
  }, T);
});

describe.each([
  { name: 'sqlite', database: () => Promise.resolve(path.join(tmpdir(), 'relay.db')) },
  { name: 'postgres', database: async () => (pgServer ? pgDatabase() : undefined) },
])('a client killed between fetch and acknowledgement, on $name', (backend) => {
  let relay: RelayProcess | undefined;
  afterAll(async () => {
    if (relay) await relay.stop();
  });

  it('each killed sync leaves its envelopes pending; the next ones load the rest; nothing is loaded twice', async (ctx) => {
    const database = await backend.database();
    if (!database) return ctx.skip(pgSkip);
    relay = await startRelay(BIN, cleanEnv(), database);
    const team = await makeTeam(relay.url, 'alice', ['bob']);
    const n = 30;
    await pushMany(relay.url, team.creator, 'bob', n);
    const bob = must(team.vaults['bob']);
    let kills = 0;
    for (let round = 0; round < 3; round++) {
      // Killed as soon as the relay has handed it the envelopes: before (or while) it loads, surely before it acknowledges.
      const fetched = relay.waitForLog(/"method":"GET","path":"\/v1\/envelopes","status":200/);
      const run = cliAsync(['sync', '--accept'], { vault: bob });
      await fetched;
      await new Promise((r) => setTimeout(r, round * 150));
      run.child.kill('SIGKILL');
      const r = await run.done;
      if (r.signal === 'SIGKILL') kills += 1;
    }
    expect(kills).toBeGreaterThan(0);
    const last = await cliIn(['sync', '--accept'], { vault: bob });
    expect(last.code, last.stderr).toBe(0);
    expect((await cliIn(['sync'], { vault: bob })).stderr).toMatch(/0 envelopes loaded/);
    const values = vaultValues(bob);
    for (let i = 0; i < n; i++) expect(values[`fault:prod:K${i}`]).toBe(`value-${i}`);
    await expectExactlyOnce(database, [bob], n);
  }, T);
});
