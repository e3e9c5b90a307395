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
  const n = headers.length;
  if (n === 0) return '';
  const head = headers.map(printable);
  const headWidths = head.map(displayWidth);
  const cells: string[] = new Array<string>(rows.length * n);
  const widths: number[] = new Array<number>(rows.length * n);
  const natural = [...headWidths];
  let i = 0;
  for (const r of rows) {
    for (let c = 0; c < n; c++, i++) {
      let s = r[c] ?? '';
      let w: number;
      // Most cells are printable ASCII: one test gives both the escaped text and the width.
      if (PLAIN_ASCII.test(s)) w = s.length;
      else {
        s = printable(s);
        w = displayWidth(s);
      }
      cells[i] = s;
      widths[i] = w;
      if (w > (natural[c] ?? 0)) natural[c] = w;
    }
  }
  const bold = layout.bold ?? identity;
  const out: string[] = new Array<string>(rows.length + 4);
  let o = 0;
  if (!layout.borders) {
    const line = (texts: readonly string[], ws: ArrayLike<number>, at: number, style: (s: string) => string): string => {
      // No padding after the last non-empty cell (the cells' own spaces are data: kept).
      let last = n - 1;
      while (last > 0 && texts[at + last] === '') last--;
      let s = '';
      for (let c = 0; c < last; c++) s += style(texts[at + c] ?? '') + spaces((natural[c] ?? 0) - (ws[at + c] ?? 0) + 2);
      return s + style(texts[at + last] ?? '');
    };
    out[o++] = line(head, headWidths, 0, bold);
    for (let r = 0; r < rows.length; r++) out[o++] = line(cells, widths, r * n, identity);
    out.length = o;
    return out.join('\n') + '\n';
  }
  const cols = fit(natural, layout.width === undefined ? Infinity : layout.width - (3 * n + 1));
  const rule = (l: string, m: string, r: string): string => l + cols.map((w) => '─'.repeat(w + 2)).join(m) + r;
  const line = (texts: readonly string[], ws: ArrayLike<number>, at: number, style: (s: string) => string): string => {
    let s = '│';
    for (let c = 0; c < n; c++) {
      let t = texts[at + c] ?? '';
      let w = ws[at + c] ?? 0;
      const col = cols[c] ?? 0;
      if (w > col) {
        t = truncateToWidth(t, col);
        w = displayWidth(t);
      }
      s += ' ' + style(t) + spaces(col - w + 1) + '│';
    }
    return s;
  };
  out[o++] = rule('┌', '┬', '┐');
  out[o++] = line(head, headWidths, 0, bold);
  out[o++] = rule('├', '┼', '┤');
  for (let r = 0; r < rows.length; r++) out[o++] = line(cells, widths, r * n, identity);
  out[o++] = rule('└', '┴', '┘');
  out.length = o;
  return out.join('\n') + '\n';
}

const PLAIN_ASCII = /^[\x20-\x7e]*$/;
const SPACES: string[] = [];

/** `n` spaces (cached: padding repeats the same few widths). */
function spaces(n: number): string {
  return (SPACES[n] ??= ' '.repeat(n));
}

const identity = (s: string): string => s;

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
  for (const [k, [w]] of order.entries()) {
    const share = Math.floor(left / (order.length - k));
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
  for (const [w, c] of order.toReversed()) {
    if (spare <= 0) break;
    const col = cols[c] ?? 0;
    if (col < w) {
      cols[c] = col + 1;
      spare -= 1;
    }
  }
  return cols;
}
