/**
 * What every `seeqret securestore …` handler shares: the group's options, the {@link SsAccess}
 * built from them (the run's passphrase chain, the terminal as {@link SsPrompts}, the lock timeout), and the
 * wrapper that selects ssclient's exit codes when an ss command runs.
 *
 * No seeqret vault code is loaded here: the ssclient commands start as fast as `seeqret get`.
 *
 * @module
 */
import { type SsAccess, type SsPrompts, isStoreMissing, storeOf } from '../../../securestore/access.js';
import { lockTimeoutFromEnv } from '../../../util/lock.js';
import type { GlobalOptions } from '../../context.js';
import { markForProfile } from '../../exit-profile.js';
import { confirm, info, stdinIsTTY } from '../../io.js';
import { cliPassphrases } from '../../passphrases.js';
import { io } from '../../cli-io.js';

/** Options of the `securestore` group (seen by every subcommand). */
export interface SsOptions extends GlobalOptions {
  store?: string;
  key?: string;
  keyfile?: string;
  keyFile?: string;
  password?: boolean;
  passwordFile?: string;
}

/** The terminal as the SecureStore use cases ask through it (passwords come from the chain). */
const cliPrompts: SsPrompts = {
  get interactive() {
    return stdinIsTTY();
  },
  confirm: (q) => confirm(q),
};

/** The vault file of a command (the STORE argument or -s) and how to open it. */
export function ssAccess(g: SsOptions, positional?: string): SsAccess {
  return {
    store: storeOf(g.store, positional),
    keyFiles: [g.key, g.keyfile, g.keyFile].filter((x): x is string => x !== undefined),
    passwordFlag: g.password === true || g.passwordFile !== undefined,
    passphrases: cliPassphrases({ securestore: g.passwordFile }),
    lockTimeoutMs: lockTimeoutFromEnv(io().env),
    prompts: cliPrompts,
  };
}

/** Print the use cases' notes. */
export function showNotes(notes: readonly string[]): void {
  for (const line of notes) info(line);
}

/** Run an ss handler: select ssclient's exit codes, and mark a missing vault file for them. */
export async function runSs(fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (e) {
    if (isStoreMissing(e)) markForProfile(e); // ssclient exits 2 for it (src/cli/exit-profile.ts)
    throw e;
  }
}
