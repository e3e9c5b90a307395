/**
 * Groups of an environment: the description files of its `secrets.d/` folder.
 *
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import { SeeqretError } from '../errors.js';
import { type Group, parseGroupText, serializeGroup } from './descriptions.js';
import { SHARED_FILE_MODE, ensureDir, ioError } from '../util/fs.js';
import { atomicWriteFile } from '../util/atomic-write.js';
import { readTextFileCapped } from '../util/read-capped.js';
import { printable } from '../util/text.js';
import { nameProblem } from '../vault/names.js';
import { type Project, environmentExists, groupsDir } from './project.js';
import { environmentGroups } from './variables.js';

/** Throw `E_INVALID_NAME` unless `name` can be a group (file) name. */
export function checkGroupName(name: string): string {
  if (name === '' || name.includes('.') || nameProblem('key', name) !== null) {
    throw new SeeqretError('E_INVALID_NAME', `group name ${JSON.stringify(printable(name))} is not usable`, "Use letters, digits, '_' and '-' (no '.', spaces or ':,*?[]=#').");
  }
  return name;
}

/** Throw `E_NOT_FOUND` unless the environment has a descriptions folder. */
export function requireDescribedEnvironment(project: Project, env: string): void {
  if (!environmentExists(project, env)) {
    throw new SeeqretError('E_NOT_FOUND', `environment ${env} has no descriptions folder`, `Create it with \`seeqret environments create ${env}\`.`);
  }
}

/** The group named `name` of an environment, or `E_NOT_FOUND`. */
export function findGroup(groups: readonly Group[], name: string, env: string): Group {
  const g = groups.find((x) => x.name === name);
  if (!g) {
    const known = groups.map((x) => x.name).join(', ') || 'none';
    throw new SeeqretError('E_NOT_FOUND', `environment ${env} has no group ${printable(name)} (groups: ${known})`, 'Run `seeqret groups list`.');
  }
  return g;
}

/**
 * Create group `name` in `env`: an empty `[]` file, or the descriptions of `cloneFrom` (a group
 * file, JSON or YAML; written in the same format under the new name). Values are never copied.
 *
 * @throws SeeqretError `E_EXISTS` when the group exists, `E_BAD_VALUE` when the clone describes a
 *   variable another group of the environment already describes (naming both), or any
 *   description error of the source.
 */
export function createGroup(project: Project, env: string, name: string, cloneFrom?: string): Group {
  checkGroupName(name);
  requireDescribedEnvironment(project, env);
  const existing = environmentGroups(project, env);
  if (existing.some((g) => g.name === name)) {
    throw new SeeqretError('E_EXISTS', `group ${name} already exists in environment ${env}`, 'Choose another name, or delete it first with `seeqret groups delete`.');
  }
  let source: Group = { name, file: `${name}.json`, variables: [] };
  let format: 'json' | 'yaml' = 'json';
  if (cloneFrom !== undefined) {
    const file = path.resolve(cloneFrom);
    source = parseGroupText(readTextFileCapped(file, 'descriptions'), file);
    format = /\.ya?ml$/i.test(file) ? 'yaml' : 'json';
    for (const d of source.variables) {
      for (const g of existing) {
        const other = g.variables.find((x) => x.variable === d.variable);
        if (other) {
          throw new SeeqretError('E_BAD_VALUE', printable(`${file} entry ${d.index + 1} (${d.variable}): Variable is already described in ${g.file} (entry ${other.index + 1})`), 'Describe each variable once: remove it from one of the files.');
        }
      }
    }
  }
  const dir = groupsDir(project, env);
  ensureDir(dir);
  const target = path.join(dir, `${name}.${format}`);
  const group: Group = { name, file: target, variables: source.variables.map((d) => ({ ...d, group: name, source: target })) };
  atomicWriteFile(target, format === 'json' && group.variables.length === 0 ? '[]\n' : serializeGroup(group, format), SHARED_FILE_MODE);
  return group;
}

/** Delete group `name`'s description file (descriptions hold no secrets: an ordinary unlink). */
export function deleteGroupFile(group: Group): void {
  try {
    fs.unlinkSync(group.file);
  } catch (e) {
    throw ioError(e, group.file);
  }
}
