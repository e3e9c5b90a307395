/**
 * Exit-code profiles for the command groups that stand in for another tool: `team` exits as
 * pocket_protector's `pprotect` does and `securestore` as `ssclient` does, so scripts written for
 * those tools keep working. The printed line is seeqret's (`seeqret: E_CODE: message. Fix: …`)
 * either way. `SEEQRET_EXIT_CODES=native` selects seeqret's own table (docs/errors.md) for them too.
 *
 * A profile is a value: the entry chooses it for each run from the command word
 * ({@link profileFor}) and passes it to the error report. No module state.
 *
 * Kept free of other modules so `report.ts` (used by the fast paths) stays small.
 *
 * @module
 */
import type { ErrorCode, SeeqretError } from '../errors.js';

/** Maps an error to the process exit code of a run. */
export type ExitProfile = (e: SeeqretError) => number;

/** The compatibility profiles: seeqret's own, pocket_protector's `pprotect`, `ssclient`. */
export type ProfileName = 'seeqret' | 'pprotect' | 'ssclient';

/** The errors a command marked for its profile's `marked` code (the other tool singles them out). */
const MARK = Symbol('seeqret.exitProfileMark');

/**
 * Mark `e` as one a compatibility profile exits with its `marked` code for (pprotect: the team
 * file is missing or exists; ssclient: the vault file is missing); returns it. The mark is on
 * the error itself, so it means nothing to seeqret's own profile.
 */
export function markForProfile<E extends SeeqretError>(e: E): E {
  Object.defineProperty(e, MARK, { value: true, enumerable: false });
  return e;
}

function marked(e: SeeqretError): boolean {
  return (e as unknown as Record<symbol, unknown>)[MARK] === true;
}

/**
 * A profile of another tool: exit codes by error code, a code for errors the command marks
 * ({@link markForProfile}), and one code for everything else.
 */
function compatProfile(spec: { byCode: Partial<Record<ErrorCode, number>>; marked: number; otherwise: number }): ExitProfile {
  return (e) => (marked(e) ? spec.marked : (spec.byCode[e.code] ?? spec.otherwise));
}

/** seeqret's own exit codes (docs/errors.md). */
const SEEQRET: ExitProfile = (e) => e.exitCode;

/**
 * The profiles by name. pprotect (the spec's table): 2 for usage errors and a missing or existing
 * team file, 1 for every other error. ssclient: 2 for usage errors and a missing vault file, 17
 * when replacing an existing file was declined (at the prompt, or off a terminal without
 * --force), 1 for every other error. Ctrl-C is 130 in every profile ({@link exitCodeFor}).
 */
const PROFILES: Readonly<Record<ProfileName, ExitProfile>> = {
  seeqret: SEEQRET,
  pprotect: compatProfile({ byCode: { E_USAGE: 2 }, marked: 2, otherwise: 1 }),
  ssclient: compatProfile({ byCode: { E_USAGE: 2, E_ABORTED: 17, E_EXISTS: 17 }, marked: 2, otherwise: 1 }),
};

/** The profile `name`, or seeqret's own when the environment says `SEEQRET_EXIT_CODES=native`. */
export function exitProfile(name: ProfileName, env: Readonly<Record<string, string | undefined>>): ExitProfile {
  return env['SEEQRET_EXIT_CODES'] === 'native' ? SEEQRET : PROFILES[name];
}

/** The profile of a command word: `team` exits as pprotect, `securestore`/`ss` as ssclient, the rest as seeqret. */
export function profileNameFor(command: string | undefined): ProfileName {
  if (command === 'team') return 'pprotect';
  if (command === 'securestore' || command === 'ss') return 'ssclient';
  return 'seeqret';
}

/** The exit code for `e` under `profile`. */
export function exitCodeFor(e: SeeqretError, profile: ExitProfile): number {
  // Ctrl-C at a prompt exits 130 in every profile, as the other tools (and shells) do.
  if (e.code === 'E_INTERRUPTED') return e.exitCode;
  return profile(e);
}
