/**
 * Trusted signers of signed team files (seeqret extension), kept in the local vault folder as
 * `team-signers.json` (0600): custodian name → the Ed25519 key you checked with them. A file
 * signed by a trusted name with another key is refused; one signed by a name you have not
 * trusted yet gets a warning with the key's fingerprint to compare.
 *
 * The list lives next to your vault, outside the repository, so someone who can write the team
 * file cannot also change whom you trust.
 *
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import { fingerprint } from '../crypto/index.js';
import { SeeqretError } from '../errors.js';
import { atomicWriteFile } from '../util/atomic-write.js';
import { readTextFileCapped } from '../util/read-capped.js';
import { withFileLock } from '../util/lock.js';
import { checkPrivateStateFile } from './state-file.js';

/** File name of the trust list inside the vault folder. */
export const TRUST_FILE = 'team-signers.json';

/** One trusted signer. */
export interface TrustedSigner {
  /** The signer's public key (base64). */
  readonly key: string;
  /** When it was trusted (unix ms). */
  readonly at: number;
}

/** Read the trusted signers of a vault folder (empty when there is no list). */
export function readTrust(vaultDir: string): Map<string, TrustedSigner> {
  const file = path.join(vaultDir, TRUST_FILE);
  if (!fs.existsSync(file)) return new Map();
  checkPrivateStateFile(file);
  let data: unknown;
  try {
    data = JSON.parse(readTextFileCapped(file, 'settings'));
  } catch (e) {
    if (e instanceof SeeqretError) throw e;
    throw new SeeqretError('E_TEAM_FORMAT', `${file} is not valid JSON`, 'Remove it and trust the signers again (seeqret team trust NAME).');
  }
  const d = (typeof data === 'object' && data !== null ? data : {}) as { format?: unknown; signers?: unknown };
  if (d.format !== 'seeqret-team-signers/1' || typeof d.signers !== 'object' || d.signers === null) {
    throw new SeeqretError('E_TEAM_FORMAT', `${file} is not a seeqret trusted-signers file`, 'Remove it and trust the signers again (seeqret team trust NAME).');
  }
  const isSigner = (e: [string, unknown]): e is [string, TrustedSigner] => typeof e[1] === 'object' && e[1] !== null && typeof (e[1] as { key?: unknown }).key === 'string';
  return new Map(Object.entries(d.signers).filter(isSigner));
}

/** Record `name` → `key` as trusted (replacing an earlier key). */
export function trustSigner(vaultDir: string, name: string, key: Buffer, now = Date.now()): void {
  if (!fs.existsSync(vaultDir)) {
    throw new SeeqretError('E_VAULT_NOT_FOUND', `no vault folder at ${vaultDir} to keep the trusted signers in`, 'Run `seeqret init` first, or point --vault / SEEQRET at your vault.');
  }
  const file = path.join(vaultDir, TRUST_FILE);
  withFileLock(
    file,
    () => {
      const all = readTrust(vaultDir);
      all.set(name, { key: key.toString('base64'), at: now });
      const signers = Object.fromEntries([...all].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
      atomicWriteFile(file, JSON.stringify({ format: 'seeqret-team-signers/1', signers }, null, 2) + '\n');
    },
    { what: file },
  );
}

/** What the trust list says about a signer: trusted, unknown, or a different key than trusted. */
export function checkSigner(trust: ReadonlyMap<string, TrustedSigner>, name: string, key: Buffer): 'trusted' | 'unknown' | 'changed' {
  const t = trust.get(name);
  if (!t) return 'unknown';
  return t.key === key.toString('base64') ? 'trusted' : 'changed';
}

/** Fingerprint of a signing key, for comparing aloud (same form as user fingerprints). */
export function signerFingerprint(key: Buffer): string {
  return fingerprint(key);
}
