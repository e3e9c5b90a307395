/**
 * `seeqret describe` (descriptions, or the types with `--types`) and `seeqret show` (variables
 * with their values, REDACTED unless `--reveal`).
 *
 * @module
 */
import { SeeqretError } from '../../../errors.js';
import { type Column, parseFormat } from '../../../formats/output.js';
import { type ShownVariable, describedVariables, showVariables } from '../../../project/variables.js';
import { SECRET_TYPES } from '../../../project/secret-types.js';
import { type GlobalOptions, printRows, withVault } from '../../context.js';
import { listFormat, projectEnv } from '../../project-context.js';
import { REDACTED } from '../secrets/list.js';
import { io } from '../../cli-io.js';

/** Options of `seeqret describe`. */
export interface DescribeOptions {
  /** `-g/--group GROUP` (repeatable): only these groups. */
  readonly group?: string[];
  /** `--types`: list the secret types instead. */
  readonly types?: boolean;
  /** `-e/--env ENV`: the environment. */
  readonly env?: string;
  /** `--format FORMAT`: table, json, yaml or csv (default table). */
  readonly format: string;
}

/** `describe [VARS...] [-g GROUP...] [--types] [-e ENV]`. */
export async function describe(_g: GlobalOptions, names: string[], o: DescribeOptions): Promise<number> {
  const format = listFormat(o);
  if (o.types) {
    const rows = SECRET_TYPES.map((t) => ({ type: t.name, description: t.description, generable: t.generable ? 'Yes' : 'No' }));
    await printRows(rows, [{ key: 'type', header: 'Type' }, { key: 'description', header: 'Description' }, { key: 'generable', header: 'Generable' }], format);
    return 0;
  }
  const { project, env } = projectEnv(o);
  const ds = describedVariables(project, env, { names, groups: o.group ?? [] });
  const rows = ds.map((d) => ({
    variable: d.variable,
    group: d.group,
    type: d.type,
    prompt: d.prompt ?? '',
    options: d.optionsText ?? '',
    export: d.export ?? '',
    help: d.help ?? '',
  }));
  const columns: Column[] = [
    { key: 'variable', header: 'Variable' },
    { key: 'group', header: 'Group' },
    { key: 'type', header: 'Type' },
    { key: 'prompt', header: 'Prompt' },
    { key: 'options', header: 'Options' },
    { key: 'export', header: 'Export' },
    { key: 'help', header: 'Help' },
  ];
  await printRows(rows, columns, format);
  return 0;
}

/** True when values are shown: `--reveal`, or `SEEQRET_NO_REDACT` set to 1/true/yes (psec's D2_NO_REDACT). */
export function revealWanted(o: { readonly reveal?: boolean }): boolean {
  return o.reveal === true || /^(1|true|yes)$/i.test(io().env['SEEQRET_NO_REDACT'] ?? '');
}

/** Options of `seeqret show`. */
export interface ShowOptions {
  /** `-g/--group GROUP` (repeatable): only these groups. */
  readonly group?: string[];
  /** `-t/--type TYPE` (repeatable): only these types. */
  readonly type?: string[];
  /** `--reveal`: show values (recorded in the audit log). */
  readonly reveal?: boolean;
  /** `--undefined`: only variables without a value. */
  readonly undefined?: boolean;
  /** `-e/--env ENV`: the environment. */
  readonly env?: string;
  /** `--format FORMAT`: output format (default table). */
  readonly format: string;
}

/** `show [VARS...] [-g GROUP...] [-t TYPE...] [--reveal] [--undefined] [-e ENV]`. */
export async function show(g: GlobalOptions, names: string[], o: ShowOptions): Promise<number> {
  const format = parseFormat(o.format);
  const reveal = revealWanted(o);
  if ((format === 'env' || format === 'shell') && !reveal) {
    throw new SeeqretError('E_USAGE', `--format ${format} prints values: it needs --reveal`, `Add --reveal (or use table, json, yaml, csv).`);
  }
  const { project, env } = projectEnv(o);
  const query = { names, groups: o.group ?? [], types: o.type ?? [], undefinedOnly: o.undefined === true };
  return withVault(
    g,
    async (v) => {
      const rows = showVariables(v, project, env, query, reveal, REDACTED);
      const columns: Array<Column<ShownVariable>> = [
        { key: 'variable', header: 'Variable' },
        { key: 'type', header: 'Type' },
        { key: 'value', header: 'Value' },
        { key: 'export', header: 'Export' },
        { key: 'set', header: 'Set' },
      ];
      const printable = format === 'env' || format === 'shell' ? rows.filter((r) => r.set === 'yes') : rows;
      await printRows(printable, columns, format, (r) => [r.variable, r.value]);
      return 0;
    },
    { readonly: !reveal },
  );
}
