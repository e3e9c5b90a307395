/**
 * Signatures and trust: verify the file, trust a custodian's signing key, accept a checked
 * change (make this exact file the state the vault trusts), and say in words what the vault
 * makes of a file.
 *
 * Trusting and accepting are two steps, as in `load`: `plan…` works out what would be trusted
 * (the fingerprint to compare, the key changes) and writes nothing; the caller shows it, asks,
 * then `apply…` records it.
 *
 * @module
 */
import { sha512 } from '../crypto/team.js';
import { SeeqretError } from '../errors.js';
import { readFileCapped } from '../util/read-capped.js';
import { lockFileAsync } from '../util/lock.js';
import { type CheckedTeam, type TeamSession, listed, lockTimeout, openTeam, quoteArg, recordPin, rollbackError, teamHint, untrustedError } from './session.js';
import { keyringChanges, keyringFingerprint } from './state.js';
import { checkSigner, readTrust, signerFingerprint, trustSigner } from './trust.js';

/** What {@link verifyTeam} found: a valid signature by a trusted signer. */
export interface Verified {
  readonly file: string;
  readonly by: string;
  /** The signer's signing key fingerprint. */
  readonly fingerprint: string;
  /** The signature's sequence number (null for a legacy signature without one). */
  readonly seq: number | null;
}

/**
 * Succeed only when the file is signed, the signature matches, the signer is trusted and the file
 * is not older than what the vault saw; the state is then remembered.
 *
 * @throws SeeqretError `E_TEAM_SIGNATURE`, `E_TEAM_ROLLBACK`, `E_TEAM_UNTRUSTED`.
 */
export function verifyTeam(s: TeamSession): Verified {
  const c = openTeam(s, 'look');
  const tf = c.tf;
  const st = tf.signatureStatus();
  if (st.state === 'unsigned') throw new SeeqretError('E_TEAM_SIGNATURE', `${tf.path} is not signed`, `A custodian can sign it: ${teamHint(s, 'sign')}.`);
  if (st.state === 'missing') throw new SeeqretError('E_TEAM_SIGNATURE', `${tf.path} declares signatures but has none: it was changed by something that does not sign`, 'Look at the change in git (git log -p).');
  if (st.state === 'invalid') throw new SeeqretError('E_TEAM_SIGNATURE', `the signature of ${tf.path} (by ${st.by}) does not match its content`, 'Look at the change in git (git log -p); restore the last good version.');
  const t = checkSigner(readTrust(s.vaultDir), st.by, st.key);
  const fp = signerFingerprint(st.key);
  const trustCmd = teamHint(s, `trust ${quoteArg(st.by)}`);
  if (t === 'changed') throw new SeeqretError('E_TEAM_SIGNATURE', `${tf.path} is signed by ${st.by} with another key than the one you trusted (fingerprint ${fp})`, `Ask ${st.by}; if they changed their passphrase, compare the fingerprint and run \`${trustCmd}\`.`);
  if (t === 'unknown') throw new SeeqretError('E_TEAM_SIGNATURE', `${tf.path} is signed by ${st.by} (fingerprint ${fp}), whom you have not trusted`, `Compare the fingerprint with ${st.by}, then run \`${trustCmd}\`.`);
  if (c.verdict.kind === 'rollback') throw rollbackError(s, c, 'it does not verify');
  if (c.verdict.kind === 'untrusted') throw untrustedError(s, c, 'it does not verify'); // another team's file
  recordPin(s, c.realPath, c.obs, c.sig, false);
  return { file: tf.path, by: st.by, fingerprint: fp, seq: st.chain ? st.chain.seq : null };
}

/** A signing key about to be trusted. */
export interface TrustPlan {
  readonly name: string;
  readonly key: Buffer;
  /** What the person compares with the signer. */
  readonly fingerprint: string;
}

/**
 * Work out `name`'s signing key: `keyText` (base64), else the key of the file's valid signature
 * by `name`. Writes nothing.
 *
 * @throws SeeqretError `E_BAD_KEY`, `E_NOT_FOUND` (the file is not validly signed by `name`).
 */
export function planTrust(s: TeamSession, name: string, keyText?: string): TrustPlan {
  let key: Buffer;
  if (keyText) {
    key = Buffer.from(keyText, 'base64');
    if (key.length !== 32 || key.toString('base64') !== keyText) throw new SeeqretError('E_BAD_KEY', 'a signing key is 44 characters of base64 (32 bytes)', 'Copy it from the signature line of `seeqret team info` on a file they signed (key …).');
  } else {
    const { tf } = openTeam(s, 'look');
    const st = tf.signatureStatus();
    if (st.state !== 'valid' || st.by !== name) throw new SeeqretError('E_NOT_FOUND', `${tf.path} is not validly signed by ${name}`, `Pass --key KEY (the key in the signature line of \`seeqret team info\` on a file ${name} signed), or use a file ${name} signed.`);
    key = st.key;
  }
  return { name, key, fingerprint: signerFingerprint(key) };
}

/** Remember the planned key as `name`'s in the vault's trusted signers. */
export function applyTrust(s: TeamSession, plan: TrustPlan): void {
  trustSigner(s.vaultDir, plan.name, plan.key);
}

/** A file about to be accepted. */
export interface AcceptPlan {
  readonly checked: CheckedTeam;
  /** The file is exactly the version the vault verified: nothing to accept. */
  readonly same: boolean;
  /** Why it is not trusted now: `older: …` reasons of a rollback, or an untrusted change's reasons. */
  readonly reasons: readonly string[];
  /** The key changes since the pin (custodians, domains, owners). */
  readonly changes: readonly string[];
  /** The fingerprint of the file's keys (what `keys` must match). */
  readonly fingerprint: string;
}

/** Work out what accepting the file would trust from now on. Writes nothing. */
export function planAccept(s: TeamSession): AcceptPlan {
  const c = openTeam(s, 'look');
  const v = c.verdict;
  const reasons = v.kind === 'rollback' ? v.reasons.map((r) => `older: ${r}`) : v.kind === 'untrusted' ? v.reasons : [];
  const changes = keyringChanges(c.pin?.keys ?? { custodians: {}, domains: {} }, c.obs.keys);
  return { checked: c, same: v.kind === 'same', reasons, changes, fingerprint: keyringFingerprint(c.obs.keys) };
}

/**
 * Make the planned file the state the vault trusts — under the file's lock, and only the very
 * bytes planned: a write that landed meanwhile is not accepted unseen. `keys`: accept only when
 * the file's keys have this fingerprint.
 *
 * @throws SeeqretError `E_FINGERPRINT_MISMATCH`, `E_ABORTED` (the file changed since the plan).
 */
export async function applyAccept(s: TeamSession, plan: AcceptPlan, keys?: string): Promise<void> {
  const c = plan.checked;
  if (keys !== undefined && keys.replace(/\s+/g, '') !== plan.fingerprint.replace(/\s+/g, '')) {
    throw new SeeqretError('E_FINGERPRINT_MISMATCH', `the keys of ${c.tf.path} have the fingerprint ${plan.fingerprint}, not ${keys}; nothing was accepted`, `Look at what changed (${teamHint(s, 'accept')} lists it) before accepting.`);
  }
  const lock = await lockFileAsync(c.realPath, { what: c.tf.path, timeoutMs: lockTimeout(s.env) });
  try {
    const now = sha512(readFileCapped(c.tf.path, 'teamFile'));
    const checked = c.tf.readHash(); // null only for a file never read: then it cannot be the one checked
    if (checked === null || !now.equals(checked)) throw new SeeqretError('E_ABORTED', `${c.tf.path} changed while you were checking it; nothing was accepted`, `Check it again: \`${teamHint(s, 'accept')}\`.`);
    recordPin(s, c.realPath, c.obs, c.sig, true);
  } finally {
    lock.release();
  }
}

/** What the vault makes of the file, in one line (`team info`). */
export function describeVerdict(c: CheckedTeam): string {
  const v = c.verdict;
  switch (v.kind) {
    case 'same':
      return 'exactly the version your vault verified';
    case 'first-use':
      return 'not seen by your vault before (its keys are pinned on first use)';
    case 'signed':
      return `signed by ${v.by}, whom you trust; newer than or as new as what your vault saw`;
    case 'unchanged-keys':
      return 'the keys your vault verified (values may have changed)';
    case 'untrusted':
      return `CHANGED since your vault verified it, not covered by a signature you trust: ${listed([...v.reasons, ...v.changes], 20)}; writes are refused`;
    case 'rollback':
      return `OLDER than what your vault saw: ${listed(v.reasons, 20)}; writes and pull are refused`;
  }
}
