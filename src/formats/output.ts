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
import { shellQuote } from '../util/shlex.js';
import { escapeUnsafe, hasUnsafe, safeJson } from '../util/text.js';
import { DEFAULT_DIALECT, quoteForDialect } from './dialects.js';
import { DOTENV_KEY_RE } from './dotenv.js';
import { writeTable } from './table.js';

/** Names a POSIX shell accepts for `export NAME=...`. */
const SHELL_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Output formats accepted by `--format`. */
export const FORMATS = ['table', 'json', 'yaml', 'csv', 'env', 'shell'] as const;
export type Format = (typeof FORMATS)[number];

/**
 * A column of a listing: the row property and its header; with `get`, the column's value is
 * `get(row)` instead of `row[key]` (rows can then be records as they are, without a copy made for
 * display).
 */
export interface Column<T = Record<string, unknown>> {
  readonly key: string;
  readonly header: string;
  readonly get?: ((row: T) => unknown) | undefined;
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



/** One CSV field per RFC 4180. */
function csvField(v: unknown): string {
  const s = cell(v);
  return /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Render rows. For `env` and `shell`, `nameValue` picks the variable name and value of a row
 * (formats without such a pair are refused).
 */
export async function render<T extends object = Record<string, unknown>>(
  rows: readonly T[],
  columns: ReadonlyArray<Column<T>>,
  format: Format,
  nameValue?: (row: T) => [string, string],
  target: OutputTarget = {},
): Promise<string> {
  let text = '';
  await writeRows(rows, columns, format, nameValue, target, (chunk) => {
    text += chunk;
  });
  return text;
}

/**
 * {@link render}, handing the text to `write`: a table in chunks as it is laid out (a large
 * listing is never held whole), the other formats at once.
 */
export async function writeRows<T extends object = Record<string, unknown>>(
  rows: readonly T[],
  columns: ReadonlyArray<Column<T>>,
  format: Format,
  nameValue: ((row: T) => [string, string]) | undefined,
  target: OutputTarget,
  write: (chunk: string) => void,
): Promise<void> {
  if (format === 'table') {
    const bold = target.color ? (await import('picocolors')).default.createColors(true).bold : undefined;
    writeTable(
      columns.map((c) => c.header),
      rows,
      columns.map((c) => (r: T) => cell(valueOf(r, c))),
      { borders: target.tty === true, width: target.tty ? target.width : undefined, bold },
      write,
    );
    return;
  }
  write(await renderWhole(rows, columns, format, nameValue));
}

/** The value of column `c` in row `r`. */
function valueOf<T>(r: T, c: Column<T>): unknown {
  return c.get ? c.get(r) : (r as Record<string, unknown>)[c.key];
}

async function renderWhole<T extends object>(
  rows: readonly T[],
  columns: ReadonlyArray<Column<T>>,
  format: Exclude<Format, 'table'>,
  nameValue: ((row: T) => [string, string]) | undefined,
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
      return [columns.map((c) => csvField(c.header)).join(','), ...rows.map((r) => columns.map((c) => csvField(valueOf(r, c))).join(','))].join('\r\n') + '\r\n';
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
          text += `export ${n}=${shellQuote(v, { always: true })}\n`;
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
  }
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a cell is whatever the caller's row holds; String() is its text (an array joins with commas), as before
  return String(v);
}

function pick<T>(r: T, columns: ReadonlyArray<Column<T>>): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const c of columns) o[c.key] = valueOf(r, c) ?? null;
  return o;
}

/** ISO-8601 time (seconds precision, UTC) of unix milliseconds. */
export function isoTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '';
  // A listing repeats times (values set together) and days: the last result and the date part
  // of each day are kept, so a long listing does not build a Date and three strings per row.
  if (ms === lastIsoMs) return lastIso;
  let s: string;
  if (Number.isSafeInteger(ms) && ms >= 0 && ms < YEAR_10000) {
    const secs = Math.floor(ms / 1000);
    const day = Math.floor(secs / 86_400);
    let date = isoDays.get(day);
    if (date === undefined) {
      if (isoDays.size >= 4096) isoDays.clear();
      isoDays.set(day, (date = new Date(day * 86_400_000).toISOString().slice(0, 11)));
    }
    const t = secs - day * 86_400;
    s = `${date}${TWO[Math.floor(t / 3600)]}:${TWO[Math.floor(t / 60) % 60]}:${TWO[t % 60]}Z`;
  } else {
    const iso = new Date(ms).toISOString();
    s = iso.length === 24 ? `${iso.slice(0, 19)}Z` : iso.replace(/\.\d{3}Z$/, 'Z');
  }
  lastIsoMs = ms;
  return (lastIso = s);
}

/** 10000-01-01T00:00:00Z in unix ms: from there on, ISO dates have more than four year digits. */
const YEAR_10000 = 253_402_300_800_000;
const TWO = Array.from({ length: 60 }, (_, k) => String(k).padStart(2, '0'));
/** `YYYY-MM-DDT` by days since 1970-01-01 (bounded: cleared when it grows past 4,096 days). */
const isoDays = new Map<number, string>();
let lastIsoMs = NaN;
let lastIso = '';

/** A short human age such as `3d`, `5h`, `12m`, `40s`. */
export function age(ms: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}
