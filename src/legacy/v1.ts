/**
 * The old seeqret tool's (Python 1.0.x and its JS port) transfer formats, both ways:
 * the `json-crypt` serializer (version 1, the old default) and the `command` serializer.
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
import { boxDecrypt, boxEncrypt, sha256Hex } from '../crypto/box.js';
import { keyFromBase64, wipe } from '../crypto/index.js';
import { SeeqretError } from '../errors.js';

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
const LONE_SURROGATE_RE = /[\uD800-\uDFFF]/u;

/** A name made safe for a one-line message (control and line-breaking characters escaped). */
function show(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `app:env:key` of a secret, for messages. */
function label(s: { app: string; env: string; key: string }): string {
  return `${show(s.app)}:${show(s.env)}:${show(s.key)}`;
}

function formatError(message: string, fix = 'Ask the sender to export the secrets again.'): SeeqretError {
  return new SeeqretError('E_BUNDLE_FORMAT', message, fix);
}

function authError(message: string): SeeqretError {
  return new SeeqretError(
    'E_BUNDLE_AUTH',
    message,
    'Check that you named the right sender and use the right vault; otherwise ask the sender to export again. Nothing was imported.',
  );
}

/** Compare two strings by Unicode code points (Python's `str` ordering), not UTF-16 units. */
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      const fx = x >= 0xd800 ? (x >= 0xe000 ? x - 0x800 : x + 0x2000) : x;
      const fy = y >= 0xd800 ? (y >= 0xe000 ? y - 0x800 : y + 0x2000) : y;
      return fx - fy;
    }
  }
  return a.length - b.length;
}

/** Order secrets by (app, env, key) as Python sorts tuples of strings. */
function compareSecrets(a: { app: string; env: string; key: string }, b: { app: string; env: string; key: string }): number {
  return compareCodePoints(a.app, b.app) || compareCodePoints(a.env, b.env) || compareCodePoints(a.key, b.key);
}

/** Strictly decode a UTF-8 plaintext and wipe the buffer; `null` when it is not valid UTF-8. */
function decodeUtf8(buf: Buffer): string | null {
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
function jsonCryptSignature(secrets: readonly V1Secret[]): string {
  const sorted = [...secrets].sort(compareSecrets);
  return sha256Hex(sorted.map((s) => `${fingerprintText(s)}\n`).join(''));
}

/** The command format's `fp5`: last 5 hex digits of SHA-256 of `app:env:key:type:value`. */
function fp5Of(s: V1Secret): string {
  return sha256Hex(fingerprintText(s)).slice(-5);
}

/** Reject secrets a peer could not read back: malformed Unicode, bad timestamps, duplicates. */
function checkOutgoing(secrets: readonly V1Secret[]): void {
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

function checkNoDuplicates(secrets: readonly { app: string; env: string; key: string }[]): void {
  const seen = new Set<string>();
  for (const s of secrets) {
    const id = JSON.stringify([s.app, s.env, s.key]);
    if (seen.has(id)) throw formatError(`the bundle lists secret ${label(s)} more than once`);
    seen.add(id);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---------------------------------------------------------------------------------------------
// json-crypt

/**
 * Python's `json.dumps(obj, sort_keys=True, indent=4)` for data whose object keys are already
 * inserted in sorted order: same layout as `JSON.stringify(…, null, 4)`, plus Python's default
 * `ensure_ascii` escaping of every character outside printable ASCII (`\uXXXX`, lower-case,
 * surrogate pairs for astral characters).
 */
function pythonJsonDumps(value: unknown): string {
  return JSON.stringify(value, null, 4).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

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
  return pythonJsonDumps(doc);
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

// ---------------------------------------------------------------------------------------------
// command

/** Characters that need no shell quoting in a pasted command (`*` kept bare as the old tool does). */
const SHELL_SAFE_RE = /^[A-Za-z0-9_@%+=:,./*-]+$/;
/** Characters that cannot appear in a command-format name field. */
const BAD_FIELD_RE = /[:\s\u0000-\u001f\u007f]/u;

/** One shell word, single-quoted only when it needs quoting. */
function shellWord(word: string): string {
  return SHELL_SAFE_RE.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Arguments of {@link serializeCommand}. */
export interface SerializeCommandArgs {
  /** The sender's username, written as `-u<sender>` (the recipient looks the sender up by it). */
  senderUsername: string;
  /** The recipient's username, written in the header line. */
  recipientUsername: string;
  /** The secrets to send, plaintext. */
  secrets: readonly V1Secret[];
  /** The sender's 32-byte X25519 secret key. */
  senderSecretKey: Buffer;
  /** The recipient's 32-byte X25519 public key. */
  recipientPublicKey: Buffer;
}

/**
 * Write the command serializer's text as the old tool does: a blank line, the header
 * `Seeqrets for <recipient>:`, then one line per secret (sorted by app, env, key)
 * `seeqret load -u<sender> -scommand -v1::<fp5>:<app>:<env>:<key>:<type>:<b64 box>`, each line
 * ending in a newline. A word is single-quoted only when it holds characters a shell would
 * interpret (never for the old tool's usual names).
 *
 * @throws SeeqretError `E_BAD_VALUE` when app, env, key or type is empty or holds a colon,
 *   whitespace or control character (the format cannot carry it), for malformed Unicode or a
 *   duplicate secret; `E_USAGE` for such a sender username; `E_BAD_KEY` for an unusable key.
 */
export function serializeCommand(args: SerializeCommandArgs): string {
  const { senderUsername, recipientUsername, secrets, senderSecretKey, recipientPublicKey } = args;
  if (senderUsername === '' || /[\s\u0000-\u001f\u007f]/u.test(senderUsername) || LONE_SURROGATE_RE.test(senderUsername)) {
    throw new SeeqretError('E_USAGE', 'the sender username cannot be written in the command format', 'Use a username without spaces or control characters.');
  }
  checkOutgoing(secrets);
  for (const s of secrets) {
    for (const [field, v] of [['app', s.app], ['env', s.env], ['key', s.key], ['type', s.type]] as const) {
      if (v === '' || BAD_FIELD_RE.test(v)) {
        throw new SeeqretError(
          'E_BAD_VALUE',
          `the ${field} of ${label(s)} cannot be written in the command format (empty, or a colon, space or control character)`,
          'Use the json-crypt format for this secret.',
        );
      }
    }
  }
  const lines = [...secrets].sort(compareSecrets).map((s) => {
    const pt = Buffer.from(s.value, 'utf8');
    let box: string;
    try {
      box = boxEncrypt(pt, senderSecretKey, recipientPublicKey);
    } finally {
      wipe(pt);
    }
    const value = `1::${fp5Of(s)}:${s.app}:${s.env}:${s.key}:${s.type}:${box}`;
    return `seeqret load ${shellWord(`-u${senderUsername}`)} -scommand ${shellWord(`-v${value}`)}\n`;
  });
  return `\nSeeqrets for ${show(recipientUsername)}:\n${lines.join('')}`;
}

/** Split on `:` at most `max` times (Python's `str.split(':', max)`). */
function splitColon(s: string, max: number): string[] {
  const parts: string[] = [];
  let rest = s;
  while (parts.length < max) {
    const i = rest.indexOf(':');
    if (i < 0) break;
    parts.push(rest.slice(0, i));
    rest = rest.slice(i + 1);
  }
  parts.push(rest);
  return parts;
}

/**
 * Decrypt one command-serializer value `1::<fp5>:<app>:<env>:<key>:<type>:<b64 box>` (the text
 * after `-v`), then recompute its fingerprint and reject a mismatch.
 *
 * @returns the secret, with `updatedAt` null (the format does not carry it).
 * @throws SeeqretError `E_BUNDLE_FORMAT` when the value is not 8 `:`-separated parts, the version
 *   is not `1`, a field is empty, or the plaintext is not UTF-8; `E_BUNDLE_AUTH` naming
 *   `app:env:key` when the box does not open or the fingerprint does not match.
 */
export function parseCommandValue(value: string, recipientSecretKey: Buffer, senderPublicKey: Buffer): V1Secret {
  const parts = splitColon(value.trim(), 7);
  if (parts.length !== 8) throw formatError('a value is not in the command format (version::fp5:app:env:key:type:data)');
  const [version, reserved, fp5, app, env, key, type, box] = parts as [string, string, string, string, string, string, string, string];
  if (version !== '1') throw formatError(`a command value has version "${show(version)}", not 1`, 'Ask the sender to export with the command serializer of seeqret 1.');
  const where = label({ app, env, key });
  if (reserved !== '') throw formatError(`the command value of ${where} has unexpected text between "1:" and the fingerprint`);
  if (!/^[0-9a-fA-F]{5}$/.test(fp5)) throw formatError(`the command value of ${where} has a fingerprint that is not 5 hex digits`);
  if (app === '' || env === '' || key === '' || type === '') throw formatError(`the command value of ${where} has an empty app, env, key or type`);
  const pt = boxDecrypt(box, recipientSecretKey, senderPublicKey);
  if (pt === null) {
    throw authError(`the value of ${where} does not open with the named sender's key and your key (wrong sender, wrong vault, or altered)`);
  }
  const plain = decodeUtf8(pt);
  if (plain === null) throw formatError(`the value of ${where} is not valid UTF-8 text`);
  const secret: V1Secret = { app, env, key, type, value: plain, updatedAt: null };
  if (fp5Of(secret) !== fp5.toLowerCase()) {
    throw authError(`the fingerprint of ${where} does not match its value: the name or value was altered`);
  }
  return secret;
}

/**
 * Split one shell line into words: whitespace separates, `'…'` is literal, `"…"` honours `\"`,
 * `\\`, `\$` and `` \` ``, a backslash outside quotes escapes the next character, and `#` at the
 * start of a word begins a comment. `null` when a quote is not closed.
 */
function shellWords(line: string): string[] | null {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let i = 0;
  while (i < line.length) {
    const c = line[i] as string;
    if (c === ' ' || c === '\t' || c === '\r') {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
      i++;
    } else if (c === '#' && !inWord) {
      break;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return null;
      cur += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      let closed = false;
      while (i < line.length) {
        const d = line[i] as string;
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        if (d === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1] as string)) {
          cur += line[i + 1];
          i += 2;
        } else {
          cur += d;
          i++;
        }
      }
      if (!closed) return null;
      inWord = true;
    } else if (c === '\\') {
      if (i + 1 < line.length) cur += line[i + 1];
      inWord = true;
      i += 2;
    } else {
      cur += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

const LOAD_LINE_RE = /^\s*seeqret\s+load(\s|$)/;

interface LoadLine {
  lineNo: number;
  sender: string | null;
  value: string;
}

/** Every `seeqret load … -v VALUE` line of a pasted text, with its `-u` sender if any. */
function scanCommandText(text: string): LoadLine[] {
  const found: LoadLine[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n] as string;
    if (!LOAD_LINE_RE.test(line)) continue;
    const words = shellWords(line);
    const lineNo = n + 1;
    if (words === null) throw formatError(`line ${lineNo}: a quote is not closed`);
    let sender: string | null = null;
    let serializer: string | null = null;
    const values: string[] = [];
    const optionArg = (short: string, long: string, i: number): [string | null, number] => {
      const w = words[i] as string;
      if (w === short || w === long) {
        const next = words[i + 1];
        if (next === undefined) throw formatError(`line ${lineNo}: option ${w} has no argument`);
        return [next, i + 2];
      }
      if (w.startsWith(`${long}=`)) return [w.slice(long.length + 1), i + 1];
      if (w.startsWith(short) && !w.startsWith('--')) return [w.slice(short.length), i + 1];
      return [null, i];
    };
    for (let i = 2; i < words.length; ) {
      let arg: string | null;
      let next: number;
      [arg, next] = optionArg('-v', '--value', i);
      if (arg !== null) {
        values.push(arg);
        i = next;
        continue;
      }
      [arg, next] = optionArg('-u', '--user', i);
      if (arg !== null) {
        sender = arg;
        i = next;
        continue;
      }
      [arg, next] = optionArg('-s', '--serializer', i);
      if (arg !== null) {
        serializer = arg;
        i = next;
        continue;
      }
      i++; // anything else (e.g. a future option) is ignored
    }
    if (serializer !== null && serializer !== 'command') {
      throw formatError(`line ${lineNo}: uses the "${show(serializer)}" serializer, not "command"`);
    }
    if (values.length !== 1) throw formatError(`line ${lineNo}: a seeqret load line needs exactly one -v VALUE`);
    found.push({ lineNo, sender, value: values[0] as string });
  }
  return found;
}

/**
 * Decrypt every `seeqret load … -v VALUE` line of a pasted command-serializer text (header,
 * blank and other lines are ignored; `-v VALUE`, `-vVALUE` and `--value=VALUE` are accepted,
 * quoted or not).
 *
 * All or nothing: every value must open with the sender's key and match its fingerprint.
 *
 * @throws SeeqretError `E_BUNDLE_FORMAT` when there is no such line, a line is malformed or names
 *   another serializer, or a secret appears twice; `E_BUNDLE_AUTH` as {@link parseCommandValue}.
 */
export function parseCommandText(text: string, recipientSecretKey: Buffer, senderPublicKey: Buffer): V1Secret[] {
  const lines = scanCommandText(text);
  if (lines.length === 0) throw formatError('the text has no "seeqret load ... -v VALUE" line', 'Paste the whole text the sender gave you.');
  const secrets = lines.map((l) => parseCommandValue(l.value, recipientSecretKey, senderPublicKey));
  checkNoDuplicates(secrets);
  return secrets;
}

/**
 * The distinct sender usernames (`-u`) named in a command-serializer text, in order of
 * appearance — so a caller can pick the sender's public key before {@link parseCommandText}.
 *
 * @throws SeeqretError `E_BUNDLE_FORMAT` for a malformed `seeqret load` line.
 */
export function commandSenders(text: string): string[] {
  const out: string[] = [];
  for (const l of scanCommandText(text)) if (l.sender !== null && !out.includes(l.sender)) out.push(l.sender);
  return out;
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
