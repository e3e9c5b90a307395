/**
 * Use case `import-psec`: a psec environment folder (values in `secrets.json`, descriptions in
 * `secrets.d/`) into the vault (`APP:ENV:VAR`) and the project's descriptions folder for ENV, all
 * or nothing. {@link planPsecImport} reads and checks everything before a vault is opened (the
 * environment name, description files that would conflict, every value); {@link applyPsecImport}
 * writes the values, the audit entry and the description files in one transaction.
 *
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import { SeeqretError } from '../errors.js';
import type { Notes } from '../notes.js';
import { SHARED_FILE_MODE, ensureDir, missingDirs, removeEmptyDirs } from '../util/fs.js';
import { atomicWriteFile } from '../util/atomic-write.js';
import { readFileCapped } from '../util/read-capped.js';
import { printable } from '../util/text.js';
import { type ImportSummary, type SecretInput, Vault } from '../vault/vault.js';
import { type Project, checkEnvironmentName, environmentExists, groupsDir } from './project.js';
import { type PsecEnvironment, readPsecEnvironment } from './psec.js';
import { environmentGroups } from './variables.js';

/** What {@link applyPsecImport} writes, checked. */
export interface PsecImportPlan {
  /** The project whose app and descriptions folder receive the import. */
  readonly project: Project;
  /** The psec environment folder, read. */
  readonly psec: PsecEnvironment;
  /** The environment imported into. */
  readonly env: string;
  /** The environment's descriptions folder (`secrets.d`). */
  readonly targetDir: string;
  /** The description files to write: the psec group files the environment does not have yet. */
  readonly files: ReadonlyArray<{ readonly file: string; readonly bytes: Buffer }>;
  /** The values to write (psec's unset ones left out), validated. */
  readonly inputs: readonly SecretInput[];
  /** How many of psec's values are unset. */
  readonly unset: number;
  /** The imported variables that no description (here or in psec) describes. */
  readonly undescribed: readonly string[];
}

/**
 * Read the psec environment folder `folder` and check the import into `project`'s environment
 * `env` (default: the folder's name): description files are new, or identical to the ones there
 * (another one of a group's name or a variable described twice is refused), and every name, value
 * and type is valid. Nothing is written.
 */
export function planPsecImport(project: Project, folder: string, env?: string): PsecImportPlan {
  const psec = readPsecEnvironment(folder);
  const envName = env ?? psec.name;
  try {
    checkEnvironmentName(envName);
  } catch (e) {
    if (env === undefined && e instanceof SeeqretError) {
      throw new SeeqretError('E_INVALID_NAME', `the folder name ${JSON.stringify(printable(psec.name))} cannot be an environment name: ${e.message}`, 'Pass -e ENV to choose the environment.');
    }
    throw e;
  }

  // Descriptions: new files only; an identical file is fine, a different one is a conflict.
  const existing = environmentExists(project, envName) ? environmentGroups(project, envName) : [];
  const described = new Map(existing.flatMap((gr) => gr.variables.map((d) => [d.variable, d] as const)));
  const targetDir = groupsDir(project, envName);
  const files: Array<{ file: string; bytes: Buffer }> = [];
  for (const gr of psec.groups) {
    const bytes = readFileCapped(gr.file, 'descriptions');
    const target = path.join(targetDir, path.basename(gr.file));
    const same = existing.find((x) => x.name === gr.name);
    if (same) {
      if (path.basename(same.file) === path.basename(gr.file) && readFileCapped(same.file, 'descriptions').equals(bytes)) continue;
      throw new SeeqretError('E_EXISTS', `environment ${envName} already has group ${gr.name} (${same.file}) with other content`, 'Import into another environment (-e ENV), or merge the files by hand first.');
    }
    for (const d of gr.variables) {
      const other = described.get(d.variable);
      if (other) throw new SeeqretError('E_BAD_VALUE', printable(`${gr.file}: ${d.variable} is already described in ${other.source}`), 'Describe each variable once: remove it from one of the files.');
    }
    files.push({ file: target, bytes });
  }

  const values = psec.values.flatMap((x) => (x.value === null ? [] : [{ ...x, value: x.value }]));
  const typeOf = (variable: string): string => described.get(variable)?.type ?? psec.values.find((x) => x.variable === variable)?.description?.type ?? 'string';
  const inputs = values.map((x) => ({ app: project.app, env: envName, key: x.variable, value: x.value, type: typeOf(x.variable) }));
  Vault.validate(inputs); // every name, value and type, before anything is written
  const undescribed = values.filter((x) => !x.description && !described.has(x.variable)).map((x) => x.variable);
  return { project, psec, env: envName, targetDir, files, inputs, unset: psec.values.length - values.length, undescribed };
}

/**
 * Write the import `plan` into `v`: the values (`overwrite`: replace the ones that differ here,
 * keeping history), one audit entry and the description files, in one transaction — a file that
 * cannot be written undoes the values, and the files and folders written are removed again. What
 * was done goes to `notes`.
 */
export function applyPsecImport(v: Vault, plan: PsecImportPlan, opts: { readonly overwrite: boolean }, notes: Notes): ImportSummary {
  const { project, psec, env, targetDir, files } = plan;
  const created: string[] = [];
  const madeDirs = missingDirs(targetDir);
  let summary: ImportSummary;
  try {
    // One transaction for the values and the audit entry; the description files are written
    // last inside it, so a file that cannot be written undoes the values too.
    summary = v.atomically(() => {
      const summary = v.setMany(plan.inputs, { update: opts.overwrite });
      v.audit([{ action: 'import', target: psec.dir, detail: { from: 'psec', env, added: summary.added, updated: summary.updated, skipped: summary.skipped } }]);
      if (files.length) ensureDir(targetDir);
      for (const f of files) {
        atomicWriteFile(f.file, f.bytes, SHARED_FILE_MODE);
        created.push(f.file);
      }
      return summary;
    });
  } catch (e) {
    for (const f of created) fs.rmSync(f, { force: true });
    removeEmptyDirs(madeDirs);
    throw e;
  }
  notes.info(`Imported psec environment ${psec.dir} into ${project.app}:${env}`);
  notes.info(`  descriptions: ${files.length} group file(s) written to ${targetDir}${psec.groups.length - files.length ? ` (${psec.groups.length - files.length} identical, kept)` : ''}`);
  notes.info(`  values: ${summary.added} added, ${summary.updated} replaced, ${summary.unchanged} unchanged, ${summary.skipped} skipped${summary.skipped ? ' (different value here: --overwrite replaces them, keeping history)' : ''}, ${plan.unset} unset in psec`);
  for (const x of summary.outcomes) if (x.outcome === 'skipped') notes.info(`    skipped ${x.app}:${x.env}:${x.key}`);
  const undescribed = plan.undescribed;
  if (undescribed.length) notes.warn(`${undescribed.length} imported variable(s) have no description: ${undescribed.slice(0, 10).join(', ')}${undescribed.length > 10 ? ', …' : ''}`);
  for (const n of psec.notes) notes.info(`  note: ${n}`);
  if (psec.ignored.length) notes.info(`  not imported (not part of a psec environment's values or descriptions): ${psec.ignored.join(', ')}`);
  notes.info(`psec keeps values unencrypted in ${path.join(psec.dir, 'secrets.json')}: once you have checked the import, delete it securely (e.g. shred -u).`);
  return summary;
}
