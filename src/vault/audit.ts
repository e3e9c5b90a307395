/**
 * The vault's audit log: an append-only table (triggers refuse UPDATE and DELETE) whose entries
 * are chained with a keyed hash — each `hash` is BLAKE2b-256, keyed with a key derived from the
 * vault data key, over the previous entry's hash and this entry's fields — and whose head (last
 * hash and entry count) is kept, keyed the same way, in `meta.audit_head`. Editing, removing or
 * truncating entries with a raw SQLite tool is detected by {@link verifyAuditChain}
 * (`seeqret doctor`, `seeqret audit --verify`) unless the editor also holds the data key.
 * Entries never contain secret values: only names, versions, user names and bundle ids.
 *
 * @module
 */
import os from 'node:os';
import type Database from 'better-sqlite3';
import { constantTimeEqual, hash256, mac256 } from '../crypto/index.js';
import { SeeqretError } from '../errors.js';

/** What an audit entry records. */
export type AuditAction =
  | 'vault.create'
  | 'secret.add'
  | 'secret.update'
  | 'secret.remove'
  | 'secret.rename'
  | 'secret.read'
  | 'secret.exposed'
  | 'secret.accept'
  | 'user.add'
  | 'user.remove'
  | 'user.verify'
  | 'export'
  | 'load'
  | 'backup'
  | 'restore'
  | 'import'
  | 'pgp.add'
  | 'send'
  | 'team.pull';

/** One stored audit entry. */
export interface AuditEntry {
  readonly id: number;
  /** Unix milliseconds. */
  readonly at: number;
  /** The operating-system user that ran the command. */
  readonly actor: string;
  readonly action: AuditAction;
  /** `app:env:key`, a user name, or a file. */
  readonly target: string | null;
  /** Extra facts as JSON text (never values). */
  readonly detail: string | null;
}

let actorName: string | undefined;
/** The OS user name recorded as the actor. */
export function currentActor(): string {
  if (actorName === undefined) {
    try {
      actorName = os.userInfo().username;
    } catch {
      actorName = `uid:${process.getuid?.() ?? '?'}`;
    }
  }
  return actorName;
}

const GENESIS: Buffer = Buffer.alloc(32);

/** The audit key: derived from the vault data key, so only a holder of the vault's keys can extend the chain. */
export function auditKey(dataKey: Buffer): Buffer {
  return hash256(Buffer.from('seeqret/audit-key/v1', 'utf8'), dataKey);
}

function entryHash(key: Buffer, prev: Buffer, e: { at: number; actor: string; action: string; target: string | null; detail: string | null }): Buffer {
  return mac256(key, prev, Buffer.from(JSON.stringify(['seeqret/audit/v1', e.at, e.actor, e.action, e.target, e.detail]), 'utf8'));
}

function headMac(key: Buffer, last: Buffer, count: number): string {
  return mac256(key, Buffer.from(`seeqret/audit-head/v1\0${count}\0`, 'utf8'), last).toString('base64');
}

/**
 * The head of the log, `meta.audit_head`: JSON `{"n": entries, "last": base64 hash, "mac": …}`
 * (schema 5). It exists from the moment the vault exists: a missing or unauthentic head is
 * `E_TAMPERED`, so removing the whole log (head included) is detected, and appending needs no
 * `count(*)` scan.
 */
export interface AuditHead {
  readonly n: number;
  readonly last: Buffer;
}

function headTampered(what: string): SeeqretError {
  return new SeeqretError('E_TAMPERED', `the audit log's head ${what} outside seeqret`, 'Restore the vault folder from a backup copy; `seeqret doctor` lists everything that was changed.');
}

/** Read and authenticate the head; `E_TAMPERED` when it is missing or does not verify. */
export function readAuditHead(db: Database.Database, key: Buffer): AuditHead {
  const text = stmts(db).readHead.get() as string | undefined;
  if (text === undefined) throw headTampered('was removed');
  let h: { n?: unknown; last?: unknown; mac?: unknown };
  try {
    h = JSON.parse(text) as typeof h;
  } catch {
    throw headTampered('was changed');
  }
  if (!Number.isSafeInteger(h.n) || (h.n as number) < 0 || typeof h.last !== 'string' || typeof h.mac !== 'string') throw headTampered('was changed');
  const last = Buffer.from(h.last, 'base64');
  if (last.length !== 32 || !constantTimeEqual(Buffer.from(headMac(key, last, h.n as number), 'base64'), Buffer.from(h.mac, 'base64'))) throw headTampered('was changed');
  return { n: h.n as number, last };
}

function writeAuditHead(db: Database.Database, key: Buffer, head: AuditHead): void {
  stmts(db).head.run(JSON.stringify({ n: head.n, last: head.last.toString('base64'), mac: headMac(key, head.last, head.n) }));
}

/** Start the log of a new vault: an authenticated head of zero entries. */
export function initAuditHead(db: Database.Database, key: Buffer): void {
  writeAuditHead(db, key, { n: 0, last: GENESIS });
}

/**
 * Rebuild the head from the entries as they are (the schema-5 upgrade). Returns the id of the first
 * entry that did not verify under the rules before the upgrade, -1 when the old head did not
 * match (entries removed from the end), or `null` when the log was intact.
 */
export function rebuildAuditHead(db: Database.Database, key: Buffer): number | null {
  let prev: Buffer = GENESIS;
  let n = 0;
  let broken: number | null = null;
  for (const row of db.prepare('SELECT id, at, actor, action, target, detail, hash FROM audit ORDER BY id').iterate() as IterableIterator<AuditEntry & { hash: Buffer }>) {
    if (broken === null && !constantTimeEqual(entryHash(key, prev, row), row.hash)) broken = row.id;
    prev = row.hash;
    n += 1;
  }
  const oldHead = db.prepare("SELECT value FROM meta WHERE name = 'audit_head'").pluck().get() as string | undefined;
  if (broken === null && n > 0 && oldHead !== headMac(key, prev, n)) broken = -1;
  writeAuditHead(db, key, { n, last: prev });
  return broken;
}

interface Statements {
  readonly insert: Database.Statement;
  readonly head: Database.Statement;
  readonly readHead: Database.Statement;
}
const statements = new WeakMap<Database.Database, Statements>();

function stmts(db: Database.Database): Statements {
  let st = statements.get(db);
  if (!st) {
    st = {
      insert: db.prepare('INSERT INTO audit (at, actor, action, target, detail, hash) VALUES (?, ?, ?, ?, ?, ?)'),
      head: db.prepare("INSERT INTO meta (name, value) VALUES ('audit_head', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value"),
      readHead: db.prepare("SELECT value FROM meta WHERE name = 'audit_head'").pluck(),
    };
    statements.set(db, st);
  }
  return st;
}

/** Append entries (call inside the caller's write transaction). */
export function appendAudit(db: Database.Database, key: Buffer, entries: ReadonlyArray<{ action: AuditAction; target?: string | null; detail?: unknown }>, at = Date.now()): void {
  if (entries.length === 0) return;
  const actor = currentActor();
  appendAuditCopies(
    db,
    key,
    entries.map((e) => ({ at, actor, action: e.action, target: e.target ?? null, detail: e.detail === undefined ? null : JSON.stringify(e.detail) })),
  );
}

/**
 * Append entries carried over from elsewhere (a restored backup), keeping their time and actor.
 * Chains onto the authenticated head (never onto whatever the table's last row is), so a log
 * whose head was removed or forged refuses new entries with `E_TAMPERED`.
 */
export function appendAuditCopies(db: Database.Database, key: Buffer, entries: ReadonlyArray<Omit<AuditEntry, 'id'>>): void {
  if (entries.length === 0) return;
  const st = stmts(db);
  const head = readAuditHead(db, key);
  let prev = head.last;
  for (const e of entries) {
    prev = entryHash(key, prev, e);
    st.insert.run(e.at, e.actor, e.action, e.target, e.detail, prev);
  }
  writeAuditHead(db, key, { n: head.n + entries.length, last: prev });
}

/** Filters of {@link readAudit}. */
export interface AuditQuery {
  /** Only entries at or after this time (unix ms). */
  readonly since?: number;
  /** Only entries whose actor is this OS user, or whose target/detail names this vault user. */
  readonly user?: string;
  readonly action?: AuditAction;
  readonly limit?: number;
}

/** Read entries, oldest first. */
export function readAudit(db: Database.Database, q: AuditQuery = {}): AuditEntry[] {
  const where: string[] = [];
  const args: unknown[] = [];
  if (q.since !== undefined) {
    where.push('at >= ?');
    args.push(q.since);
  }
  if (q.action) {
    where.push('action = ?');
    args.push(q.action);
  }
  if (q.user) {
    where.push('(actor = ? OR target = ? OR instr(detail, ?) > 0)');
    args.push(q.user, q.user, JSON.stringify(q.user));
  }
  const sql = `SELECT id, at, actor, action, target, detail FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id${q.limit ? ` LIMIT ${Math.max(1, Math.floor(q.limit))}` : ''}`;
  return db.prepare(sql).all(...args) as AuditEntry[];
}

/** What {@link verifyAuditChain} found. */
export interface AuditCheck {
  /** Entries that verified, from the first. */
  readonly entries: number;
  /** The id of the first entry that does not verify, -1 for a problem with the head, or `null`. */
  readonly brokenAt: number | null;
  /** One line naming what was changed (never a value), or `null` when intact. */
  readonly problem: string | null;
}

/**
 * Check the keyed hash chain and its head: every entry must follow from the one before, and the
 * authenticated head must name the last entry and the number of entries (so removing entries from
 * the end, or the whole log with its head, is detected).
 */
export function verifyAuditChain(db: Database.Database, key: Buffer): AuditCheck {
  let head: AuditHead;
  try {
    head = readAuditHead(db, key);
  } catch (e) {
    if (!(e instanceof SeeqretError)) throw e;
    return { entries: 0, brokenAt: -1, problem: e.message };
  }
  let prev: Buffer = GENESIS;
  let n = 0;
  for (const row of db.prepare('SELECT id, at, actor, action, target, detail, hash FROM audit ORDER BY id').iterate() as IterableIterator<AuditEntry & { hash: Buffer }>) {
    const h = entryHash(key, prev, row);
    if (!Buffer.isBuffer(row.hash) || !constantTimeEqual(h, row.hash)) return { entries: n, brokenAt: row.id, problem: `audit entry ${row.id} was changed, inserted or removed outside seeqret (it does not follow from the entries before it)` };
    prev = row.hash;
    n += 1;
  }
  if (n < head.n) return { entries: n, brokenAt: -1, problem: `the audit log's newest entries were removed outside seeqret (${n} found, its head says ${head.n})` };
  if (n > head.n || !constantTimeEqual(prev, head.last)) return { entries: n, brokenAt: -1, problem: `the audit log does not end where its head says (${n} entries found, the head says ${head.n}): entries were changed outside seeqret` };
  return { entries: n, brokenAt: null, problem: null };
}
