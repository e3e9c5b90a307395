/**
 * The shape of every `team` change (add/rm domain, owners, rotation, secrets, audit truncation):
 * open the file for writing, work out the change (asking what it needs), write it under the
 * file's lock (src/team/write.ts), optionally signed by the acting custodian.
 *
 * @module
 */
import { requireCustodian } from './credentials.js';
import { type TeamSession, openTeam } from './session.js';
import type { TeamFile, UnlockedCustodian } from './store.js';
import { type TeamChange, type WriteOptions, type WriteResult, writeTeam } from './write.js';

/** A team change ready to write. */
export interface PreparedChange {
  /** The change, applied to the file as read under the lock. */
  readonly change: TeamChange;
  /** How it is written (its signer). */
  readonly opts?: WriteOptions;
}

/** What {@link applyTeamChange} did. */
export interface AppliedChange<P extends PreparedChange = PreparedChange> {
  /** The write's result (before, after, written, notices). */
  readonly result: WriteResult;
  /** The file as opened before the change was prepared. */
  readonly opened: TeamFile;
  /** What `prepare` gave. */
  readonly prepared: P;
}

/** Open the file for a change, work out the change with `prepare` (which may ask), and write it. */
export async function applyTeamChange<P extends PreparedChange>(s: TeamSession, prepare: (tf: TeamFile) => P | Promise<P>): Promise<AppliedChange<P>> {
  const { tf } = openTeam(s, 'write');
  const prepared = await prepare(tf);
  return { result: await writeTeam(s, tf, prepared.change, prepared.opts), opened: tf, prepared };
}

/** A change prepared for the acting custodian. */
export interface CustodianChange extends PreparedChange {
  /** The acting custodian, who signs the write. */
  readonly me: UnlockedCustodian;
}

/** A change signed by (and needing the credentials of) the acting custodian. */
export function applyAsCustodian(s: TeamSession, fn: (f: TeamFile, me: UnlockedCustodian) => TeamFile): Promise<AppliedChange<CustodianChange>> {
  return applyTeamChange(s, async (tf) => {
    const me = await requireCustodian(s, tf);
    return { change: (f) => fn(f, me), opts: { signer: me }, me };
  });
}
