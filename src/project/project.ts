/**
 * The project file: what ties a repository to its secrets.
 *
 * A project file named `seeqret.yaml` is committed at (or above) the folder where commands run;
 * commands find it by walking up from the current folder. It names the app, the default
 * environment, where the variable descriptions live and the env template:
 *
 * ```yaml
 * # seeqret project file (docs/project.md)
 * app: myapp
 * environment: dev
 * descriptions: secrets
 * template: env.template
 * dialect: node
 * ```
 *
 * - `app` (required): the vault app of the project's secrets (a valid app name, not `*`).
 * - `environment` (optional): the default environment.
 * - `descriptions` (default `secrets`): a folder, relative to the project file, holding one folder
 *   per environment, each with psec's drop-in `secrets.d/<group>.json` (or `.yaml`) files:
 *   `secrets/dev/secrets.d/db.json`. The layout is psec's (`~/.secrets/<env>/secrets.d/`), so a psec
 *   environment folder can be copied in as it is.
 * - `template` (default `env.template`): the env template, relative to the project file.
 * - `dialect` (optional): the `.env` reader `seeqret env` writes for (`node`, `python`, `compose`,
 *   `shell`; docs/formats.md#dotenv-dialects); `--dialect` and the template's `@dialect` win.
 *
 * Variable `V` of environment `E` is stored in the vault as `app:E:V`; values never live in the
 * repository.
 *
 * The environment a command works on: `-e/--env` › `SEEQRET_ENV` › the per-checkout default (first
 * line of `.seeqret-environment` beside the project file, written by `environments default --set`,
 * not committed) › the project file's `environment`.
 *
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { SeeqretError } from '../errors.js';
import { DIALECTS, type Dialect, isDialect } from '../formats/dialects.js';
import { atomicWriteFile } from '../util/atomic-write.js';
import { ioError } from '../util/fs.js';
import { readTextFileCapped } from '../util/read-capped.js';
import { printable } from '../util/text.js';
import { GLOBAL, checkName, nameProblem } from '../vault/names.js';
import { hostCwd, hostEnvironment } from '../host.js';

/** File name of the project file. */
export const PROJECT_FILE = 'seeqret.yaml';
/** File name of the per-checkout default environment (beside the project file; not committed). */
export const LOCAL_ENV_FILE = '.seeqret-environment';
/** The folder of descriptions inside an environment folder (psec's name). */
export const GROUPS_DIR = 'secrets.d';
/** The environment variable that selects the environment. */
export const ENV_VARIABLE = 'SEEQRET_ENV';

/** The settings of a project file. */
export interface ProjectConfig {
  /** The vault app of the project's secrets. */
  readonly app: string;
  /** The default environment, when set. */
  readonly environment?: string;
  /** Folder of environment folders, relative to the project file (default `secrets`). */
  readonly descriptions: string;
  /** The env template, relative to the project file (default `env.template`). */
  readonly template: string;
  /** The `.env` dialect `seeqret env` writes inside the project, when set. */
  readonly dialect?: Dialect;
}

/** A project file found on disk, with absolute paths. */
export interface Project {
  /** The folder that holds the project file. */
  readonly root: string;
  /** The project file. */
  readonly file: string;
  /** The settings as written. */
  readonly config: ProjectConfig;
  /** Shortcut for `config.app`. */
  readonly app: string;
  /** Absolute path of the folder of environment folders. */
  readonly descriptionsDir: string;
  /** Absolute path of the env template. */
  readonly templateFile: string;
}

/** Where the environment of a command came from. */
export type EnvironmentSource = 'option' | typeof ENV_VARIABLE | typeof LOCAL_ENV_FILE | typeof PROJECT_FILE;

const KEYS = ['app', 'environment', 'descriptions', 'template', 'dialect'] as const;
const KEY_SET: ReadonlySet<string> = new Set(KEYS);
const FIX_PROJECT = `Edit ${PROJECT_FILE}: it holds app (required), environment, descriptions, template and dialect (see docs/project.md).`;

function badProject(file: string, message: string, fix = FIX_PROJECT): SeeqretError {
  return new SeeqretError('E_PROJECT', printable(`${file}: ${message}`), fix);
}

/** A relative path that stays inside the project (no absolute path, no `..` step). */
function relativeInside(file: string, key: string, value: string): string {
  if (value === '' || value.includes('\0')) throw badProject(file, `${key} is empty`);
  if (path.isAbsolute(value) || value.split(/[\\/]/).includes('..')) {
    throw badProject(file, `${key} must be a path inside the project (relative, without '..')`);
  }
  return value;
}

/** Why `name` cannot be an environment name, or `null`. */
export function environmentNameProblem(name: string): string | null {
  if (name === GLOBAL) return "environment name '*' is the vault's global environment, not a project environment";
  if (name === '.' || name === '..') return `environment name '${name}' is not allowed`;
  if (name.includes('/') || name.includes('\\')) return `environment name '${printable(name)}' contains a path separator`;
  if (name.startsWith('.')) return `environment name '${printable(name)}' starts with '.'`;
  return nameProblem('env', name);
}

/** Throw `E_INVALID_NAME` unless `name` is a usable environment name; returns it. */
export function checkEnvironmentName(name: string): string {
  const p = environmentNameProblem(name);
  if (p) throw new SeeqretError('E_INVALID_NAME', p, "Use letters, digits, '_', '-' and '.' (not first), e.g. dev, prod, staging.");
  return name;
}

/**
 * Parse the text of a project file.
 *
 * @param text - YAML 1.2: a mapping with the keys of {@link ProjectConfig}; every value a string.
 * @param file - Named in messages.
 * @throws SeeqretError `E_PROJECT` for YAML errors, a non-mapping, an unknown or duplicate key, a
 *   missing or invalid `app`, an invalid `environment`, or a path leaving the project.
 */
export function parseProjectText(text: string, file: string = PROJECT_FILE): ProjectConfig {
  let doc: YAML.Document.Parsed;
  try {
    doc = YAML.parseDocument(text.replace(/^\uFEFF/, ''), { version: '1.2', uniqueKeys: true, prettyErrors: false });
  } catch (e) {
    throw badProject(file, `not valid YAML (${(e as Error).message.split('\n')[0]})`);
  }
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    const where = err.linePos?.[0] ? ` at line ${err.linePos[0].line}` : '';
    throw badProject(file, `not valid YAML${where} (${err.code === 'DUPLICATE_KEY' ? 'a key is given twice' : err.code})`);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 0 });
  } catch (e) {
    throw badProject(file, `not usable YAML (${printable((e as Error).message.split('\n')[0] ?? '')})`);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw badProject(file, 'must be a mapping of settings (app: NAME, ...)');
  }
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
    if (!KEY_SET.has(k)) throw badProject(file, `unknown setting ${JSON.stringify(printable(k.slice(0, 60)))}`);
    if (v === null || v === undefined) continue;
    if (typeof v !== 'string') throw badProject(file, `${k} must be a string`);
    values[k] = v;
  }
  const app = values['app'];
  if (app === undefined) throw badProject(file, 'app is missing');
  if (app === GLOBAL) throw badProject(file, "app may not be '*' (that is the vault's global app)");
  const appProblem = nameProblem('app', app);
  if (appProblem) throw badProject(file, appProblem);
  const environment = values['environment'];
  if (environment !== undefined) {
    const p = environmentNameProblem(environment);
    if (p) throw badProject(file, p);
  }
  const descriptions = relativeInside(file, 'descriptions', values['descriptions'] ?? 'secrets');
  const template = relativeInside(file, 'template', values['template'] ?? 'env.template');
  const dialect = values['dialect'];
  if (dialect !== undefined && !isDialect(dialect)) throw badProject(file, `dialect must be one of ${DIALECTS.join(', ')}`);
  return { app, ...(environment === undefined ? {} : { environment }), descriptions, template, ...(dialect === undefined ? {} : { dialect }) };
}

/** The text of a project file for `config` (what {@link parseProjectText} reads back). */
export function serializeProject(config: ProjectConfig): string {
  const lines = ['# seeqret project file: commit it. Values live in the vault, never here (docs/project.md).'];
  const q = (s: string): string => YAML.stringify(s, { lineWidth: 0 }).trimEnd();
  lines.push(`app: ${q(config.app)}`);
  if (config.environment !== undefined) lines.push(`environment: ${q(config.environment)}`);
  lines.push(`descriptions: ${q(config.descriptions)}`);
  lines.push(`template: ${q(config.template)}`);
  if (config.dialect !== undefined) lines.push(`dialect: ${q(config.dialect)}`);
  return lines.join('\n') + '\n';
}

function projectAt(root: string, file: string, config: ProjectConfig): Project {
  return {
    root,
    file,
    config,
    app: config.app,
    descriptionsDir: path.join(root, config.descriptions),
    templateFile: path.join(root, config.template),
  };
}

/** Read the project file `file`. */
export function loadProject(file: string): Project {
  const abs = path.resolve(file);
  const config = parseProjectText(readTextFileCapped(abs, 'project'), abs);
  return projectAt(path.dirname(abs), abs, config);
}

/**
 * Find the project file by walking up from `start` (default: the current folder).
 *
 * @returns The project, or `null` when no folder up to the file-system root holds a `seeqret.yaml`.
 */
export function findProject(start: string = hostCwd()): Project | null {
  let dir = path.resolve(start);
  for (;;) {
    const file = path.join(dir, PROJECT_FILE);
    let isFile = false;
    try {
      isFile = fs.statSync(file).isFile();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw ioError(e, file);
    }
    if (isFile) return loadProject(file);
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** {@link findProject}, or `E_NO_PROJECT` when there is none. */
export function requireProject(start: string = hostCwd()): Project {
  const p = findProject(start);
  if (!p) {
    throw new SeeqretError(
      'E_NO_PROJECT',
      `no ${PROJECT_FILE} in ${printable(path.resolve(start))} or any folder above it`,
      'Run `seeqret project init --app NAME` in the root of your repository.',
    );
  }
  return p;
}

/**
 * Create a project file in `dir`.
 *
 * @throws SeeqretError `E_EXISTS` when `dir` already has one (unless `overwrite`), `E_PROJECT`
 *   for invalid settings.
 */
export function createProject(dir: string, config: ProjectConfig, opts: { overwrite?: boolean } = {}): Project {
  const file = path.join(path.resolve(dir), PROJECT_FILE);
  if (!opts.overwrite && fs.existsSync(file)) {
    throw new SeeqretError('E_EXISTS', `${printable(file)} already exists`, 'Edit it, or pass --overwrite to replace it.');
  }
  const text = serializeProject(config);
  const parsed = parseProjectText(text, file); // validates every setting
  atomicWriteFile(file, text, 0o644); // committed to git: no secrets in it
  return projectAt(path.dirname(file), file, parsed);
}

/** The per-checkout default environment (`.seeqret-environment`), or `null`. */
export function readLocalDefault(project: Project): string | null {
  const file = path.join(project.root, LOCAL_ENV_FILE);
  let text: string;
  try {
    text = readTextFileCapped(file, 'project');
  } catch (e) {
    if ((e as SeeqretError).code === 'E_FILE_NOT_FOUND') return null;
    throw e;
  }
  const first = (text.split(/\r?\n/)[0] ?? '').trim();
  if (first === '') return null;
  const p = environmentNameProblem(first);
  if (p) throw new SeeqretError('E_PROJECT', printable(`${file}: ${p}`), 'Run `seeqret environments default --set ENV` or `--unset`.');
  return first;
}

/** Store (or with `null`, remove) the per-checkout default environment. */
export function writeLocalDefault(project: Project, env: string | null): void {
  const file = path.join(project.root, LOCAL_ENV_FILE);
  if (env === null) {
    fs.rmSync(file, { force: true });
    return;
  }
  atomicWriteFile(file, `${checkEnvironmentName(env)}\n`, 0o644);
}

/**
 * The environment a command works on, and where that came from.
 *
 * @param explicit - The `-e/--env` option, when given.
 * @throws SeeqretError `E_INVALID_NAME` for an invalid name, `E_NO_ENVIRONMENT` when no source
 *   names one.
 */
export function resolveEnvironment(
  project: Project,
  explicit?: string,
  env: Readonly<Record<string, string | undefined>> = hostEnvironment(),
): { name: string; source: EnvironmentSource } {
  if (explicit !== undefined && explicit !== '') return { name: checkEnvironmentName(explicit), source: 'option' };
  const fromEnv = env[ENV_VARIABLE];
  if (fromEnv !== undefined && fromEnv !== '') return { name: checkEnvironmentName(fromEnv), source: ENV_VARIABLE };
  const local = readLocalDefault(project);
  if (local !== null) return { name: local, source: LOCAL_ENV_FILE };
  if (project.config.environment !== undefined) return { name: project.config.environment, source: PROJECT_FILE };
  throw new SeeqretError(
    'E_NO_ENVIRONMENT',
    'no environment selected',
    `Pass -e ENV, set ${ENV_VARIABLE}, run \`seeqret environments default --set ENV\`, or add environment: to ${PROJECT_FILE}.`,
  );
}

/** The folder of environment `env`: `<descriptions>/<env>`. */
export function environmentDir(project: Project, env: string): string {
  return path.join(project.descriptionsDir, checkEnvironmentName(env));
}

/** The folder of `env`'s group descriptions: `<descriptions>/<env>/secrets.d`. */
export function groupsDir(project: Project, env: string): string {
  return path.join(environmentDir(project, env), GROUPS_DIR);
}

/**
 * The environments that have a folder under the descriptions folder, sorted.
 * (Environments that only have values in the vault are added by callers that hold a vault.)
 */
export function describedEnvironments(project: Project): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(project.descriptionsDir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw ioError(e, project.descriptionsDir);
  }
  return entries
    .filter((d) => d.isDirectory() && environmentNameProblem(d.name) === null)
    .map((d) => d.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** True when `env` has a folder under the descriptions folder. */
export function environmentExists(project: Project, env: string): boolean {
  try {
    return fs.statSync(environmentDir(project, env)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The per-environment folder for rendered files that contain secrets (`template` output, psec's
 * `tmp/`): `<vault>/tmp/<app>/<env>`, inside the 0700 vault folder so it is never committed.
 */
export function environmentTmpDir(vaultDir: string, project: Project, env: string): string {
  checkName('app', project.app);
  return path.join(vaultDir, 'tmp', project.app, checkEnvironmentName(env));
}
