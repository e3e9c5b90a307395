/**
 * `seeqret project init` and `seeqret project show`: the project file (`seeqret.yaml`); the use
 * cases are in src/project/setup.ts.
 *
 * @module
 */
import { initProject, projectFacts } from '../../../project/setup.js';
import { safeJson } from '../../../util/text.js';
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
  initProject(io().cwd, { ...o, overwrite: o.overwrite === true }, { info, warn });
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
  const facts = projectFacts(currentProject(), o.env, io().env, resolveVaultDir(g.vault, io().env), sourceText);
  if (format === 'json') {
    io().stdout.write(`${safeJson(facts, 2)}\n`);
    return 0;
  }
  const rows = Object.entries(facts).map(([setting, value]) => ({ setting, value }));
  await printRows(rows, [{ key: 'setting', header: 'Setting' }, { key: 'value', header: 'Value' }], format);
  return 0;
}
