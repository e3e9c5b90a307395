/**
 * `seeqret import-psec PATH [-e ENV]`: a psec environment folder (values in `secrets.json`,
 * descriptions in `secrets.d/`) into the vault (`app:ENV:VAR`) and the project's descriptions
 * folder for ENV, all or nothing (src/project/import-psec.ts).
 *
 * @module
 */
import { applyPsecImport, planPsecImport } from '../../../project/import-psec.js';
import { type GlobalOptions, info, warn, withVault } from '../../context.js';
import { currentProject } from '../../project-context.js';

/** Options of `seeqret import-psec`. */
export interface ImportPsecOptions {
  /** `-e/--env ENV`: environment to import into (default: the folder name). */
  readonly env?: string;
  /** `--overwrite`: replace values that differ here. */
  readonly overwrite?: boolean;
}

/** `import-psec PATH [-e ENV] [--overwrite]`. */
export async function importPsec(g: GlobalOptions, folder: string, o: ImportPsecOptions): Promise<number> {
  const plan = planPsecImport(currentProject(), folder, o.env);
  return withVault(g, (v) => {
    applyPsecImport(v, plan, { overwrite: o.overwrite === true }, { info, warn });
    return 0;
  });
}
