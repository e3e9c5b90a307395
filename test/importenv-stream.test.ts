/**
 * `importenv` streams its file: the piecewise parser gives exactly what parsing the whole text
 * gives (property, every grammar, any cut), and through the real CLI a large file imports every
 * line exactly while a bad line near its end writes nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDotenvAs } from '../src/formats/dialect-read.js';
import { DIALECTS, type Dialect, quoteForDialect } from '../src/formats/dialects.js';
import { parseDotenvPieces } from '../src/formats/dotenv-stream.js';
import { formatDotenv } from '../src/formats/dotenv.js';
import { parseFilter } from '../src/filter/index.js';
import { Vault } from '../src/vault/vault.js';
import { cliAsync, cliIn, errorCode, newVault, tmpdir } from './helpers.js';
import { must } from './must.js';

/** What a parse gives: the entries, or the error's code and message. */
function outcome(fn: () => unknown): unknown {
  try {
    return fn();
  } catch (e) {
    return { error: (e as { code?: string }).code, message: (e as Error).message };
  }
}

/** Split `text` into pieces of the given lengths (cycled). */
function split(text: string, sizes: number[]): string[] {
  const out: string[] = [];
  for (let i = 0, k = 0; i < text.length; k++) {
    const n = must(sizes[k % sizes.length]);
    out.push(text.slice(i, i + n));
    i += n;
  }
  return out;
}

const value = fc.string({ unit: fc.constantFrom('a', 'b', ' ', '\\', '"', "'", '`', '$', '#', '=', '\n', '\r', '\t', 'é', '😀', 'x'), maxLength: 20 });
const entries = fc.array(fc.record({ key: fc.constantFrom('A', 'B_1', 'LONG_NAME_123', 'K'), value }), { maxLength: 12 });
const sizes = fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 5 });

describe('parseDotenvPieces equals parsing the whole text', () => {
  it('seeqret grammar: files seeqret writes, cut anywhere, any segment size', () => {
    fc.assert(
      fc.property(entries, sizes, fc.integer({ min: 1, max: 60 }), (es, cuts, seg) => {
        const text = formatDotenv(es);
        expect(outcome(() => [...parseDotenvPieces(split(text, cuts), undefined, 'f', seg)])).toEqual(outcome(() => parseDotenvAs(text, undefined, 'f')));
      }),
    );
  });

  it('every dialect, and arbitrary (often invalid) text: the same entries, or the same error at the same line', () => {
    const junk = fc.array(fc.oneof(fc.constantFrom('A=1\n', 'B="x\n', 'y"\n', "C='p\nq'\n", 'D=a\\\n', 'b\n', '# c\n', '\n', 'E=${A}\n', 'bad line\n', '\r\n', 'F=`t`\n'), value), { maxLength: 15 }).map((xs) => xs.join(''));
    fc.assert(
      fc.property(fc.constantFrom<Dialect | undefined>(undefined, ...DIALECTS), junk, sizes, fc.integer({ min: 1, max: 30 }), (dialect, text, cuts, seg) => {
        expect(outcome(() => [...parseDotenvPieces(split(text, cuts), dialect, 'f', seg)])).toEqual(outcome(() => parseDotenvAs(text, dialect, 'f')));
      }),
      { numRuns: 500 },
    );
  });

  it('dialect files written by seeqret (multi-line values) read back piecewise', () => {
    fc.assert(
      fc.property(fc.constantFrom(...DIALECTS), entries, sizes, fc.integer({ min: 1, max: 60 }), (dialect, es, cuts, seg) => {
        const text = es
          .map((e) => [e.key, quoteForDialect(e.value, dialect)] as const)
          .filter(([, q]) => q !== null)
          .map(([k, q]) => `${k}=${q}\n`)
          .join('');
        expect(outcome(() => [...parseDotenvPieces(split(text, cuts), dialect, 'f', seg)])).toEqual(outcome(() => parseDotenvAs(text, dialect, 'f')));
      }),
    );
  });
});

describe('importenv of a large file (real CLI)', () => {
  // 40,000 lines (about 2.7 MB): three of the parser's 1 MiB segments and four of the import's
  // 10,000-secret batches, so a value is still read across segment cuts and written in several
  // batches of the one transaction (it was 200,000 lines; a size that only made the test slow).
  // The large size is bench/run.mjs's: importenv of a 1,000,000-line file (peak memory and time).
  const N = 40_000;
  const line = (i: number): string => `IMPORT_${i}="value ${i} with \\"quotes\\", a \\\\ and\\na second line"\n`;
  const want = (i: number): string => `value ${i} with "quotes", a \\ and\na second line`;

  it(`imports every one of ${N.toLocaleString('en-US')} lines exactly (a repeated name: the later value)`, async () => {
    const vault = newVault();
    const file = path.join(tmpdir(), 'big.env');
    fs.writeFileSync(file, Array.from({ length: N }, (_, i) => line(i)).join('') + 'IMPORT_7="the later value"\n');
    const r = await cliAsync(['importenv', file, '--app', 'big', '--env', 'dev'], { vault }).done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`${N} added, 0 updated, 0 skipped, 0 unchanged`);
    expect(r.stderr).toContain(`big.env:${N + 1}: IMPORT_7 repeats line 8; the later value wins`);
    const v = Vault.open({ dir: vault, readonly: true });
    try {
      const records = v.find([parseFilter('big:dev:')]);
      expect(records.length).toBe(N);
      // Every value, compared as one list: revealMany makes reveal's checks in one statement per
      // 500 secrets (0.8 s for 40,000 against 2 s one by one), and one comparison of the whole
      // list instead of 40,000 expect calls.
      const values = v.revealMany(records);
      const got = new Map(records.map((x, i) => [x.key, values[i]]));
      expect(Array.from({ length: N }, (_, i) => got.get(`IMPORT_${i}`))).toEqual(Array.from({ length: N }, (_, i) => (i === 7 ? 'the later value' : want(i))));
    } finally {
      v.close();
    }
  }, 600_000);

  it('a bad line near the end writes nothing (E_DOTENV_SYNTAX naming its line)', async () => {
    const vault = newVault();
    const file = path.join(tmpdir(), 'bad.env');
    const lines = Array.from({ length: N }, (_, i) => line(i));
    lines[N - 3] = 'this is not an assignment\n';
    fs.writeFileSync(file, lines.join(''));
    // In-process (decision 58): the same parser, batches and transaction; the import above is
    // the child process that takes a large file end to end.
    const r = await cliIn(['importenv', file, '--app', 'big', '--env', 'dev'], { vault });
    expect([r.code, errorCode(r)]).toEqual([10, 'E_DOTENV_SYNTAX']);
    expect(r.stderr).toContain(`bad.env:${N - 2}`);
    expect((await cliIn(['list', '-f', 'big:dev:', '--format', 'json'], { vault })).stdout.trim()).toBe('[]');
  }, 600_000);
});
