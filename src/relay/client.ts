/**
 * The relay client: signed requests to a relay (docs/relay.md) with the vault's keys. Refusals
 * come back as the relay's {@link SeeqretError} (same stable code); a relay that cannot be
 * reached is `E_RELAY_UNREACHABLE`.
 *
 * @module
 */
import { fingerprint, keyToBase64, randomBytes } from '../crypto/index.js';
import { bodyDigest, possessionProof, relayKeyId, relaySigningKey, signDetached, verifyDetached } from '../crypto/relay.js';
import { type ErrorCode, ERROR_CODES, SeeqretError } from '../errors.js';
import { Transport, type TransportOptions, isCertificateError } from './transport.js';
import { HEADERS, type Invitation, type MemberRecord, invitationText, invitationToken, memberRecordText, parseMemberRecord, readInvitationToken, signingText } from './protocol.js';
import { JsonText, envelopesBody } from './json-text.js';

/** Most envelopes {@link RelayClient.sendMany} puts in one request (the relay's limit). */
export const BATCH_ENVELOPES = 100;
/**
 * About how much envelope text {@link RelayClient.sendMany} puts in one request: under the relay's
 * default 1 MiB body limit with room for JSON escaping (bundles are mostly base64). A relay with a
 * smaller limit refuses a batch whole (`E_RELAY_TOO_LARGE`), and it is sent again in halves.
 */
export const BATCH_BYTES = 896 * 1024;

/** Most envelopes one listing (`GET /v1/envelopes`) holds: the relay's page. A shorter page is the last one. */
export const PAGE_ENVELOPES = 100;

/** How long a repeatable request is retried while the relay cannot be reached or its database is away. */
export const RETRY_MS = 20_000;
/** The errors a repeatable request is made again on: relay unreachable, its database away (503), rate limit (429). */
const RETRIED_CODES: ReadonlySet<string> = new Set(['E_RELAY_UNREACHABLE', 'E_RELAY_STORAGE', 'E_RELAY_RATE']);
const isRetried = (e: unknown): boolean => (e as { retried?: unknown }).retried === true;

/** Options of one {@link RelayClient.request}. */
export interface RequestOptions {
  /** Ends the request (an `AbortError`); a request whose signal fired is not retried. */
  readonly signal?: AbortSignal;
  /** Give up after this much silence (default 60 s). */
  readonly timeoutMs?: number;
  /** Repeat on {@link RETRIED_CODES} for up to {@link RETRY_MS}: only for requests safe to repeat. */
  readonly retry?: boolean;
}

/** A member as the relay lists it, with what the client checked. */
export interface RelayMember {
  readonly keyId: string;
  readonly username: string;
  readonly role: 'creator' | 'member';
  readonly joinedAt: number;
  readonly removedAt: number | null;
  /** The record, when its self-signature and key id check out; undefined when the relay altered it. */
  readonly record: MemberRecord | undefined;
}

/** A pending envelope. */
export interface RelayEnvelope {
  readonly id: string;
  /** Sender's key id. */
  readonly from: string;
  readonly created: number;
  /** The sealed bundle text. */
  readonly envelope: string;
}

/** The vault keys a client acts with. */
export interface RelayIdentity {
  readonly username: string;
  /** X25519. */
  readonly publicKey: Buffer;
  readonly secretKey: Buffer;
}

/** Talks to one relay as one member. */
export class RelayClient {
  readonly keyId: string;
  private readonly sign: { publicKey: Buffer; secretKey: Buffer };
  private readonly transport: Transport;

  constructor(
    readonly url: string,
    private readonly id: RelayIdentity,
    options: TransportOptions = {},
  ) {
    this.keyId = relayKeyId(id.publicKey);
    this.sign = relaySigningKey(id.secretKey);
    this.transport = new Transport(url, options);
  }

  /** Close the connections kept open (with `keepAlive`). */
  close(): void {
    this.transport.close();
  }

  /**
   * Make a signed request (or an unsigned one for health/info); returns the JSON answer. With
   * `retry`, a request that cannot reach the relay, that the relay answers 503 (its database
   * is away) or 429 (the per-key rate limit), is made again (a new nonce each time) for up to
   * {@link RETRY_MS}: only for requests that are safe to repeat (reads, uploads the relay stores
   * once, acknowledgements). A request whose `signal` fired is never made again. Without
   * `timeoutMs` a request gives up after 60 s of silence.
   */
  async request(method: 'GET' | 'POST', path: string, body?: unknown, signed = true, opts: RequestOptions = {}): Promise<Record<string, unknown>> {
    const deadline = Date.now() + RETRY_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once(method, path, body, signed, opts);
      } catch (e) {
        const again = opts.retry === true && !opts.signal?.aborted && e instanceof SeeqretError && RETRIED_CODES.has(e.code) && Date.now() < deadline;
        if (!again) {
          if (attempt > 0 && e instanceof SeeqretError) throw Object.assign(e, { retried: true });
          throw e;
        }
        await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** attempt, 1000)));
      }
    }
  }

  private async once(method: 'GET' | 'POST', path: string, body: unknown, signed: boolean, opts: RequestOptions): Promise<Record<string, unknown>> {
    const payload = body === undefined ? Buffer.alloc(0) : Buffer.from(body instanceof JsonText ? body.text : JSON.stringify(body), 'utf8');
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (signed) {
      const time = String(Date.now());
      const nonce = randomBytes(16).toString('hex');
      headers[HEADERS.key] = this.keyId;
      headers[HEADERS.time] = time;
      headers[HEADERS.nonce] = nonce;
      headers[HEADERS.signature] = signDetached(this.sign.secretKey, signingText(method, path, time, nonce, bodyDigest(payload))).toString('base64');
    }
    let res: { status: number; text: string };
    try {
      res = await this.transport.request(method, new URL(path, this.url), headers, payload, {
        ...(opts.signal ? { signal: opts.signal } : {}),
        timeoutMs: opts.timeoutMs ?? 60_000,
      });
    } catch (e) {
      if (opts.signal?.aborted) throw e;
      // The socket's error (an AggregateError's first when several addresses were tried).
      const c = e as { code?: string; message?: string; errors?: ReadonlyArray<{ code?: string }> };
      const cause = c.code ?? c.errors?.[0]?.code ?? c.message ?? (e as Error).name;
      const fix = isCertificateError(c.code)
        ? "The relay's certificate is not trusted: give its CA with --ca CA.pem (relay create/join) or \"ca\" in VAULT/relay.json."
        : 'Check the URL and that the relay runs (curl URL/v1/health).';
      throw new SeeqretError('E_RELAY_UNREACHABLE', `cannot reach the relay ${this.url} (${cause})`, fix, { cause: e });
    }
    let answer: unknown;
    try {
      answer = JSON.parse(res.text);
    } catch {
      throw new SeeqretError('E_RELAY_UNREACHABLE', `${this.url} answered ${res.status} without a relay answer`, 'Check the URL: it must be a seeqret relay.');
    }
    const err = (answer as { error?: { code?: string; message?: string | number | boolean; fix?: string | number | boolean } } | null)?.error;
    if (res.status < 200 || res.status > 299 || err) {
      const code = (err?.code && err.code in ERROR_CODES ? err.code : 'E_RELAY_REQUEST') as ErrorCode;
      throw new SeeqretError(code, `relay: ${String(err?.message ?? `status ${res.status}`).split('\n')[0]}`, String(err?.fix ?? 'Check the relay.').split('\n')[0] ?? '');
    }
    return answer as Record<string, unknown>;
  }

  /** The relay's X25519 key (base64). */
  async relayKey(): Promise<string> {
    const info = await this.request('GET', '/v1/info', undefined, false);
    if (typeof info['relayKey'] !== 'string') throw new SeeqretError('E_RELAY_REQUEST', `${this.url} is not a seeqret relay (no relay key)`, 'Check the URL.');
    return info['relayKey'];
  }

  /**
   * Check an invitation token without contacting the relay: its form, that it is for this
   * vault's key, not expired, and signed by the creator whose self-signed record it carries
   * (whose key id it names). `E_RELAY_INVITATION` otherwise.
   */
  checkInvitation(token: string, now = Date.now()): { invitation: Invitation; creator: MemberRecord; body: string; signature: string } {
    const t = readInvitationToken(token);
    const bad = (why: string, fix = "Ask the relay's creator for a new invitation (seeqret relay invite USER).") => new SeeqretError('E_RELAY_INVITATION', `this invitation ${why}`, fix);
    if (t.invitation.boxKey !== keyToBase64(this.id.publicKey)) {
      throw bad(`is for another key (made for ${t.invitation.username}, fingerprint ${fingerprint(Buffer.from(t.invitation.boxKey, 'base64'))})`, 'Join from the vault the invitation was made for, or ask for one for your key (seeqret public-key).');
    }
    if (t.invitation.expires < now) throw bad(`expired on ${new Date(t.invitation.expires).toISOString()}`);
    const c = t.creator.parsed;
    const recordOk = verifyDetached(Buffer.from(c.signKey, 'base64'), Buffer.from(t.creator.record, 'utf8'), Buffer.from(t.creator.signature, 'base64'));
    if (!recordOk || relayKeyId(Buffer.from(c.boxKey, 'base64')) !== t.invitation.createdBy) throw bad("carries a creator's record that does not check out (altered?)");
    if (!verifyDetached(Buffer.from(c.signKey, 'base64'), Buffer.from(t.body, 'utf8'), Buffer.from(t.signature, 'base64'))) throw bad("is not signed by its creator's key (altered?)");
    return { invitation: t.invitation, creator: c, body: t.body, signature: t.signature };
  }

  /** Join with an invitation token (checked first, offline), or create the space (no token, an empty relay). */
  async join(token: string | null): Promise<{ keyId: string; role: string; relayKey: string }> {
    const checked = token === null ? undefined : this.checkInvitation(token);
    const relayKey = await this.relayKey();
    const record: MemberRecord = { v: 1, username: this.id.username, boxKey: keyToBase64(this.id.publicKey), signKey: keyToBase64(this.sign.publicKey), created: Date.now() };
    const text = memberRecordText(record);
    const body: Record<string, unknown> = {
      record: text,
      signature: signDetached(this.sign.secretKey, Buffer.from(text, 'utf8')).toString('base64'),
      proof: possessionProof(this.id.secretKey, Buffer.from(relayKey, 'base64'), Buffer.from(text, 'utf8')).toString('base64'),
    };
    if (checked) body['invitation'] = { body: checked.body, signature: checked.signature };
    const r = await this.request('POST', '/v1/join', body);
    return { keyId: String(r['keyId']), role: String(r['role']), relayKey };
  }

  /** Every member, each record checked (self-signature, key id). */
  async members(): Promise<RelayMember[]> {
    const r = await this.request('GET', '/v1/members');
    const list = Array.isArray(r['members']) ? (r['members'] as Record<string, unknown>[]) : [];
    return list.map((m) => {
      const record = typeof m['record'] === 'string' ? parseMemberRecord(m['record']) : undefined;
      const good =
        record !== undefined &&
        typeof m['signature'] === 'string' &&
        verifyDetached(Buffer.from(record.signKey, 'base64'), Buffer.from(m['record'] as string, 'utf8'), Buffer.from(m['signature'], 'base64')) &&
        relayKeyId(Buffer.from(record.boxKey, 'base64')) === m['keyId'] &&
        record.username === m['username'];
      return {
        keyId: String(m['keyId']),
        username: String(m['username']),
        role: m['role'] === 'creator' ? 'creator' : 'member',
        joinedAt: Number(m['joinedAt']),
        removedAt: m['removedAt'] === null ? null : Number(m['removedAt']),
        record: good ? record : undefined,
      };
    });
  }

  /** Sign and register a single-use invitation for `username`'s X25519 key; returns the token to hand them. */
  async invite(username: string, boxKey: Buffer, ttlMs: number): Promise<string> {
    const now = Date.now();
    const inv: Invitation = { v: 1, id: randomBytes(16).toString('hex'), username, boxKey: keyToBase64(boxKey), createdBy: this.keyId, created: now, expires: now + ttlMs };
    const text = invitationText(inv);
    const signature = signDetached(this.sign.secretKey, Buffer.from(text, 'utf8')).toString('base64');
    // The creator's own record as the relay holds it goes in the token: the joiner checks the signature before contacting the relay.
    const r = await this.request('GET', '/v1/members');
    const mine = (Array.isArray(r['members']) ? (r['members'] as Record<string, unknown>[]) : []).find((m) => m['keyId'] === this.keyId);
    const record = typeof mine?.['record'] === 'string' ? mine['record'] : '';
    const parsed = parseMemberRecord(record);
    if (!parsed || parsed.signKey !== keyToBase64(this.sign.publicKey) || typeof mine?.['signature'] !== 'string') {
      throw new SeeqretError('E_RELAY_KEY_CHANGED', "the relay's record of you (the creator) is missing or is not your key", 'Do not invite through it: tell the relay operator.');
    }
    await this.request('POST', '/v1/invitations', { body: text, signature });
    return invitationToken(text, signature, { record, signature: mine['signature'] });
  }

  async remove(keyId: string): Promise<void> {
    await this.request('POST', '/v1/members/remove', { keyId });
  }

  /**
   * Upload a sealed bundle for the member `to` (key id); returns the envelope id. Retried when
   * the relay cannot be reached: the relay stores one sender's bundle once, so when the first
   * attempt landed and only its answer was lost, the retry's `E_RELAY_REPLAY` names it.
   */
  async send(to: string, envelope: string): Promise<string> {
    try {
      return String((await this.request('POST', '/v1/envelopes', { to, envelope }, true, { retry: true }))['id']);
    } catch (e) {
      const landed = e instanceof SeeqretError && e.code === 'E_RELAY_REPLAY' && isRetried(e) ? /as envelope ([0-9a-f]{32})/.exec(e.message) : null;
      if (landed?.[1]) return landed[1];
      throw e;
    }
  }

  /**
   * Upload several sealed bundles (`to`: each recipient's key id) in as few signed requests as
   * fit: at most {@link BATCH_ENVELOPES} envelopes and about {@link BATCH_BYTES} of envelope text
   * a request (an envelope larger than that goes alone; a batch the relay finds too large is split). Each request is stored all or nothing
   * and retried like {@link send}: an envelope that landed before answers the id stored first.
   * Returns the envelope ids in the order given.
   */
  async sendMany(items: readonly { readonly to: string; readonly envelope: string }[]): Promise<string[]> {
    const ids: string[] = [];
    const upload = async (chunk: readonly { to: string; envelope: string }[]): Promise<void> => {
      let r: Record<string, unknown>;
      try {
        // The bundle texts are not scanned character by character for JSON escapes (json-text.ts).
        r = await this.request('POST', '/v1/envelopes', envelopesBody(chunk), true, { retry: true });
      } catch (e) {
        // A relay with a smaller body limit refused it whole (nothing stored): send it in halves.
        if (!(e instanceof SeeqretError && e.code === 'E_RELAY_TOO_LARGE' && chunk.length > 1)) throw e;
        const half = Math.ceil(chunk.length / 2);
        await upload(chunk.slice(0, half));
        await upload(chunk.slice(half));
        return;
      }
      const answers = Array.isArray(r['envelopes']) ? (r['envelopes'] as { id?: unknown }[]) : [];
      if (answers.length !== chunk.length || !answers.every((a) => typeof a.id === 'string')) {
        throw new SeeqretError('E_RELAY_REQUEST', `${this.url} answered an upload of ${chunk.length} envelopes with ${answers.length} ids`, 'Check the relay (a seeqret relay of the same protocol version).');
      }
      for (const a of answers) ids.push(String(a.id));
    };
    let chunk: { to: string; envelope: string }[] = [];
    let bytes = 0;
    for (const item of items) {
      if (chunk.length >= BATCH_ENVELOPES || (chunk.length > 0 && bytes + item.envelope.length > BATCH_BYTES)) {
        await upload(chunk);
        chunk = [];
        bytes = 0;
      }
      chunk.push({ to: item.to, envelope: item.envelope });
      bytes += item.envelope.length;
    }
    if (chunk.length > 0) await upload(chunk);
    return ids;
  }

  /**
   * The envelopes pending for this member, oldest first (at most 100 a call); with `after` (an
   * envelope id), those stored after it — the next page. With `waitMs`, the
   * relay answers as soon as more than `skip` are pending (those the caller could not load), at
   * the latest after `waitMs`. A plain read is retried ({@link RETRY_MS}); a long poll is not
   * (its caller, `watch`, reconnects with its own backoff).
   */
  async pending(wait?: { waitMs: number; skip: number; signal?: AbortSignal }, after?: string): Promise<RelayEnvelope[]> {
    const r = wait
      ? await this.request('GET', `/v1/envelopes?wait=${wait.waitMs}&skip=${wait.skip}`, undefined, true, { ...(wait.signal ? { signal: wait.signal } : {}), timeoutMs: wait.waitMs + 30_000 })
      : await this.request('GET', after === undefined ? '/v1/envelopes' : `/v1/envelopes?after=${encodeURIComponent(after)}`, undefined, true, { retry: true });
    return Array.isArray(r['envelopes']) ? (r['envelopes'] as RelayEnvelope[]) : [];
  }

  /** Acknowledge one envelope (after its load committed). */
  async ack(id: string): Promise<void> {
    await this.ackMany([id]);
  }

  /** Acknowledge envelopes in one request (one transaction on the relay); `rejected` disposes of refused ones. Returns those that were pending. */
  async ackMany(ids: readonly string[], rejected = false): Promise<string[]> {
    if (ids.length === 0) return [];
    const r = await this.request('POST', '/v1/envelopes/ack', { ids, ...(rejected ? { rejected } : {}) }, true, { retry: true });
    return Array.isArray(r['acknowledged']) ? (r['acknowledged'] as string[]) : [];
  }
}
