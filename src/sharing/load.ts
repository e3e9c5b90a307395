/**
 * The `load` use case: text someone sent (a bundle, or the old tool's json-crypt / command
 * lines) goes into the vault in three steps, the shape of a release plan:
 *
 * 1. {@link planLoad} — detect the format, authenticate the sender, check for a replay and open
 *    the values, writing nothing;
 * 2. the caller may show the plan — {@link previewLoad} works out what each secret would become —
 *    or ask, and
 * 3. {@link applyLoad} — write it in ONE transaction (values, the replay record, the share
 *    records and one audit entry), or nothing.
 *
 * Nothing here touches `process`, a terminal or a file: the CLI (`load`, `inbox`), a relay
 * client and the UI call the same functions and render {@link LoadPlan.warnings} themselves.
 *
 * @module
 */
import { keyFromBase64 } from '../crypto/index.js';
import { SeeqretError } from '../errors.js';
import { type ImportSummary, type SecretRecord, type UserRecord, type Vault } from '../vault/vault.js';
import { looksLikeBundle, openBundle, readBundleHeader } from './bundle.js';
import { type Serializer, serializerOf } from './serializers.js';
import { commandSenders, parseCommandText } from '../legacy/v1-command.js';
import { detectV1Format } from '../legacy/v1.js';
import { parseJsonCrypt } from '../legacy/v1-json-crypt.js';
import { vaultIdentitySecretKey } from '../vault/internal.js';

/** What was received: the text and what the person said about it. */
export interface LoadInput {
  /** The transfer text, whole. */
  readonly text: string;
  /** The sender's user name, when the person names it (`-u`); required by formats that do not carry it. */
  readonly sender?: string | undefined;
  /** The format, when the person names it (`-s`); else detected. */
  readonly serializer?: string | undefined;
  /** The text is the value of one old-tool command line (`load -v`), not whole lines. */
  readonly isCommandValue?: boolean | undefined;
}

/** How conflicts are decided. */
export interface LoadOptions {
  /** Replace a secret that has another value here (the old value goes to history). */
  readonly overwrite: boolean;
  /** Load a bundle that was loaded before, and take sent values older than the ones here. */
  readonly force: boolean;
  /**
   * The person accepts the new names beforehand (`--accept`): they are added accepted, in the
   * load's own transaction (audited `secret.accept`), instead of pending and accepted after it.
   */
  readonly accept?: boolean | undefined;
}

/** One received secret, opened. */
export interface ReceivedSecret {
  readonly app: string;
  readonly env: string;
  readonly key: string;
  readonly type: string;
  readonly value: string;
  /** When the sender last changed it (ms since the epoch), when the format says. */
  readonly updatedAt?: number;
}

/** What {@link planLoad} found: nothing is written yet. */
export interface LoadPlan {
  /** The authenticated sender (one of this vault's users). */
  readonly sender: UserRecord;
  readonly format: Serializer;
  /** The bundle's id (bundles only): the replay record. */
  readonly bundleId: string | null;
  /** The opened secrets, in the order sent. */
  readonly secrets: readonly ReceivedSecret[];
  /** Things the person should know (a format that authenticates less); never a value. */
  readonly warnings: readonly string[];
  readonly options: LoadOptions;
}

/** What {@link applyLoad} did. */
export interface LoadResult {
  /** The sender's user name. */
  readonly sender: string;
  readonly format: Serializer;
  readonly bundleId: string | null;
  readonly summary: ImportSummary;
  /** New names this load added, pending until this person accepts them. */
  readonly pending: SecretRecord[];
  /** New names this load added and accepted with it ({@link LoadOptions.accept}). */
  readonly accepted: SecretRecord[];
}

function senderUser(v: Vault, name: string | undefined, pubkeyB64: string | undefined): UserRecord {
  if (pubkeyB64) {
    const byKey = v.users().find((u) => u.pubkey === pubkeyB64);
    if (!byKey) throw new SeeqretError('E_UNKNOWN_USER', `the sender's key is not known to this vault${name ? ` (it says it is from ${name})` : ''}`, 'Add the sender first (seeqret add user ...) and verify the fingerprint.');
    if (name && byKey.username !== name) {
      throw new SeeqretError('E_BUNDLE_AUTH', `the bundle was made with ${byKey.username}'s key, not ${name}'s`, 'Check who really sent it.');
    }
    return byKey;
  }
  if (!name) throw new SeeqretError('E_USAGE', 'this format does not name its sender reliably', 'Pass -u SENDER (the user who exported it).');
  return v.user(name);
}

/** The sender an old-format text names, when the person did not. */
function claimedSender(format: Serializer, text: string): string | undefined {
  if (format === 'json-crypt') {
    try {
      return (JSON.parse(text) as { from?: { username?: string } }).from?.username;
    } catch {
      return undefined; // parseJsonCrypt reports the format error
    }
  }
  if (format === 'command') {
    const senders = [...new Set(commandSenders(text))];
    if (senders.length > 1) throw new SeeqretError('E_BUNDLE_FORMAT', `the lines name several senders: ${senders.join(', ')}`, "Load each sender's lines separately with -u SENDER.");
    return senders[0];
  }
  return undefined;
}

/**
 * Step 1: authenticate and open what was received. Writes nothing.
 *
 * @throws SeeqretError `E_BUNDLE_REPLAY` for a bundle loaded before (unless `force`),
 *   `E_UNKNOWN_USER` / `E_BUNDLE_AUTH` for a sender this vault does not know or who is not who
 *   they say, `E_BUNDLE_*` / `E_DECRYPT` for a damaged or forged input, `E_TAMPERED` when the
 *   vault's users, replay records or secrets were changed outside seeqret.
 */
export function planLoad(v: Vault, input: LoadInput, options: LoadOptions): LoadPlan {
  const { text } = input;
  const format: Serializer = input.serializer ? serializerOf(input.serializer) : looksLikeBundle(text) ? 'bundle' : input.isCommandValue ? 'command' : (detectV1Format(text) ?? 'bundle');
  // The sender's key and the replay record must be the ones seeqret wrote (a removed
  // loaded_bundles row would re-enable a replay; an older user row, an old key).
  v.checkIntegrity(['users', 'loaded_bundles', 'secrets']);
  const warnings: string[] = [];
  let secrets: ReceivedSecret[];
  let sender: UserRecord;
  let bundleId: string | null = null;
  if (format === 'bundle') {
    const read = readBundleHeader(text);
    const { header } = read;
    sender = senderUser(v, input.sender, header.sender.pubkey);
    if (v.bundleLoaded(header.id, header.sender.pubkey) && !options.force) {
      throw new SeeqretError('E_BUNDLE_REPLAY', `bundle ${header.id} from ${sender.username} was already loaded`, 'Nothing to do if it is a copy of one you loaded; to load it again anyway run `seeqret load -f FILE --force` (with --overwrite it can put back values older than yours).');
    }
    // The header read above (parsed and checked once, not again for the 1,000 secrets' envelope).
    const opened = openBundle(text, { publicKey: v.publicKey, secretKey: vaultIdentitySecretKey(v) }, read);
    secrets = opened.secrets.map((s) => ({ app: s.app, env: s.env, key: s.key, type: s.type, value: s.value, updatedAt: s.updated }));
    bundleId = header.id;
  } else {
    sender = senderUser(v, input.sender ?? claimedSender(format, text), undefined);
    const senderKey = keyFromBase64(sender.pubkey);
    if (!senderKey) throw new SeeqretError('E_BAD_KEY', `${sender.username}'s public key is not usable`, 'Add the user again with the key from their `seeqret introduction`.');
    let parsed;
    if (format === 'json-crypt') {
      const jc = parseJsonCrypt(text, vaultIdentitySecretKey(v), senderKey);
      if (!jc.signatureVerified) warnings.push('this json-crypt file has no signature: nothing checks that values were not moved between names');
      parsed = jc.secrets;
    } else {
      parsed = parseCommandText(input.isCommandValue ? `seeqret load -v${text}` : text, vaultIdentitySecretKey(v), senderKey);
    }
    secrets = parsed.map((s) => ({ app: s.app, env: s.env, key: s.key, type: s.type, value: s.value, ...(s.updatedAt ? { updatedAt: s.updatedAt * 1000 } : {}) }));
    warnings.push(`the ${format} format does not authenticate names, types or sender (only that each value opened with ${sender.username}'s key); prefer the default bundle format`);
  }
  return { sender, format, bundleId, secrets, warnings, options };
}

/** Step 2 (optional): what {@link applyLoad} would do with each secret now, from a transaction that is rolled back. */
export function previewLoad(v: Vault, plan: LoadPlan): ImportSummary {
  return v.setMany(plan.secrets, { ...writeOptions(plan.sender, plan.format, plan.bundleId, plan.options), dryRun: true });
}

function writeOptions(sender: UserRecord, format: Serializer, bundleId: string | null, options: LoadOptions): Parameters<Vault['setMany']>[1] {
  return {
    update: options.overwrite,
    keepNewer: !options.force,
    load: { ...(bundleId ? { bundleId } : {}), sender: sender.username, senderPubkey: sender.pubkey, format },
    // The sender chose these names: new ones start pending until this person accepts them
    // (at once when they said so beforehand).
    received: `load from ${sender.username}`,
    acceptReceived: options.accept === true,
  };
}

/**
 * Step 3: write a plan in one transaction — the values, the replay record, what the sender
 * knows (share records) and one audit entry — or nothing. The outcomes are decided again inside
 * the transaction, so a change made between plan and apply is never overwritten by surprise.
 * The records of the names it added come from the write itself (no reading back).
 */
export function applyLoad(v: Vault, plan: LoadPlan): LoadResult {
  const added: SecretRecord[] = [];
  const summary = v.setMany(plan.secrets, { ...writeOptions(plan.sender, plan.format, plan.bundleId, plan.options), added });
  const pending = added.filter((r) => r.pending);
  const accepted = added.filter((r) => !r.pending);
  return { sender: plan.sender.username, format: plan.format, bundleId: plan.bundleId, summary, pending, accepted };
}
