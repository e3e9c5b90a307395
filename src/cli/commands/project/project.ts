/**
 * `seeqret project init` and `seeqret project show`: the project file (`seeqret.yaml`).
 *
 * @module
 */
import path from 'node:path';
import { SeeqretError } from '../../../errors.js';
import { LOCAL_ENV_FILE, PROJECT_FILE, checkEnvironmentName, createProject, environmentExists, environmentTmpDir, findProject, groupsDir, resolveEnvironment } from '../../../project/project.js';
import { ensureDir } from '../../../util/fs.js';
import { printable, safeJson } from '../../../util/text.js';
import { nameProblem } from '../../../vault/names.js';
import { resolveVaultDir } from '../../../vault/paths.js';
import { type GlobalOptions, info, printRows, warn } from '../../context.js';
import { currentProject, listFormat, sourceText } from '../../project-context.js';
import { io } from '../../cli-io.js';

/** Options of `seeqret project init`. */
export interface ProjectInitOptions {
  /** `--app APP`: vault app of the project (default: this folder name). */
  readonly app?: string;
  /** `--env ENV`: default environment (default dev). */
  readonly env?: string;
  /** `--descriptions DIR`: folder of environment folders (default secrets). */
  readonly descriptions?: string;
  /** `--template FILE`: env template (default env.template). */
  readonly template?: string;
  /** `--overwrite` (old spelling `--force`): replace an existing seeqret.yaml. */
  readonly overwrite?: boolean;
}

/** `project init [--app A] [--env E] [--descriptions DIR] [--template FILE] [--overwrite]`. */
export function projectInit(o: ProjectInitOptions): number {
  const dir = io().cwd;
  const app = o.app ?? path.basename(dir);
  const problem = nameProblem('app', app);
  if (problem || app === '*') {
    throw new SeeqretError('E_INVALID_NAME', o.app === undefined ? `the folder name ${JSON.stringify(printable(app))} cannot be the app name` : problem ?? "app may not be '*'", 'Pass --app NAME (letters, digits, _ - . /).');
  }
  const env = checkEnvironmentName(o.env ?? 'dev');
  const outer = findProject(path.dirname(dir));
  const project = createProject(
    dir,
    { app, environment: env, descriptions: o.descriptions ?? 'secrets', template: o.template ?? 'env.template' },
    { overwrite: o.overwrite === true },
  );
  info(`Created ${project.file} (app ${app}, environment ${env})`);
  if (outer) warn(`${outer.file} is a project file of a folder above; commands run here use the new one`);
  if (!environmentExists(project, env)) {
    ensureDir(groupsDir(project, env));
    info(`Created ${groupsDir(project, env)} (describe variables there, or: seeqret groups create NAME)`);
  }
  info(`Commit ${PROJECT_FILE} and the descriptions; add ${LOCAL_ENV_FILE} (the per-checkout default) to .gitignore.`);
  return 0;
}

/** Options of `seeqret project show`. */
export interface ProjectShowOptions {
  /** `-e/--env ENV`: the environment. */
  readonly env?: string;
  /** `--format FORMAT`: table, json, yaml or csv (default table). */
  readonly format: string;
}

/** `project show [-e ENV] [--format F]`: where the project, the environment and its folders are. */
export async function projectShow(g: GlobalOptions, o: ProjectShowOptions): Promise<number> {
  const format = listFormat(o);
  const project = currentProject();
  let env: string | null = null;
  let source = '';
  try {
    const r = resolveEnvironment(project, o.env, io().env);
    env = r.name;
    source = sourceText(r.source);
  } catch (e) {
    if (!(e instanceof SeeqretError) || e.code !== 'E_NO_ENVIRONMENT') throw e;
  }
  const vaultDir = resolveVaultDir(g.vault, io().env);
  const facts: Record<string, string> = {
    file: project.file,
    root: project.root,
    app: project.app,
    environment: env ?? '(none selected)',
    'environment from': env ? source : '',
    descriptions: project.descriptionsDir,
    'environment folder': env ? `${path.join(project.descriptionsDir, env)}${environmentExists(project, env) ? '' : ' (missing)'}` : '',
    template: project.templateFile,
    vault: vaultDir,
    'tmp folder': env ? environmentTmpDir(vaultDir, project, env) : '',
  };
  if (format === 'json') {
    io().stdout.write(`${safeJson(facts, 2)}\n`);
    return 0;
  }
  const rows = Object.entries(facts).map(([setting, value]) => ({ setting, value }));
  await printRows(rows, [{ key: 'setting', header: 'Setting' }, { key: 'value', header: 'Value' }], format);
  return 0;
}
