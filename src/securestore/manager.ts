/**
 * `SecretsManager` and `KeySource`: open, read, change and save SecureStore v3 vaults, with the
 * surface the official libraries have (`fromFile`, `fromJSON`, `get`, `keys`;
 * `KeySource.fromPassword`, `fromFile`, `fromKey`) plus what the read-only ones lack: `create`,
 * `set`, `delete`, `save` and `exportKey`.
 *
 * Everything is synchronous; the official JavaScript library is asynchronous, and code written
 * for it (`await SecretsManager.fromFile(…)`, `await sman.get(…)`) works unchanged, since
 * `await` of a plain value returns it.
 *
 * Entries are decrypted only when asked for; entries not changed are written back exactly as
 * read, so a `set` changes one entry of the file (small version-control diffs).
 *
 * @module
 */
import { type SsEncrypted, SS_IV_BYTES, SS_KEY_BYTES, ssDecrypt, ssDeriveKey, ssEncrypt, ssRandomBytes } from '../crypto/securestore.js';
import { SeeqretError } from '../errors.js';
import { atomicWriteFile } from '../util/atomic-write.js';
import { readFileCapped } from '../util/read-capped.js';
import { type LockOptions, withFileLock } from '../util/lock.js';
import { isWellFormed } from '../vault/names.js';
import { checkSecretName, compareNames, decodeBase64Strict, parseVault, parseVaultObject, serializeVault } from './format.js';
import { parseKeyFile, parseKeyText, readKeyFile, writeKeyFile } from './keyfile.js';

/** Bytes of the random plaintext of a new sentinel. */
const SENTINEL_BYTES = 32;

interface KeyMaterial {
  readonly kind: 'password' | 'key';
  readonly bytes: Buffer;
  /** Password sources: the key derived for the last salt (a vault re-read under its lock reuses it). */
  derived?: { readonly salt: Buffer; readonly key: Buffer };
}
const material = new WeakMap<KeySource, KeyMaterial>();

/**
 * Where a vault's 32-byte master key comes from: a password (stretched with PBKDF2-HMAC-SHA1,
 * 256,000 rounds, salted with the vault's `iv`), or the key itself (a key file or bytes).
 */
export class KeySource {
  /** `password` or `key`. */
  readonly kind: 'password' | 'key';

  private constructor(kind: 'password' | 'key', bytes: Buffer) {
    this.kind = kind;
    material.set(this, { kind, bytes });
  }

  /** Derive the key from `password` (a string is taken as UTF-8). */
  static fromPassword(password: string | Uint8Array): KeySource {
    if (typeof password === 'string' && !isWellFormed(password)) {
      throw new SeeqretError('E_USAGE', 'the password is not valid Unicode text', 'Type the password again.');
    }
    const bytes = typeof password === 'string' ? Buffer.from(password, 'utf8') : Buffer.from(password);
    if (bytes.length === 0) throw new SeeqretError('E_PASSPHRASE_REQUIRED', 'the SecureStore password is empty', 'Give the password of the vault.');
    return new KeySource('password', bytes);
  }

  /** Read the key from a key file: PEM-style (as exported) or the raw 32 bytes. */
  static fromFile(file: string): KeySource {
    return new KeySource('key', readKeyFile(file));
  }

  /**
   * Use a key given in memory: 32 bytes (`Uint8Array` or an array of byte values), or a string
   * holding the PEM-style key file text or the key as standard base64 (44 characters).
   */
  static fromKey(key: Uint8Array | string | readonly number[]): KeySource {
    if (typeof key === 'string') {
      const t = key.trim();
      if (t.includes('-----BEGIN')) return new KeySource('key', parseKeyText(t));
      const b = decodeBase64Strict(t);
      if (!b || b.length !== SS_KEY_BYTES) {
        throw new SeeqretError('E_SS_KEY_FILE', 'the key string is neither PEM-style key text nor base64 of 32 bytes', 'Pass the content of the key file, or its base64 line.');
      }
      return new KeySource('key', b);
    }
    if (Array.isArray(key)) {
      if (!key.every((x) => Number.isInteger(x) && x >= 0 && x <= 255)) {
        throw new SeeqretError('E_SS_KEY_FILE', 'the key array holds something other than byte values (0-255)', `Pass ${SS_KEY_BYTES} integers from 0 to 255.`);
      }
      key = Uint8Array.from(key);
    }
    if (!(key instanceof Uint8Array)) throw new SeeqretError('E_SS_KEY_FILE', 'the key is not bytes, a byte array or a string', `Pass ${SS_KEY_BYTES} bytes.`);
    if (key.length !== SS_KEY_BYTES) {
      throw new SeeqretError('E_SS_KEY_FILE', `a SecureStore key is ${SS_KEY_BYTES} bytes, not ${key.length}`, 'Pass the whole key (or use KeySource.fromFile with the key file).');
    }
    return new KeySource('key', parseKeyFile(key));
  }

  /** A new random key (for {@link SecretsManager.create}; export it with `exportKey`). */
  static generate(): KeySource {
    return new KeySource('key', ssRandomBytes(SS_KEY_BYTES));
  }
}

/** The master key of `source` for a vault salted with `salt` (a fresh buffer). */
function masterKey(source: KeySource, salt: Buffer): Buffer {
  const m = source instanceof KeySource ? material.get(source) : undefined;
  if (!m) throw new SeeqretError('E_USAGE', 'not a KeySource', 'Make one with KeySource.fromPassword, fromFile or fromKey.');
  if (m.kind === 'key') return Buffer.from(m.bytes);
  if (!m.derived || !m.derived.salt.equals(salt)) m.derived = { salt: Buffer.from(salt), key: ssDeriveKey(m.bytes, salt) };
  return Buffer.from(m.derived.key);
}

/** Options of {@link SecretsManager.create}. */
export interface CreateOptions {
  /** The file `save()` writes (otherwise give it to `save`). */
  readonly path?: string;
}

/** An open SecureStore v3 vault. */
export class SecretsManager {
  readonly #key: Buffer;
  readonly #salt: Buffer;
  readonly #sentinel: SsEncrypted;
  readonly #entries: Map<string, SsEncrypted>;
  #path: string | null;
  #label: string;

  private constructor(key: Buffer, salt: Buffer, sentinel: SsEncrypted, entries: Map<string, SsEncrypted>, file: string | null) {
    this.#key = key;
    this.#salt = salt;
    this.#sentinel = sentinel;
    this.#entries = entries;
    this.#path = file;
    this.#label = file ?? 'the vault';
  }

  /**
   * A new, empty vault (fresh salt and sentinel) protected by `keySource` (default: a new
   * random key, to be saved with {@link exportKey}). Nothing is written until {@link save}.
   */
  static create(keySource: KeySource = KeySource.generate(), options: CreateOptions = {}): SecretsManager {
    const salt = ssRandomBytes(SS_IV_BYTES);
    const key = masterKey(keySource, salt);
    return new SecretsManager(key, salt, ssEncrypt(key, ssRandomBytes(SENTINEL_BYTES)), new Map(), options.path ?? null);
  }

  /**
   * Open the vault file `file`. `save()` then writes back to it.
   *
   * @throws SeeqretError `E_FILE_NOT_FOUND`, `E_SS_FORMAT`, `E_SS_VERSION`, `E_SS_WRONG_KEY`, …
   */
  static fromFile(file: string, keySource: KeySource): SecretsManager {
    return SecretsManager.#open(parseVault(readFileCapped(file, 'securestore'), file), keySource, file);
  }

  /**
   * Change the vault file `file` safely against other processes (and other tasks) writing it:
   * take its lock (`FILE.lock`, src/util/lock.ts), re-read it, apply `change`, write it atomically
   * (0600), release. Nothing is written when `change` throws. Returns what `change` returns.
   * A password source derives its key once per salt, so re-reading costs no second derivation.
   *
   * @throws SeeqretError `E_LOCKED` when another process holds the lock longer than
   *   `lock.timeoutMs` (default 10 s); the errors of {@link fromFile}.
   */
  static update<T>(file: string, keySource: KeySource, change: (sman: SecretsManager) => T, lock: LockOptions = {}): T {
    return withFileLock(
      file,
      () => {
        const sman = SecretsManager.fromFile(file, keySource);
        const out = change(sman);
        sman.save();
        return out;
      },
      { what: file, ...lock },
    );
  }

  /** Open a vault from its JSON text (or bytes). */
  static fromJSON(json: string | Uint8Array, keySource: KeySource): SecretsManager {
    return SecretsManager.#open(parseVault(json), keySource, null);
  }

  /** Open a vault from its parsed JSON (`from_dict` in Python). */
  static fromObject(data: unknown, keySource: KeySource): SecretsManager {
    return SecretsManager.#open(parseVaultObject(data), keySource, null);
  }

  static #open(v: ReturnType<typeof parseVault>, keySource: KeySource, file: string | null): SecretsManager {
    const key = masterKey(keySource, v.salt);
    const wrongKey = (why: string): SeeqretError => {
      key.fill(0);
      return new SeeqretError(
        'E_SS_WRONG_KEY',
        `the ${keySource.kind === 'password' ? 'password' : 'key'} does not open ${file ?? 'the vault'} (${why})`,
        keySource.kind === 'password' ? 'Check the password (or use the key file with -k).' : 'Use the key file exported for this vault (or its password with -p).',
      );
    };
    let sentinel = v.sentinel;
    if (sentinel) {
      const r = ssDecrypt(key, sentinel);
      if (typeof r === 'string') throw wrongKey('its sentinel does not verify');
      r.fill(0);
    } else {
      // No sentinel: a wrong key would open the vault and the next save would add a sentinel
      // made with it, locking the real key out. So at least one entry must open (HMAC, padding).
      const opens = (e: SsEncrypted): boolean => {
        const r = ssDecrypt(key, e);
        if (typeof r === 'string') return false;
        r.fill(0);
        return true;
      };
      if (v.secrets.size > 0 && ![...v.secrets.values()].some(opens)) {
        throw wrongKey('it has no sentinel and none of its entries verifies');
      }
      // The reference adds a sentinel to a vault that has none; it is written on the next save.
      sentinel = ssEncrypt(key, ssRandomBytes(SENTINEL_BYTES));
    }
    return new SecretsManager(key, v.salt, sentinel, v.secrets, file);
  }

  /** The file this vault was read from or will be saved to, else `null`. */
  get path(): string | null {
    return this.#path;
  }

  /** Number of secrets. */
  get size(): number {
    return this.#entries.size;
  }

  /** The secret names, in the order the file stores them (UTF-8 byte order). */
  keys(): string[] {
    return [...this.#entries.keys()].sort(compareNames);
  }

  /** True when a secret named `name` exists. */
  has(name: string): boolean {
    return this.#entries.has(name);
  }

  /**
   * The value of `name` as bytes, or `null` when there is no such secret.
   *
   * @throws SeeqretError `E_SS_AUTH` when its HMAC does not verify (modified, or another key).
   */
  getBytes(name: string): Buffer | null {
    const e = this.#entries.get(name);
    if (!e) return null;
    const r = ssDecrypt(this.#key, e);
    if (typeof r === 'string') {
      throw new SeeqretError(
        'E_SS_AUTH',
        `secret '${name.length > 80 ? `${name.slice(0, 80)}…` : name}' in ${this.#label} fails its integrity check (${r === 'hmac' ? 'HMAC' : 'padding'}): it was modified, or written with another key`,
        'Restore the vault from version control, or set the secret again.',
      );
    }
    return r;
  }

  /**
   * The value of `name` as text, or `null` when there is no such secret.
   *
   * @throws SeeqretError `E_SS_AUTH` (see {@link getBytes}); `E_BAD_VALUE` when the value is not
   *   UTF-8 (read it with `getBytes`).
   */
  get(name: string): string | null {
    const b = this.getBytes(name);
    if (b === null) return null;
    try {
      return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(b);
    } catch {
      throw new SeeqretError('E_BAD_VALUE', `secret '${name}' is binary, not UTF-8 text`, 'Read it with getBytes().');
    } finally {
      b.fill(0);
    }
  }

  /** Add or replace a secret (encrypted now with a fresh IV). A string is stored as UTF-8. */
  set(name: string, value: string | Uint8Array): void {
    checkSecretName(name);
    let plain: Buffer;
    if (typeof value === 'string') {
      if (!isWellFormed(value)) throw new SeeqretError('E_BAD_VALUE', `the value of '${name}' is not valid Unicode text`, 'Pass a string of whole characters, or bytes.');
      plain = Buffer.from(value, 'utf8');
    } else if (value instanceof Uint8Array) plain = Buffer.from(value);
    else throw new SeeqretError('E_BAD_VALUE', `the value of '${name}' is neither a string nor bytes`, 'Pass a string or a Uint8Array.');
    try {
      this.#entries.set(name, ssEncrypt(this.#key, plain));
    } finally {
      plain.fill(0);
    }
  }

  /** Remove a secret; `false` when there was none. */
  delete(name: string): boolean {
    return this.#entries.delete(name);
  }

  /** The vault file's text (reference layout: 2-space JSON, sorted, no trailing newline). */
  serialize(): string {
    return serializeVault({ salt: this.#salt, sentinel: this.#sentinel, secrets: this.#entries });
  }

  /**
   * Write the vault atomically (0600) to `file`, default the file it was opened from or created
   * for. A vault with no file yet remembers `file` for later saves.
   */
  save(file?: string): void {
    const target = file ?? this.#path;
    if (target === null) throw new SeeqretError('E_USAGE', 'this vault has no file yet', 'Call save(path).');
    atomicWriteFile(target, this.serialize());
    if (this.#path === null) {
      this.#path = target;
      this.#label = target;
    }
  }

  /**
   * Write the master key to `file` as a PEM-style key file (atomically, 0600), e.g. the key
   * equivalent to a password, for password-less use at run time.
   */
  exportKey(file: string): void {
    writeKeyFile(file, this.#key);
  }
}
