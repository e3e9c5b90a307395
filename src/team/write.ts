/**
 * Every change to a team file goes through {@link writeTeam}: lock the file, re-read it, check
 * it is a state this vault trusts, apply the change, write it (signed when the file is signed,
 * with the next sequence number), pin what was written, release the lock — so concurrent
 * writers lose nothing and a write never lands on a file this vault does not trust.
 *
 * @module
 */
import fs from 'node:fs';
import { SeeqretError } from '../errors.js';
import { readTextFileCapped } from '../util/read-capped.js';
import { lockFileAsync } from '../util/lock.js';
import { requireCustodian } from './credentials.js';
import { unifiedDiff } from './diff.js';
import { type CheckedTeam, type TeamNotice, type TeamSession, cannotAsk, checkTeam, firstUseNote, lockTimeout, recordPin, requireTrusted, teamFileExists, teamFileMissing } from './session.js';
import { observe } from './state.js';
import { pinPath } from './state-file.js';
import { TeamFile, type UnlockedCustodian } from './store.js';
import { checkSigner, readTrust, trustSigner } from './trust.js';

/** A change to the team file: the new file, and who signs it (a signed file needs a custodian). */
export interface TeamPlan {
  readonly next: TeamFile;
  readonly signer?: UnlockedCustodian | undefined;
}

/** A change: the file as it is → the file to write (and, when it matters, its signer). */
export type TeamChange = (tf: TeamFile) => TeamFile | TeamPlan;

/** How {@link writeTeam} writes. */
export interface WriteOptions {
  /** Who signs, when the file is signed (else asked for when needed). */
  readonly signer?: UnlockedCustodian | undefined;
  /** The change already applied to `before`: written as is when the file did not change meanwhile. */
  readonly pre?: TeamFile | TeamPlan | undefined;
  /** The file must not exist yet (`init`). */
  readonly create?: boolean | undefined;
  /** Write even when nothing changed (`sign`). */
  readonly force?: boolean | undefined;
  /** `false`: the change needs no signer (`unsign`). */
  readonly needsSigner?: boolean | undefined;
}

/** What {@link writeTeam} did. */
export interface WriteResult {
  /** The file as it was under the lock (null when created). */
  readonly before: TeamFile | null;
  /** The file as written (or as it is, when nothing changed). */
  readonly after: TeamFile;
  /** False when the change changed nothing (and nothing was written). */
  readonly written: boolean;
  /** What the person should be told: first use, a pin not remembered, the format's readability. */
  readonly notices: readonly TeamNotice[];
}

const asPlan = (p: TeamFile | TeamPlan): TeamPlan => (p instanceof TeamFile ? { next: p } : p);

/**
 * Make a change to the team file without losing a concurrent one.
 *
 * `before` is the file as read before the inputs were gathered (credentials, values); when it did
 * not change meanwhile, `opts.pre` (or `change(before)`) is written; otherwise `change` is applied
 * again to the file as it is now. With {@link TeamSession.confirmWrites} the diff is shown through
 * {@link TeamPrompts.confirmWrite} under the lock, before anything is written.
 *
 * @throws SeeqretError `E_TEAM_ROLLBACK` / `E_TEAM_UNTRUSTED` / `E_TEAM_SIGNATURE` (the file is not
 *   a state this vault trusts), `E_LOCKED`, `E_ABORTED` (the change was not confirmed),
 *   `E_EXISTS` / `E_FILE_NOT_FOUND` (see `isTeamFileError`).
 */
export async function writeTeam(s: TeamSession, before: TeamFile | null, change: TeamChange, opts: WriteOptions = {}): Promise<WriteResult> {
  if (s.confirmWrites && s.prompts.nonInteractive) throw cannotAsk('--confirm asks before writing', 'Drop --non-interactive to answer, or drop --confirm.');
  const pre = opts.pre !== undefined ? asPlan(opts.pre) : before ? asPlan(change(before)) : undefined;
  let signer = opts.signer ?? pre?.signer;
  // A signed file is signed by whoever writes it: ask for the credentials before taking the lock.
  if (!signer && before?.data.signed && opts.needsSigner !== false && pre?.next.data.signed !== false) signer = await requireCustodian(s, before);
  const file = s.file;
  // One lock per file, however it is named (relative path, symbolic link): next to its real path.
  const lock = await lockFileAsync(pinPath(file), { what: file, timeoutMs: lockTimeout(s.env) });
  try {
    let fresh: TeamFile | null = null;
    let c: CheckedTeam | null = null;
    if (opts.create) {
      if (fs.existsSync(file)) throw teamFileExists(file);
    } else {
      if (!fs.existsSync(file)) throw teamFileMissing(file);
      c = checkTeam(s, file);
      fresh = c.tf;
      requireTrusted(s, c, 'nothing was written');
    }
    const beforeHash = before?.readHash() ?? null;
    const freshHash = fresh?.readHash() ?? null;
    const unchanged = beforeHash !== null && freshHash !== null && beforeHash.equals(freshHash);
    const plan = pre && (unchanged || opts.create) ? pre : fresh ? asPlan(change(fresh)) : undefined;
    if (plan === undefined) throw new SeeqretError('E_INTERNAL', `a new team file ${file} was to be written without its content`, 'Report this bug; nothing was written.');
    const next = plan.next;
    if (fresh && next === fresh && !opts.force) return { before: fresh, after: next, written: false, notices: [] };
    let by = plan.signer ?? signer;
    if (next.data.signed) {
      if (!by) throw new SeeqretError('E_TEAM_SIGNATURE', `${file} is signed: every change must be signed by a key custodian`, 'Give your credentials (-u NAME and a passphrase, or --identity).');
      const mine = next.data.custodians.get(by.name);
      if (!mine || !mine.publicKey.equals(by.publicKey)) {
        throw new SeeqretError('E_TEAM_CREDENTIALS', `the key of ${by.name} in ${file} changed while this command ran; nothing was written`, 'Run the command again.');
      }
    } else by = undefined;
    const team = next.teamId();
    const seenSeq = team && c?.pin ? (c.pin.seqs[team.toString('base64')] ?? 0) : 0;
    const seq = Math.max(next.nextSeq(), seenSeq + 1);
    const text = next.serialize(by, { seq });
    if (s.confirmWrites) {
      const old = fresh ? readTextFileCapped(file, 'teamFile') : '';
      if (!(await s.prompts.confirmWrite(unifiedDiff(old, text, `${file}.old`, `${file}.new`)))) {
        throw new SeeqretError('E_ABORTED', 'nothing was written', 'Run the command again and answer y to write.');
      }
    }
    next.write(by, { seq });
    const notices: TeamNotice[] = [];
    if (c?.verdict.kind === 'first-use') notices.push(firstUseNote(c));
    // Pin what was written: this vault checked the state it changed, and made the change itself.
    const written = TeamFile.parse(text, file);
    const dir = s.vaultDir;
    try {
      if (by && next.data.signed && fs.existsSync(dir)) {
        // You know your own key (also after changing your passphrase): trust it, so your own files verify.
        const key = TeamFile.signingKeyOf(by);
        if (checkSigner(readTrust(dir), by.name, key) !== 'trusted') trustSigner(dir, by.name, key);
      }
      recordPin(s, pinPath(file), observe(written, written.sourceHash()), by ? { trusted: true, by: by.name } : { trusted: false, why: null }, true);
    } catch (e) {
      if (!(e instanceof SeeqretError)) throw e;
      notices.push({ level: 'warning', text: `${file} was written, but its new state could not be remembered in ${dir}: ${e.message}` });
    }
    const was = fresh?.extensions() ?? [];
    const now = next.extensions();
    if (now.length > 0 && now.some((x) => !was.includes(x))) {
      notices.push({ level: 'info', text: `${file} now uses seeqret extensions (${now.join(', ')}): pocket_protector (pprotect) cannot read it any more.` });
    } else if (now.length === 0 && was.length > 0) {
      notices.push({ level: 'info', text: `${file} uses no seeqret extension any more: pocket_protector (pprotect) can read it again.` });
    }
    return { before: fresh, after: next, written: true, notices };
  } finally {
    lock.release();
  }
}
