/**
 * The SecureStore v3 vault file (`secrets.json`): a strict parser and a writer that produces the
 * reference implementation's bytes.
 *
 * ```json
 * {
 *   "version": 3,
 *   "iv": "<base64 16-byte PBKDF2 salt>",
 *   "sentinel": {"iv": "<16>", "hmac": "<20>", "payload": "<n × 16>"},
 *   "secrets": {"<name>": {"iv": "…", "hmac": "…", "payload": "…"}}
 * }
 * ```
 *
 * The writer emits 2-space JSON (the bytes of `JSON.stringify(vault, null, 2)` with the fields in
 * the order above), `{}` for no secrets, no trailing newline, secrets sorted by the UTF-8 bytes
 * of their names (the Rust reference's `BTreeMap<String, _>` order). It does not use
 * `JSON.stringify` on the secrets object itself: JavaScript puts integer-like keys ("10", "9")
 * first whatever their insertion order.
 *
 * @module
 */
import { SS_BLOCK_BYTES, SS_HMAC_BYTES, SS_IV_BYTES, type SsEncrypted } from '../crypto/securestore.js';
import { SeeqretError } from '../errors.js';
import { decodeUtf8 } from '../util/read-capped.js';
import { isWellFormed } from '../vault/names.js';

/** The only format version read and written. */
export const SS_VERSION = 3;

/** A parsed vault: the salt, the sentinel (optional when reading), and the entries by name. */
export interface SsVaultData {
  /** The vault's `iv` field: the 16-byte PBKDF2 salt. */
  readonly salt: Buffer;
  /** The encrypted sentinel that checks the key, if the vault has one. */
  readonly sentinel: SsEncrypted | null;
  /** Secret name → its encrypted value. */
  readonly secrets: Map<string, SsEncrypted>;
}

/** Longest secret name accepted when writing (UTF-16 code units). */
export const SS_MAX_NAME_LENGTH = 1024;

const B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Strict standard base64 with padding (the only form the reference writes); `null` otherwise. */
export function decodeBase64Strict(text: string): Buffer | null {
  if (!B64.test(text)) return null;
  const b = Buffer.from(text, 'base64');
  return b.toString('base64') === text ? b : null;
}

function formatError(source: string, what: string): SeeqretError {
  return new SeeqretError('E_SS_FORMAT', `${source} is not a valid SecureStore vault: ${what}`, 'Use the secrets.json written by SecureStore (ssclient or a library), or restore it from version control.');
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function parseEntry(x: unknown, source: string, where: string): SsEncrypted {
  if (!isObject(x)) throw formatError(source, `${where} is not an object`);
  const field = (name: 'iv' | 'hmac' | 'payload', check: (b: Buffer) => boolean, want: string): Buffer => {
    const v = x[name];
    if (typeof v !== 'string') throw formatError(source, `${where}.${name} is missing or not a string`);
    const b = decodeBase64Strict(v);
    if (!b || !check(b)) throw formatError(source, `${where}.${name} is not base64 of ${want}`);
    return b;
  };
  return {
    iv: field('iv', (b) => b.length === SS_IV_BYTES, `${SS_IV_BYTES} bytes`),
    hmac: field('hmac', (b) => b.length === SS_HMAC_BYTES, `${SS_HMAC_BYTES} bytes`),
    payload: field('payload', (b) => b.length > 0 && b.length % SS_BLOCK_BYTES === 0, `a positive multiple of ${SS_BLOCK_BYTES} bytes`),
  };
}

/** Show a name in a message: quoted, shortened (never a value). */
function shown(name: string): string {
  return `'${name.length > 80 ? `${name.slice(0, 80)}…` : name}'`;
}

/**
 * Validate an already parsed vault object (`JSON.parse` output). Unknown fields are ignored, as
 * the reference does; the sentinel may be missing or `null`.
 *
 * @throws SeeqretError `E_SS_VERSION` for another version, `E_SS_FORMAT` for anything malformed.
 */
export function parseVaultObject(data: unknown, source = 'the vault'): SsVaultData {
  if (!isObject(data)) throw formatError(source, 'the top level is not a JSON object');
  const version = data['version'];
  if (version !== SS_VERSION) {
    if (typeof version === 'number' && Number.isInteger(version)) {
      throw new SeeqretError(
        'E_SS_VERSION',
        `${source} is a SecureStore version ${version} vault; only version ${SS_VERSION} is supported`,
        version < SS_VERSION ? 'Open it once with a current ssclient (which upgrades it to version 3), then retry.' : 'Upgrade seeqret, or write the vault with a version 3 SecureStore tool.',
      );
    }
    throw formatError(source, '"version" is missing or not a number');
  }
  const ivText = data['iv'];
  const salt = typeof ivText === 'string' ? decodeBase64Strict(ivText) : null;
  if (!salt || salt.length !== SS_IV_BYTES) throw formatError(source, `"iv" is not base64 of ${SS_IV_BYTES} bytes`);
  const s = data['sentinel'];
  const sentinel = s === undefined || s === null ? null : parseEntry(s, source, 'the sentinel');
  const raw = data['secrets'];
  if (!isObject(raw)) throw formatError(source, '"secrets" is missing or not an object');
  const secrets = new Map<string, SsEncrypted>();
  for (const [name, entry] of Object.entries(raw)) {
    if (!isWellFormed(name)) throw formatError(source, 'a secret name is not valid Unicode');
    secrets.set(name, parseEntry(entry, source, `secret ${shown(name)}`));
  }
  return { salt, sentinel, secrets };
}

/**
 * Parse vault text (or its UTF-8 bytes; a leading byte-order mark is skipped).
 *
 * @throws SeeqretError `E_SS_FORMAT` (not UTF-8, not JSON, malformed) or `E_SS_VERSION`.
 */
export function parseVault(text: string | Uint8Array, source = 'the vault'): SsVaultData {
  let s: string;
  if (typeof text === 'string') s = text;
  else {
    try {
      s = decodeUtf8(text, source);
    } catch {
      throw formatError(source, 'it is not UTF-8 text');
    }
  }
  if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
  let data: unknown;
  try {
    data = JSON.parse(s);
  } catch {
    // The parser's message can quote the input: never show it.
    throw formatError(source, 'it is not JSON');
  }
  return parseVaultObject(data, source);
}

/** Order of names in a written vault: by their UTF-8 bytes. */
export function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * Check a secret name before writing it: non-empty, valid Unicode (so it survives UTF-8), at most
 * {@link SS_MAX_NAME_LENGTH} code units. SecureStore itself allows any string; these limits only
 * keep out names no other implementation could read back.
 */
export function checkSecretName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new SeeqretError('E_INVALID_NAME', 'a SecureStore secret name must be a non-empty string', 'Name the secret, e.g. db:password.');
  }
  if (name.length > SS_MAX_NAME_LENGTH) throw new SeeqretError('E_INVALID_NAME', `the secret name is longer than ${SS_MAX_NAME_LENGTH} characters`, 'Use a shorter name.');
  if (!isWellFormed(name)) throw new SeeqretError('E_INVALID_NAME', 'the secret name is not valid Unicode (lone surrogate)', 'Use a name made of whole characters.');
  return name;
}

function entryJson(e: SsEncrypted, indent: string): string {
  const i = `${indent}  `;
  return `{\n${i}"iv": "${e.iv.toString('base64')}",\n${i}"hmac": "${e.hmac.toString('base64')}",\n${i}"payload": "${e.payload.toString('base64')}"\n${indent}}`;
}

/**
 * The vault as the reference writes it: the same bytes as `JSON.stringify(vault, null, 2)` with
 * secrets in UTF-8 byte order of their names, no trailing newline.
 */
export function serializeVault(v: SsVaultData): string {
  if (v.salt.length !== SS_IV_BYTES) throw new SeeqretError('E_INTERNAL', 'the vault salt is not 16 bytes', 'Report this bug.');
  const entries = [...v.secrets].sort(([a], [b]) => compareNames(a, b));
  const parts = [`{\n  "version": ${SS_VERSION},\n  "iv": "${v.salt.toString('base64')}",\n`];
  if (v.sentinel) parts.push(`  "sentinel": ${entryJson(v.sentinel, '  ')},\n`);
  if (entries.length === 0) parts.push('  "secrets": {}\n}');
  else {
    parts.push('  "secrets": {\n');
    parts.push(entries.map(([n, e]) => `    ${JSON.stringify(n)}: ${entryJson(e, '    ')}`).join(',\n'));
    parts.push('\n  }\n}');
  }
  return parts.join('');
}
