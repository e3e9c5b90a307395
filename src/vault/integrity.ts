/**
 * Integrity of the vault database against someone who can write `vault.db` but does not hold the
 * vault's data key (a backup or sync tool, another process of the same user, a raw SQLite session).
 *
 * Two layers, both keyed with the row-integrity key (a sub-key of the data key, separate from the
 * audit key):
 *
 * - **Row MACs.** Every row of the {@link PROTECTED_TABLES} carries `mac`: keyed BLAKE2b-256 over
 *   the table's name and ALL its meaningful columns (ids included, ciphertexts included). A changed
 *   cell — another public key, a `verified_at`, an older ciphertext with its older version, a name
 *   marked accepted — no longer matches, and the row is refused where it is read (`E_TAMPERED`).
 * - **Table aggregates.** A per-row MAC cannot see a row that was deleted, nor a whole row put back
 *   from an older copy of the database (it carries its old, valid MAC). So `meta` holds, for each
 *   protected table, the number of rows and the sum (mod 2^256) of their MACs, itself MAC'd.
 *   Recomputing it from the stored `mac` column is one cheap read per table, done by the commands
 *   that depend on a table's completeness (`export`, `load`, `run`, `env`, `doctor`).
 *
 * The MACs are computed centrally, so no write path can forget them: each connection that writes
 * gets TEMP triggers (they exist only in that connection, never in the file) that call the
 * functions of `IntegrityTracker` (src/vault/integrity-tracker.ts). An INSERT or UPDATE computes
 * the new row's MAC; an UPDATE or
 * DELETE first checks the old row's MAC (a tampered row cannot be blessed by a later legitimate
 * write) and takes it out of the aggregate. The vault's write wrapper applies the aggregate changes
 * at the end of each transaction.
 *
 * @module
 */
import type Database from 'better-sqlite3';
import { constantTimeEqual, deriveSubkey, mac256 } from '../crypto/index.js';
import { SeeqretError } from '../errors.js';
import { MacSum } from './mac-sum.js';
import { cellAt, jsonCell, rowPrefix } from './row-mac-text.js';

/** One table whose rows carry a MAC. */
export interface ProtectedTable {
  readonly name: string;
  /** The columns covered by the row MAC, in MAC order (all but `mac`). */
  readonly cols: readonly string[];
  /** SQL condition selecting the trigger's NEW row. */
  readonly newRow: string;
  /** What one row is, for messages (names only, never values). */
  readonly describe: (row: Record<string, unknown>) => string;
  /** What the table holds, for messages. */
  readonly holds: string;
}

/** A column value (SQLite gives null, a number, a bigint, text or a Buffer) as text for a message. */
function str(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  return '?';
}

/** Every table whose rows are authenticated, with the columns each MAC covers. */
export const PROTECTED_TABLES: readonly ProtectedTable[] = [
  {
    name: 'users',
    cols: ['id', 'username', 'email', 'name', 'pubkey', 'is_owner', 'created_at', 'verified_at'],
    newRow: 'rowid = NEW.rowid',
    describe: (r) => `user ${str(r['username'])}'s record`,
    holds: 'the users (names, e-mails, public keys, verification marks)',
  },
  {
    name: 'secrets',
    cols: ['id', 'app', 'env', 'key', 'type', 'version', 'created_at', 'updated_at', 'exposed_at', 'exposed_by', 'pending', 'origin', 'value'],
    newRow: 'rowid = NEW.rowid',
    describe: (r) => `secret ${str(r['app'])}:${str(r['env'])}:${str(r['key'])}'s record (current value, version, acceptance)`,
    holds: 'the secrets',
  },
  {
    name: 'secret_history',
    cols: ['id', 'secret_id', 'version', 'type', 'set_at', 'replaced_at', 'value'],
    newRow: 'rowid = NEW.rowid',
    describe: (r) => (r['label'] ? `version ${str(r['version'])} in the history of secret ${str(r['label'])}` : `history row ${str(r['id'])} (version ${str(r['version'])})`),
    holds: "the secrets' previous values",
  },
  {
    name: 'shares',
    cols: ['id', 'bundle_id', 'username', 'pubkey', 'app', 'env', 'key', 'version', 'at'],
    newRow: 'rowid = NEW.rowid',
    describe: (r) => `the record that ${str(r['app'])}:${str(r['env'])}:${str(r['key'])} was shared with ${str(r['username'])}`,
    holds: 'the records of what was sent to and received from whom',
  },
  {
    name: 'loaded_bundles',
    cols: ['bundle_id', 'sender', 'at', 'secrets'],
    newRow: 'bundle_id = NEW.bundle_id AND sender = NEW.sender',
    describe: (r) => `the record that bundle ${str(r['bundle_id'])} was loaded`,
    holds: 'the record of loaded bundles (replay protection)',
  },
  {
    name: 'pgp_keys',
    cols: ['id', 'username', 'fingerprint', 'email', 'user_ids', 'armored', 'created_at'],
    newRow: 'rowid = NEW.rowid',
    describe: (r) => `${str(r['username'])}'s PGP key record`,
    holds: 'the PGP keys of e-mail recipients',
  },
];

const BY_NAME = new Map(PROTECTED_TABLES.map((t) => [t.name, t]));

/** The spec of a protected table (throws for an unknown name: a programming error). */
export function protectedTable(name: string): ProtectedTable {
  const t = BY_NAME.get(name);
  if (!t) throw new SeeqretError('E_INTERNAL', `no protected table ${name}`, 'Report this bug.');
  return t;
}

/** The row-integrity key: a sub-key of the data key, independent of the audit key. */
export function integrityKey(dataKey: Buffer): Buffer {
  return deriveSubkey(dataKey, 'row-integrity');
}

/** The `E_TAMPERED` error for `what` (a description naming rows, never values). */
export function tampered(what: string, verb = 'was changed outside seeqret'): SeeqretError {
  return new SeeqretError(
    'E_TAMPERED',
    `${what} ${verb}`,
    'Restore the vault folder from a backup copy (or undo the change); `seeqret doctor` lists everything that was changed.',
  );
}

/** {@link rowMac}'s input, written in place (row names, ids and ciphertexts: never a plaintext value). */
let macScratch = Buffer.allocUnsafe(16 * 1024);
/** The largest {@link macScratch} kept between calls. */
const SCRATCH_KEPT = 1024 * 1024;
/**
 * Views of {@link macScratch}'s first bytes, by length (decision 88): a batch's rows mostly have
 * a few lengths, and a Buffer made for each MAC was a tenth of what one cost. Emptied when the
 * scratch is replaced, and when it holds many lengths.
 */
const scratchViews = new Map<number, Buffer>();

/** The first `n` bytes of {@link macScratch}. */
function scratchView(n: number): Buffer {
  let view = scratchViews.get(n);
  if (view === undefined) {
    if (scratchViews.size >= 64) scratchViews.clear();
    scratchViews.set(n, (view = macScratch.subarray(0, n)));
  }
  return view;
}

/**
 * The MAC of one row: keyed BLAKE2b-256 over a canonical JSON list of the domain, the table and
 * the column values (a blob stands as its length, its bytes follow the JSON), then the blobs.
 * The table name is the domain tag, so a row can never validate as a row of another table (a
 * history row as a current value).
 */
export function rowMac(key: Buffer, table: string, values: readonly unknown[]): Buffer {
  // One pass over the values, and the JSON text and the blobs hashed from one scratch buffer in
  // one call: the same bytes as hashing the text and then each blob (a load or a push computes
  // thousands of these, so no per-row concatenation or intermediate Buffer). The text is the one
  // `JSON.stringify(['seeqret/row/v1', table, fields])` gives, written here (decision 74): that
  // call was a sixth of a push's instructions (a holey array and small objects on its slow path).
  let blobs: Uint8Array[] | null = null;
  let blobBytes = 0;
  let text = rowPrefix(table);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) text += ',';
    if (v instanceof Uint8Array) {
      (blobs ??= []).push(v);
      blobBytes += v.byteLength;
      text += `{"blob":${String(v.byteLength)}}`;
    } else if (typeof v === 'bigint') text += `{"int":"${v.toString()}"}`;
    else if (typeof v === 'string' || typeof v === 'number') text += cellAt(i, v);
    else text += jsonCell(v);
  }
  text += ']]';
  // A UTF-16 code unit is at most 3 bytes of UTF-8.
  const most = text.length * 3 + blobBytes;
  // The scratch grows up to 1 MiB and is kept; a larger row (a very large value) gets its own buffer.
  if (macScratch.length < most && most <= SCRATCH_KEPT) {
    macScratch = Buffer.allocUnsafe(Math.min(SCRATCH_KEPT, Math.max(most, 2 * macScratch.length)));
    scratchViews.clear();
  }
  const buf = macScratch.length >= most ? macScratch : Buffer.allocUnsafe(most);
  let n = buf.write(text, 0, 'utf8');
  if (blobs !== null) {
    for (const b of blobs) {
      buf.set(b, n);
      n += b.byteLength;
    }
  }
  return mac256(key, buf === macScratch ? scratchView(n) : buf.subarray(0, n));
}

/** Check one row read from `table` (with every column of its spec and `mac`); throws `E_TAMPERED`. */
export function verifyRow(key: Buffer, table: ProtectedTable, row: Record<string, unknown>, describeAs: Record<string, unknown> = row): void {
  const mac = row['mac'];
  const want = rowMac(key, table.name, table.cols.map((c) => row[c]));
  if (!(mac instanceof Uint8Array) || !constantTimeEqual(mac, want)) throw tampered(table.describe(describeAs));
}

// ---------------------------------------------------------------------------------------------
// Aggregates: row count and sum of row MACs, per table, in meta

/** Aggregates are sums modulo 2^256. */
export const MOD = 1n << 256n;
/** A 32-byte MAC as a number. */
export const big = (mac: Uint8Array): bigint => BigInt(`0x${Buffer.from(mac).toString('hex') || '0'}`);

/** Row count and MAC sum of one table. */
export interface Aggregate {
  n: number;
  sum: bigint;
}

/**
 * All tables' aggregates live in ONE meta record (`integrity`) under one MAC, so one table and its
 * aggregate cannot be put back from an older copy while the others stay current: that would need
 * the older record, whose other tables then no longer match (only a rollback of every protected
 * table at once — of the whole database — stays consistent, and undetectable).
 */
const RECORD = 'integrity';
/** What the integrity record is, for messages. */
export const RECORD_WHAT = "the vault's integrity record (row counts and MAC sums of its tables)";

function recordMac(key: Buffer, all: ReadonlyMap<string, Aggregate>): string {
  const tables = [...all].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([t, a]) => [t, a.n, a.sum.toString(16)]);
  return mac256(key, Buffer.from(JSON.stringify(['seeqret/aggregates/v1', tables]), 'utf8')).toString('base64');
}

/** Read and check every table's stored aggregate; `E_TAMPERED` when the record is missing or not authentic. */
export function readAggregates(db: Database.Database, key: Buffer): Map<string, Aggregate> {
  const text = db.prepare('SELECT value FROM meta WHERE name = ?').pluck().get(RECORD) as string | undefined;
  if (text === undefined) throw tampered(RECORD_WHAT, 'was removed outside seeqret');
  const all = new Map<string, Aggregate>();
  let parsed: { tables?: unknown; mac?: unknown };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    throw tampered(RECORD_WHAT);
  }
  if (typeof parsed.tables !== 'object' || parsed.tables === null || typeof parsed.mac !== 'string') throw tampered(RECORD_WHAT);
  for (const [t, raw] of Object.entries(parsed.tables) as [string, unknown][]) {
    const a = (typeof raw === 'object' && raw !== null ? raw : {}) as { n?: unknown; sum?: unknown };
    if (!Number.isSafeInteger(a.n) || typeof a.sum !== 'string' || !/^[0-9a-f]{1,64}$/.test(a.sum)) throw tampered(RECORD_WHAT);
    all.set(t, { n: a.n as number, sum: BigInt(`0x${a.sum}`) });
  }
  if (!constantTimeEqual(Buffer.from(recordMac(key, all), 'base64'), Buffer.from(parsed.mac, 'base64'))) throw tampered(RECORD_WHAT);
  return all;
}

/** Read and check one table's stored aggregate. */
export function readAggregate(db: Database.Database, key: Buffer, table: ProtectedTable): Aggregate {
  const a = readAggregates(db, key).get(table.name);
  if (!a) throw tampered(RECORD_WHAT);
  return a;
}

/** Store every table's aggregate under one MAC (inside a write transaction). */
export function writeAggregates(db: Database.Database, key: Buffer, all: ReadonlyMap<string, Aggregate>): void {
  const tables: Record<string, { n: number; sum: string }> = {};
  for (const [t, a] of all) tables[t] = { n: a.n, sum: a.sum.toString(16) };
  const value = JSON.stringify({ tables, mac: recordMac(key, all) });
  db.prepare('INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value').run(RECORD, value);
}

/**
 * The aggregate of the rows as they are now (from the stored MACs; a row without one is
 * `E_TAMPERED`). SQLite hands over the MACs of 65,536 rows at a time as one hex string, so
 * 100,000 rows cost two crossings into JavaScript rather than one Buffer each.
 */
function currentAggregate(db: Database.Database, table: ProtectedTable): Aggregate {
  const acc = new MacSum();
  // A WITHOUT ROWID table (loaded_bundles, small) is read in one chunk.
  const rowid = table.newRow.startsWith('rowid');
  const chunk = db.prepare(
    `SELECT group_concat(hex(mac), '') AS h, count(*) AS n, sum(typeof(mac) = 'blob' AND length(mac) = 32) AS ok, ${rowid ? 'max(r)' : '0'} AS last
     FROM (SELECT ${rowid ? 'rowid AS r, ' : ''}mac FROM ${table.name}${rowid ? ' WHERE rowid > ? ORDER BY rowid LIMIT 65536' : ''})`,
  );
  for (let after: number | bigint = -1; ; ) {
    const c = (rowid ? chunk.get(after) : chunk.get()) as { h: string | null; n: number; ok: number | null; last: number | bigint | null };
    if (c.n === 0 || c.last === null) break;
    if (c.ok !== c.n || c.h === null) throw tampered(`a row of ${table.holds} without authentication`, 'was added outside seeqret');
    acc.addAll(Buffer.from(c.h, 'hex'));
    if (!rowid) break;
    after = c.last;
  }
  return { n: acc.n, sum: ((acc.sum() % MOD) + MOD) % MOD };
}

function checkAgainst(db: Database.Database, key: Buffer, t: ProtectedTable, stored: Aggregate, now: Aggregate): void {
  if (now.n !== stored.n || now.sum !== stored.sum) {
    // Name a changed row when there is one (the failure path only: cost does not matter here).
    const changed = firstChangedRow(db, key, t);
    if (changed) throw changed;
    const how = now.n < stored.n ? `${stored.n - now.n} fewer` : now.n > stored.n ? `${now.n - stored.n} more` : 'the same number, but not the same rows';
    throw tampered(`rows of ${t.holds}`, `were removed, added or put back from an older copy outside seeqret (${how} than seeqret wrote)`);
  }
}

/**
 * Check that the rows of `tables` are exactly the set seeqret last wrote (no row removed, added,
 * or put back from an older copy). Reads only the `mac` column. Throws `E_TAMPERED`.
 */
export function checkAggregates(db: Database.Database, key: Buffer, tables: readonly string[]): void {
  for (const name of tables) {
    const t = protectedTable(name);
    const stored = readAggregate(db, key, t);
    checkAgainst(db, key, t, stored, currentAggregate(db, t));
  }
}

function rowsSql(t: ProtectedTable): string {
  const cols = t.cols.map((c) => `t.${c}`).join(', ');
  return t.name === 'secret_history'
    ? `SELECT ${cols}, t.mac, s.app || ':' || s.env || ':' || s.key AS label FROM secret_history t LEFT JOIN secrets s ON s.id = t.secret_id`
    : `SELECT ${cols}, t.mac FROM ${t.name} t`;
}

function firstChangedRow(db: Database.Database, key: Buffer, t: ProtectedTable): SeeqretError | undefined {
  for (const row of db.prepare(rowsSql(t)).iterate() as IterableIterator<Record<string, unknown>>) {
    try {
      verifyRow(key, t, row);
    } catch (e) {
      if (e instanceof SeeqretError) return e;
      throw e;
    }
  }
  return undefined;
}

/**
 * Full check for `doctor`: every row's MAC and every aggregate. Returns one line per problem
 * (names only), empty when everything is authentic.
 */
export function integrityProblems(db: Database.Database, key: Buffer): string[] {
  const problems: string[] = [];
  for (const t of PROTECTED_TABLES) {
    let bad = 0;
    for (const row of db.prepare(rowsSql(t)).iterate() as IterableIterator<Record<string, unknown>>) {
      try {
        verifyRow(key, t, row);
      } catch (e) {
        if (!(e instanceof SeeqretError)) throw e;
        bad += 1;
        if (bad <= 20) problems.push(e.message);
      }
    }
    if (bad > 20) problems.push(`… and ${bad - 20} more changed rows of ${t.holds}`);
    try {
      checkAggregates(db, key, [t.name]);
    } catch (e) {
      if (!(e instanceof SeeqretError)) throw e;
      // A changed row also changes the sum: report the aggregate only when no row explains it.
      if (bad === 0) problems.push(e.message);
    }
  }
  return problems;
}

/**
 * Compute every row MAC and aggregate from the rows as they are (the schema-5 upgrade, which
 * trusts the vault as it is at that moment). Call inside a write transaction.
 */
export function authenticateAll(db: Database.Database, key: Buffer): void {
  const all = new Map<string, Aggregate>();
  for (const t of PROTECTED_TABLES) {
    const keyCols = t.name === 'loaded_bundles' ? ['bundle_id', 'sender'] : ['rowid'];
    const rows = db.prepare(`SELECT ${keyCols.join(', ')}${keyCols[0] === 'rowid' ? ' AS rowid' : ''}, ${t.cols.join(', ')} FROM ${t.name}`).all() as Array<Record<string, unknown>>;
    const upd = db.prepare(`UPDATE ${t.name} SET mac = ? WHERE ${keyCols.map((c) => `${c} = ?`).join(' AND ')}`);
    let sum = 0n;
    for (const r of rows) {
      const mac = rowMac(key, t.name, t.cols.map((c) => r[c]));
      upd.run(mac, ...keyCols.map((c) => r[c]));
      sum += big(mac);
    }
    all.set(t.name, { n: rows.length, sum: sum % MOD });
  }
  writeAggregates(db, key, all);
}

/** Start every aggregate at zero rows (a new vault). */
export function initAggregates(db: Database.Database, key: Buffer): void {
  writeAggregates(db, key, new Map(PROTECTED_TABLES.map((t) => [t.name, { n: 0, sum: 0n }])));
}
