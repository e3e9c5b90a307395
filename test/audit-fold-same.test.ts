/**
 * The folding of per-secret audit entries (src/vault/audit-fold.ts) decides whether each entry
 * folds once and compares strings and finite numbers of the entries' details as themselves
 * instead of through `JSON.stringify` (decision 86): for any entries — details sharing or
 * differing in strings, numbers (-0, NaN, ±Infinity), booleans, `null`, missing fields, objects
 * and fields that stop an entry folding — the result is the one of the first definition, written
 * out here.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type QueuedAuditEntry, foldPerSecret } from '../src/vault/audit-fold.js';

const FOLD_FIELDS = new Set(['n', 'secrets', 'each']);

/** The definition before decision 86, restated (its rules, not its code). */
function firstFoldable(e: QueuedAuditEntry): boolean {
  if (!e.action.startsWith('secret.') || typeof e.target !== 'string') return false;
  if (e.detail === undefined || e.detail === null) return true;
  if (typeof e.detail !== 'object' || Array.isArray(e.detail)) return false;
  return !Object.keys(e.detail).some((k) => FOLD_FIELDS.has(k));
}

function firstFold(action: QueuedAuditEntry['action'], group: readonly QueuedAuditEntry[]): QueuedAuditEntry {
  const details = group.map((e) => (e.detail ?? {}) as Record<string, unknown>);
  const head = details[0] ?? {};
  const fields = [...new Set(details.flatMap((d) => Object.keys(d)))];
  const shared = (f: string): boolean => details.every((d) => f in d && JSON.stringify(d[f]) === JSON.stringify(head[f] ?? null));
  const differing = fields.filter((f) => !shared(f));
  const detail: Record<string, unknown> = { ...Object.fromEntries(fields.filter(shared).map((f) => [f, head[f]])), n: group.length, secrets: group.map((e) => e.target) };
  if (differing.length > 0) detail['each'] = Object.fromEntries(differing.map((f) => [f, details.map((d) => d[f] ?? null)]));
  return { action, target: `${group.length} secrets`, detail };
}

function firstFoldPerSecret(entries: readonly QueuedAuditEntry[]): QueuedAuditEntry[] {
  if (entries.length < 2) return [...entries];
  const folding = (a: string): QueuedAuditEntry[] => entries.filter((e) => firstFoldable(e) && e.action === a);
  if (!entries.some((e) => firstFoldable(e) && folding(e.action).length > 1)) return [...entries];
  const placed = new Set<string>();
  return entries.flatMap((e) => {
    const g = firstFoldable(e) ? folding(e.action) : [];
    if (g.length < 2) return [e];
    if (placed.has(e.action)) return [];
    placed.add(e.action);
    return [firstFold(e.action, g)];
  });
}

const cell = fc.oneof(
  fc.constantFrom(0, -0, 1, 2, NaN, Infinity, -Infinity, 1e21, 'a', 'b', '', '"', true, false, null, undefined),
  fc.integer({ min: -3, max: 3 }),
  fc.string({ maxLength: 3 }),
  fc.record({ x: fc.constantFrom(1, 'a', null) }),
);
const detail = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.dictionary(fc.constantFrom('version', 'how', 'to', 'pending', 'origin', 'n', 'each'), cell, { maxKeys: 3 }),
);
const entry: fc.Arbitrary<QueuedAuditEntry> = fc.record({
  action: fc.constantFrom('secret.add', 'secret.update', 'secret.accept', 'load'),
  target: fc.oneof(fc.constantFrom('app:env:A', 'app:env:B', 'bob'), fc.constant(null)),
  detail,
});

describe('folding per-secret audit entries', () => {
  it('gives what the first definition gives, for any entries', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 12 }), (entries) => {
        // JSON's text of both: what the audit log stores (its detail is written as JSON).
        expect(JSON.stringify(foldPerSecret(entries))).toBe(JSON.stringify(firstFoldPerSecret(entries)));
        expect(foldPerSecret(entries)).toEqual(firstFoldPerSecret(entries));
      }),
      { numRuns: 2000 },
    );
  });

  it('gives what the first definition gives where JSON writes different values alike (null, undefined, NaN, -0, Infinity)', () => {
    const pairs: unknown[][] = [[null, undefined], [undefined, null], [NaN, null], [null, NaN], [Infinity, -Infinity], [0, -0], [-0, 0], [undefined, undefined], [NaN, NaN], ['1', 1], [1, '1'], [{ x: 1 }, { x: 1 }]];
    for (const [a, b] of pairs) {
      const entries: QueuedAuditEntry[] = [a, b, a].map((v, i) => ({ action: 'secret.update', target: `app:env:K${i}`, detail: { version: v } }));
      expect(JSON.stringify(foldPerSecret(entries))).toBe(JSON.stringify(firstFoldPerSecret(entries)));
      expect(foldPerSecret(entries)).toEqual(firstFoldPerSecret(entries));
    }
  });

  it('folds a load of 1,000 updated values into one entry naming each, with their one version as shared', () => {
    const entries: QueuedAuditEntry[] = Array.from({ length: 1000 }, (_x, i) => ({ action: 'secret.update', target: `app:prod:K${i}`, detail: { version: 3 } }));
    const out = foldPerSecret(entries);
    expect(out).toEqual(firstFoldPerSecret(entries));
    expect(out).toHaveLength(1);
    expect(out[0]?.detail).toEqual({ version: 3, n: 1000, secrets: entries.map((e) => e.target) });
  });
});
