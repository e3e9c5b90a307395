/**
 * Server vaults (`seeqret server init`): a vault whose group — the apps of one server — reads it
 * through the library, while only its owner writes it.
 *
 * The owner's database, `vault.db`, stays private (0600): no member of the group can open it, so
 * none can hold a lock on it and block the owner's writes. The group reads a published copy,
 * `vault.shared.db` (0640, group-owned): after every change, the owner's process writes a new copy
 * beside it (`VACUUM INTO`, then journal mode DELETE so read-only readers need no `-shm` file) and
 * renames it over the old one. A reader keeps the copy it opened until it opens the vault again;
 * nothing ever writes the file it holds, and nothing it does is visible to the owner.
 *
 * A vault made before this scheme (its `vault.db` group-readable) is converted by the owner's
 * next command that opens it for writing: `vault.db` becomes 0600 and the copy is published.
 *
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { randomBytes } from '../crypto/index.js';
import { SERVER_MARKER } from './paths.js';
import { openDatabase } from './sqlite.js';

/** The copy of a server vault's database its group reads. */
export const SHARED_DB_FILE = 'vault.shared.db';
/** Mode of the published copy and of the key file of a server vault: owner rw, group r. */
export const SERVER_SHARED_MODE = 0o640;

/** True for a vault made by `seeqret server init` (its folder holds the group marker). */
export function isServerVault(dir: string): boolean {
  return fs.existsSync(path.join(dir, SERVER_MARKER));
}

/**
 * The database file a vault open should use: the published copy when the vault is a server vault
 * opened read-only by someone who cannot read the private database (a member of its group), else
 * `dbFile` itself.
 */
export function databaseToOpen(dir: string, dbFile: string, readonly: boolean): string {
  if (!readonly || !isServerVault(dir)) return dbFile;
  try {
    fs.accessSync(dbFile, fs.constants.R_OK);
    return dbFile;
  } catch {
    const shared = path.join(dir, SHARED_DB_FILE);
    return fs.existsSync(shared) ? shared : dbFile;
  }
}

/** What has to be published again when it changes: rows changed and the schema (migrations). */
function changeMark(db: Database.Database): string {
  const rows = db.prepare('SELECT total_changes()').pluck().get() as number;
  return `${rows}:${String(db.pragma('schema_version', { simple: true }))}`;
}

/**
 * Write the published copy of `db` (the private database of the server vault in `dir`): a new file
 * beside it, given the group of the folder's marker file and mode 0640, fsynced, renamed over the
 * old copy.
 */
export function publishSharedCopy(db: Database.Database, dir: string): void {
  const gid = fs.statSync(path.join(dir, SERVER_MARKER)).gid;
  const shared = path.join(dir, SHARED_DB_FILE);
  const tmp = path.join(dir, `.${SHARED_DB_FILE}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    db.prepare('VACUUM INTO ?').run(tmp);
    const copy = openDatabase(tmp, { fileMustExist: true });
    try {
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    const fd = fs.openSync(tmp, 'r+');
    try {
      fs.fchmodSync(fd, SERVER_SHARED_MODE);
      try {
        fs.fchownSync(fd, -1, gid);
      } catch {
        /* not root and not in that group: the copy keeps our group (doctor reports the folder) */
      }
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, shared);
  } catch (e) {
    for (const f of [tmp, `${tmp}-journal`, `${tmp}-wal`, `${tmp}-shm`]) fs.rmSync(f, { force: true });
    throw e;
  }
}

/** Keeps a server vault's published copy up to date for a vault opened for writing. */
export interface SharedCopyPublisher {
  /** Publish again if anything changed since the last time (call after each write, and at close). */
  update(): void;
}

/**
 * For a server vault opened for writing (by its owner): make the private database private again if
 * an older seeqret left it group-readable, publish the shared copy if there is none, and return
 * the publisher. `null` for any other vault.
 */
export function sharedCopyPublisher(dir: string, dbFile: string, db: Database.Database): SharedCopyPublisher | null {
  if (!isServerVault(dir)) return null;
  for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`, `${dbFile}-journal`]) {
    try {
      if ((fs.statSync(f).mode & 0o077) !== 0) fs.chmodSync(f, 0o600);
    } catch {
      /* absent */
    }
  }
  let published = changeMark(db);
  if (!fs.existsSync(path.join(dir, SHARED_DB_FILE))) publishSharedCopy(db, dir);
  return {
    update(): void {
      if (db.inTransaction || !db.open) return;
      const now = changeMark(db);
      if (now === published) return;
      publishSharedCopy(db, dir);
      published = now;
    },
  };
}
