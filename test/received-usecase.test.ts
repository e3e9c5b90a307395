/**
 * The use cases around `load` called in-process: loading text with the plan's warnings as notes,
 * settling the new names (accept, ask through the injected confirm, or pending with the command
 * that accepts them), the report, and delivering an inbox folder (loaded files removed, refused
 * ones kept). Real vaults, real bundles, real crypto.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { aliceAndBobVerified, tmpdir, vaultsClosedAfterEach } from './helpers.js';
import { sendBundle } from './export-helpers.js';
import { deliverInbox, loadJson, loadText, reportLoad, settleNewNames } from '../src/sharing/received.js';
import { Vault } from '../src/vault/vault.js';

const vault = vaultsClosedAfterEach();

/** alice's bundle of web:prod: for bob, who knows and verified alice. */
function bundle(): { alice: Vault; bob: Vault; text: () => string } {
  const alice = vault('alice');
  const bob = vault('bob');
  aliceAndBobVerified(alice, bob);
  alice.set({ app: 'web', env: 'prod', key: 'DB', value: 'p1' });
  alice.set({ app: 'web', env: 'prod', key: 'NODE_OPTIONS', value: '--x' });
  const text = (): string => sendBundle(alice, 'bob', 'web:prod:');
  return { alice, bob, text };
}

function notes(lines: string[]) {
  return { info: (l: string) => lines.push(l), warn: (l: string) => lines.push(`warn: ${l}`) };
}

const cmd = (...words: string[]): string => ['seeqret', ...words].join(' ');

describe('received text', () => {
  it('loads, reports (never a value) and leaves new names pending with the command that accepts them', async () => {
    const { bob, text } = bundle();
    const lines: string[] = [];
    const r = loadText(bob, text(), { overwrite: false, force: false }, notes(lines));
    reportLoad(r, { again: null }, notes(lines));
    expect(lines[0]).toMatch(/^Loaded from alice \(bundle, bundle .+\): 2 added, 0 updated, 0 skipped, 0 unchanged$/);
    expect(lines).toContain('  web:prod:DB  added (new name, pending)');
    const accepted = await settleNewNames(bob, r, { accept: false }, notes(lines), cmd);
    expect(accepted).toBe(false);
    expect(lines).toContain('warn: web:prod:NODE_OPTIONS is a variable that make programs load or run code: never exported through a filter, even once accepted');
    expect(lines.at(-1)).toBe('2 new names are pending: not exported by a filter that does not name them exactly until you run `seeqret accept web:prod:DB web:prod:NODE_OPTIONS` (see `seeqret list --pending`).');
    expect(lines.join('\n')).not.toContain('p1');
    expect(loadJson(r, accepted)).toMatchObject({ sender: 'alice', added: 2, pending: ['web:prod:DB', 'web:prod:NODE_OPTIONS'], accepted: [] });
  });

  it('accepts the new names when the injected question is answered yes', async () => {
    const { bob, text } = bundle();
    const r = loadText(bob, text(), { overwrite: false, force: false }, notes([]));
    const asked: string[] = [];
    const lines: string[] = [];
    const accepted = await settleNewNames(bob, r, { accept: false, ask: (q) => (asked.push(q), Promise.resolve(true)) }, notes(lines), cmd);
    expect(accepted).toBe(true);
    expect(asked).toEqual(['Accept these 2 names from alice (filters such as -f app:env: will export them)?']);
    expect(lines.at(-1)).toBe('Accepted 2 names from alice.');
    expect(bob.pendingNames()).toEqual([]);
  });

  it('delivers an inbox: loaded files removed, a replay and a stray file kept with a note', async () => {
    const { bob, text } = bundle();
    const dir = path.join(tmpdir(), 'inbox');
    fs.mkdirSync(dir);
    const first = text();
    fs.writeFileSync(path.join(dir, 'a.bundle'), first);
    fs.writeFileSync(path.join(dir, 'b.bundle'), first);
    fs.writeFileSync(path.join(dir, 'c.txt'), 'not a bundle');
    fs.writeFileSync(path.join(dir, '.hidden'), 'skipped');
    const lines: string[] = [];
    const r = await deliverInbox(bob, dir, { overwrite: false, allowOldFormats: false, accept: true, text: true }, notes(lines), cmd);
    expect({ tried: r.tried, loaded: r.loaded, failed: r.failed }).toEqual({ tried: 3, loaded: 1, failed: 2 });
    expect(fs.readdirSync(dir).sort()).toEqual(['.hidden', 'b.bundle', 'c.txt']);
    expect(r.files.map((f) => [f['file'], f['loaded']])).toEqual([['a.bundle', true], ['b.bundle', false], ['c.txt', false]]);
    expect(r.firstError).toBeDefined();
    expect(lines).toContain('a.bundle: Accepted 2 names from alice.');
    expect(lines.filter((l) => l.startsWith('warn: ') && l.includes('kept, not loaded'))).toHaveLength(2);
    await expect(deliverInbox(bob, path.join(dir, 'none'), { overwrite: false, allowOldFormats: false, accept: false, text: false }, notes([]), cmd)).rejects.toMatchObject({ code: 'E_FILE_NOT_FOUND' });
  });
});
