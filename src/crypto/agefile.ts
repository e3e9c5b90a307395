/**
 * Passphrase-protected backups in the standard age file format (https://age-encryption.org/v1),
 * through the `age-encryption` library (typage, by the age authors): an `scrypt` recipient
 * stanza wraps a random file key, and the payload is ChaCha20-Poly1305 in 64 KiB chunks.
 *
 * Files written here decrypt with the reference tool (`age -d`, which prompts for the
 * passphrase), and files written by `age -p` decrypt here.
 *
 * Work factor: age derives the wrapping key with scrypt N = 2^logN, r = 8, p = 1. Real backups
 * keep the library default, {@link AGE_SCRYPT_DEFAULT_LOG_N} (18, the same as the `age` tool:
 * about a second and 256 MiB of memory per attempt). `opts.logN` exists only so tests can stay
 * fast; a lower work factor makes a stolen backup cheaper to brute-force.
 *
 * @module
 */
import { Decrypter, Encrypter, armor, type Identity, type Stanza } from 'age-encryption';
import { SeeqretError } from '../errors.js';

/** The scrypt work factor (log2 N) used when none is given: the library and `age` default. */
export const AGE_SCRYPT_DEFAULT_LOG_N = 18;

/**
 * The largest scrypt work factor the library agrees to decrypt (it refuses higher ones to bound
 * the memory an attacker-chosen file can make it use), hence the largest one we write.
 */
export const AGE_SCRYPT_MAX_LOG_N = 20;

/** Options for {@link encryptWithPassphrase}. */
export interface AgeEncryptOptions {
  /** Write the ASCII-armored (PEM-like, `-----BEGIN AGE ENCRYPTED FILE-----`) form. Default: binary. */
  armor?: boolean;
  /**
   * scrypt work factor, log2 N, an integer from 1 to {@link AGE_SCRYPT_MAX_LOG_N}. Default
   * {@link AGE_SCRYPT_DEFAULT_LOG_N}. Lower it only in tests: it weakens the backup.
   */
  logN?: number;
}

const ARMOR_BEGIN = '-----BEGIN AGE ENCRYPTED FILE-----';
const BINARY_MAGIC = 'age-encryption.org/';
const FORMAT_FIX = 'Use an intact copy of the backup file: this one is not a passphrase age file, or it was truncated or modified.';

function formatError(message: string, cause?: unknown): SeeqretError {
  return new SeeqretError('E_BACKUP_FORMAT', message, FORMAT_FIX, { cause });
}

/**
 * Encrypt `plaintext` to an age file protected by `passphrase` (a single scrypt recipient),
 * readable by `age -d`. Returns the binary file, or its ASCII armor (UTF-8 bytes) with
 * `opts.armor`.
 *
 * @throws SeeqretError `E_PASSPHRASE_REQUIRED` for an empty passphrase, `E_USAGE` for an invalid
 * `opts.logN`.
 */
export async function encryptWithPassphrase(
  plaintext: Uint8Array,
  passphrase: string,
  opts: AgeEncryptOptions = {},
): Promise<Uint8Array> {
  if (passphrase.length === 0) {
    throw new SeeqretError('E_PASSPHRASE_REQUIRED', 'a backup needs a non-empty passphrase', 'Choose a passphrase for the backup.');
  }
  const logN = opts.logN ?? AGE_SCRYPT_DEFAULT_LOG_N;
  if (!Number.isInteger(logN) || logN < 1 || logN > AGE_SCRYPT_MAX_LOG_N) {
    throw new SeeqretError(
      'E_USAGE',
      `invalid scrypt work factor ${String(logN)}`,
      `Use an integer from 1 to ${AGE_SCRYPT_MAX_LOG_N} (default ${AGE_SCRYPT_DEFAULT_LOG_N}).`,
    );
  }
  const e = new Encrypter();
  e.setPassphrase(passphrase);
  e.setScryptWorkFactor(logN);
  const file = await e.encrypt(plaintext);
  return opts.armor === true ? new TextEncoder().encode(armor.encode(file)) : file;
}

/** True when `file`, after leading ASCII whitespace, starts with `prefix` (ASCII). */
function startsWithAscii(file: Uint8Array, prefix: string): boolean {
  let i = 0;
  while (i < file.length && (file[i] === 0x20 || file[i] === 0x09 || file[i] === 0x0a || file[i] === 0x0d)) i++;
  if (file.length - i < prefix.length) return false;
  for (let j = 0; j < prefix.length; j++) if (file[i + j] !== prefix.charCodeAt(j)) return false;
  return true;
}

function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

async function readAll(s: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const reader = s.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    total += value.length;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Decrypt an age file (binary or ASCII-armored) protected by `passphrase`.
 *
 * How failures are told apart, as far as the format allows: the header is processed first (the
 * library resolves `decrypt` of a stream only once the header is authenticated), then the
 * payload is read. A header whose scrypt stanza does not unwrap with this passphrase is a wrong
 * passphrase (a modified scrypt stanza looks the same, and cannot be told apart). Everything
 * else — not age, armor or header syntax errors, a key-encrypted (non-passphrase) file, a
 * header MAC mismatch after the stanza unwrapped, a truncated file, a payload chunk failing its
 * Poly1305 tag — is a damaged or foreign file.
 *
 * @throws SeeqretError `E_BACKUP_PASSPHRASE` ("wrong passphrase for this backup") or
 * `E_BACKUP_FORMAT`.
 */
export async function decryptWithPassphrase(file: Uint8Array, passphrase: string): Promise<Uint8Array> {
  let binary: Uint8Array;
  if (startsWithAscii(file, ARMOR_BEGIN)) {
    try {
      binary = armor.decode(new TextDecoder().decode(file));
    } catch (err) {
      throw formatError('the armored age backup is damaged', err);
    }
  } else if (startsWithAscii(file, BINARY_MAGIC)) {
    binary = file;
  } else {
    throw formatError('not an age backup file');
  }

  // Two probe identities around the passphrase: the first sees the parsed header's stanzas; the
  // second is consulted only when the passphrase identity found nothing to unwrap (the library
  // tries identities in order and stops at the first file key), i.e. the passphrase is wrong.
  // An object, not two `let`s: the identities set these from callbacks the compiler cannot follow.
  const seen: { stanzaTypes: string[] | null; passphraseUnwrapFailed: boolean } = { stanzaTypes: null, passphraseUnwrapFailed: false };
  const before: Identity = {
    unwrapFileKey(stanzas: Stanza[]) {
      seen.stanzaTypes = stanzas.map((s) => s.args[0] ?? '');
      return null;
    },
  };
  const after: Identity = {
    unwrapFileKey() {
      seen.passphraseUnwrapFailed = true;
      return null;
    },
  };
  const d = new Decrypter();
  d.addIdentity(before);
  d.addPassphrase(passphrase);
  d.addIdentity(after);

  let payload: ReadableStream<Uint8Array>;
  try {
    payload = await d.decrypt(streamOf(binary));
  } catch (err) {
    const types = seen.stanzaTypes;
    if (types === null) throw formatError('the age backup header is damaged', err);
    if (!types.includes('scrypt')) {
      throw formatError('this age file is encrypted to a key, not a passphrase', err);
    }
    if (seen.passphraseUnwrapFailed) {
      throw new SeeqretError('E_BACKUP_PASSPHRASE', 'wrong passphrase for this backup', 'Check the passphrase and try again.', {
        cause: err,
      });
    }
    throw formatError('the age backup header is damaged or truncated', err);
  }
  try {
    return await readAll(payload);
  } catch (err) {
    throw formatError('the age backup is truncated or corrupted', err);
  }
}
