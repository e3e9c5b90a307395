/**
 * Use cases on single secrets shared by the CLI (`add key`, `edit value`, `rm key`, `get`) and
 * the web UI: which secrets a filter selects for a change (none: `E_NOT_FOUND`; several without
 * `all`: `E_AMBIGUOUS`; every secret without `all`: `E_NEEDS_ALL`), adding, changing, removing,
 * the history, and revealing one value with its audit entry.
 *
 * @module
 */
import { SeeqretError } from '../errors.js';
import type { Filter } from '../filter/index.js';
import { refuseEmptyValue } from './names.js';
import { type HistoryEntry, type SecretRecord, type Vault, type WriteOutcome, secretLabel } from './vault.js';

function listNames(names: string[], max = 10): string {
  return names.slice(0, max).join(', ') + (names.length > max ? `, … (${names.length - max} more)` : '');
}

/** The secrets `filter` selects for a change of value: at least one, exactly one unless `all`. */
export function secretsToChange(v: Vault, filter: Filter, all: boolean): SecretRecord[] {
  const matches = v.find([filter]);
  if (matches.length === 0) throw new SeeqretError('E_NOT_FOUND', `no secret matches '${filter.text}'`, 'Run `seeqret list` to see what exists, or `seeqret add key` to create it.');
  if (matches.length > 1 && !all) {
    throw new SeeqretError('E_AMBIGUOUS', `'${filter.text}' matches ${matches.length} secrets: ${listNames(matches.map(secretLabel))}`, 'Narrow the filter, or pass --all to change every one.');
  }
  return matches;
}

/** The secrets `filter` selects for removal: at least one; all of the vault only with `all`. */
export function secretsToRemove(v: Vault, filter: Filter, all: boolean): SecretRecord[] {
  const matches = v.find([filter]);
  if (matches.length === 0) throw new SeeqretError('E_NOT_FOUND', `no secret matches '${filter.text}'`, 'Run `seeqret list` to see what exists.');
  const everything = (filter.app.any && filter.env.any && filter.key.any) || (matches.length > 1 && matches.length === v.count());
  if (everything && !all) {
    throw new SeeqretError('E_NEEDS_ALL', `'${filter.text}' matches every secret in the vault (${matches.length})`, 'Pass --all as well if you really mean to delete them all.');
  }
  return matches;
}

/** One secret by its exact name (`E_NOT_FOUND` when there is none). */
export function secretNamed(v: Vault, app: string, env: string, key: string): SecretRecord {
  const r = v.lookup(app, env, key);
  if (!r) throw new SeeqretError('E_NOT_FOUND', `no secret ${secretLabel({ app, env, key })}`, 'Run `seeqret list` to see what exists (another process may have removed it).');
  return r;
}

/** A secret to add. */
export interface AddSecretRequest {
  /** Application name (`*`: global). */
  readonly app: string;
  /** Environment name (`*`: global). */
  readonly env: string;
  /** Key name. */
  readonly key: string;
  /** The value. */
  readonly value: string;
  /** Value type (default `str`). */
  readonly type?: string | undefined;
  /** Replace an existing value (else `E_EXISTS`-like errors from the store). */
  readonly replace: boolean;
  /** Store an empty value. */
  readonly allowEmpty: boolean;
}

/** Add (or with `replace`, update) one secret with the checks of every write. */
export function addSecret(v: Vault, r: AddSecretRequest): WriteOutcome {
  refuseEmptyValue(r.value, r.key, r.allowEmpty);
  return v.set({ app: r.app, env: r.env, key: r.key, value: r.value, type: r.type ?? 'str' }, { replace: r.replace });
}

/** Change the value of `records`; how many changed (the others had this value already). */
export function changeValues(v: Vault, records: readonly SecretRecord[], value: string, allowEmpty: boolean): number {
  refuseEmptyValue(value, records.length === 1 && records[0] ? secretLabel(records[0]) : `${records.length} secrets`, allowEmpty);
  return v.updateValues(records, value);
}

/** A secret's metadata and the versions of its value (never a value). */
export function secretWithHistory(v: Vault, app: string, env: string, key: string): { secret: SecretRecord; history: HistoryEntry[] } {
  const secret = secretNamed(v, app, env, key);
  return { secret, history: v.history(secret) };
}

/** Reveal one value the person asked to see, recorded in the audit log as `how` (`get`, `ui`). */
export function revealOne(v: Vault, r: SecretRecord, how: string): string {
  const value = v.reveal(r);
  v.auditReads([r], how);
  return value;
}
