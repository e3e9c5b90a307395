/**
 * Versioned migrations of the relay's storage, one list per SQL dialect. A version is never
 * edited once released: a change is a new version. `schema_migrations` records what was applied.
 *
 * The log is append-only in both dialects: a trigger refuses UPDATE and DELETE on it.
 *
 * @module
 */

/** One migration: its version and the statements for each dialect. */
export interface Migration {
  readonly version: number;
  readonly sqlite: readonly string[];
  readonly postgres: readonly string[];
}

const tables = (serial: string, blob: string): string[] => [
  'CREATE TABLE relay_config (name TEXT PRIMARY KEY, value TEXT NOT NULL)',
  `CREATE TABLE members (key_id TEXT PRIMARY KEY, username TEXT NOT NULL, box_key TEXT NOT NULL UNIQUE, sign_key TEXT NOT NULL UNIQUE,
     record TEXT NOT NULL, signature TEXT NOT NULL, role TEXT NOT NULL, joined_at BIGINT NOT NULL, removed_at BIGINT)`,
  `CREATE TABLE invitations (id TEXT PRIMARY KEY, box_key TEXT NOT NULL, username TEXT NOT NULL, created_by TEXT NOT NULL,
     created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, body TEXT NOT NULL, signature TEXT NOT NULL, used_at BIGINT, used_by TEXT)`,
  `CREATE TABLE envelopes (seq ${serial}, id TEXT NOT NULL UNIQUE, sender TEXT NOT NULL, recipient TEXT NOT NULL,
     created_at BIGINT NOT NULL, delivered_at BIGINT, body ${blob})`,
  'CREATE INDEX envelopes_pending ON envelopes (recipient, seq) WHERE delivered_at IS NULL',
  `CREATE TABLE log (seq ${serial}, at BIGINT NOT NULL, event TEXT NOT NULL, actor TEXT NOT NULL, subject TEXT, envelope_id TEXT)`,
  'CREATE TABLE nonces (key_id TEXT NOT NULL, nonce TEXT NOT NULL, expires_at BIGINT NOT NULL, PRIMARY KEY (key_id, nonce))',
  'CREATE INDEX nonces_expiry ON nonces (expires_at)',
];

/** Every migration, oldest first. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sqlite: [
      ...tables('INTEGER PRIMARY KEY AUTOINCREMENT', 'BLOB'),
      "CREATE TRIGGER log_append_only_u BEFORE UPDATE ON log BEGIN SELECT RAISE(ABORT, 'the relay log is append-only'); END",
      "CREATE TRIGGER log_append_only_d BEFORE DELETE ON log BEGIN SELECT RAISE(ABORT, 'the relay log is append-only'); END",
    ],
    postgres: [
      ...tables('BIGSERIAL PRIMARY KEY', 'BYTEA'),
      `CREATE FUNCTION relay_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN RAISE EXCEPTION 'the relay log is append-only'; END $$`,
      'CREATE TRIGGER log_append_only BEFORE UPDATE OR DELETE ON log FOR EACH ROW EXECUTE FUNCTION relay_log_append_only()',
    ],
  },
  {
    // The bundle id of each envelope: an upload retried after a lost answer, or a captured
    // envelope uploaded again, is not stored twice.
    version: 2,
    sqlite: ['ALTER TABLE envelopes ADD COLUMN bundle_id TEXT', 'CREATE UNIQUE INDEX envelopes_bundle ON envelopes (sender, bundle_id)'],
    postgres: ['ALTER TABLE envelopes ADD COLUMN bundle_id TEXT', 'CREATE UNIQUE INDEX envelopes_bundle ON envelopes (sender, bundle_id)'],
  },
  {
    // A body is a sealed bundle (base64 ciphertext, hardly compressible) kept only until it is
    // acknowledged: PostgreSQL stores it out of line without trying to compress it, which cost the
    // server about two thirds of its CPU for an upload (decision 89). Rows stored before keep
    // their form. SQLite never compresses.
    version: 3,
    sqlite: [],
    postgres: ['ALTER TABLE envelopes ALTER COLUMN body SET STORAGE EXTERNAL'],
  },
];

/** The newest schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.reduce((v, m) => Math.max(v, m.version), 0);
