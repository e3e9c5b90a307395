/**
 * The table renderer (src/formats/table.ts) and the width functions of src/util/text.ts: plain
 * aligned columns that never cut anything when not on a terminal, box drawing fitted to the
 * terminal width on one, East Asian wide characters counted as two columns, every cell escaped.
 * Property tests over arbitrary cells; the CLI's use of it (pipe and pseudo-terminal) at the end.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoTime, render } from '../src/formats/output.js';
import { fit, renderTable, writeTable } from '../src/formats/table.js';
import { displayWidth, printable, truncateToWidth } from '../src/util/text.js';
import { isWellFormed } from '../src/vault/names.js';
import { BIN, cleanEnv, cli, newVault } from './helpers.js';
import { must } from './must.js';

const FORBIDDEN = /(?!\n)[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

/** Display column where each of `cells` starts in `line` (cells must be present in order). */
function starts(line: string, cells: readonly string[]): number[] {
  const at: number[] = [];
  let from = 0;
  for (const c of cells) {
    const i = line.indexOf(c, from);
    expect(i, `${JSON.stringify(c)} in ${JSON.stringify(line)}`).toBeGreaterThanOrEqual(0);
    at.push(displayWidth(line.slice(0, i)));
    from = i + c.length;
  }
  return at;
}

// Cells without leading/trailing spaces, so a column's start is where its text starts.
const cellText = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.constantFrom('日本語', '名前', 'ｆｕｌｌ', '😀ok', 'e\u0301', '\u001b[2J', 'a\u202eb', ''),
).map((s) => s.trim());
const table = fc.integer({ min: 1, max: 5 }).chain((n) =>
  fc.record({
    headers: fc.array(fc.stringMatching(/^[a-z]{1,8}$/), { minLength: n, maxLength: n }),
    rows: fc.array(fc.array(cellText, { minLength: n, maxLength: n }), { maxLength: 8 }),
  }),
);

describe('width', () => {
  it('counts East Asian wide and fullwidth characters as 2, combining marks as 0', () => {
    expect(displayWidth('abc')).toBe(3);
    expect(displayWidth('日本語')).toBe(6);
    expect(displayWidth('ｆｕｌｌ')).toBe(8);
    expect(displayWidth('한글')).toBe(4);
    expect(displayWidth('😀')).toBe(2);
    expect(displayWidth('e\u0301')).toBe(1);
    expect(displayWidth('é ✓ ü')).toBe(5);
    expect(truncateToWidth('日本語テキスト', 7)).toBe('日本語…');
    expect(truncateToWidth('abcdef', 4)).toBe('abc…');
    expect(truncateToWidth('abc', 3)).toBe('abc');
    expect(truncateToWidth('😀😀😀', 4)).toBe('😀…');
  });

  it('truncateToWidth never exceeds the width and never splits a character', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 20 }), fc.integer({ min: 1, max: 30 }), (s, w) => {
        const t = truncateToWidth(s, w);
        expect(displayWidth(t)).toBeLessThanOrEqual(w);
        if (t !== s) expect(s.startsWith(t.slice(0, -1)) && t.endsWith('…')).toBe(true);
        expect(isWellFormed(t)).toBe(true);
      }),
    );
  });

  it('fit shares the room: narrow columns keep their width, the wide ones get a common limit', () => {
    expect(fit([3, 40, 50], 100)).toEqual([3, 40, 50]);
    expect(fit([3, 40, 50], 60)).toEqual([3, 28, 29]);
    expect(fit([10, 10], 4)).toEqual([3, 3]); // never below 3: the table is left wider
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 8 }), fc.integer({ min: 0, max: 300 }), (natural, room) => {
        const cols = fit(natural, room);
        cols.forEach((w, c) => { expect(w).toBeLessThanOrEqual(must(natural[c])); });
        const sum = cols.reduce((a, b) => a + b, 0);
        if (natural.reduce((a, b) => a + b, 0) <= room) expect(cols).toEqual(natural);
        else if (room >= 3 * natural.length) expect(sum).toBe(room);
      }),
    );
  });
});

describe('renderTable', () => {
  it('plain (not a terminal): a header line and one line per row, columns aligned, nothing cut, no trailing spaces', () => {
    fc.assert(
      fc.property(table, ({ headers, rows }) => {
        const text = renderTable(headers, rows, { borders: false });
        const lines = text.split('\n');
        expect(lines.pop()).toBe('');
        expect(lines).toHaveLength(rows.length + 1);
        const cols = starts(must(lines[0]), headers);
        rows.forEach((r, k) => {
          const line = must(lines[k + 1]);
          expect(line).toBe(line.trimEnd());
          expect(FORBIDDEN.test(line)).toBe(false);
          // every non-empty cell starts at its header's column (a cell is printable(cell), whole)
          const shown = r.map(printable);
          const filled = shown.map((c, i) => [c, i] as const).filter(([c]) => c !== '');
          const at = starts(line, filled.map(([c]) => c));
          filled.forEach(([, i], j) => { expect(at[j]).toBe(cols[i]); });
        });
      }),
    );
  });

  it('on a terminal: box drawing, every line as wide as the others and within the width when the table can fit', () => {
    fc.assert(
      fc.property(table, fc.integer({ min: 10, max: 120 }), ({ headers, rows }, width) => {
        const text = renderTable(headers, rows, { borders: true, width });
        const lines = text.split('\n').slice(0, -1);
        expect(lines).toHaveLength(rows.length + 4);
        expect(must(lines[0]).startsWith('┌')).toBe(true);
        expect(must(lines.at(-1)).startsWith('└')).toBe(true);
        const w = displayWidth(must(lines[0]));
        for (const l of lines) {
          expect(displayWidth(l)).toBe(w);
          expect(FORBIDDEN.test(l)).toBe(false);
        }
        if (width >= headers.length * 6 + 1) expect(w).toBeLessThanOrEqual(width);
      }),
    );
  });

  it('cuts the widest column with an ellipsis on a terminal, never in plain output', () => {
    const rows = [['web', 'A_VERY_LONG_KEY_NAME_THAT_DOES_NOT_FIT', 'x']];
    const boxed = renderTable(['app', 'key', 'v'], rows, { borders: true, width: 30 });
    expect(boxed).toContain('…');
    expect(boxed.split('\n').every((l) => displayWidth(l) <= 30)).toBe(true);
    expect(renderTable(['app', 'key', 'v'], rows, { borders: false })).toBe('app  key                                     v\nweb  A_VERY_LONG_KEY_NAME_THAT_DOES_NOT_FIT  x\n');
    // plain: no padding after a line's last cell, but a cell's own spaces are data and stay
    expect(renderTable(['a', 'b', 'c'], [['x', 'y  ', ''], ['', '', 'z']], { borders: false })).toBe('a  b    c\nx  y  \n        z\n');
    expect(renderTable(['a', 'b'], [['日本', 'x'], ['abcde', 'y']], { borders: true })).toBe(
      ['┌───────┬───┐', '│ a     │ b │', '├───────┼───┤', '│ 日本  │ x │', '│ abcde │ y │', '└───────┴───┘', ''].join('\n'),
    );
  });

  it('renders 200,000 rows (the benchmark in bench/run.mjs times it through the CLI)', async () => {
    const rows = Array.from({ length: 200_000 }, (_, i) => ({ app: `app${i % 100}`, key: `KEY_${i}`, value: 'REDACTED' }));
    const cols = ['app', 'key', 'value'].map((k) => ({ key: k, header: k }));
    const text = await render(rows, cols, 'table');
    expect(text.split('\n')).toHaveLength(200_002);
    expect(text.split('\n')[200_000]).toBe('app99  KEY_199999  REDACTED');
  });
});

describe('writeTable (issue 12: straight from the rows, in chunks)', () => {
  it('hands over whole lines in chunks whose concatenation is renderTable\'s text, reading cells from the rows as they are', () => {
    const rows = Array.from({ length: 30_000 }, (_, i) => ({ app: `app${i % 7}`, key: i % 1000 === 0 ? `K\u001b${i}` : `KEY_${i}`, n: i }));
    const cells = [(r: (typeof rows)[number]) => r.app, (r: (typeof rows)[number]) => r.key, (r: (typeof rows)[number]) => (r.n % 3 ? String(r.n) : '')];
    for (const layout of [{ borders: false }, { borders: true, width: 30 }]) {
      const chunks: string[] = [];
      writeTable(['app', 'key', 'n'], rows, cells, layout, (c) => chunks.push(c));
      expect(chunks.length).toBeGreaterThan(1);
      for (const c of chunks) expect(c.endsWith('\n')).toBe(true);
      expect(chunks.join('')).toBe(renderTable(['app', 'key', 'n'], rows.map((r) => cells.map((f) => f(r))), layout));
    }
  });

  it('isoTime is Date#toISOString without the milliseconds, for any time', () => {
    const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: -8.64e15, max: 8.64e15 }), fc.integer({ min: 0, max: 4e12 }), fc.double({ min: -8.64e15, max: 8.64e15, noNaN: true })), (ms) => {
        expect(isoTime(ms)).toBe(iso(ms));
        expect(isoTime(ms)).toBe(iso(ms)); // the second time from the kept result
      }),
    );
    expect(isoTime(null)).toBe('');
  });
});

describe('tables through the CLI', () => {
  it('through a pipe: plain columns; on a terminal: borders, fitted to its width', () => {
    const v = newVault();
    expect(cli(['add', 'key', 'LONG', 'x'.repeat(150)], { vault: v }).code).toBe(0);
    const piped = cli(['list', '--reveal'], { vault: v }).stdout;
    expect(piped.split('\n')[0]).toMatch(/^app {2}env {2}key {3}value {2,}type {2}updated$/);
    expect(piped).toContain('x'.repeat(150));
    expect(piped).not.toMatch(/[│┌─]/);
    if (!fs.existsSync('/usr/bin/script') && !fs.existsSync('/bin/script')) {
      console.log('table: util-linux `script` is missing; the pseudo-terminal check is skipped');
      return;
    }
    const r = spawnSync('script', ['-qec', `stty cols 70; '${process.execPath}' '${BIN}' --vault '${v}' list --reveal`, '/dev/null'], { env: cleanEnv({ TERM: 'dumb' }), encoding: 'utf8', input: '' });
    const lines = r.stdout.replace(/\r\n/g, '\n').trimEnd().split('\n');
    expect(must(lines[0]).startsWith('┌')).toBe(true);
    expect(lines.every((l) => displayWidth(l) === 70)).toBe(true);
    expect(r.stdout).toContain('x…');
  });
});
