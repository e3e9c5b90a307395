/**
 * `seeqret list` and `seeqret history`: show secrets and their versions, values redacted
 * unless asked for.
 *
 * @module
 */
import { SeeqretError } from '../../../errors.js';
import { type Filter, parseFilter } from '../../../filter/index.js';
import { type Column, age, isoTime, parseFormat } from '../../../formats/output.js';
import { type HistoryRow, acceptNames, historyRows } from '../../../vault/secret-listing.js';
import { type SecretRecord, secretLabel } from '../../../vault/vault.js';
import { type GlobalOptions, info, printRows, withVault } from '../../context.js';
import { io } from '../../cli-io.js';

/** What list prints instead of a value that was not asked for. */
export const REDACTED = 'REDACTED';

function revealWanted(o: { readonly reveal?: boolean }): boolean {
  return o.reveal === true || io().env['SEEQRET_NO_REDACT'] === '1';
}

function filtersOf(arg: string | undefined, o: { readonly filter?: string[] }): Filter[] {
  const texts = [...(arg !== undefined ? [arg] : []), ...(o.filter ?? [])];
  return (texts.length ? texts : ['*:*:*']).map((t) => parseFilter(t));
}

/** Options of `seeqret list`. */
export interface ListOptions {
  /** `-f/--filter FILTER` (repeatable): more filters (union). */
  readonly filter?: string[];
  /** `--reveal`: show values (also SEEQRET_NO_REDACT=1). */
  readonly reveal?: boolean;
  /** `--age`: show how long ago each value was set. */
  readonly age?: boolean;
  /** `--exposed`: only secrets marked exposed. */
  readonly exposed?: boolean;
  /** `--pending`: only names received and not accepted yet. */
  readonly pending?: boolean;
  /** `--format FORMAT`: output format (default table). */
  readonly format: string;
}

/** `list [FILTER] [-f FILTER...]`. */
export async function list(g: GlobalOptions, filterText: string | undefined, o: ListOptions): Promise<number> {
  const format = parseFormat(o.format);
  const filters = filtersOf(filterText, o);
  const reveal = revealWanted(o);
  return withVault(
    g,
    async (v) => {
      const now = Date.now();
      let found = o.exposed ? v.find(filters).filter((r) => r.exposedAt !== null) : v.find(filters);
      const origins = new Map<number, string | null>();
      if (o.pending) {
        for (const p of v.pendingNames()) origins.set(p.id, p.origin);
        found = found.filter((r) => r.pending);
      }
      if (reveal) v.auditReads(found, 'list');
      // The columns read the records as they are (no display copy per row: issue 12).
      const values = reveal ? new Map(found.map((r) => [r, v.reveal(r)])) : undefined;
      const value = (r: SecretRecord): string => values?.get(r) ?? REDACTED;
      const col = (key: string, get: (r: SecretRecord) => unknown): Column<SecretRecord> => ({ key, header: key, get });
      const columns: Array<Column<SecretRecord>> = [
        col('app', (r) => r.app),
        col('env', (r) => r.env),
        col('key', (r) => r.key),
        col('value', value),
        col('type', (r) => r.type),
        col('updated', (r) => isoTime(r.updatedAt)),
        ...(o.age ? [col('age', (r) => age(r.updatedAt, now))] : []),
        ...(o.exposed || found.some((r) => r.exposedAt !== null) ? [col('exposed', (r) => (r.exposedAt === null ? '' : `by ${r.exposedBy ?? '?'} ${isoTime(r.exposedAt)}`))] : []),
        ...(o.pending || found.some((r) => r.pending) ? [col('pending', (r) => (r.pending ? (origins.get(r.id) ?? 'yes') : ''))] : []),
      ];
      await printRows(found, columns, format, (r) => [r.key, value(r)]);
      return 0;
    },
    { readonly: !reveal },
  );
}

/** Options of `seeqret history`. */
export interface HistoryOptions {
  /** `--reveal`: show values (also SEEQRET_NO_REDACT=1). */
  readonly reveal?: boolean;
  /** `--format FORMAT`: output format (default table). */
  readonly format: string;
}

/** `history FILTER [--reveal]`. */
export async function history(g: GlobalOptions, filterText: string, o: HistoryOptions): Promise<number> {
  const filter = parseFilter(filterText);
  const format = parseFormat(o.format);
  if (format === 'env' || format === 'shell') throw new SeeqretError('E_USAGE', `--format ${format} does not fit history`, 'Use table, json, yaml or csv.');
  const reveal = revealWanted(o);
  return withVault(
    g,
    async (v) => {
      const rows = historyRows(v, filter, reveal, REDACTED);
      const columns: Array<Column<HistoryRow>> = ['app', 'env', 'key', 'version', 'current', 'set', 'replaced', 'value'].map((k) => ({ key: k, header: k }));
      await printRows(rows, columns, format);
      return 0;
    },
    { readonly: !reveal },
  );
}

/** Options of `seeqret accept`. */
export interface AcceptOptions {
  /** `-f/--filter FILTER` (repeatable): accept every pending name it matches. */
  readonly filter?: string[];
}

/**
 * `accept [NAME...] [-f FILTER...]`: accept names received from someone else (load, inbox, team
 * pull, restore of another vault's backup, import-vault, ss import), so that filters export them.
 * Audited (`secret.accept`). Code-loading variables stay refused through filters.
 */
export async function accept(g: GlobalOptions, names: string[], o: AcceptOptions): Promise<number> {
  const texts = [...names, ...(o.filter ?? [])];
  if (texts.length === 0) throw new SeeqretError('E_USAGE', 'accept needs names (app:env:key) or -f FILTER', 'See what is pending with `seeqret list --pending`.');
  const filters = texts.map((t) => parseFilter(t));
  const { isDangerousVariable } = await import('../../../inject/resolve.js');
  return withVault(g, (v) => {
    const { found, accepted: done } = acceptNames(v, filters);
    if (done.length === 0) {
      info(`Nothing to accept: ${found.length === 1 && found[0] ? `${secretLabel(found[0])} is` : `the ${found.length} matching names are`} already yours or accepted.`);
      return 0;
    }
    info(`Accepted ${done.length} name${done.length === 1 ? '' : 's'}:`);
    for (const r of done) info(`  ${secretLabel(r)}${isDangerousVariable(r.key) ? '  (loads or runs code: still exported only through its own env.template line)' : ''}`);
    return 0;
  });
}
