/**
 * `sync` pages through the pending envelopes by a cursor (`GET /v1/envelopes?after=ID`): more
 * than a page (100) of envelopes it refuses stay pending, and an envelope behind them is still
 * loaded; `relay reject` finds a refused envelope past the first page. The uploads go as batches
 * (`POST /v1/envelopes {envelopes}`): more than 100 are split, each batch stored whole. A real
 * relay process (SQLite), the real CLI for `sync` and `relay reject`.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFilter } from '../src/filter/index.js';
import { prepareExport } from '../src/sharing/export.js';
import { Vault } from '../src/vault/vault.js';
import { BIN, cleanEnv, cli, tmpdir, vaultValues } from './helpers.js';
import { type RelayProcess, startRelay } from './relay-helpers.js';
import { type RelayTeam, addSecrets, clientOf, makeTeam } from './relay-team.js';
import { must } from './must.js';

let relay: RelayProcess;
let team: RelayTeam;
let carol: string;

beforeAll(async () => {
  relay = await startRelay(BIN, cleanEnv(), path.join(tmpdir(), 'relay.db'));
  team = await makeTeam(relay.url, 'alice', ['bob', 'carol']);
  carol = must(team.vaults['carol']);
}, 120_000);
afterAll(async () => {
  await relay.stop();
});

describe('sync pages past refused envelopes', () => {
  it('loads the envelope behind 101 refused ones, and relay reject finds one past the first page', async () => {
    const bob = must(team.vaults['bob']);
    // carol knows bob, bob does not know carol: every bundle of hers is refused by bob's load.
    const bobKey = (() => {
      const v = Vault.open({ dir: bob, readonly: true });
      try {
        return Buffer.from(v.publicKey);
      } finally {
        v.close();
      }
    })();
    const c = clientOf(carol, relay.url);
    const refusedIds: string[] = [];
    try {
      c.v.addUser({ username: 'bob', email: 'bob@example.com', publicKey: bobKey });
      c.v.verifyUser('bob');
      c.v.setMany([{ app: 'app', env: 'prod', key: 'FROM_CAROL', value: 'carol-value' }]);
      const bobId = must((await c.client.members()).find((m) => m.username === 'bob')).keyId;
      const bundles = Array.from({ length: 101 }, () => must(prepareExport(c.v, { to: ['bob'], filters: [parseFilter('app:prod:FROM_CAROL')], destination: 'files' }).items[0]).text);
      refusedIds.push(...(await c.client.sendMany(bundles.map((envelope) => ({ to: bobId, envelope })))));
      expect(new Set(refusedIds).size).toBe(101);
      // A retried batch (its answer lost) stores nothing twice: the same ids come back.
      expect(await c.client.sendMany(bundles.slice(0, 3).map((envelope) => ({ to: bobId, envelope })))).toEqual(refusedIds.slice(0, 3));
    } finally {
      c.close();
    }
    addSecrets(team.creator, 'app', 'prod', 1, 'from-alice');
    expect(cli(['push', '--to', 'bob', '-f', 'app:prod:'], { vault: team.creator }).code).toBe(0);

    const sync = cli(['sync', '--accept'], { vault: bob });
    expect(sync.stdout + sync.stderr).toMatch(/1 envelope loaded/);
    expect(vaultValues(bob)).toEqual({ 'app:prod:KEY_0': 'from-alice-0' });
    // The refused ones stay pending; the last one (on the second page) can be rejected.
    const last = must(refusedIds.at(-1));
    const reject = cli(['relay', 'reject', last], { vault: bob });
    expect(reject.code, reject.stderr).toBe(0);
    const b = clientOf(bob, relay.url);
    try {
      const first = await b.client.pending();
      expect(first).toHaveLength(100);
      expect(await b.client.pending(undefined, must(first.at(-1)).id)).toEqual([]);
      expect(first.map((e) => e.id)).toEqual(refusedIds.slice(0, 100));
    } finally {
      b.close();
    }
  }, 180_000);

  it('a member cannot page through another member\'s envelopes', async () => {
    const b = clientOf(must(team.vaults['bob']), relay.url);
    const a = clientOf(team.creator, relay.url);
    try {
      const bobsFirst = must((await b.client.pending())[0]).id;
      expect(await a.client.pending(undefined, bobsFirst)).toEqual([]);
      await expect(a.client.request('GET', '/v1/envelopes?after=not-an-id')).rejects.toMatchObject({ code: 'E_RELAY_REQUEST' });
    } finally {
      a.close();
      b.close();
    }
  });

  it('a batch larger than the relay\'s body limit is sent again in halves; every envelope stored once', async () => {
    const small = await startRelay(BIN, cleanEnv(), path.join(tmpdir(), 'small.db'), ['--max-body', '16000']);
    try {
      const t = await makeTeam(small.url, 'alice', ['bob']);
      const a = clientOf(t.creator, small.url);
      try {
        a.v.setMany([{ app: 'big', env: 'prod', key: 'K', value: 'y'.repeat(4000) }]);
        const bobId = must((await a.client.members()).find((m) => m.username === 'bob')).keyId;
        const bundles = Array.from({ length: 3 }, () => must(prepareExport(a.v, { to: ['bob'], filters: [parseFilter('big:prod:K')], destination: 'files' }).items[0]).text);
        expect(bundles.reduce((n, b) => n + b.length, 0)).toBeGreaterThan(16_000);
        const ids = await a.client.sendMany(bundles.map((envelope) => ({ to: bobId, envelope })));
        expect(new Set(ids).size).toBe(3);
      } finally {
        a.close();
      }
      const b = clientOf(must(t.vaults['bob']), small.url);
      try {
        expect(await b.client.pending()).toHaveLength(3);
      } finally {
        b.close();
      }
      expect(small.stderr()).toMatch(/"status":413/);
    } finally {
      await small.stop();
    }
  }, 120_000);
});
