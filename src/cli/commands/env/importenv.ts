/**
 * `seeqret importenv FILE`: import a dotenv file, all or nothing — the option parsing and the
 * report of the `importenv` use case (src/sharing/importenv.ts: two passes, one transaction).
 *
 * @module
 */
import { type DotenvSource, applyDotenvImport, dotenvFileSource, dotenvImportLines, planDotenvImport } from '../../../sharing/importenv.js';
import { decodeUtf8 } from '../../../util/read-capped.js';
import { type GlobalOptions, info, readStdin, warn, withVault, writeJson } from '../../context.js';
import type { ReportFormat } from '../../options.js';
import { commandLine } from '../../hints.js';

/** Options of `seeqret importenv`. */
export interface ImportenvOptions {
  /** `--app APP`: application of the imported keys (default `*`). */
  readonly app: string;
  /** `--env ENV`: environment of the imported keys (default `*`). */
  readonly env: string;
  /** `--overwrite` (old spelling `--update`): replace existing values that differ. */
  readonly overwrite?: boolean;
  /** `--dry-run`: show what would change, write nothing. */
  readonly dryRun?: boolean;
  /** `--dialect D`: read the file as this program does. */
  readonly dialect?: string;
  /** `--format text|json`: the report. */
  readonly format: ReportFormat;
}

/** `importenv FILE [--app A] [--env E] [--overwrite] [--dry-run] [--dialect D] [--format text|json]`. */
export async function importenv(g: GlobalOptions, file: string, o: ImportenvOptions): Promise<number> {
  // Stdin cannot be read twice: whole, once.
  const src: DotenvSource = file === '-' ? { kind: 'text', text: decodeUtf8(await readStdin('dotenv'), '<stdin>'), label: '<stdin>' } : dotenvFileSource(file);
  const { app, env } = o;
  const plan = planDotenvImport(src, { app, env, overwrite: o.overwrite === true, dryRun: o.dryRun === true, dialect: o.dialect });
  for (const w of plan.repeats) warn(w);
  return withVault(g, (v) => {
    const r = applyDotenvImport(v, plan);
    if (o.format === 'json') {
      const { emptyNames: _names, changes, ...counts } = r;
      writeJson({ ...counts, ...(r.dryRun ? { changes } : {}) });
      return 0;
    }
    const cmd = commandLine(g, 'importenv', file, '--app', app, '--env', env, '--overwrite');
    for (const line of dotenvImportLines(r, file === '-' ? `the same input piped into \`${cmd}\`` : `\`${cmd}\``)) info(line);
    return 0;
  });
}
