/**
 * Exit-code profiles for the command groups that stand in for another tool: `team` exits as
 * pocket_protector's `pprotect` does and `securestore` as `ssclient` does, so scripts written for
 * those tools keep working. The printed line is seeqret's (`seeqret: E_CODE: message. Fix: …`)
 * either way. `SEEQRET_EXIT_CODES=native` selects seeqret's own table (docs/errors.md) for them too.
 *
 * Kept free of other modules so `report.ts` (used by the fast paths) stays small.
 *
 * @module
 */
import type { ErrorCode, SeeqretError } from '../errors.js';

/** Maps an error to the process exit code of a compatibility profile. */
export type ExitProfile = (e: SeeqretError) => number;

let active: ExitProfile | null = null;

/** Make `profile` decide the exit codes of this process (unless `SEEQRET_EXIT_CODES=native`). */
export function useExitProfile(profile: ExitProfile, env: NodeJS.ProcessEnv = process.env): void {
  active = env['SEEQRET_EXIT_CODES'] === 'native' ? null : profile;
}

/** The exit code for `e`: the active profile's, else seeqret's own. */
export function exitCodeFor(e: SeeqretError): number {
  // Ctrl-C at a prompt exits 130 in every profile, as the other tools (and shells) do.
  if (e.code === 'E_INTERRUPTED') return e.exitCode;
  return active ? active(e) : e.exitCode;
}

/**
 * A profile of another tool: exit codes by error code, a code for errors the command marks
 * (those the other tool singles out though seeqret's code is shared, e.g. "the file is missing"
 * among all E_FILE_NOT_FOUND), and one code for everything else.
 */
export function compatProfile(spec: { byCode: Partial<Record<ErrorCode, number>>; marked: number; otherwise: number }): {
  /** Mark `e` as one the profile exits `spec.marked` for; returns it. */
  mark(e: SeeqretError): SeeqretError;
  profile: ExitProfile;
} {
  const marked = new WeakSet<SeeqretError>();
  return {
    mark(e) {
      marked.add(e);
      return e;
    },
    profile: (e) => (marked.has(e) ? spec.marked : (spec.byCode[e.code] ?? spec.otherwise)),
  };
}
