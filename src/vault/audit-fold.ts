/**
 * One audit entry per command, not per secret (issue 12): the entries a command queues for single
 * secrets (`secret.read` of each value `env` wrote, `secret.add` of each imported line, …) are
 * folded, per action, into ONE entry that names them all. The log then grows with the commands
 * run, not with the number of values they touched, and no name is lost.
 *
 * A folded entry keeps the action; its target is `"N secrets"` (never a user name: those have no
 * spaces) and its detail is the detail the entries shared, plus `n`, `secrets` (the
 * `app:env:key` labels in order) and, when a field differed between them (the version of each
 * updated secret, the new name of each renamed one), `each`: that field's values in the order of
 * `secrets`. A single entry is left exactly as it was. Values are never part of any entry.
 *
 * @module
 */
import type { AuditAction } from './audit.js';

/** An audit entry as queued by a write (before time, actor and hash are added). */
export interface QueuedAuditEntry {
  readonly action: AuditAction;
  readonly target?: string | null;
  readonly detail?: unknown;
}

/** The fields a folded entry's detail adds; an entry that already has one of them is never folded. */
const FOLD_FIELDS = new Set(['n', 'secrets', 'each']);

function foldable(e: QueuedAuditEntry): boolean {
  if (!e.action.startsWith('secret.') || typeof e.target !== 'string') return false;
  if (e.detail === undefined || e.detail === null) return true;
  if (typeof e.detail !== 'object' || Array.isArray(e.detail)) return false;
  // Own enumerable keys (as Object.keys), without an array per entry: a load queues one per value.
  for (const k in e.detail) if (Object.hasOwn(e.detail, k) && FOLD_FIELDS.has(k)) return false;
  return true;
}

/** JSON's text of `a` and `b` is the same: a string or a finite number compared as itself, else the texts. */
function sameJson(a: unknown, b: unknown, bText: string): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a === b;
  // -0 and 0 both write `0`, and `===` holds between them.
  if (typeof a === 'number' && typeof b === 'number' && Number.isFinite(a) && Number.isFinite(b)) return a === b;
  return JSON.stringify(a) === bText;
}

/** Fold the entries of `action` (two or more) into one. */
function fold(action: QueuedAuditEntry['action'], group: readonly QueuedAuditEntry[]): QueuedAuditEntry {
  const details = group.map((e) => (e.detail ?? {}) as Record<string, unknown>);
  const [head = {}] = details;
  const fields = new Set<string>();
  for (const d of details) for (const f in d) fields.add(f);
  const common: Record<string, unknown> = {};
  const each: Record<string, unknown[]> = {};
  for (const f of fields) {
    const first = JSON.stringify(head[f] ?? null);
    if (details.every((d) => f in d && sameJson(d[f], head[f], first))) common[f] = head[f];
    else each[f] = details.map((d) => d[f] ?? null);
  }
  const detail: Record<string, unknown> = { ...common, n: group.length, secrets: group.map((e) => e.target) };
  if (Object.keys(each).length > 0) detail['each'] = each;
  return { action, target: `${group.length} secrets`, detail };
}

/**
 * Fold the per-secret entries of one transaction: all foldable entries of the same action become
 * one entry, at the place of the first of them; every other entry keeps its place and form.
 */
export function foldPerSecret(entries: readonly QueuedAuditEntry[]): QueuedAuditEntry[] {
  if (entries.length < 2) return [...entries];
  const groups = new Map<string, QueuedAuditEntry[]>();
  // Whether each entry folds, decided once (it is asked again when placing them below).
  const folds = entries.map(foldable);
  entries.forEach((e, i) => {
    if (!folds[i]) return;
    const g = groups.get(e.action);
    if (g) g.push(e);
    else groups.set(e.action, [e]);
  });
  if (![...groups.values()].some((g) => g.length > 1)) return [...entries];
  const out: QueuedAuditEntry[] = [];
  const placed = new Set<string>();
  entries.forEach((e, i) => {
    const g = folds[i] ? groups.get(e.action) : undefined;
    if (!g || g.length === 1) out.push(e);
    else if (!placed.has(e.action)) {
      placed.add(e.action);
      out.push(fold(e.action, g));
    }
  });
  return out;
}
