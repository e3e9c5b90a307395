/**
 * What the project commands share: finding the project file, resolving the environment (`-e` ›
 * `SEEQRET_ENV` › `.seeqret-environment` › the project file) and rendering their tables.
 *
 * @module
 */
import { SeeqretError } from '../errors.js';
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
  return requireProject(process.cwd());
}

/** The project and the environment selected by `-e/--env` (`o.env`) or the usual precedence. */
export function projectEnv(o: Record<string, unknown>): ProjectEnv {
  const project = currentProject();
  const { name, source } = resolveEnvironment(project, o['env'] as string | undefined);
  return { project, env: name, source };
}

/** `--format` for a listing that has no single name/value pair (table, json, yaml, csv). */
export function listFormat(o: Record<string, unknown>): Format {
  const f = parseFormat(o['format'] as string | undefined);
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
