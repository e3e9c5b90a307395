/**
 * `seeqret groups list|show|create|delete|path`: the description files of an environment.
 *
 * @module
 */
import { SeeqretError } from '../../../errors.js';
import { createGroup, deleteGroupFile, findGroup, requireDescribedEnvironment } from '../../../project/groups.js';
import { groupsDir } from '../../../project/project.js';
import { environmentGroups } from '../../../project/variables.js';
import { type GlobalOptions, confirm, info, out, printRows, stdinIsTTY } from '../../context.js';
import { listFormat, projectEnv } from '../../project-context.js';

/** Options of `seeqret groups list`. */
export interface GroupsListOptions {
  /** `-e/--env ENV`: the environment. */
  readonly env?: string;
  /** `--format FORMAT`: table, json, yaml or csv (default table). */
  readonly format: string;
}

/** `groups list [-e ENV]`: Group, Items, File. */
export async function list(_g: GlobalOptions, o: GroupsListOptions): Promise<number> {
  const format = listFormat(o);
  const { project, env } = projectEnv(o);
  requireDescribedEnvironment(project, env);
  const rows = environmentGroups(project, env).map((g) => ({ group: g.name, items: g.variables.length, file: g.file }));
  await printRows(rows, [{ key: 'group', header: 'Group' }, { key: 'items', header: 'Items' }, { key: 'file', header: 'File' }], format);
  return 0;
}

/** Options of `seeqret groups show`. */
export interface GroupsShowOptions {
  /** `-e/--env ENV`: the environment. */
  readonly env?: string;
  /** `--format FORMAT`: table, json, yaml or csv (default table). */
  readonly format: string;
}

/** `groups show G... [-e ENV]`: Group, Variable, Type. */
export async function show(_g: GlobalOptions, names: string[], o: GroupsShowOptions): Promise<number> {
  const format = listFormat(o);
  const { project, env } = projectEnv(o);
  requireDescribedEnvironment(project, env);
  const groups = environmentGroups(project, env);
  const chosen = names.length ? names.map((n) => findGroup(groups, n, env)) : groups;
  const rows = chosen.flatMap((g) => g.variables.map((d) => ({ group: g.name, variable: d.variable, type: d.type })));
  await printRows(rows, [{ key: 'group', header: 'Group' }, { key: 'variable', header: 'Variable' }, { key: 'type', header: 'Type' }], format);
  return 0;
}

/** Options of `seeqret groups create`. */
export interface GroupsCreateOptions {
  /** `--clone-from FILE`: a psec .json (or .yaml) group file. */
  readonly cloneFrom?: string;
  /** `-e/--env ENV`: the environment. */
  readonly env?: string;
}

/** `groups create NAME [--clone-from FILE] [-e ENV]`. */
export function create(_g: GlobalOptions, name: string, o: GroupsCreateOptions): number {
  const { project, env } = projectEnv(o);
  const group = createGroup(project, env, name, o.cloneFrom);
  for (const d of group.variables) info(`new ${d.type} variable "${d.variable}" is unset`);
  info(`Created group ${group.name} in environment ${env} (${group.file}, ${group.variables.length} variable(s))`);
  return 0;
}

/** Options of `seeqret groups delete`. */
export interface GroupsDeleteOptions {
  /** `-y/--yes` (old spelling `--force`): do not ask. */
  readonly yes?: boolean;
  /** `-e/--env ENV`: the environment. */
  readonly env?: string;
}

/** `groups delete NAME [--yes] [-e ENV]`: removes the description file; values stay in the vault. */
export async function del(_g: GlobalOptions, name: string, o: GroupsDeleteOptions): Promise<number> {
  const { project, env } = projectEnv(o);
  requireDescribedEnvironment(project, env);
  const group = findGroup(environmentGroups(project, env), name, env);
  info(`Deleting group ${group.name} removes ${group.file}, describing ${group.variables.length} variable(s):`);
  for (const d of group.variables.slice(0, 50)) info(`  ${d.variable} (${d.type})`);
  if (!o.yes) {
    if (!stdinIsTTY()) throw new SeeqretError('E_NO_TTY', `refusing to delete group ${group.name} without --yes (not a terminal)`, 'Pass --yes to delete it.');
    if (!(await confirm(`Delete group ${group.name}?`))) throw new SeeqretError('E_ABORTED', 'nothing was deleted', 'Answer y to delete, or pass --yes.');
  }
  deleteGroupFile(group);
  info(`Deleted group ${group.name}; any values of its variables stay in the vault (seeqret show lists them as undescribed)`);
  return 0;
}

/** Options of `seeqret groups path`. */
export interface GroupsPathOptions {
  /** `-e/--env ENV`: the environment. */
  readonly env?: string;
}

/** `groups path [-e ENV]`: the environment's `secrets.d` folder. */
export function pathCmd(_g: GlobalOptions, o: GroupsPathOptions): number {
  const { project, env } = projectEnv(o);
  out(groupsDir(project, env));
  return 0;
}
