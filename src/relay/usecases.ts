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
import { type ExportPlan, prepareExport, recordExports } from '../sharing/export.js';
import { type LoadResult, applyLoad, planLoad } from '../sharing/load.js';
import { relayKeyId } from '../crypto/relay.js';
import { readBundleHeader } from '../sharing/bundle.js';
import { sharesOf } from '../sharing/access.js';
import type { UserRecord, Vault } from '../vault/vault.js';
import { PAGE_ENVELOPES, type RelayClient, type RelayEnvelope, type RelayMember } from './client.js';

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

/**
 * Seal the secrets the filters match to each person and upload each bundle; each delivery is
 * recorded after its upload. `members` is the relay's list when the caller already has it.
 */
export async function pushToRelay(v: Vault, client: RelayClient, req: { to: readonly string[]; filters: readonly Filter[]; members?: readonly RelayMember[] }): Promise<PushResult> {
  const plan = prepareExport(v, { to: req.to, filters: req.filters, destination: 'files' });
  const members = req.members ?? (await client.members());
  // Every recipient is checked before anything is sent.
  const targets = plan.items.map((item) => ({ item, member: memberFor(item.recipient, members) }));
  // One signed request for all of them (as many as fit); each delivery is recorded once uploaded.
  const ids = await client.sendMany(targets.map(({ item, member }) => ({ to: member.keyId, envelope: item.text })));
  // Every delivery recorded in ONE transaction (one commit, one batch of share records).
  recordExports(v, plan, targets.map(({ item }) => item));
  const sent = targets.map(({ item }, i) => ({ recipient: item.recipient.username, envelopeId: ids[i] ?? '' }));
  return { plan, sent };
}

/** What `push --updates` did: what it sent, and whom it skipped because they are not relay members. */
export interface PushUpdatesResult {
  readonly results: readonly PushResult[];
  readonly skipped: readonly { readonly username: string; readonly secrets: number }[];
}

/**
 * `push --updates`: every secret whose value changed since each person last received it, to
 * everyone who holds it (the share records know who received which version). Only users that
 * still have the key the secret was sent to get it: someone removed, or whose key changed, gets
 * nothing more. People who are not (or no longer) relay members are skipped and reported; a
 * member whose key on the relay differs from this vault's fails the push before anything is sent
 * (`E_RELAY_KEY_CHANGED`).
 */
export async function pushUpdates(v: Vault, client: RelayClient): Promise<PushUpdatesResult> {
  const current = new Map(v.find([parseFilter('::')]).map((r) => [`${r.app}:${r.env}:${r.key}`, r]));
  const users = new Map(v.users().filter((u) => !u.isOwner).map((u) => [u.username, u]));
  const sent = sharesOf(v, { currentKeyOnly: true }); // user -> secret -> newest version sent
  const due: { username: string; filters: Filter[] }[] = [];
  for (const [username, versions] of sent) {
    const stale = [...versions].filter(([id, held]) => (current.get(id)?.version ?? 0) > held.version).map(([id]) => parseFilter(id));
    if (stale.length > 0) due.push({ username, filters: stale });
  }
  if (due.length === 0) return { results: [], skipped: [] };
  const members = await client.members();
  const skipped: { username: string; secrets: number }[] = [];
  const ready = due.filter((d) => {
    const user = users.get(d.username);
    if (!user) return false;
    try {
      memberFor(user, members);
      return true;
    } catch (e) {
      if (!isSeeqretError(e) || e.code !== 'E_RELAY_NOT_MEMBER') throw e;
      skipped.push({ username: d.username, secrets: d.filters.length });
      return false;
    }
  });
  const results: PushResult[] = [];
  for (const d of ready) results.push(await pushToRelay(v, client, { to: [d.username], filters: d.filters, members }));
  return { results, skipped };
}

/** How `sync` and `watch` load envelopes: `load`'s options. */
export interface SyncOptions {
  /** Replace secrets that have another value here (`--overwrite`). */
  readonly overwrite: boolean;
  /** Add the new names accepted, in each load's transaction (`--accept`); else they stay pending. */
  readonly accept?: boolean | undefined;
}

/** What became of one pending envelope. */
export type SyncOutcome =
  | { readonly kind: 'loaded'; readonly envelopeId: string; readonly result: LoadResult }
  | { readonly kind: 'replay'; readonly envelopeId: string; readonly error: SeeqretError }
  | { readonly kind: 'refused'; readonly envelopeId: string; readonly error: SeeqretError };

/**
 * Load one envelope as `load` would (bundles only), without acknowledging it: a replay of a
 * bundle already loaded is not loaded again, a refused envelope is reported with its id (it stays
 * on the relay until acknowledged or `relay reject ID`). The caller acknowledges the loaded and
 * replayed ones once this returned (the load committed): `sync` a batch at a time,
 * {@link receiveEnvelope} one by one.
 */
export function loadEnvelope(v: Vault, e: RelayEnvelope, options: SyncOptions): SyncOutcome {
  try {
    const plan = planLoad(v, { text: e.envelope, serializer: 'bundle' }, { overwrite: options.overwrite, force: false, accept: options.accept === true });
    const result = applyLoad(v, plan);
    return { kind: 'loaded', envelopeId: e.id, result };
  } catch (err) {
    if (!isSeeqretError(err)) throw err;
    return err.code === 'E_BUNDLE_REPLAY' ? { kind: 'replay', envelopeId: e.id, error: err } : { kind: 'refused', envelopeId: e.id, error: err };
  }
}

/**
 * Load one envelope ({@link loadEnvelope}) and acknowledge it once the load committed — or, a
 * replay of a bundle already loaded, without loading it again. A refused envelope is not
 * acknowledged (it stays on the relay). `watch`'s step: one envelope, one load, one acknowledgement.
 */
export async function receiveEnvelope(v: Vault, client: RelayClient, e: RelayEnvelope, options: SyncOptions): Promise<SyncOutcome> {
  const o = loadEnvelope(v, e, options);
  if (o.kind !== 'refused') await client.ack(e.id);
  return o;
}

/**
 * Fetch every pending envelope and load each as `load` would (bundles only; sender known, all
 * or nothing, replay refused, newer values kept, new names pending). Envelopes are acknowledged
 * only after their loads committed, a batch at a time (one request, one relay transaction) — a
 * crash in between leaves them pending, and the next sync finds them replays of what was loaded
 * and acknowledges them without loading them twice. A refused envelope stays pending (and is
 * reported) until `relay reject ID` disposes of it.
 */
export async function syncFromRelay(v: Vault, client: RelayClient, options: SyncOptions, each: (o: SyncOutcome) => Promise<void> | void): Promise<SyncOutcome[]> {
  const outcomes: SyncOutcome[] = [];
  let after: string | undefined;
  for (;;) {
    // Page by the last envelope seen: refused ones stay pending behind the cursor, never in the way.
    const batch = await client.pending(undefined, after);
    if (batch.length === 0) break;
    const done: string[] = [];
    for (const e of batch) {
      const o = loadEnvelope(v, e, options);
      if (o.kind !== 'refused') done.push(e.id);
      outcomes.push(o);
      await each(o);
    }
    await client.ackMany(done);
    // A short page was the last: no request for an empty one (what arrives meanwhile is the next sync's).
    if (batch.length < PAGE_ENVELOPES) break;
    after = batch.at(-1)?.id;
  }
  return outcomes;
}

/** What {@link rejectEnvelope} disposed of. */
export interface RejectResult {
  readonly envelopeId: string;
  /** The sender's key id on the relay. */
  readonly from: string;
  /** The sender's user name and bundle id from the bundle's header, when it has one. */
  readonly sender: string | null;
  readonly bundleId: string | null;
}

/**
 * `relay reject ID`: dispose of a pending envelope that `sync` refuses (unknown sender, altered,
 * wrong recipient …) — acknowledged on the relay as rejected (not delivered) and recorded in the
 * vault's audit log (`relay.reject`), never loaded. `E_NOT_FOUND` when no such envelope waits.
 */
export async function rejectEnvelope(v: Vault, client: RelayClient, envelopeId: string): Promise<RejectResult> {
  let e: RelayEnvelope | undefined;
  let after: string | undefined;
  for (;;) {
    const page = await client.pending(undefined, after);
    e = page.find((x) => x.id === envelopeId);
    if (e || page.length === 0) break;
    after = page.at(-1)?.id;
  }
  if (!e) throw new SeeqretError('E_NOT_FOUND', `no envelope ${envelopeId} waits for you on the relay`, 'Run `seeqret sync`: it lists the envelopes it refuses, with their ids.');
  let header: { sender: string; bundleId: string } | undefined;
  try {
    const h = readBundleHeader(e.envelope).header;
    header = { sender: h.sender.username, bundleId: h.id };
  } catch {
    header = undefined;
  }
  const r: RejectResult = { envelopeId, from: e.from, sender: header?.sender ?? null, bundleId: header?.bundleId ?? null };
  // The audit entry first: a crash after it leaves the envelope pending, and rejecting it again is harmless.
  v.audit([{ action: 'relay.reject', target: envelopeId, detail: { from: r.from, sender: r.sender, bundle: r.bundleId } }]);
  if ((await client.ackMany([envelopeId], true)).length === 0) throw new SeeqretError('E_NOT_FOUND', `envelope ${envelopeId} is no longer pending`, 'Nothing to do.');
  return r;
}
