/**
 * `seeqret get FILTER`: print the value of exactly one secret.
 *
 * @module
 */
import { SeeqretError } from '../../../errors.js';
import { type FieldPattern, type Filter, parseFilter } from '../../../filter/index.js';
import { revealOne } from '../../../vault/secret-ops.js';
import { closeKeepingConnection } from '../../../vault/internal.js';
import { type SecretRecord, type Vault, secretLabel } from '../../../vault/vault.js';
import type { KeyFileRead } from '../../../agent/get.js';
import { type AgentKeySource, type GlobalOptions, openVault, withVault, writeData } from '../../context.js';

/** The one name a field stands for when read literally (`*` = global), or undefined for globs/lists. */
function literalName(f: FieldPattern): string | undefined {
  if (f.any) return '*';
  return f.literals?.length === 1 ? f.literals[0] : undefined;
}

/**
 * When a filter without globs matches several secrets, the one whose names equal the filter's
 * parts read literally (`*` as the global app/env) is the one meant: `get FOO` is `*:*:FOO`
 * even if `*:dev:FOO` exists, as with the old tool's exact lookups.
 */
function exactMatch(filter: Filter, matches: SecretRecord[]): SecretRecord | undefined {
  const app = literalName(filter.app);
  const env = literalName(filter.env);
  const key = literalName(filter.key);
  if (app === undefined || env === undefined || key === undefined) return undefined;
  return matches.find((m) => m.app === app && m.env === env && m.key === key);
}

/** Options of `seeqret get`. */
export interface GetOptions {
  /** `-n/--no-newline` sets it false: no newline after the value (commander: true otherwise). */
  readonly newline?: boolean;
  /**
   * The process ends with `process.exit` right after this `get` (the fast path's entry,
   * src/cli/bin.ts): a successful `get` then leaves the database connection open, so that its
   * audit entry stays in the write-ahead log instead of being checkpointed on close (decision 65).
   */
  readonly exitsAfter?: boolean;
  /** The vault key file's bytes as this process already read them (src/cli/agent-get.ts): not read again. */
  readonly keyFile?: KeyFileRead;
}

/**
 * Print the single match's value (a newline follows unless `-n`) with `write` (the fast path
 * passes one that does not create `process.stdout`; the unlock agent one that collects it).
 * `agentKey`: where a protected vault's key comes from first (src/cli/context.ts `openVault`).
 */
export async function get(g: GlobalOptions, filterText: string, o: GetOptions, write: (data: string) => void = writeData, agentKey?: AgentKeySource): Promise<number> {
  const filter = parseFilter(filterText);
  if (o.exitsAfter === true) {
    const v = await openVault(g, {}, agentKey, o.keyFile);
    let code: number;
    try {
      code = reveal(v, filter, o, write);
    } catch (e) {
      v.close();
      throw e;
    }
    closeKeepingConnection(v);
    return code;
  }
  return withVault(g, (v) => reveal(v, filter, o, write), {}, agentKey);
}

/** Write the value of the one secret `filter` selects, with its audit entry. */
function reveal(v: Vault, filter: Filter, o: GetOptions, write: (data: string) => void): number {
  const matches = v.find([filter]);
  if (matches.length === 0) {
    throw new SeeqretError('E_NOT_FOUND', `no secret matches '${filter.text}'`, 'Run `seeqret list` to see what exists.');
  }
  const chosen = matches.length > 1 ? exactMatch(filter, matches) : matches[0];
  if (!chosen) {
    const names = matches.slice(0, 10).map(secretLabel).join(', ') + (matches.length > 10 ? `, … (${matches.length - 10} more)` : '');
    throw new SeeqretError('E_AMBIGUOUS', `'${filter.text}' matches ${matches.length} secrets: ${names}`, 'Name app and env too, e.g. `seeqret get myapp:dev:KEY`.');
  }
  const value = revealOne(v, chosen, 'get');
  write(value + (o.newline === false ? '' : '\n'));
  return 0;
}
