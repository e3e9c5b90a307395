/**
 * Use cases of `seeqret history` (every version of the secrets a filter matches, values only when
 * asked for, the reads audited) and `seeqret accept` (received names accepted so that filters
 * export them). Apart from src/vault/secret-ops.ts, which the `get` bundle loads: these need the
 * time format of src/formats/output.ts.
 *
 * @module
 */
import { SeeqretError } from '../errors.js';
import type { Filter } from '../filter/index.js';
import { isoTime } from '../formats/output.js';
import type { SecretRecord, Vault } from './vault.js';

/** One version of a secret's value, as `seeqret history` lists it. */
export interface HistoryRow {
  readonly app: string;
  readonly env: string;
  readonly key: string;
  readonly version: number;
  /** `yes` for the current value, else empty. */
  readonly current: string;
  /** When this version was set (ISO time). */
  readonly set: string;
  /** When it was replaced (ISO time), or empty. */
  readonly replaced: string;
  /** The value when revealed, else `redacted`. */
  readonly value: string;
}

/**
 * Every version of every secret `filter` matches (none: `E_NOT_FOUND`); with `reveal` the values,
 * the reads audited as `history`, else `redacted` in their place.
 */
export function historyRows(v: Vault, filter: Filter, reveal: boolean, redacted: string): HistoryRow[] {
  const matches = v.find([filter]);
  if (matches.length === 0) throw new SeeqretError('E_NOT_FOUND', `no secret matches '${filter.text}'`, 'Run `seeqret list` to see what exists.');
  if (reveal) v.auditReads(matches, 'history');
  return matches.flatMap((r) =>
    v.history(r).map((h) => ({
      app: r.app,
      env: r.env,
      key: r.key,
      version: h.version,
      current: h.replacedAt === null ? 'yes' : '',
      set: isoTime(h.setAt),
      replaced: isoTime(h.replacedAt),
      value: reveal ? v.revealVersion(r, h.version) : redacted,
    })),
  );
}

/**
 * Accept the received names `filters` match, so that filters export them (`secret.accept` in the
 * audit log). Returns what matched and what was accepted now (names already the vault's own or
 * accepted are not); no match is `E_NOT_FOUND`.
 */
export function acceptNames(v: Vault, filters: readonly Filter[]): { readonly found: SecretRecord[]; readonly accepted: SecretRecord[] } {
  const found = v.find(filters);
  if (found.length === 0) throw new SeeqretError('E_NOT_FOUND', `no secret matches ${filters.map((f) => `'${f.text}'`).join(', ')}`, 'See what is pending with `seeqret list --pending`.');
  return { found, accepted: v.accept(found) };
}
