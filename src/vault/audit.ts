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
import type Database from 'better-sqlite3';
import { constantTimeEqual, hash256, mac256 } from '../crypto/index.js';
import { SeeqretError } from '../errors.js';
import { hostOs } from '../host.js';
import { type QueuedAuditEntry, foldPerSecret } from './audit-fold.js';

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
  | 'team.pull'
  | 'relay.reject'
  | 'scan'
  | 'audit.checkpoint';

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
/** The OS user name recorded as the actor (`os.userInfo().username`; `node:os` is loaded on first use). */
export function currentActor(): string {
  if (actorName === undefined) {
    try {
      actorName = hostOs().userInfo().username;
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

/** The action of a checkpoint entry ({@link compactAudit}). */
export const CHECKPOINT_ACTION: AuditAction = 'audit.checkpoint';

/** The chain hash a checkpoint entry stands for (its detail's `last`), or `undefined`. */
function checkpointLast(detail: string | null): Buffer | undefined {
  try {
    const last = (JSON.parse(detail ?? 'null') as { last?: unknown } | null)?.last;
    if (typeof last !== 'string') return undefined;
    const b = Buffer.from(last, 'base64');
    return b.length === 32 ? b : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One link of the chain: the entry's hash over `prev`, and what the next entry chains onto. That
 * is the entry's own hash, except for a checkpoint in FIRST place: it stands for the entries it
 * replaced, so the entry after it chains onto the last of those (its detail's `last`), exactly as
 * before the compaction. A checkpoint anywhere else (carried over from a backup) is an ordinary
 * entry.
 */
function link(key: Buffer, prev: Buffer, e: { at: number; actor: string; action: string; target: string | null; detail: string | null }, first: boolean): { hash: Buffer; next: Buffer } {
  const hash = entryHash(key, prev, e);
  const next = first && e.action === CHECKPOINT_ACTION ? checkpointLast(e.detail) : undefined;
  return { hash, next: next ?? hash };
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
    const l = link(key, prev, row, n === 0);
    if (broken === null && !constantTimeEqual(l.hash, row.hash)) broken = row.id;
    prev = Buffer.isBuffer(row.hash) && l.hash.equals(row.hash) ? l.next : row.hash;
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

/**
 * Append one transaction's entries (call inside the caller's write transaction). Entries about
 * single secrets are folded first, one per action ({@link foldPerSecret}): a command that reads or
 * writes 1,000 secrets adds one entry naming them, not 1,000.
 */
export function appendAudit(db: Database.Database, key: Buffer, entries: readonly QueuedAuditEntry[], at = Date.now()): void {
  if (entries.length === 0) return;
  const actor = currentActor();
  appendAuditCopies(
    db,
    key,
    foldPerSecret(entries).map((e) => ({ at, actor, action: e.action, target: e.target ?? null, detail: e.detail === undefined ? null : JSON.stringify(e.detail) })),
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
  entries.forEach((e, i) => {
    const l = link(key, prev, e, head.n === 0 && i === 0);
    st.insert.run(e.at, e.actor, e.action, e.target, e.detail, l.hash);
    prev = l.next;
  });
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
  /** Entries that verified, from the first (a checkpoint counts as one). */
  readonly entries: number;
  /** How many earlier entries the log's checkpoint stands for (0: no checkpoint). */
  readonly folded: number;
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
    return { entries: 0, folded: 0, brokenAt: -1, problem: e.message };
  }
  let prev: Buffer = GENESIS;
  let n = 0;
  let folded = 0;
  for (const row of db.prepare('SELECT id, at, actor, action, target, detail, hash FROM audit ORDER BY id').iterate() as IterableIterator<AuditEntry & { hash: Buffer }>) {
    const l = link(key, prev, row, n === 0);
    if (!Buffer.isBuffer(row.hash) || !constantTimeEqual(l.hash, row.hash)) return { entries: n, folded, brokenAt: row.id, problem: `audit entry ${row.id} was changed, inserted or removed outside seeqret (it does not follow from the entries before it)` };
    if (n === 0 && row.action === CHECKPOINT_ACTION) folded = checkpointOf(row)?.entries ?? 0;
    prev = l.next;
    n += 1;
  }
  if (n < head.n) return { entries: n, folded, brokenAt: -1, problem: `the audit log's newest entries were removed outside seeqret (${n} found, its head says ${head.n})` };
  if (n > head.n || !constantTimeEqual(prev, head.last)) return { entries: n, folded, brokenAt: -1, problem: `the audit log does not end where its head says (${n} entries found, the head says ${head.n}): entries were changed outside seeqret` };
  return { entries: n, folded, brokenAt: null, problem: null };
}

/** What a checkpoint entry's detail records about the entries it replaced (names and times only). */
export interface AuditCheckpoint {
  /** How many original entries it stands for (those of an earlier checkpoint included). */
  readonly entries: number;
  /** Time of the oldest and newest of them (unix ms). */
  readonly from: number;
  readonly to: number;
  /** How many of them had each action. */
  readonly actions: Readonly<Record<string, number>>;
  /** Base64 of the chain hash of the last of them: the entry after the checkpoint chains onto it. */
  readonly last: string;
  /** When the compaction ran (unix ms). */
  readonly compacted: number;
}

/** The checkpoint an entry records, or `undefined` when it is not one (or not well-formed). */
export function checkpointOf(e: { action: string; detail: string | null }): AuditCheckpoint | undefined {
  if (e.action !== CHECKPOINT_ACTION || e.detail === null || checkpointLast(e.detail) === undefined) return undefined;
  const d = JSON.parse(e.detail) as Partial<Record<keyof AuditCheckpoint, unknown>>;
  if (!Number.isSafeInteger(d.entries) || typeof d.from !== 'number' || typeof d.to !== 'number' || typeof d.actions !== 'object' || d.actions === null) return undefined;
  return d as AuditCheckpoint;
}

/** Which entries {@link compactAudit} folds: those older than `before`, or all but the newest `keep`. */
export type CompactSelection = { readonly before: number } | { readonly keep: number };

/** What {@link compactAudit} did. */
export interface CompactResult {
  /** Rows replaced by the checkpoint (an earlier checkpoint counts as one). */
  readonly rows: number;
  /** The checkpoint written (`null`: there was nothing to fold). */
  readonly checkpoint: AuditCheckpoint | null;
  /** Rows in the log now. */
  readonly remaining: number;
}

/**
 * Fold the oldest entries of the log into ONE checkpoint entry (call inside a write transaction).
 *
 * The log is verified first (a broken log is `E_TAMPERED`, never compacted: a checkpoint would
 * bless it). Only a prefix can be folded without breaking the chain: with `before`, every entry up
 * to the last one older than that time; with `keep`, every entry but the newest `keep` (a
 * checkpoint already there is folded into the new one). The rows are deleted and the checkpoint
 * takes the id of the last of them, so it stays first; its detail records how many entries it
 * replaces, their time range and actions, and the chain hash of the last one, and its own hash is
 * keyed with the audit key over all of that, as every entry's is. The entries kept still chain onto
 * that hash, the head keeps its last hash and now counts the rows left: `verifyAuditChain` checks
 * the whole log as before, and a checkpoint changed, removed, or moved is `E_TAMPERED`.
 */
export function compactAudit(db: Database.Database, key: Buffer, sel: CompactSelection, now = Date.now()): CompactResult {
  const check = verifyAuditChain(db, key);
  if (check.problem !== null) {
    throw new SeeqretError('E_TAMPERED', check.problem, 'Restore the vault from a backup to recover the original log before compacting it; `seeqret doctor` lists every change.');
  }
  const head = readAuditHead(db, key);
  let lastId: number | null | undefined; // undefined: no row at that offset; null: max() of no rows
  if ('keep' in sel) {
    const fold = head.n - Math.max(0, Math.floor(sel.keep));
    if (fold > 0) lastId = db.prepare('SELECT id FROM audit ORDER BY id LIMIT 1 OFFSET ?').pluck().get(fold - 1) as number | undefined;
  } else {
    lastId = db.prepare('SELECT max(id) FROM audit WHERE at < ?').pluck().get(sel.before) as number | null;
  }
  if (lastId === undefined || lastId === null) return { rows: 0, checkpoint: null, remaining: head.n };
  let rows = 0;
  let fresh = 0;
  let entries = 0;
  let from = Infinity;
  let to = -Infinity;
  let prev: Buffer = GENESIS;
  const actions: Record<string, number> = {};
  for (const row of db.prepare('SELECT id, at, actor, action, target, detail, hash FROM audit WHERE id <= ? ORDER BY id').iterate(lastId) as IterableIterator<AuditEntry & { hash: Buffer }>) {
    const cp = rows === 0 ? checkpointOf(row) : undefined;
    if (cp) {
      entries += cp.entries;
      from = Math.min(from, cp.from);
      to = Math.max(to, cp.to);
      for (const [a, c] of Object.entries(cp.actions)) actions[a] = (actions[a] ?? 0) + c;
    } else {
      fresh += 1;
      entries += 1;
      from = Math.min(from, row.at);
      to = Math.max(to, row.at);
      actions[row.action] = (actions[row.action] ?? 0) + 1;
    }
    prev = link(key, prev, row, rows === 0).next;
    rows += 1;
  }
  // Only an earlier checkpoint would be folded: nothing new to compact.
  if (fresh === 0) return { rows: 0, checkpoint: null, remaining: head.n };
  const checkpoint: AuditCheckpoint = { entries, from, to, actions, last: prev.toString('base64'), compacted: now };
  const entry = { at: to, actor: currentActor(), action: CHECKPOINT_ACTION, target: `${entries} entries`, detail: JSON.stringify(checkpoint) };
  // The append-only trigger guards against accidents, not attackers (who can drop it): lifted for
  // this one statement, in this transaction, and put back exactly as it was.
  const trigger = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'audit_no_delete'").pluck().get() as string | undefined;
  if (trigger !== undefined) db.exec('DROP TRIGGER audit_no_delete');
  db.prepare('DELETE FROM audit WHERE id <= ?').run(lastId);
  if (trigger !== undefined) db.exec(trigger);
  db.prepare('INSERT INTO audit (id, at, actor, action, target, detail, hash) VALUES (?, ?, ?, ?, ?, ?, ?)').run(lastId, entry.at, entry.actor, entry.action, entry.target, entry.detail, link(key, GENESIS, entry, true).hash);
  const remaining = head.n - rows + 1;
  writeAuditHead(db, key, { n: remaining, last: head.last });
  return { rows, checkpoint, remaining };
}
