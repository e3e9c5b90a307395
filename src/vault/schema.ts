/**
 * Versioned schema migrations of the vault database.
 *
 * The schema version lives in SQLite's `user_version` (read in one cheap statement at open) and
 * every applied migration is also logged in `schema_migrations`. Migrations only ever append to
 * this list; a released migration is never edited.
 *
 * @module
 */
import type Database from 'better-sqlite3';

/** One schema step. `up` runs inside the caller's transaction. */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly up: (db: Database.Database) => void;
}

/** All migrations, in order. The last one's version is {@link SCHEMA_VERSION}. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'vault metadata, users, encrypted secrets',
    up(db) {
      db.exec(`
        CREATE TABLE schema_migrations (
          version INTEGER PRIMARY KEY,
          applied_at INTEGER NOT NULL,
          seeqret_version TEXT NOT NULL
        );
        CREATE TABLE meta (
          name TEXT PRIMARY KEY,
          value TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE users (
          id INTEGER PRIMARY KEY,
          username TEXT NOT NULL UNIQUE,
          email TEXT,
          name TEXT,
          pubkey TEXT NOT NULL,
          is_owner INTEGER NOT NULL DEFAULT 0,
          created_at INTEGER NOT NULL
        );
        CREATE TABLE secrets (
          id INTEGER PRIMARY KEY,
          app TEXT NOT NULL,
          env TEXT NOT NULL,
          key TEXT NOT NULL,
          value BLOB NOT NULL,
          type TEXT NOT NULL DEFAULT 'str',
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL,
          UNIQUE (app, env, key)
        );
        CREATE INDEX secrets_by_key ON secrets (key);
      `);
    },
  },
  {
    version: 2,
    description: 'value history (previous values kept encrypted), per-secret version counter, listing index',
    up(db) {
      db.exec(`
        ALTER TABLE secrets ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
        CREATE TABLE secret_history (
          id INTEGER PRIMARY KEY,
          secret_id INTEGER NOT NULL REFERENCES secrets (id) ON DELETE CASCADE,
          version INTEGER NOT NULL,
          value BLOB NOT NULL,
          type TEXT NOT NULL,
          set_at INTEGER NOT NULL,
          replaced_at INTEGER NOT NULL,
          UNIQUE (secret_id, version)
        );
        -- Covering index for listing and filtering: names and metadata without touching value pages.
        CREATE INDEX secrets_listing ON secrets (app, env, key, type, created_at, updated_at, version);
      `);
    },
  },
  {
    version: 3,
    description: 'sharing: verified users, exposure marks, share records, loaded bundles, hash-chained append-only audit log',
    up(db) {
      db.exec(`
        ALTER TABLE users ADD COLUMN verified_at INTEGER;
        ALTER TABLE secrets ADD COLUMN exposed_at INTEGER;
        ALTER TABLE secrets ADD COLUMN exposed_by TEXT;
        DROP INDEX secrets_listing;
        CREATE INDEX secrets_listing ON secrets (app, env, key, type, created_at, updated_at, version, exposed_at, exposed_by);
        CREATE TABLE shares (
          id INTEGER PRIMARY KEY,
          bundle_id TEXT NOT NULL,
          username TEXT NOT NULL,
          pubkey TEXT NOT NULL,
          app TEXT NOT NULL,
          env TEXT NOT NULL,
          key TEXT NOT NULL,
          version INTEGER NOT NULL,
          at INTEGER NOT NULL
        );
        CREATE INDEX shares_by_user ON shares (username);
        CREATE TABLE loaded_bundles (
          bundle_id TEXT NOT NULL,
          sender TEXT NOT NULL, -- the sender's public key (base64): ids are only unique per sender
          at INTEGER NOT NULL,
          secrets INTEGER NOT NULL,
          PRIMARY KEY (bundle_id, sender)
        ) WITHOUT ROWID;
        CREATE TABLE audit (
          id INTEGER PRIMARY KEY,
          at INTEGER NOT NULL,
          actor TEXT NOT NULL,
          action TEXT NOT NULL,
          target TEXT,
          detail TEXT,
          hash BLOB NOT NULL
        );
        CREATE INDEX audit_by_time ON audit (at);
        CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
      `);
    },
  },
  {
    version: 4,
    description: 'OpenPGP public keys of e-mail recipients (`send`), per user or contact name',
    up(db) {
      db.exec(`
        CREATE TABLE pgp_keys (
          id INTEGER PRIMARY KEY,
          username TEXT NOT NULL UNIQUE, -- a vault user's name, or a contact known only by this key
          fingerprint TEXT NOT NULL UNIQUE, -- the primary key's fingerprint, lower-case hex
          email TEXT NOT NULL, -- where send mails to
          user_ids TEXT NOT NULL, -- JSON array of the key's user IDs
          armored TEXT NOT NULL, -- the ASCII-armored public key
          created_at INTEGER NOT NULL
        );
      `);
    },
  },
  {
    version: 5,
    description: 'integrity: a MAC on every user, secret, history, share, loaded-bundle and PGP key row (computed by `seeqret upgrade`, which holds the key); received names start pending (`pending`, `origin`)',
    up(db) {
      db.exec(`
        ALTER TABLE users ADD COLUMN mac BLOB;
        ALTER TABLE secrets ADD COLUMN pending INTEGER NOT NULL DEFAULT 0; -- 1: received from someone else, not accepted yet
        ALTER TABLE secrets ADD COLUMN origin TEXT; -- NULL: typed here; else where the name came from (e.g. 'load from bob')
        ALTER TABLE secrets ADD COLUMN mac BLOB;
        ALTER TABLE secret_history ADD COLUMN mac BLOB;
        ALTER TABLE shares ADD COLUMN mac BLOB;
        ALTER TABLE loaded_bundles ADD COLUMN mac BLOB;
        ALTER TABLE pgp_keys ADD COLUMN mac BLOB;
        DROP INDEX secrets_listing;
        CREATE INDEX secrets_listing ON secrets (app, env, key, type, created_at, updated_at, version, exposed_at, exposed_by, pending);
      `);
    },
  },
];

/** The schema version this build of seeqret reads and writes. */
export const SCHEMA_VERSION = MIGRATIONS.reduce((v, m) => Math.max(v, m.version), 0);

/** Read the database's schema version (0 for an empty database). */
export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Apply every migration above the current version, up to `target`, in one immediate
 * transaction; `keyed` (given by a caller holding the vault key) runs last in that transaction.
 * Returns the versions applied.
 */
export function migrate(db: Database.Database, seeqretVersion: string, target: number = SCHEMA_VERSION, keyed?: (applied: readonly number[]) => void): number[] {
  const applied: number[] = [];
  db.transaction(() => {
    const current = schemaVersion(db);
    for (const m of MIGRATIONS) {
      if (m.version <= current || m.version > target) continue;
      m.up(db);
      db.prepare('INSERT INTO schema_migrations (version, applied_at, seeqret_version) VALUES (?, ?, ?)').run(m.version, Date.now(), seeqretVersion);
      db.pragma(`user_version = ${m.version}`);
      applied.push(m.version);
    }
    // Steps that need the vault key (computing MACs) run in the same transaction.
    if (keyed && applied.length > 0) keyed(applied);
  }).immediate();
  return applied;
}
