/**
 * The records and options of the vault's public API (metadata only: no type here carries a key or
 * a database handle).
 *
 * @module
 */
import type { AuditAction } from './audit.js';

/** The one audit entry that stands for a transaction's per-secret entries ({@link Vault.atomically}). */
export interface AtomicSummary {
  readonly action: AuditAction;
  readonly target: string;
  /** Facts to record with the counts (never values). */
  readonly detail?: Record<string, unknown>;
}

/** Metadata of one stored secret (never the value). */
export interface SecretRecord {
  readonly id: number;
  readonly app: string;
  readonly env: string;
  readonly key: string;
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
  readonly version: number;
  readonly type: string;
  /** When this value was set (unix ms). */
  readonly setAt: number;
  /** When it was replaced (unix ms), or `null` for the current value. */
  readonly replacedAt: number | null;
}

/** A vault user (the owner is one). */
export interface UserRecord {
  readonly id: number;
  readonly username: string;
  readonly email: string | null;
  readonly name: string | null;
  /** Standard base64 of the X25519 public key. */
  readonly pubkey: string;
  readonly isOwner: boolean;
  readonly createdAt: number;
  /** When the owner confirmed this user's key fingerprint (`users verify`), else `null`. */
  readonly verifiedAt: number | null;
}

/** An OpenPGP public key stored for `send` (the `pgp_keys` table), under a user or contact name. */
export interface PgpKeyRecord {
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
  readonly app?: string;
  readonly env?: string;
  readonly key: string;
  readonly value: string;
  readonly type?: string;
  /** When the value was set at its origin (unix ms), for transferred values; default: now. */
  readonly updatedAt?: number;
}

/** Outcome of writing one secret. */
export type WriteOutcome = 'added' | 'updated' | 'unchanged' | 'skipped' | 'older';

/** Counts of a bulk write (e.g. importenv). */
export interface ImportSummary {
  added: number;
  updated: number;
  unchanged: number;
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
}

/** Options for creating a vault. */
export interface CreateVaultOptions {
  /** The vault folder itself (created 0700). */
  readonly dir: string;
  readonly username: string;
  readonly email: string;
  readonly name?: string;
  /** Protect the key file with this passphrase (Argon2id). */
  readonly passphrase?: string | Buffer;
  /** Argon2id cost (tests lower it). */
  readonly kdfCost?: { opslimit: number; memlimit: number };
  /** Use this X25519 secret key as the owner's identity (restore, migration) instead of a new one. */
  readonly identitySecretKey?: Buffer;
  /** A server vault (`server init`): the group whose members read it, recorded with the vault. */
  readonly serverGroup?: string;
}

/** One secret sent to one user (the `shares` table). */
export interface ShareRecord {
  readonly bundleId: string;
  readonly username: string;
  readonly pubkey: string;
  readonly app: string;
  readonly env: string;
  readonly key: string;
  readonly version: number;
  readonly at: number;
}

/** A bundle that was loaded (replay protection). */
export interface LoadedBundleRecord {
  readonly bundleId: string;
  readonly sender: string;
  readonly at: number;
  readonly secrets: number;
}

/** A secret with its decrypted value and history, as written to a backup. */
export interface DumpedSecret extends Omit<SecretRecord, 'id'> {
  readonly value: string;
  /** Previous values, newest first. */
  readonly history: ReadonlyArray<{ version: number; type: string; setAt: number; replacedAt: number; value: string }>;
}

/** What can be learnt about a vault folder without unlocking it. */
export interface VaultProbe {
  readonly dir: string;
  readonly exists: boolean;
  readonly passphraseProtected: boolean;
}

