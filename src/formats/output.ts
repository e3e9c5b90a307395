/**
 * Rendering lists for humans and programs: table, json, yaml, csv, env and shell.
 *
 * `table` uses cli-table3 and picocolors (which honours NO_COLOR / FORCE_COLOR and only colours a
 * terminal); both are imported lazily so commands that print no table never load them.
 *
 * @module
 */
import { SeeqretError } from '../errors.js';
import { DEFAULT_DIALECT, quoteForDialect } from './dialects.js';
import { DOTENV_KEY_RE } from './dotenv.js';

/** Names a POSIX shell accepts for `export NAME=...`. */
const SHELL_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Output formats accepted by `--format`. */
export const FORMATS = ['table', 'json', 'yaml', 'csv', 'env', 'shell'] as const;
export type Format = (typeof FORMATS)[number];

/** A column of a listing: the row property and its header. */
export interface Column {
  readonly key: string;
  readonly header: string;
}

/** Validate a `--format` value. */
export function parseFormat(value: string | undefined, def: Format = 'table'): Format {
  if (value === undefined) return def;
  if ((FORMATS as readonly string[]).includes(value)) return value as Format;
  throw new SeeqretError('E_USAGE', `unknown format '${value}'`, `Use one of: ${FORMATS.join(', ')}.`);
}

/** Quote a string for POSIX shells (single quotes; `'` as `'\''`). */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** One CSV field per RFC 4180. */
function csvField(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Render rows. For `env` and `shell`, `nameValue` picks the variable name and value of a row
 * (formats without such a pair are refused).
 */
export async function render(
  rows: ReadonlyArray<Record<string, unknown>>,
  columns: readonly Column[],
  format: Format,
  nameValue?: (row: Record<string, unknown>) => [string, string],
): Promise<string> {
  switch (format) {
    case 'json':
      return JSON.stringify(rows.map((r) => pick(r, columns)), null, 2) + '\n';
    case 'yaml': {
      // yaml is CommonJS: named exports under Node's loader, only `default` once bundled.
      const mod = await import('yaml');
      const { stringify } = 'stringify' in mod ? mod : (mod as unknown as { default: typeof mod }).default;
      return rows.length === 0 ? '[]\n' : stringify(rows.map((r) => pick(r, columns)));
    }
    case 'csv':
      return [columns.map((c) => csvField(c.header)).join(','), ...rows.map((r) => columns.map((c) => csvField(r[c.key])).join(','))].join('\r\n') + '\r\n';
    case 'env':
    case 'shell': {
      if (!nameValue) throw new SeeqretError('E_USAGE', `--format ${format} is only available for secrets`, 'Use table, json, yaml or csv.');
      const nameRe = format === 'env' ? DOTENV_KEY_RE : SHELL_NAME_RE;
      const seen = new Set<string>();
      let text = '';
      for (const r of rows) {
        const [n, v] = nameValue(r);
        if (!nameRe.test(n)) {
          throw new SeeqretError('E_BAD_VALUE', `${JSON.stringify(n)} is not a valid ${format === 'env' ? 'dotenv' : 'shell variable'} name`, 'Filter it out, or use `seeqret env` with NAME=app:env:key to rename it.');
        }
        if (seen.has(n)) {
          throw new SeeqretError('E_AMBIGUOUS', `${n} appears more than once (several apps or envs)`, 'Narrow the filter to one app and env, e.g. myapp:dev:.');
        }
        seen.add(n);
        if (v.includes('\0')) throw new SeeqretError('E_BAD_VALUE', `the value of ${n} contains NUL, which an environment variable cannot hold`, 'Store it base64-encoded.');
        if (format === 'shell') {
          text += `export ${n}=${shellQuote(v)}\n`;
          continue;
        }
        const quoted = quoteForDialect(v, DEFAULT_DIALECT);
        if (quoted === null) {
          throw new SeeqretError('E_DIALECT', `cannot write ${n} as a ${DEFAULT_DIALECT} .env line: no quoting Node's --env-file and npm dotenv both understand gives its value back exactly`, 'Use --format json, or `seeqret env --dialect python|compose|shell` (see docs/formats.md#dotenv-dialects).');
        }
        text += `${n}=${quoted}\n`;
      }
      return text;
    }
    case 'table': {
      const [{ default: Table }, { default: pc }] = await Promise.all([import('cli-table3'), import('picocolors')]);
      const table = new Table({
        head: columns.map((c) => pc.bold(c.header)),
        style: { head: [], border: [] },
      });
      for (const r of rows) table.push(columns.map((c) => cell(r[c.key])));
      return table.toString() + '\n';
    }
  }
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  return String(v);
}

function pick(r: Record<string, unknown>, columns: readonly Column[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const c of columns) o[c.key] = r[c.key] ?? null;
  return o;
}

/** ISO-8601 time (seconds precision, UTC) of unix milliseconds. */
export function isoTime(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A short human age such as `3d`, `5h`, `12m`, `40s`. */
export function age(ms: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}
