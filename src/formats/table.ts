/**
 * The table renderer: linear in the number of cells (one pass to measure, one to write).
 *
 * - Every cell and header goes through {@link printable}: a table never writes a control, bidi or
 *   zero-width character raw, whatever the data (names and values may come from other people).
 * - Widths are terminal columns ({@link displayWidth}: East Asian wide characters count 2).
 * - On a terminal (`borders`), the table has box-drawing borders and, given `width`, fits it: the
 *   widest columns are narrowed to a common limit and their longer cells end with `…`.
 * - Otherwise (a pipe or a file) it is plain: a header line, then one line per row, columns padded
 *   with spaces and separated by two, no padding after a line's last cell, nothing ever cut (a program reading it
 *   gets the whole data; `--format json|yaml|csv` are the formats meant for programs).
 *
 * Nothing here reads `process.stdout`: the CLI passes whether it is a terminal and its width.
 *
 * @module
 */
import { displayWidth, printable, truncateToWidth } from '../util/text.js';

/** How to lay a table out. */
export interface TableLayout {
  /** Box-drawing borders (stdout is a terminal). Without them the table is never truncated. */
  readonly borders: boolean;
  /** With `borders`, the terminal width to fit; absent or too small to matter: natural widths. */
  readonly width?: number | undefined;
  /** Wraps a header in bold (picocolors), or leaves it as is. */
  readonly bold?: ((s: string) => string) | undefined;
}

/** Narrowest a fitted column gets (room for two characters and `…`). */
const MIN_COLUMN = 3;

/** Render a table of text cells; every row has `headers.length` cells. Ends with a newline. */
export function renderTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>, layout: TableLayout): string {
  let text = '';
  writeTable(headers, rows, headers.map((_, c) => (r: readonly string[]) => r[c] ?? ''), layout, (chunk) => {
    text += chunk;
  });
  return text;
}

/** Characters of output handed to `write` at a time by {@link writeTable}. */
const CHUNK = 1 << 16;

/**
 * Write a table straight from `rows`: cell `c` of a row is `cells[c](row)`, so no intermediate
 * object per row or per cell is kept. Two passes over the rows: the first measures (keeping one
 * number per cell), the second writes the lines, handed to `write` in chunks of about
 * {@link CHUNK} characters (the whole output ends with a newline, as {@link renderTable}'s).
 * A cell function is called twice per row and must give the same text both times.
 */
export function writeTable<T>(
  headers: readonly string[],
  rows: readonly T[],
  cells: ReadonlyArray<(row: T) => string>,
  layout: TableLayout,
  write: (chunk: string) => void,
): void {
  const n = headers.length;
  if (n === 0) return;
  const head = headers.map(printable);
  const headWidths = head.map(displayWidth);
  // Per cell: its width when it is printable ASCII (written as is; 0 only for ''), or -(width + 1)
  // when it goes through printable() (never empty).
  const codes = new Int32Array(rows.length * n);
  const natural = [...headWidths];
  let i = 0;
  for (const r of rows) {
    for (let c = 0; c < n; c++, i++) {
      const s = (cells[c] ?? empty)(r);
      let w: number;
      // Most cells are printable ASCII: one test gives both the escaped text and the width.
      if (PLAIN_ASCII.test(s)) codes[i] = w = s.length;
      else {
        w = displayWidth(printable(s));
        codes[i] = -w - 1;
      }
      if (w > (natural[c] ?? 0)) natural[c] = w;
    }
  }
  const bold = layout.bold ?? identity;
  let buf = '';
  const flush = (): void => {
    if (buf.length >= CHUNK) {
      write(buf);
      buf = '';
    }
  };
  /** Row `r`'s cell `c`, as shown, and its width. */
  const text = (r: T, at: number, c: number): string => {
    const s = (cells[c] ?? empty)(r);
    return (codes[at] ?? 0) < 0 ? printable(s) : s;
  };
  const width = (at: number): number => {
    const code = codes[at] ?? 0;
    return code < 0 ? -code - 1 : code;
  };
  if (!layout.borders) {
    // No padding after the last non-empty cell (the cells' own spaces are data: kept).
    let last = n - 1;
    while (last > 0 && head[last] === '') last--;
    for (let c = 0; c < last; c++) buf += bold(head[c] ?? '') + spaces((natural[c] ?? 0) - (headWidths[c] ?? 0) + 2);
    buf += `${bold(head[last] ?? '')}\n`;
    for (let r = 0, at = 0; r < rows.length; r++, at += n) {
      const row = rows[r] as T;
      last = n - 1;
      while (last > 0 && codes[at + last] === 0) last--;
      for (let c = 0; c < last; c++) buf += text(row, at + c, c) + spaces((natural[c] ?? 0) - width(at + c) + 2);
      buf += `${text(row, at + last, last)}\n`;
      flush();
    }
    if (buf !== '') write(buf);
    return;
  }
  const cols = fit(natural, layout.width === undefined ? Infinity : layout.width - (3 * n + 1));
  const rule = (l: string, m: string, r: string): string => `${l}${cols.map((w) => '─'.repeat(w + 2)).join(m)}${r}\n`;
  const cell = (t: string, w: number, c: number, style: (s: string) => string): string => {
    const limit = cols[c] ?? 0;
    if (w > limit) {
      t = truncateToWidth(t, limit);
      w = displayWidth(t);
    }
    return ' ' + style(t) + spaces(limit - w + 1) + '│';
  };
  buf += rule('┌', '┬', '┐') + '│';
  for (let c = 0; c < n; c++) buf += cell(head[c] ?? '', headWidths[c] ?? 0, c, bold);
  buf += '\n' + rule('├', '┼', '┤');
  for (let r = 0, at = 0; r < rows.length; r++, at += n) {
    const row = rows[r] as T;
    buf += '│';
    for (let c = 0; c < n; c++) buf += cell(text(row, at + c, c), width(at + c), c, identity);
    buf += '\n';
    flush();
  }
  write(buf + rule('└', '┴', '┘'));
}

const PLAIN_ASCII = /^[\x20-\x7e]*$/;
const SPACES: string[] = [];

/** `n` spaces (cached: padding repeats the same few widths). */
function spaces(n: number): string {
  return (SPACES[n] ??= ' '.repeat(n));
}

const identity = (s: string): string => s;
const empty = (): string => '';

/**
 * Column widths that fit `room` columns of text: the narrower columns keep their width, the wider
 * ones share the rest equally (a common limit), never below {@link MIN_COLUMN} (a table that cannot
 * fit even then is left wider than the terminal).
 */
export function fit(natural: readonly number[], room: number): number[] {
  const total = natural.reduce((a, b) => a + b, 0);
  if (total <= room) return [...natural];
  const order = natural.map((w, c) => [w, c] as const).sort((a, b) => a[0] - b[0]);
  let left = room;
  let limit = 0;
  for (let k = 0; k < order.length; k++) {
    const share = Math.floor(left / (order.length - k));
    const w = order[k]?.[0] ?? 0;
    if (w <= share) left -= w;
    else {
      limit = share;
      break;
    }
  }
  limit = Math.max(limit, MIN_COLUMN);
  const cols = natural.map((w) => Math.min(w, limit));
  // Hand the columns left over by the rounding to the widest cut columns.
  let spare = room - cols.reduce((a, b) => a + b, 0);
  for (let k = order.length - 1; k >= 0 && spare > 0; k--) {
    const c = order[k]?.[1] ?? 0;
    const w = cols[c] ?? 0;
    if (w < (natural[c] ?? 0)) {
      cols[c] = w + 1;
      spare -= 1;
    }
  }
  return cols;
}
