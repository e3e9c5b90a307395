/**
 * The `seeqret audit` use cases called in-process on a real vault in a temp folder: rows,
 * verifying the chain, and compacting with `--keep` / `--before`.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SeeqretError } from '../src/errors.js';
import { auditRows, compactAuditLog, compactSelection, parseSince, verifyAuditLog } from '../src/vault/audit-report.js';
import { Vault } from '../src/vault/vault.js';
import { tmpdir } from './helpers.js';

const open: Vault[] = [];
afterEach(() => {
  for (const v of open.splice(0)) v.close();
});

function vault(): Vault {
  const v = Vault.create({ dir: path.join(tmpdir(), 'vault'), username: 'me', email: 'me@example.com' });
  open.push(v);
  for (const key of ['A', 'B', 'C']) v.set({ app: 'app', env: 'dev', key, value: `${key}-value` });
  return v;
}

function notes(): { info: (l: string) => void; warn: (l: string) => void; lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (l) => lines.push(l), warn: (l) => lines.push(`warn ${l}`) };
}

describe('audit use cases', () => {
  it('parses dates and durations for --since', () => {
    expect(parseSince('2d', 10 * 8.64e7)).toBe(8 * 8.64e7);
    expect(parseSince('2026-01-31T00:00:00Z')).toBe(Date.UTC(2026, 0, 31));
    expect(() => parseSince('soon')).toThrow(SeeqretError);
  });

  it('lists entries as rows: structured keeps null targets, text makes them empty', () => {
    const v = vault();
    const text = auditRows(v, { action: 'secret.add' }, false);
    expect(text.map((r) => r.target)).toEqual(['app:dev:A', 'app:dev:B', 'app:dev:C']);
    const all = auditRows(v, {}, true);
    const created = all.find((r) => r.action === 'vault.create');
    expect(created?.time).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(auditRows(v, { since: '1d' }, true)).toHaveLength(all.length);
    expect(auditRows(v, { since: '2000-01-01', user: 'nobody-else' }, true).length).toBeLessThan(all.length);
  });

  it('verifies the chain and compacts with --keep, saying so through notes', () => {
    const v = vault();
    const n = notes();
    const before = verifyAuditLog(v, n);
    expect(before.intact).toBe(true);
    expect(n.lines[0]).toContain(`${before.entries} entries are intact`);
    const r = compactAuditLog(v, compactSelection({ keep: '1' }), n);
    expect(r.folded).toBe(before.entries - 1);
    expect(r.remaining).toBe(2);
    expect(r.checkpoint?.entries).toBe(before.entries - 1);
    expect(n.lines[1]).toMatch(/^Folded \d+ entries/);
    expect(verifyAuditLog(v, n).folded).toBe(before.entries - 1);
    const none = compactAuditLog(v, compactSelection({}), n);
    expect(none).toEqual({ folded: 0, remaining: 2, checkpoint: null });
    expect(n.lines.at(-1)).toMatch(/^Nothing to compact: no entry is older than/);
  });

  it('refuses --before with --keep and a --keep that is no number', () => {
    expect(() => compactSelection({ before: '1d', keep: '3' })).toThrow(expect.objectContaining({ code: 'E_USAGE' }) as SeeqretError);
    expect(() => compactSelection({ keep: 'many' })).toThrow(expect.objectContaining({ code: 'E_USAGE' }) as SeeqretError);
    expect(compactSelection({ before: '1d' }, 2 * 8.64e7)).toEqual({ before: 8.64e7 });
  });
});
