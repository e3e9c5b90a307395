/**
 * Rendering lists for humans and programs: table, json, yaml, csv, env and shell.
 *
 * - `table` is for people: {@link renderTable} (linear, every cell escaped with `printable`,
 *   borders and fitting only on a terminal). Bold headers use picocolors, imported lazily.
 * - `json` and `yaml` keep the exact data and never emit a control, bidi or zero-width character
 *   raw: they are written as `\uXXXX` escapes, which every reader decodes back.
 * - `csv`, `env` and `shell` keep the exact data too; CSV (RFC 4180) has no escapes, so a field may
 *   hold such characters raw: the CLI escapes them when stdout is a terminal (see `writeData`).
 *
 * @module
 */
import { SeeqretError } from '../errors.js';
import { escapeUnsafe, hasUnsafe, safeJson } from '../util/text.js';
import { DEFAULT_DIALECT, quoteForDialect } from './dialects.js';
import { DOTENV_KEY_RE } from './dotenv.js';
import { renderTable } from './table.js';

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

/** Where a table goes (the CLI knows; nothing here reads `process.stdout`). */
export interface OutputTarget {
  /** stdout is a terminal: tables get borders and fit `width`. */
  readonly tty?: boolean | undefined;
  /** The terminal's width in columns. */
  readonly width?: number | undefined;
  /** Headers may be bold (colour is allowed: picocolors' decision, passed in by the CLI). */
  readonly color?: boolean | undefined;
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
  const s = cell(v);
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
  target: OutputTarget = {},
): Promise<string> {
  switch (format) {
    case 'json':
      return safeJson(rows.map((r) => pick(r, columns)), 2) + '\n';
    case 'yaml': {
      if (rows.length === 0) return '[]\n';
      // yaml is CommonJS: named exports under Node's loader, only `default` once bundled.
      const mod = await import('yaml');
      const { stringify, Scalar } = 'stringify' in mod ? mod : (mod as unknown as { default: typeof mod }).default;
      // YAML leaves bidi, zero-width and C1 characters raw (even in quotes): a string holding one
      // is written double-quoted, where `\uXXXX` escapes are valid and keep the data.
      const quoted = (v: unknown): unknown => {
        if (typeof v !== 'string' || !hasUnsafe(v)) return v;
        const sc = new Scalar(v);
        sc.type = 'QUOTE_DOUBLE';
        return sc;
      };
      const text = stringify(rows.map((r) => Object.fromEntries(Object.entries(pick(r, columns)).map(([k, v]) => [k, quoted(v)]))));
      return escapeUnsafe(text, 'yaml');
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
      const bold = target.color ? (await import('picocolors')).default.createColors(true).bold : undefined;
      const cells = rows.map((r) => columns.map((c) => cell(r[c.key])));
      return renderTable(
        columns.map((c) => c.header),
        cells,
        { borders: target.tty === true, width: target.tty ? target.width : undefined, bold },
      );
    }
  }
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a cell is whatever the caller's row holds; String() is its text (an array joins with commas), as before
  return String(v);
}

function pick(r: Record<string, unknown>, columns: readonly Column[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const c of columns) o[c.key] = r[c.key] ?? null;
  return o;
}

/** ISO-8601 time (seconds precision, UTC) of unix milliseconds. */
export function isoTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '';
  const s = new Date(ms).toISOString();
  return s.length === 24 ? `${s.slice(0, 19)}Z` : s.replace(/\.\d{3}Z$/, 'Z');
}

/** A short human age such as `3d`, `5h`, `12m`, `40s`. */
export function age(ms: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}
