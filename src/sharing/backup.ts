/**
 * Backups: everything needed to rebuild a vault — secrets with history, users, the audit log and
 * optionally the owner's key pair — as JSON, encrypted with a passphrase into an age file (which
 * the standard `age -d` tool decrypts), and optionally also as the old tool's self-decrypting HTML
 * page. See docs/formats.md#backup.
 *
 * @module
 */
import { decryptWithPassphrase, encryptWithPassphrase } from '../crypto/agefile.js';
import { decryptHtmlBackup, renderHtmlBackup } from '../crypto/htmlbackup.js';
import { keyFromBase64, keyToBase64 } from '../crypto/index.js';
import { SeeqretError } from '../errors.js';
import { isEmailAddress } from '../util/email.js';
import { printable } from '../util/text.js';
import type { AuditEntry } from '../vault/audit.js';
import { type DumpedSecret, type LoadedBundleRecord, type PgpKeyRecord, type ShareRecord, type Vault, USERNAME_RE } from '../vault/vault.js';
import { VERSION } from '../version.js';
import { vaultIdentitySecretKey } from '../vault/internal.js';

/** The decrypted content of a backup. */
export interface VaultDump {
  readonly format: 'seeqret-backup';
  readonly version: 1;
  readonly created: number;
  readonly seeqret: string;
  readonly vaultId: string;
  readonly owner: { username: string; email: string | null; name: string | null; pubkey: string };
  readonly users: ReadonlyArray<{ username: string; email: string | null; name: string | null; pubkey: string; verifiedAt: number | null }>;
  readonly secrets: readonly DumpedSecret[];
  readonly audit: readonly AuditEntry[];
  /** Who received which secret, and which bundles were loaded (absent in older backups). */
  readonly shares?: readonly ShareRecord[];
  readonly loadedBundles?: readonly LoadedBundleRecord[];
  /** The OpenPGP keys of `send` recipients (absent in older backups). */
  readonly pgpKeys?: ReadonlyArray<Omit<PgpKeyRecord, 'id'>>;
  /** The owner's X25519 secret key (base64), only with `--include-keys`. */
  readonly identitySecretKey?: string;
}

/** Collect a vault's content for a backup. */
export function dumpVault(v: Vault, opts: { includeKeys?: boolean } = {}): VaultDump {
  const owner = v.owner();
  return {
    format: 'seeqret-backup',
    version: 1,
    created: Date.now(),
    seeqret: VERSION,
    vaultId: v.vaultId,
    owner: { username: owner.username, email: owner.email, name: owner.name, pubkey: owner.pubkey },
    users: v.users().filter((u) => !u.isOwner).map((u) => ({ username: u.username, email: u.email, name: u.name, pubkey: u.pubkey, verifiedAt: u.verifiedAt })),
    secrets: v.dumpSecrets(),
    audit: v.auditLog(),
    ...v.sharingRecords(),
    pgpKeys: v.pgpKeys().map(({ id: _id, ...k }) => k),
    ...(opts.includeKeys ? { identitySecretKey: keyToBase64(vaultIdentitySecretKey(v)) } : {}),
  };
}

/**
 * Run `fn`, which builds the text of a backup: a vault whose backup would be longer than the
 * longest string JavaScript can hold (512 MiB; about 800,000 secrets with short values and their
 * audit entries) is `E_TOO_LARGE`, not an internal error.
 */
function backupText<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    throw new SeeqretError(
      'E_TOO_LARGE',
      'the vault is too large for one backup file: its content would be more than 512 MiB of text, the most seeqret can hold',
      'Copy the vault folder itself instead (vault.db, vault.db-wal and vault.key, while no seeqret command runs) (limits: docs/formats.md#limits).',
      { cause: e },
    );
  }
}

/** Encrypt a dump as an age file (binary, or armored text). */
export async function encryptDump(dump: VaultDump, passphrase: string, opts: { armor?: boolean; logN?: number } = {}): Promise<Uint8Array> {
  return encryptWithPassphrase(backupText(() => Buffer.from(JSON.stringify(dump), 'utf8')), passphrase, opts);
}

/** The self-decrypting HTML page of a dump (opens in any browser, no seeqret needed). */
export function dumpToHtml(dump: VaultDump, passphrase: string, opts: { iterations?: number } = {}): string {
  return backupText(() => renderHtmlBackup(JSON.stringify(dump, null, 2), passphrase, { title: `seeqret backup of ${dump.owner.username}'s vault`, ...opts }));
}

function formatError(why: string): SeeqretError {
  return new SeeqretError('E_BACKUP_FORMAT', `not a valid seeqret backup: ${why}`, 'Check that this is the file `seeqret backup` wrote; use another backup if it is damaged.');
}

/** An address that is not exactly one e-mail address is refused where it enters (never stored, never printed raw). */
function badEmail(email: unknown, what: string): void {
  if (typeof email !== 'string' || email === '' || isEmailAddress(email)) return;
  throw formatError(`${what} is not one e-mail address: '${printable(email.length > 80 ? `${email.slice(0, 80)}…` : email)}'`);
}

/** Bytes as text (lenient UTF-8, as before), `E_TOO_LARGE` beyond the longest JavaScript string. */
function asText(bytes: Uint8Array, what: string): string {
  if (bytes.length > 2 ** 29 - 24) {
    throw new SeeqretError('E_TOO_LARGE', `${what} is more than 512 MiB of text, the most seeqret can hold`, 'Check that this is the file `seeqret backup` wrote (limits: docs/formats.md#limits).');
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

/** Decrypt a backup file (age, armored age, or the HTML page) and validate its content. */
export async function decryptBackup(file: Uint8Array, passphrase: string): Promise<VaultDump> {
  const head = Buffer.from(file.subarray(0, 64)).toString('utf8');
  const text = /^\s*<!doctype html|^\s*<html/i.test(head)
    ? decryptHtmlBackup(asText(file, 'the HTML backup'), passphrase)
    : asText(await decryptWithPassphrase(file, passphrase), 'the decrypted backup');
  return parseDump(text);
}

/** Parsed JSON before it is validated: any field of `T` may be missing or hold anything. */
type Unchecked<T> = Readonly<Partial<Record<keyof T, unknown>>> | null | undefined;

type HistoryEntry = DumpedSecret['history'][number];
type DumpedUser = VaultDump['users'][number];
type DumpedPgpKey = NonNullable<VaultDump['pgpKeys']>[number];

/** `Array.isArray` whose elements are unchecked (the built-in guard would make them `any`). */
function isList<T>(x: unknown): x is readonly Unchecked<T>[] {
  return Array.isArray(x);
}

/** Validate the JSON of a dump. */
export function parseDump(text: string): VaultDump {
  let d: Unchecked<VaultDump>;
  try {
    d = JSON.parse(text) as Unchecked<VaultDump>;
  } catch {
    throw formatError('the content is not JSON');
  }
  if (d?.format !== 'seeqret-backup') throw formatError('no "format": "seeqret-backup"');
  if (d.version !== 1) throw new SeeqretError('E_BACKUP_FORMAT', `backup version ${String(d.version)} is not supported`, 'Upgrade seeqret to restore it.');
  const { secrets, users, audit, shares, loadedBundles, pgpKeys, identitySecretKey } = d;
  const owner = d.owner as Unchecked<VaultDump['owner']>;
  if (!isList<DumpedSecret>(secrets) || !isList<DumpedUser>(users) || !isList<AuditEntry>(audit) || typeof owner?.pubkey !== 'string') throw formatError('missing parts');
  const int = (x: unknown): boolean => Number.isSafeInteger(x);
  if (!(owner.email === null || owner.email === undefined || typeof owner.email === 'string')) throw formatError('the owner has malformed fields');
  badEmail(owner.email, 'the e-mail address of the owner');
  const isText = (x: unknown): boolean => typeof x === 'string';
  const textOrNull = (x: unknown): boolean => x === null || typeof x === 'string';
  const histories: Array<{ name: string; version: number; history: readonly Unchecked<HistoryEntry>[] }> = [];
  for (const s of secrets) {
    if (typeof s?.value !== 'string' || typeof s.app !== 'string' || typeof s.env !== 'string' || typeof s.key !== 'string' || !isList<HistoryEntry>(s.history) || typeof s.version !== 'number' || !Number.isSafeInteger(s.version)) {
      throw formatError('a secret entry is malformed');
    }
    const name = `${s.app}:${s.env}:${s.key}`;
    if (!isText(s.type) || !int(s.createdAt) || !int(s.updatedAt) || !(s.exposedAt === null || s.exposedAt === undefined || int(s.exposedAt)) || !(s.exposedBy === undefined || textOrNull(s.exposedBy))) {
      throw formatError(`${name} has malformed metadata`);
    }
    histories.push({ name, version: s.version, history: s.history });
  }
  const names = new Set<string>();
  const keys = new Set<string>();
  for (const u of users) {
    if (typeof u?.pubkey !== 'string' || !keyFromBase64(u.pubkey)) throw formatError(`user ${JSON.stringify(u?.username)} has no valid public key`);
    if (typeof u.username !== 'string' || !USERNAME_RE.test(u.username)) throw formatError(`user name ${JSON.stringify(u.username)} is not valid`);
    if (!textOrNull(u.email ?? null) || !textOrNull(u.name ?? null) || !(u.verifiedAt === null || u.verifiedAt === undefined || int(u.verifiedAt))) throw formatError(`user ${u.username} has malformed fields`);
    badEmail(u.email, `the e-mail address of user ${u.username}`);
    if (names.has(u.username) || keys.has(u.pubkey)) throw formatError(`user ${u.username} (or its public key) is listed twice`);
    names.add(u.username);
    keys.add(u.pubkey);
  }
  for (const s of histories) {
    const versions = new Set<number>();
    for (const h of s.history) {
      if (typeof h?.version !== 'number' || !Number.isSafeInteger(h.version) || h.version < 1 || h.version >= s.version || typeof h.value !== 'string' || !isText(h.type) || !int(h.setAt) || !int(h.replacedAt) || versions.has(h.version)) {
        throw formatError(`${s.name} has a malformed history entry`);
      }
      versions.add(h.version);
    }
  }
  for (const a of audit) {
    if (!int(a?.at) || !isText(a?.actor) || !isText(a?.action) || !textOrNull(a?.target ?? null) || !textOrNull(a?.detail ?? null)) throw formatError('an audit entry is malformed');
  }
  if ((shares !== undefined && !isList<ShareRecord>(shares)) || (loadedBundles !== undefined && !isList<LoadedBundleRecord>(loadedBundles))) throw formatError('malformed sharing records');
  for (const x of shares ?? []) {
    if (![x?.bundleId, x?.username, x?.pubkey, x?.app, x?.env, x?.key].every(isText) || !int(x?.version) || !int(x?.at)) throw formatError('malformed sharing records');
  }
  for (const x of loadedBundles ?? []) {
    if (!isText(x?.bundleId) || !isText(x?.sender) || !int(x?.at) || !int(x?.secrets)) throw formatError('malformed sharing records');
  }
  if (pgpKeys !== undefined) {
    if (!isList<DumpedPgpKey>(pgpKeys)) throw formatError('malformed PGP keys');
    for (const k of pgpKeys) {
      const ok =
        typeof k?.username === 'string' && USERNAME_RE.test(k.username) && typeof k.fingerprint === 'string' && /^[0-9a-f]{40,64}$/.test(k.fingerprint) &&
        typeof k.email === 'string' && typeof k.armored === 'string' && k.armored.includes('-----BEGIN PGP PUBLIC KEY BLOCK-----') &&
        Array.isArray(k.userIds) && (k.userIds as unknown[]).every((u) => typeof u === 'string') && Number.isSafeInteger(k.createdAt);
      if (!ok) throw formatError(`the PGP key of ${JSON.stringify(k?.username)} is malformed`);
      badEmail(k.email, `the e-mail address of ${k.username}'s PGP key`);
    }
  }
  if (identitySecretKey !== undefined && (typeof identitySecretKey !== 'string' || !keyFromBase64(identitySecretKey))) throw formatError('the included key is malformed');
  return d as VaultDump;
}
