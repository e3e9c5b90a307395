/**
 * The relay server (`seeqret relay serve`, docs/relay.md): Node's `http` (decision 48) over a
 * {@link RelayStorage}. It keeps no state of its own beyond a per-key rate limiter, so several
 * processes can serve one PostgreSQL database.
 *
 * Every request but `GET /v1/health` and `GET /v1/info` is authenticated by the member's Ed25519
 * signature over method, path, time, nonce and body digest: stale times, reused nonces, unknown
 * keys and removed members are refused, and a refused request changes nothing. Envelopes are
 * stored as they come (sealed bundles); the relay checks only their unencrypted header — that
 * the sender's key is the caller's and the recipient's key is the addressee's. Logs are one JSON
 * object a line and never contain a body.
 *
 * `GET /v1/envelopes?wait=MS&skip=N` waits (long poll) until more than N envelopes are pending for
 * the caller, at most MS: a stored envelope wakes it through {@link RelayStorage.subscribe}
 * (PostgreSQL `LISTEN/NOTIFY` across processes). That is what `seeqret watch` uses.
 *
 * @module
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { keyFromBase64, keyToBase64, generateIdentity } from '../crypto/index.js';
import { MAX_BATCH, envelopeRow, recipientsOf } from './uploads.js';
import { bodyDigest, checkPossessionProof, relayKeyId, verifyDetached } from '../crypto/relay.js';
import { SeeqretError, isSeeqretError } from '../errors.js';
import { HEADERS, type ErrorBody, RelayRefusal, parseInvitation, parseMemberRecord, signingText } from './protocol.js';
import type { MemberRow, RelayStorage } from './storage/types.js';
import { HEX32, field, json, malformed, queryInt, readBody, refuse } from './request.js';
import { Waiters } from './waiters.js';
import { JsonText, envelopeListing } from './json-text.js';

/** How the server is set up. */
export interface RelayServerOptions {
  readonly storage: RelayStorage;
  /** Largest request body accepted (bytes); larger ones get `E_RELAY_TOO_LARGE`. Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /** How far a request's time may be from the server's (ms). Default 5 minutes. */
  readonly windowMs?: number;
  /** Requests a key may make per second (sustained; twice that in a burst). Default 50. */
  readonly ratePerSecond?: number;
  /** Where log lines go (one object per event; the CLI writes them as JSON lines to its stderr). */
  readonly log: (entry: Record<string, unknown>) => void;
  /** The clock (milliseconds since the epoch) request times and records are checked and stamped with. Default `Date.now`. */
  readonly now?: () => number;
  /** Serve https with this certificate chain and key (PEM). Default: plain http. */
  readonly tls?: { readonly cert: Buffer | string; readonly key: Buffer | string };
  /** Longest `GET /v1/envelopes?wait=MS` accepted (ms). Default 60 s. */
  readonly maxWaitMs?: number;
}

/** A running relay. */
export interface RelayServer {
  readonly server: http.Server | https.Server;
  /** The requests waiting for an envelope now. */
  readonly waiting: () => number;
  listen(host: string, port: number): Promise<AddressInfo>;
  /** Stop accepting, finish the requests in flight, close the storage. */
  close(): Promise<void>;
}

const MAX_PENDING = 100;
/** What a request's handling knows besides the request. */
interface RequestContext {
  member?: string;
  /** Called when the client goes away before the answer (set by a waiting request). */
  gone?: () => void;
}

/** Create (not yet listening) a relay server. */
export async function createRelayServer(o: RelayServerOptions): Promise<RelayServer> {
  const storage = o.storage;
  const limit = o.maxBodyBytes ?? 1024 * 1024;
  const windowMs = o.windowMs ?? 5 * 60_000;
  const rate = o.ratePerSecond ?? 50;
  const log = o.log;
  const clock = o.now ?? Date.now;
  const relayKey = await storage.relayKey(() => {
    const k = generateIdentity();
    return { publicKey: keyToBase64(k.publicKey), secretKey: keyToBase64(k.secretKey) };
  });
  const storedSecret = keyFromBase64(relayKey.secretKey);
  if (storedSecret === null) {
    throw new SeeqretError('E_RELAY_STORAGE', 'the relay database holds a relay secret key that is not a key', 'Restore the relay database from a backup.');
  }
  const relaySecret: Buffer = storedSecret;
  const maxWaitMs = o.maxWaitMs ?? 60_000;
  const waiters = await Waiters.start(storage);
  const buckets = new Map<string, { tokens: number; at: number }>();

  function charge(keyId: string): void {
    const now = clock();
    const b = buckets.get(keyId) ?? { tokens: rate * 2, at: now };
    b.tokens = Math.min(rate * 2, b.tokens + ((now - b.at) / 1000) * rate);
    b.at = now;
    if (b.tokens < 1) throw refuse(429, 'E_RELAY_RATE', `too many requests from key ${keyId}`, 'Wait a second and retry.');
    b.tokens -= 1;
    buckets.set(keyId, b);
    if (buckets.size > 10_000) buckets.clear();
  }

  /** Check a request's signature headers against `signKey` (base64) and spend its nonce. */
  async function checkSignature(req: http.IncomingMessage, body: Buffer, keyId: string, signKey: string): Promise<void> {
    const time = req.headers[HEADERS.time];
    const nonce = req.headers[HEADERS.nonce];
    const sig = req.headers[HEADERS.signature];
    if (typeof time !== 'string' || !/^\d{1,16}$/.test(time) || typeof nonce !== 'string' || !HEX32.test(nonce) || typeof sig !== 'string') {
      throw refuse(401, 'E_RELAY_AUTH', 'the request is not signed (seeqret-time, seeqret-nonce, seeqret-signature)', 'Use the seeqret client (seeqret push, sync, relay …).');
    }
    const now = clock();
    const t = Number(time);
    if (Math.abs(now - t) > windowMs) {
      throw refuse(401, 'E_RELAY_STALE', `the request's time is ${Math.round((t - now) / 1000)} s from the relay's (allowed: ${windowMs / 1000} s)`, "Set the machine's clock (NTP) and retry.");
    }
    const ok = verifyDetached(Buffer.from(signKey, 'base64'), signingText(req.method ?? '', req.url ?? '', time, nonce, bodyDigest(body)), Buffer.from(sig, 'base64'));
    if (!ok) throw refuse(401, 'E_RELAY_AUTH', `the request's signature is not by the key of member ${keyId}`, "Sign with your own vault's key; a request cannot be made in another member's name.");
    // Kept past the time window, so a replay is refused either as stale or as a reused nonce.
    if (!(await storage.useNonce(keyId, nonce, now, Math.max(now, t) + 2 * windowMs))) {
      throw refuse(409, 'E_RELAY_REPLAY', 'this request was already made once (its nonce was used)', 'Nothing to do if it was a retry; every new request needs a new nonce (the seeqret client does that).');
    }
  }

  /**
   * Authenticate a member's request; `also` are key ids the request will need (an upload's
   * recipients), read in the same statement as the caller's. Returns the caller and those found.
   */
  async function authenticate(req: http.IncomingMessage, body: Buffer, also: readonly string[] = []): Promise<{ m: MemberRow; others: Map<string, MemberRow> }> {
    const keyId = req.headers[HEADERS.key];
    if (typeof keyId !== 'string' || !HEX32.test(keyId)) throw refuse(401, 'E_RELAY_AUTH', 'the request names no member key (seeqret-key)', 'Use the seeqret client (seeqret push, sync, relay …).');
    const rows = await storage.membersByKey([keyId, ...also]);
    const m = rows.find((r) => r.keyId === keyId);
    if (!m) throw refuse(401, 'E_RELAY_AUTH', `key ${keyId} is not a member of this relay`, 'Join with an invitation first (seeqret relay join URL INVITATION).');
    charge(keyId);
    await checkSignature(req, body, keyId, m.signKey);
    if (m.removedAt !== null) throw refuse(403, 'E_RELAY_REMOVED', `member ${m.username} (${keyId}) was removed from this relay`, 'Ask the relay\'s creator to invite you again.');
    return { m, others: new Map(rows.map((r) => [r.keyId, r])) };
  }

  function requireCreator(m: MemberRow): void {
    if (m.role !== 'creator') throw refuse(403, 'E_RELAY_FORBIDDEN', `only the relay's creator may do this; ${m.username} is a member`, "Ask the relay's creator.");
  }

  async function join(req: http.IncomingMessage, body: Buffer): Promise<unknown> {
    const b = json(body);
    const recordText = field(b, 'record');
    const record = parseMemberRecord(recordText);
    if (!record) throw malformed('"record" is not a member record');
    const keyId = relayKeyId(Buffer.from(record.boxKey, 'base64'));
    if (req.headers[HEADERS.key] !== keyId) throw refuse(401, 'E_RELAY_AUTH', 'the request key is not the key of the record', 'Use the seeqret client (seeqret relay join).');
    if (!verifyDetached(Buffer.from(record.signKey, 'base64'), Buffer.from(recordText, 'utf8'), Buffer.from(field(b, 'signature'), 'base64'))) {
      throw refuse(401, 'E_RELAY_AUTH', 'the member record is not signed by its own key', 'Use the seeqret client (seeqret relay join).');
    }
    if (!checkPossessionProof(relaySecret, Buffer.from(record.boxKey, 'base64'), Buffer.from(recordText, 'utf8'), Buffer.from(field(b, 'proof'), 'base64'))) {
      throw refuse(401, 'E_RELAY_AUTH', 'the joining vault did not prove it holds the secret key of its public key', 'Use the seeqret client (seeqret relay join) with your own vault.');
    }
    charge(keyId);
    await checkSignature(req, body, keyId, record.signKey);
    let invitationId: string | null = null;
    const inv = b['invitation'];
    if (inv !== undefined) {
      if (typeof inv !== 'object' || inv === null) throw malformed('"invitation" is not an object');
      const ib = inv as Record<string, unknown>;
      const invitation = parseInvitation(field(ib, 'body'));
      if (!invitation) throw malformed('"invitation.body" is not an invitation');
      const stored = await storage.invitation(invitation.id);
      const creator = stored ? await storage.member(stored.createdBy) : undefined;
      if (!stored || stored.body !== ib['body'] || !creator || creator.role !== 'creator' || !verifyDetached(Buffer.from(creator.signKey, 'base64'), Buffer.from(stored.body, 'utf8'), Buffer.from(field(ib, 'signature'), 'base64'))) {
        throw refuse(403, 'E_RELAY_INVITATION', 'this invitation was not issued by this relay\'s creator', "Ask the relay's creator for a new invitation (seeqret relay invite USER).");
      }
      invitationId = invitation.id;
    }
    const outcome = await storage.join({ keyId, username: record.username, boxKey: record.boxKey, signKey: record.signKey, record: recordText, signature: field(b, 'signature'), joinedAt: clock() }, invitationId, clock());
    const refusals: Partial<Record<typeof outcome, [number, SeeqretError['code'], string, string]>> = {
      'not-empty': [403, 'E_RELAY_INVITATION', 'this relay already has members: joining needs an invitation', "Ask the relay's creator: seeqret relay invite YOU."],
      'invitation-unknown': [403, 'E_RELAY_INVITATION', 'this invitation is not known to this relay', "Ask the relay's creator for a new invitation."],
      'invitation-used': [403, 'E_RELAY_INVITATION', 'this invitation was already used (invitations are single-use)', "Ask the relay's creator for a new invitation."],
      'invitation-expired': [403, 'E_RELAY_INVITATION', 'this invitation has expired', "Ask the relay's creator for a new invitation."],
      'invitation-mismatch': [403, 'E_RELAY_INVITATION', 'this invitation is for another key', 'Join from the vault whose public key the invitation was made for.'],
      exists: [409, 'E_EXISTS', 'this key is already a member of this relay', 'Nothing to do: run `seeqret relay members`.'],
    };
    const r = refusals[outcome];
    if (r) throw refuse(...r);
    return { keyId, role: outcome === 'created' ? 'creator' : 'member' };
  }

  /**
   * The caller's pending envelopes; with `wait`, not before more than `skip` are pending (those
   * the client could not load) or `wait` ms have passed. The wait is armed before each read, so
   * an envelope stored in between wakes it.
   */
  async function pendingFor(keyId: string, query: URLSearchParams, ctx: RequestContext): Promise<unknown> {
    const wait = queryInt(query, 'wait', maxWaitMs, 0);
    const skip = queryInt(query, 'skip', MAX_PENDING, 0);
    const afterText = query.get('after');
    if (afterText !== null && !HEX32.test(afterText)) throw malformed('"after" is not an envelope id');
    const after = afterText ?? undefined;
    const deadline = Date.now() + wait;
    for (;;) {
      const remaining = deadline - Date.now();
      const armed = remaining > 0 && !waiters.isClosed ? waiters.arm(keyId, remaining) : undefined;
      ctx.gone = armed
        ? () => {
            armed.wake();
          }
        : undefined;
      const rows = await storage.pending(keyId, MAX_PENDING, after);
      if (!armed || rows.length > skip) {
        armed?.wake();
        // Each envelope not scanned character by character for JSON escapes (json-text.ts).
        return envelopeListing(rows.map((e) => ({ id: e.id, from: e.sender, created: e.createdAt, envelope: e.body?.toString('utf8') ?? '' })));
      }
      await armed.woken;
      if (ctx.gone === undefined) return { envelopes: [] }; // the client went away
    }
  }

  async function route(req: http.IncomingMessage, body: Buffer, ctx: RequestContext): Promise<unknown> {
    const method = req.method ?? '';
    const [path = '', queryText = ''] = (req.url ?? '').split('?', 2);
    const key = `${method} ${path}`;
    if (key === 'GET /v1/health') {
      await storage.member('0'.repeat(32)); // the database answers
      return { ok: true, storage: storage.kind };
    }
    if (key === 'GET /v1/info') return { protocol: 'v1', relayKey: relayKey.publicKey };
    if (key === 'POST /v1/join') return join(req, body);
    const known = ['GET /v1/members', 'POST /v1/invitations', 'POST /v1/members/remove', 'POST /v1/envelopes', 'GET /v1/envelopes', 'POST /v1/envelopes/ack'];
    if (!known.includes(key)) throw refuse(404, 'E_RELAY_REQUEST', `no such endpoint: ${method} ${path}`, 'Use a seeqret client of the same protocol version (v1).');
    // An upload's body is parsed once, before authentication, to read its recipients with the
    // caller; a malformed one is refused only after authentication, as every other request.
    let parsed: Record<string, unknown> | undefined;
    if (key === 'POST /v1/envelopes') {
      try {
        parsed = json(body);
      } catch {
        parsed = undefined;
      }
    }
    const { m, others } = await authenticate(req, body, parsed ? recipientsOf(parsed) : []);
    ctx.member = m.keyId;
    const b = parsed ?? json(body);
    switch (key) {
      case 'GET /v1/members':
        return { members: (await storage.members()).map((x) => ({ keyId: x.keyId, username: x.username, role: x.role, record: x.record, signature: x.signature, joinedAt: x.joinedAt, removedAt: x.removedAt })) };
      case 'POST /v1/invitations': {
        requireCreator(m);
        const text = field(b, 'body');
        const inv = parseInvitation(text);
        if (!inv) throw malformed('"body" is not an invitation');
        const signature = field(b, 'signature');
        if (inv.createdBy !== m.keyId || !verifyDetached(Buffer.from(m.signKey, 'base64'), Buffer.from(text, 'utf8'), Buffer.from(signature, 'base64'))) {
          throw refuse(401, 'E_RELAY_AUTH', "the invitation is not signed by the creator's key", 'Use the seeqret client (seeqret relay invite).');
        }
        await storage.addInvitation({ id: inv.id, boxKey: inv.boxKey, username: inv.username, createdBy: m.keyId, createdAt: inv.created, expiresAt: inv.expires, body: text, signature });
        return { id: inv.id };
      }
      case 'POST /v1/members/remove': {
        requireCreator(m);
        const target = field(b, 'keyId', HEX32);
        if (target === m.keyId) throw refuse(403, 'E_RELAY_FORBIDDEN', "the relay's creator cannot remove itself", 'Nothing was changed.');
        if (!(await storage.removeMember(target, m.keyId, clock()))) throw refuse(404, 'E_RELAY_NOT_MEMBER', `${target} is not a current member`, 'Run `seeqret relay members`.');
        return { removed: target };
      }
      case 'POST /v1/envelopes': {
        const at = clock();
        if (b['envelopes'] !== undefined) {
          // A batch: every item is checked before any is stored; all are stored or none. An item
          // uploaded before (a retried batch) answers the envelope stored first, not an error.
          const items = b['envelopes'];
          if (!Array.isArray(items) || items.length === 0 || items.length > MAX_BATCH || !items.every((x): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x))) {
            throw malformed(`"envelopes" is not a list of 1 to ${MAX_BATCH} envelopes`);
          }
          const rows = items.map((x) => envelopeRow(m, others, x, at));
          if (new Set(rows.map((r) => r.bundleId)).size !== rows.length) throw malformed('"envelopes" holds one bundle twice');
          const put = await storage.putEnvelopes(rows);
          return { envelopes: put.map((p) => ({ id: p.id, stored: p.stored })) };
        }
        const row = envelopeRow(m, others, b, at);
        const [put] = await storage.putEnvelopes([row]);
        if (put && !put.stored) throw refuse(409, 'E_RELAY_REPLAY', `this envelope (bundle ${row.bundleId}) was already uploaded, as envelope ${put.id}`, 'Nothing to do: it is stored once (a retried push stops here); a new push makes a new bundle.');
        return { id: put?.id };
      }
      case 'GET /v1/envelopes':
        return pendingFor(m.keyId, new URLSearchParams(queryText), ctx);
      default: {
        // POST /v1/envelopes/ack: {"id"} or {"ids": […]} (one transaction); "rejected": true
        // disposes of envelopes the recipient refused (logged as rejected, not delivered).
        const ids = b['ids'] === undefined ? [field(b, 'id', HEX32)] : b['ids'];
        if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_PENDING || !ids.every((x): x is string => typeof x === 'string' && HEX32.test(x))) {
          throw malformed(`"ids" is not a list of 1 to ${MAX_PENDING} envelope ids`);
        }
        if (b['rejected'] !== undefined && typeof b['rejected'] !== 'boolean') throw malformed('"rejected" is not true or false');
        const done = await storage.ackMany(m.keyId, ids, clock(), b['rejected'] === true ? 'rejected' : 'delivered');
        if (b['ids'] === undefined && done.length === 0) throw refuse(404, 'E_NOT_FOUND', `no pending envelope ${ids[0] ?? ''} for you`, 'Nothing to do: it was acknowledged already.');
        return b['ids'] === undefined ? { acknowledged: done[0] } : { acknowledged: done };
      }
    }
  }

  let inFlight = 0;
  let idle: (() => void) | undefined;
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const started = clock();
    inFlight += 1;
    const ctx: RequestContext = {};
    res.on('close', () => {
      const gone = ctx.gone;
      ctx.gone = undefined;
      gone?.();
    });
    const finish = (status: number, payload: unknown, code?: string): void => {
      const text = payload instanceof JsonText ? payload.text : JSON.stringify(payload);
      // A body refused unread (413) leaves the connection unusable: close it rather than let the client reuse it.
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...(status === 413 ? { connection: 'close' } : {}) });
      res.end(text);
      // Never the body: method, path, status, who, how long.
      log({ time: new Date(clock()).toISOString(), level: status >= 500 ? 'error' : 'info', event: 'request', method: req.method, path: (req.url ?? '').split('?')[0], status, ms: clock() - started, ...(ctx.member ? { member: ctx.member } : {}), ...(code ? { code } : {}) });
      inFlight -= 1;
      if (inFlight === 0) idle?.();
    };
    readBody(req, limit)
      .then((body) => route(req, body, ctx))
      .then(
        (payload) => {
          finish(200, payload);
        },
        (e: unknown) => {
          if (e instanceof RelayRefusal) {
            const b: ErrorBody = { error: { code: e.code, message: e.message, fix: e.fix } };
            finish(e.status, b, e.code);
            return;
          }
          const code = isSeeqretError(e) ? e.code : 'E_INTERNAL';
          const b: ErrorBody = { error: { code: code === 'E_INTERNAL' ? 'E_RELAY_STORAGE' : code, message: 'the relay could not complete the request', fix: 'Retry; if it persists, the relay operator should check its logs.' } };
          log({ time: new Date(clock()).toISOString(), level: 'error', event: 'failure', error: (e as { code?: string }).code ?? (e as Error).name });
          finish(503, b, b.error.code);
        },
      );
  };
  let server: http.Server | https.Server;
  try {
    server = o.tls ? https.createServer({ cert: o.tls.cert, key: o.tls.key }, handler) : http.createServer(handler);
  } catch (e) {
    await waiters.close(); // a key that does not match its certificate
    throw e;
  }
  server.requestTimeout = 30_000;
  // Longer than clients keep idle connections: a client must not send on a socket the relay is closing.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 10_000;

  return {
    server,
    waiting: () => waiters.size,
    listen(host: string, port: number): Promise<AddressInfo> {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const a = server.address() as AddressInfo;
          log({ time: new Date(clock()).toISOString(), level: 'info', event: 'listening', address: a.address, port: a.port, tls: o.tls !== undefined, storage: storage.kind });
          resolve(a);
        });
      });
    },
    async close(): Promise<void> {
      const closed = new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
      server.closeIdleConnections();
      await waiters.close(); // waiting requests answer now
      if (inFlight > 0) await new Promise<void>((resolve) => (idle = resolve));
      server.closeAllConnections();
      await closed;
      await storage.close();
      log({ time: new Date(clock()).toISOString(), level: 'info', event: 'stopped' });
    },
  };
}

