/**
 * The relay end to end: a real relay process on 127.0.0.1 (SQLite, and PostgreSQL when it can
 * start), the CLI in separate vault folders (alice, bob, carol, mallory): on SQLite one child
 * process for each relay group command (relay create, invite, join, members, remove), in-process
 * (cliIn) otherwise (`push` and `sync` run as child processes, by both entry paths, in
 * test/relay-fast.test.ts). push then sync
 * delivers; the relay's storage holds no value and no secret name in any encoding; forged,
 * replayed, stale, removed, malformed and oversize requests are refused with stable codes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from '../src/crypto/index.js';
import { bodyDigest, relayKeyId, relaySigningKey, signDetached } from '../src/crypto/relay.js';
import { HEADERS, signingText } from '../src/relay/protocol.js';
import { openRelayStorage } from '../src/relay/storage/index.js';
import { Vault } from '../src/vault/vault.js';
import { vaultIdentitySecretKey } from '../src/vault/internal.js';
import { BIN, type CliResult, cleanEnv, cliAsync, cliIn, errorCode, introduce, newVault, tmpdir, vaultValues } from './helpers.js';
import { type RelayProcess, type TestPostgres, startPostgres, startRelay } from './relay-helpers.js';
import { must } from './must.js';

let pgServer: TestPostgres | undefined;
let pgSkip: string | undefined;
beforeAll(async () => {
  const r = await startPostgres();
  if ('skip' in r) {
    pgSkip = r.skip;
    console.log(`relay: PostgreSQL runs skipped: ${r.skip}`);
  } else pgServer = r;
}, 120_000);
afterAll(async () => {
  await pgServer?.stop();
});

/** The vault's X25519 keys (for hand-made hostile requests). */
function keysOf(vault: string): { publicKey: Buffer; secretKey: Buffer } {
  const v = Vault.open({ dir: vault, readonly: true });
  try {
    return { publicKey: Buffer.from(v.publicKey), secretKey: Buffer.from(vaultIdentitySecretKey(v)) };
  } finally {
    v.close();
  }
}

/** Headers of a request signed with `signer`'s key but naming `keyId` (forgery when they differ). */
function signed(signer: { secretKey: Buffer }, keyId: string, method: string, p: string, body: Buffer, time = Date.now()): Record<string, string> {
  const nonce = randomBytes(16).toString('hex');
  const sk = relaySigningKey(signer.secretKey).secretKey;
  return {
    'content-type': 'application/json',
    [HEADERS.key]: keyId,
    [HEADERS.time]: String(time),
    [HEADERS.nonce]: nonce,
    [HEADERS.signature]: signDetached(sk, signingText(method, p, String(time), nonce, bodyDigest(body))).toString('base64'),
  };
}

async function send(url: string, method: string, p: string, headers: Record<string, string>, body: Buffer): Promise<{ status: number; code: string | undefined }> {
  const r = await fetch(url + p, { method, headers, ...(body.length ? { body: new Uint8Array(body) } : {}) });
  const j = (await r.json()) as { error?: { code: string } };
  return { status: r.status, code: j.error?.code };
}

// Names and values that must never reach the relay in any encoding.
const APP = 'quokkaapp';
const ENV = 'prodzeta';
const KEY = 'ZEBRA_SIGNING_TOKEN';
const VALUE = 'v4lue-0f-the-s3cret-8c1d2e';

/** Every encoding of `s` the dump is searched for (plain, hex, base64 at the three alignments, base64url). */
function encodings(s: string): string[] {
  const b = Buffer.from(s, 'utf8');
  const out = [s, b.toString('hex'), b.toString('base64url').slice(0, -2)];
  for (let pad = 0; pad < 3; pad++) {
    const t = Buffer.concat([Buffer.alloc(pad, 0x20), b]).toString('base64');
    out.push(t.slice(pad ? 4 : 0, -4));
  }
  return out;
}

const backends = [
  { name: 'sqlite', database: () => Promise.resolve(path.join(tmpdir(), 'relay.db')) },
  { name: 'postgres', database: async () => (pgServer ? pgServer.database(`relay_e2e_${Date.now()}`) : undefined) },
];

describe.each(backends)('relay on $name', (backend) => {
  let relay: RelayProcess | undefined;
  let database: string | undefined;
  let alice: string, bob: string, carol: string, mallory: string;
  // On SQLite, one run of each relay group command (relay create, invite, join, members, remove)
  // is a child process (`real`: its end-to-end case); everything else runs in-process (cliIn),
  // against the same real relay process.
  const run = (args: string[], opts: { vault: string; input?: string }, real = false): Promise<CliResult> => (real && backend.name === 'sqlite' ? cliAsync(args, opts).done : cliIn(args, opts));
  const ok = async (args: string[], vault: string, real = false): Promise<string> => {
    const r = await run(args, { vault }, real);
    if (r.code !== 0) throw new Error(`seeqret ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  beforeAll(async () => {
    database = await backend.database();
    if (!database) return;
    relay = await startRelay(BIN, cleanEnv(), database, ['--max-body', '8192']);
    alice = newVault({ user: 'alice' });
    bob = newVault({ user: 'bob' });
    carol = newVault({ user: 'carol' });
    mallory = newVault({ user: 'mallory' });
    // Each pastes the other's introduction (`add user`), made with the library (helpers.ts).
    for (const other of [bob, carol, mallory]) {
      introduce(other, alice);
      introduce(alice, other);
    }
    introduce(mallory, bob);
    introduce(bob, mallory);
  }, 180_000);
  afterAll(async () => {
    if (relay) await relay.stop();
  });
  const need = (ctx: { skip: (n?: string) => void }): void => {
    if (!relay) ctx.skip(pgSkip);
  };

  it('create, invite, join; push then sync delivers; the relay never sees a value or a name', async (ctx) => {
    need(ctx);
    const url = must(relay).url;
    await ok(['relay', 'create', url], alice, true);
    for (const [name, vault] of [
      ['bob', bob],
      ['carol', carol],
      ['mallory', mallory],
    ] as const) {
      const token = (await ok(['relay', 'invite', name], alice, name === 'bob')).trim();
      // Single-use: a second join with the same invitation is refused.
      await ok(['relay', 'join', url, token], vault, name === 'bob');
      if (name === 'bob') expect(errorCode(await run(['relay', 'join', url, token], { vault: carol }))).toBe('E_RELAY_INVITATION');
    }
    expect(errorCode(await run(['relay', 'invite', 'alice'], { vault: bob }))).toBe('E_RELAY_FORBIDDEN');
    const members = await ok(['relay', 'members'], bob, true);
    expect(members).toMatch(/alice {2}creator/);
    expect(members).toMatch(/mallory {2}member/);

    await ok(['add', 'key', KEY, VALUE, '--app', APP, '--env', ENV], alice);
    await ok(['add', 'key', 'OTHER_TOKEN', 'second-value-77', '--app', APP, '--env', ENV], alice);
    const pushed = await run(['push', '--to', 'bob', '--to', 'carol', '-f', `${APP}:${ENV}:`], { vault: alice });
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(pushed.stderr).toMatch(/Sent 2 secrets to bob/);
    const synced = await run(['sync', '--accept'], { vault: bob });
    expect(synced.code, synced.stderr).toBe(0);
    expect(synced.stderr).toMatch(/1 envelope loaded/);
    expect(vaultValues(bob)[`${APP}:${ENV}:${KEY}`]).toBe(VALUE);
    // Nothing left: a second sync loads nothing.
    expect((await run(['sync'], { vault: bob })).stderr).toMatch(/0 envelopes loaded/);
    expect((await run(['sync'], { vault: carol })).code).toBe(0);
    expect(vaultValues(carol)[`${APP}:${ENV}:OTHER_TOKEN`]).toBe('second-value-77');

    // Blind server: every row of every table, every column (text and bytes) searched.
    const storage = await openRelayStorage(must(database));
    const dump = await storage.dump();
    await storage.close();
    const asText = (v: unknown): unknown => (Buffer.isBuffer(v) || v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v);
    const text = JSON.stringify(Object.values(dump).map((rows) => rows.map((r) => Object.values(r).map(asText))));
    expect(must(dump['log']).length).toBeGreaterThan(5);
    for (const secret of [APP, ENV, KEY, VALUE, 'OTHER_TOKEN', 'second-value-77']) for (const enc of encodings(secret)) expect(text.includes(enc), `${secret} as ${enc}`).toBe(false);
    // Logs carry no envelope.
    expect(must(relay).stderr()).not.toMatch(/ciphertext|seeqret-bundle/);
  }, 240_000);

  it('hostile requests are refused with stable codes and change nothing', async (ctx) => {
    need(ctx);
    const url = must(relay).url;
    const a = keysOf(alice);
    const m = keysOf(mallory);
    const aliceId = relayKeyId(a.publicKey);
    const empty = Buffer.alloc(0);
    // Forged sender: mallory signs a request in alice's name.
    expect((await send(url, 'GET', '/v1/envelopes', signed(m, aliceId, 'GET', '/v1/envelopes', empty), empty)).code).toBe('E_RELAY_AUTH');
    // Replayed request: the same signed request twice.
    const h = signed(a, aliceId, 'GET', '/v1/envelopes', empty);
    expect((await send(url, 'GET', '/v1/envelopes', h, empty)).status).toBe(200);
    expect(await send(url, 'GET', '/v1/envelopes', h, empty)).toEqual({ status: 409, code: 'E_RELAY_REPLAY' });
    // Stale time.
    expect((await send(url, 'GET', '/v1/envelopes', signed(a, aliceId, 'GET', '/v1/envelopes', empty, Date.now() - 3_600_000), empty)).code).toBe('E_RELAY_STALE');
    // Unknown key, unsigned request.
    const stranger = keysOf(newVault({ user: 'stranger' }));
    expect((await send(url, 'GET', '/v1/members', signed(stranger, relayKeyId(stranger.publicKey), 'GET', '/v1/members', empty), empty)).code).toBe('E_RELAY_AUTH');
    expect((await send(url, 'GET', '/v1/members', {}, empty)).code).toBe('E_RELAY_AUTH');
    // Malformed and oversize bodies.
    const junk = Buffer.from('{not json');
    expect(await send(url, 'POST', '/v1/envelopes', signed(a, aliceId, 'POST', '/v1/envelopes', junk), junk)).toEqual({ status: 400, code: 'E_RELAY_REQUEST' });
    const big = Buffer.from(JSON.stringify({ to: aliceId, envelope: 'x'.repeat(10_000) }));
    expect((await send(url, 'POST', '/v1/envelopes', signed(a, aliceId, 'POST', '/v1/envelopes', big), big)).code).toBe('E_RELAY_TOO_LARGE');
    await ok(['add', 'key', 'BIG_ONE', 'y'.repeat(9000), '--app', APP, '--env', ENV], alice);
    expect(errorCode(await run(['push', '--to', 'bob', '-f', `${APP}:${ENV}:BIG_ONE`], { vault: alice }))).toBe('E_RELAY_TOO_LARGE');
    // A member uploading someone else's envelope (not sealed with its key) is refused.
    const exported = await ok(['export', '--to', 'bob', '-f', `${APP}:${ENV}:${KEY}`], alice);
    const bobId = relayKeyId(keysOf(bob).publicKey);
    const mId = relayKeyId(m.publicKey);
    const forged = Buffer.from(JSON.stringify({ to: bobId, envelope: exported }));
    expect((await send(url, 'POST', '/v1/envelopes', signed(m, mId, 'POST', '/v1/envelopes', forged), forged)).code).toBe('E_RELAY_SENDER');
    // Only the creator invites or removes.
    expect(errorCode(await run(['relay', 'remove', 'carol'], { vault: mallory }))).toBe('E_RELAY_FORBIDDEN');
    // A removed member is refused everything, and nothing more is sent to them.
    // `relay remove` as a child process on SQLite (its end-to-end case).
    await ok(['relay', 'remove', 'mallory'], alice, true);
    expect(errorCode(await run(['sync'], { vault: mallory }))).toBe('E_RELAY_REMOVED');
    await ok(['add', 'key', 'M_KEY', 'm-value', '--app', 'mapp', '--env', 'menv'], mallory);
    expect(errorCode(await run(['push', '--to', 'bob', '-f', 'mapp:menv:'], { vault: mallory }))).toBe('E_RELAY_REMOVED');
    expect(errorCode(await run(['push', '--to', 'mallory', '-f', `${APP}:${ENV}:${KEY}`], { vault: alice }))).toBe('E_RELAY_NOT_MEMBER');
    // None of it reached bob.
    expect((await run(['sync'], { vault: bob })).stderr).toMatch(/0 envelopes loaded/);
  });

  it('a sync that stops between load and acknowledgement loads nothing twice', async (ctx) => {
    need(ctx);
    await ok(['edit', 'value', `${APP}:${ENV}:${KEY}`, 'changed-value-2'], alice);
    await ok(['push', '--to', 'bob', '-f', `${APP}:${ENV}:${KEY}`], alice);
    // Load it as sync would, but without acknowledging (a crash after the commit).
    const storage = await openRelayStorage(must(database));
    const bobId = relayKeyId(keysOf(bob).publicKey);
    const [pending] = await storage.pending(bobId, 10);
    await storage.close();
    const loaded = await run(['load', '--overwrite'], { vault: bob, input: must(must(pending).body).toString('utf8') });
    expect(loaded.code, loaded.stderr).toBe(0);
    const again = await run(['sync', '--overwrite'], { vault: bob });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/already loaded/);
    expect(vaultValues(bob)[`${APP}:${ENV}:${KEY}`]).toBe('changed-value-2');
    expect((await run(['sync'], { vault: bob })).stderr).toMatch(/0 envelopes loaded/);
  });

  it('push --updates sends each changed secret to everyone who holds an older version, and then nothing', async (ctx) => {
    need(ctx);
    await ok(['edit', 'value', `${APP}:${ENV}:${KEY}`, 'updated-value-5'], alice);
    const r = await run(['push', '--updates'], { vault: alice });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Sent 1 secret to bob/);
    expect(r.stderr).toMatch(/Sent 1 secret to carol/);
    expect(r.stderr).not.toMatch(/mallory/);
    for (const vault of [bob, carol]) {
      expect((await run(['sync', '--overwrite'], { vault })).code).toBe(0);
      expect(vaultValues(vault)[`${APP}:${ENV}:${KEY}`]).toBe('updated-value-5');
    }
    expect((await run(['push', '--updates'], { vault: alice })).stderr).toMatch(/nothing to send/);
  });

  it('two relay processes serve one database: pushed through one, synced through the other (PostgreSQL)', async (ctx) => {
    need(ctx);
    if (backend.name !== 'postgres') ctx.skip('several processes share a PostgreSQL database only');
    const second = await startRelay(BIN, cleanEnv(), must(database));
    try {
      // Same database, same relay key: bob's vault accepts the second process as its relay.
      const file = path.join(bob, 'relay.json');
      const cfg = JSON.parse(fs.readFileSync(file, 'utf8')) as { url: string };
      fs.writeFileSync(file, JSON.stringify({ ...cfg, url: `${second.url}/` }));
      await ok(['edit', 'value', `${APP}:${ENV}:${KEY}`, 'changed-value-3'], alice);
      await ok(['push', '--to', 'bob', '-f', `${APP}:${ENV}:${KEY}`], alice);
      expect((await run(['sync', '--overwrite'], { vault: bob })).stderr).toMatch(/1 envelope loaded/);
      expect(vaultValues(bob)[`${APP}:${ENV}:${KEY}`]).toBe('changed-value-3');
      fs.writeFileSync(file, JSON.stringify(cfg));
    } finally {
      expect(await second.stop()).toBe(0);
    }
  });

  it('health answers, and SIGTERM stops the relay cleanly', async (ctx) => {
    need(ctx);
    const r = (await (await fetch(`${must(relay).url}/v1/health`)).json()) as { ok: boolean; storage: string };
    expect(r).toEqual({ ok: true, storage: backend.name });
    expect(await must(relay).stop()).toBe(0);
    expect(must(relay).stderr()).toMatch(/"event":"stopped"/);
    relay = undefined;
  });
});
