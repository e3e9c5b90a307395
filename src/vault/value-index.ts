/**
 * The library's `get` path: an in-memory index of still-encrypted values, one entry per (app, env)
 * variant of a key, filled on first use and dropped on every write.
 *
 * @module
 */
import { MemorySealed, MemorySealer, open, wipe } from '../crypto/index.js';
import { SeeqretError } from '../errors.js';
import { GLOBAL } from './names.js';
import { verifyRow } from './integrity.js';
import { LIST_SECRETS, SECRETS_T, type SecretRow, describeWhere, macCols, valueAd } from './rows.js';
import type { VaultSession } from './session.js';

/**
 * One (app, env) variant of a key in the library index: still encrypted, sealed again under the
 * index's own in-memory key (src/crypto/memory-seal.ts, decision 49). Its row was authenticated
 * when it was loaded. The entry IS the sealed bytes (a view into the sealer's arena) with its
 * names on it, so a `get` reads one object and its bytes (decision 76).
 */
class IndexEntry extends MemorySealed {
  readonly app: string;
  readonly env: string;
  /**
   * Every variant of the key, this one included (the index maps a key to its first); `null` when
   * this is the key's only variant (no list to keep: most keys have one).
   */
  readonly variants: readonly IndexEntry[] | null;

  /** See {@link MemorySealed}; `app`, `env` and `variants` as above. */
  constructor(bytes: ArrayBuffer, offset: number, length: number, lo: number, hi: number, ascii: number, app: string, env: string, variants: readonly IndexEntry[] | null) {
    super(bytes, offset, length, lo, hi, ascii);
    this.app = app;
    this.env = env;
    this.variants = variants;
  }
}

/** Score of one field for {@link ValueIndex.get}: -1 excludes the variant. */
function fieldScore(actual: string, wanted: string | undefined): number {
  if (wanted === undefined) return actual === GLOBAL ? 1 : 0;
  if (actual === wanted) return 2;
  return actual === GLOBAL ? 1 : -1;
}

/** An (app, env) variant of a key. */
export interface Variant {
  readonly app: string;
  readonly env: string;
}

/** What {@link chooseVariant} returns when several variants score best. */
export const AMBIGUOUS = Symbol('ambiguous');

/** {@link scoreVariants}: no variant fits. */
const NONE = -1;
/** {@link scoreVariants}: several variants share the best score. */
const TIE = -2;

/**
 * The scoring path (see {@link Vault.get}): the index of the one variant with the best score,
 * {@link NONE} when every variant is excluded, {@link TIE} when several score best. `top`, when
 * given, receives the variants with the best score (for the message of an ambiguous name).
 */
export function scoreVariants<T extends Variant>(rows: readonly T[], app: string | undefined, env: string | undefined, top?: T[]): number {
  let best = NONE;
  let bestScore = -1;
  let tie = false;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (r === undefined) continue; // never: i < rows.length
    const a = fieldScore(r.app, app);
    if (a < 0) continue;
    const e = fieldScore(r.env, env);
    if (e < 0) continue;
    const score = a * 3 + e;
    if (score > bestScore) {
      best = i;
      bestScore = score;
      tie = false;
      if (top) top.length = 0;
    } else if (score === bestScore) tie = true;
    if (top && score === bestScore) top.push(r);
  }
  return tie ? TIE : best;
}

/**
 * The variant {@link Vault.get} takes: with app and env both given, the exact variant when there is
 * one (it scores 2·3 + 2, the most any variant can, and (app, env, key) is unique), found without
 * scoring; otherwise the one best of {@link scoreVariants}. `undefined` when no variant fits,
 * {@link AMBIGUOUS} on a tie. Allocates nothing.
 */
export function chooseVariant<T extends Variant>(rows: readonly T[], app: string | undefined, env: string | undefined): T | typeof AMBIGUOUS | undefined {
  if (app !== undefined && env !== undefined) {
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      if (r !== undefined && r.env === env && r.app === app) return r;
    }
  }
  const i = scoreVariants(rows, app, env);
  return i === TIE ? AMBIGUOUS : i === NONE ? undefined : rows[i];
}

/**
 * Whether the one variant of a key fits a `get` of (app, env): what {@link chooseVariant} answers
 * for a list of that variant alone (it fits unless app or env excludes it).
 */
export function fits(v: Variant, app: string | undefined, env: string | undefined): boolean {
  return fieldScore(v.app, app) >= 0 && fieldScore(v.env, env) >= 0;
}

/** The ` (app …, env …)` part of a message about a `get`. */
function whereText(app: string | undefined, env: string | undefined): string {
  return describeWhere({ app, env });
}

/** `E_NOT_FOUND` for a `get` of `key` that no variant fits. */
function notFound(key: string, app: string | undefined, env: string | undefined): SeeqretError {
  return new SeeqretError('E_NOT_FOUND', `no secret named ${key}${whereText(app, env)}`, LIST_SECRETS.fix, LIST_SECRETS.options);
}

/** The value index of one open vault. */
export class ValueIndex {
  readonly #s: VaultSession;
  /** Each indexed key's first variant (all of them in its `variants`). */
  #index = new Map<string, IndexEntry>();
  /** Keys looked up and found in no variant, so that asking again costs no query. */
  #missing = new Set<string>();
  /** Seals the index's values in memory; made with the index, wiped when the vault closes. */
  readonly #sealer = new MemorySealer();
  /**
   * One string per app or env name in the index: a `get` compares its arguments with the same few
   * strings, which stay in the processor's cache, not with a copy read from each row.
   */
  readonly #names = new Map<string, string>();

  constructor(session: VaultSession) {
    this.#s = session;
  }

  /**
   * Library fast path: the value of `key`, choosing among its (app, env) variants by specificity.
   * Each of app and env scores 2 for an exact match with the requested name, 1 for the global
   * `*`, and otherwise excludes the variant; an omitted app or env scores 1 for `*` and 0 for any
   * other name. App weighs more than env. The best score wins; a tie at the top is
   * `E_AMBIGUOUS`. So `get('DB', 'web', 'prod')` takes `web:prod:DB`, then `web:*:DB`, then
   * `*:prod:DB`, then `*:*:DB`; `get('DB')` takes `*:*:DB` when it exists, else the only
   * variant. Values come from an in-memory index of ciphertexts built on first use (see
   * {@link Vault.refresh}): the first call for a key reads its variants with one indexed query,
   * later calls only a map lookup; only the chosen value is decrypted.
   *
   * Kept small so V8 inlines it: the key's first variant, when it is the exact (app, env) asked
   * for, is the answer without a loop ((app, env, key) is unique, and an exact match scores the
   * most); anything else goes to {@link ValueIndex.#choose}.
   */
  get(key: string, app: string | undefined, env: string | undefined): string {
    const first = this.#index.get(key) ?? this.#load(key, app, env);
    const best = first.app === app && first.env === env ? first : this.#choose(key, first, app, env);
    const value = this.#sealer.open(best);
    if (value === null) throw this.#damaged(best.app, best.env, key);
    return value;
  }

  /** Drop the in-memory index used by {@link Vault.get}, so the next call sees changes made by other processes. */
  refresh(): void {
    this.#index = new Map<string, IndexEntry>();
    this.#missing = new Set<string>();
    this.#names.clear();
  }

  /** The variant {@link ValueIndex.get} takes when the first is not the exact one asked for, or its error. */
  #choose(key: string, first: IndexEntry, app: string | undefined, env: string | undefined): IndexEntry {
    const rows = first.variants;
    if (rows === null) {
      if (fits(first, app, env)) return first;
      throw notFound(key, app, env);
    }
    const best = chooseVariant(rows, app, env);
    if (best === undefined) throw notFound(key, app, env);
    if (best === AMBIGUOUS) {
      const top: IndexEntry[] = [];
      scoreVariants(rows, app, env, top);
      const names = top.map((r) => `${r.app}:${r.env}:${key}`).join(', ');
      throw new SeeqretError('E_AMBIGUOUS', `${key}${whereText(app, env)} is ambiguous: ${names}`, 'Pass app and env to choose one.');
    }
    return best;
  }

  /**
   * Load the (app, env) variants of `key` into the index, once per key, and return the first: one
   * indexed query, then each row is authenticated here (it opens under its associated data, its
   * row MAC is valid and it is not a replaced version put back) and its value sealed again in
   * memory, so that later calls are a map lookup and one in-memory open. A key with no variant is
   * remembered as missing and is `E_NOT_FOUND`.
   */
  #load(key: string, app: string | undefined, env: string | undefined): IndexEntry {
    if (this.#missing.has(key)) throw notFound(key, app, env);
    const rows = this.#s.sql(() => this.#s.stmt(`SELECT ${macCols('secrets')} FROM secrets WHERE key = ?`).all(key)) as SecretRow[];
    // The entries and their lists of variants are what the index keeps, and so what a `get` walks
    // over: a key with one variant has no list, and a list is exactly as long as the key's
    // variants (a `[]` grown by push holds room for 17).
    const variants = rows.length > 1 ? new Array<IndexEntry>(rows.length) : null;
    let first: IndexEntry | undefined;
    for (const [i, r] of rows.entries()) {
      const plain = open(this.#s.keys.dataKey, r.value, valueAd(r.app, r.env, key, r.version));
      // A ciphertext that does not open is E_DECRYPT before a row MAC is E_TAMPERED (as `reveal`).
      if (plain === null) throw this.#damaged(r.app, r.env, key);
      const a = this.#name(r.app);
      const e = this.#name(r.env);
      try {
        verifyRow(this.#s.integrityKey, SECRETS_T, r as unknown as Record<string, unknown>);
        this.#s.checkNotStale(r);
        // The entry is made by the sealer, in its arena: one object per variant, next to the last one's bytes.
        const entry = this.#sealer.sealWith(plain, (bytes, offset, length, lo, hi, ascii) => new IndexEntry(bytes, offset, length, lo, hi, ascii, a, e, variants));
        if (variants !== null) variants[i] = entry;
        first ??= entry;
      } finally {
        wipe(plain);
      }
    }
    if (first === undefined) {
      this.#missing.add(key);
      throw notFound(key, app, env);
    }
    this.#index.set(key, first);
    return first;
  }

  /** The index's one string equal to `name` (see {@link ValueIndex.#names}). */
  #name(name: string): string {
    const known = this.#names.get(name);
    if (known !== undefined) return known;
    this.#names.set(name, name);
    return name;
  }

  #damaged(app: string, env: string, key: string): SeeqretError {
    return new SeeqretError('E_DECRYPT', `secret ${app}:${env}:${key} failed authentication: the vault was modified or is damaged`, 'Restore the vault folder from a backup copy.');
  }

  /** Drop the index and wipe its in-memory key (the vault is closing). */
  wipe(): void {
    this.refresh();
    this.#sealer.wipe();
  }
}
