/**
 * `seeqret import-psec PATH [-e ENV]`: a psec environment folder (values in `secrets.json`,
 * descriptions in `secrets.d/`) into the vault (`app:ENV:VAR`) and the project's descriptions
 * folder for ENV, all or nothing.
 *
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import { SeeqretError } from '../../../errors.js';
import { checkEnvironmentName, environmentExists, groupsDir } from '../../../project/project.js';
import { readPsecEnvironment } from '../../../project/psec.js';
import { environmentGroups } from '../../../project/variables.js';
import { SHARED_FILE_MODE, ensureDir, missingDirs, removeEmptyDirs } from '../../../util/fs.js';
import { atomicWriteFile } from '../../../util/atomic-write.js';
import { readFileCapped } from '../../../util/read-capped.js';
import { Vault } from '../../../vault/vault.js';
import { printable } from '../../../util/text.js';
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
  const project = currentProject();
  const psec = readPsecEnvironment(folder);
  const envName = o.env ?? psec.name;
  try {
    checkEnvironmentName(envName);
  } catch (e) {
    if (o.env === undefined && e instanceof SeeqretError) {
      throw new SeeqretError('E_INVALID_NAME', `the folder name ${JSON.stringify(printable(psec.name))} cannot be an environment name: ${e.message}`, 'Pass -e ENV to choose the environment.');
    }
    throw e;
  }
  const env = envName;

  // Descriptions: new files only; an identical file is fine, a different one is a conflict.
  const existing = environmentExists(project, env) ? environmentGroups(project, env) : [];
  const described = new Map(existing.flatMap((gr) => gr.variables.map((d) => [d.variable, d] as const)));
  const targetDir = groupsDir(project, env);
  const toWrite: Array<{ file: string; bytes: Buffer }> = [];
  for (const gr of psec.groups) {
    const bytes = readFileCapped(gr.file, 'descriptions');
    const target = path.join(targetDir, path.basename(gr.file));
    const same = existing.find((x) => x.name === gr.name);
    if (same) {
      if (path.basename(same.file) === path.basename(gr.file) && readFileCapped(same.file, 'descriptions').equals(bytes)) continue;
      throw new SeeqretError('E_EXISTS', `environment ${env} already has group ${gr.name} (${same.file}) with other content`, 'Import into another environment (-e ENV), or merge the files by hand first.');
    }
    for (const d of gr.variables) {
      const other = described.get(d.variable);
      if (other) throw new SeeqretError('E_BAD_VALUE', printable(`${gr.file}: ${d.variable} is already described in ${other.source}`), 'Describe each variable once: remove it from one of the files.');
    }
    toWrite.push({ file: target, bytes });
  }

  const values = psec.values.flatMap((x) => (x.value === null ? [] : [{ ...x, value: x.value }]));
  const unset = psec.values.length - values.length;
  const typeOf = (variable: string): string => described.get(variable)?.type ?? psec.values.find((x) => x.variable === variable)?.description?.type ?? 'string';
  const inputs = values.map((x) => ({ app: project.app, env, key: x.variable, value: x.value, type: typeOf(x.variable) }));
  Vault.validate(inputs); // every name, value and type, before anything is written
  return withVault(g, (v) => {
    const created: string[] = [];
    const madeDirs = missingDirs(targetDir);
    try {
      // One transaction for the values and the audit entry; the description files are written
      // last inside it, so a file that cannot be written undoes the values too.
      const summary = v.atomically(() => {
        const summary = v.setMany(inputs, { update: o.overwrite === true });
        v.audit([{ action: 'import', target: psec.dir, detail: { from: 'psec', env, added: summary.added, updated: summary.updated, skipped: summary.skipped } }]);
        if (toWrite.length) ensureDir(targetDir);
        for (const f of toWrite) {
          atomicWriteFile(f.file, f.bytes, SHARED_FILE_MODE);
          created.push(f.file);
        }
        return summary;
      });
      info(`Imported psec environment ${psec.dir} into ${project.app}:${env}`);
      info(`  descriptions: ${toWrite.length} group file(s) written to ${targetDir}${psec.groups.length - toWrite.length ? ` (${psec.groups.length - toWrite.length} identical, kept)` : ''}`);
      info(`  values: ${summary.added} added, ${summary.updated} replaced, ${summary.unchanged} unchanged, ${summary.skipped} skipped${summary.skipped ? ' (different value here: --overwrite replaces them, keeping history)' : ''}, ${unset} unset in psec`);
      for (const x of summary.outcomes) if (x.outcome === 'skipped') info(`    skipped ${x.app}:${x.env}:${x.key}`);
      const undescribed = values.filter((x) => !x.description && !described.has(x.variable)).map((x) => x.variable);
      if (undescribed.length) warn(`${undescribed.length} imported variable(s) have no description: ${undescribed.slice(0, 10).join(', ')}${undescribed.length > 10 ? ', …' : ''}`);
      for (const n of psec.notes) info(`  note: ${n}`);
      if (psec.ignored.length) info(`  not imported (not part of a psec environment's values or descriptions): ${psec.ignored.join(', ')}`);
      info(`psec keeps values unencrypted in ${path.join(psec.dir, 'secrets.json')}: once you have checked the import, delete it securely (e.g. shred -u).`);
      return 0;
    } catch (e) {
      for (const f of created) fs.rmSync(f, { force: true });
      removeEmptyDirs(madeDirs);
      throw e;
    }
  });
}
