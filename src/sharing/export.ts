/**
 * The `export` use case: seal a selection of secrets to one or more of this vault's users, in
 * a transfer format, and remember who was sent what (so that removing them later marks exactly
 * those values as exposed).
 *
 * {@link prepareExport} reads and seals, writing nothing; the caller delivers each
 * {@link ExportItem} (a file, a pipe, a relay) and then calls {@link recordExport} for it, so a
 * delivery that fails is not recorded as sent. Nothing here touches `process` or a file.
 *
 * @module
 */
import { keyFromBase64, wipe } from '../crypto/index.js';
import { SeeqretError } from '../errors.js';
import type { Filter } from '../filter/index.js';
import type { SecretRecord, UserRecord, Vault } from '../vault/vault.js';
import { bundlePayload, sealBundle } from './bundle.js';
import { type Serializer, serializerOf } from './serializers.js';
import { type V1Secret } from '../legacy/v1.js';
import { serializeCommand } from '../legacy/v1-command.js';
import { serializeJsonCrypt } from '../legacy/v1-json-crypt.js';
import { vaultIdentitySecretKey } from '../vault/internal.js';
import { refuseIfWatchOnly } from './watch-only.js';

/** What to export to whom. */
export interface ExportRequest {
  /** User names, `self` (the owner) or `all` (every other user); comma-separated lists allowed. */
  readonly to: readonly string[];
  /** The secrets: every one any filter matches. */
  readonly filters: readonly Filter[];
  /** The transfer format (default `bundle`). */
  readonly serializer?: string | undefined;
  /**
   * Where the texts go: `stream` (one output, so one recipient unless the format is the old
   * command lines) or `files` (one per recipient).
   */
  readonly destination: 'stream' | 'files';
}

/** One recipient's sealed text. */
export interface ExportItem {
  readonly recipient: UserRecord;
  readonly text: string;
  /** The id the share records carry (the bundle's id for bundles). */
  readonly bundleId: string;
}

/** What {@link prepareExport} made. */
export interface ExportPlan {
  readonly serializer: Serializer;
  /** The secrets sent (names and versions; values only inside the sealed texts). */
  readonly records: readonly SecretRecord[];
  readonly items: readonly ExportItem[];
  /** Things the person should know (a recipient whose fingerprint was never verified). */
  readonly warnings: readonly string[];
}

function recipientsOf(v: Vault, to: readonly string[]): UserRecord[] {
  const all = v.users();
  const out = new Map<string, UserRecord>();
  for (const name of to.flatMap((t) => t.split(',')).filter(Boolean)) {
    if (name === 'all') for (const u of all) if (!u.isOwner) out.set(u.username, u);
    if (name === 'self') out.set(v.owner().username, v.owner());
    if (name !== 'all' && name !== 'self') out.set(name, v.user(name));
  }
  if (out.size === 0) throw new SeeqretError('E_USAGE', '--to named nobody (the vault has no other users)', 'Add the person first: seeqret add user --username NAME --pubkey KEY.');
  return [...out.values()];
}

function seal(serializer: Serializer, v: Vault, owner: UserRecord, to: UserRecord, records: readonly SecretRecord[], values: ReadonlyMap<number, string>, once: { payload?: Buffer }): { text: string; bundleId: string } {
  const toKey = keyFromBase64(to.pubkey);
  if (!toKey) throw new SeeqretError('E_BAD_KEY', `${to.username}'s public key is not usable`, 'Add the user again with the key from their `seeqret introduction`.');
  const value = (r: SecretRecord): string => values.get(r.id) ?? '';
  if (serializer === 'bundle') {
    // The plaintext is the same for every recipient: serialized once per export, sealed for each.
    const payload = (once.payload ??= bundlePayload(records.map((r) => ({ app: r.app, env: r.env, key: r.key, type: r.type, value: value(r), updated: r.updatedAt }))));
    const { text, header } = sealBundle({ username: owner.username, email: owner.email, pubkey: v.publicKey }, vaultIdentitySecretKey(v), { username: to.username, pubkey: toKey }, payload);
    return { text, bundleId: header.id };
  }
  const v1: V1Secret[] = records.map((r) => ({ app: r.app, env: r.env, key: r.key, type: r.type, value: value(r), updatedAt: Math.floor(r.updatedAt / 1000) }));
  const bundleId = `${serializer}-${Date.now().toString(36)}`;
  const text =
    serializer === 'json-crypt'
      ? serializeJsonCrypt({
          from: { username: owner.username, email: owner.email, pubkey: owner.pubkey, name: owner.name },
          to: { username: to.username, email: to.email, pubkey: to.pubkey, name: to.name },
          secrets: v1,
          senderSecretKey: vaultIdentitySecretKey(v),
          recipientPublicKey: toKey,
        })
      : serializeCommand({ senderUsername: owner.username, recipientUsername: to.username, secrets: v1, senderSecretKey: vaultIdentitySecretKey(v), recipientPublicKey: toKey });
  return { text: text.endsWith('\n') ? text : `${text}\n`, bundleId };
}

/**
 * Seal the secrets the filters match to each recipient. Writes nothing.
 *
 * @throws SeeqretError `E_USAGE` (no filter, nobody named, several recipients to one stream),
 *   `E_UNKNOWN_USER`, `E_NOT_FOUND` (the filters match nothing), `E_TAMPERED` (users or secrets
 *   changed outside seeqret).
 */
export function prepareExport(v: Vault, req: ExportRequest): ExportPlan {
  refuseIfWatchOnly(v.dir);
  if (req.filters.length === 0) throw new SeeqretError('E_USAGE', 'export needs at least one -f FILTER (exporting nothing is never what you want)', "Name the secrets, e.g. -f 'myapp:dev:' (or -f '::' for all).");
  if (req.to.length === 0) throw new SeeqretError('E_USAGE', 'export needs --to USER (a name, self or all)', 'Run `seeqret users` to see who is known.');
  const serializer = serializerOf(req.serializer);
  // Recipients' keys and the values sent must be the ones seeqret wrote. The share records are not
  // read here (recordExport only adds to them, and the aggregate it updates keeps any earlier
  // change to them detectable): their readers check them (push --updates, rm user, doctor).
  v.checkIntegrity(['users', 'secrets']);
  const recipients = recipientsOf(v, req.to);
  if (recipients.length > 1 && req.destination === 'stream' && serializer !== 'command') {
    throw new SeeqretError('E_USAGE', `${recipients.length} recipients need -o FILE (one file is written per recipient)`, 'Add -o secrets.json; files become secrets.NAME.json.');
  }
  const records = v.find(req.filters);
  if (records.length === 0) throw new SeeqretError('E_NOT_FOUND', `the filters match no secret: ${req.filters.map((f) => f.text).join(', ')}`, 'Run `seeqret list` to see what exists.');
  const owner = v.owner();
  const revealed = v.revealMany(records);
  const values = new Map<number, string>(records.map((r, i) => [r.id, revealed[i] ?? '']));
  const warnings: string[] = [];
  const once: { payload?: Buffer } = {};
  try {
    const items = recipients.map((u) => {
      if (!u.isOwner && u.verifiedAt === null) warnings.push(`${u.username}'s key fingerprint was never verified; compare it on a call and run \`seeqret users verify ${u.username}\``);
      return { recipient: u, ...seal(serializer, v, owner, u, records, values, once) };
    });
    return { serializer, records, items, warnings };
  } finally {
    wipe(once.payload);
  }
}

/** Remember that `item` was delivered: its recipient now knows these versions (one transaction, audited). */
export function recordExport(v: Vault, plan: ExportPlan, item: ExportItem): void {
  recordExports(v, plan, [item]);
}

/** Remember that each of `items` was delivered ({@link recordExport}), all in one transaction and one batch of share records. */
export function recordExports(v: Vault, plan: ExportPlan, items: readonly ExportItem[]): void {
  v.recordExports(items.map((item) => ({ bundleId: item.bundleId, user: item.recipient })), plan.records, plan.serializer);
}
