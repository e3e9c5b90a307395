/**
 * The local vault: a SQLite database of encrypted secrets plus the key file that unlocks it.
 *
 * {@link Vault} is a thin facade over the session (src/vault/session.ts: connection, keys,
 * transactions, audit) and the stores of src/vault/stores.ts. All methods are synchronous.
 *
 * @module
 */
import type { AuditAction, AuditCheck, AuditEntry, AuditQuery, CompactResult, CompactSelection } from './audit.js';
import type { RestoreContent, RestoreOptions } from './dump.js';
import { registerSession, registerVaultFactory } from './internal.js';
import { createSession, openSession, probeVault } from './open.js';
import { hostEnvironment } from '../host.js';
import { validateAll } from './rows.js';
import type { SetManyOptions } from './secret-writer.js';
import type { VaultSession } from './session.js';
import { type Stores, openStores } from './stores.js';
import type { AtomicSummary, CreateVaultOptions, DumpedSecret, HistoryEntry, ImportSummary, LoadedBundleRecord, OpenVaultOptions, PgpKeyRecord, RemovedUser, SecretInput, SecretRecord, ShareRecord, UserRecord, VaultProbe, WriteOutcome } from './types.js';
import type { ValueIndex } from './value-index.js';
import type { Filter } from '../filter/index.js';

export * from './types.js';
export { USERNAME_RE, secretLabel } from './rows.js';
export { vaultNotFound } from './open.js';
export { readPassphraseFile as passphraseFromFile } from '../passphrase.js';

/** An open, unlocked vault. Close it when done ({@link Vault.close}). */
export class Vault {
  /** The vault folder. */
  readonly dir: string;
  /** Random id of this vault (hex), recorded in its database and its key file. */
  readonly vaultId: string;
  /** The owner's X25519 public key. */
  readonly publicKey: Buffer;
  readonly #s: VaultSession;
  readonly #st: Stores;
  readonly #index: ValueIndex;

  static {
    registerVaultFactory((session) => new Vault(session));
  }

  private constructor(session: VaultSession) {
    this.#s = session;
    this.dir = session.dir;
    this.vaultId = session.keys.vaultId;
    this.publicKey = session.keys.identity.publicKey;
    this.#st = openStores(session);
    this.#index = this.#st.index;
    registerSession(this, session);
  }

  /** Look at a vault folder without unlocking it. */
  static probe(dir?: string, env: Readonly<Record<string, string | undefined>> = hostEnvironment()): VaultProbe {
    return probeVault(dir, env);
  }

  /** Create a new vault in `opts.dir` (which must not already hold one). */
  static create(opts: CreateVaultOptions): Vault {
    return new Vault(createSession(opts));
  }

  /** Open and unlock an existing vault. */
  static open(opts: OpenVaultOptions = {}): Vault {
    return new Vault(openSession(opts, opts.env ?? hostEnvironment()));
  }

  /**
   * Check that the rows of `tables` (names of the protected tables: users, secrets,
   * secret_history, shares, loaded_bundles, pgp_keys) are the set seeqret last wrote: none
   * removed, added, or put back from an older copy of the database. Reads only their MAC column.
   *
   * @throws SeeqretError `E_TAMPERED` naming the table.
   */
  checkIntegrity(tables: readonly string[]): void {
    this.#s.checkIntegrity(tables);
  }

  /** Every row MAC, every table aggregate and the audit chain, for `doctor`: one line per problem. */
  integrityProblems(): string[] {
    return this.#s.integrityProblems();
  }

  /**
   * Apply the pending schema migrations and, in the same transaction, authenticate the vault as it
   * is now (schema 5: row MACs, table aggregates, the audit head with its length). Returns the
   * versions applied, and where the audit log was already broken before (see
   * {@link rebuildAuditHead}).
   */
  upgradeSchema(): { applied: number[]; auditBrokenAt: number | null } {
    return this.#s.upgradeSchema();
  }

  /** The owner's user record. */
  owner(): UserRecord {
    return this.#st.users.owner();
  }

  /** Every user, the owner first. */
  users(): UserRecord[] {
    return this.#st.users.users();
  }

  /** The user named `username`, or `E_UNKNOWN_USER`. */
  user(username: string): UserRecord {
    return this.#st.users.user(username);
  }

  /** Add a user with an X25519 public key (validated by the caller). */
  addUser(u: { username: string; email?: string | null; name?: string | null; publicKey: Buffer }): UserRecord {
    return this.#st.users.addUser(u);
  }

  /** Record that the owner checked this user's key fingerprint. */
  verifyUser(username: string): UserRecord {
    return this.#st.users.verifyUser(username);
  }

  /**
   * Remove a user (never the owner) or a contact known only by a PGP key, with their PGP key. Every secret they ever received
   * (in a bundle or by `send`) is listed; those whose current value is one they received (not changed since) are marked exposed.
   */
  removeUser(username: string): RemovedUser {
    return this.#st.users.removeUser(username);
  }

  /** Every stored OpenPGP key, by name. */
  pgpKeys(): PgpKeyRecord[] {
    return this.#st.pgp.pgpKeys();
  }

  /** The OpenPGP key stored for `username`, if any. */
  pgpKey(username: string): PgpKeyRecord | undefined {
    return this.#st.pgp.pgpKey(username);
  }

  /**
   * Store an OpenPGP public key (already validated by `src/crypto/pgp.ts`) under `username`: a
   * vault user's name or a contact's. With `user`, the vault user is added in the same transaction.
   *
   * @throws SeeqretError `E_USER_EXISTS` when the name already has a key (unless `replace`) or the
   *   key is stored under another name.
   */
  addPgpKey(
    k: { username: string; fingerprint: string; email: string; userIds: readonly string[]; armored: string },
    opts: { replace?: boolean; user?: { email?: string | null; name?: string | null; publicKey: Buffer } } = {},
  ): PgpKeyRecord {
    return this.#st.pgp.addPgpKey(k, opts);
  }

  /** Record that `records` were e-mailed to `to` in message `messageId`: one `shares` row per secret (so removing them later marks what they had as exposed) and a `send` audit entry (names only). */
  recordSend(to: PgpKeyRecord, messageId: string, records: readonly SecretRecord[], detail: { smtp: string }): void {
    this.#st.shares.recordSend(to, messageId, records, detail);
  }

  /** Secrets marked exposed (a user who had their current value was removed). */
  exposed(): SecretRecord[] {
    return this.#st.secrets.exposed();
  }

  /** Record that `records` were exported to `user` in bundle `bundleId` (and audit it). */
  recordExport(bundleId: string, user: UserRecord, records: readonly SecretRecord[], format: string): void {
    this.#st.shares.recordExport(bundleId, user, records, format);
  }

  /** {@link Vault.recordExport} of several deliveries of the same records (one bundle to one user each), in one write. */
  recordExports(deliveries: ReadonlyArray<{ readonly bundleId: string; readonly user: UserRecord }>, records: readonly SecretRecord[], format: string): void {
    this.#st.shares.recordExports(deliveries, records, format);
  }

  /** True when this sender's bundle with this id was loaded before. */
  bundleLoaded(bundleId: string, senderPubkey: string): boolean {
    return this.#st.shares.bundleLoaded(bundleId, senderPubkey);
  }

  /** Append audit entries for reads the CLI performed (values are never recorded). */
  auditReads(records: readonly SecretRecord[], how: string): void {
    this.#s.auditReads(records, how);
  }

  /** Append audit entries in their own transaction. */
  audit(entries: ReadonlyArray<{ action: AuditAction; target?: string | null; detail?: unknown }>): void {
    this.#s.audit(entries);
  }

  /** Carry over audit entries from a backup (time and actor kept), re-chained onto this log. */
  importAudit(entries: ReadonlyArray<Omit<AuditEntry, 'id'>>): void {
    this.#s.importAudit(entries);
  }

  /** Read the audit log, oldest first. */
  auditLog(q: AuditQuery = {}): AuditEntry[] {
    return this.#s.auditLog(q);
  }

  /** Verify the audit log's hash chain. */
  verifyAudit(): AuditCheck {
    return this.#s.verifyAudit();
  }

  /**
   * Fold the oldest audit entries into one checkpoint entry keyed with the vault's audit key
   * (see {@link compactAudit}): those older than `before`, or all but the newest `keep`.
   *
   * @throws SeeqretError `E_TAMPERED` when the log does not verify (it is never compacted then).
   */
  compactAudit(sel: CompactSelection): CompactResult {
    return this.#s.compactAudit(sel);
  }

  /** Every secret with its value and history, decrypted (for backups). */
  dumpSecrets(): DumpedSecret[] {
    return this.#st.dump.dumpSecrets();
  }

  /**
   * Restore a backup's content in ONE transaction (all or nothing): secrets (a missing one is
   * recreated with its versions and history; an existing one with the same value is `unchanged`;
   * with another value `skipped`, or `updated` with `overwrite`), users not known yet (by name and
   * key; `verified` marks are kept only when `keepVerified`, i.e. into a vault the restore created),
   * and the share and loaded-bundle records.
   */
  restoreAll(r: RestoreContent, opts: RestoreOptions = {}): { summary: ImportSummary; usersAdded: string[] } {
    return this.#st.dump.restoreAll(r, opts);
  }

  /**
   * Check secrets (names, values, types), user names and e-mail addresses as the write methods would, without a
   * vault: importers call it before they create a folder or write anything, so that an input
   * refused on its last entry leaves nothing behind. Throws the error the write would throw.
   */
  static readonly validate: (secrets: Iterable<SecretInput>, users?: Iterable<{ username: string; email?: string | null }>, pgpKeys?: Iterable<{ username: string; email: string }>) => void = validateAll;

  /**
   * Run `fn` — calls of this vault's write methods (`setMany`, `restoreAll`, `addMissingUsers`,
   * `audit`, `importAudit`, …) — in ONE transaction: all their writes and audit entries, or none
   * (a nested write becomes a savepoint of this one).
   *
   * With `summary`, the per-secret entries of those writes (`secret.add`, `secret.update`,
   * `secret.accept`) are counted, not kept, and ONE entry — `summary.action` on `summary.target`,
   * its detail plus `added`/`updated`/`accepted` counts — records them when `fn` returns (none
   * when nothing changed): `importenv` of a million lines holds no million entries until commit.
   */
  atomically<T>(fn: () => T, opts: { summary?: AtomicSummary } = {}): T {
    return this.#s.atomically(fn, opts);
  }

  /** Per user name, key and secret, the newest version sent and when (share records checked: `E_TAMPERED`). */
  heldVersions(): Array<Omit<ShareRecord, 'bundleId'>> {
    return this.#st.shares.heldVersions();
  }

  /** {@link Vault.heldVersions} of `secrets` only, and everyone anything was shared with (one check). */
  heldPage(secrets: ReadonlyArray<{ app: string; env: string; key: string }>): { held: Array<Omit<ShareRecord, 'bundleId'>>; people: string[] } {
    return this.#st.shares.heldPage(secrets);
  }

  /** The record of every share and every loaded bundle (for backups). */
  sharingRecords(): { shares: ShareRecord[]; loadedBundles: LoadedBundleRecord[] } {
    return this.#st.shares.sharingRecords();
  }

  /** Add users that are not known yet (by name or key), unverified; returns the names added. */
  addMissingUsers(users: ReadonlyArray<{ username: string; email: string | null; name: string | null; publicKey: Buffer }>): string[] {
    return this.#st.dump.addMissingUsers(users);
  }

  /** Number of secrets in the vault. */
  count(): number {
    return this.#st.secrets.count();
  }

  /** Secrets matching any of `filters` (metadata only; no filters: none), sorted by app, env, key. */
  find(filters: readonly Filter[]): SecretRecord[] {
    return this.#st.secrets.find(filters);
  }

  /** Every secret (metadata only), sorted by app, env, key. */
  all(): SecretRecord[] {
    return this.#st.secrets.all();
  }

  /** The record of exactly `(app, env, key)`, or `undefined`. */
  lookup(app: string, env: string, key: string): SecretRecord | undefined {
    return this.#st.secrets.lookup(app, env, key);
  }

  /** Decrypt the current value of a secret. */
  reveal(r: SecretRecord): string {
    return this.#st.secrets.reveal(r);
  }

  /**
   * Decrypt the current values of several secrets, in the order given, with {@link Vault.reveal}'s
   * checks (an older value put back is `E_TAMPERED`); one statement per 500 secrets.
   */
  revealMany(records: readonly SecretRecord[]): string[] {
    return this.#st.secrets.revealMany(records);
  }

  /** Versions of a secret, newest first (the current one has `replacedAt: null`). */
  history(r: SecretRecord): HistoryEntry[] {
    return this.#st.secrets.history(r);
  }

  /** Decrypt one version of a secret's value (current or historical). */
  revealVersion(r: SecretRecord, version: number): string {
    return this.#st.secrets.revealVersion(r, version);
  }

  /**
   * Add a secret. If it exists: with `replace` its value is replaced (old value to history),
   * otherwise `E_EXISTS`. Setting the same value again is `unchanged`.
   */
  set(input: SecretInput, opts: { replace?: boolean } = {}): WriteOutcome {
    return this.#st.writer.set(input, opts);
  }

  /**
   * Accept names received from someone else, so that filters export them like the person's own
   * (code-loading variables still only through their own template line). Audited. Returns the
   * records that were pending and are accepted now.
   */
  accept(records: readonly SecretRecord[]): SecretRecord[] {
    return this.#st.writer.accept(records);
  }

  /** Names received from someone else and not accepted yet, with where each came from. */
  pendingNames(): Array<SecretRecord & { origin: string | null }> {
    return this.#st.secrets.pendingNames();
  }

  /**
   * Write many secrets all-or-nothing (one transaction; any invalid entry aborts before writing).
   * Existing secrets with a different value are `updated` with `update`, else `skipped`.
   * With `dryRun` nothing is written and the summary says what would happen.
   */
  setMany(inputs: Iterable<SecretInput>, opts: SetManyOptions = {}): ImportSummary {
    return this.#st.writer.setMany(inputs, opts);
  }

  /** Set a new value on existing secrets (old values to history). Returns how many changed. */
  updateValues(records: readonly SecretRecord[], value: string): number {
    return this.#st.writer.updateValues(records, value);
  }

  /**
   * Rename environment `from` of `app` to `to`: every secret `app:from:KEY` becomes `app:to:KEY`,
   * with its history, versions, times and exposure marks, in ONE transaction (all or nothing).
   *
   * A value's associated data names its app, env, key and version, so each current and historical
   * ciphertext is decrypted and sealed again for the new name (a value that fails authentication
   * aborts the whole rename with `E_DECRYPT`). The share records follow (a user removed later still
   * exposes what they were sent), and the `secret.rename` audit entries (one per secret, folded
   * into one entry naming them all when there are several) record old and new name.
   *
   * @returns The renamed records (with their new env), sorted by key; `[]` when `from` has none.
   * @throws SeeqretError `E_EXISTS` when `app:to:*` already holds a secret (nothing is merged),
   *   `E_USAGE` when `from` equals `to`, `E_INVALID_NAME` for a bad name.
   */
  renameEnvironment(app: string, from: string, to: string): SecretRecord[] {
    return this.#st.writer.renameEnvironment(app, from, to);
  }

  /** Delete secrets (and their history). Returns how many were deleted. */
  remove(records: readonly SecretRecord[]): number {
    return this.#st.writer.remove(records);
  }

  /**
   * Library fast path: the value of `key`, its (app, env) variant chosen by specificity, app
   * before env, an exact name before `*`: `get('DB', { app: 'web', env: 'prod' })` takes
   * `web:prod:DB`, then `web:*:DB`, `*:prod:DB`, `*:*:DB`; `get('DB')` takes `*:*:DB`, else the
   * only variant; a tie at the top is `E_AMBIGUOUS`. Values come from an in-memory index of
   * ciphertexts (see {@link Vault.refresh}); only the chosen value is decrypted.
   */
  get(key: string, where?: { app?: string; env?: string }): string {
    return this.#index.get(key, where?.app, where?.env);
  }

  /**
   * A tag of a file this vault wrote (keyed BLAKE2b-256 with a key derived from the data key and
   * `purpose`), so that a later run can tell whether the file changed since: without the vault key
   * the tag says nothing about the file's content.
   */
  fileTag(purpose: string, content: Uint8Array): Buffer {
    return this.#s.fileTag(purpose, content);
  }

  /** Drop the in-memory index used by {@link Vault.get}, so the next call sees changes made by other processes. */
  refresh(): void {
    this.#index.refresh();
  }

  /** Close the database and wipe the keys from memory. Idempotent. */
  close(): void {
    this.#s.close();
  }
}
