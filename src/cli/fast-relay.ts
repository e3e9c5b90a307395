/**
 * Fast path for the relay's one-shot commands, `seeqret sync` and `seeqret push`: a small argument
 * scanner, so that ten machines syncing at once do not each load commander and the command tree
 * (decision 68). Like {@link parseFastGet} it understands only the plain forms and returns `null`
 * for anything else (help, unknown or misplaced options, extra words, a value that looks like an
 * option), which the full parser then handles: both paths accept exactly the same command lines
 * and run the same handlers.
 *
 * @module
 */
import type { GlobalOptions } from './context.js';
import type { PushOptions, SyncOptions } from './commands/relay/client.js';

/** A `sync` or `push` invocation understood by the fast path. */
export type FastRelay =
  | { readonly command: 'sync'; readonly g: GlobalOptions; readonly options: SyncOptions }
  | { readonly command: 'push'; readonly g: GlobalOptions; readonly options: PushOptions };

/** Options that take a value: global ones anywhere, `push`'s after the command word. */
const GLOBAL_VALUES: ReadonlySet<string> = new Set(['--vault', '--passphrase-file']);
const PUSH_VALUES: ReadonlySet<string> = new Set(['--to', '-f', '--filter']);

/**
 * Recognise `[global options] sync [--overwrite] [--accept] [global options]` and
 * `[global options] push [--to USER]… [-f FILTER]… [--updates] [global options]`; `null` for
 * anything else. Global options: `--vault`, `--passphrase-file`, `--debug`. A value is the next
 * word (`--to=USER` too, but not `-fFILTER`) and must not start with `-`.
 */
export function parseFastRelay(args: readonly string[]): FastRelay | null {
  if (!args.includes('sync') && !args.includes('push')) return null;
  const g: GlobalOptions = {};
  let command: 'sync' | 'push' | undefined;
  let overwrite = false;
  let accept = false;
  let updates = false;
  const to: string[] = [];
  const filter: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === undefined) break;
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const name = eq < 0 ? a : a.slice(0, eq);
    if (GLOBAL_VALUES.has(name) || (command === 'push' && PUSH_VALUES.has(name))) {
      const value = eq < 0 ? args[++i] : a.slice(eq + 1);
      if (value === undefined || value.startsWith('-')) return null;
      if (name === '--vault') g.vault = value;
      else if (name === '--passphrase-file') g.passphraseFile = value;
      else if (name === '--to') to.push(value);
      else filter.push(value);
    } else if (a === '--debug') g.debug = true;
    else if (command === undefined) {
      if (a !== 'sync' && a !== 'push') return null;
      command = a;
    } else if (command === 'sync' && a === '--overwrite') overwrite = true;
    else if (command === 'sync' && a === '--accept') accept = true;
    else if (command === 'push' && a === '--updates') updates = true;
    else return null;
  }
  if (command === 'sync') return { command, g, options: { ...(overwrite ? { overwrite } : {}), ...(accept ? { accept } : {}) } };
  if (command === 'push') return { command, g, options: { ...(to.length > 0 ? { to } : {}), ...(filter.length > 0 ? { filter } : {}), ...(updates ? { updates } : {}) } };
  return null;
}
