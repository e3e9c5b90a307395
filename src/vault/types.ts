/**
 * The records and options of the vault's public API (metadata only: no type here carries a key or
 * a database handle).
 *
 * @module
 */
import type { AuditAction } from './audit.js';

/** The one audit entry that stands for a transaction's per-secret entries ({@link Vault.atomically}). */
export interface AtomicSummary {
  /** The action of the one entry. */
  readonly action: AuditAction;
  /** What the entry is about (a file, a user, a bundle). */
  readonly target: string;
  /** Facts to record with the counts (never values). */
  readonly detail?: Record<string, unknown>;
}

/** Metadata of one stored secret (never the value). */
export interface SecretRecord {
  /** Row id in this vault (not stable across vaults). */
  readonly id: number;
  /** Application name, or `*` (global). */
  readonly app: string;
  /** Environment name, or `*` (global). */
  readonly env: string;
  /** Key name. */
  readonly key: string;
  /** Value type: `str`, `text`, … (a lower-case word). */
  readonly type: string;
  /** Unix milliseconds. */
  readonly createdAt: number;
  /** Unix milliseconds of the last value change. */
  readonly updatedAt: number;
  /** 1 for the first value; incremented on every change. */
  readonly version: number;
  /** When a user who received the current value was removed (unix ms), else `null`. */
  readonly exposedAt: number | null;
  /** The removed user whose removal exposed it. */
  readonly exposedBy: string | null;
  /**
   * True for a name that arrived from someone else (load, inbox, team pull, restore of another
   * vault's backup, import-vault, ss import) and that this person has not accepted yet: a filter
   * that does not name it exactly does not export it ({@link Vault.accept}).
   */
  readonly pending: boolean;
}

/** One version of a secret's value, as listed by {@link Vault.history}. */
export interface HistoryEntry {
  /** The version number (1 for the first value). */
  readonly version: number;
  /** The value type of this version. */
  readonly type: string;
  /** When this value was set (unix ms). */
  readonly setAt: number;
  /** When it was replaced (unix ms), or `null` for the current value. */
  readonly replacedAt: number | null;
}

/** A vault user (the owner is one). */
export interface UserRecord {
  /** Row id in this vault. */
  readonly id: number;
  /** The user's name in this vault (letters, digits and `. _ @ + -`). */
  readonly username: string;
  /** E-mail address, if known. */
  readonly email: string | null;
  /** Display name, if given. */
  readonly name: string | null;
  /** Standard base64 of the X25519 public key. */
  readonly pubkey: string;
  /** True for the vault's owner (exactly one user). */
  readonly isOwner: boolean;
  /** When the user was added (unix ms). */
  readonly createdAt: number;
  /** When the owner confirmed this user's key fingerprint (`users verify`), else `null`. */
  readonly verifiedAt: number | null;
}

/** An OpenPGP public key stored for `send` (the `pgp_keys` table), under a user or contact name. */
export interface PgpKeyRecord {
  /** Row id in this vault. */
  readonly id: number;
  /** A vault user's name, or a contact known only by this key. */
  readonly username: string;
  /** The primary key's fingerprint, lower-case hex. */
  readonly fingerprint: string;
  /** The address `send` mails to. */
  readonly email: string;
  /** The key's user IDs (`Name <address>`). */
  readonly userIds: readonly string[];
  /** The ASCII-armored public key. */
  readonly armored: string;
  /** When the key was stored (unix ms). */
  readonly createdAt: number;
}

/** The `shares.pubkey` of a secret sent by e-mail: this prefix and the PGP key's fingerprint. */
export const PGP_SHARE_PREFIX = 'openpgp:';

/** What {@link Vault.removeUser} found: every secret the user ever received, and those now marked exposed. */
export interface RemovedUser {
  /** The vault user removed (`null` for a contact that only had a PGP key). */
  readonly user: UserRecord | null;
  /** The PGP key removed with them, if they had one. */
  readonly pgpKey: PgpKeyRecord | null;
  /** Distinct `app:env:key` the user received, with the newest version sent. */
  readonly received: ReadonlyArray<{ app: string; env: string; key: string; version: number; at: number }>;
  /** Secrets whose current value the user had: marked exposed until changed. */
  readonly exposed: readonly SecretRecord[];
}

/** A secret to write. `app`/`env` default to `*` (global). */
export interface SecretInput {
  /** Application name; default `*` (global). */
  readonly app?: string;
  /** Environment name; default `*` (global). */
  readonly env?: string;
  /** Key name. */
  readonly key: string;
  /** The value (UTF-8 text). */
  readonly value: string;
  /** Value type; default `str`. */
  readonly type?: string;
  /** When the value was set at its origin (unix ms), for transferred values; default: now. */
  readonly updatedAt?: number;
}

/** Outcome of writing one secret. */
export type WriteOutcome = 'added' | 'updated' | 'unchanged' | 'skipped' | 'older';

/** Counts of a bulk write (e.g. importenv). */
export interface ImportSummary {
  /** Names that did not exist and were added. */
  added: number;
  /** Existing names whose value was replaced. */
  updated: number;
  /** Existing names that already had this value. */
  unchanged: number;
  /** Existing names with another value, left as they were (no replace asked). */
  skipped: number;
  /** Entries older than the value already here (a delayed or replayed transfer), not applied. */
  older: number;
  /** Per entry, in input order. */
  readonly outcomes: Array<{ app: string; env: string; key: string; outcome: WriteOutcome }>;
}

/** Options for opening an existing vault. */
export interface OpenVaultOptions {
  /** Vault folder; default: `SEEQRET` environment variable, else `~/.seeqret`. */
  readonly dir?: string;
  /** Passphrase of a protected vault; default: `passphraseFile`, then `SEEQRET_PASSPHRASE`. */
  readonly passphrase?: string | Buffer;
  /** File whose content (one trailing newline stripped) is the passphrase. */
  readonly passphraseFile?: string;
  /** Open the database read-only. */
  readonly readonly?: boolean;
  /** Accept an older schema (for `upgrade` and `doctor` only). */
  readonly allowOutdatedSchema?: boolean;
  /**
   * The environment `SEEQRET` (the default folder), `HOME` and `SEEQRET_PASSPHRASE` are read
   * from; default: the process's.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Options for creating a vault. */
export interface CreateVaultOptions {
  /** The vault folder itself (created 0700). */
  readonly dir: string;
  /** The owner's user name. */
  readonly username: string;
  /** The owner's e-mail address (may be empty). */
  readonly email: string;
  /** The owner's display name. */
  readonly name?: string;
  /** Protect the key file with this passphrase (Argon2id). */
  readonly passphrase?: string | Buffer;
  /** Argon2id cost (tests lower it). */
  readonly kdfCost?: { opslimit: number; memlimit: number };
  /** A server vault (`server init`): the group whose members read it, recorded with the vault. */
  readonly serverGroup?: string;
}

/** One secret sent to one user (the `shares` table). */
export interface ShareRecord {
  /** The bundle, or the message id of a `send`. */
  readonly bundleId: string;
  /** The user the secret went to or came from. */
  readonly username: string;
  /** Their public key (base64), or `openpgp:` and a PGP fingerprint. */
  readonly pubkey: string;
  /** Application of the secret. */
  readonly app: string;
  /** Environment of the secret. */
  readonly env: string;
  /** Key of the secret. */
  readonly key: string;
  /** The version that was shared. */
  readonly version: number;
  /** When (unix ms). */
  readonly at: number;
}

/** A bundle that was loaded (replay protection). */
export interface LoadedBundleRecord {
  /** The bundle's id. */
  readonly bundleId: string;
  /** The sender's public key (base64). */
  readonly sender: string;
  /** When it was loaded (unix ms). */
  readonly at: number;
  /** How many secrets it held. */
  readonly secrets: number;
}

/** A secret with its decrypted value and history, as written to a backup. */
export interface DumpedSecret extends Omit<SecretRecord, 'id'> {
  /** The current value. */
  readonly value: string;
  /** Previous values, newest first. */
  readonly history: ReadonlyArray<{ version: number; type: string; setAt: number; replacedAt: number; value: string }>;
}

/** What can be learnt about a vault folder without unlocking it. */
export interface VaultProbe {
  /** The vault folder looked at. */
  readonly dir: string;
  /** True when it holds a vault database. */
  readonly exists: boolean;
  /** True when its key file needs a passphrase. */
  readonly passphraseProtected: boolean;
}

