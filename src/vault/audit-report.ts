/**
 * The use cases of `seeqret audit`: the log's entries as rows, the verified chain, and compacting
 * the oldest entries into a checkpoint. Typed inputs (the option texts parsed here), typed
 * reports; lines for people through {@link Notes}.
 *
 * @module
 */
import { SeeqretError } from '../errors.js';
import { isoTime } from '../formats/output.js';
import type { Notes } from '../notes.js';
import type { AuditAction, CompactSelection } from './audit.js';
import type { Vault } from './vault.js';

/** Parse `--since`: an ISO date/time or a duration like `7d`, `12h`, `30m` before `now`. */
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

/** Which entries `seeqret audit` lists (option texts as given). */
export interface AuditFilter {
  readonly since?: string;
  readonly user?: string;
  readonly action?: string;
}

/** One entry as `seeqret audit` lists it. */
export interface AuditRow {
  readonly id: number;
  readonly time: string;
  readonly actor: string;
  readonly action: string;
  readonly target: string | null;
  readonly detail: unknown;
}

/**
 * The entries `f` selects, as rows. `structured` (json, yaml) keeps a detail as the object it is
 * and a missing target as `null`; otherwise (table, csv) they are text.
 */
export function auditRows(v: Vault, f: AuditFilter, structured: boolean, now = Date.now()): AuditRow[] {
  const entries = v.auditLog({
    ...(f.since ? { since: parseSince(f.since, now) } : {}),
    ...(f.user ? { user: f.user } : {}),
    ...(f.action ? { action: f.action as AuditAction } : {}),
  });
  return entries.map((e) => ({ id: e.id, time: isoTime(e.at), actor: e.actor, action: e.action, target: e.target ?? (structured ? null : ''), detail: structured ? detailObject(e.detail) : (e.detail ?? '') }));
}

/** What `audit --verify` reports for an intact log. */
export interface AuditVerified {
  readonly intact: true;
  readonly entries: number;
  readonly folded: number;
}

/** Verify the log's hash chain; `E_TAMPERED` when it does not hold. */
export function verifyAuditLog(v: Vault, notes: Notes): AuditVerified {
  const r = v.verifyAudit();
  if (r.problem !== null) throw new SeeqretError('E_TAMPERED', r.problem, 'Restore the vault from a backup to recover the original log; `seeqret doctor` lists every change.');
  notes.info(`The audit log's ${r.entries} entries are intact (hash chain verified${r.folded > 0 ? `; its checkpoint stands for ${r.folded} earlier entries` : ''}).`);
  return { intact: true, entries: r.entries, folded: r.folded };
}

/** How much of the log `audit compact` keeps when neither `--before` nor `--keep` is given. */
export const DEFAULT_COMPACT_BEFORE = '90d';

/** `--before WHEN` or `--keep N` (texts as given) as the entries to fold. */
export function compactSelection(o: { readonly before?: string; readonly keep?: string }, now = Date.now()): CompactSelection {
  if (o.before !== undefined && o.keep !== undefined) throw new SeeqretError('E_USAGE', '--before and --keep cannot be combined', 'Give one of them: --before 2026-01-01 (or 90d), or --keep 1000.');
  if (o.keep === undefined) return { before: parseSince(o.before ?? DEFAULT_COMPACT_BEFORE, now) };
  if (!/^\d{1,15}$/.test(o.keep)) throw new SeeqretError('E_USAGE', `--keep '${o.keep}' is not a number of entries`, 'Use e.g. --keep 1000 (the newest entries kept as they are).');
  return { keep: Number(o.keep) };
}

/** What `audit compact` reports (its JSON). */
export interface CompactReport {
  readonly folded: number;
  readonly remaining: number;
  readonly checkpoint: { readonly entries: number; readonly from: string; readonly to: string } | null;
}

/** Fold the entries `sel` names into one checkpoint entry; the log still verifies. */
export function compactAuditLog(v: Vault, sel: CompactSelection, notes: Notes): CompactReport {
  const r = v.compactAudit(sel);
  const c = r.checkpoint;
  if (c === null) {
    notes.info(`Nothing to compact: ${'keep' in sel ? `the log has no more than ${sel.keep} entries besides its checkpoint` : `no entry is older than ${isoTime(sel.before)}`} (${r.remaining} entries).`);
    return { folded: 0, remaining: r.remaining, checkpoint: null };
  }
  notes.info(`Folded ${r.rows} entries (${c.entries} original entries from ${isoTime(c.from)} to ${isoTime(c.to)}) into one checkpoint entry; the log has ${r.remaining} entries now and still verifies (\`seeqret audit --verify\`).`);
  return { folded: r.rows, remaining: r.remaining, checkpoint: { entries: c.entries, from: isoTime(c.from), to: isoTime(c.to) } };
}
