/**
 * seeqret bundles: our transfer format for handing secrets to one recipient.
 *
 * ```json
 * { "format": "seeqret-bundle", "version": 1, "id": "<32 hex>", "created": <unix ms>,
 *   "sender": { "username": "alice", "email": "alice@example.com", "pubkey": "<b64>" },
 *   "recipient": { "username": "bob", "pubkey": "<b64>" },
 *   "ephemeral": "<b64>", "ciphertext": "<b64>" }
 * ```
 * `ciphertext` seals (XChaCha20-Poly1305) the JSON payload
 * `{ "secrets": [ { app, env, key, type, value, updated } ] }` under the key of `crypto/kx.ts`
 * (sender static + ephemeral X25519 with the recipient), with the canonical JSON of every other field as associated data. So the sender is
 * authenticated, every piece of metadata — header and each secret's names, type and time — is
 * authenticated, the bundle only opens for its recipient, and any changed byte makes it fail as a
 * whole. See docs/formats.md#bundle for a test vector.
 *
 * @module
 */
import { keyFromBase64, keyToBase64, open, randomBytes, seal, wipe, generateIdentity, type IdentityKeyPair } from '../crypto/index.js';
import { recipientBundleKey, senderBundleKey } from '../crypto/kx.js';
import { SeeqretError } from '../errors.js';
import { isWellFormed, nameProblem } from '../vault/names.js';
import { USERNAME_RE } from '../vault/vault.js';

/** A secret as carried by a bundle. */
export interface BundleSecret {
  readonly app: string;
  readonly env: string;
  readonly key: string;
  readonly type: string;
  readonly value: string;
  /** When the value was set at the sender (unix ms). */
  readonly updated: number;
}

/** Who sends or receives a bundle. */
export interface BundleParty {
  readonly username: string;
  readonly email?: string | null;
  /** X25519 public key. */
  readonly pubkey: Buffer;
}

/** The authenticated, unencrypted part of a bundle. */
export interface BundleHeader {
  readonly format: 'seeqret-bundle';
  readonly version: 1;
  readonly id: string;
  readonly created: number;
  readonly sender: { readonly username: string; readonly email: string | null; readonly pubkey: string };
  readonly recipient: { readonly username: string; readonly pubkey: string };
  readonly ephemeral: string;
}

const FORMAT = 'seeqret-bundle';
const FIX_FORMAT = 'Ask the sender to export it again (seeqret export --to YOU ...).';

function formatError(why: string): SeeqretError {
  return new SeeqretError('E_BUNDLE_FORMAT', `not a valid seeqret bundle: ${why}`, FIX_FORMAT);
}

/** The associated data: the header's fields in a fixed order, as JSON. */
function headerAd(h: BundleHeader): Buffer {
  return Buffer.from(
    JSON.stringify([h.format, h.version, h.id, h.created, h.sender.username, h.sender.email, h.sender.pubkey, h.recipient.username, h.recipient.pubkey, h.ephemeral]),
    'utf8',
  );
}

/** Options for deterministic output (published test vectors only). */
export interface BundleVectorOptions {
  readonly id?: string;
  readonly created?: number;
  readonly ephemeral?: IdentityKeyPair;
  readonly nonce?: Buffer;
}

/** Create a bundle of `secrets` from `sender` (with its secret key) to `recipient`. Returns JSON text. */
export function createBundle(
  sender: BundleParty,
  senderSecretKey: Buffer,
  recipient: BundleParty,
  secrets: readonly BundleSecret[],
  vector: BundleVectorOptions = {},
): { text: string; header: BundleHeader } {
  const payload = bundlePayload(secrets);
  try {
    return sealBundle(sender, senderSecretKey, recipient, payload, vector);
  } finally {
    wipe(payload);
  }
}

/**
 * The plaintext of a bundle of `secrets` (UTF-8 JSON), the same for every recipient: made once for
 * a push to many people and sealed for each ({@link sealBundle}). Holds the values: the caller
 * wipes it.
 */
export function bundlePayload(secrets: readonly BundleSecret[]): Buffer {
  return Buffer.from(JSON.stringify({ secrets: secrets.map((s) => ({ app: s.app, env: s.env, key: s.key, type: s.type, value: s.value, updated: s.updated })) }), 'utf8');
}

/**
 * Seal a {@link bundlePayload} from `sender` to `recipient`: a fresh id, ephemeral key and nonce
 * for each recipient, as {@link createBundle} does. `payload` is left as it is.
 */
export function sealBundle(sender: BundleParty, senderSecretKey: Buffer, recipient: BundleParty, payload: Buffer, vector: BundleVectorOptions = {}): { text: string; header: BundleHeader } {
  const { key, ephemeralPublicKey } = senderBundleKey(senderSecretKey, sender.pubkey, recipient.pubkey, vector.ephemeral ?? generateIdentity());
  const header: BundleHeader = {
    format: FORMAT,
    version: 1,
    id: vector.id ?? randomBytes(16).toString('hex'),
    created: vector.created ?? Date.now(),
    sender: { username: sender.username, email: sender.email ?? null, pubkey: keyToBase64(sender.pubkey) },
    recipient: { username: recipient.username, pubkey: keyToBase64(recipient.pubkey) },
    ephemeral: keyToBase64(ephemeralPublicKey),
  };
  const ciphertext = seal(key, payload, headerAd(header), vector.nonce);
  wipe(key);
  return { text: bundleText(header, ciphertext.toString('base64')), header };
}

/**
 * A bundle's text: `JSON.stringify({ ...header, ciphertext }, null, 2)` and a newline, byte for
 * byte, with the base64 ciphertext (most of the text, which JSON never escapes) put in as it is
 * instead of scanned for characters to escape.
 */
export function bundleText(header: BundleHeader, ciphertextBase64: string): string {
  // The header with an empty ciphertext ends `"ciphertext": ""\n}`: its last field, on its own line.
  const head = JSON.stringify({ ...header, ciphertext: '' }, null, 2);
  return `${head.slice(0, -4)}"${ciphertextBase64}"\n}\n`;
}

/** True when `text` looks like a seeqret bundle (for format detection). */
export function looksLikeBundle(text: string): boolean {
  return /"format"\s*:\s*"seeqret-bundle"/.test(text);
}

/** Parse and validate a bundle's header without decrypting (to find the sender). */
export function readBundleHeader(text: string): { header: BundleHeader; ciphertext: Buffer } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw formatError('not JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw formatError('no "format": "seeqret-bundle"');
  const o = raw as Record<string, unknown>;
  if (o['format'] !== FORMAT) throw formatError('no "format": "seeqret-bundle"');
  if (o['version'] !== 1) {
    throw new SeeqretError('E_BUNDLE_FORMAT', `bundle version ${String(o['version'])} is not supported (this seeqret reads version 1)`, 'Upgrade seeqret, or ask the sender to export again.');
  }
  const allowed = ['format', 'version', 'id', 'created', 'sender', 'recipient', 'ephemeral', 'ciphertext'];
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw formatError(`unexpected field "${k}"`);
  const s = o['sender'] as Record<string, unknown> | undefined;
  const r = o['recipient'] as Record<string, unknown> | undefined;
  const str = (v: unknown): v is string => typeof v === 'string';
  if (
    !str(o['id']) ||
    !/^[0-9a-f]{32}$/.test(o['id']) ||
    typeof o['created'] !== 'number' ||
    !Number.isSafeInteger(o['created']) ||
    !s ||
    !str(s['username']) ||
    !(s['email'] === null || str(s['email'])) ||
    !str(s['pubkey']) ||
    !r ||
    !str(r['username']) ||
    !str(r['pubkey']) ||
    !str(o['ephemeral']) ||
    !str(o['ciphertext']) ||
    Object.keys(s).length !== 3 ||
    Object.keys(r).length !== 2
  ) {
    throw formatError('missing or malformed fields');
  }
  for (const k of [s['pubkey'], r['pubkey'], o['ephemeral']]) if (!keyFromBase64(k)) throw formatError('a key is not 32 bytes of base64');
  // Names that are not user names (control characters, spaces…) are refused where they enter.
  for (const u of [s['username'], r['username']] as string[]) if (!USERNAME_RE.test(u)) throw formatError('a user name in the header is not a valid user name');
  const header: BundleHeader = {
    format: FORMAT,
    version: 1,
    id: o['id'],
    created: o['created'],
    sender: { username: s['username'], email: s['email'] ?? null, pubkey: s['pubkey'] },
    recipient: { username: r['username'], pubkey: r['pubkey'] },
    ephemeral: o['ephemeral'],
  };
  const ciphertext = Buffer.from(o['ciphertext'], 'base64');
  if (ciphertext.toString('base64') !== o['ciphertext']) throw formatError('ciphertext is not base64');
  return { header, ciphertext };
}

/**
 * Open a bundle with the recipient's keys. Throws `E_BUNDLE_RECIPIENT` when it is addressed to
 * another key, `E_BUNDLE_AUTH` when any byte was changed or it was not made by the named sender,
 * `E_BUNDLE_FORMAT` for malformed content. Returns every secret or throws: never a partial result.
 * `read` is what {@link readBundleHeader} returned for this same `text`, when the caller has it
 * already (a load reads the header first to find the sender): the text is not parsed twice.
 */
export function openBundle(text: string, recipient: IdentityKeyPair, read: { header: BundleHeader; ciphertext: Buffer } = readBundleHeader(text)): { header: BundleHeader; secrets: BundleSecret[] } {
  const { header, ciphertext } = read;
  if (header.recipient.pubkey !== keyToBase64(recipient.publicKey)) {
    throw new SeeqretError(
      'E_BUNDLE_RECIPIENT',
      `this bundle is addressed to ${header.recipient.username} (another key), not to this vault`,
      'Only the vault it was exported for can load it; ask the sender to export to you.',
    );
  }
  const senderKey = keyFromBase64(header.sender.pubkey);
  const ephemeralKey = keyFromBase64(header.ephemeral);
  if (!senderKey || !ephemeralKey) throw formatError('a key is not 32 bytes of base64');
  let key: Buffer;
  try {
    key = recipientBundleKey(recipient.secretKey, recipient.publicKey, senderKey, ephemeralKey);
  } catch {
    throw new SeeqretError('E_BUNDLE_AUTH', `bundle ${header.id} carries an unusable key (a low-order point)`, 'Do not use it; ask the sender to export again.');
  }
  const plain = open(key, ciphertext, headerAd(header));
  wipe(key);
  if (!plain) {
    throw new SeeqretError('E_BUNDLE_AUTH', `bundle ${header.id} failed authentication: it was modified, or not made by ${header.sender.username}'s key`, 'Do not use it; ask the sender to export again.');
  }
  let payload: unknown;
  try {
    payload = JSON.parse(plain.toString('utf8'));
  } catch {
    // JSON.parse quotes the text it chokes on: never let that (plaintext) reach a message.
    throw formatError('the decrypted payload is not JSON');
  } finally {
    wipe(plain);
  }
  const list = (payload as { secrets?: unknown } | null)?.secrets;
  if (!Array.isArray(list)) throw formatError('no secrets in the payload');
  const seen = new Set<string>();
  const secrets = list.map((e: unknown, i): BundleSecret => {
    const x = (typeof e === 'object' && e !== null ? e : {}) as Record<string, unknown>;
    const label = `entry ${i + 1}`;
    for (const f of ['app', 'env', 'key', 'type', 'value'] as const) if (typeof x[f] !== 'string') throw formatError(`${label}: "${f}" is not text`);
    if (typeof x['updated'] !== 'number') throw formatError(`${label}: "updated" is not a time`);
    const s = { app: x['app'] as string, env: x['env'] as string, key: x['key'] as string, type: x['type'] as string, value: x['value'] as string, updated: x['updated'] };
    const bad = nameProblem('app', s.app) ?? nameProblem('env', s.env) ?? nameProblem('key', s.key);
    if (bad) throw formatError(`${label}: ${bad}`);
    if (!/^[a-z][a-z0-9_]{0,31}$/.test(s.type)) throw formatError(`${label} (${s.app}:${s.env}:${s.key}): bad type`);
    const id = `${s.app}:${s.env}:${s.key}`;
    if (seen.has(id)) throw formatError(`${id} appears twice`);
    seen.add(id);
    if (!isWellFormed(s.value)) throw formatError(`${label} (${s.app}:${s.env}:${s.key}): value is not valid Unicode`);
    return s;
  });
  return { header, secrets };
}
