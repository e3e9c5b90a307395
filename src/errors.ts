/**
 * Typed errors shared by the library and the CLI.
 *
 * Every failure seeqret reports carries a stable `code` (never renamed once released), a one-line
 * `message` that never contains a secret value, and a one-line `fix` telling the user what to do.
 * The CLI maps each code to a documented process exit code (see docs/errors.md).
 *
 * @module
 */

/** Exit codes used by the CLI, grouped by kind of failure. */
export const ExitCode = {
  OK: 0,
  /** An unexpected internal error (a bug); rerun with --debug and report it. */
  INTERNAL: 1,
  /** Bad command-line usage, bad option, bad filter or name. */
  USAGE: 2,
  /** Nothing matched, or the vault / a file does not exist. */
  NOT_FOUND: 3,
  /** A filter matched several secrets where exactly one was required. */
  AMBIGUOUS: 4,
  /** Something already exists or the request conflicts with the current state. */
  CONFLICT: 5,
  /** Cryptographic or authentication failure: wrong passphrase, tampered data, wrong key. */
  CRYPTO: 6,
  /** The vault storage is damaged, unreadable, or has unsafe permissions that block use. */
  STORAGE: 7,
  /** The vault was written by a newer seeqret, or needs `seeqret upgrade`. */
  VERSION: 8,
  /** The user declined a confirmation; nothing was changed. */
  ABORTED: 9,
  /** An input file or value is malformed (dotenv, env.template, non-UTF-8 value...). */
  BAD_INPUT: 10,
  /** A network service (an SMTP server) could not be reached, refused the connection or the login, or failed. */
  NETWORK: 11,
  /**
   * Ctrl-C (SIGINT) or SIGTERM while a prompt waited for an answer: the command stopped there.
   * 130 = 128 + SIGINT, as shells report a command ended by Ctrl-C.
   */
  INTERRUPTED: 130,
} as const;

/** One of the process exit codes of {@link ExitCode}. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * Stable error codes and the exit code each maps to.
 *
 * Each exit code is written as its number, checked against its {@link ExitCode} name by
 * `satisfies` (which the build removes): an object literal of constants is made from its
 * template, where one of 94 values read from `ExitCode` made V8 build and widen the object's
 * shape property by property at every start (~0.4 M instructions of a `seeqret get`, in each of
 * its two bundles; decision 75).
 */
export const ERROR_CODES = {
  E_INTERNAL: 1 satisfies typeof ExitCode.INTERNAL,
  E_USAGE: 2 satisfies typeof ExitCode.USAGE,
  E_INVALID_NAME: 2 satisfies typeof ExitCode.USAGE,
  E_FILTER_SYNTAX: 2 satisfies typeof ExitCode.USAGE,
  E_NO_TTY: 2 satisfies typeof ExitCode.USAGE,
  E_VAULT_NOT_FOUND: 3 satisfies typeof ExitCode.NOT_FOUND,
  E_NOT_FOUND: 3 satisfies typeof ExitCode.NOT_FOUND,
  E_FILE_NOT_FOUND: 3 satisfies typeof ExitCode.NOT_FOUND,
  E_AMBIGUOUS: 4 satisfies typeof ExitCode.AMBIGUOUS,
  E_EXISTS: 5 satisfies typeof ExitCode.CONFLICT,
  E_VAULT_EXISTS: 5 satisfies typeof ExitCode.CONFLICT,
  E_IN_VCS: 5 satisfies typeof ExitCode.CONFLICT,
  E_NEEDS_ALL: 5 satisfies typeof ExitCode.CONFLICT,
  E_SYMLINK: 5 satisfies typeof ExitCode.CONFLICT,
  E_FILE_CHANGED: 5 satisfies typeof ExitCode.CONFLICT,
  E_PASSPHRASE_REQUIRED: 6 satisfies typeof ExitCode.CRYPTO,
  E_WRONG_PASSPHRASE: 6 satisfies typeof ExitCode.CRYPTO,
  E_DECRYPT: 6 satisfies typeof ExitCode.CRYPTO,
  E_KEY_MISSING: 6 satisfies typeof ExitCode.CRYPTO,
  E_KEY_INVALID: 6 satisfies typeof ExitCode.CRYPTO,
  E_KEY_MISMATCH: 6 satisfies typeof ExitCode.CRYPTO,
  E_VAULT_CORRUPT: 7 satisfies typeof ExitCode.STORAGE,
  E_VAULT_LOCKED: 7 satisfies typeof ExitCode.STORAGE,
  E_LOCKED: 7 satisfies typeof ExitCode.STORAGE,
  E_IO: 7 satisfies typeof ExitCode.STORAGE,
  E_PERMISSIONS: 7 satisfies typeof ExitCode.STORAGE,
  E_SCHEMA_NEWER: 8 satisfies typeof ExitCode.VERSION,
  E_SCHEMA_OUTDATED: 8 satisfies typeof ExitCode.VERSION,
  E_TEMPLATE_VERSION: 8 satisfies typeof ExitCode.VERSION,
  E_ABORTED: 9 satisfies typeof ExitCode.ABORTED,
  E_INTERRUPTED: 130 satisfies typeof ExitCode.INTERRUPTED,
  E_DOTENV_SYNTAX: 10 satisfies typeof ExitCode.BAD_INPUT,
  E_TEMPLATE_SYNTAX: 10 satisfies typeof ExitCode.BAD_INPUT,
  E_TEMPLATE_DUPLICATE: 10 satisfies typeof ExitCode.BAD_INPUT,
  E_TEMPLATE_UNMATCHED: 10 satisfies typeof ExitCode.BAD_INPUT,
  E_BAD_VALUE: 10 satisfies typeof ExitCode.BAD_INPUT,
  E_EMPTY_VALUE: 10 satisfies typeof ExitCode.BAD_INPUT,
  E_DIALECT: 10 satisfies typeof ExitCode.BAD_INPUT,
  E_TOO_LARGE: 10 satisfies typeof ExitCode.BAD_INPUT,
  // Sharing, backup, migration
  E_BAD_KEY: 2 satisfies typeof ExitCode.USAGE,
  E_UNKNOWN_USER: 3 satisfies typeof ExitCode.NOT_FOUND,
  E_USER_EXISTS: 5 satisfies typeof ExitCode.CONFLICT,
  E_BUNDLE_REPLAY: 5 satisfies typeof ExitCode.CONFLICT,
  E_FINGERPRINT_MISMATCH: 6 satisfies typeof ExitCode.CRYPTO,
  E_BUNDLE_AUTH: 6 satisfies typeof ExitCode.CRYPTO,
  E_TAMPERED: 6 satisfies typeof ExitCode.CRYPTO,
  E_BUNDLE_RECIPIENT: 6 satisfies typeof ExitCode.CRYPTO,
  E_BUNDLE_FORMAT: 10 satisfies typeof ExitCode.BAD_INPUT,
  E_BACKUP_PASSPHRASE: 6 satisfies typeof ExitCode.CRYPTO,
  E_BACKUP_FORMAT: 10 satisfies typeof ExitCode.BAD_INPUT,
  E_V1_VAULT: 10 satisfies typeof ExitCode.BAD_INPUT,
  // Projects (psec-style environments and descriptions)
  E_PROJECT: 10 satisfies typeof ExitCode.BAD_INPUT,
  E_NO_PROJECT: 3 satisfies typeof ExitCode.NOT_FOUND,
  E_NO_ENVIRONMENT: 2 satisfies typeof ExitCode.USAGE,
  // SecureStore v3 vaults
  E_SS_WRONG_KEY: 6 satisfies typeof ExitCode.CRYPTO,
  E_SS_AUTH: 6 satisfies typeof ExitCode.CRYPTO,
  E_SS_KEY_FILE: 6 satisfies typeof ExitCode.CRYPTO,
  E_SS_VERSION: 8 satisfies typeof ExitCode.VERSION,
  E_SS_FORMAT: 10 satisfies typeof ExitCode.BAD_INPUT,
  // run, template, send (psec milestone)
  E_TEMPLATE_UNDEFINED: 10 satisfies typeof ExitCode.BAD_INPUT,
  E_PGP_KEY: 10 satisfies typeof ExitCode.BAD_INPUT,
  E_NO_PGP_KEY: 3 satisfies typeof ExitCode.NOT_FOUND,
  E_SMTP: 11 satisfies typeof ExitCode.NETWORK,
  // Project commands (set, generate, describe, ...)
  E_NOT_DESCRIBED: 3 satisfies typeof ExitCode.NOT_FOUND,
  E_COMMAND_FAILED: 10 satisfies typeof ExitCode.BAD_INPUT,
  // Team store (protected.yaml)
  E_TEAM_FORMAT: 10 satisfies typeof ExitCode.BAD_INPUT,
  E_TEAM_VERSION: 8 satisfies typeof ExitCode.VERSION,
  E_TEAM_CREDENTIALS: 6 satisfies typeof ExitCode.CRYPTO,
  E_TEAM_NOT_OWNER: 6 satisfies typeof ExitCode.CRYPTO,
  E_TEAM_LAST_OWNER: 5 satisfies typeof ExitCode.CONFLICT,
  E_TEAM_SIGNATURE: 6 satisfies typeof ExitCode.CRYPTO,
  E_TEAM_UNTRUSTED: 6 satisfies typeof ExitCode.CRYPTO,
  E_TEAM_ROLLBACK: 6 satisfies typeof ExitCode.CRYPTO,
  // Relay (docs/relay.md)
  E_RELAY_AUTH: 6 satisfies typeof ExitCode.CRYPTO,
  E_RELAY_REPLAY: 6 satisfies typeof ExitCode.CRYPTO,
  E_RELAY_STALE: 6 satisfies typeof ExitCode.CRYPTO,
  E_RELAY_REMOVED: 6 satisfies typeof ExitCode.CRYPTO,
  E_RELAY_FORBIDDEN: 6 satisfies typeof ExitCode.CRYPTO,
  E_RELAY_INVITATION: 6 satisfies typeof ExitCode.CRYPTO,
  E_RELAY_SENDER: 6 satisfies typeof ExitCode.CRYPTO,
  E_RELAY_KEY_CHANGED: 6 satisfies typeof ExitCode.CRYPTO,
  E_RELAY_NOT_MEMBER: 3 satisfies typeof ExitCode.NOT_FOUND,
  E_RELAY_NOT_JOINED: 3 satisfies typeof ExitCode.NOT_FOUND,
  E_RELAY_REQUEST: 10 satisfies typeof ExitCode.BAD_INPUT,
  E_RELAY_TOO_LARGE: 10 satisfies typeof ExitCode.BAD_INPUT,
  E_RELAY_UNREACHABLE: 11 satisfies typeof ExitCode.NETWORK,
  E_RELAY_RATE: 11 satisfies typeof ExitCode.NETWORK,
  E_RELAY_STORAGE: 7 satisfies typeof ExitCode.STORAGE,
  E_WATCH_ONLY: 5 satisfies typeof ExitCode.CONFLICT,
  E_REFERENCE_SYNTAX: 10 satisfies typeof ExitCode.BAD_INPUT,
  E_REFERENCE_UNRESOLVED: 3 satisfies typeof ExitCode.NOT_FOUND,
  // scan and hook (docs/commands/scan.md)
  E_NOT_A_REPO: 3 satisfies typeof ExitCode.NOT_FOUND,
  E_UI_ADDRESS: 2 satisfies typeof ExitCode.USAGE,
  E_UI_REFUSED: 6 satisfies typeof ExitCode.CRYPTO,
} as const satisfies Record<string, ExitCodeValue>;

/** A stable seeqret error code such as `E_NOT_FOUND`. */
export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * A remedy the library names in its own terms (its {@link SeeqretError.fix}) and a front end words
 * in its own (the CLI with its flags and commands: src/cli/remedies.ts). `arg` is the name or
 * folder the remedy is about, when it has one.
 */
export interface Remedy {
  /** Which remedy. */
  readonly id: 'replace-secret' | 'replace-pgp-key' | 'reset-value' | 'list-secrets' | 'list-versions' | 'list-users' | 'remove-user' | 'remove-pgp-owner' | 'vault-folder' | 'vault-folder-inside' | 'reimport-pgp-key' | 'renew-pgp-key';
  /** The user name or folder the remedy names, if any. */
  readonly arg?: string;
}

/**
 * The one error type seeqret throws on purpose.
 *
 * `message` and `fix` are single lines and never include a secret value.
 */
export class SeeqretError extends Error {
  /** Always `SeeqretError`. */
  override readonly name = 'SeeqretError';
  /** Stable code, e.g. `E_NOT_FOUND`. */
  readonly code: ErrorCode;
  /** Suggested fix, one line. */
  readonly fix: string;
  /** Process exit code the CLI uses for this error. */
  readonly exitCode: ExitCodeValue;
  /** The remedy `fix` describes, when a front end words it its own way (see {@link Remedy}). */
  readonly remedy?: Remedy;

  /**
   * @param code - the stable code; it decides {@link SeeqretError.exitCode}
   * @param message - what went wrong, one line, never a secret value
   * @param fix - what to do about it, one line
   * @param options - `cause`: the underlying error, if any; `remedy`: what `fix` proposes
   */
  constructor(code: ErrorCode, message: string, fix: string, options?: { cause?: unknown; remedy?: Remedy }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.fix = fix;
    this.exitCode = ERROR_CODES[code];
    if (options?.remedy !== undefined) this.remedy = options.remedy;
  }
}

/** True when `e` is a {@link SeeqretError} (optionally with the given code). */
export function isSeeqretError(e: unknown, code?: ErrorCode): e is SeeqretError {
  return e instanceof SeeqretError && (code === undefined || e.code === code);
}
