/**
 * Use cases `project init` (the project file of a folder, its first environment's descriptions
 * folder) and `project show` (where the project, its environment and their folders are, as the
 * facts its report and its JSON hold), and the environment a project selects when none is named.
 *
 * @module
 */
import path from 'node:path';
import { SeeqretError } from '../errors.js';
import type { Notes } from '../notes.js';
import { ensureDir } from '../util/fs.js';
import { printable } from '../util/text.js';
import { nameProblem } from '../vault/names.js';
import {
  type EnvironmentSource,
  type Project,
  LOCAL_ENV_FILE,
  PROJECT_FILE,
  checkEnvironmentName,
  createProject,
  environmentExists,
  environmentTmpDir,
  findProject,
  groupsDir,
  resolveEnvironment,
} from './project.js';

/** The settings of a new project (`project init`'s options). */
export interface ProjectInitRequest {
  /** The vault app of the project (default: the folder's name). */
  readonly app?: string | undefined;
  /** The default environment (default `dev`). */
  readonly env?: string | undefined;
  /** The folder of environment folders (default `secrets`). */
  readonly descriptions?: string | undefined;
  /** The env template (default `env.template`). */
  readonly template?: string | undefined;
  /** Replace an existing project file. */
  readonly overwrite: boolean;
}

/**
 * Create the project file of folder `dir` and its environment's descriptions folder (when
 * missing); what was made, and a project file of a folder above, go to `notes`.
 */
export function initProject(dir: string, r: ProjectInitRequest, notes: Notes): Project {
  const app = r.app ?? path.basename(dir);
  const problem = nameProblem('app', app);
  if (problem || app === '*') {
    throw new SeeqretError('E_INVALID_NAME', r.app === undefined ? `the folder name ${JSON.stringify(printable(app))} cannot be the app name` : problem ?? "app may not be '*'", 'Pass --app NAME (letters, digits, _ - . /).');
  }
  const env = checkEnvironmentName(r.env ?? 'dev');
  const outer = findProject(path.dirname(dir));
  const project = createProject(dir, { app, environment: env, descriptions: r.descriptions ?? 'secrets', template: r.template ?? 'env.template' }, { overwrite: r.overwrite });
  notes.info(`Created ${project.file} (app ${app}, environment ${env})`);
  if (outer) notes.warn(`${outer.file} is a project file of a folder above; commands run here use the new one`);
  if (!environmentExists(project, env)) {
    ensureDir(groupsDir(project, env));
    notes.info(`Created ${groupsDir(project, env)} (describe variables there, or: seeqret groups create NAME)`);
  }
  notes.info(`Commit ${PROJECT_FILE} and the descriptions; add ${LOCAL_ENV_FILE} (the per-checkout default) to .gitignore.`);
  return project;
}

/**
 * The environment `project` selects (`explicit`, then the environment `env`, the per-checkout
 * default, the project file), or `null` when nothing names one.
 */
export function selectedEnvironment(project: Project, explicit: string | undefined, env: Readonly<Record<string, string | undefined>>): { name: string; source: EnvironmentSource } | null {
  try {
    return resolveEnvironment(project, explicit, env);
  } catch (e) {
    if (e instanceof SeeqretError && e.code === 'E_NO_ENVIRONMENT') return null;
    throw e;
  }
}

/**
 * `project show`'s facts: the project file, root, app, the selected environment and where it
 * came from (as `sourceText` words it), the folders, the template and the vault with its
 * per-environment tmp folder.
 */
export function projectFacts(
  project: Project,
  explicit: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  vaultDir: string,
  sourceText: (source: EnvironmentSource) => string,
): Record<string, string> {
  const selected = selectedEnvironment(project, explicit, env);
  const name = selected?.name ?? null;
  return {
    file: project.file,
    root: project.root,
    app: project.app,
    environment: name ?? '(none selected)',
    'environment from': selected ? sourceText(selected.source) : '',
    descriptions: project.descriptionsDir,
    'environment folder': name ? `${path.join(project.descriptionsDir, name)}${environmentExists(project, name) ? '' : ' (missing)'}` : '',
    template: project.templateFile,
    vault: vaultDir,
    'tmp folder': name ? environmentTmpDir(vaultDir, project, name) : '',
  };
}
