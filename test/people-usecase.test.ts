/**
 * The people use cases called in-process: verifying a key fingerprint (given digits, or the
 * injected question), adding a user, and removing one (asked first; what they received comes
 * back, with the still-current values exposed). Real vaults, real crypto.
 */
import { describe, expect, it } from 'vitest';
import { vaultsClosedAfterEach } from './helpers.js';
import { sendBundle } from './export-helpers.js';
import { addPerson, removePerson, userFingerprint, verifyUserKey } from '../src/sharing/people.js';

const vault = vaultsClosedAfterEach();

function notes(lines: string[]) {
  return { info: (l: string) => lines.push(l), warn: (l: string) => lines.push(`warn: ${l}`) };
}

describe('people use cases', () => {
  it('adds a user and verifies their key by the digits they read, or by asking', async () => {
    const alice = vault('alice');
    const bob = vault('bob');
    const lines: string[] = [];
    addPerson(alice, { username: 'bob', email: null, name: 'Bob', publicKey: Buffer.from(bob.publicKey), replace: false }, notes(lines));
    const fp = userFingerprint(alice.user('bob'));
    expect(lines).toEqual([`Added user bob. Fingerprint: ${fp}`, 'Compare it with bob on a call, then run: seeqret users verify bob']);
    await expect(verifyUserKey(alice, 'bob', { given: '0000' }, notes([]))).rejects.toMatchObject({ code: 'E_FINGERPRINT_MISMATCH' });
    await expect(verifyUserKey(alice, 'bob', { ask: () => Promise.resolve(false) }, notes([]))).rejects.toMatchObject({ code: 'E_ABORTED' });
    expect(alice.user('bob').verifiedAt).toBeNull();
    await verifyUserKey(alice, 'bob', { given: fp.replace(/\D/g, '') }, notes([]));
    expect(alice.user('bob').verifiedAt).not.toBeNull();
  });

  it('removes a user after asking, listing what they received and marking current values exposed', async () => {
    const alice = vault('alice');
    const bob = vault('bob');
    alice.addUser({ username: 'bob', publicKey: bob.publicKey });
    alice.set({ app: 'web', env: 'prod', key: 'DB', value: 'p1' });
    sendBundle(alice, 'bob', 'web:prod:');
    await expect(removePerson(alice, 'bob', { ask: () => Promise.resolve(false) }, notes([]))).rejects.toMatchObject({ code: 'E_ABORTED' });
    await expect(removePerson(alice, 'alice', {}, notes([]))).rejects.toMatchObject({ code: 'E_USAGE' });
    const lines: string[] = [];
    const r = await removePerson(alice, 'bob', { ask: () => Promise.resolve(true) }, notes(lines));
    expect(lines).toEqual(['Removed user bob.']);
    expect(r.received.map((s) => s.key)).toEqual(['DB']);
    expect(r.exposed.map((s) => s.key)).toEqual(['DB']);
    await expect(removePerson(alice, 'bob', {}, notes([]))).rejects.toMatchObject({ code: 'E_UNKNOWN_USER' });
  });
});
