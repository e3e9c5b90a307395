/**
 * Where passphrases come from: one small interface, {@link PassphraseSource}, that everything
 * protected asks — a passphrase-protected vault, a backup, a SecureStore vault, a team custodian — and a chain of
 * sources tried in order. The CLI builds one chain per run from its options, its environment
 * and the terminal (src/cli/passphrases.ts); a program using the library passes its own (a
 * secrets manager, a keychain, a fixed value in tests) to {@link unlockVault}.
 *
 * The model is the age library's `Identity`: a source says what it can give for a request, or
 * nothing, and the caller decides what "nothing from anyone" means.
 *
 * @module
 */
import { SeeqretError } from './errors.js';
import { readFileCapped } from './util/read-capped.js';

/** What a passphrase is asked for. */
export type PassphraseKind =
  /** A passphrase-protected vault's key file. */
  | 'vault'
  /** An age backup made by `seeqret backup` (or read by `restore`). */
  | 'backup'
  /** A SecureStore vault's password. */
  | 'securestore'
  /** A team file custodian's passphrase (a new custodian's when `isNew`). */
  | 'team'
  /** A team custodian's replacement passphrase (`team passwd`): never one of the current passphrase's sources. */
  | 'team-new';

/** One request for a passphrase. */
export interface PassphraseRequest {
  /** What it unlocks. */
  readonly kind: PassphraseKind;
  /** What a person would be asked, e.g. `Vault passphrase`. */
  readonly label: string;
  /** The folder or file it unlocks, when there is one (for messages and for sources that key by it). */
  readonly target?: string;
  /**
   * True when a new passphrase is being set (a new vault or backup): a prompt asks twice, and a
   * source that cannot be sure of the value it gives (a cached one) should give nothing.
   */
  readonly isNew?: boolean;
  /** For a new passphrase: what a person is asked the second time (default `Repeat the …`). */
  readonly repeat?: string;
  /**
   * For a new passphrase: throws (`E_USAGE`) when the value is not acceptable (too short). A
   * prompt checks the first answer before asking again; the caller checks what any source gives.
   */
  readonly check?: (passphrase: string) => void;
}

/**
 * A source of passphrases.
 *
 * `passphrase` resolves with the passphrase for `request` as UTF-8 bytes, or `undefined` when this
 * source has none for it — then the next source of a chain is asked. It rejects only when it has
 * one but cannot give it (an unreadable file, a prompt interrupted with Ctrl-C): a chain stops
 * there. The caller owns the returned buffer and may wipe it after use; a source must return a
 * fresh one each time.
 */
export interface PassphraseSource {
  /** The passphrase for `request`, or `undefined` when this source has none for it. */
  passphrase(request: PassphraseRequest): Promise<Buffer | undefined>;
}

/** The environment variable each kind is read from by {@link environmentPassphrases}. */
export const PASSPHRASE_VARIABLES: Readonly<Record<PassphraseKind, string>> = {
  vault: 'SEEQRET_PASSPHRASE',
  backup: 'SEEQRET_BACKUP_PASSPHRASE',
  securestore: 'SEEQRET_SS_PASSWORD',
  team: 'SEEQRET_TEAM_PASSPHRASE',
  'team-new': 'SEEQRET_TEAM_NEW_PASSPHRASE',
};

/** Ask `sources` in order; the first that gives a passphrase wins. `undefined` entries are skipped. */
export function passphraseChain(sources: ReadonlyArray<PassphraseSource | undefined>): PassphraseSource {
  const list = sources.filter((s): s is PassphraseSource => s !== undefined);
  return {
    async passphrase(request) {
      for (const source of list) {
        const p = await source.passphrase(request);
        if (p !== undefined) return p;
      }
      return undefined;
    },
  };
}

/** Always `value` for the given `kinds` (default: every kind). For programs that hold the passphrase already, and tests. */
export function fixedPassphrase(value: string | Uint8Array, kinds?: readonly PassphraseKind[]): PassphraseSource {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);
  return {
    passphrase: (request) => Promise.resolve(kinds === undefined || kinds.includes(request.kind) ? Buffer.from(bytes) : undefined),
  };
}

/**
 * Read a passphrase file: its content with one trailing line ending (`\n` or `\r\n`) removed.
 *
 * @throws SeeqretError `E_FILE_NOT_FOUND`, `E_TOO_LARGE`, … from reading it.
 */
export function readPassphraseFile(file: string): Buffer {
  let b = readFileCapped(file, 'passphrase');
  if (b.length > 0 && b[b.length - 1] === 0x0a) b = b.subarray(0, b.length - 1);
  if (b.length > 0 && b[b.length - 1] === 0x0d) b = b.subarray(0, b.length - 1);
  return Buffer.from(b);
}

/** The content of `file` ({@link readPassphraseFile}) for requests of `kind`; nothing for other kinds. */
export function filePassphrase(file: string, kind: PassphraseKind): PassphraseSource {
  return { passphrase: (request) => Promise.resolve(request.kind === kind ? readPassphraseFile(file) : undefined) };
}

/**
 * The variable of `env` named for the request's kind ({@link PASSPHRASE_VARIABLES}, or `names`);
 * nothing when it is unset or empty.
 */
export function environmentPassphrases(env: Readonly<Record<string, string | undefined>>, names: Readonly<Record<PassphraseKind, string>> = PASSPHRASE_VARIABLES): PassphraseSource {
  return {
    passphrase(request) {
      const v = env[names[request.kind]];
      return Promise.resolve(v === undefined || v === '' ? undefined : Buffer.from(v, 'utf8'));
    },
  };
}

/** Shortest new passphrase accepted for a vault or a backup, whatever its source. */
export const MIN_NEW_PASSPHRASE = 8;

/** A request's `check`: at least {@link MIN_NEW_PASSPHRASE} characters (`E_USAGE` naming `what`). */
function longEnough(what: string): (passphrase: string) => void {
  return (s) => {
    if (Array.from(s).length < MIN_NEW_PASSPHRASE) {
      throw new SeeqretError('E_USAGE', `${what} is shorter than ${MIN_NEW_PASSPHRASE} characters`, 'Choose a longer passphrase (several words work well).');
    }
  };
}

/**
 * The request for a new vault's passphrase (`init --passphrase`, a backup restored into a new
 * protected vault): a prompt asks twice; at least {@link MIN_NEW_PASSPHRASE} characters
 * (`E_USAGE`), whatever its source.
 */
export function newVaultPassphraseRequest(): PassphraseRequest {
  return { kind: 'vault', label: 'New vault passphrase', repeat: 'Repeat the passphrase', isNew: true, check: longEnough('the passphrase') };
}

/**
 * The request for a backup's passphrase: a new one (`backup`) is asked twice and has at least
 * {@link MIN_NEW_PASSPHRASE} characters; an existing backup's (`restore`) is asked once.
 */
export function backupPassphraseRequest(isNew: boolean): PassphraseRequest {
  return { kind: 'backup', label: 'Backup passphrase', isNew, ...(isNew ? { check: longEnough('the backup passphrase') } : {}) };
}

/**
 * The passphrase `source` gives for `request`, checked with `request.check` when it is new.
 *
 * @throws SeeqretError `E_PASSPHRASE_REQUIRED` with `missing`'s message and fix when no source
 *   gives one; what `check` or the source throws.
 */
export async function requirePassphrase(source: PassphraseSource, request: PassphraseRequest, missing: { readonly message: string; readonly fix: string }): Promise<Buffer> {
  const p = await source.passphrase(request);
  if (p === undefined) throw new SeeqretError('E_PASSPHRASE_REQUIRED', missing.message, missing.fix);
  request.check?.(p.toString('utf8'));
  return p;
}
