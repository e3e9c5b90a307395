/**
 * `seeqret securestore import` and `export`: between a SecureStore vault file and the seeqret
 * vault. Parse the options, call src/securestore/import.ts and export.ts, render. Only these
 * commands load the seeqret vault code.
 *
 * @module
 */
import { parseFilter } from '../../../filter/index.js';
import { requireFilters, exportToSecureStore } from '../../../securestore/export.js';
import { type SsNames, applySsImport, planSsImport } from '../../../securestore/import.js';
import { info, warn, withVault } from '../../context.js';
import { type SsOptions, runSs, showNotes, ssAccess } from './common.js';

/** Options of `securestore import`. */
export interface ImportOptions {
  app?: string;
  env?: string;
  names?: SsNames;
  colon?: string;
  /** `--overwrite` (old spelling `--update`): replace existing values that differ. */
  overwrite?: boolean;
  dryRun?: boolean;
}

/** Options of `securestore export`. */
export interface ExportOptions {
  filter?: string[];
  names?: SsNames;
  vcs?: boolean;
}

/** `securestore import [STORE] [--app A --env E] [--names key|full] [--colon C] [--overwrite] [--dry-run]`. */
export function importStore(g: SsOptions, store: string | undefined, o: ImportOptions): Promise<number> {
  return runSs(async () => {
    const plan = await planSsImport(ssAccess(g, store), { names: o.names, app: o.app, env: o.env, colon: o.colon });
    for (const w of plan.warnings) warn(w);
    const dryRun = o.dryRun === true;
    return withVault(g, (v) => {
      const s = applySsImport(v, plan, { update: o.overwrite, dryRun });
      if (dryRun) for (const x of s.outcomes) if (x.outcome !== 'unchanged') info(`  would be ${x.outcome}: ${x.app}:${x.env}:${x.key}`);
      info(`Imported ${plan.store}: ${s.added} added, ${s.updated} updated, ${s.skipped} skipped, ${s.unchanged} unchanged${dryRun ? ' (dry run: nothing written)' : ''}`);
      if (s.skipped > 0 && !dryRun) info('Skipped secrets exist with another value; run the same import again with --overwrite to replace them (yours go to history).');
      return 0;
    });
  });
}

/** `securestore export -f FILTER… [STORE] [--names key|full] [--no-vcs]`: into a new or existing vault file. */
export function exportStore(g: SsOptions, store: string | undefined, o: ExportOptions): Promise<number> {
  return runSs(async () => {
    const a = ssAccess(g, store);
    const filters = (o.filter ?? []).map((f) => parseFilter(f));
    requireFilters(filters);
    return withVault(g, async (v) => {
      const r = await exportToSecureStore(a, v, { filters, names: o.names, vcs: o.vcs });
      showNotes(r.notes);
      info(`${r.created ? 'Created' : 'Wrote'} ${r.store}: ${r.added} added, ${r.updated} updated, ${r.unchanged} unchanged (names: ${r.names === 'full' ? 'app:env:key' : 'key'})`);
      return 0;
    });
  });
}
