/**
 * `seeqret audit`: the append-only, hash-chained audit log (use cases in src/vault/audit-report.ts).
 *
 * @module
 */
import { SeeqretError } from '../../../errors.js';
import { type Column, parseFormat } from '../../../formats/output.js';
import { silentNotes } from '../../../notes.js';
import { type AuditRow, auditRows, compactAuditLog, compactSelection, verifyAuditLog } from '../../../vault/audit-report.js';
import { type GlobalOptions, info, printRows, warn, withVault, writeJson } from '../../context.js';
import type { ReportFormat } from '../../options.js';

export { DEFAULT_COMPACT_BEFORE, parseSince } from '../../../vault/audit-report.js';

/** Options of `seeqret audit`. */
export interface AuditOptions {
  /** `--since WHEN`: ISO date/time or duration (7d, 12h). */
  readonly since?: string;
  /** `--user NAME`: entries by or about this user. */
  readonly user?: string;
  /** `--action ACTION`: only this action. */
  readonly action?: string;
  /** `--verify`: check the hash chain and report. */
  readonly verify?: boolean;
  /** `--format FORMAT`: output format (default table). */
  readonly format: string;
}

/** `audit [--since WHEN] [--user NAME] [--action ACTION] [--verify] [--format FORMAT]`. */
export async function audit(g: GlobalOptions, o: AuditOptions): Promise<number> {
  const format = parseFormat(o.format);
  if (format === 'env' || format === 'shell') throw new SeeqretError('E_USAGE', `--format ${format} does not fit the audit log`, 'Use table, json, yaml or csv.');
  return withVault(
    g,
    async (v) => {
      if (o.verify) {
        const r = verifyAuditLog(v, format === 'json' ? silentNotes : { info, warn });
        if (format === 'json') writeJson(r);
        return 0;
      }
      const rows = auditRows(v, o, format === 'json' || format === 'yaml');
      const columns: Array<Column<AuditRow>> = ['id', 'time', 'actor', 'action', 'target', 'detail'].map((k) => ({ key: k, header: k }));
      await printRows(rows, columns, format);
      return 0;
    },
    { readonly: true },
  );
}

/** Options of `seeqret audit compact`. */
export interface AuditCompactOptions {
  /** `--format json` (the `audit` option, given before or after `compact`): the report as JSON. */
  readonly format: ReportFormat;
  /** `--before WHEN`: fold the entries older than this date or duration. */
  readonly before?: string;
  /** `--keep N`: fold all but the newest N entries. */
  readonly keep?: string;
}

/**
 * `audit compact [--before WHEN | --keep N]`: fold the oldest entries into one checkpoint entry,
 * keyed with the vault key, so the log stays short and still verifies (default: entries older than
 * 90 days).
 */
export async function compact(g: GlobalOptions, o: AuditCompactOptions): Promise<number> {
  const sel = compactSelection(o);
  return withVault(g, (v) => {
    const r = compactAuditLog(v, sel, o.format === 'json' ? silentNotes : { info, warn });
    if (o.format === 'json') writeJson(r);
    return 0;
  });
}
