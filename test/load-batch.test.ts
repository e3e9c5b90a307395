/**
 * A load written in one pass (issue 14, relay performance): row ids read once per write, each
 * row written once with its MAC (new secrets, history rows, replaced values, share records), the
 * added records handed back instead of read again, and `--accept` applied in the load's own
 * transaction. What must not change: the rows and MACs are exactly those the triggers would have
 * made (the vault checks out), the share records carry each secret's version, the audit says what
 * happened, and a row changed outside seeqret is still refused before it is written again. Real
 * vaults, real bundles, real crypto; fast-check over sequences of loads.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aliceAndBobVerified, rawDatabase, thrownCode, vaultsClosedAfterEach } from './helpers.js';
import { sendBundle } from './export-helpers.js';
import { must } from './must.js';
import { parseFilter } from '../src/filter/index.js';
import { prepareExport, recordExport } from '../src/sharing/export.js';
import { applyLoad, planLoad } from '../src/sharing/load.js';
import { loadJson, settleNewNames } from '../src/sharing/received.js';
import { vaultDatabase } from '../src/vault/internal.js';
import type { Vault } from '../src/vault/vault.js';

const vault = vaultsClosedAfterEach();

/** alice and bob, who know and verified each other; `send` seals alice's web:prod: to bob. */
function pair(): { alice: Vault; bob: Vault; send: () => string } {
  const alice = vault('alice');
  const bob = vault('bob');
  aliceAndBobVerified(alice, bob);
  const send = (): string => sendBundle(alice, 'bob', 'web:prod:');
  return { alice, bob, send };
}

const names = (n: number, round: number): Array<{ app: string; env: string; key: string; value: string }> =>
  Array.from({ length: n }, (_x, i) => ({ app: 'web', env: 'prod', key: `K${String(i)}`, value: `round ${String(round)} value ${String(i)}` }));

function load(bob: Vault, text: string, o: { overwrite?: boolean; accept?: boolean } = {}): ReturnType<typeof applyLoad> {
  return applyLoad(bob, planLoad(bob, { text, serializer: 'bundle' }, { overwrite: o.overwrite ?? false, force: false, accept: o.accept }));
}

/** bob's share records of the names alice sent: name → versions recorded, oldest first. */
function shareVersions(bob: Vault): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const s of bob.sharingRecords().shares.filter((x) => x.username === 'alice')) {
    const k = `${s.app}:${s.env}:${s.key}`;
    out.set(k, [...(out.get(k) ?? []), s.version]);
  }
  return out;
}

describe('a load written in one pass', () => {
  it('adds, updates and keeps unchanged values with rows the vault authenticates, share records at each version, and history readable', () => {
    const { alice, bob, send } = pair();
    alice.setMany(names(300, 1));
    const first = load(bob, send());
    expect(first.summary).toMatchObject({ added: 300, updated: 0, unchanged: 0 });
    // The records handed back are the ones stored.
    expect(first.pending).toHaveLength(300);
    expect(first.accepted).toEqual([]);
    for (const r of first.pending.slice(0, 20)) expect(bob.lookup(r.app, r.env, r.key)).toEqual(r);

    alice.setMany(names(300, 2), { update: true });
    const second = load(bob, send(), { overwrite: true });
    expect(second.summary).toMatchObject({ added: 0, updated: 300 });
    const third = load(bob, send(), { overwrite: true });
    expect(third.summary).toMatchObject({ unchanged: 300 });

    expect(bob.integrityProblems()).toEqual([]);
    const k7 = must(bob.lookup('web', 'prod', 'K7'));
    expect(k7.version).toBe(2);
    expect(bob.reveal(k7)).toBe('round 2 value 7');
    expect(bob.revealVersion(k7, 1)).toBe('round 1 value 7');
    // One share record per load and name, at the version the name had after that load.
    const shares = shareVersions(bob);
    expect(shares.size).toBe(300);
    for (const v of shares.values()) expect(v).toEqual([1, 2, 2]);
    // The vault's own checks before a load or an export still pass.
    expect(() => {
      bob.checkIntegrity(['users', 'secrets', 'secret_history', 'shares', 'loaded_bundles']);
    }).not.toThrow();
  });

  it('--accept adds the new names accepted in the same transaction: none pending, audited as accepted, reported as accepted', async () => {
    const { alice, bob, send } = pair();
    alice.setMany([...names(5, 1), { app: 'web', env: 'prod', key: 'NODE_OPTIONS', value: '--x' }]);
    const r = load(bob, send(), { accept: true });
    expect(r.pending).toEqual([]);
    expect(r.accepted.map((x) => x.key).sort()).toEqual(['K0', 'K1', 'K2', 'K3', 'K4', 'NODE_OPTIONS']);
    expect(r.accepted.every((x) => !x.pending)).toBe(true);
    expect(bob.pendingNames()).toEqual([]);
    expect(bob.find([parseFilter('web:prod:')]).every((x) => !x.pending)).toBe(true);
    expect(bob.integrityProblems()).toEqual([]);
    // The audit says the names arrived from alice and were accepted.
    const log = bob.auditLog();
    const added = must(log.find((e) => e.action === 'secret.add'));
    const accepted = must(log.find((e) => e.action === 'secret.accept'));
    expect(JSON.parse(added.detail ?? 'null')).toMatchObject({ n: 6, origin: 'load from alice', pending: true });
    expect(JSON.parse(accepted.detail ?? 'null')).toMatchObject({ n: 6, how: 'accept' });
    expect(added.id).toBeLessThan(accepted.id);
    // settleNewNames says so (and warns about the code-loading variable), asks nothing, accepts nothing more.
    const lines: string[] = [];
    const said = await settleNewNames(bob, r, { accept: false, ask: () => Promise.reject(new Error('asked')) }, { info: (l) => lines.push(l), warn: (l) => lines.push(`warn: ${l}`) }, (...w) => w.join(' '));
    expect(said).toBe(true);
    expect(lines).toEqual(['warn: web:prod:NODE_OPTIONS is a variable that make programs load or run code: never exported through a filter, even once accepted', 'Accepted 6 names from alice.']);
    expect(loadJson(r, said)).toMatchObject({ pending: [], accepted: r.accepted.map((x) => `${x.app}:${x.env}:${x.key}`) });
    // Names already here keep their state: a pending one is not accepted by a later --accept.
    const pendingFirst = load(bob, (alice.set({ app: 'web', env: 'prod', key: 'LATER', value: 'l' }), send()), { accept: false });
    expect(pendingFirst.pending.map((x) => x.key)).toEqual(['LATER']);
    alice.setMany([{ app: 'web', env: 'prod', key: 'LATER', value: 'l2' }], { update: true });
    const again = load(bob, send(), { overwrite: true, accept: true });
    expect(again.accepted).toEqual([]);
    expect(must(bob.lookup('web', 'prod', 'LATER')).pending).toBe(true);
  });

  it('a replaced value is no longer exposed, and the rewritten row still authenticates', () => {
    const { alice, bob, send } = pair();
    alice.setMany(names(3, 1));
    load(bob, send(), { accept: true });
    // bob passes K0 to carol, then removes carol: K0 is exposed.
    const carol = vault('carol');
    bob.addUser({ username: 'carol', publicKey: carol.publicKey });
    sendBundle(bob, 'carol', 'web:prod:K0');
    bob.removeUser('carol');
    expect(must(bob.lookup('web', 'prod', 'K0')).exposedBy).toBe('carol');
    alice.setMany(names(3, 2), { update: true });
    load(bob, send(), { overwrite: true });
    const k0 = must(bob.lookup('web', 'prod', 'K0'));
    expect([k0.version, k0.exposedAt, k0.exposedBy]).toEqual([2, null, null]);
    expect(bob.integrityProblems()).toEqual([]);
  });

  it('a row changed outside seeqret is refused before a load writes it again; nothing of the load is kept', () => {
    const { alice, bob, send } = pair();
    alice.setMany(names(4, 1));
    load(bob, send(), { accept: true });
    const before = bob.sharingRecords().shares.length;
    // Someone with write access to vault.db (no key, so no MAC) blames K2's exposure on someone.
    rawDatabase(bob.dir, (db) => db.prepare("UPDATE secrets SET exposed_by = 'mallory', exposed_at = 1 WHERE key = 'K2'").run());
    alice.setMany(names(4, 2), { update: true });
    expect(thrownCode(() => load(bob, send(), { overwrite: true }))).toBe('E_TAMPERED');
    expect(bob.sharingRecords().shares.length).toBe(before);
    expect(bob.reveal(must(bob.lookup('web', 'prod', 'K1')))).toBe('round 1 value 1');
  });

  it('an UPDATE that brings a MAC seeqret did not compute for it is refused', () => {
    const { alice, bob, send } = pair();
    alice.setMany(names(2, 1));
    load(bob, send(), { accept: true }); // the write installed the connection's triggers
    const db = vaultDatabase(bob);
    expect(() => db.prepare("UPDATE main.secrets SET type = 'text', mac = randomblob(32) WHERE key = 'K1'").run()).toThrow(/MAC seeqret did not compute/);
    expect(bob.integrityProblems()).toEqual([]);
  });

  it('share records written in one batch must read back with exactly the MACs computed for them; the INSERT check is back on after the batch', () => {
    const { alice, bob, send } = pair();
    alice.setMany(names(3, 1));
    load(bob, send(), { accept: true }); // the write installed the connection's triggers
    const db = vaultDatabase(bob);
    const before = bob.sharingRecords().shares.length;
    // A row stored otherwise than the batch computed it (here: changed right after its INSERT;
    // the UPDATE re-MACs it, so only the batch's read-back can tell): the whole load is refused.
    db.exec('CREATE TEMP TRIGGER test_shift AFTER INSERT ON main.shares BEGIN UPDATE main.shares SET version = NEW.version + 1 WHERE id = NEW.id; END;');
    alice.setMany(names(3, 2), { update: true });
    expect(() => load(bob, send(), { overwrite: true })).toThrow(/shares were inserted with MACs seeqret did not compute/);
    db.exec('DROP TRIGGER temp.test_shift');
    expect(bob.sharingRecords().shares.length).toBe(before);
    expect(bob.reveal(must(bob.lookup('web', 'prod', 'K1')))).toBe('round 1 value 1');
    // The batch's INSERT triggers are back: a row with a MAC seeqret did not compute is refused again.
    expect(() =>
      db.prepare("INSERT INTO main.shares (id, bundle_id, username, pubkey, app, env, key, version, at, mac) VALUES (9999, 'b', 'x', 'k', 'a', 'e', 'K', 1, 1, randomblob(32))").run(),
    ).toThrow(/MAC seeqret did not compute/);
    load(bob, send(), { overwrite: true });
    expect(bob.reveal(must(bob.lookup('web', 'prod', 'K1')))).toBe('round 2 value 1');
    expect(bob.integrityProblems()).toEqual([]);
  });

  it('a batch of share records with a row more than it wrote is refused, on the load side and on the export side', () => {
    const { alice, bob, send } = pair();
    alice.setMany(names(3, 1));
    load(bob, send(), { accept: true });
    // An extra row with a foreign MAC slipped in while the batch's INSERT check is off: the
    // read-back counts the rows from the batch's first id, so the whole load is refused.
    const extra = "CREATE TEMP TRIGGER test_extra AFTER INSERT ON main.shares WHEN NEW.key = 'K0' BEGIN INSERT INTO main.shares (id, bundle_id, username, pubkey, app, env, key, version, at, mac) VALUES (NEW.id + 1000000, 'forged', 'mallory', 'k', 'web', 'prod', 'K9', 1, 1, randomblob(32)); END;";
    const bobDb = vaultDatabase(bob);
    bobDb.exec(extra);
    alice.setMany(names(3, 2), { update: true });
    const before = bob.sharingRecords().shares.length;
    expect(() => load(bob, send(), { overwrite: true })).toThrow(/shares were inserted with MACs seeqret did not compute/);
    bobDb.exec('DROP TRIGGER temp.test_extra');
    expect(bob.sharingRecords().shares.length).toBe(before);
    expect(bob.reveal(must(bob.lookup('web', 'prod', 'K0')))).toBe('round 1 value 0');
    // The same on the sender's side: recording an export is refused and records nothing.
    const aliceDb = vaultDatabase(alice);
    const sent = alice.sharingRecords().shares.length;
    aliceDb.exec(extra);
    expect(() => send()).toThrow(/shares were inserted with MACs seeqret did not compute/);
    aliceDb.exec('DROP TRIGGER temp.test_extra');
    expect(alice.sharingRecords().shares.length).toBe(sent);
    expect(alice.integrityProblems()).toEqual([]);
    expect(bob.integrityProblems()).toEqual([]);
  });

  it('any sequence of loads (random names, values, --overwrite, --accept) leaves what a name-by-name model says, and a vault that checks out', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            values: fc.dictionary(fc.constantFrom('A', 'B', 'C', 'D', 'E', 'F'), fc.string({ minLength: 1, maxLength: 12 }), { minKeys: 1 }),
            overwrite: fc.boolean(),
            accept: fc.boolean(),
          }),
          { minLength: 1, maxLength: 4 },
        ),
        (rounds) => {
          const { alice, bob } = pair();
          const model = new Map<string, { value: string; version: number; pending: boolean }>();
          for (const [i, round] of rounds.entries()) {
            const entries = Object.entries(round.values).map(([key, value]) => ({ app: `a${String(i)}`, env: 'prod', key, value }));
            // The same names each round in app "web", and new ones in a fresh app.
            const sent = [...entries, ...entries.map((e) => ({ ...e, app: 'web' }))];
            alice.setMany(sent, { update: true });
            const plan = prepareExport(alice, { to: ['bob'], filters: sent.map((e) => parseFilter(`${e.app}:${e.env}:${e.key}`)), destination: 'files' });
            const r = load(bob, must(plan.items[0]).text, { overwrite: round.overwrite, accept: round.accept });
            for (const e of sent) {
              const k = `${e.app}:${e.env}:${e.key}`;
              const m = model.get(k);
              if (!m) model.set(k, { value: e.value, version: 1, pending: !round.accept });
              else if (m.value !== e.value && round.overwrite) model.set(k, { ...m, value: e.value, version: m.version + 1 });
            }
            expect(r.accepted.length + r.pending.length).toBe(r.summary.added);
          }
          for (const [k, m] of model) {
            const [app = '', env = '', key = ''] = k.split(':');
            const rec = must(bob.lookup(app, env, key));
            expect({ value: bob.reveal(rec), version: rec.version, pending: rec.pending }).toEqual(m);
          }
          expect(bob.integrityProblems()).toEqual([]);
          alice.close();
          bob.close();
        },
      ),
      { numRuns: 12 },
    );
  });

  it("a push's share records (several recipients, one transaction) go in with their MACs: the vault checks out and knows who holds what", () => {
    const { alice, bob } = pair();
    const carol = vault('carol');
    alice.addUser({ username: 'carol', publicKey: carol.publicKey });
    alice.setMany(names(50, 1));
    const plan = prepareExport(alice, { to: ['bob', 'carol'], filters: [parseFilter('web:prod:')], destination: 'files' });
    alice.atomically(() => {
      for (const item of plan.items) recordExport(alice, plan, item);
    });
    expect(alice.integrityProblems()).toEqual([]);
    const held = alice.heldVersions();
    expect(held.filter((h) => h.username === 'bob')).toHaveLength(50);
    expect(held.filter((h) => h.username === 'carol')).toHaveLength(50);
    expect(alice.auditLog({ action: 'export' }).map((e) => e.target)).toEqual(['bob', 'carol']);
    // Removing carol exposes exactly what she was sent.
    alice.removeUser('carol');
    expect(alice.exposed()).toHaveLength(50);
    expect(bob.integrityProblems()).toEqual([]);
  });
});
