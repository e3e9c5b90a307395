/**
 * The relay storage interface: one suite, run against both backends — SQLite (a temp file) and a
 * real PostgreSQL server started here (skipped, with the reason printed, when it cannot start).
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRelayStorage } from '../src/relay/storage/index.js';
import type { RelayStorage } from '../src/relay/storage/types.js';
import { SCHEMA_VERSION } from '../src/relay/storage/migrations.js';
import { tmpdir } from './helpers.js';
import { type TestPostgres, startPostgres } from './relay-helpers.js';
import { must } from './must.js';

let server: TestPostgres | undefined;
let skipReason: string | undefined;
let dbCount = 0;

beforeAll(async () => {
  const r = await startPostgres();
  if ('skip' in r) {
    skipReason = r.skip;
    console.log(`relay storage: PostgreSQL tests skipped: ${r.skip}`);
  } else server = r;
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

interface Backend {
  name: 'sqlite' | 'postgres';
  /** A URL/path of a fresh, empty database. */
  fresh(): Promise<string>;
  /** Run raw SQL on it (outside the storage layer). */
  raw(db: string, sql: string): Promise<void>;
}

const backends: Backend[] = [
  {
    name: 'sqlite',
    fresh: () => Promise.resolve(path.join(tmpdir(), 'relay.db')),
    // (an SQL error rejects, as it does on the PostgreSQL backend)
    raw: (db, sql) =>
      new Promise((resolve) => {
        const d = new Database(db);
        try {
          d.exec(sql);
        } finally {
          d.close();
        }
        resolve();
      }),
  },
  {
    name: 'postgres',
    fresh: async () => must(server).database(`relay_${++dbCount}`),
    raw: async (db, sql) => {
      const c = new pg.Client({ connectionString: db });
      await c.connect();
      try {
        await c.query(sql);
      } finally {
        await c.end();
      }
    },
  },
];

const member = (n: number, username = `user${n}`) => ({
  keyId: n.toString(16).padStart(32, '0'),
  username,
  boxKey: `box${n}`,
  signKey: `sign${n}`,
  record: `{"username":"${username}"}`,
  signature: `sig${n}`,
  joinedAt: 1000 + n,
});

describe.each(backends)('relay storage on $name', (b) => {
  const open = async (): Promise<{ s: RelayStorage; db: string } | undefined> => {
    if (b.name === 'postgres' && !server) return undefined;
    const db = await b.fresh();
    return { s: await openRelayStorage(db), db };
  };
  const skipIfNoServer = (ctx: { skip: (note?: string) => void }): void => {
    if (b.name === 'postgres' && !server) ctx.skip(skipReason);
  };

  it('migrates once and again without change; the relay key is made once', async (ctx) => {
    skipIfNoServer(ctx);
    const { s, db } = must((await open()));
    expect(await s.migrate()).toBe(SCHEMA_VERSION);
    const k1 = await s.relayKey(() => ({ publicKey: 'pub1', secretKey: 'sec1' }));
    const k2 = await s.relayKey(() => ({ publicKey: 'pub2', secretKey: 'sec2' }));
    expect(k1).toEqual({ publicKey: 'pub1', secretKey: 'sec1' });
    expect(k2).toEqual(k1);
    await s.close();
    const again = await openRelayStorage(db);
    expect((await again.dump())['schema_migrations']).toHaveLength(SCHEMA_VERSION);
    expect(await again.relayKey(() => ({ publicKey: 'x', secretKey: 'y' }))).toEqual(k1);
    await again.close();
  });

  it('the first member creates the space; others need a single-use invitation for their key', async (ctx) => {
    skipIfNoServer(ctx);
    const { s } = must((await open()));
    expect(await s.join(member(1, 'alice'), null, 10)).toBe('created');
    expect(await s.join(member(2), null, 11)).toBe('not-empty');
    expect(await s.join(member(1, 'alice'), null, 11)).toBe('exists');
    expect(await s.join(member(2), 'ab'.repeat(16), 12)).toBe('invitation-unknown');
    const inv = { id: 'cd'.repeat(16), boxKey: 'box2', username: 'user2', createdBy: member(1).keyId, createdAt: 20, expiresAt: 100, body: '{}', signature: 's' };
    await s.addInvitation(inv);
    expect(await s.join(member(3), inv.id, 30)).toBe('invitation-mismatch');
    expect(await s.join(member(2), inv.id, 200)).toBe('invitation-expired');
    expect(await s.join(member(2), inv.id, 30)).toBe('joined');
    expect(await s.join(member(4), inv.id, 31)).toBe('invitation-used');
    expect((await s.invitation(inv.id))?.usedBy).toBe(member(2).keyId);
    const all = await s.members();
    expect(all.map((m) => [m.username, m.role])).toEqual([
      ['alice', 'creator'],
      ['user2', 'member'],
    ]);
    expect(await s.removeMember(member(2).keyId, member(1).keyId, 40)).toBe(true);
    expect(await s.removeMember(member(2).keyId, member(1).keyId, 41)).toBe(false);
    expect((await s.member(member(2).keyId))?.removedAt).toBe(40);
    expect((await s.log()).map((l) => l.event)).toEqual(['created', 'invited', 'joined', 'removed']);
    await s.close();
  });

  it('only one of two concurrent first members creates the space', async (ctx) => {
    skipIfNoServer(ctx);
    const { s, db } = must((await open()));
    const s2 = await openRelayStorage(db);
    const outcomes = await Promise.all([s.join(member(1), null, 1), s2.join(member(2), null, 1), s.join(member(3), null, 1)]);
    expect(outcomes.filter((o) => o === 'created')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'not-empty')).toHaveLength(2);
    await s2.close();
    await s.close();
  });

  it('one sender\'s bundle is stored once; several acknowledgements are one transaction; a rejection is logged as such', async (ctx) => {
    skipIfNoServer(ctx);
    const { s } = must((await open()));
    const [a, c] = [member(1).keyId, member(2).keyId];
    const put = (id: string, sender: string, bundleId: string) => s.putEnvelope({ id: id.repeat(32), sender, recipient: c, createdAt: 100, body: Buffer.from('sealed'), bundleId });
    expect(await put('1', a, 'b'.repeat(32))).toEqual({ stored: true, id: '1'.repeat(32) });
    expect(await put('2', a, 'b'.repeat(32))).toEqual({ stored: false, id: '1'.repeat(32) });
    // Concurrent uploads of one bundle (two relay processes): one row.
    const both = await Promise.all([put('3', a, 'e'.repeat(32)), put('4', a, 'e'.repeat(32))]);
    expect(both.filter((x) => x.stored)).toHaveLength(1);
    expect(await put('5', c, 'b'.repeat(32))).toEqual({ stored: true, id: '5'.repeat(32) }); // another sender
    const ids = (await s.pending(c, 10)).map((e) => e.id);
    expect(ids).toHaveLength(3);
    const [i0, i1, i2] = [must(ids[0]), must(ids[1]), must(ids[2])];
    expect(await s.ackMany(c, [i0, i1, i0, 'f'.repeat(32)], 200, 'delivered')).toEqual([i0, i1]);
    expect(await s.ackMany(c, [i2], 201, 'rejected')).toEqual([i2]);
    expect(await s.ackMany(c, ids, 202, 'delivered')).toEqual([]);
    expect((await s.log()).filter((l) => l.event !== 'sent').map((l) => [l.event, l.envelopeId])).toEqual([
      ['delivered', i0],
      ['delivered', i1],
      ['rejected', i2],
    ]);
    await s.close();
  });

  it('envelopes wait for their recipient in order; an acknowledgement drops the body once', async (ctx) => {
    skipIfNoServer(ctx);
    const { s } = must((await open()));
    const [a, c] = [member(1).keyId, member(2).keyId];
    for (let i = 0; i < 3; i++) await s.putEnvelope({ id: String(i).repeat(32), sender: a, recipient: c, createdAt: 100 + i, body: Buffer.from(`sealed ${i}`) });
    await s.putEnvelope({ id: '9'.repeat(32), sender: c, recipient: a, createdAt: 104, body: Buffer.from('other') });
    const p = await s.pending(c, 10);
    expect(p.map((e) => e.body?.toString())).toEqual(['sealed 0', 'sealed 1', 'sealed 2']);
    expect(await s.pending(c, 2)).toHaveLength(2);
    expect(await s.ack(a, must(p[0]).id, 200)).toBe(false); // not addressed to a
    expect(await s.ack(c, must(p[0]).id, 200)).toBe(true);
    expect(await s.ack(c, must(p[0]).id, 201)).toBe(false);
    expect((await s.pending(c, 10)).map((e) => e.id)).toEqual([must(p[1]).id, must(p[2]).id]);
    const row = must(must((await s.dump())['envelopes']).find((r) => r['id'] === must(p[0]).id));
    expect(row['body']).toBeNull();
    expect(Number(row['delivered_at'])).toBe(200);
    expect((await s.log()).map((l) => [l.event, l.envelopeId])).toEqual([
      ['sent', must(p[0]).id],
      ['sent', must(p[1]).id],
      ['sent', must(p[2]).id],
      ['sent', '9'.repeat(32)],
      ['delivered', must(p[0]).id],
    ]);
    await s.close();
  });

  it('a batch is stored in order, a bundle uploaded before answers its first envelope; pages follow a cursor; PostgreSQL does it in few statements', async (ctx) => {
    skipIfNoServer(ctx);
    const { s } = must((await open()));
    await s.join(member(1), null, 1);
    const [a, c] = [member(1).keyId, member(2).keyId];
    const env = (i: number, bundle = i) => ({ id: i.toString(16).padStart(32, 'a'), sender: a, recipient: c, createdAt: 100 + i, body: Buffer.from(`sealed ${i}`), bundleId: bundle.toString(16).padStart(32, 'b') });
    expect(await s.putEnvelopes([env(1), env(2)])).toEqual([
      { stored: true, id: env(1).id },
      { stored: true, id: env(2).id },
    ]);
    expect(await s.putEnvelopes([env(3), env(4, 2), env(5)])).toEqual([
      { stored: true, id: env(3).id },
      { stored: false, id: env(2).id },
      { stored: true, id: env(5).id },
    ]);
    const all = await s.pending(c, 10);
    expect(all.map((e) => e.body?.toString())).toEqual(['sealed 1', 'sealed 2', 'sealed 3', 'sealed 5']);
    expect((await s.pending(c, 2, env(1).id)).map((e) => e.id)).toEqual([env(2).id, env(3).id]);
    expect(await s.pending(c, 10, env(5).id)).toEqual([]);
    expect(await s.pending(a, 10, env(1).id)).toEqual([]); // not a's envelope: nothing
    expect((await s.log()).filter((l) => l.event === 'sent').map((l) => l.envelopeId)).toEqual(all.map((e) => e.id));
    expect(await s.membersByKey([a, c, a])).toEqual([expect.objectContaining({ keyId: a })]);
    // What a relay request costs the database: the caller (and recipients) in one read, the
    // nonce, the upload; an acknowledgement of a whole batch in one statement.
    const cost = async (fn: () => Promise<unknown>): Promise<number> => {
      const before = s.statements;
      await fn();
      return s.statements - before;
    };
    const upload = await cost(async () => {
      await s.membersByKey([a, c]);
      await s.useNonce(a, 'n'.repeat(32), 1000, 2000);
      await s.putEnvelope(env(6));
    });
    const ack = await cost(() => s.ackMany(c, all.map((e) => e.id), 300, 'delivered'));
    if (b.name === 'postgres') {
      expect(upload).toBe(3);
      expect(ack).toBe(1);
    } else {
      expect(upload).toBe(6); // the transaction's BEGIN and COMMIT, the envelope, its log row
      expect(ack).toBe(2 + 2 * all.length);
    }
    expect((await s.pending(c, 10)).map((e) => e.id)).toEqual([env(6).id]);
    await s.close();
  });

  it("a batch's bodies of any size come back byte for byte; PostgreSQL stores them without compressing", async (ctx) => {
    skipIfNoServer(ctx);
    const { s, db } = must((await open()));
    await s.join(member(1), null, 1);
    const [a, c] = [member(1).keyId, member(2).keyId];
    // Sizes around PostgreSQL's out-of-line threshold (~2 KB) and a push's bundle (~135 KB), one
    // highly compressible, random bytes (any byte value), and an empty body.
    const bodies = [Buffer.alloc(0), randomBytes(1), randomBytes(2040), randomBytes(2100), Buffer.alloc(140_000, 'a'), randomBytes(135_000)];
    const envs = bodies.map((body, i) => ({ id: (i + 1).toString(16).padStart(32, 'a'), sender: a, recipient: c, createdAt: 100 + i, body, bundleId: (i + 1).toString(16).padStart(32, 'b') }));
    expect((await s.putEnvelopes(envs)).map((p) => p.stored)).toEqual(bodies.map(() => true));
    const back = await s.pending(c, 10);
    expect(back.map((e) => e.id)).toEqual(envs.map((e) => e.id));
    back.forEach((e, i) => {
      expect(must(e.body).equals(must(bodies[i]))).toBe(true);
    });
    await s.close();
    if (b.name !== 'postgres') return;
    const client = new pg.Client({ connectionString: db });
    await client.connect();
    try {
      const col = await client.query("SELECT attstorage FROM pg_attribute WHERE attrelid = 'envelopes'::regclass AND attname = 'body'");
      expect(col.rows).toEqual([{ attstorage: 'e' }]);
      // The 140,000 bytes of 'a' take 140,000 bytes: stored as they are, not compressed.
      const size = await client.query('SELECT pg_column_size(body) AS stored, octet_length(body) AS length FROM envelopes WHERE id = $1', [envs[4]?.id]);
      expect(size.rows).toEqual([{ stored: 140_000, length: 140_000 }]);
    } finally {
      await client.end();
    }
  });

  it('a nonce is accepted once; expired nonces are forgotten', async (ctx) => {
    skipIfNoServer(ctx);
    const { s } = must((await open()));
    const t = 1_000_000;
    expect(await s.useNonce('k', 'n1', t, t + 100)).toBe(true);
    expect(await s.useNonce('k', 'n1', t + 50, t + 150)).toBe(false);
    expect(await s.useNonce('other', 'n1', t + 50, t + 150)).toBe(true);
    expect(await s.useNonce('k', 'n2', t + 200, t + 300)).toBe(true); // expired ones wait for the next purge (once a minute)
    expect((await s.dump())['nonces']).toHaveLength(3);
    expect(await s.useNonce('k', 'n3', t + 60_000, t + 60_100)).toBe(true); // forgets n1 twice and n2
    expect(must((await s.dump())['nonces']).map((r) => r['nonce']).sort()).toEqual(['n3']);
    await s.close();
  });

  it('the log is append-only in the database itself', async (ctx) => {
    skipIfNoServer(ctx);
    const { s, db } = must((await open()));
    await s.join(member(1), null, 1);
    await s.close();
    await expect(b.raw(db, 'UPDATE log SET actor = 1')).rejects.toThrow(/append-only/);
    await expect(b.raw(db, 'DELETE FROM log')).rejects.toThrow(/append-only/);
  });
});
