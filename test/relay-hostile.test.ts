/**
 * Hostile relay members and a hostile relay, with a real relay process (SQLite and PostgreSQL)
 * and the real CLI (in-process, cliIn; `relay reject` also as a child process): a captured
 * envelope uploaded again, a relay that duplicates an envelope, a
 * relay that swaps a member's key, a tampered invitation, malformed acknowledgements — each
 * refused with a stable code and no change. And the ways out: `relay reject` for an envelope
 * sync refuses, `push --updates` skipping people who are not members.
 */
import path from 'node:path';
import pg from 'pg';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateIdentity, keyToBase64, randomBytes } from '../src/crypto/index.js';
import { bodyDigest, relayKeyId, relaySigningKey, signDetached } from '../src/crypto/relay.js';
import { parseFilter } from '../src/filter/index.js';
import { HEADERS, memberRecordText, signingText } from '../src/relay/protocol.js';
import { openRelayStorage } from '../src/relay/storage/index.js';
import { pushToRelay } from '../src/relay/usecases.js';
import { vaultIdentitySecretKey } from '../src/vault/internal.js';
import { Vault } from '../src/vault/vault.js';
import { BIN, cleanEnv, cli, cliIn, errorCode, tmpdir, vaultValues } from './helpers.js';
import { type RelayProcess, type TestPostgres, startPostgres, startRelay } from './relay-helpers.js';
import { type RelayTeam, addSecrets, clientOf, loadsByBundle, makeTeam } from './relay-team.js';
import { must } from './must.js';

let pgServer: TestPostgres | undefined;
let pgSkip = '';
beforeAll(async () => {
  const r = await startPostgres();
  if ('skip' in r) pgSkip = r.skip;
  else pgServer = r;
}, 120_000);
afterAll(async () => {
  await pgServer?.stop();
});

/** The vault's public key. */
function pubkeyOf(dir: string): Buffer {
  const v = Vault.open({ dir, readonly: true });
  try {
    return Buffer.from(v.publicKey);
  } finally {
    v.close();
  }
}

/** Run SQL on the relay's database behind the relay's back (a compromised relay). */
async function tamper(database: string, sql: string, params: unknown[] = []): Promise<void> {
  if (database.startsWith('postgres')) {
    const c = new pg.Client({ connectionString: database });
    await c.connect();
    let i = 0;
    await c.query(sql.replace(/\?/g, () => `$${++i}`), params).finally(() => c.end());
  } else {
    const d = new Database(database);
    try {
      d.prepare(sql).run(...params);
    } finally {
      d.close();
    }
  }
}

/** The tables a refusal must not change (nonces change with every authenticated request). */
async function state(database: string): Promise<string> {
  const s = await openRelayStorage(database);
  try {
    const d = await s.dump();
    return JSON.stringify([d['members'], d['invitations'], d['envelopes'], d['log']]);
  } finally {
    await s.close();
  }
}

/** A raw request signed with the vault's key (what a modified client could send). */
async function raw(url: string, dir: string, method: string, p: string, body: unknown): Promise<{ status: number; code?: string }> {
  const c = clientOf(dir, url);
  try {
    const payload = Buffer.from(JSON.stringify(body));
    const sk = relaySigningKey(Buffer.from(vaultIdentitySecretKey(c.v))).secretKey;
    const time = String(Date.now());
    const nonce = randomBytes(16).toString('hex');
    const headers = { 'content-type': 'application/json', [HEADERS.key]: c.client.keyId, [HEADERS.time]: time, [HEADERS.nonce]: nonce, [HEADERS.signature]: signDetached(sk, signingText(method, p, time, nonce, bodyDigest(payload))).toString('base64') };
    const r = await fetch(url + p, { method, headers, body: new Uint8Array(payload) });
    const j = (await r.json()) as { error?: { code: string } };
    return { status: r.status, ...(j.error ? { code: j.error.code } : {}) };
  } finally {
    c.close();
  }
}

describe.each([
  { name: 'sqlite', database: () => Promise.resolve(path.join(tmpdir(), 'relay.db')) },
  { name: 'postgres', database: async () => (pgServer ? pgServer.database(`relay_hostile_${Date.now()}`) : undefined) },
])('a hostile relay and hostile members, on $name', (backend) => {
  let relay: RelayProcess | undefined;
  let database: string | undefined;
  let team: RelayTeam;
  beforeAll(async () => {
    database = await backend.database();
    if (!database) return;
    relay = await startRelay(BIN, cleanEnv(), database);
    team = await makeTeam(relay.url, 'alice', ['bob', 'carol']);
    addSecrets(team.creator, 'hostile', 'prod', 3, 'first');
  }, 180_000);
  afterAll(async () => {
    if (relay) await relay.stop();
  });
  const need = (ctx: { skip: (n?: string) => void }): void => {
    if (!relay) ctx.skip(pgSkip);
  };

  it('a captured envelope uploaded again is refused by the relay; one the relay duplicates is refused by the vault', async (ctx) => {
    need(ctx);
    const bob = must(team.vaults['bob']);
    const c = clientOf(team.creator, must(relay).url);
    let envelope: string;
    try {
      await pushToRelay(c.v, c.client, { to: ['bob'], filters: [parseFilter('hostile:prod:')] });
    } finally {
      c.close();
    }
    const to = relayKeyId(pubkeyOf(bob));
    {
      const s = await openRelayStorage(must(database));
      const [e] = await s.pending(to, 10);
      await s.close();
      envelope = must(must(e).body).toString('utf8');
    }
    const before = await state(must(database));
    expect(await raw(must(relay).url, team.creator, 'POST', '/v1/envelopes', { to, envelope })).toEqual({ status: 409, code: 'E_RELAY_REPLAY' });
    expect(await state(must(database))).toBe(before);
    expect((await cliIn(['sync', '--accept'], { vault: bob })).code).toBe(0);
    expect(vaultValues(bob)['hostile:prod:KEY_0']).toBe('first-0');
    // The relay itself re-queues the delivered envelope under a new id: the vault refuses the replay.
    await tamper(must(database), 'INSERT INTO envelopes (id, sender, recipient, created_at, delivered_at, body) VALUES (?, ?, ?, ?, NULL, ?)', [
      'd'.repeat(32),
      relayKeyId(pubkeyOf(team.creator)),
      to,
      Date.now(),
      Buffer.from(envelope),
    ]);
    addSecrets(bob, 'hostile', 'prod', 1, 'bobs-own');
    const r = await cliIn(['sync', '--overwrite'], { vault: bob });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/already loaded/);
    expect(vaultValues(bob)['hostile:prod:KEY_0']).toBe('bobs-own-0');
    for (const n of loadsByBundle(bob).values()) expect(n).toBe(1);
  }, 240_000);

  it('a relay that swaps a member\'s key is refused loudly, and nothing is re-pinned', async (ctx) => {
    need(ctx);
    const alice = team.creator;
    const userKey = (): string => {
      const v = Vault.open({ dir: alice, readonly: true });
      try {
        return v.user('bob').pubkey;
      } finally {
        v.close();
      }
    };
    const bobKeyBefore = userKey();
    const bobId = relayKeyId(Buffer.from(bobKeyBefore, 'base64'));
    const s = await openRelayStorage(must(database));
    const original = must(await s.member(bobId));
    await s.close();
    // The relay replaces bob's member row with a key of its own, self-signed as "bob".
    const fake = generateIdentity();
    const sign = relaySigningKey(fake.secretKey);
    const record = memberRecordText({ v: 1, username: 'bob', boxKey: keyToBase64(fake.publicKey), signKey: keyToBase64(sign.publicKey), created: Date.now() });
    await tamper(must(database), 'UPDATE members SET key_id = ?, box_key = ?, sign_key = ?, record = ?, signature = ? WHERE key_id = ?', [
      relayKeyId(fake.publicKey),
      keyToBase64(fake.publicKey),
      keyToBase64(sign.publicKey),
      record,
      signDetached(sign.secretKey, Buffer.from(record)).toString('base64'),
      bobId,
    ]);
    const before = await state(must(database));
    const members = await cliIn(['relay', 'members'], { vault: alice });
    expect(errorCode(members)).toBe('E_RELAY_KEY_CHANGED');
    expect(members.stdout).toMatch(/bob .*KEY DIFFERS/);
    expect(errorCode(await cliIn(['push', '--to', 'bob', '-f', 'hostile:prod:'], { vault: alice }))).toBe('E_RELAY_KEY_CHANGED');
    addSecrets(alice, 'hostile', 'prod', 3, 'second');
    expect(errorCode(await cliIn(['push', '--updates'], { vault: alice }))).toBe('E_RELAY_KEY_CHANGED');
    expect(await state(must(database))).toBe(before);
    expect(userKey()).toBe(bobKeyBefore);
    // An altered record under bob's own key id is refused too.
    await tamper(must(database), 'UPDATE members SET key_id = ? WHERE key_id = ?', [bobId, relayKeyId(fake.publicKey)]);
    expect(errorCode(await cliIn(['push', '--to', 'bob', '-f', 'hostile:prod:'], { vault: alice }))).toBe('E_RELAY_KEY_CHANGED');
    expect(userKey()).toBe(bobKeyBefore);
    // The operator restores the row.
    await tamper(must(database), 'UPDATE members SET box_key = ?, sign_key = ?, record = ?, signature = ? WHERE key_id = ?', [original.boxKey, original.signKey, original.record, original.signature, bobId]);
    expect((await cliIn(['relay', 'members'], { vault: alice })).code).toBe(0);
  }, 240_000);

  it('a tampered invitation is refused before the relay is contacted; malformed acknowledgements change nothing', async (ctx) => {
    need(ctx);
    const invited = await cliIn(['relay', 'invite', 'carol'], { vault: team.creator });
    const token = invited.stdout.trim();
    const body = JSON.parse(Buffer.from(token.slice('seeqret-invitation-v1.'.length), 'base64url').toString('utf8')) as { body: string };
    const altered = 'seeqret-invitation-v1.' + Buffer.from(JSON.stringify({ ...body, body: body.body.replace(/"expires":\d+/, '"expires":99999999999999') })).toString('base64url');
    // Offline: a URL where nothing listens shows that the relay was never contacted.
    expect(errorCode(await cliIn(['relay', 'join', 'http://127.0.0.1:1', altered], { vault: must(team.vaults['carol']) }))).toBe('E_RELAY_INVITATION');
    expect(errorCode(await cliIn(['relay', 'join', 'http://127.0.0.1:1', 'seeqret-invitation-v1.e30'], { vault: must(team.vaults['carol']) }))).toBe('E_RELAY_INVITATION');
    const before = await state(must(database));
    for (const b of [{ ids: [] }, { ids: ['x'] }, { ids: 'a'.repeat(32) }, { ids: Array(101).fill('a'.repeat(32)) }, { ids: ['a'.repeat(32)], rejected: 'yes' }]) {
      expect(await raw(must(relay).url, must(team.vaults['carol']), 'POST', '/v1/envelopes/ack', b)).toEqual({ status: 400, code: 'E_RELAY_REQUEST' });
    }
    expect(await state(must(database))).toBe(before);
  }, 240_000);

  it('an envelope sync refuses is reported with its id; relay reject disposes of it and audits it', async (ctx) => {
    need(ctx);
    const carol = must(team.vaults['carol']);
    // carol knows bob (so she can seal to him); bob's vault does not know carol: sync refuses her envelope.
    const bobKey = pubkeyOf(must(team.vaults['bob']));
    const cv = Vault.open({ dir: carol });
    cv.addUser({ username: 'bob', email: 'bob@example.com', publicKey: bobKey });
    cv.verifyUser('bob');
    cv.close();
    addSecrets(carol, 'carolapp', 'prod', 1, 'carol');
    expect((await cliIn(['push', '--to', 'bob', '-f', 'carolapp:prod:'], { vault: carol })).code).toBe(0);
    const synced = await cliIn(['sync'], { vault: must(team.vaults['bob']) });
    expect(synced.code).not.toBe(0);
    const id = /seeqret relay reject ([0-9a-f]{32})/.exec(synced.stderr)?.[1];
    expect(id, synced.stderr).toBeDefined();
    expect(errorCode(await cliIn(['relay', 'reject', 'f'.repeat(32)], { vault: must(team.vaults['bob']) }))).toBe('E_NOT_FOUND');
    // `relay reject` as a child process on SQLite (its end-to-end case); every other run here is in-process.
    const rejected = backend.name === 'sqlite' ? cli(['relay', 'reject', must(id)], { vault: must(team.vaults['bob']) }) : await cliIn(['relay', 'reject', must(id)], { vault: must(team.vaults['bob']) });
    expect(rejected.code, rejected.stderr).toBe(0);
    expect(rejected.stderr).toMatch(/from carol/);
    expect((await cliIn(['sync'], { vault: must(team.vaults['bob']) })).stderr).toMatch(/0 envelopes loaded/);
    expect(vaultValues(must(team.vaults['bob']))['carolapp:prod:KEY_0']).toBeUndefined();
    const audit = await cliIn(['audit', '--action', 'relay.reject', '--format', 'json'], { vault: must(team.vaults['bob']) });
    expect(audit.stdout).toContain(id);
    const s = await openRelayStorage(must(database));
    expect((await s.log()).filter((l) => l.event === 'rejected').map((l) => l.envelopeId)).toEqual([id]);
    await s.close();
  }, 240_000);

  it('push --updates skips people who are not relay members with a note, and sends to the others', async (ctx) => {
    need(ctx);
    const alice = team.creator;
    // carol was sent a secret earlier by hand (export), then left the relay.
    const cv = clientOf(alice, must(relay).url);
    try {
      await pushToRelay(cv.v, cv.client, { to: ['carol'], filters: [parseFilter('hostile:prod:KEY_1')] });
    } finally {
      cv.close();
    }
    expect((await cliIn(['relay', 'remove', 'carol'], { vault: alice })).code).toBe(0);
    addSecrets(alice, 'hostile', 'prod', 3, 'third');
    const r = await cliIn(['push', '--updates'], { vault: alice });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Skipped carol: not a member of the relay \(1 changed secret not sent/);
  }, 240_000);
});
