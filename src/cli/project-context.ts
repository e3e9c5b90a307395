/**
 * What the project commands share: finding the project file, resolving the environment (`-e` ›
 * `SEEQRET_ENV` › `.seeqret-environment` › the project file) and rendering their tables.
 *
 * @module
 */
import { SeeqretError } from '../errors.js';
import { io } from './cli-io.js';
import { type Format, parseFormat } from '../formats/output.js';
import { type EnvironmentSource, type Project, requireProject, resolveEnvironment } from '../project/project.js';

/** A project and the environment a command works on. */
export interface ProjectEnv {
  readonly project: Project;
  readonly env: string;
  readonly source: EnvironmentSource;
}

/** The project of the current folder (walking up), or `E_NO_PROJECT`. */
export function currentProject(): Project {
  return requireProject(io().cwd);
}

/** The `-e/--env` option of the project commands. */
export interface EnvOption {
  /** `-e/--env ENV`: the environment to work on (else SEEQRET_ENV, the checkout default, seeqret.yaml). */
  readonly env?: string | undefined;
}

/** The `--format` option of a listing (table, json, yaml, csv; default table). */
export interface ListFormatOption {
  /** `--format FORMAT`: the output format (commander's default: table). */
  readonly format?: string | undefined;
}

/** The project and the environment selected by `-e/--env` (`o.env`) or the usual precedence. */
export function projectEnv(o: EnvOption): ProjectEnv {
  const project = currentProject();
  const { name, source } = resolveEnvironment(project, o.env, io().env);
  return { project, env: name, source };
}

/** `--format` for a listing that has no single name/value pair (table, json, yaml, csv). */
export function listFormat(o: ListFormatOption): Format {
  const f = parseFormat(o.format);
  if (f === 'env' || f === 'shell') throw new SeeqretError('E_USAGE', `--format ${f} does not fit this listing`, 'Use table, json, yaml or csv.');
  return f;
}

/** Human text for where the environment came from. */
export function sourceText(source: EnvironmentSource): string {
  switch (source) {
    case 'option':
      return '-e/--env';
    default:
      return source;
  }
}
