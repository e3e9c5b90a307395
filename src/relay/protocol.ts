/**
 * The relay's wire protocol, shared by the server and the client (docs/relay.md):
 * request signatures, member records, invitations and error bodies.
 *
 * Every request except the health and info endpoints carries four headers:
 * `seeqret-key` (the member's key id), `seeqret-time` (unix ms), `seeqret-nonce` (32 hex digits,
 * never reused) and `seeqret-signature`: the member's Ed25519 signature (base64) of
 * {@link signingText} — method, path, time, nonce and the BLAKE2b-256 of the body.
 *
 * @module
 */
import { SeeqretError, type ErrorCode } from '../errors.js';
import { USERNAME_RE as USER } from '../vault/vault.js';

/** The protocol version (the path prefix). */
export const PROTOCOL = 'v1';

/** Header names (lower case, as Node gives them). */
export const HEADERS = { key: 'seeqret-key', time: 'seeqret-time', nonce: 'seeqret-nonce', signature: 'seeqret-signature' } as const;

/** What a request signature covers. */
export function signingText(method: string, path: string, time: string, nonce: string, bodyDigest: string): Buffer {
  return Buffer.from(`seeqret-relay/v1\n${method}\n${path}\n${time}\n${nonce}\n${bodyDigest}`, 'utf8');
}

/** A member's self-signed record (the signature is by `signKey`). */
export interface MemberRecord {
  readonly v: 1;
  readonly username: string;
  /** X25519 public key, base64. */
  readonly boxKey: string;
  /** Ed25519 public key, base64. */
  readonly signKey: string;
  readonly created: number;
}

/** A single-use invitation, signed by the creator's signing key. */
export interface Invitation {
  readonly v: 1;
  /** 32 hex digits. */
  readonly id: string;
  readonly username: string;
  /** The invited X25519 public key (base64): only its holder can join with it. */
  readonly boxKey: string;
  /** The creator's key id. */
  readonly createdBy: string;
  readonly created: number;
  readonly expires: number;
}

/** Canonical text of a member record (fixed field order): what is signed and stored. */
export function memberRecordText(r: MemberRecord): string {
  return JSON.stringify({ v: r.v, username: r.username, boxKey: r.boxKey, signKey: r.signKey, created: r.created });
}

/** Canonical text of an invitation (fixed field order). */
export function invitationText(i: Invitation): string {
  return JSON.stringify({ v: i.v, id: i.id, username: i.username, boxKey: i.boxKey, createdBy: i.createdBy, created: i.created, expires: i.expires });
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
/** The JSON value of `text`, or undefined when it is not JSON. */
function jsonOf(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
const B64_KEY = /^[A-Za-z0-9+/]{43}=$/;
const HEX32 = /^[0-9a-f]{32}$/;

/** Parse the canonical text of a member record; undefined when it is not exactly one. */
export function parseMemberRecord(text: string): MemberRecord | undefined {
  const o = jsonOf(text);
  if (!isObject(o) || o['v'] !== 1 || typeof o['username'] !== 'string' || !USER.test(o['username'])) return undefined;
  if (typeof o['boxKey'] !== 'string' || !B64_KEY.test(o['boxKey']) || typeof o['signKey'] !== 'string' || !B64_KEY.test(o['signKey'])) return undefined;
  if (!Number.isSafeInteger(o['created'])) return undefined;
  const r = o as unknown as MemberRecord;
  return memberRecordText(r) === text ? r : undefined;
}

/** Parse the canonical text of an invitation; undefined when it is not exactly one. */
export function parseInvitation(text: string): Invitation | undefined {
  const o = jsonOf(text);
  if (!isObject(o) || o['v'] !== 1 || typeof o['id'] !== 'string' || !HEX32.test(o['id']) || typeof o['username'] !== 'string' || !USER.test(o['username'])) return undefined;
  if (typeof o['boxKey'] !== 'string' || !B64_KEY.test(o['boxKey']) || typeof o['createdBy'] !== 'string' || !HEX32.test(o['createdBy'])) return undefined;
  if (!Number.isSafeInteger(o['created']) || !Number.isSafeInteger(o['expires'])) return undefined;
  const i = o as unknown as Invitation;
  return invitationText(i) === text ? i : undefined;
}

const TOKEN_PREFIX = 'seeqret-invitation-v1.';

/** The creator's member record as the relay lists it, carried in a token so that the joiner can check the invitation's signature offline. */
export interface SignedRecord {
  readonly record: string;
  readonly signature: string;
}

/** The text a creator hands to the person invited: the signed invitation and the creator's signed record, base64url. */
export function invitationToken(body: string, signature: string, creator: SignedRecord): string {
  return TOKEN_PREFIX + Buffer.from(JSON.stringify({ body, signature, creator }), 'utf8').toString('base64url');
}

/** Read an invitation token (its form only; signatures are checked by the client); `E_RELAY_INVITATION` when it is not one. */
export function readInvitationToken(token: string): { body: string; signature: string; invitation: Invitation; creator: SignedRecord & { parsed: MemberRecord } } {
  const bad = new SeeqretError('E_RELAY_INVITATION', 'this is not a seeqret relay invitation', `Paste the whole text the relay's creator gave you (it starts with ${TOKEN_PREFIX}).`);
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 16_384) throw bad;
  let o: unknown;
  try {
    o = JSON.parse(Buffer.from(token.slice(TOKEN_PREFIX.length), 'base64url').toString('utf8'));
  } catch {
    throw bad;
  }
  if (!isObject(o) || typeof o['body'] !== 'string' || typeof o['signature'] !== 'string') throw bad;
  const invitation = parseInvitation(o['body']);
  const c = o['creator'];
  if (!invitation || !isObject(c) || typeof c['record'] !== 'string' || typeof c['signature'] !== 'string') throw bad;
  const parsed = parseMemberRecord(c['record']);
  if (!parsed) throw bad;
  return { body: o['body'], signature: o['signature'], invitation, creator: { record: c['record'], signature: c['signature'], parsed } };
}

/** The body of every error response. */
export interface ErrorBody {
  readonly error: { readonly code: ErrorCode; readonly message: string; readonly fix: string };
}

/** An error the relay answers with: its stable code, HTTP status and a one-line fix. */
export class RelayRefusal extends SeeqretError {
  constructor(
    readonly status: number,
    code: ErrorCode,
    message: string,
    fix: string,
  ) {
    super(code, message, fix);
  }
}
