/**
 * PassphraseSource (src/passphrase.ts) from the library: unlockVault asks the source given, a
 * chain tries its sources in order, the environment source reads the kind's variable, and the
 * CLI's chain puts --passphrase-file before SEEQRET_PASSPHRASE before the terminal.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type PassphraseRequest, type PassphraseSource, SeeqretError, Vault, environmentPassphrases, filePassphrase, fixedPassphrase, passphraseChain, unlockVault } from '../src/index.js';
import { cliIn, newVault, tmpdir } from './helpers.js';

const PASS = 'correct horse battery';

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    if (e instanceof SeeqretError) return e.code;
    throw e;
  }
  return undefined;
}

describe('PassphraseSource', () => {
  it('unlockVault asks the source given, once, for the vault; an unprotected vault never asks', async () => {
    const dir = newVault({ passphrase: PASS });
    const asked: PassphraseRequest[] = [];
    const recording: PassphraseSource = {
      passphrase(request) {
        asked.push(request);
        return Promise.resolve(Buffer.from(PASS, 'utf8'));
      },
    };
    const v = await unlockVault({ dir, passphrases: recording, env: {} });
    try {
      expect(v.all()).toEqual([]);
    } finally {
      v.close();
    }
    expect(asked).toEqual([{ kind: 'vault', label: 'Vault passphrase', target: dir }]);
    const plain = newVault();
    const never: PassphraseSource = { passphrase: () => Promise.reject(new Error('asked')) };
    (await unlockVault({ dir: plain, passphrases: never, env: {} })).close();
  });

  it('a chain takes the first source that has one; none is E_PASSPHRASE_REQUIRED; a wrong one is refused', async () => {
    const dir = newVault({ passphrase: PASS });
    const chain = passphraseChain([undefined, fixedPassphrase('not for vaults', ['backup']), environmentPassphrases({ SEEQRET_PASSPHRASE: PASS }), fixedPassphrase('never asked')]);
    (await unlockVault({ dir, passphrases: chain, env: {} })).close();
    expect(await codeOf(unlockVault({ dir, passphrases: passphraseChain([environmentPassphrases({})]), env: {} }))).toBe('E_PASSPHRASE_REQUIRED');
    // Without a source: SEEQRET_PASSPHRASE of the env option.
    (await unlockVault({ dir, env: { SEEQRET_PASSPHRASE: PASS } })).close();
    expect(await codeOf(unlockVault({ dir, passphrases: fixedPassphrase('wrong passphrase'), env: {} }))).toBe('E_WRONG_PASSPHRASE');
    const file = path.join(tmpdir(), 'pass');
    fs.writeFileSync(file, `${PASS}\r\n`);
    (await unlockVault({ dir, passphrases: filePassphrase(file, 'vault'), env: {} })).close();
    expect(Vault.probe(dir, {}).passphraseProtected).toBe(true);
  });

  it("the CLI's chain: --passphrase-file, then SEEQRET_PASSPHRASE; off a terminal nothing else", async () => {
    const vault = newVault({ passphrase: PASS });
    const file = path.join(tmpdir(), 'pass');
    fs.writeFileSync(file, `${PASS}\n`);
    expect((await cliIn(['--passphrase-file', file, 'list'], { vault, env: { SEEQRET_PASSPHRASE: 'wrong one' } })).code).toBe(0);
    expect((await cliIn(['list'], { vault, env: { SEEQRET_PASSPHRASE: PASS } })).code).toBe(0);
    const none = await cliIn(['list'], { vault });
    expect(none.stderr).toContain('E_PASSPHRASE_REQUIRED');
  });
});
