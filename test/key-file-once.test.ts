/**
 * The CLI reads a vault's key file once per command (decision 69): `probeKeyFile` keeps the bytes
 * it read (or the bytes the executable's `get` read before), and `openVaultWithKeyFile` opens with
 * them, checking them exactly as bytes read from the file: another vault's key is refused, and
 * bytes that are not a key file are not kept, so the open reads the file and reports it as before.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Vault } from '../src/index.js';
import { openVaultWithKeyFile, probeKeyFile } from '../src/vault/internal.js';
import { newVault, thrownCode } from './helpers.js';

function vaultWith(key: string, value: string, passphrase?: string): string {
  const dir = newVault(passphrase === undefined ? {} : { passphrase });
  const v = Vault.open({ dir, ...(passphrase === undefined ? {} : { passphrase }) });
  v.setMany([{ app: '*', env: '*', key, value }]);
  v.close();
  return dir;
}

/** The value of K in the vault at `dir`, opened with the given key-file bytes. */
function valueThrough(dir: string, keyBytes: Buffer | undefined): string {
  const v = openVaultWithKeyFile({ dir }, keyBytes);
  try {
    return v.get('K');
  } finally {
    v.close();
  }
}

describe('the key file read once', () => {
  it('the probe keeps the file bytes, and the open with them gives the values', () => {
    const dir = vaultWith('K', 'v-1');
    const probe = probeKeyFile(dir);
    expect(probe).toMatchObject({ exists: true, passphraseProtected: false });
    expect(probe.keyBytes?.equals(fs.readFileSync(path.join(dir, 'vault.key')))).toBe(true);
    expect(valueThrough(dir, probe.keyBytes)).toBe('v-1');
  });

  it('a protected vault is seen as protected from the given bytes', () => {
    const dir = vaultWith('K', 'v-2', 'correct horse battery');
    const probe = probeKeyFile(dir, fs.readFileSync(path.join(dir, 'vault.key')));
    expect(probe).toMatchObject({ exists: true, passphraseProtected: true });
    expect(thrownCode(() => openVaultWithKeyFile({ dir }, probe.keyBytes))).toBe('E_PASSPHRASE_REQUIRED');
  });

  it("another vault's key bytes are refused as that file would be (E_KEY_MISMATCH)", () => {
    const dir = vaultWith('K', 'v-3');
    const other = vaultWith('K', 'other');
    expect(thrownCode(() => openVaultWithKeyFile({ dir }, fs.readFileSync(path.join(other, 'vault.key'))))).toBe('E_KEY_MISMATCH');
  });

  it('bytes that are not a key file are not kept: the open reads the file itself', () => {
    const dir = vaultWith('K', 'v-4');
    const probe = probeKeyFile(dir, Buffer.from('{"not":"a key file"}'));
    expect(probe).toEqual({ exists: true, passphraseProtected: false });
    expect(valueThrough(dir, probe.keyBytes)).toBe('v-4');
  });

  it('no vault: nothing read', () => {
    const dir = newVault();
    fs.rmSync(path.join(dir, 'vault.db'));
    expect(probeKeyFile(dir)).toEqual({ exists: false, passphraseProtected: false });
  });
});
