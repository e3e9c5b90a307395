/**
 * The secrets `edit value` and `rm key` act on: a filter's matches, checked against what the
 * command allows (one match unless every one is meant; never the whole vault by accident).
 *
 * @module
 */
import { SeeqretError } from '../errors.js';
import type { Filter } from '../filter/index.js';
import { type SecretRecord, type Vault, secretLabel } from '../vault/vault.js';

function listNames(names: string[], max = 10): string {
  return names.slice(0, max).join(', ') + (names.length > max ? `, … (${String(names.length - max)} more)` : '');
}

/**
 * The secrets `edit value` changes: `filter`'s matches, more than one only when `all`.
 *
 * @throws SeeqretError `E_NOT_FOUND` (no match), `E_AMBIGUOUS` (several without `all`).
 */
export function valueTargets(v: Vault, filter: Filter, all: boolean): SecretRecord[] {
  const matches = v.find([filter]);
  if (matches.length === 0) throw new SeeqretError('E_NOT_FOUND', `no secret matches '${filter.text}'`, 'Run `seeqret list` to see what exists, or `seeqret add key` to create it.');
  if (matches.length > 1 && !all) {
    throw new SeeqretError('E_AMBIGUOUS', `'${filter.text}' matches ${String(matches.length)} secrets: ${listNames(matches.map(secretLabel))}`, 'Narrow the filter, or pass --all to change every one.');
  }
  return matches;
}

/**
 * The secrets `rm key` deletes: `filter`'s matches; a filter that matches every secret only with `all`.
 *
 * @throws SeeqretError `E_NOT_FOUND` (no match), `E_NEEDS_ALL` (everything without `all`).
 */
export function removalTargets(v: Vault, filter: Filter, all: boolean): SecretRecord[] {
  const matches = v.find([filter]);
  if (matches.length === 0) throw new SeeqretError('E_NOT_FOUND', `no secret matches '${filter.text}'`, 'Run `seeqret list` to see what exists.');
  const everything = (filter.app.any && filter.env.any && filter.key.any) || (matches.length > 1 && matches.length === v.count());
  if (everything && !all) {
    throw new SeeqretError('E_NEEDS_ALL', `'${filter.text}' matches every secret in the vault (${String(matches.length)})`, 'Pass --all as well if you really mean to delete them all.');
  }
  return matches;
}
