/**
 * Fast path for the hottest command, `seeqret get FILTER`: a tiny argument scanner that avoids
 * loading commander and the command tree. Anything it does not fully understand (help, unknown
 * options, several filters) returns `null`, and the full parser handles it instead, so both paths
 * accept exactly the same command lines.
 *
 * @module
 */
import type { GlobalOptions } from './context.js';

/** A `get` invocation understood by the fast path. */
export interface FastGet {
  readonly g: GlobalOptions;
  readonly filter: string;
  readonly newline: boolean;
}

/** Recognise `[global options] get [-n] FILTER [global options]`; `null` for anything else. */
export function parseFastGet(args: readonly string[]): FastGet | null {
  if (!args.includes('get')) return null;
  const g: GlobalOptions = {};
  let command: string | undefined;
  let filter: string | undefined;
  let newline = true;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === undefined) break;
    const value = (): string | undefined => args[++i];
    if (a === '--vault') g.vault = value();
    else if (a.startsWith('--vault=')) g.vault = a.slice(8);
    else if (a === '--passphrase-file') g.passphraseFile = value();
    else if (a.startsWith('--passphrase-file=')) g.passphraseFile = a.slice(18);
    else if (a === '--debug') g.debug = true;
    else if (command === undefined) {
      if (a !== 'get') return null;
      command = a;
    } else if (a === '-n' || a === '--no-newline') newline = false;
    else if (a.startsWith('-') && a !== '-') return null;
    else if (filter === undefined) filter = a;
    else return null;
    if ((a === '--vault' || a === '--passphrase-file') && args[i] === undefined) return null;
  }
  if (command !== 'get' || filter === undefined) return null;
  return { g, filter, newline };
}
