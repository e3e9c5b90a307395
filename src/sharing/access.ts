/**
 * Who holds which secret: the share records read as "person → secret → newest version sent", the
 * access matrix the web UI draws from them, and the rotation board (exposed values, old values,
 * holders of an outdated version). `relay push` finds the updates it owes with {@link sharesOf}.
 *
 * @module
 */
import { type SecretRecord, type Vault, secretLabel } from '../vault/vault.js';

/** What one person was sent of one secret: the newest version and when. */
export interface Held {
  /** The newest version sent. */
  readonly version: number;
  /** When it was sent (unix ms). */
  readonly at: number;
}

/**
 * Person → `app:env:key` → what they were sent. `currentKeyOnly` counts only what was sealed to
 * a current user's present key (what `relay push` may update); otherwise every share record
 * counts, those of removed people and of `send` (OpenPGP) included.
 */
export function sharesOf(v: Vault, o: { currentKeyOnly?: boolean } = {}): Map<string, Map<string, Held>> {
  return fold(v, v.heldVersions(), o);
}

function fold(v: Vault, held: ReturnType<Vault['heldVersions']>, o: { currentKeyOnly?: boolean }): Map<string, Map<string, Held>> {
  const keys = new Map(v.users().filter((u) => !u.isOwner).map((u) => [u.username, u.pubkey]));
  const out = new Map<string, Map<string, Held>>();
  for (const s of held) {
    if (o.currentKeyOnly === true && keys.get(s.username) !== s.pubkey) continue;
    let mine = out.get(s.username);
    if (!mine) out.set(s.username, (mine = new Map<string, Held>()));
    const id = secretLabel(s);
    const had = mine.get(id);
    if (!had || s.version > had.version || (s.version === had.version && s.at > had.at)) mine.set(id, { version: s.version, at: s.at });
  }
  return out;
}

/** A column of the access matrix: a person, a server or a removed person. */
export interface AccessColumn {
  /** The user name. */
  readonly username: string;
  /** Removed from this vault: the column shows what they could read. */
  readonly removed: boolean;
  /** Their key's fingerprint was checked (`users verify`). */
  readonly verified: boolean;
}

/** One cell: what the person of the column was sent, compared with the current version. */
export interface AccessCell extends Held {
  /** They hold the current value. */
  readonly current: boolean;
}

/** One row of the access matrix. */
export interface AccessRow {
  /** The secret (metadata only). */
  readonly secret: SecretRecord;
  /** One cell per column (`null`: never sent). */
  readonly cells: ReadonlyArray<AccessCell | null>;
}

/** The access matrix: secrets (grouped by app and env) × people. */
export interface AccessMatrix {
  /** The people, current first (by name), then removed ones. */
  readonly columns: readonly AccessColumn[];
  /** Rows in app, env, key order. */
  readonly rows: readonly AccessRow[];
  /** All secrets (before `offset`/`limit`). */
  readonly total: number;
}

/**
 * The access matrix of the secrets `filter` keeps (all when absent), rows `offset` to
 * `offset + limit`.
 */
export function accessMatrix(v: Vault, o: { filter?: (s: SecretRecord) => boolean; offset?: number; limit?: number } = {}): AccessMatrix {
  const all = (o.filter ? v.all().filter(o.filter) : v.all()).sort(bySecret);
  const offset = o.offset ?? 0;
  const page = all.slice(offset, offset + (o.limit ?? all.length));
  // Only the share records of this page's secrets are read, after the records' integrity check.
  const shares = v.heldPage(page);
  const held = fold(v, shares.held, {});
  const users = v.users().filter((u) => !u.isOwner);
  const present = new Set(users.map((u) => u.username));
  const columns: AccessColumn[] = [
    ...users.map((u) => ({ username: u.username, removed: false, verified: u.verifiedAt !== null })).sort((a, b) => (a.username < b.username ? -1 : 1)),
    ...shares.people.filter((n) => !present.has(n) && v.pgpKey(n) === undefined).sort().map((username) => ({ username, removed: true, verified: false })),
  ];
  const maps = columns.map((c) => held.get(c.username));
  const rows = page.map((secret) => {
    const id = secretLabel(secret);
    return {
      secret,
      cells: maps.map((m) => {
        const h = m?.get(id);
        return h ? { ...h, current: h.version >= secret.version && h.at >= secret.createdAt } : null;
      }),
    };
  });
  return { columns, rows, total: all.length };
}

function bySecret(a: SecretRecord, b: SecretRecord): number {
  return a.app !== b.app ? (a.app < b.app ? -1 : 1) : a.env !== b.env ? (a.env < b.env ? -1 : 1) : a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** A secret on the rotation board, with why it is there. */
export interface RotationItem {
  /** The secret. */
  readonly secret: SecretRecord;
  /** The people who hold an older version than the current one (pushing the update reaches them). */
  readonly outdated: readonly string[];
}

/** The rotation board: what to change and what to send again. */
export interface RotationBoard {
  /** Values a removed person could read (change them: `seeqret rotate --exposed` or edit). */
  readonly exposed: readonly RotationItem[];
  /** Values not changed for `days` days. */
  readonly old: readonly RotationItem[];
  /** Secrets some holder has an outdated version of (`seeqret push`). */
  readonly outdated: readonly RotationItem[];
  /** The age limit of {@link RotationBoard.old}, in days. */
  readonly days: number;
}

/** The rotation board at time `now`: exposed values, values older than `days`, outdated holders. */
export function rotationBoard(v: Vault, days: number, now: number): RotationBoard {
  const held = sharesOf(v, { currentKeyOnly: true });
  const all = v.all().sort(bySecret);
  const outdatedBy = new Map<string, string[]>();
  for (const [user, m] of held) {
    for (const s of all) {
      const h = m.get(secretLabel(s));
      if (h && h.version < s.version) {
        const list = outdatedBy.get(secretLabel(s)) ?? [];
        list.push(user);
        outdatedBy.set(secretLabel(s), list);
      }
    }
  }
  const item = (secret: SecretRecord): RotationItem => ({ secret, outdated: outdatedBy.get(secretLabel(secret)) ?? [] });
  const limit = now - days * 86_400_000;
  return {
    exposed: all.filter((s) => s.exposedAt !== null).map(item),
    old: all.filter((s) => s.updatedAt < limit).map(item),
    outdated: all.filter((s) => outdatedBy.has(secretLabel(s))).map(item),
    days,
  };
}
