/**
 * A bulk write's replaced values checked without a trigger call per row (decision 81): the old
 * row is checked against its MAC by the writer, from the row it just read in the transaction;
 * the new MACs are read back once after the last UPDATE and must be exactly the ones computed;
 * the old values' history rows go in as one batch. What must hold: a row stored otherwise than
 * computed refuses the whole write, the UPDATE check is back on after the batch, a name written
 * twice in one write and a pending name typed again leave a vault that checks out. Real vaults,
 * real bundles, real crypto.
 */
import { describe, expect, it } from 'vitest';
import { aliceAndBobVerified, rawDatabase, thrownCode, vaultsClosedAfterEach } from './helpers.js';
import { sendBundle } from './export-helpers.js';
import { must } from './must.js';
import { applyLoad, planLoad } from '../src/sharing/load.js';
import { vaultDatabase } from '../src/vault/internal.js';
import type { Vault } from '../src/vault/vault.js';

const vault = vaultsClosedAfterEach();

function pair(): { alice: Vault; bob: Vault; send: () => string } {
  const alice = vault('alice');
  const bob = vault('bob');
  aliceAndBobVerified(alice, bob);
  return { alice, bob, send: () => sendBundle(alice, 'bob', 'web:prod:') };
}

const names = (n: number, round: number): Array<{ app: string; env: string; key: string; value: string }> =>
  Array.from({ length: n }, (_x, i) => ({ app: 'web', env: 'prod', key: `K${String(i)}`, value: `round ${String(round)} value ${String(i)}` }));

/** Every version of web:prod:KEY in `v` (history lists the current one too) with its value, oldest first. */
function versions(v: Vault, key: string): Array<[number, string]> {
  const r = must(v.lookup('web', 'prod', key));
  return v
    .history(r)
    .map((h): [number, string] => [h.version, v.revealVersion(r, h.version)])
    .sort((a, b) => a[0] - b[0]);
}

function load(bob: Vault, text: string, o: { overwrite?: boolean; accept?: boolean } = {}): ReturnType<typeof applyLoad> {
  return applyLoad(bob, planLoad(bob, { text, serializer: 'bundle' }, { overwrite: o.overwrite ?? false, force: false, accept: o.accept }));
}

/** alice's `n` names loaded by bob (accepted), then changed by alice: `send` seals the change. */
function loadedThenChanged(n: number): { alice: Vault; bob: Vault; send: () => string } {
  const p = pair();
  p.alice.setMany(names(n, 1));
  load(p.bob, p.send(), { accept: true });
  p.alice.setMany(names(n, 2), { update: true });
  return p;
}

describe('replaced values in one batch', () => {
  it('replaces every value with its history and MACs as the triggers would: the vault checks out, the old values are in history', () => {
    const { bob, send } = loadedThenChanged(40);
    expect(load(bob, send(), { overwrite: true }).summary.updated).toBe(40);
    for (let i = 0; i < 40; i++) {
      const rec = must(bob.lookup('web', 'prod', `K${String(i)}`));
      expect([bob.reveal(rec), rec.version]).toEqual([`round 2 value ${String(i)}`, 2]);
    }
    expect(versions(bob, 'K7')).toEqual([
      [1, 'round 1 value 7'],
      [2, 'round 2 value 7'],
    ]);
    expect(bob.integrityProblems()).toEqual([]);
  });

  it('a replaced row stored otherwise than the batch computed it refuses the whole load; the UPDATE check is back on after it', () => {
    const { bob, send } = loadedThenChanged(3);
    const db = vaultDatabase(bob);
    const records = bob.sharingRecords().shares.length;
    // Changed right after its UPDATE (re-MACed by the trigger of an UPDATE without a MAC, so only
    // the batch's read-back can tell that the stored MAC is not the one computed).
    db.exec("CREATE TEMP TRIGGER test_shift AFTER UPDATE OF value ON main.secrets WHEN NEW.key = 'K1' BEGIN UPDATE main.secrets SET type = 'text' WHERE id = NEW.id; END;");
    try {
      expect(() => load(bob, send(), { overwrite: true })).toThrow(/secrets were replaced with MACs seeqret did not compute/);
    } finally {
      db.exec('DROP TRIGGER temp.test_shift');
    }
    // Nothing of that load was kept: no value, no history row, no share record.
    expect([versions(bob, 'K0'), bob.sharingRecords().shares.length]).toEqual([[[1, 'round 1 value 0']], records]);
    // The batch's flag went with it: an UPDATE with a MAC seeqret did not compute is refused again.
    expect(() => db.prepare("UPDATE main.secrets SET type = 'text', mac = randomblob(32) WHERE key = 'K1'").run()).toThrow(/MAC seeqret did not compute/);
    load(bob, send(), { overwrite: true });
    expect(versions(bob, 'K1').at(-1)).toEqual([2, 'round 2 value 1']);
    expect(bob.integrityProblems()).toEqual([]);
  });

  it('a row changed outside seeqret is refused by the batch, naming it; nothing is written', () => {
    const { bob, send } = loadedThenChanged(3);
    rawDatabase(bob.dir, (db) => db.prepare("UPDATE secrets SET updated_at = updated_at + 1 WHERE key = 'K2'").run());
    const text = send();
    expect(thrownCode(() => load(bob, text, { overwrite: true }))).toBe('E_TAMPERED');
    expect(() => load(bob, text, { overwrite: true })).toThrow(/web:prod:K2/);
    expect(versions(bob, 'K0')).toEqual([[1, 'round 1 value 0']]);
  });

  it('the same name twice in one write: both older values are kept in history, and the vault checks out', () => {
    const bob = vault('bob');
    const k = (value: string): { app: string; env: string; key: string; value: string } => ({ app: 'web', env: 'prod', key: 'K', value });
    bob.setMany([k('one')]);
    expect(bob.setMany([k('two'), k('three')], { update: true }).updated).toBe(2);
    expect(versions(bob, 'K')).toEqual([
      [1, 'one'],
      [2, 'two'],
      [3, 'three'],
    ]);
    expect(bob.integrityProblems()).toEqual([]);
  });

  it('a received name still pending, typed again in a bulk write: accepted and replaced in one transaction, and the vault checks out', () => {
    const { alice, bob, send } = pair();
    alice.setMany(names(2, 1));
    load(bob, send());
    expect(must(bob.lookup('web', 'prod', 'K0')).pending).toBe(true);
    bob.setMany([{ app: 'web', env: 'prod', key: 'K0', value: 'mine now' }], { update: true });
    const k0 = must(bob.lookup('web', 'prod', 'K0'));
    expect([bob.reveal(k0), k0.version, k0.pending]).toEqual(['mine now', 2, false]);
    expect(bob.integrityProblems()).toEqual([]);
  });

  it("after a batch, the tables' INSERT triggers are back: a row with a foreign MAC is refused, a row without one gets its MAC", () => {
    const { bob, send } = loadedThenChanged(20);
    load(bob, send(), { overwrite: true }); // share records and history rows went in as batches
    const db = vaultDatabase(bob);
    const k0 = must(bob.lookup('web', 'prod', 'K0'));
    expect(() =>
      db.prepare("INSERT INTO main.shares (id, bundle_id, username, pubkey, app, env, key, version, at, mac) VALUES (99999, 'b', 'x', 'k', 'a', 'e', 'K', 1, 1, randomblob(32))").run(),
    ).toThrow(/MAC seeqret did not compute/);
    expect(() =>
      db.prepare('INSERT INTO main.secret_history (id, secret_id, version, value, type, set_at, replaced_at, mac) VALUES (99999, ?, 99, x\'00\', \'str\', 1, 1, randomblob(32))').run(k0.id),
    ).toThrow(/MAC seeqret did not compute/);
    bob.atomically(() => {
      db.prepare("INSERT INTO main.shares (id, bundle_id, username, pubkey, app, env, key, version, at) VALUES (99999, 'b', 'alice', 'k', 'web', 'prod', 'K0', 1, 1)").run();
    });
    expect(bob.integrityProblems()).toEqual([]);
  });
});
