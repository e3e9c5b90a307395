/**
 * `import 'seeqret/config'` fills `process.env` from the vault, like `dotenv/config`:
 * from the filters in `SEEQRET_FILTER` (several separated by spaces or `;`), else
 * from `env.template` in the current folder (or the file named by `SEEQRET_TEMPLATE`).
 * Variables already set are never overwritten. With neither a filter nor a template it does
 * nothing; a template named by `SEEQRET_TEMPLATE` must exist. Filters that match nothing are
 * reported with `process.emitWarning`. Vault errors are thrown: an app that needs secrets should not start without them.
 *
 * @module
 */
import fs from 'node:fs';
import { openVault } from './index.js';
import { readTemplateFile, resolveFilters, resolveTemplate } from './vault/resolve.js';

/** What {@link config} did. */
export interface ConfigResult {
  /** Names set in process.env. */
  readonly set: string[];
  /** Names skipped because they were already set. */
  readonly kept: string[];
}

/** Fill `process.env` (or `target`) from the vault without overwriting existing variables. */
export function config(target: NodeJS.ProcessEnv = process.env): ConfigResult {
  const filterText = process.env['SEEQRET_FILTER'];
  const named = process.env['SEEQRET_TEMPLATE'];
  const templateFile = named ?? 'env.template';
  // A template named explicitly must exist (readTemplateFile throws E_FILE_NOT_FOUND below).
  if (!filterText && named === undefined && !fs.existsSync(templateFile)) return { set: [], kept: [] };
  const vault = openVault();
  try {
    const resolved = filterText
      ? resolveFilters(vault, filterText.split(/[\s;]+/).filter(Boolean))
      : resolveTemplate(vault, readTemplateFile(templateFile), templateFile);
    for (const w of resolved.warnings) process.emitWarning(w, 'SeeqretWarning');
    const set: string[] = [];
    const kept: string[] = [];
    for (const e of resolved.entries) {
      if (target[e.name] !== undefined) kept.push(e.name);
      else {
        target[e.name] = e.value;
        set.push(e.name);
      }
    }
    return { set, kept };
  } finally {
    vault.close();
  }
}

config();
