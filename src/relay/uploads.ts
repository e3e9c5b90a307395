/**
 * Uploads to the relay (`POST /v1/envelopes`, one envelope or a batch): which recipients a body
 * names, and the checks of one envelope before it is stored (decision 60).
 *
 * @module
 */
import { randomBytes } from '../crypto/index.js';
import { readBundleHeader } from '../sharing/bundle.js';
import { HEX32, field, malformed, refuse } from './request.js';
import type { MemberRow } from './storage/types.js';

/** Most envelopes one upload request may carry. */
export const MAX_BATCH = 100;

/** The recipients an upload's body names (read before authentication, only to fetch them with the caller; nothing is trusted from it). */
export function recipientsOf(o: Record<string, unknown>): string[] {
  const items: unknown[] = Array.isArray(o['envelopes']) ? o['envelopes'] : [o];
  return items
    .slice(0, MAX_BATCH)
    .map((x) => (typeof x === 'object' && x !== null ? (x as { to?: unknown }).to : undefined))
    .filter((to): to is string => typeof to === 'string' && HEX32.test(to));
}

/**
 * Check one upload — the recipient a current member, the bundle's unencrypted header naming the
 * caller as sender and the recipient's key — and make the row to store.
 */
export function envelopeRow(m: MemberRow, others: Map<string, MemberRow>, item: Record<string, unknown>, at: number): { id: string; sender: string; recipient: string; createdAt: number; body: Buffer; bundleId: string } {
  const to = field(item, 'to', HEX32);
  const envelope = field(item, 'envelope');
  const r = others.get(to);
  if (!r || r.removedAt !== null) throw refuse(404, 'E_RELAY_NOT_MEMBER', `the recipient ${to} is not a current member of this relay`, 'Run `seeqret relay members`; the creator invites new people (seeqret relay invite USER).');
  let header;
  try {
    header = readBundleHeader(envelope).header;
  } catch {
    throw malformed('"envelope" is not a seeqret bundle');
  }
  if (header.sender.pubkey !== m.boxKey) throw refuse(403, 'E_RELAY_SENDER', 'the envelope was not sealed with your key: a member can only send in its own name', 'Push from your own vault.');
  if (header.recipient.pubkey !== r.boxKey) throw refuse(403, 'E_RELAY_SENDER', `the envelope is sealed to another key than ${r.username}'s on this relay`, 'Check that your vault has the same key for them as the relay (seeqret relay members).');
  return { id: randomBytes(16).toString('hex'), sender: m.keyId, recipient: to, createdAt: at, body: Buffer.from(envelope, 'utf8'), bundleId: header.id };
}
