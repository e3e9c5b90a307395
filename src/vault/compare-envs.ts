/**
 * Environments side by side: for each application, which keys each environment has, and where
 * they are missing, have another type, or another value. Values are compared here, in memory, by
 * a keyed hash (src/crypto's `mac256` under a key made for the call); none leaves this module.
 *
 * @module
 */
import { mac256, randomBytes } from '../crypto/index.js';
import type { SecretRecord, Vault } from './vault.js';

/** What one environment has for one key. */
export interface EnvCell {
  /** The secret's type. */
  readonly type: string;
  /** Its version. */
  readonly version: number;
  /** Its value differs from the value most environments of the row have. */
  readonly different: boolean;
}

/** One key of one application across the environments. */
export interface EnvRow {
  /** The application. */
  readonly app: string;
  /** The key. */
  readonly key: string;
  /** One cell per environment (`null`: missing there). */
  readonly cells: ReadonlyArray<EnvCell | null>;
}

/** An application's environments compared. */
export interface EnvComparison {
  /** The application. */
  readonly app: string;
  /** Its environments, in name order (`*`, the global one, included when it has keys). */
  readonly envs: readonly string[];
  /** Its keys, in name order. */
  readonly rows: readonly EnvRow[];
}

/**
 * Compare the environments of each application (`app` alone when given). A cell is `different`
 * when its value is not the one most of the row's environments share.
 */
export function compareEnvironments(v: Vault, app?: string): EnvComparison[] {
  const byApp = new Map<string, SecretRecord[]>();
  for (const r of v.all()) {
    if (app !== undefined && r.app !== app) continue;
    const list = byApp.get(r.app) ?? [];
    list.push(r);
    byApp.set(r.app, list);
  }
  const salt = randomBytes(32); // the digests are never kept beyond this call
  const out: EnvComparison[] = [];
  for (const [name, records] of [...byApp].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const envs = [...new Set(records.map((r) => r.env))].sort();
    const keys = new Map<string, Map<string, SecretRecord>>();
    for (const r of records) {
      const m = keys.get(r.key) ?? new Map<string, SecretRecord>();
      m.set(r.env, r);
      keys.set(r.key, m);
    }
    const rows: EnvRow[] = [];
    for (const [key, m] of [...keys].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const digests = new Map<string, string>();
      const counts = new Map<string, number>();
      if (m.size > 1) {
        for (const [env, r] of m) {
          const d = mac256(salt, Buffer.from(`${r.type}\0`, 'utf8'), Buffer.from(v.reveal(r), 'utf8')).toString('base64');
          digests.set(env, d);
          counts.set(d, (counts.get(d) ?? 0) + 1);
        }
      }
      const common = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
      const unanimous = counts.size <= 1;
      rows.push({
        app: name,
        key,
        cells: envs.map((env) => {
          const r = m.get(env);
          if (!r) return null;
          return { type: r.type, version: r.version, different: !unanimous && digests.get(env) !== common };
        }),
      });
    }
    out.push({ app: name, envs, rows });
  }
  return out;
}
