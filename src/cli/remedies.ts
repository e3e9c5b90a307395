/**
 * The CLI's wording of the remedies the library names in its own terms (decision 42): a library
 * error says "pass `{ replace: true }` to `set`", the CLI says "add --overwrite". Every place the CLI
 * renders an error's fix goes through {@link cliFix}.
 *
 * @module
 */
import type { Remedy, SeeqretError } from '../errors.js';

const CLI_FIXES: Readonly<Record<Remedy['id'], (arg: string) => string>> = {
  'replace-secret': () => 'Add --overwrite to replace it (the old value is kept in history), or use `seeqret edit value`.',
  'replace-pgp-key': () => 'Pass --overwrite to replace it.',
  'reset-value': () => 'Restore the vault from a backup, or set the value again with `seeqret add key --overwrite`.',
  'list-secrets': () => 'Run `seeqret list` to see what exists.',
  'list-versions': () => 'Run `seeqret history` to see the versions.',
  'list-users': () => 'Run `seeqret users` to see who is known; add people with `seeqret add user`.',
  'remove-user': () => 'Remove the old entry first (seeqret rm user NAME), or use another name.',
  'remove-pgp-owner': (owner) => `Use that name, or remove it first (seeqret rm user ${owner}).`,
  'vault-folder': () => 'Run `seeqret init`, or point --vault / SEEQRET at your vault folder.',
  'vault-folder-inside': (dir) => `Point --vault / SEEQRET at the vault folder itself: ${dir}`,
  'reimport-pgp-key': (who) => `Import it again: seeqret add user --username ${who} --pgp-key FILE --overwrite`,
  'renew-pgp-key': (who) => `Get a current key from them and import it: seeqret add user --username ${who} --pgp-key FILE --overwrite`,
};

/** The fix of `e` in the CLI's words: its remedy worded with the CLI's flags, else `e.fix` as it is. */
export function cliFix(e: SeeqretError): string {
  return e.remedy === undefined ? e.fix : CLI_FIXES[e.remedy.id](e.remedy.arg ?? '');
}
