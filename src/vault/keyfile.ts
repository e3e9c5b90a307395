/**
 * The vault key file (`vault.key`): the owner's X25519 identity secret key and the random vault
 * data key, optionally wrapped under a passphrase-derived key (Argon2id + XChaCha20-Poly1305).
 *
 * Format (JSON, one object; see docs/formats.md#key-file):
 * ```json
 * { "format": "seeqret-keyfile", "version": 1, "vaultId": "…", "publicKey": "<b64>",
 *   "protection": "none" | "passphrase",
 *   "kdf": { "alg": "argon2id13", "opslimit": 3, "memlimit": 67108864, "salt": "<b64>" },
 *   "secret": "<b64>" }
 * ```
 * `secret` is `identitySecretKey(32) ‖ dataKey(32)`, either plain (protection `none`, guarded by
 * file permissions only) or sealed with associated data binding it to `vaultId` and `publicKey`.
 *
 * @module
 */
import {
  type IdentityKeyPair,
  type KdfParams,
  DEFAULT_KDF_COST,
  KEY_BYTES,
  deriveKeyFromPassphrase,
  keyFromBase64,
  keyToBase64,
  newKdfParams,
  open,
  publicKeyOf,
  seal,
  wipe,
  constantTimeEqual,
} from '../crypto/index.js';
import { SeeqretError } from '../errors.js';
import { atomicWriteFile } from '../util/atomic-write.js';
import { readFileCapped } from '../util/read-capped.js';

/** Unlocked key material of a vault. */
export interface VaultKeys {
  readonly vaultId: string;
  readonly identity: IdentityKeyPair;
  readonly dataKey: Buffer;
}

/** How a passphrase-protected key file's wrapping key is derived. */
interface KdfFields {
  alg: 'argon2id13';
  opslimit: number;
  memlimit: number;
  salt: string;
}

/** The parsed, not yet unlocked, key file. */
export interface KeyFileData {
  readonly format: 'seeqret-keyfile';
  readonly version: 1;
  readonly vaultId: string;
  readonly publicKey: string;
  readonly protection: 'none' | 'passphrase';
  readonly kdf?: KdfFields;
  readonly secret: string;
}

function wrapAd(vaultId: string, publicKeyB64: string): Buffer {
  return Buffer.from(`seeqret/keyfile/v1\0${vaultId}\0${publicKeyB64}`, 'utf8');
}

function invalid(file: string, why: string): SeeqretError {
  return new SeeqretError('E_KEY_INVALID', `key file ${file} is invalid: ${why}`, 'Restore vault.key from your backup copy of the vault folder, or re-create the vault.');
}

/** Serialize keys into key-file JSON, wrapping them when a passphrase is given. */
export function encodeKeyFile(keys: VaultKeys, passphrase?: Buffer, cost = DEFAULT_KDF_COST): string {
  const publicKey = keyToBase64(keys.identity.publicKey);
  const secret = Buffer.concat([keys.identity.secretKey, keys.dataKey]);
  try {
    let data: KeyFileData;
    if (passphrase && passphrase.length > 0) {
      const kdf = newKdfParams(cost);
      const kek = deriveKeyFromPassphrase(passphrase, kdf);
      const sealed = seal(kek, secret, wrapAd(keys.vaultId, publicKey));
      wipe(kek);
      data = {
        format: 'seeqret-keyfile',
        version: 1,
        vaultId: keys.vaultId,
        publicKey,
        protection: 'passphrase',
        kdf: { alg: kdf.alg, opslimit: kdf.opslimit, memlimit: kdf.memlimit, salt: kdf.salt.toString('base64') },
        secret: sealed.toString('base64'),
      };
    } else {
      data = { format: 'seeqret-keyfile', version: 1, vaultId: keys.vaultId, publicKey, protection: 'none', secret: secret.toString('base64') };
    }
    return JSON.stringify(data, null, 2) + '\n';
  } finally {
    wipe(secret);
  }
}

/** Write the key file atomically with mode 0600. */
export function writeKeyFile(file: string, keys: VaultKeys, passphrase?: Buffer, cost = DEFAULT_KDF_COST): void {
  atomicWriteFile(file, encodeKeyFile(keys, passphrase, cost));
}

/** Read and validate the key file's structure (does not unlock it). */
export function readKeyFile(file: string): KeyFileData {
  return parseKeyFile(file, readKeyFileBytes(file));
}

/** The key file's bytes, read within its size cap (`E_KEY_MISSING`, `E_PERMISSIONS`, `E_TOO_LARGE`). */
export function readKeyFileBytes(file: string): Buffer {
  try {
    return readFileCapped(file, 'keyFile');
  } catch (e) {
    if (e instanceof SeeqretError && e.code === 'E_TOO_LARGE') throw e;
    const code = ((e as SeeqretError).cause as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ENOENT') {
      throw new SeeqretError('E_KEY_MISSING', `the vault key file is missing: ${file}`, 'Restore vault.key from a backup; without it the secrets cannot be decrypted.');
    }
    throw new SeeqretError('E_PERMISSIONS', `cannot read the vault key file ${file}: ${code ?? 'error'}`, 'Check the owner and permissions of the vault folder (seeqret doctor).');
  }
}

/** Validate the structure of key-file bytes read from `file` (named in errors), as {@link readKeyFile} does. */
export function parseKeyFile(file: string, bytes: Buffer): KeyFileData {
  let data: unknown;
  try {
    data = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw invalid(file, 'not JSON');
  }
  if (typeof data !== 'object' || data === null) throw invalid(file, 'not a seeqret key file');
  const d = data as Partial<Record<keyof KeyFileData, unknown>>;
  if (d.format !== 'seeqret-keyfile') throw invalid(file, 'not a seeqret key file');
  if (d.version !== 1) {
    throw new SeeqretError('E_SCHEMA_NEWER', `key file ${file} has version ${String(d.version)}, this seeqret reads version 1`, 'Upgrade seeqret (npm i -g seeqret@latest).');
  }
  if (typeof d.vaultId !== 'string' || typeof d.publicKey !== 'string' || typeof d.secret !== 'string') throw invalid(file, 'missing fields');
  if (d.protection !== 'none' && d.protection !== 'passphrase') throw invalid(file, 'unknown protection');
  if (d.protection === 'passphrase') {
    const k = (typeof d.kdf === 'object' && d.kdf !== null ? d.kdf : {}) as Partial<Record<keyof KdfFields, unknown>>;
    if (k.alg !== 'argon2id13' || typeof k.salt !== 'string' || !Number.isInteger(k.opslimit) || !Number.isInteger(k.memlimit)) {
      throw invalid(file, 'bad kdf parameters');
    }
  }
  return d as KeyFileData;
}

/**
 * Unlock key-file data. `passphrase` is required when the file is passphrase-protected;
 * a wrong one gives `E_WRONG_PASSPHRASE` (never garbage keys).
 */
export function unlockKeyFile(data: KeyFileData, file: string, passphrase: Buffer | undefined): VaultKeys {
  if (!keyFromBase64(data.publicKey)) throw invalid(file, 'bad public key');
  let secret: Buffer | null;
  if (data.protection === 'passphrase') {
    if (!passphrase || passphrase.length === 0) {
      throw new SeeqretError(
        'E_PASSPHRASE_REQUIRED',
        'this vault is passphrase-protected and no passphrase was given',
        'Set SEEQRET_PASSPHRASE, pass --passphrase-file FILE, or run in a terminal to be prompted.',
      );
    }
    const k = data.kdf;
    if (k === undefined) throw invalid(file, 'bad kdf parameters');
    const params: KdfParams = { alg: 'argon2id13', opslimit: k.opslimit, memlimit: k.memlimit, salt: Buffer.from(k.salt, 'base64') };
    const kek = deriveKeyFromPassphrase(passphrase, params);
    secret = open(kek, Buffer.from(data.secret, 'base64'), wrapAd(data.vaultId, data.publicKey));
    wipe(kek);
    if (!secret) {
      throw new SeeqretError('E_WRONG_PASSPHRASE', 'wrong passphrase for this vault', 'Check the passphrase (SEEQRET_PASSPHRASE / --passphrase-file) and try again.');
    }
  } else {
    secret = Buffer.from(data.secret, 'base64');
  }
  return keysFromSecret(data, file, secret);
}

/**
 * The keys from the unwrapped secret of key-file `data` (`identitySecretKey ‖ dataKey`, as the
 * unlock agent hands it out), checked against the file's public key; `secret` is wiped.
 */
export function keysFromSecret(data: KeyFileData, file: string, secret: Buffer): VaultKeys {
  const pub = keyFromBase64(data.publicKey);
  if (!pub) throw invalid(file, 'bad public key');
  if (secret.length !== 2 * KEY_BYTES) {
    wipe(secret);
    throw invalid(file, 'wrong key length');
  }
  // Copies (`set`: `Buffer.from` of a view is a path of Node's JavaScript a `get` runs for nothing else; decision 75).
  const secretKey = Buffer.alloc(KEY_BYTES);
  secretKey.set(secret.subarray(0, KEY_BYTES));
  const dataKey = Buffer.alloc(KEY_BYTES);
  dataKey.set(secret.subarray(KEY_BYTES));
  wipe(secret);
  if (!constantTimeEqual(publicKeyOf(secretKey), pub)) throw invalid(file, 'the secret key does not match the public key');
  return { vaultId: data.vaultId, identity: { publicKey: pub, secretKey }, dataKey };
}
