/**
 * `seeqret environments create|list|default|delete|rename|path|tree` and `seeqret find`.
 *
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import { SeeqretError } from '../../../errors.js';
import { selectedEnvironment } from '../../../project/setup.js';
import { createEnvironments, listEnvironments, readCloneSource, resolveCloneSource, treeLines } from '../../../project/environments.js';
import {
  applyEnvironmentDeletion,
  checkRename,
  countVariables,
  deletionLines,
  ensureEnvironmentTmpDir,
  findVariables,
  planEnvironmentDeletion,
  renameEnvironment,
} from '../../../project/environment-ops.js';
import {
  checkEnvironmentName,
  environmentDir,
  environmentExists,
  environmentTmpDir,
  groupsDir,
  readLocalDefault,
  resolveEnvironment,
  writeLocalDefault,
} from '../../../project/project.js';
import { ensureDir } from '../../../util/fs.js';
import { resolveVaultDir } from '../../../vault/paths.js';
import { Vault } from '../../../vault/vault.js';
import { type GlobalOptions, confirm, info, openVault, out, printRows, stdinIsTTY, warn } from '../../context.js';
import { currentProject, listFormat, projectEnv } from '../../project-context.js';
import { io } from '../../cli-io.js';

/** The vault, or `null` (with a note) when there is none yet: listings still show descriptions. */
async function vaultIfAny(g: GlobalOptions, opts: { readonly?: boolean } = {}): Promise<Vault | null> {
  if (!Vault.probe(resolveVaultDir(g.vault, io().env)).exists) {
    info(`(no vault at ${resolveVaultDir(g.vault, io().env)}: showing descriptions only)`);
    return null;
  }
  return openVault(g, opts);
}

/** Options of `seeqret environments create`. */
export interface EnvironmentsCreateOptions {
  /** `--clone-from SRC`: a *.d folder, a group file or an environment to copy descriptions from. */
  readonly cloneFrom?: string;
  /** `-e/--env ENV`: the environment (when none is named). */
  readonly env?: string;
}

/** `environments create [ENV...] [--clone-from SRC] [-e ENV]`. */
export function create(_g: GlobalOptions, named: string[], o: EnvironmentsCreateOptions): number {
  const project = currentProject();
  const envs = named.length > 0 ? named : [projectEnv(o).env];
  const from = o.cloneFrom;
  const src = from !== undefined ? resolveCloneSource(project, from, io().cwd, io().env['HOME'] ?? '') : undefined;
  const files = src ? readCloneSource(src) : [];
  for (const made of createEnvironments(project, envs, files)) {
    for (const g of made.groups) for (const d of g.variables) info(`new ${d.type} variable "${d.variable}" is unset`);
    const what = src ? `, ${countVariables(made.groups)} variable(s) in ${made.groups.length} group(s) cloned from ${src.label} (descriptions only, no values)` : '';
    info(`Created environment ${made.env} (${made.dir})${what}`);
  }
  return 0;
}

/** Options of `seeqret environments list`. */
export interface EnvironmentsListOptions {
  /** `--format FORMAT`: table, json, yaml or csv (default table). */
  readonly format: string;
}

/** `environments list [--format F]`: Environment, Default, Described, Values. */
export async function list(g: GlobalOptions, o: EnvironmentsListOptions): Promise<number> {
  const format = listFormat(o);
  const project = currentProject();
  const def = selectedEnvironment(project, undefined, io().env)?.name ?? null;
  const vault = await vaultIfAny(g, { readonly: true });
  try {
    const envs = listEnvironments(project, vault);
    if (def !== null && !envs.some((e) => e.name === def)) envs.push({ name: def, described: false, values: vault ? 0 : null });
    const rows = envs.map((e) => ({
      environment: e.name,
      default: e.name === def ? 'Yes' : 'No',
      described: e.described ? 'yes' : 'no',
      values: e.values === null ? '' : e.values,
    }));
    await printRows(rows, [
      { key: 'environment', header: 'Environment' },
      { key: 'default', header: 'Default' },
      { key: 'described', header: 'Described' },
      { key: 'values', header: 'Values' },
    ], format);
    return 0;
  } finally {
    vault?.close();
  }
}

/** Options of `seeqret environments default`. */
export interface EnvironmentsDefaultOptions {
  /** `--set`: set ENV as the default. */
  readonly set?: boolean;
  /** `--unset`: remove the per-checkout default. */
  readonly unset?: boolean;
}

/** `environments default [--set|--unset] [ENV]`: show, set or unset the per-checkout default. */
export function defaultCmd(_g: GlobalOptions, env: string | undefined, o: EnvironmentsDefaultOptions): number {
  const project = currentProject();
  if (o.unset) {
    if (env !== undefined || o.set) throw new SeeqretError('E_USAGE', '--unset takes no environment', 'Run `seeqret environments default --unset`.');
    const was = readLocalDefault(project);
    writeLocalDefault(project, null);
    info(was === null ? 'No per-checkout default environment was set' : `Default environment unset (was ${was})`);
    return 0;
  }
  if (env !== undefined) {
    checkEnvironmentName(env);
    writeLocalDefault(project, env);
    if (!environmentExists(project, env)) warn(`environment ${env} has no descriptions folder yet (seeqret environments create ${env})`);
    info(`Default environment set to "${env}" (${path.join(project.root, '.seeqret-environment')}; keep it out of git)`);
    return 0;
  }
  if (o.set) throw new SeeqretError('E_USAGE', '--set needs the environment', 'Run `seeqret environments default --set ENV`.');
  const r = resolveEnvironment(project, undefined, io().env);
  out(r.name);
  info(`(from ${r.source})`);
  return 0;
}

/** Options of `seeqret environments delete`. */
export interface EnvironmentsDeleteOptions {
  /** `-y/--yes` (old spelling `--force`): do not ask. */
  readonly yes?: boolean;
}

/** `environments delete ENV [--yes]`: descriptions folder, vault values and tmp folder. */
export async function del(g: GlobalOptions, name: string, o: EnvironmentsDeleteOptions): Promise<number> {
  const project = currentProject();
  const vaultDir = resolveVaultDir(g.vault);
  checkEnvironmentName(name);
  const vault = Vault.probe(vaultDir).exists ? await openVault(g) : null;
  try {
    const d = planEnvironmentDeletion(project, vault, vaultDir, name);
    for (const line of deletionLines(d)) info(line);
    if (!o.yes) {
      if (!stdinIsTTY()) {
        throw new SeeqretError('E_NO_TTY', `refusing to delete environment ${d.env} without --yes (not a terminal; the list above is what would be deleted)`, 'Pass --yes to delete it.');
      }
      if (!(await confirm(`Delete environment ${d.env}?`))) throw new SeeqretError('E_ABORTED', 'nothing was deleted', 'Answer y to delete, or pass --yes.');
    }
    applyEnvironmentDeletion(project, vault, d, { info, warn });
    return 0;
  } finally {
    vault?.close();
  }
}

/** `environments rename A B`: descriptions folder, vault values (re-sealed) and tmp folder. */
export async function rename(g: GlobalOptions, fromName: string, toName: string): Promise<number> {
  const project = currentProject();
  const vaultDir = resolveVaultDir(g.vault);
  const { from, to } = checkRename(project, vaultDir, fromName, toName);
  const vault = Vault.probe(vaultDir).exists ? await openVault(g) : null;
  try {
    renameEnvironment(project, vault, vaultDir, from, to, { info, warn });
    return 0;
  } finally {
    vault?.close();
  }
}

/** Options of `seeqret environments path`. */
export interface EnvironmentsPathOptions {
  /** `--tmpdir`: the per-environment tmp folder instead. */
  readonly tmpdir?: boolean;
  /** `--create`: create the folder if missing. */
  readonly create?: boolean;
  /** `--exists`: print nothing; exit 0 if the folder exists, 3 if not. */
  readonly exists?: boolean;
  /** `-e/--env ENV`: the environment. */
  readonly env?: string;
}

/** `environments path [--tmpdir] [--create] [--exists] [-e ENV]`. */
export function pathCmd(g: GlobalOptions, o: EnvironmentsPathOptions): number {
  const { project, env } = projectEnv(o);
  if (o.tmpdir) {
    const vaultDir = resolveVaultDir(g.vault);
    if (o.exists) return fs.existsSync(environmentTmpDir(vaultDir, project, env)) ? 0 : 3;
    out(ensureEnvironmentTmpDir(project, vaultDir, env, { vaultExists: Vault.probe(vaultDir).exists, create: o.create === true }));
    return 0;
  }
  const dir = environmentDir(project, env);
  if (o.exists) return fs.existsSync(dir) ? 0 : 3;
  if (o.create) ensureDir(groupsDir(project, env));
  out(dir);
  return 0;
}

/** Options of `seeqret environments tree`. */
export interface EnvironmentsTreeOptions {
  /** `--no-files` sets it false: folders only (commander: true otherwise). */
  readonly files?: boolean;
  /** `-e/--env ENV`: the environment. */
  readonly env?: string;
}

/** `environments tree [ENV] [--no-files]`. */
export function tree(_g: GlobalOptions, name: string | undefined, o: EnvironmentsTreeOptions): number {
  const project = currentProject();
  const env = name !== undefined ? checkEnvironmentName(name) : projectEnv(o).env;
  if (!environmentExists(project, env)) throw new SeeqretError('E_NOT_FOUND', `environment ${env} has no descriptions folder`, 'Run `seeqret environments list`.');
  out(treeLines(environmentDir(project, env), { noFiles: o.files === false }).join('\n'));
  return 0;
}

/** Options of `seeqret find`. */
export interface FindOptions {
  /** `--format FORMAT`: table, json, yaml or csv (default table). */
  readonly format: string;
}

/** `find TERM [--format F]`: variables whose name contains TERM, in every environment. */
export async function find(g: GlobalOptions, term: string, o: FindOptions): Promise<number> {
  const format = listFormat(o);
  const project = currentProject();
  const vault = await vaultIfAny(g, { readonly: true });
  try {
    const rows = findVariables(project, vault, term, { warn }).map((r) => ({ ...r }));
    await printRows(rows, [
      { key: 'environment', header: 'Environment' },
      { key: 'group', header: 'Group' },
      { key: 'variable', header: 'Variable' },
      { key: 'type', header: 'Type' },
      { key: 'set', header: 'Set' },
    ], format);
    return 0;
  } finally {
    vault?.close();
  }
}
