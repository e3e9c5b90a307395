/**
 * The vault's audit log: an append-only table (triggers refuse UPDATE and DELETE) whose entries
 * are hash-chained — each `hash` is BLAKE2b-256 over the previous entry's hash and this entry's
 * fields — so removing or editing an entry with a raw SQLite tool is detected by
 * {@link verifyAuditChain} (`seeqret doctor`, `seeqret audit --verify`). Entries never contain
 * secret values: only names, versions, user names and bundle ids.
 *
 * @module
 */
import os from 'node:os';
import type Database from 'better-sqlite3';
import { constantTimeEqual, hash256 } from '../crypto/index.js';

/** What an audit entry records. */
export type AuditAction =
  | 'vault.create'
  | 'secret.add'
  | 'secret.update'
  | 'secret.remove'
  | 'secret.read'
  | 'secret.exposed'
  | 'user.add'
  | 'user.remove'
  | 'user.verify'
  | 'export'
  | 'load'
  | 'backup'
  | 'restore'
  | 'import';

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

function entryHash(prev: Buffer, e: { at: number; actor: string; action: string; target: string | null; detail: string | null }): Buffer {
  return hash256(prev, Buffer.from(JSON.stringify(['seeqret/audit/v1', e.at, e.actor, e.action, e.target, e.detail]), 'utf8'));
}

interface Statements {
  readonly last: Database.Statement;
  readonly insert: Database.Statement;
}
const statements = new WeakMap<Database.Database, Statements>();

function stmts(db: Database.Database): Statements {
  let st = statements.get(db);
  if (!st) {
    st = {
      last: db.prepare('SELECT hash FROM audit ORDER BY id DESC LIMIT 1').pluck(),
      insert: db.prepare('INSERT INTO audit (at, actor, action, target, detail, hash) VALUES (?, ?, ?, ?, ?, ?)'),
    };
    statements.set(db, st);
  }
  return st;
}

/** Append entries (call inside the caller's write transaction). */
export function appendAudit(db: Database.Database, entries: ReadonlyArray<{ action: AuditAction; target?: string | null; detail?: unknown }>, at = Date.now()): void {
  if (entries.length === 0) return;
  const actor = currentActor();
  appendAuditCopies(
    db,
    entries.map((e) => ({ at, actor, action: e.action, target: e.target ?? null, detail: e.detail === undefined ? null : JSON.stringify(e.detail) })),
  );
}

/** Append entries carried over from elsewhere (a restored backup), keeping their time and actor. */
export function appendAuditCopies(db: Database.Database, entries: ReadonlyArray<Omit<AuditEntry, 'id'>>): void {
  const st = stmts(db);
  let prev: Buffer = (st.last.get() as Buffer | undefined) ?? GENESIS;
  for (const e of entries) {
    prev = entryHash(prev, e);
    st.insert.run(e.at, e.actor, e.action, e.target, e.detail, prev);
  }
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

/** Check the hash chain; returns the id of the first entry that does not verify, or `null`. */
export function verifyAuditChain(db: Database.Database): { entries: number; brokenAt: number | null } {
  let prev: Buffer = GENESIS;
  let n = 0;
  for (const row of db.prepare('SELECT id, at, actor, action, target, detail, hash FROM audit ORDER BY id').iterate() as IterableIterator<AuditEntry & { hash: Buffer }>) {
    const h = entryHash(prev, row);
    if (!constantTimeEqual(h, row.hash)) return { entries: n, brokenAt: row.id };
    prev = row.hash;
    n += 1;
  }
  return { entries: n, brokenAt: null };
}
