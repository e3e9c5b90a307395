/**
 * `seeqret get FILTER`: print the value of exactly one secret.
 *
 * @module
 */
import { SeeqretError } from '../../errors.js';
import { parseFilter } from '../../filter/index.js';
import { secretLabel } from '../../vault/vault.js';
import { type GlobalOptions, withVault } from '../context.js';

/** Print the single match's value (a newline follows unless `-n`). */
export async function get(g: GlobalOptions, args: unknown[], o: Record<string, unknown>): Promise<number> {
  const filter = parseFilter(args[0] as string);
  return withVault(
    g,
    (v) => {
      const matches = v.find([filter]);
      if (matches.length === 0) {
        throw new SeeqretError('E_NOT_FOUND', `no secret matches '${filter.text}'`, 'Run `seeqret list` to see what exists.');
      }
      if (matches.length > 1) {
        const names = matches.slice(0, 10).map(secretLabel).join(', ') + (matches.length > 10 ? `, … (${matches.length - 10} more)` : '');
        throw new SeeqretError('E_AMBIGUOUS', `'${filter.text}' matches ${matches.length} secrets: ${names}`, 'Name app and env too, e.g. `seeqret get myapp:dev:KEY`.');
      }
      process.stdout.write(v.reveal(matches[0]!) + (o['newline'] === false ? '' : '\n'));
      return 0;
    },
    { readonly: true },
  );
}
