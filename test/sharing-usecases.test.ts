/**
 * The sharing use cases called in-process (no CLI, no process.stdout): export seals to each
 * recipient and records only what was delivered; load plans (authenticate, open, nothing
 * written), previews and applies in one transaction; backup and restore, all or nothing. Real vault files, real crypto.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { aliceAndBobVerified, thrownCode, tmpdir, vaultsClosedAfterEach } from './helpers.js';
import { parseFilter } from '../src/filter/index.js';
import { prepareExport, recordExport } from '../src/sharing/export.js';
import { decryptBackup } from '../src/sharing/backup.js';
import { applyLoad, planLoad, previewLoad } from '../src/sharing/load.js';
import { checkRestore, makeBackup, recordBackup, restoreInto, vaultFromBackup } from '../src/sharing/restore.js';
import { Vault } from '../src/vault/vault.js';
import { must } from './must.js';

const vault = vaultsClosedAfterEach();
const extra: Vault[] = [];
afterEach(() => {
  for (const v of extra.splice(0)) v.close();
});

/** alice and bob, each knowing the other (verified). */
function pair(): { alice: Vault; bob: Vault } {
  const alice = vault('alice');
  const bob = vault('bob');
  aliceAndBobVerified(alice, bob);
  return { alice, bob };
}

const f = (...texts: string[]) => texts.map((t) => parseFilter(t));

describe('export', () => {
  it('seals the selection to each recipient and writes nothing until the delivery is recorded', () => {
    const { alice } = pair();
    const carol = vault('carol');
    alice.addUser({ username: 'carol', publicKey: carol.publicKey });
    // A value long enough that a sealed bundle's random-looking text cannot hold it by chance
    // (a two-letter value appeared in about one bundle in ten).
    const value = 'prod-db-password-7Qx9-never-in-a-bundle';
    alice.set({ app: 'web', env: 'prod', key: 'DB', value });
    alice.set({ app: 'web', env: 'dev', key: 'DB', value: 'd1' });
    const plan = prepareExport(alice, { to: ['all'], filters: f('web:prod:'), destination: 'files' });
    expect(plan.items.map((i) => i.recipient.username).sort()).toEqual(['bob', 'carol']);
    expect(plan.records.map((r) => `${r.app}:${r.env}:${r.key}`)).toEqual(['web:prod:DB']);
    // carol was never verified: said, once, without any value.
    expect(plan.warnings).toEqual([expect.stringContaining("carol's key fingerprint was never verified")]);
    expect(plan.items.every((i) => !i.text.includes(value))).toBe(true);
    expect(alice.sharingRecords().shares).toEqual([]);
    recordExport(alice, plan, must(plan.items[0]));
    expect(alice.sharingRecords().shares.map((s) => s.username)).toEqual([must(plan.items[0]).recipient.username]);
  });

  it('refuses what cannot be delivered as asked, before sealing anything', () => {
    const { alice } = pair();
    alice.addUser({ username: 'carol', publicKey: vault('carol').publicKey });
    alice.set({ app: 'web', env: 'prod', key: 'DB', value: 'p1' });
    expect(thrownCode(() => prepareExport(alice, { to: ['all'], filters: f('::'), destination: 'stream' }))).toBe('E_USAGE');
    expect(thrownCode(() => prepareExport(alice, { to: ['bob'], filters: [], destination: 'stream' }))).toBe('E_USAGE');
    expect(thrownCode(() => prepareExport(alice, { to: ['bob'], filters: f('nope::'), destination: 'stream' }))).toBe('E_NOT_FOUND');
    expect(thrownCode(() => prepareExport(alice, { to: ['dave'], filters: f('::'), destination: 'stream' }))).toBe('E_UNKNOWN_USER');
    expect(thrownCode(() => prepareExport(alice, { to: ['bob'], filters: f('::'), serializer: 'xml', destination: 'stream' }))).toBe('E_USAGE');
  });
});

describe('load: plan, preview, apply', () => {
  it('a plan writes nothing; the preview says what would happen; apply does it in one go, new names pending', () => {
    const { alice, bob } = pair();
    alice.set({ app: 'web', env: 'prod', key: 'DB', value: 'new' });
    alice.set({ app: 'web', env: 'prod', key: 'API', value: 'k' });
    bob.set({ app: 'web', env: 'prod', key: 'DB', value: 'old' });
    const sent = must(prepareExport(alice, { to: ['bob'], filters: f('web:prod:'), destination: 'stream' }).items[0]);
    const plan = planLoad(bob, { text: sent.text }, { overwrite: false, force: false });
    expect(plan.sender.username).toBe('alice');
    expect(plan.format).toBe('bundle');
    expect(plan.bundleId).toBe(sent.bundleId);
    expect(plan.warnings).toEqual([]);
    expect(bob.lookup('web', 'prod', 'API')).toBeUndefined();
    const preview = previewLoad(bob, plan);
    expect(preview.outcomes.map((o) => `${o.key}:${o.outcome}`).sort()).toEqual(['API:added', 'DB:skipped']);
    expect(bob.lookup('web', 'prod', 'API')).toBeUndefined();
    expect(bob.bundleLoaded(sent.bundleId, alice.publicKey.toString('base64'))).toBe(false);
    const result = applyLoad(bob, plan);
    expect(result.summary).toMatchObject({ added: 1, skipped: 1 });
    expect(result.pending.map((r) => r.key)).toEqual(['API']);
    expect(bob.get('DB', { app: 'web', env: 'prod' })).toBe('old');
    expect(bob.get('API', { app: 'web', env: 'prod' })).toBe('k');
    // The same bundle again is a replay, refused at the plan; with force and overwrite it replaces.
    expect(thrownCode(() => planLoad(bob, { text: sent.text }, { overwrite: true, force: false }))).toBe('E_BUNDLE_REPLAY');
    const again = applyLoad(bob, planLoad(bob, { text: sent.text }, { overwrite: true, force: true }));
    expect(again.summary).toMatchObject({ updated: 1, unchanged: 1 });
    expect(bob.get('DB', { app: 'web', env: 'prod' })).toBe('new');
  });

  it('a load of more than 2,000 new names reads them back in one pass: the same pending records, in the order sent (issue 12)', () => {
    const { alice, bob } = pair();
    alice.setMany(Array.from({ length: 2_500 }, (_, i) => ({ app: `app${i % 3}`, env: 'prod', key: `K_${2_500 - i}`, value: `v${i}` })));
    bob.set({ app: 'app0', env: 'prod', key: 'K_2500', value: 'mine' }); // not added: skipped, not pending
    const sent = must(prepareExport(alice, { to: ['bob'], filters: f('::'), destination: 'stream' }).items[0]);
    const result = applyLoad(bob, planLoad(bob, { text: sent.text }, { overwrite: false, force: false }));
    expect(result.summary).toMatchObject({ added: 2_499, skipped: 1 });
    const added = result.summary.outcomes.filter((o) => o.outcome === 'added');
    expect(result.pending).toEqual(added.map((o) => bob.lookup(o.app, o.env, o.key)));
    expect(result.pending.every((r) => r.pending)).toBe(true);
  });

  it('a bundle for someone else, from someone unknown, or claiming another sender is refused at the plan', () => {
    const { alice, bob } = pair();
    const carol = vault('carol');
    alice.addUser({ username: 'carol', publicKey: carol.publicKey });
    alice.set({ app: 'a', env: 'e', key: 'K', value: 'v' });
    const toCarol = must(prepareExport(alice, { to: ['carol'], filters: f('::'), destination: 'stream' }).items[0]);
    expect(thrownCode(() => planLoad(bob, { text: toCarol.text }, { overwrite: false, force: false }))).toMatch(/^E_BUNDLE_/);
    const toBob = must(prepareExport(alice, { to: ['bob'], filters: f('::'), destination: 'stream' }).items[0]);
    expect(thrownCode(() => planLoad(bob, { text: toBob.text, sender: 'carol' }, { overwrite: false, force: false }))).toBe('E_BUNDLE_AUTH');
    const stranger = vault('dave');
    stranger.addUser({ username: 'bob', publicKey: bob.publicKey });
    stranger.set({ app: 'a', env: 'e', key: 'K', value: 'v' });
    const fromDave = must(prepareExport(stranger, { to: ['bob'], filters: f('::'), destination: 'stream' }).items[0]);
    expect(thrownCode(() => planLoad(bob, { text: fromDave.text }, { overwrite: false, force: false }))).toBe('E_UNKNOWN_USER');
    // One character of the sealed payload changed (the last base64 run in the text).
    const at = toBob.text.search(/[A-Za-z0-9+/]{40}[^A-Za-z0-9+/]*$/) + 20;
    const flipped = `${toBob.text.slice(0, at)}${toBob.text[at] === 'A' ? 'B' : 'A'}${toBob.text.slice(at + 1)}`;
    expect(thrownCode(() => planLoad(bob, { text: flipped }, { overwrite: false, force: false }))).toMatch(/^E_(BUNDLE_|DECRYPT)/);
    expect(bob.count()).toBe(0);
  });

  it("the old tool's formats load with a warning that they authenticate less", () => {
    const { alice, bob } = pair();
    alice.set({ app: 'a', env: 'e', key: 'K', value: 'v' });
    for (const serializer of ['json-crypt', 'command'] as const) {
      const item = must(prepareExport(alice, { to: ['bob'], filters: f('::'), serializer, destination: 'stream' }).items[0]);
      const plan = planLoad(bob, { text: item.text }, { overwrite: true, force: true });
      expect(plan.format).toBe(serializer);
      expect(plan.warnings.some((w) => w.includes(`the ${serializer} format does not authenticate names`))).toBe(true);
      applyLoad(bob, plan);
      expect(bob.get('K', { app: 'a', env: 'e' })).toBe('v');
    }
  });
});

describe('backup and restore', () => {
  it('a backup restores into a new vault with the same keys; into another vault its names start pending', async () => {
    const { alice, bob } = pair();
    alice.set({ app: 'web', env: 'prod', key: 'DB', value: 'p1' });
    alice.set({ app: 'web', env: 'prod', key: 'DB', value: 'p2' }, { replace: true });
    const made = await makeBackup(alice, { passphrase: 'correct horse battery', includeKeys: true, armor: false, logN: 10 });
    expect(alice.auditLog().some((e) => e.action === 'backup')).toBe(false); // recorded only once delivered
    recordBackup(alice, made, { target: 'b.age', html: false });
    expect(alice.auditLog().filter((e) => e.action === 'backup').map((e) => e.target)).toEqual(['b.age']);
    const dump = await decryptBackup(made.bytes, 'correct horse battery');
    checkRestore(dump, true);
    const fresh = Vault.create({ dir: path.join(tmpdir(), 'fresh'), ...vaultFromBackup(dump) });
    extra.push(fresh);
    const r = restoreInto(fresh, dump, { created: true, overwrite: false, source: 'b.age' });
    expect(r.sameKeys).toBe(true);
    expect(r.usersAdded).toEqual(['bob']);
    expect(fresh.get('DB', { app: 'web', env: 'prod' })).toBe('p2');
    expect(fresh.history(must(fresh.lookup('web', 'prod', 'DB')))).toEqual(alice.history(must(alice.lookup('web', 'prod', 'DB'))));
    expect(fresh.verifyAudit().problem).toBeNull();
    // alice's backup restored into bob's vault: her names are someone else's choice there.
    const into = restoreInto(bob, dump, { created: false, overwrite: false, source: 'b.age' });
    expect(into.sameKeys).toBe(false);
    expect(bob.lookup('web', 'prod', 'DB')?.pending).toBe(true);
  });

  it('checkRestore refuses a bad entry before any vault exists', async () => {
    const alice = vault('alice');
    alice.set({ app: 'a', env: 'e', key: 'K', value: 'v' });
    const dump = await decryptBackup((await makeBackup(alice, { passphrase: 'correct horse battery', includeKeys: false, armor: true, logN: 10 })).bytes, 'correct horse battery');
    expect(vaultFromBackup(dump).identitySecretKey).toBeUndefined();
    const bad = { ...dump, secrets: dump.secrets.map((s) => ({ ...s, key: 'A:B' })) };
    expect(thrownCode(() => { checkRestore(bad, true); })).toBe('E_INVALID_NAME');
    const badOwner = { ...dump, owner: { ...dump.owner, username: '../x' } };
    expect(thrownCode(() => { checkRestore(badOwner, true); })).toBe('E_USAGE');
    checkRestore(badOwner, false); // the owner of an existing vault is not taken from the backup
  });
});
