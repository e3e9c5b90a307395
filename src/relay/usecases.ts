/**
 * The relay's use cases on the client side: `push` (the export use case, each recipient's
 * bundle uploaded to the relay) and `sync` (each pending envelope loaded by the load use case
 * with exactly `load`'s rules, acknowledged only after its load committed). Nothing here touches
 * `process` or a terminal; the relay client is injected.
 *
 * @module
 */
import { SeeqretError, isSeeqretError } from '../errors.js';
import { type Filter, parseFilter } from '../filter/index.js';
import { type ExportPlan, prepareExport, recordExport } from '../sharing/export.js';
import { type LoadResult, applyLoad, planLoad } from '../sharing/load.js';
import { relayKeyId } from '../crypto/relay.js';
import type { UserRecord, Vault } from '../vault/vault.js';
import type { RelayClient, RelayEnvelope, RelayMember } from './client.js';

/** What {@link pushToRelay} sent. */
export interface PushResult {
  readonly plan: ExportPlan;
  readonly sent: readonly { readonly recipient: string; readonly envelopeId: string }[];
}

/**
 * The relay member holding `user`'s key, checked against the vault: the key id comes from the
 * key this vault pinned, so a relay cannot redirect an envelope; a member of the same name with
 * another key is refused loudly (`E_RELAY_KEY_CHANGED`), never re-pinned.
 */
export function memberFor(user: UserRecord, members: readonly RelayMember[]): RelayMember {
  const keyId = relayKeyId(Buffer.from(user.pubkey, 'base64'));
  const m = members.find((x) => x.keyId === keyId);
  if (!m || m.removedAt !== null) {
    const sameName = members.find((x) => x.username === user.username && x.removedAt === null);
    if (sameName) {
      throw new SeeqretError(
        'E_RELAY_KEY_CHANGED',
        `the relay's member ${user.username} has another key than the one this vault holds for ${user.username}`,
        'Do not send: compare fingerprints with them (seeqret relay members, seeqret users); if their key really changed, remove and add the user again.',
      );
    }
    throw new SeeqretError('E_RELAY_NOT_MEMBER', `${user.username} is not a member of this relay`, `Invite them: seeqret relay invite ${user.username} (the relay's creator).`);
  }
  if (!m.record || m.record.boxKey !== user.pubkey) {
    throw new SeeqretError('E_RELAY_KEY_CHANGED', `the relay's record of ${user.username} does not check out (altered or another key)`, 'Do not send; tell the relay operator, and compare fingerprints with them.');
  }
  return m;
}

/** Seal the secrets the filters match to each person and upload each bundle; each delivery is recorded after its upload. */
export async function pushToRelay(v: Vault, client: RelayClient, req: { to: readonly string[]; filters: readonly Filter[] }): Promise<PushResult> {
  const plan = prepareExport(v, { to: req.to, filters: req.filters, destination: 'files' });
  const members = await client.members();
  // Every recipient is checked before anything is sent.
  const targets = plan.items.map((item) => ({ item, member: memberFor(item.recipient, members) }));
  const sent: { recipient: string; envelopeId: string }[] = [];
  for (const { item, member } of targets) {
    const envelopeId = await client.send(member.keyId, item.text);
    recordExport(v, plan, item);
    sent.push({ recipient: item.recipient.username, envelopeId });
  }
  return { plan, sent };
}

/**
 * `push --updates`: every secret whose value changed since each person last received it, to
 * everyone who holds it (the share records know who received which version). Only users that
 * still have the key the secret was sent to get it: someone removed, or whose key changed, gets
 * nothing more.
 */
export async function pushUpdates(v: Vault, client: RelayClient): Promise<PushResult[]> {
  const current = new Map(v.find([parseFilter('::')]).map((r) => [`${r.app}:${r.env}:${r.key}`, r]));
  const users = new Map(v.users().filter((u) => !u.isOwner).map((u) => [u.username, u]));
  const sent = new Map<string, Map<string, number>>(); // user -> secret -> newest version sent
  for (const s of v.sharingRecords().shares) {
    if (users.get(s.username)?.pubkey !== s.pubkey) continue;
    const mine = sent.get(s.username) ?? new Map<string, number>();
    const id = `${s.app}:${s.env}:${s.key}`;
    mine.set(id, Math.max(mine.get(id) ?? 0, s.version));
    sent.set(s.username, mine);
  }
  const results: PushResult[] = [];
  for (const [username, versions] of sent) {
    const stale = [...versions].filter(([id, version]) => (current.get(id)?.version ?? 0) > version).map(([id]) => parseFilter(id));
    if (stale.length > 0) results.push(await pushToRelay(v, client, { to: [username], filters: stale }));
  }
  return results;
}

/** What became of one pending envelope. */
export type SyncOutcome =
  | { readonly kind: 'loaded'; readonly envelopeId: string; readonly result: LoadResult }
  | { readonly kind: 'replay'; readonly envelopeId: string; readonly error: SeeqretError }
  | { readonly kind: 'refused'; readonly envelopeId: string; readonly error: SeeqretError };

/**
 * Load one envelope as `load` would (bundles only) and acknowledge it once the load committed —
 * or, a replay of a bundle already loaded, without loading it again. A refused envelope is not
 * acknowledged (it stays on the relay). Shared by `sync` and `watch`.
 */
export async function receiveEnvelope(v: Vault, client: RelayClient, e: RelayEnvelope, options: { overwrite: boolean }): Promise<SyncOutcome> {
  let o: SyncOutcome;
  try {
    const plan = planLoad(v, { text: e.envelope, serializer: 'bundle' }, { overwrite: options.overwrite, force: false });
    const result = applyLoad(v, plan);
    o = { kind: 'loaded', envelopeId: e.id, result };
  } catch (err) {
    if (!isSeeqretError(err)) throw err;
    o = err.code === 'E_BUNDLE_REPLAY' ? { kind: 'replay', envelopeId: e.id, error: err } : { kind: 'refused', envelopeId: e.id, error: err };
  }
  if (o.kind !== 'refused') await client.ack(e.id);
  return o;
}

/**
 * Fetch every pending envelope and load each as `load` would (bundles only; sender known, all
 * or nothing, replay refused, newer values kept, new names pending). An envelope is acknowledged
 * only after its load committed — a crash in between leaves it pending, and the next sync finds
 * it a replay of what was loaded and acknowledges it without loading it twice. A refused
 * envelope stays pending (and is reported).
 */
export async function syncFromRelay(v: Vault, client: RelayClient, options: { overwrite: boolean }, each: (o: SyncOutcome) => Promise<void> | void): Promise<SyncOutcome[]> {
  const outcomes: SyncOutcome[] = [];
  const refused = new Set<string>();
  for (;;) {
    const batch = (await client.pending()).filter((e) => !refused.has(e.id));
    if (batch.length === 0) break;
    for (const e of batch) {
      const o = await receiveEnvelope(v, client, e, options);
      if (o.kind === 'refused') refused.add(e.id);
      outcomes.push(o);
      await each(o);
    }
  }
  return outcomes;
}
