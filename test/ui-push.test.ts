/**
 * The rotation board's "push the updates" action (`seeqret push --updates` from the web UI): a real
 * relay process (SQLite), alice's and bob's vaults joined to it, the UI server over real HTTP on
 * 127.0.0.1, and bob's `sync` receiving what the UI sent. The CLI's `push` and `sync` run
 * in-process (cliIn, the same commands against the same relay process); their child-process runs,
 * by both entry paths, are in test/relay-fast.test.ts.
 */
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUiServer } from '../src/ui/server.js';
import { Vault } from '../src/vault/vault.js';
import { BIN, cleanEnv, cliIn, newVault, tmpdir, vaultValues } from './helpers.js';
import { type RelayProcess, startRelay } from './relay-helpers.js';
import { type RelayTeam, addSecrets, makeTeam } from './relay-team.js';
import { must } from './must.js';

let relay: RelayProcess;
let team: RelayTeam;

beforeAll(async () => {
  relay = await startRelay(BIN, cleanEnv(), path.join(tmpdir(), 'relay.db'));
  team = await makeTeam(relay.url, 'alice', ['bob']);
}, 120_000);
afterAll(async () => {
  await relay.stop();
});

/** One request to the UI server: status and body. */
function request(port: number, urlPath: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: urlPath, method: body === undefined ? 'GET' : 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Run `fn` against a UI server on the vault at `dir`, with the launch's token and Origin. */
async function withUi(dir: string, fn: (get: (p: string) => Promise<{ status: number; body: string }>, post: (action: string) => Promise<{ status: number; body: string }>) => Promise<void>): Promise<void> {
  const vault = Vault.open({ dir });
  const server = await startUiServer({ vault });
  const headers = { 'X-Seeqret-Token': server.token, Origin: server.origin };
  try {
    await fn(
      (p) => request(server.port, p, headers),
      (action) => request(server.port, `/api/action/${action}`, { ...headers, 'Content-Type': 'application/json' }, '{}'),
    );
  } finally {
    await server.close();
    vault.close();
  }
}

describe('the rotation board pushes updates through the relay', () => {
  it('offers the push only when someone holds an older version; the push reaches bob, and a second one sends nothing', async () => {
    const alice = team.creator;
    const bob = must(team.vaults['bob']);
    addSecrets(alice, 'shop', 'prod', 2, 'first');
    expect((await cliIn(['push', '--to', 'bob', '-f', 'shop:prod:'], { vault: alice })).code).toBe(0);
    expect((await cliIn(['sync'], { vault: bob })).code).toBe(0);
    expect(vaultValues(bob)['shop:prod:KEY_1']).toBe('first-1');

    await withUi(alice, async (get) => {
      const board = await get('/api/view?view=rotation');
      expect(board.status).toBe(200);
      expect(board.body).not.toContain('data-action="push-updates"'); // bob holds the current versions
    });

    addSecrets(alice, 'shop', 'prod', 2, 'second'); // both values change: bob's versions are now old
    await withUi(alice, async (get, post) => {
      const board = await get('/api/view?view=rotation');
      expect(board.body).toContain('data-action="push-updates"');
      const pushed = await post('push-updates');
      expect(pushed.status, pushed.body).toBe(200);
      const answer = JSON.parse(pushed.body) as { message: string; view?: string };
      expect(answer.message).toBe('Sent through the relay: 2 to bob.');
      expect(answer.view).toBe('view=rotation');
      expect(answer.message).not.toContain('second-');
      const again = JSON.parse((await post('push-updates')).body) as { message: string };
      expect(again.message).toMatch(/nothing to send/);
    });

    const sync = await cliIn(['sync', '--overwrite'], { vault: bob }); // the receiver decides to replace values it has
    expect(sync.code, sync.stderr).toBe(0);
    expect(vaultValues(bob)).toMatchObject({ 'shop:prod:KEY_0': 'second-0', 'shop:prod:KEY_1': 'second-1' });
  });

  it('in a vault that joined no relay, the push is refused with a code and a fix, and nothing changes', async () => {
    const lone = newVault({ user: 'lone' });
    await withUi(lone, async (_get, post) => {
      const r = await post('push-updates');
      expect(r.status).toBe(400);
      const e = JSON.parse(r.body) as { code: string; fix: string };
      expect(e.code).toMatch(/^E_RELAY_/);
      expect(e.fix).not.toBe('');
    });
  });
});
