/**
 * The old seeqret tool's (Python 1.0.x and its JS port) transfer formats, both ways:
 * the `json-crypt` serializer (version 1, the old default; ./v1-json-crypt.ts) and the `command`
 * serializer (./v1-command.ts). This module holds their shared types, checks and format detection.
 *
 * Both box every value separately with NaCl `crypto_box` from the sender's secret key to the
 * recipient's public key (see `src/crypto/box.ts`). Everything else — app, env, key, type,
 * updated_at, from, to — is unauthenticated in these formats: a box that opens only proves the
 * value came from the sender, not which name it belongs to. The json-crypt `signature` and the
 * command `fp5` are unkeyed SHA-256 checks; we verify them (a mismatch means the data was altered
 * or relabelled) but they prove little against a deliberate attacker. Callers should say so.
 *
 * Unlike the old tool (ASCII only) values are full UTF-8 both ways; decoding is strict.
 * Parsing is all-or-nothing: one bad entry rejects the whole input, and no error message ever
 * contains a value.
 *
 * @module
 */
import { sha256Hex } from '../crypto/box.js';
import { wipe } from '../crypto/index.js';
import { SeeqretError } from '../errors.js';
import { codePointCompare } from '../util/compare.js';
import { LOAD_LINE_RE } from './v1-command.js';

/** One secret as the old tool exchanges it (plaintext value). */
export interface V1Secret {
  /** Application name; the literal `*` for global secrets. */
  app: string;
  /** Environment name; the literal `*` for global secrets. */
  env: string;
  /** Secret name. */
  key: string;
  /** The old tool's value type, normally `str`. */
  type: string;
  /** The plaintext value (any UTF-8 text). */
  value: string;
  /** Last update in unix seconds, or `null` when unknown (always `null` from the command format). */
  updatedAt: number | null;
}

/** A user record as the old tool stores and exchanges it. */
export interface V1User {
  /** Username (the old tool used `user@host`). */
  username: string;
  /** Email address, or `null` when unknown. */
  email: string | null;
  /** Standard base64 (44 characters) of the user's 32-byte X25519 public key. */
  pubkey: string;
  /** Display name, or `null`/absent when unknown. */
  name?: string | null;
}

/** The old tool's transfer formats this module understands. */
export type V1Format = 'json-crypt' | 'command';

/** What {@link parseJsonCrypt} returns. */
export interface JsonCryptContents {
  /** The file's `from` record (unauthenticated: taken from the file as is). */
  from: V1User;
  /** The file's `to` record (unauthenticated). */
  to: V1User;
  /** Every secret, decrypted, in file order. */
  secrets: V1Secret[];
  /** True when the file had a `signature` and it matched; false when it had none. */
  signatureVerified: boolean;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
export const LONE_SURROGATE_RE = /[\uD800-\uDFFF]/u;

/** A name made safe for a one-line message (control and line-breaking characters escaped). */
export function show(s: string): string {
  // eslint-disable-next-line no-control-regex -- escaping the C0 and C1 control characters is the point.
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `app:env:key` of a secret, for messages. */
export function label(s: { app: string; env: string; key: string }): string {
  return `${show(s.app)}:${show(s.env)}:${show(s.key)}`;
}

export function formatError(message: string, fix = 'Ask the sender to export the secrets again.'): SeeqretError {
  return new SeeqretError('E_BUNDLE_FORMAT', message, fix);
}

export function authError(message: string): SeeqretError {
  return new SeeqretError(
    'E_BUNDLE_AUTH',
    message,
    'Check that you named the right sender and use the right vault; otherwise ask the sender to export again. Nothing was imported.',
  );
}

/** Order secrets by (app, env, key) as Python sorts tuples of strings. */
export function compareSecrets(a: { app: string; env: string; key: string }, b: { app: string; env: string; key: string }): number {
  return codePointCompare(a.app, b.app) || codePointCompare(a.env, b.env) || codePointCompare(a.key, b.key);
}

/** Strictly decode a UTF-8 plaintext and wipe the buffer; `null` when it is not valid UTF-8. */
export function decodeUtf8(buf: Buffer): string | null {
  try {
    return UTF8.decode(buf);
  } catch {
    return null;
  } finally {
    wipe(buf);
  }
}

/** The old tool's per-secret fingerprint line (`{app}:{env}:{key}:{type}:{value}`). */
function fingerprintText(s: V1Secret): string {
  return `${s.app}:${s.env}:${s.key}:${s.type}:${s.value}`;
}

/** The json-crypt `signature`: hex SHA-256 over the secrets sorted by (app, env, key). */
export function jsonCryptSignature(secrets: readonly V1Secret[]): string {
  const sorted = [...secrets].sort(compareSecrets);
  return sha256Hex(sorted.map((s) => `${fingerprintText(s)}\n`).join(''));
}

/** The command format's `fp5`: last 5 hex digits of SHA-256 of `app:env:key:type:value`. */
export function fp5Of(s: V1Secret): string {
  return sha256Hex(fingerprintText(s)).slice(-5);
}

/** Reject secrets a peer could not read back: malformed Unicode, bad timestamps, duplicates. */
export function checkOutgoing(secrets: readonly V1Secret[]): void {
  const seen = new Set<string>();
  for (const s of secrets) {
    for (const [field, v] of [['app', s.app], ['env', s.env], ['key', s.key], ['type', s.type], ['value', s.value]] as const) {
      if (typeof v !== 'string' || LONE_SURROGATE_RE.test(v)) {
        throw new SeeqretError('E_BAD_VALUE', `the ${field} of ${label(s)} is not valid Unicode text`, 'Fix the secret before exporting it.');
      }
    }
    if (s.updatedAt !== null && !Number.isSafeInteger(s.updatedAt)) {
      throw new SeeqretError('E_BAD_VALUE', `the update time of ${label(s)} is not whole unix seconds`, 'Fix the secret before exporting it.');
    }
    const id = JSON.stringify([s.app, s.env, s.key]);
    if (seen.has(id)) throw new SeeqretError('E_BAD_VALUE', `secret ${label(s)} is listed twice`, 'Export each secret once.');
    seen.add(id);
  }
}

export function checkNoDuplicates(secrets: readonly { app: string; env: string; key: string }[]): void {
  const seen = new Set<string>();
  for (const s of secrets) {
    const id = JSON.stringify([s.app, s.env, s.key]);
    if (seen.has(id)) throw formatError(`the bundle lists secret ${label(s)} more than once`);
    seen.add(id);
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Guess which old-tool format `text` is in: `json-crypt` for a JSON object with `version: 1`
 * and a `secrets` member, `command` when it has a `seeqret load … -v…` line, else `null`.
 */
export function detectV1Format(text: string): V1Format | null {
  const t = text.trimStart();
  if (t.startsWith('{')) {
    try {
      const doc: unknown = JSON.parse(t);
      if (isObject(doc) && doc['version'] === 1 && 'secrets' in doc) return 'json-crypt';
    } catch {
      // not JSON: fall through
    }
    return null;
  }
  for (const line of text.split('\n')) {
    if (LOAD_LINE_RE.test(line) && /\s(-v|--value)/.test(line)) return 'command';
  }
  return null;
}
