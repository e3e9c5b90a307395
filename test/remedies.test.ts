/**
 * Library errors name library remedies (`{ replace: true }`, `dir`, `users`), and the CLI words the
 * same remedies with its own flags and commands (decision 42): the vault is called in-process, the
 * CLI wording is checked through src/cli/remedies.ts and once through the real CLI.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SeeqretError } from '../src/errors.js';
import { cliFix } from '../src/cli/remedies.js';
import { encryptToPgpKey } from '../src/crypto/pgp.js';
import { Vault } from '../src/vault/vault.js';
import { cli, errorCode, newVault, tmpdir } from './helpers.js';
import { must } from './must.js';

const FAST_KDF = { opslimit: 1, memlimit: 8 * 1024 * 1024 };

function thrown(fn: () => unknown): SeeqretError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SeeqretError) return e;
    throw e;
  }
  throw new Error('expected a SeeqretError');
}

describe('library remedies and their CLI wording', () => {
  const dir = path.join(tmpdir(), 'v');
  const vault = Vault.create({ dir, username: 'alice', email: 'alice@example.com', kdfCost: FAST_KDF });
  vault.set({ app: 'web', env: 'dev', key: 'DB', value: 'one' });

  it.each([
    ['set of an existing name', () => vault.set({ app: 'web', env: 'dev', key: 'DB', value: 'two' }), 'E_EXISTS', '`{ replace: true }` to `set`', 'Add --overwrite to replace it (the old value is kept in history), or use `seeqret edit value`.'],
    ['get of a missing name', () => vault.get('NOPE'), 'E_NOT_FOUND', 'Call `all` or `find`', 'Run `seeqret list` to see what exists.'],
    ['an unknown user', () => vault.user('bob'), 'E_UNKNOWN_USER', 'Call `users`', 'Run `seeqret users` to see who is known; add people with `seeqret add user`.'],
    ['a missing version', () => vault.revealVersion(must(vault.lookup('web', 'dev', 'DB')), 7), 'E_NOT_FOUND', 'Call `history`', 'Run `seeqret history` to see the versions.'],
    ['a folder without a vault', () => Vault.open({ dir: tmpdir() }), 'E_VAULT_NOT_FOUND', 'pass `dir` (or set SEEQRET to)', 'Run `seeqret init`, or point --vault / SEEQRET at your vault folder.'],
  ])('%s: the fix names the library remedy, the CLI says it its way', (_what, fn, code, library, cliText) => {
    const e = thrown(fn);
    expect(e.code).toBe(code);
    expect(e.fix).not.toMatch(/--[a-z]|seeqret (add|edit|list|users|history|init)\b/);
    expect(e.fix).toContain(library);
    expect(cliFix(e)).toBe(cliText);
  });

  it('the parent of a vault folder: the library names `dir`, the CLI --vault, both the folder', () => {
    const parent = tmpdir();
    const inside = path.join(parent, 'seeqret');
    Vault.create({ dir: inside, username: 'carol', email: '', kdfCost: FAST_KDF }).close();
    const e = thrown(() => Vault.open({ dir: parent }));
    expect(e.fix).toBe(`Pass \`dir\` (or set SEEQRET to) the vault folder itself: ${inside}`);
    expect(cliFix(e)).toBe(`Point --vault / SEEQRET at the vault folder itself: ${inside}`);
  });

  it('a stored PGP key that cannot be read: the library says `addPgpKey`, the CLI `add user --pgp-key`', async () => {
    const e = await encryptToPgpKey('not a key', 'text', 'bob').then(
      () => { throw new Error('expected a SeeqretError'); },
      (err: unknown) => err as SeeqretError,
    );
    expect(e.code).toBe('E_PGP_KEY');
    expect(e.fix).not.toMatch(/--[a-z]|seeqret add\b/);
    expect(e.fix).toContain('`addPgpKey` with `{ replace: true }`');
    expect(cliFix(e)).toBe('Import it again: seeqret add user --username bob --pgp-key FILE --overwrite');
  });

  it('an error without a remedy keeps its fix in the CLI', () => {
    const e = new SeeqretError('E_USAGE', 'bad', 'Do it right.');
    expect(cliFix(e)).toBe('Do it right.');
  });

  it('the real CLI prints its own wording for a library error (add key of an existing name)', () => {
    const v = newVault();
    expect(cli(['add', 'key', 'K', 'one'], { vault: v }).code).toBe(0);
    const r = cli(['add', 'key', 'K', 'two'], { vault: v });
    expect(errorCode(r)).toBe('E_EXISTS');
    expect(r.stderr).toContain('Fix: Add --overwrite to replace it (the old value is kept in history), or use `seeqret edit value`.');
  });
});
