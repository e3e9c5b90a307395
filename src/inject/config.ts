/**
 * What `import 'seeqret/config'` runs (src/config.ts calls {@link config} once; importing this
 * module does nothing by itself). {@link config} fills `process.env` from the vault, like `dotenv/config`:
 * from the filters in `SEEQRET_FILTER` (several separated by spaces or `;`), else
 * from `env.template` in the current folder (or the file named by `SEEQRET_TEMPLATE`).
 * Variables already set are never overwritten. With neither a filter nor a template it does
 * nothing; a template named by `SEEQRET_TEMPLATE` must exist. Filters that match nothing are
 * reported with `process.emitWarning`. Vault errors are thrown: an app that needs secrets should not start without them.
 * Once the vault was opened, seeqret's credential variables are removed from `process.env`.
 * A variable whose value is a secret reference (`seeqret://APP/ENV/KEY`, or `seeqret://KEY` for the
 * project's app and environment) is replaced by the secret's value.
 * `node -r seeqret/config` (CommonJS) and `node --import seeqret/register` (ES module) run it
 * before the app's first line.
 *
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import { hostCwd, hostEnvironment, hostWarning } from '../host.js';
import { SeeqretError } from '../errors.js';
import { openVault } from '../index.js';
import { removeCredentials } from './child-env.js';
import { isReference } from './reference.js';
import { type DefaultsSource, environmentReferences, noDefaults, resolveReferences, substituteReferences } from './references.js';
import { findProject, resolveEnvironment } from '../project/project.js';
import { isDangerousVariable, readTemplateFile, resolveFilters, resolveTemplate } from './resolve.js';
import type { Vault } from '../vault/vault.js';

/** What {@link config} did. */
export interface ConfigResult {
  /** Names set in process.env. */
  readonly set: string[];
  /** Names skipped because they were already set. */
  readonly kept: string[];
  /** Names whose value was a secret reference, now replaced by the secret's value. */
  readonly resolved: string[];
}

/** Where {@link config} reads from instead of the process (each defaults to the process's). */
export interface ConfigHost {
  /** The environment `SEEQRET`, `SEEQRET_FILTER`, `SEEQRET_TEMPLATE` and the credentials are read from (and the credentials then removed from). */
  readonly env?: NodeJS.ProcessEnv;
  /** The folder `env.template` (or a relative `SEEQRET_TEMPLATE`) is found in. */
  readonly cwd?: string;
  /** Where warnings go (filters that match nothing); default `process.emitWarning`. */
  readonly warn?: (text: string) => void;
}

/**
 * Fill `process.env` (or `target`) from the vault without overwriting existing variables.
 * All or nothing: every entry is checked (no loader-variable constant, no NUL) before any is set.
 * Once the vault was opened (or could not be), seeqret's credential variables
 * (`SEEQRET_PASSPHRASE`, `SEEQRET_BACKUP_PASSPHRASE`, `SEEQRET_SS_PASSWORD`, the team ones) are deleted from
 * `process.env`, so nothing the app starts or logs later sees them.
 */
export function config(target: NodeJS.ProcessEnv = hostEnvironment(), host: ConfigHost = {}): ConfigResult {
  const env = host.env ?? hostEnvironment();
  const filterText = env['SEEQRET_FILTER'];
  const named = env['SEEQRET_TEMPLATE'];
  // Relative to the process's folder as given (so messages name it as the user wrote it), else to `host.cwd`.
  const templateFile = host.cwd === undefined ? (named ?? 'env.template') : path.resolve(host.cwd, named ?? 'env.template');
  // A template named explicitly must exist (readTemplateFile throws E_FILE_NOT_FOUND below).
  const hasReferences = Object.values(target).some((value) => value !== undefined && isReference(value));
  const hasSelection = Boolean(filterText) || named !== undefined || fs.existsSync(templateFile);
  if (!hasSelection && !hasReferences) return { set: [], kept: [], resolved: [] };
  // Before the vault is opened: a reference in a code-loading variable is refused outright.
  const uses = environmentReferences(target, (name) => `process.env.${name}`);
  let vault: Vault;
  try {
    vault = openVault({ env });
  } finally {
    removeCredentials(env);
  }
  try {
    const refs = resolveReferences(vault, uses, projectDefaults(host.cwd ?? hostCwd(), env));
    const resolved = !hasSelection
      ? { entries: [], warnings: [] }
      : filterText
        ? resolveFilters(vault, filterText.split(/[\s;]+/).filter(Boolean))
        : resolveTemplate(vault, readTemplateFile(templateFile), templateFile);
    for (const e of resolved.entries) {
      // A constant line is refused too: a template (or a file SEEQRET_TEMPLATE names) must not
      // make the app's children load code. Only an explicit NAME=app:env:key line sets one.
      if (!e.secret && isDangerousVariable(e.name)) {
        throw new SeeqretError(
          'E_BAD_VALUE',
          `${templateFile}: the constant ${e.name} changes how programs load or run code; seeqret/config does not set it`,
          `Set it where the app is started, or store it as a secret and name it: ${e.name}=app:env:${e.name}.`,
        );
      }
      if (e.value.includes('\0')) {
        throw new SeeqretError('E_BAD_VALUE', `${e.name} contains a NUL character, which an environment variable cannot hold`, 'Store it base64-encoded.');
      }
    }
    for (const w of resolved.warnings) (host.warn ?? hostWarning)(w);
    const referenced = substituteReferences(target, refs.values);
    const set: string[] = [];
    const kept: string[] = [];
    for (const e of resolved.entries) {
      if (target[e.name] !== undefined) kept.push(e.name);
      else {
        target[e.name] = e.value;
        set.push(e.name);
      }
    }
    return { set, kept, resolved: referenced };
  } finally {
    vault.close();
  }
}

/** Short references point to the project's app and environment (SEEQRET_ENV, the checkout default, seeqret.yaml). */
function projectDefaults(cwd: string, env: NodeJS.ProcessEnv): DefaultsSource {
  const project = findProject(cwd);
  if (project === null) return noDefaults(`seeqret://KEY needs a project, and there is no seeqret.yaml in ${cwd} or above`);
  return () => ({ app: project.app, env: resolveEnvironment(project, undefined, env).name });
}
