/**
 * The old tool's `json-crypt` transfer format (version 1, its default): a JSON document as Python's
 * `json.dumps` writes it, every value boxed separately, with an unkeyed SHA-256 `signature`.
 *
 * @module
 */
import { boxDecrypt, boxEncrypt } from '../crypto/box.js';
import { keyFromBase64, wipe } from '../crypto/index.js';
import { pythonJsonDumps } from '../formats/python-json.js';
import { type JsonCryptContents, type V1Secret, type V1User, authError, checkNoDuplicates, checkOutgoing, compareSecrets, decodeUtf8, formatError, isObject, jsonCryptSignature, label } from './v1.js';

/** A user record with all 7 fields of the old tool, keys in sorted order. */
function userRecord(u: V1User): Record<string, unknown> {
  return {
    email: u.email ?? null,
    name: u.name ?? null,
    pubkey: u.pubkey,
    slack_handle: null,
    slack_key_fingerprint: null,
    slack_verified_at: null,
    username: u.username,
  };
}

/** Arguments of {@link serializeJsonCrypt}. */
export interface SerializeJsonCryptArgs {
  /** The sender (written as `from`). */
  from: V1User;
  /** The recipient (written as `to`). */
  to: V1User;
  /** The secrets to send, plaintext. */
  secrets: readonly V1Secret[];
  /** The sender's 32-byte X25519 secret key. */
  senderSecretKey: Buffer;
  /** The recipient's 32-byte X25519 public key. */
  recipientPublicKey: Buffer;
}

/**
 * Write a json-crypt (version 1) bundle exactly as the old tool lays it out: keys sorted, 4-space
 * indent, no trailing newline, `from`/`to` with all 7 user fields (null where unknown), secrets
 * sorted by (app, env, key), each value boxed separately, and the old unkeyed `signature`.
 *
 * @throws SeeqretError `E_BAD_VALUE` for a value that is not well-formed Unicode, a non-integer
 *   timestamp or a duplicate secret; `E_BAD_KEY` for an unusable key.
 */
export function serializeJsonCrypt(args: SerializeJsonCryptArgs): string {
  const { from, to, secrets, senderSecretKey, recipientPublicKey } = args;
  checkOutgoing(secrets);
  const sorted = [...secrets].sort(compareSecrets);
  const doc = {
    from: userRecord(from),
    secrets: sorted.map((s) => {
      const pt = Buffer.from(s.value, 'utf8');
      try {
        return {
          app: s.app,
          env: s.env,
          key: s.key,
          type: s.type,
          updated_at: s.updatedAt,
          value: boxEncrypt(pt, senderSecretKey, recipientPublicKey),
        };
      } finally {
        wipe(pt);
      }
    }),
    signature: jsonCryptSignature(sorted),
    to: userRecord(to),
    version: 1,
  };
  return pythonJsonDumps(doc, { indent: 4, sortKeys: true });
}

function parseUser(v: unknown, field: 'from' | 'to'): V1User {
  if (!isObject(v)) throw formatError(`the bundle's "${field}" is not an object`);
  const { username, email, pubkey, name } = v;
  if (typeof username !== 'string' || username === '') throw formatError(`the bundle's "${field}" has no username`);
  if (typeof pubkey !== 'string' || keyFromBase64(pubkey) === null) {
    throw formatError(`the bundle's "${field}" public key is not 44 characters of base64`);
  }
  if (email !== undefined && email !== null && typeof email !== 'string') throw formatError(`the bundle's "${field}" email is not text`);
  if (name !== undefined && name !== null && typeof name !== 'string') throw formatError(`the bundle's "${field}" name is not text`);
  return { username, email: email ?? null, pubkey, name: name ?? null };
}

interface RawEntry {
  app: string;
  env: string;
  key: string;
  type: string;
  updatedAt: number | null;
  box: string;
}

function parseEntry(v: unknown, i: number): RawEntry {
  if (!isObject(v)) throw formatError(`secret #${i + 1} of the bundle is not an object`);
  const { app, env, key, type, updated_at: updatedAt, value } = v;
  if (typeof app !== 'string' || typeof env !== 'string' || typeof key !== 'string') {
    throw formatError(`secret #${i + 1} of the bundle lacks a text app, env or key`);
  }
  const where = label({ app, env, key });
  if (typeof type !== 'string') throw formatError(`secret ${where} has no text type`);
  if (typeof value !== 'string') throw formatError(`secret ${where} has no text value`);
  if (updatedAt !== undefined && updatedAt !== null && !(typeof updatedAt === 'number' && Number.isSafeInteger(updatedAt))) {
    throw formatError(`secret ${where} has an updated_at that is not whole unix seconds`);
  }
  return { app, env, key, type, updatedAt: updatedAt ?? null, box: value };
}

/**
 * Read a json-crypt (version 1) bundle and decrypt every value with Box(recipient secret, sender
 * public) — the sender being the one the user named, not the file's unauthenticated `from`.
 *
 * All or nothing: every value must open and be valid UTF-8, and the `signature`, when present,
 * must match the decrypted contents.
 *
 * @throws SeeqretError `E_BUNDLE_FORMAT` for malformed JSON or shape, another version, invalid
 *   UTF-8 or a duplicate secret; `E_BUNDLE_AUTH` naming the entry (`app:env:key`) whose value
 *   does not open, or when the signature does not match; `E_BAD_KEY` for a key of the wrong size.
 */
export function parseJsonCrypt(text: string, recipientSecretKey: Buffer, senderPublicKey: Buffer): JsonCryptContents {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw formatError('the bundle is not valid JSON');
  }
  if (!isObject(doc)) throw formatError('the bundle is not a JSON object');
  if (doc['version'] !== 1) throw formatError('the bundle is not a json-crypt version 1 file', 'Ask the sender to export with the json-crypt serializer.');
  const from = parseUser(doc['from'], 'from');
  const to = parseUser(doc['to'], 'to');
  const rawSecrets = doc['secrets'];
  if (!Array.isArray(rawSecrets)) throw formatError('the bundle has no "secrets" list');
  const signature = doc['signature'];
  if (signature !== undefined && (typeof signature !== 'string' || !/^[0-9a-fA-F]{64}$/.test(signature))) {
    throw formatError('the bundle\'s "signature" is not 64 hex digits');
  }
  const entries = rawSecrets.map(parseEntry);
  checkNoDuplicates(entries);

  const secrets: V1Secret[] = [];
  for (const e of entries) {
    const pt = boxDecrypt(e.box, recipientSecretKey, senderPublicKey);
    if (pt === null) {
      throw authError(`the value of ${label(e)} does not open with the named sender's key and your key (wrong sender, wrong vault, or altered)`);
    }
    const value = decodeUtf8(pt);
    if (value === null) throw formatError(`the value of ${label(e)} is not valid UTF-8 text`);
    secrets.push({ app: e.app, env: e.env, key: e.key, type: e.type, value, updatedAt: e.updatedAt });
  }
  let signatureVerified = false;
  if (typeof signature === 'string') {
    if (jsonCryptSignature(secrets) !== signature.toLowerCase()) {
      throw authError('the bundle\'s signature does not match its contents: names or values were altered or moved');
    }
    signatureVerified = true;
  }
  return { from, to, secrets, signatureVerified };
}
