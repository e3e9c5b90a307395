/**
 * A push records all its deliveries in one batch of share records (decision 89:
 * `recordExports`): the same rows, MACs and `export` audit entries as one `recordExport` per
 * recipient, one transaction, and the share records stay checked — a row changed afterwards is
 * found by `doctor`, one deleted by the aggregate check of every reader. Real vault files.
 */
import { describe, expect, it } from 'vitest';
import { rawDatabase, thrownCode, vaultsClosedAfterEach } from './helpers.js';
import { parseFilter } from '../src/filter/index.js';
import { prepareExport, recordExport, recordExports } from '../src/sharing/export.js';
import { Vault } from '../src/vault/vault.js';

const vault = vaultsClosedAfterEach();

/** A sender who knows bob, carol and dave, with 30 secrets. */
function sender(name: string): Vault {
  const v = vault(name);
  for (const u of ['bob', 'carol', 'dave']) v.addUser({ username: u, publicKey: vault(u).publicKey });
  v.setMany(Array.from({ length: 30 }, (_x, i) => ({ app: 'web', env: i % 2 ? 'prod' : 'dev', key: `K${i}`, value: `v${i}` })));
  return v;
}

const plan = (v: Vault) => prepareExport(v, { to: ['bob,carol,dave'], filters: [parseFilter('web::')], destination: 'files' });

describe('recordExports', () => {
  it('writes what one recordExport per delivery writes: rows, their order, and one export entry each', () => {
    const one = sender('alice');
    const many = sender('erin');
    const p1 = plan(one);
    const p2 = plan(many);
    for (const item of p1.items) recordExport(one, p1, item);
    recordExports(many, p2, p2.items);
    const rows = (v: Vault, p: typeof p1) => {
      const ids = new Map(p.items.map((i, n) => [i.bundleId, n]));
      return v.sharingRecords().shares.map(({ bundleId, at: _at, ...r }) => ({ ...r, bundle: ids.get(bundleId) }));
    };
    expect(rows(many, p2)).toHaveLength(90);
    expect(rows(many, p2).map(({ pubkey: _p, ...r }) => r)).toEqual(rows(one, p1).map(({ pubkey: _p, ...r }) => r));
    const exports = (v: Vault, p: typeof p1) =>
      v.auditLog({ action: 'export' }).map((e) => {
        const d = JSON.parse(e.detail ?? '{}') as { bundle: string };
        return { target: e.target, detail: { ...d, bundle: p.items.findIndex((i) => i.bundleId === d.bundle) } };
      });
    expect(exports(many, p2)).toEqual(exports(one, p1));
    expect(exports(many, p2).map((e) => e.target)).toEqual(['bob', 'carol', 'dave']);
    expect(many.integrityProblems()).toEqual([]);
    expect(many.heldVersions()).toHaveLength(90);
  });

  it('records nothing for no delivery, and a batch row changed afterwards is found by doctor, and one deleted by every reader', () => {
    const v = sender('alice');
    const p = plan(v);
    recordExports(v, p, []);
    expect(v.sharingRecords().shares).toEqual([]);
    recordExports(v, p, p.items);
    expect(v.integrityProblems()).toEqual([]);
    const dir = v.dir;
    v.close();
    // Changed outside seeqret: the last row of the batch names a newer version than was sent.
    rawDatabase(dir, (db) => db.exec('UPDATE shares SET version = version + 1 WHERE id = (SELECT max(id) FROM shares)'));
    const after = Vault.open({ dir });
    try {
      // doctor recomputes every row's MAC; the aggregate (the MACs' sum) is unchanged by this.
      expect(after.integrityProblems().join('\n')).toContain('was shared with dave');
    } finally {
      after.close();
    }
    // A batch row deleted outside seeqret: the aggregate check of every reader refuses.
    rawDatabase(dir, (db) => db.exec('DELETE FROM shares WHERE id = (SELECT min(id) FROM shares)'));
    const deleted = Vault.open({ dir });
    try {
      expect(thrownCode(() => deleted.heldVersions())).toBe('E_TAMPERED');
    } finally {
      deleted.close();
    }
  });
});
