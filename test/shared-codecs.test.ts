/**
 * The three shared codecs (issue 13): the one shell quoter (src/util/shlex.ts), the one
 * code-point comparator (src/util/compare.ts) and the one emulation of Python's `json.dumps`
 * (src/formats/python-json.ts), checked against the real `/bin/sh` and the real `python3`.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import fc from 'fast-check';
import { binaryString } from './fc-helpers.js';
import { describe, expect, it } from 'vitest';
import { pythonJsonDumps } from '../src/formats/python-json.js';
import { codePointCompare } from '../src/util/compare.js';
import { type QuoteStyle, shellQuote, splitCommandLine } from '../src/util/shlex.js';
import { must } from './must.js';

const styles: QuoteStyle[] = [{}, { always: true }, { bareStar: true }, { pythonEscape: true }, { always: true, pythonEscape: true }];
const style = fc.constantFrom(...styles);
/** Words a shell argument can hold (no NUL). */
const word = binaryString({ maxLength: 40 }).map((s) => s.replace(/\0/g, ''));
const sh = spawnSync('sh', ['-c', 'exit 0']).status === 0;
/**
 * The system's Python where there is one (a plain interpreter start), else `python3` on the PATH:
 * a version manager's `python3` on the PATH is a script that costs about ten starts of Python.
 */
const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const python = spawnSync(PYTHON, ['-c', 'import json']).status === 0;

/** The code points of a string, surrogate halves as themselves. */
const codePoints = (s: string): number[] => Array.from(s, (c) => must(c.codePointAt(0)));
const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0);
function lexicographic(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return must(a[i]) < must(b[i]) ? -1 : 1;
  return sign(a.length - b.length);
}

describe('shellQuote', () => {
  it('is read back as the same single word by splitCommandLine, in every style (property)', () => {
    fc.assert(
      fc.property(word, style, (w, s) => {
        expect(splitCommandLine(shellQuote(w, s))).toEqual([w]);
      }),
      { numRuns: 500 },
    );
  });

  it('leaves safe words bare unless always, and always quotes otherwise (property)', () => {
    fc.assert(
      fc.property(word, style, (w, s) => {
        const q = shellQuote(w, s);
        const safe = w !== '' && (s.bareStar ? /^[A-Za-z0-9_@%+=:,./*-]+$/ : /^[A-Za-z0-9_@%+=:,./-]+$/).test(w);
        expect(q === w).toBe(safe && s.always !== true);
        if (q !== w) expect(q.startsWith("'") && q.endsWith("'")).toBe(true);
        if (s.pythonEscape) expect(q.includes(`'\\''`)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it.runIf(sh)('gives the real /bin/sh each word back unchanged (property, one shell per batch)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(word.filter((w) => Buffer.from(w, 'utf8').toString('utf8') === w), style), { minLength: 1, maxLength: 20 }), (pairs) => {
        const script = `printf '%s\\0' ${pairs.map(([w, s]) => shellQuote(w, s)).join(' ')}`;
        const r = spawnSync('sh', ['-c', script], { encoding: 'utf8' });
        expect(r.status).toBe(0);
        expect(r.stdout.split('\0').slice(0, -1)).toEqual(pairs.map(([w]) => w));
      }),
      { numRuns: 25 },
    );
  });
});

describe('codePointCompare', () => {
  it('orders by code points, as Python sorts str (property)', () => {
    fc.assert(
      fc.property(binaryString(), binaryString(), (a, b) => {
        expect(codePointCompare(a, b)).toBe(lexicographic(codePoints(a), codePoints(b)));
      }),
      { numRuns: 1000 },
    );
  });

  it('agrees with the byte order of UTF-8 for well-formed text, and is antisymmetric (property)', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', '\u00e9', '\uffff', '\ue000', '\u{10000}', '\u{1f600}', '\u{10ffff}') });
    fc.assert(
      fc.property(text, text, (a, b) => {
        expect(codePointCompare(a, b)).toBe(sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))));
        expect(codePointCompare(b, a)).toBe(-codePointCompare(a, b) || 0);
      }),
      { numRuns: 1000 },
    );
  });

  it('sorts astral characters after U+E000..U+FFFF, unlike UTF-16 order', () => {
    expect(['\u{1f600}', '\uffff', '\ue000', 'z'].sort(codePointCompare)).toEqual(['z', '\ue000', '\uffff', '\u{1f600}']);
  });
});

/** JSON values of the kinds the old formats hold (integers, no floats). */
const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.constant(null), fc.boolean(), fc.integer(), binaryString({ maxLength: 12 }), tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(binaryString({ maxLength: 6 }), tie('value'), { maxKeys: 4 }),
})).value;

describe('pythonJsonDumps', () => {
  it('is ASCII-only JSON that parses back to the value, keys sorted with sortKeys (property)', () => {
    fc.assert(
      fc.property(jsonValue, fc.constantFrom(2, 4), fc.boolean(), (v, indent, sortKeys) => {
        const text = pythonJsonDumps(v, { indent, sortKeys });
        expect(/^[\n\x20-\x7e]*$/.test(text)).toBe(true);
        expect(JSON.parse(text)).toEqual(v);
        if (!sortKeys) expect(text).toBe(JSON.stringify(v, null, indent).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps a Map\'s key order, integer-like keys included', () => {
    expect(pythonJsonDumps(new Map([['b', '1'], ['10', 'x'], ['a', '\u00e9']]), { indent: 2 })).toBe('{\n  "b": "1",\n  "10": "x",\n  "a": "\\u00e9"\n}');
    expect(pythonJsonDumps(new Map([['b', '1'], ['10', 'x'], ['\u{1f600}', ''], ['\uffff', '']]), { indent: 2, sortKeys: true })).toBe('{\n  "10": "x",\n  "b": "1",\n  "\\uffff": "",\n  "\\ud83d\\ude00": ""\n}');
  });

  it.runIf(python)('writes what the real python3 json.dumps writes (property, one interpreter per batch)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(jsonValue, fc.constantFrom(2, 4), fc.boolean()), { minLength: 1, maxLength: 60 }), (cases) => {
        const input = cases.map(([v, indent, sortKeys]) => JSON.stringify({ v, indent, sortKeys })).join('\n');
        const program = 'import json, sys\nfor line in sys.stdin:\n    c = json.loads(line)\n    sys.stdout.write(json.dumps(json.dumps(c["v"], indent=c["indent"], sort_keys=c["sortKeys"])) + "\\n")\n';
        const r = spawnSync(PYTHON, ['-c', program], { input, encoding: 'utf8' });
        expect(r.status).toBe(0);
        const expected = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as string);
        expect(cases.map(([v, indent, sortKeys]) => pythonJsonDumps(v, { indent, sortKeys }))).toEqual(expected);
      }),
      { numRuns: 5 },
    );
  });

  it('refuses numbers Python would write differently and values JSON cannot hold', () => {
    expect(() => pythonJsonDumps(1.5, { indent: 2 })).toThrow(RangeError);
    expect(() => pythonJsonDumps({ f: () => 1 }, { indent: 2 })).toThrow(TypeError);
  });
});
