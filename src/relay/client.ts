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

  /** Make a signed request (or an unsigned one for health/info); returns the JSON answer. */
  async request(method: 'GET' | 'POST', path: string, body?: unknown, signed = true, opts: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<Record<string, unknown>> {
    const payload = body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body), 'utf8');
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
      res = await this.transport.request(method, new URL(path, this.url), headers, payload, opts);
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

  /** Join with an invitation token, or create the space (no token, an empty relay). */
  async join(token: string | null): Promise<{ keyId: string; role: string; relayKey: string }> {
    const relayKey = await this.relayKey();
    const record: MemberRecord = { v: 1, username: this.id.username, boxKey: keyToBase64(this.id.publicKey), signKey: keyToBase64(this.sign.publicKey), created: Date.now() };
    const text = memberRecordText(record);
    const body: Record<string, unknown> = {
      record: text,
      signature: signDetached(this.sign.secretKey, Buffer.from(text, 'utf8')).toString('base64'),
      proof: possessionProof(this.id.secretKey, Buffer.from(relayKey, 'base64'), Buffer.from(text, 'utf8')).toString('base64'),
    };
    if (token !== null) {
      const t = readInvitationToken(token);
      if (t.invitation.boxKey !== record.boxKey) {
        throw new SeeqretError('E_RELAY_INVITATION', `this invitation is for another key (made for ${t.invitation.username}, fingerprint ${fingerprint(Buffer.from(t.invitation.boxKey, 'base64'))})`, 'Join from the vault the invitation was made for, or ask for one for your key (seeqret public-key).');
      }
      body['invitation'] = { body: t.body, signature: t.signature };
    }
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
    await this.request('POST', '/v1/invitations', { body: text, signature });
    return invitationToken(text, signature);
  }

  async remove(keyId: string): Promise<void> {
    await this.request('POST', '/v1/members/remove', { keyId });
  }

  /** Upload a sealed bundle for the member `to` (key id); returns the envelope id. */
  async send(to: string, envelope: string): Promise<string> {
    return String((await this.request('POST', '/v1/envelopes', { to, envelope }))['id']);
  }

  /**
   * The envelopes pending for this member. With `waitMs`, the relay answers as soon as more than
   * `skip` are pending (those the caller could not load), at the latest after `waitMs`.
   */
  async pending(wait?: { waitMs: number; skip: number; signal?: AbortSignal }): Promise<RelayEnvelope[]> {
    const r = wait
      ? await this.request('GET', `/v1/envelopes?wait=${wait.waitMs}&skip=${wait.skip}`, undefined, true, { ...(wait.signal ? { signal: wait.signal } : {}), timeoutMs: wait.waitMs + 30_000 })
      : await this.request('GET', '/v1/envelopes');
    return Array.isArray(r['envelopes']) ? (r['envelopes'] as RelayEnvelope[]) : [];
  }

  async ack(id: string): Promise<void> {
    await this.request('POST', '/v1/envelopes/ack', { id });
  }
}
