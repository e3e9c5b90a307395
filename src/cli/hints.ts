/**
 * Command lines printed in hints ("run `seeqret … --overwrite` to replace them"): built from the
 * options the user really gave, so that the hint can be pasted and works in that situation.
 *
 * @module
 */
import { quoteWord } from '../util/shlex.js';
import type { GlobalOptions } from './context.js';

/** `seeqret [--vault DIR] [--passphrase-file FILE] WORDS…`, each word shell-quoted when needed. */
export function commandLine(g: GlobalOptions, ...words: string[]): string {
  const global = [...(g.vault !== undefined ? ['--vault', g.vault] : []), ...(g.passphraseFile !== undefined ? ['--passphrase-file', g.passphraseFile] : [])];
  return ['seeqret', ...global, ...words].map(quoteWord).join(' ');
}
