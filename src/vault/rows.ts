/**
 * The vault's row shapes and the checks shared by its stores (internal: not part of the package's
 * exports).
 *
 * @module
 */
import { SeeqretError } from '../errors.js';
import { checkEmail, checkOptionalEmail } from '../util/email.js';
import { GLOBAL, checkName, isWellFormed } from './names.js';
import { protectedTable } from './integrity.js';
import type { SecretInput, SecretRecord, UserRecord } from './types.js';

/** A validated secret to write. */
export interface PutInput {
  readonly app: string;
  readonly env: string;
  readonly key: string;
  readonly value: string;
  readonly type: string;
  readonly updatedAt?: number;
}

/**
 * Whose name a write is: `own` (typed by this person: a new name is accepted, an existing pending
 * one becomes theirs), `keep` (acceptance left as it is), or received from someone else (a new
 * name starts pending, with this origin — or, with `accept`, is accepted in the same write
 * because the person said so beforehand; an existing name keeps its state).
 */
export type Acceptance = 'own' | 'keep' | { readonly received: string; readonly accept?: boolean };

const VALUE_AD_PREFIX = 'seeqret/value/v1\0';
export const SECRET_COLS = 'id, app, env, key, type, created_at AS createdAt, updated_at AS updatedAt, version, exposed_at AS exposedAt, exposed_by AS exposedBy, pending';
/** The columns of the covering `secrets_listing` index, in {@link SecretRecord} order. */
export const LISTING_COLS = 'id, app, env, key, type, created_at, updated_at, version, exposed_at, exposed_by, pending';
/** Every column a row MAC covers, and the MAC. */
export const macCols = (table: string): string => `${protectedTable(table).cols.join(', ')}, mac`;
export const USERS_T = protectedTable('users');
export const SECRETS_T = protectedTable('secrets');
export const HISTORY_T = protectedTable('secret_history');
export const LOADED_T = protectedTable('loaded_bundles');
export const PGP_T = protectedTable('pgp_keys');
export const SHARES_T = protectedTable('shares');

/** A secrets row as stored (every column). */
export interface SecretRow {
  id: number;
  app: string;
  env: string;
  key: string;
  type: string;
  version: number;
  created_at: number;
  updated_at: number;
  exposed_at: number | null;
  exposed_by: string | null;
  pending: number;
  origin: string | null;
  value: Buffer;
  mac: Buffer | null;
}

/** The record of a stored row (metadata only). */
export function recordOf(r: SecretRow): SecretRecord {
  return {
    id: r.id, app: r.app, env: r.env, key: r.key, type: r.type, createdAt: r.created_at, updatedAt: r.updated_at,
    version: r.version, exposedAt: r.exposed_at, exposedBy: r.exposed_by, pending: r.pending === 1,
  };
}

/** The record of a stored users row. */
export function userOf(r: Record<string, unknown>): UserRecord {
  return {
    id: r['id'] as number, username: r['username'] as string, email: r['email'] as string | null, name: r['name'] as string | null,
    pubkey: r['pubkey'] as string, isOwner: r['is_owner'] === 1, createdAt: r['created_at'] as number, verifiedAt: r['verified_at'] as number | null,
  };
}

/** Associated data binding a sealed value to its row and version. */
export function valueAd(app: string, env: string, key: string, version: number): Buffer {
  return Buffer.from(`${VALUE_AD_PREFIX}${app}\0${env}\0${key}\0${version}`, 'utf8');
}

/** Associated data of the key-check value in `meta`. */
export function keyCheckAd(vaultId: string): Buffer {
  return Buffer.from(`seeqret/keycheck/v1\0${vaultId}`, 'utf8');
}

/** Throw `E_USAGE` unless `name` is an acceptable user name. */
export function checkUsername(name: string): void {
  if (!USERNAME_RE.test(name) || name.includes('..')) {
    throw new SeeqretError('E_USAGE', `bad user name ${JSON.stringify(name)}`, 'User names use letters, digits and . _ @ + - (e.g. alice or alice@laptop).');
  }
}

/** What a user name may contain (it is used in file names and messages). */
export const USERNAME_RE = /^[A-Za-z0-9._@+-]{1,64}$/;

/** The fix of a secret that is not there: look at what exists. */
export const LIST_SECRETS = { fix: 'Call `all` or `find` to see what exists.', options: { remedy: { id: 'list-secrets' } } } as const;

/** Format `app:env:key` for messages. */
export function secretLabel(r: { app: string; env: string; key: string }): string {
  return `${r.app}:${r.env}:${r.key}`;
}

/** Check one secret to write (names, value, type) as every write does; returns it with defaults applied. */
export function validateSecret(input: SecretInput): PutInput {
  const app = checkName('app', input.app ?? GLOBAL);
  const env = checkName('env', input.env ?? GLOBAL);
  const key = checkName('key', input.key);
  if (typeof input.value !== 'string' || !isWellFormed(input.value)) {
    throw new SeeqretError('E_BAD_VALUE', `the value for ${app}:${env}:${key} is not valid Unicode text`, 'Values must be UTF-8 text; base64-encode binary data first.');
  }
  const type = input.type ?? 'str';
  if (!/^[a-z][a-z0-9_]{0,31}$/.test(type)) throw new SeeqretError('E_USAGE', `bad secret type '${type}'`, "Types are lower-case words such as 'str' or 'text'.");
  const updatedAt = input.updatedAt !== undefined && Number.isSafeInteger(input.updatedAt) && input.updatedAt > 0 ? input.updatedAt : undefined;
  return { app, env, key, value: input.value, type, ...(updatedAt ? { updatedAt } : {}) };
}

/** Check user names and e-mail addresses as {@link checkUsername} and the e-mail checks do. */
export function validateUsers(users: Iterable<{ username: string; email?: string | null }>, pgpKeys: Iterable<{ username: string; email: string }> = []): void {
  for (const u of users) {
    checkUsername(u.username);
    checkOptionalEmail(u.email, `the e-mail address of ${u.username}`);
  }
  for (const k of pgpKeys) checkEmail(k.email, `the e-mail address of ${k.username}'s PGP key`);
}

/** Check secrets, users and PGP keys as the write methods would ({@link Vault.validate}). */
export function validateAll(
  secrets: Iterable<SecretInput>,
  users: Iterable<{ username: string; email?: string | null }> = [],
  pgpKeys: Iterable<{ username: string; email: string }> = [],
): void {
  for (const s of secrets) validateSecret(s);
  validateUsers(users, pgpKeys);
}

/** ` (app A, env E)` for messages about a {@link Vault.get} that found nothing or too much. */
export function describeWhere(where: { app?: string; env?: string }): string {
  const parts: string[] = [];
  if (where.app !== undefined) parts.push(`app ${where.app}`);
  if (where.env !== undefined) parts.push(`env ${where.env}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}
