/**
 * The old tool's `command` transfer format: one `seeqret load` shell command line per secret,
 * every value boxed separately, with an unkeyed `fp5` check.
 *
 * @module
 */
import { boxDecrypt, boxEncrypt } from '../crypto/box.js';
import { wipe } from '../crypto/index.js';
import { SeeqretError } from '../errors.js';
import { shellQuote } from '../util/shlex.js';
import { type V1Secret, authError, checkNoDuplicates, checkOutgoing, compareSecrets, decodeUtf8, formatError, fp5Of, label, LONE_SURROGATE_RE, show } from './v1.js';

/** Characters that cannot appear in a command-format name field. */
// eslint-disable-next-line no-control-regex -- matching the C0 control characters is the point: the format cannot carry them.
const BAD_FIELD_RE = /[:\s\u0000-\u001f\u007f]/u;

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
  // eslint-disable-next-line no-control-regex -- matching the C0 control characters is the point: the format cannot carry them.
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
    return `seeqret load ${shellQuote(`-u${senderUsername}`, { bareStar: true })} -scommand ${shellQuote(`-v${value}`, { bareStar: true })}\n`;
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
 * Split one shell line into words: whitespace separates, `'…'` is literal, `"…"` honours a
 * backslash before `"`, `\`, `$` or a backquote, a backslash outside quotes escapes the next
 * character, and `#` at the start of a word begins a comment. `null` when a quote is not closed.
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
          cur += line[i + 1] ?? '';
          i += 2;
        } else {
          cur += d;
          i++;
        }
      }
      if (!closed) return null;
      inWord = true;
    } else if (c === '\\') {
      if (i + 1 < line.length) cur += line[i + 1] ?? '';
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

export const LOAD_LINE_RE = /^\s*seeqret\s+load(\s|$)/;

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
