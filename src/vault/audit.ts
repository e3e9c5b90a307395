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

/** What an audit entry records. */
export type AuditAction =
  | 'vault.create'
  | 'secret.add'
  | 'secret.update'
  | 'secret.remove'
  | 'secret.rename'
  | 'secret.read'
  | 'secret.exposed'
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

interface Statements {
  readonly last: Database.Statement;
  readonly count: Database.Statement;
  readonly insert: Database.Statement;
  readonly head: Database.Statement;
}
const statements = new WeakMap<Database.Database, Statements>();

function stmts(db: Database.Database): Statements {
  let st = statements.get(db);
  if (!st) {
    st = {
      last: db.prepare('SELECT hash FROM audit ORDER BY id DESC LIMIT 1').pluck(),
      count: db.prepare('SELECT count(*) FROM audit').pluck(),
      insert: db.prepare('INSERT INTO audit (at, actor, action, target, detail, hash) VALUES (?, ?, ?, ?, ?, ?)'),
      head: db.prepare("INSERT OR REPLACE INTO meta (name, value) VALUES ('audit_head', ?)"),
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

/** Append entries carried over from elsewhere (a restored backup), keeping their time and actor. */
export function appendAuditCopies(db: Database.Database, key: Buffer, entries: ReadonlyArray<Omit<AuditEntry, 'id'>>): void {
  if (entries.length === 0) return;
  const st = stmts(db);
  let prev: Buffer = (st.last.get() as Buffer | undefined) ?? GENESIS;
  for (const e of entries) {
    prev = entryHash(key, prev, e);
    st.insert.run(e.at, e.actor, e.action, e.target, e.detail, prev);
  }
  st.head.run(headMac(key, prev, st.count.get() as number));
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

/**
 * Check the keyed hash chain and its head. Returns the id of the first entry that does not verify
 * (or -1 when the entries verify but the head does not: entries were removed from the end).
 */
export function verifyAuditChain(db: Database.Database, key: Buffer): { entries: number; brokenAt: number | null } {
  let prev: Buffer = GENESIS;
  let n = 0;
  for (const row of db.prepare('SELECT id, at, actor, action, target, detail, hash FROM audit ORDER BY id').iterate() as IterableIterator<AuditEntry & { hash: Buffer }>) {
    const h = entryHash(key, prev, row);
    if (!constantTimeEqual(h, row.hash)) return { entries: n, brokenAt: row.id };
    prev = row.hash;
    n += 1;
  }
  const head = db.prepare("SELECT value FROM meta WHERE name = 'audit_head'").pluck().get() as string | undefined;
  if (n > 0 && head !== headMac(key, prev, n)) return { entries: n, brokenAt: -1 };
  return { entries: n, brokenAt: null };
}
