/**
 * Reading a whole vault folder of the old seeqret tool (schema version 7) for `import-vault`:
 * its SQLite database (opened read-only; nothing in the old folder is ever changed), its Fernet
 * key for the stored values, and its X25519 identity key files.
 *
 * Old layout (the folder `$SEEQRET`, normally `DIR/seeqret/`): `seeqrets.db`, `private.key` and
 * `public.key` (standard base64 of 32 bytes), `seeqret.key` (a Fernet key). The owner is the user
 * row with id 1. The extra `root` row the old tool needs to run as root (same public key as the
 * owner) is dropped. Every failure is `E_V1_VAULT` with a one-line message naming the file (and,
 * for a value, its `app:env:key`), never a value.
 *
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import { constantTimeEqual, keyFromBase64, publicKeyOf, wipe } from '../crypto/index.js';
import { fernetDecrypt, isFernetKey } from '../crypto/fernet.js';
import { SeeqretError } from '../errors.js';
import { isEmailAddress } from '../util/email.js';
import { checkFileSize, readFileCapped } from '../util/read-capped.js';
import { openDatabase, type Database } from '../vault/sqlite.js';
import type { V1Secret, V1User } from './v1.js';

/** Everything {@link readV1Vault} recovers from an old vault folder. */
export interface V1VaultContents {
  /** The vault owner (users row id 1). */
  owner: V1User;
  /** The other users the owner knows (without the owner and the owner's `root` alias), by id. */
  users: V1User[];
  /** Every secret, decrypted, ordered by row id. */
  secrets: V1Secret[];
  /** The owner's X25519 key pair from `private.key`/`public.key`. Wipe `secretKey` after use. */
  identity: { publicKey: Buffer; secretKey: Buffer };
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const FIX = 'Check that the folder is an intact seeqret 1.x vault (the folder holding seeqrets.db), e.g. from a backup.';

function fail(message: string, cause?: unknown): SeeqretError {
  return new SeeqretError('E_V1_VAULT', message.replace(/[\r\n]+/g, ' '), FIX, cause === undefined ? undefined : { cause });
}

/** A name made safe for a one-line message. */
function show(s: string): string {
  return s.replace(/[\p{Cc}\u2028\u2029]/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function readText(file: string): string {
  try {
    return readFileCapped(file, 'keyFile').toString('utf8');
  } catch (e) {
    if (e instanceof SeeqretError && e.code === 'E_TOO_LARGE') throw e;
    const code = ((e as SeeqretError).cause as NodeJS.ErrnoException | undefined)?.code;
    throw fail(code === 'ENOENT' ? `${file} does not exist` : `cannot read ${file} (${code ?? 'error'})`, e);
  }
}

function columnsOf(db: Database.Database, table: string): Set<string> {
  const rows = db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as { name: string }[];
  return new Set(rows.map((r) => r.name));
}

function optionalText(v: unknown): string | null | undefined {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? v : undefined;
}

/**
 * Read an old seeqret vault folder: `dir` is the folder holding `seeqrets.db` (the old `$SEEQRET`);
 * its parent (holding `seeqret/`) is accepted too.
 *
 * @returns the owner, the other users, all secrets decrypted (strict UTF-8) and the identity keys.
 * @throws SeeqretError `E_V1_VAULT` when a file is missing or unreadable, the database is not an
 *   old seeqret database, a key file is malformed, `public.key` does not belong to
 *   `private.key` or to the owner row, a user's public key is malformed, or a value does not
 *   decrypt to UTF-8 text.
 */
export function readV1Vault(dir: string): V1VaultContents {
  let folder = path.resolve(dir);
  if (!fs.existsSync(path.join(folder, 'seeqrets.db')) && fs.existsSync(path.join(folder, 'seeqret', 'seeqrets.db'))) {
    folder = path.join(folder, 'seeqret');
  }
  const dbFile = path.join(folder, 'seeqrets.db');
  const privFile = path.join(folder, 'private.key');
  const pubFile = path.join(folder, 'public.key');
  const fernetFile = path.join(folder, 'seeqret.key');

  // Key files first: nothing is decrypted unless they are sound.
  const secretKey = keyFromBase64(readText(privFile));
  if (!secretKey) throw fail(`${privFile} is not standard base64 of a 32-byte key`);
  const publicKey = keyFromBase64(readText(pubFile));
  if (!publicKey) {
    wipe(secretKey);
    throw fail(`${pubFile} is not standard base64 of a 32-byte key`);
  }
  const derived = publicKeyOf(secretKey);
  if (!constantTimeEqual(derived, publicKey)) {
    wipe(secretKey);
    throw fail(`${pubFile} is not the public key of ${privFile}`);
  }
  const fernetKey = readText(fernetFile).trim();
  if (!isFernetKey(fernetKey)) {
    wipe(secretKey);
    throw fail(`${fernetFile} is not a Fernet key (urlsafe base64 of 32 bytes)`);
  }

  try {
    if (!fs.existsSync(dbFile)) throw fail(`${dbFile} does not exist`);
    checkFileSize(dbFile, 'v1Database');
    let db: Database.Database;
    try {
      db = openDatabase(dbFile, { readonly: true, fileMustExist: true });
    } catch (e) {
      throw fail(`cannot open ${dbFile} read-only as a SQLite database`, e);
    }
    try {
      return readDb(db, dbFile, fernetFile, fernetKey, secretKey, publicKey);
    } catch (e) {
      if (e instanceof SeeqretError) throw e;
      throw fail(`${dbFile} is not a readable seeqret 1.x database`, e);
    } finally {
      db.close();
    }
  } catch (e) {
    wipe(secretKey);
    throw e;
  }
}

function readDb(
  db: Database.Database,
  dbFile: string,
  fernetFile: string,
  fernetKey: string,
  secretKey: Buffer,
  publicKey: Buffer,
): V1VaultContents {
  const userCols = columnsOf(db, 'users');
  const secretCols = columnsOf(db, 'secrets');
  for (const c of ['id', 'username', 'pubkey']) {
    if (!userCols.has(c)) throw fail(`${dbFile} has no users table with a ${c} column`);
  }
  for (const c of ['id', 'app', 'env', 'key', 'value']) {
    if (!secretCols.has(c)) throw fail(`${dbFile} has no secrets table with a ${c} column`);
  }
  const col = (cols: Set<string>, c: string): string => (cols.has(c) ? c : `NULL AS ${c}`);

  const userRows = db
    .prepare(`SELECT id, username, ${col(userCols, 'email')}, pubkey, ${col(userCols, 'name')} FROM users ORDER BY id`)
    .all() as { id: unknown; username: unknown; email: unknown; pubkey: unknown; name: unknown }[];
  const all: { id: unknown; user: V1User; key: Buffer }[] = [];
  for (const r of userRows) {
    if (typeof r.username !== 'string' || r.username === '') throw fail(`user row ${String(r.id)} in ${dbFile} has no username`);
    const who = `user "${show(r.username)}" in ${dbFile}`;
    const key = typeof r.pubkey === 'string' ? keyFromBase64(r.pubkey) : null;
    if (!key) throw fail(`${who} has a public key that is not standard base64 of 32 bytes`);
    const email = optionalText(r.email);
    const name = optionalText(r.name);
    if (email === undefined || name === undefined) throw fail(`${who} has a non-text email or name`);
    if (email !== null && email !== '' && !isEmailAddress(email)) throw fail(`${who} has an e-mail address that is not one address: '${show(email.length > 80 ? `${email.slice(0, 80)}…` : email)}'`);
    all.push({ id: r.id, user: { username: r.username, email, pubkey: key.toString('base64'), name }, key });
  }
  const ownerRow = all.find((u) => u.id === 1);
  if (!ownerRow) throw fail(`${dbFile} has no owner (users row with id 1)`);
  if (!ownerRow.key.equals(publicKey)) {
    throw fail(`the owner "${show(ownerRow.user.username)}" in ${dbFile} has another public key than public.key`);
  }
  const users = all
    .filter((u) => u !== ownerRow && !(u.user.username === 'root' && u.key.equals(ownerRow.key)))
    .map((u) => u.user);

  const secretRows = db
    .prepare(`SELECT id, app, env, key, value, ${col(secretCols, 'type')}, ${col(secretCols, 'updated_at')} FROM secrets ORDER BY id`)
    .all() as { id: unknown; app: unknown; env: unknown; key: unknown; value: unknown; type: unknown; updated_at: unknown }[];
  const secrets: V1Secret[] = [];
  for (const r of secretRows) {
    if (typeof r.app !== 'string' || typeof r.env !== 'string' || typeof r.key !== 'string') {
      throw fail(`secret row ${String(r.id)} in ${dbFile} lacks a text app, env or key`);
    }
    const where = `${show(r.app)}:${show(r.env)}:${show(r.key)}`;
    const type = r.type === null || r.type === undefined ? 'str' : r.type;
    if (typeof type !== 'string') throw fail(`secret ${where} in ${dbFile} has a non-text type`);
    let updatedAt: number | null;
    if (r.updated_at === null || r.updated_at === undefined) updatedAt = null;
    else if (typeof r.updated_at === 'number' && Number.isFinite(r.updated_at)) updatedAt = Math.trunc(r.updated_at);
    else if (typeof r.updated_at === 'bigint') updatedAt = Number(r.updated_at);
    else throw fail(`secret ${where} in ${dbFile} has an updated_at that is not unix seconds`);
    const token = typeof r.value === 'string' ? r.value : Buffer.isBuffer(r.value) ? r.value.toString('latin1') : null;
    if (token === null) throw fail(`secret ${where} in ${dbFile} has no stored value`);
    const plain = fernetDecrypt(token, fernetKey);
    if (plain === null) throw fail(`the value of ${where} in ${dbFile} does not decrypt with ${fernetFile}`);
    let value: string;
    try {
      value = UTF8.decode(plain);
    } catch {
      throw fail(`the value of ${where} in ${dbFile} is not valid UTF-8 text`);
    } finally {
      wipe(plain);
    }
    secrets.push({ app: r.app, env: r.env, key: r.key, type, value, updatedAt });
  }
  return { owner: ownerRow.user, users, secrets, identity: { publicKey, secretKey } };
}
