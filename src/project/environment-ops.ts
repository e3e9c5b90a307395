/**
 * The environment use cases that touch both the descriptions and the vault: delete (plan, then
 * apply), rename (descriptions folder, values re-sealed, tmp folder, defaults), the tmp folder's
 * path and `find`. The caller opens the vault (or passes `null` when there is none) and asks for
 * confirmation; notes go to the injected {@link Notes}. Nothing here touches `process`.
 *
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import { SeeqretError } from '../errors.js';
import type { Notes } from '../notes.js';
import { deleteEnvironmentFolder, listEnvironments, renameEnvironmentFolder } from './environments.js';
import { type Project, checkEnvironmentName, environmentDir, environmentExists, environmentTmpDir, readLocalDefault, writeLocalDefault } from './project.js';
import { environmentGroups, environmentRecords } from './variables.js';
import type { Group } from './descriptions.js';
import { ensurePrivateDir, ioError } from '../util/fs.js';
import { secureDeleteTree } from '../util/secure-delete.js';
import { type SecretRecord, type Vault, secretLabel } from '../vault/vault.js';

/** The number of variables described in `groups`. */
export function countVariables(groups: readonly Group[]): number {
  return groups.reduce((n, g) => n + g.variables.length, 0);
}

/** What deleting an environment removes, worked out before anything is removed. */
export interface EnvironmentDeletion {
  readonly env: string;
  /** The descriptions folder, when there is one. */
  readonly folder: string | null;
  /** Its groups. */
  readonly groups: readonly Group[];
  /** The values in the vault. */
  readonly records: readonly SecretRecord[];
  /** The per-environment tmp folder, and whether it exists. */
  readonly tmp: string;
  readonly tmpExists: boolean;
}

/** Work out what deleting environment `name` removes; `E_NOT_FOUND` when there is nothing. */
export function planEnvironmentDeletion(project: Project, vault: Vault | null, vaultDir: string, name: string): EnvironmentDeletion {
  const env = checkEnvironmentName(name);
  const folder = environmentExists(project, env) ? environmentDir(project, env) : null;
  const groups = folder ? environmentGroups(project, env) : [];
  const records = vault ? environmentRecords(vault, project, env) : [];
  const tmp = environmentTmpDir(vaultDir, project, env);
  const tmpExists = fs.existsSync(tmp);
  if (!folder && records.length === 0 && !tmpExists) {
    throw new SeeqretError('E_NOT_FOUND', `environment ${env} does not exist (no descriptions folder, no values, no tmp folder)`, 'Run `seeqret environments list`.');
  }
  return { env, folder, groups, records, tmp, tmpExists };
}

/** The deletion as lines for people (names, never values); at most 50 names are listed. */
export function deletionLines(d: EnvironmentDeletion): string[] {
  const lines = [`Deleting environment ${d.env} removes:`];
  if (d.folder) lines.push(`  descriptions folder ${d.folder} (${String(d.groups.length)} group(s), ${String(countVariables(d.groups))} variable(s))`);
  if (d.records.length > 0) {
    lines.push(`  ${String(d.records.length)} value(s) from the vault, with their history:`);
    for (const r of d.records.slice(0, 50)) lines.push(`    ${secretLabel(r)}`);
    if (d.records.length > 50) lines.push(`    … and ${String(d.records.length - 50)} more`);
  }
  if (d.tmpExists) lines.push(`  tmp folder ${d.tmp} (files overwritten before removal)`);
  return lines;
}

/** Delete what `d` lists: the values (with history), the tmp files (overwritten), the folder, the checkout default. */
export function applyEnvironmentDeletion(project: Project, vault: Vault | null, d: EnvironmentDeletion, notes: Notes): void {
  const { env } = d;
  if (vault && d.records.length > 0) vault.remove([...d.records]);
  const shredded = d.tmpExists ? secureDeleteTree(d.tmp) : 0;
  if (d.folder) deleteEnvironmentFolder(project, env);
  if (readLocalDefault(project) === env) {
    writeLocalDefault(project, null);
    notes.info(`The per-checkout default environment was ${env}: unset`);
  }
  if (project.config.environment === env) notes.warn(`${project.file} still names environment ${env} as its default: edit it`);
  notes.info(`Deleted environment ${env}${d.records.length ? `: ${String(d.records.length)} value(s)` : ''}${shredded ? `, ${String(shredded)} tmp file(s) overwritten and removed` : ''}`);
}

/** Refuse, before the vault is opened, a rename onto itself or onto an environment that exists. */
export function checkRename(project: Project, vaultDir: string, fromName: string, toName: string): { from: string; to: string } {
  const from = checkEnvironmentName(fromName);
  const to = checkEnvironmentName(toName);
  if (from === to) throw new SeeqretError('E_USAGE', 'the old and new names are the same', 'Give a different new name.');
  if (fs.existsSync(environmentDir(project, to))) throw new SeeqretError('E_EXISTS', `environment ${to} already exists (${environmentDir(project, to)})`, `Delete or rename environment ${to} first.`);
  const tmpTo = environmentTmpDir(vaultDir, project, to);
  if (fs.existsSync(tmpTo)) throw new SeeqretError('E_EXISTS', `the tmp folder of environment ${to} already exists (${tmpTo})`, `Delete environment ${to} first.`);
  return { from, to };
}

/**
 * Rename environment `from` to `to` (checked by {@link checkRename}): the descriptions folder,
 * the vault's values (re-sealed under the new name, history kept), the tmp folder and the
 * checkout default. A failure re-sealing the values moves the folder back.
 */
export function renameEnvironment(project: Project, vault: Vault | null, vaultDir: string, from: string, to: string, notes: Notes): void {
  const tmpFrom = environmentTmpDir(vaultDir, project, from);
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
      fs.renameSync(tmpFrom, environmentTmpDir(vaultDir, project, to));
    } catch (e) {
      throw ioError(e, tmpFrom);
    }
  }
  if (readLocalDefault(project) === from) {
    writeLocalDefault(project, to);
    notes.info(`The per-checkout default environment is now ${to}`);
  }
  if (project.config.environment === from) notes.warn(`${project.file} names environment ${from} as its default: change it to ${to}`);
  notes.info(`Renamed environment ${from} to ${to}${movedFolder ? ': descriptions folder' : ':'}${moved ? `${movedFolder ? ',' : ''} ${String(moved)} value(s) re-sealed under the new name` : ''}`);
}

/**
 * The per-environment tmp folder of `env`, created (0700, with its parents) when missing: it
 * needs a vault (`vaultExists`) and an environment that exists, unless `create`.
 */
export function ensureEnvironmentTmpDir(project: Project, vaultDir: string, env: string, o: { vaultExists: boolean; create: boolean }): string {
  const tmp = environmentTmpDir(vaultDir, project, env);
  if (fs.existsSync(tmp)) return tmp;
  if (!o.vaultExists) throw new SeeqretError('E_VAULT_NOT_FOUND', `no vault at ${vaultDir}`, 'Run `seeqret init`, or point --vault / SEEQRET at your vault folder.');
  if (!environmentExists(project, env) && !o.create) throw new SeeqretError('E_NOT_FOUND', `environment ${env} does not exist`, 'Create it first, or pass --create.');
  ensurePrivateDir(path.dirname(path.dirname(tmp)));
  ensurePrivateDir(path.dirname(tmp));
  ensurePrivateDir(tmp);
  return tmp;
}

/** A variable `find` found. */
export interface FoundVariable {
  readonly environment: string;
  /** Its group (empty when it is only stored). */
  readonly group: string;
  readonly variable: string;
  readonly type: string;
  /** `yes`/`no` when a vault was searched too, else empty. */
  readonly set: string;
}

/**
 * The variables whose name contains `term`, in every environment: described ones (with whether
 * the vault holds a value) and values stored without a description. An environment whose
 * descriptions cannot be read is noted and skipped. `E_NOT_FOUND` when none matches.
 */
export function findVariables(project: Project, vault: Vault | null, term: string, notes: Pick<Notes, 'warn'>): FoundVariable[] {
  const rows: FoundVariable[] = [];
  for (const e of listEnvironments(project, vault)) {
    let groups: Group[] = [];
    try {
      groups = e.described ? environmentGroups(project, e.name) : [];
    } catch (err) {
      if (!(err instanceof SeeqretError)) throw err;
      notes.warn(`environment ${e.name}: ${err.message}`);
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
  return rows;
}
