/**
 * `seeqret environments create|list|default|delete|rename|path|tree` and `seeqret find`.
 *
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import { SeeqretError } from '../../../errors.js';
import {
  createEnvironments,
  deleteEnvironmentFolder,
  listEnvironments,
  readCloneSource,
  renameEnvironmentFolder,
  resolveCloneSource,
  treeLines,
} from '../../../project/environments.js';
import {
  type Project,
  checkEnvironmentName,
  environmentDir,
  environmentExists,
  environmentTmpDir,
  groupsDir,
  readLocalDefault,
  resolveEnvironment,
  writeLocalDefault,
} from '../../../project/project.js';
import { environmentGroups, environmentRecords } from '../../../project/variables.js';
import { type Group } from '../../../project/descriptions.js';
import { ensureDir, ensurePrivateDir, ioError } from '../../../util/fs.js';
import { secureDeleteTree } from '../../../util/secure-delete.js';
import { resolveVaultDir } from '../../../vault/paths.js';
import { Vault, secretLabel } from '../../../vault/vault.js';
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

/** The environment commands use when none is named, or `null`. */
function defaultEnvironment(project: Project): string | null {
  try {
    return resolveEnvironment(project, undefined, io().env).name;
  } catch (e) {
    if (e instanceof SeeqretError && e.code === 'E_NO_ENVIRONMENT') return null;
    throw e;
  }
}

function countVariables(groups: readonly Group[]): number {
  return groups.reduce((n, g) => n + g.variables.length, 0);
}

/** Options of `seeqret environments create`. */
export interface EnvironmentsCreateOptions {
  /** `--clone-from SRC`: a *.d folder, a group file or an environment to copy descriptions from. */
  readonly cloneFrom?: string;
  /** `-e/--env ENV`: the environment (when none is named). */
  readonly env?: string;
}

/** `environments create [ENV...] [--clone-from SRC] [-e ENV]`. */
export async function create(_g: GlobalOptions, named: string[], o: EnvironmentsCreateOptions): Promise<number> {
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
  const def = defaultEnvironment(project);
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
export async function defaultCmd(_g: GlobalOptions, env: string | undefined, o: EnvironmentsDefaultOptions): Promise<number> {
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
  const env = checkEnvironmentName(name);
  const vaultDir = resolveVaultDir(g.vault, io().env);
  const vault = Vault.probe(vaultDir).exists ? await openVault(g) : null;
  try {
    const folder = environmentExists(project, env) ? environmentDir(project, env) : null;
    const groups = folder ? environmentGroups(project, env) : [];
    const records = vault ? environmentRecords(vault, project, env) : [];
    const tmp = environmentTmpDir(vaultDir, project, env);
    const tmpExists = fs.existsSync(tmp);
    if (!folder && records.length === 0 && !tmpExists) {
      throw new SeeqretError('E_NOT_FOUND', `environment ${env} does not exist (no descriptions folder, no values, no tmp folder)`, 'Run `seeqret environments list`.');
    }
    info(`Deleting environment ${env} removes:`);
    if (folder) info(`  descriptions folder ${folder} (${groups.length} group(s), ${countVariables(groups)} variable(s))`);
    if (records.length > 0) {
      info(`  ${records.length} value(s) from the vault, with their history:`);
      for (const r of records.slice(0, 50)) info(`    ${secretLabel(r)}`);
      if (records.length > 50) info(`    … and ${records.length - 50} more`);
    }
    if (tmpExists) info(`  tmp folder ${tmp} (files overwritten before removal)`);
    if (!o.yes) {
      if (!stdinIsTTY()) {
        throw new SeeqretError('E_NO_TTY', `refusing to delete environment ${env} without --yes (not a terminal; the list above is what would be deleted)`, 'Pass --yes to delete it.');
      }
      if (!(await confirm(`Delete environment ${env}?`))) throw new SeeqretError('E_ABORTED', 'nothing was deleted', 'Answer y to delete, or pass --yes.');
    }
    if (vault && records.length > 0) vault.remove(records);
    const shredded = tmpExists ? secureDeleteTree(tmp) : 0;
    if (folder) deleteEnvironmentFolder(project, env);
    if (readLocalDefault(project) === env) {
      writeLocalDefault(project, null);
      info(`The per-checkout default environment was ${env}: unset`);
    }
    if (project.config.environment === env) warn(`${project.file} still names environment ${env} as its default: edit it`);
    info(`Deleted environment ${env}${records.length ? `: ${records.length} value(s)` : ''}${shredded ? `, ${shredded} tmp file(s) overwritten and removed` : ''}`);
    return 0;
  } finally {
    vault?.close();
  }
}

/** `environments rename A B`: descriptions folder, vault values (re-sealed) and tmp folder. */
export async function rename(g: GlobalOptions, fromName: string, toName: string): Promise<number> {
  const project = currentProject();
  const from = checkEnvironmentName(fromName);
  const to = checkEnvironmentName(toName);
  if (from === to) throw new SeeqretError('E_USAGE', 'the old and new names are the same', 'Give a different new name.');
  const vaultDir = resolveVaultDir(g.vault, io().env);
  const tmpFrom = environmentTmpDir(vaultDir, project, from);
  const tmpTo = environmentTmpDir(vaultDir, project, to);
  if (fs.existsSync(environmentDir(project, to))) throw new SeeqretError('E_EXISTS', `environment ${to} already exists (${environmentDir(project, to)})`, `Delete or rename environment ${to} first.`);
  if (fs.existsSync(tmpTo)) throw new SeeqretError('E_EXISTS', `the tmp folder of environment ${to} already exists (${tmpTo})`, `Delete environment ${to} first.`);
  const vault = Vault.probe(vaultDir).exists ? await openVault(g) : null;
  try {
    const hasValues = vault ? environmentRecords(vault, project, from).length > 0 : false;
    if (!environmentExists(project, from) && !hasValues && !fs.existsSync(tmpFrom)) {
      throw new SeeqretError('E_NOT_FOUND', `environment ${from} does not exist`, 'Run `seeqret environments list`.');
    }
    const movedFolder = renameEnvironmentFolder(project, from, to);
    let moved = 0;
    try {
      if (vault) moved = vault.renameEnvironment(project.app, from, to).length;
    } catch (e) {
      if (movedFolder) fs.renameSync(environmentDir(project, to), environmentDir(project, from));
      throw e;
    }
    if (fs.existsSync(tmpFrom)) {
      try {
        fs.renameSync(tmpFrom, tmpTo);
      } catch (e) {
        throw ioError(e, tmpFrom);
      }
    }
    if (readLocalDefault(project) === from) {
      writeLocalDefault(project, to);
      info(`The per-checkout default environment is now ${to}`);
    }
    if (project.config.environment === from) warn(`${project.file} names environment ${from} as its default: change it to ${to}`);
    info(`Renamed environment ${from} to ${to}${movedFolder ? ': descriptions folder' : ':'}${moved ? `${movedFolder ? ',' : ''} ${moved} value(s) re-sealed under the new name` : ''}`);
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
export async function pathCmd(g: GlobalOptions, o: EnvironmentsPathOptions): Promise<number> {
  const { project, env } = projectEnv(o);
  if (o.tmpdir) {
    const vaultDir = resolveVaultDir(g.vault, io().env);
    const tmp = environmentTmpDir(vaultDir, project, env);
    if (o.exists) return fs.existsSync(tmp) ? 0 : 3;
    if (!fs.existsSync(tmp)) {
      if (!Vault.probe(vaultDir).exists) throw new SeeqretError('E_VAULT_NOT_FOUND', `no vault at ${vaultDir}`, 'Run `seeqret init`, or point --vault / SEEQRET at your vault folder.');
      if (!environmentExists(project, env) && !o.create) {
        throw new SeeqretError('E_NOT_FOUND', `environment ${env} does not exist`, 'Create it first, or pass --create.');
      }
      ensurePrivateDir(path.dirname(path.dirname(tmp)));
      ensurePrivateDir(path.dirname(tmp));
      ensurePrivateDir(tmp);
    }
    out(tmp);
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
export async function tree(_g: GlobalOptions, name: string | undefined, o: EnvironmentsTreeOptions): Promise<number> {
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
    const rows: Array<Record<string, unknown>> = [];
    for (const e of listEnvironments(project, vault)) {
      let groups: Group[] = [];
      try {
        groups = e.described ? environmentGroups(project, e.name) : [];
      } catch (err) {
        if (!(err instanceof SeeqretError)) throw err;
        warn(`environment ${e.name}: ${err.message}`);
      }
      const stored = new Map((vault ? environmentRecords(vault, project, e.name) : []).map((r) => [r.key, r]));
      for (const gr of groups) {
        for (const d of gr.variables) {
          if (!d.variable.includes(term)) continue;
          rows.push({ environment: e.name, group: gr.name, variable: d.variable, type: d.type, set: vault ? (stored.has(d.variable) ? 'yes' : 'no') : '' });
          stored.delete(d.variable);
        }
      }
      for (const r of stored.values()) if (r.key.includes(term)) rows.push({ environment: e.name, group: '', variable: r.key, type: r.type, set: 'yes' });
    }
    if (rows.length === 0) throw new SeeqretError('E_NOT_FOUND', `no variable name contains ${JSON.stringify(term)} in any environment`, 'Try a shorter term; names are case-sensitive.');
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
