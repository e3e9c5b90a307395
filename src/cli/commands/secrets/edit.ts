/**
 * `seeqret edit value` and `seeqret rm key`: change or delete matched secrets.
 *
 * @module
 */
import { io } from '../../cli-io.js';
import { SeeqretError } from '../../../errors.js';
import { parseFilter } from '../../../filter/index.js';
import { secretsToChange, secretsToRemove } from '../../../vault/secret-ops.js';
import { secretLabel } from '../../../vault/vault.js';
import { type GlobalOptions, confirm, info, readValue, withVault } from '../../context.js';

/** Options of `seeqret edit value`. */
export interface EditValueOptions {
  /** `--all`: change every secret the filter matches. */
  readonly all?: boolean;
  /** `--allow-empty`: store an empty value. */
  readonly allowEmpty?: boolean;
}

/** `edit value FILTER [VALUE] [--all]`. */
export async function editValue(g: GlobalOptions, filterText: string, arg: string | undefined, o: EditValueOptions): Promise<number> {
  const filter = parseFilter(filterText);
  const value = await readValue(arg, { label: filter.text, allowEmpty: o.allowEmpty === true });
  return withVault(g, (v) => {
    const matches = secretsToChange(v, filter, o.all === true);
    const changed = v.updateValues(matches, value);
    info(`Updated ${changed} of ${matches.length} secret${matches.length === 1 ? '' : 's'}${changed < matches.length ? ' (the others already had this value)' : ''}`);
    return 0;
  });
}

/** Options of `seeqret rm key`. */
export interface RmKeyOptions {
  /** `-y/--yes`: do not ask. */
  readonly yes?: boolean;
  /** `--all`: allow a filter that matches every secret. */
  readonly all?: boolean;
}

/** `rm key FILTER [--yes] [--all]`. */
export async function rmKey(g: GlobalOptions, filterText: string, o: RmKeyOptions): Promise<number> {
  const filter = parseFilter(filterText);
  return withVault(g, async (v) => {
    const matches = secretsToRemove(v, filter, o.all === true);
    info(`${matches.length === 1 ? '1 secret matches' : `${matches.length} secrets match`} '${filter.text}':`);
    for (const m of matches.slice(0, 50)) info(`  ${secretLabel(m)}`);
    if (matches.length > 50) info(`  … and ${matches.length - 50} more`);
    if (!o.yes && !(await confirm(`Delete ${matches.length === 1 ? 'it' : `these ${matches.length}`}?`))) {
      throw new SeeqretError('E_ABORTED', 'nothing was deleted', 'Answer y to delete, or pass --yes.');
    }
    const n = v.remove(matches);
    info(`Deleted ${n} secret${n === 1 ? '' : 's'}`);
    return 0;
  });
}

/** Options of `seeqret edit -f FILTER`. */
export interface EditFilterOptions {
  /** `-f/--filter FILTER`: the secrets to edit. */
  readonly filter?: string;
  /** `-y/--yes`: remove without asking. */
  readonly yes?: boolean;
}

/** `edit -f FILTER [-y]`: the matching secrets in the editor, the changes applied in one transaction. */
export async function editFilter(g: GlobalOptions, o: EditFilterOptions): Promise<number> {
  if (o.filter === undefined) throw new SeeqretError('E_USAGE', 'edit needs -f FILTER (or the sub-command `edit value`)', 'Run e.g. `seeqret edit -f myapp:dev:*`, or `seeqret edit value FILTER VALUE`.');
  const filter = parseFilter(o.filter);
  const { editSecrets } = await import('../../../edit/edit.js');
  const { ScratchFile } = await import('../../../edit/scratch-file.js');
  const { runEditor } = await import('../../../edit/editor.js');
  return withVault(g, async (v) => {
    const r = await editSecrets(v, filter, o.yes === true, {
      info,
      confirm,
      edit: async (text) => {
        const scratch = new ScratchFile(text);
        try {
          await runEditor(scratch.file, io());
          return scratch.read();
        } finally {
          scratch.destroy();
        }
      },
    });
    if (r.kind === 'unchanged') info('No changes.');
    else if (r.kind === 'declined') throw new SeeqretError('E_ABORTED', 'nothing was changed', 'Answer y to apply the removals too, or pass --yes.');
    else info(`Applied: ${String(r.diff.added.length)} added, ${String(r.diff.changed.length)} changed, ${String(r.diff.removed.length)} removed.`);
    return 0;
  });
}
