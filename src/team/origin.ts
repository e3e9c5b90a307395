/**
 * Where a TeamFile's content came from (the text and signature it was read from) and what that
 * means for signing: the signature's status, and the signed text of a change. Split from
 * store.ts (decision 43); the TeamFile keeps its origin private and passes it here.
 *
 * @module
 */
import { randomBytes, wipe } from '../crypto/index.js';
import { custodianSigningKey, sha512, signDetached, verifyDetached } from '../crypto/team.js';
import { SeeqretError } from '../errors.js';
import { type ParsedTeamFile, type SignatureEntry, type SourceText, type TeamData, PREV_BYTES, TEAM_ID_BYTES, signatureBlock, signatureMessage } from './format.js';
import type { SignatureStatus, UnlockedCustodian } from './rules.js';
import { serializeTeamData } from './serialize.js';

/** Where a TeamFile's content came from: the text it was read from, and the signature it had. */
export interface Origin {
  readonly source: SourceText | undefined;
  readonly signature: ParsedTeamFile['signature'];
  /** SHA-512 of the bytes it was parsed from (null: created, never read). */
  readonly readHash: Buffer | null;
  /** The team id a signed write uses (from the signature, or new when signing starts). */
  readonly team: Buffer | null;
}
export const NEW_ORIGIN: Origin = { source: undefined, signature: null, readHash: null, team: null };

/** The signature of the file as read: unsigned, missing (declared but absent), invalid or valid. */
export function signatureStatusOf(data: TeamData, origin: Origin): SignatureStatus {
  if (!data.signed) return { state: 'unsigned' };
  const s = origin.signature;
  if (!s) return { state: 'missing' };
  const e = s.entry;
  const ok = data.custodians.has(e.by) && verifyDetached(e.key, signatureMessage(e, sha512(s.content)), e.sig);
  const chain = e.version === 2 ? { team: Buffer.from(e.team), seq: e.seq, prev: Buffer.from(e.prev) } : null;
  return { state: ok ? 'valid' : 'invalid', by: e.by, key: Buffer.from(e.key), chain };
}

/**
 * The text of `data` (keeping the layout of the text it was read from). A signed file needs
 * `signer`, who signs it with the team id, the sequence number `seq` and the hash of the file it
 * was read from as the predecessor.
 */
export function serializeSigned(data: TeamData, origin: Origin, path: string, signer: UnlockedCustodian | undefined, seq: number): string {
  const content = serializeTeamData(data, origin.source);
  if (!data.signed) return content;
  if (!signer) throw new SeeqretError('E_TEAM_SIGNATURE', `${path} is signed: every change must be signed by a key custodian`, 'Give your credentials (-u NAME and a passphrase, or --identity).');
  if (!Number.isSafeInteger(seq) || seq < 1) throw new SeeqretError('E_INTERNAL', `bad sequence number ${seq}`, 'Report this bug; nothing was written.');
  const sk = custodianSigningKey(signer.secretKey, signer.name);
  try {
    const fields = { version: 2 as const, by: signer.name, key: sk.publicKey, team: origin.team ?? randomBytes(TEAM_ID_BYTES), seq, prev: origin.readHash ?? Buffer.alloc(PREV_BYTES) };
    const entry: SignatureEntry = { ...fields, sig: signDetached(sk.secretKey, signatureMessage(fields, sha512(Buffer.from(content, 'utf8')))) };
    return content + signatureBlock(entry);
  } finally {
    wipe(sk.secretKey);
  }
}
