/**
 * `seeqret audit`: the append-only, hash-chained audit log.
 *
 * @module
 */
import { SeeqretError } from '../../../errors.js';
import { type Column, isoTime, parseFormat } from '../../../formats/output.js';
import type { AuditAction, CompactSelection } from '../../../vault/audit.js';
import { type GlobalOptions, info, printRows, withVault, writeJson } from '../../context.js';
import type { ReportFormat } from '../../options.js';

/** Parse `--since`: an ISO date/time or a duration like `7d`, `12h`, `30m`. */
export function parseSince(text: string, now = Date.now()): number {
  const d = /^(\d+)\s*([smhdw])$/.exec(text.trim());
  if (d) return now - Number(d[1]) * { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8 }[d[2] as 's' | 'm' | 'h' | 'd' | 'w'];
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new SeeqretError('E_USAGE', `--since '${text}' is neither a date nor a duration`, 'Use e.g. --since 2026-01-31, --since 7d or --since 12h.');
  return t;
}

/** An entry's detail as the value it records (`null` when none); text that is no JSON stays text. */
function detailObject(detail: string | null): unknown {
  if (detail === null) return null;
  try {
    return JSON.parse(detail) as unknown;
  } catch {
    return detail;
  }
}

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

export async function audit(g: GlobalOptions, o: AuditOptions): Promise<number> {
  const format = parseFormat(o.format);
  if (format === 'env' || format === 'shell') throw new SeeqretError('E_USAGE', `--format ${format} does not fit the audit log`, 'Use table, json, yaml or csv.');
  return withVault(
    g,
    async (v) => {
      if (o.verify) {
        const r = v.verifyAudit();
        if (r.problem !== null) throw new SeeqretError('E_TAMPERED', r.problem, 'Restore the vault from a backup to recover the original log; `seeqret doctor` lists every change.');
        if (format === 'json') {
          writeJson({ intact: true, entries: r.entries, folded: r.folded });
          return 0;
        }
        info(`The audit log's ${r.entries} entries are intact (hash chain verified${r.folded > 0 ? `; its checkpoint stands for ${r.folded} earlier entries` : ''}).`);
        return 0;
      }
      const entries = v.auditLog({
        ...(o.since ? { since: parseSince(o.since) } : {}),
        ...(o.user ? { user: o.user } : {}),
        ...(o.action ? { action: o.action as AuditAction } : {}),
      });
      // json and yaml keep the detail as the object it is (no JSON inside a JSON string); a table
      // and csv show its JSON text.
      const structured = format === 'json' || format === 'yaml';
      const rows = entries.map((e) => ({ id: e.id, time: isoTime(e.at), actor: e.actor, action: e.action, target: e.target ?? (structured ? null : ''), detail: structured ? detailObject(e.detail) : (e.detail ?? '') }));
      const columns: Column[] = ['id', 'time', 'actor', 'action', 'target', 'detail'].map((k) => ({ key: k, header: k }));
      await printRows(rows, columns, format);
      return 0;
    },
    { readonly: true },
  );
}

/** How much of the log `audit compact` keeps when neither `--before` nor `--keep` is given. */
export const DEFAULT_COMPACT_BEFORE = '90d';

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
  if (o.before !== undefined && o.keep !== undefined) throw new SeeqretError('E_USAGE', '--before and --keep cannot be combined', 'Give one of them: --before 2026-01-01 (or 90d), or --keep 1000.');
  let sel: CompactSelection;
  if (o.keep !== undefined) {
    const text = o.keep;
    if (!/^\d{1,15}$/.test(text)) throw new SeeqretError('E_USAGE', `--keep '${text}' is not a number of entries`, 'Use e.g. --keep 1000 (the newest entries kept as they are).');
    sel = { keep: Number(text) };
  } else {
    sel = { before: parseSince(o.before ?? DEFAULT_COMPACT_BEFORE) };
  }
  return withVault(g, async (v) => {
    const r = v.compactAudit(sel);
    if (o.format === 'json') {
      const c = r.checkpoint;
      writeJson({ folded: c === null ? 0 : r.rows, remaining: r.remaining, checkpoint: c === null ? null : { entries: c.entries, from: isoTime(c.from), to: isoTime(c.to) } });
      return 0;
    }
    if (r.checkpoint === null) {
      info(`Nothing to compact: ${'keep' in sel ? `the log has no more than ${sel.keep} entries besides its checkpoint` : `no entry is older than ${isoTime(sel.before)}`} (${r.remaining} entries).`);
      return 0;
    }
    const c = r.checkpoint;
    info(`Folded ${r.rows} entries (${c.entries} original entries from ${isoTime(c.from)} to ${isoTime(c.to)}) into one checkpoint entry; the log has ${r.remaining} entries now and still verifies (\`seeqret audit --verify\`).`);
    return 0;
  });
}
