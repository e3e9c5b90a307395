import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { binaryString } from './fc-helpers.js';
import { SeeqretError, isSeeqretError } from '../src/errors.js';
import {
  DOTENV_KEY_RE,
  formatDotenv,
  parseDotenv,
  quoteDotenvValue,
  type DotenvEntry,
} from '../src/formats/dotenv.js';
import { must } from './must.js';

function kv(entries: DotenvEntry[]): Array<[string, string]> {
  return entries.map((e) => [e.key, e.value]);
}

function syntaxError(fn: () => unknown): SeeqretError {
  try {
    fn();
  } catch (e) {
    expect(isSeeqretError(e, 'E_DOTENV_SYNTAX')).toBe(true);
    return e as SeeqretError;
  }
  throw new Error('expected E_DOTENV_SYNTAX');
}

describe('parseDotenv: lines', () => {
  it('parses simple assignments with line numbers', () => {
    expect(parseDotenv('A=1\nB=2\n')).toEqual([
      { key: 'A', value: '1', line: 1 },
      { key: 'B', value: '2', line: 2 },
    ]);
  });

  it('returns nothing for empty input, blank lines and comments', () => {
    expect(parseDotenv('')).toEqual([]);
    expect(parseDotenv('\n\n  \n\t\n')).toEqual([]);
    expect(parseDotenv('# comment\n   # indented comment\n#A=1')).toEqual([]);
  });

  it('handles a missing final newline', () => {
    expect(kv(parseDotenv('A=1\nB=2'))).toEqual([
      ['A', '1'],
      ['B', '2'],
    ]);
  });

  it('normalises CRLF and ignores a leading BOM', () => {
    expect(parseDotenv('\uFEFFA=1\r\n\r\nB="x\r\ny"\r\nC=3\r\n')).toEqual([
      { key: 'A', value: '1', line: 1 },
      { key: 'B', value: 'x\ny', line: 3 },
      { key: 'C', value: '3', line: 5 },
    ]);
  });

  it('accepts an export prefix with spaces or tabs', () => {
    expect(kv(parseDotenv('export A=1\nexport\t\tB=2\n  export   C = 3'))).toEqual([
      ['A', '1'],
      ['B', '2'],
      ['C', '3'],
    ]);
  });

  it('accepts a key named export', () => {
    expect(kv(parseDotenv('export=1\nexport =2\nexport export=3'))).toEqual([
      ['export', '1'],
      ['export', '2'],
      ['export', '3'],
    ]);
  });

  it('accepts keys with dots and dashes, spaces around =', () => {
    expect(kv(parseDotenv('a.b-c_D9 \t=\t v'))).toEqual([['a.b-c_D9', 'v']]);
  });

  it('returns duplicate keys in order', () => {
    expect(parseDotenv('A=1\nA=2')).toEqual([
      { key: 'A', value: '1', line: 1 },
      { key: 'A', value: '2', line: 2 },
    ]);
  });

  it('rejects lines that are not assignments', () => {
    for (const bad of ['A', 'export A', '1A=x', '=x', '-A=x', '.A=x', 'A B=1', 'A:1', 'exportA B=1']) {
      const e = syntaxError(() => parseDotenv(`OK=1\n${bad}\n`, '.env'));
      expect(e.message).toBe('.env:2: expected KEY=VALUE');
      expect(e.fix).toContain('docs/formats.md#dotenv');
    }
  });

  it('uses "line N" when no source is given', () => {
    expect(syntaxError(() => parseDotenv('\n\nnope')).message).toBe('line 3: expected KEY=VALUE');
  });
});

describe('parseDotenv: unquoted values', () => {
  it('reads an empty value', () => {
    expect(kv(parseDotenv('A=\nB=   \nC= # comment'))).toEqual([
      ['A', ''],
      ['B', ''],
      ['C', ''],
    ]);
  });

  it('trims and strips comments preceded by whitespace', () => {
    expect(kv(parseDotenv('A=  hello world  # a comment\nB=x\t# c\nC=a#b\nD=#abc\nE=a # b # c'))).toEqual([
      ['A', 'hello world'],
      ['B', 'x'],
      ['C', 'a#b'],
      ['D', '#abc'],
      ['E', 'a'],
    ]);
  });

  it('keeps quotes, backslashes and $ literally inside unquoted values', () => {
    expect(kv(parseDotenv('A=it\'s "x" \\n $HOME ${B}'))).toEqual([['A', 'it\'s "x" \\n $HOME ${B}']]);
  });
});

describe('parseDotenv: single and backtick quotes', () => {
  it('reads literal content', () => {
    expect(kv(parseDotenv("A='a \\n \"b\" $X ${Y} # no comment'\nB=`it's`"))).toEqual([
      ['A', 'a \\n "b" $X ${Y} # no comment'],
      ['B', "it's"],
    ]);
  });

  it('spans lines and keeps line numbers right', () => {
    expect(parseDotenv("A='line1\nline2\n'\nB=`x\ny`\nC=1")).toEqual([
      { key: 'A', value: 'line1\nline2\n', line: 1 },
      { key: 'B', value: 'x\ny', line: 4 },
      { key: 'C', value: '1', line: 6 },
    ]);
  });

  it('allows blanks and a comment after the closing quote', () => {
    expect(kv(parseDotenv("A='x'   # c\nB='y'#c\nC=' '\t"))).toEqual([
      ['A', 'x'],
      ['B', 'y'],
      ['C', ' '],
    ]);
  });

  it('rejects text after the closing quote', () => {
    const e = syntaxError(() => parseDotenv("A='x'\nB='one\ntwo' three", 'f.env'));
    expect(e.message).toBe('f.env:3: unexpected text after the closing quote of B');
    expect(e.message).not.toContain('three');
  });

  it('rejects an unterminated quote, naming the starting line', () => {
    const e = syntaxError(() => parseDotenv("A=1\nB='secret\nC=2\n", 'f.env'));
    expect(e.message).toBe('f.env:2: unterminated quoted value for B');
    expect(e.message).not.toContain('secret');
    syntaxError(() => parseDotenv('A=`x'));
  });
});

describe('parseDotenv: double quotes', () => {
  it('decodes the escapes', () => {
    expect(parseDotenv('A="\\n\\r\\t\\\\\\"\\\'\\`\\$"')[0]?.value).toBe('\n\r\t\\"\'`$');
  });

  it('decodes \\uXXXX and \\u{X}', () => {
    expect(parseDotenv('A="\\u00e9\\u{1F600}\\u{41}\\uD83D\\uDE00\\u{10FFFF}"')[0]?.value).toBe(
      'é😀A😀\u{10FFFF}',
    );
  });

  it('keeps other backslash sequences literally', () => {
    expect(parseDotenv('A="\\a\\0\\x41\\u12\\u{}\\u{110000}\\u{1234567}\\uZZZZ\\ "')[0]?.value).toBe(
      '\\a\\0\\x41\\u12\\u{}\\u{110000}\\u{1234567}\\uZZZZ\\ ',
    );
  });

  it('does not interpolate variables', () => {
    expect(parseDotenv('A="$HOME ${B} $(ls)"')[0]?.value).toBe('$HOME ${B} $(ls)');
  });

  it('spans lines with raw newlines and keeps # literally', () => {
    expect(parseDotenv('A="a\n# not a comment\nb" # c\nB=2')).toEqual([
      { key: 'A', value: 'a\n# not a comment\nb', line: 1 },
      { key: 'B', value: '2', line: 4 },
    ]);
  });

  it('counts lines across a backslash-newline and keeps it literally', () => {
    expect(parseDotenv('A="x\\\ny"\nB=1')).toEqual([
      { key: 'A', value: 'x\\\ny', line: 1 },
      { key: 'B', value: '1', line: 3 },
    ]);
  });

  it('rejects unterminated values, including a trailing backslash', () => {
    expect(syntaxError(() => parseDotenv('A="abc\\"', 'x')).message).toBe('x:1: unterminated quoted value for A');
    expect(syntaxError(() => parseDotenv('\nA="abc\\', 'x')).message).toBe('x:2: unterminated quoted value for A');
  });

  it('rejects text after the closing quote', () => {
    syntaxError(() => parseDotenv('A="x"y'));
    syntaxError(() => parseDotenv('A="x" "y"'));
  });
});

describe('quoteDotenvValue / formatDotenv', () => {
  it('single-quotes plain values', () => {
    expect(quoteDotenvValue('')).toBe("''");
    expect(quoteDotenvValue('p"w $X `y` #z')).toBe("'p\"w $X `y` #z'");
    expect(quoteDotenvValue('a\nb\tc')).toBe("'a\nb\tc'");
  });

  it('double-quotes and escapes awkward values', () => {
    expect(quoteDotenvValue("it's")).toBe('"it\'s"');
    expect(quoteDotenvValue('a\\b')).toBe('"a\\\\b"');
    expect(quoteDotenvValue("'\"\n\r\t$`\\")).toBe('"\'\\"\\n\\r\\t\\$\\`\\\\"');
    expect(quoteDotenvValue('\x01\x7f\x85\x1b')).toBe('"\\u0001\\u007F\\u0085\\u001B"');
  });

  it('rejects NUL', () => {
    expect(() => quoteDotenvValue('a\0b')).toThrowError(SeeqretError);
    try {
      formatDotenv([{ key: 'TOKEN', value: 'hunter2\0' }]);
      expect.unreachable();
    } catch (e) {
      expect(isSeeqretError(e, 'E_BAD_VALUE')).toBe(true);
      expect((e as Error).message).toContain('TOKEN');
      expect((e as Error).message).not.toContain('hunter2');
    }
  });

  it('rejects keys the parser would not accept', () => {
    for (const key of ['', '1A', 'A B', 'A=B', 'A\nB', '-x']) {
      try {
        formatDotenv([{ key, value: 'v' }]);
        expect.unreachable();
      } catch (e) {
        expect(isSeeqretError(e, 'E_BAD_VALUE')).toBe(true);
      }
    }
  });

  it('writes KEY=<quoted> lines', () => {
    expect(formatDotenv([])).toBe('');
    expect(
      formatDotenv(
        (function* () {
          yield { key: 'A', value: '1' };
          yield { key: 'B', value: "it's" };
        })(),
      ),
    ).toBe("A='1'\nB=\"it's\"\n");
  });
});

const keyArb = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,15}$/);
const valueArb = binaryString().map((s) => s.replace(/\0/g, ''));
const trickyValueArb = fc.oneof(
  valueArb,
  fc
    .array(fc.constantFrom("'", '"', '`', '\\', '$', '{', '}', 'u', 'n', '#', ' ', '\t', '\n', '\r', 'x', '1', 'A'))
    .map((a) => a.join('')),
);

describe('properties', () => {
  it('round-trips formatDotenv -> parseDotenv', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(keyArb, trickyValueArb), { minLength: 1, maxLength: 20 }), (pairs) => {
        expect(DOTENV_KEY_RE.test(must(pairs[0])[0])).toBe(true);
        const text = formatDotenv(pairs.map(([key, value]) => ({ key, value })));
        expect(kv(parseDotenv(text))).toEqual(pairs);
        // Still true with CRLF line endings (the writer never emits a raw CR).
        expect(kv(parseDotenv(text.replace(/\n/g, '\r\n')))).toEqual(
          pairs.map(([k, v]) => [k, v]),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips object entries with full-Unicode values', () => {
    fc.assert(
      fc.property(fc.dictionary(keyArb, valueArb, { minKeys: 1, maxKeys: 20 }), (obj) => {
        const entries = Object.entries(obj).map(([key, value]) => ({ key, value }));
        expect(kv(parseDotenv(formatDotenv(entries)))).toEqual(Object.entries(obj));
      }),
      { numRuns: 300 },
    );
  });

  it('parses arbitrary text or throws E_DOTENV_SYNTAX, nothing else', () => {
    const textArb = fc.oneof(
      binaryString(),
      fc
        .array(
          fc.constantFrom('A', '=', "'", '"', '`', '\\', 'u', '{', '}', '#', ' ', '\n', '\r\n', 'export ', '1', '.'),
          { maxLength: 40 },
        )
        .map((a) => a.join('')),
    );
    fc.assert(
      fc.property(textArb, (text) => {
        try {
          const entries = parseDotenv(text, 'x.env');
          for (const e of entries) {
            expect(DOTENV_KEY_RE.test(e.key)).toBe(true);
            expect(e.line).toBeGreaterThanOrEqual(1);
          }
        } catch (e) {
          expect(isSeeqretError(e, 'E_DOTENV_SYNTAX')).toBe(true);
          expect((e as SeeqretError).message).toMatch(/^x\.env:\d+: /);
          expect((e as SeeqretError).message).not.toContain('\n');
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('never puts value text in error messages', () => {
    const marker = 'MARKER_a8f3c1d9e7';
    const quoteArb = fc.constantFrom("'", '"', '`');
    fc.assert(
      fc.property(
        fc.array(fc.tuple(keyArb, valueArb), { maxLength: 5 }),
        keyArb,
        quoteArb,
        valueArb,
        valueArb,
        (before, key, q, pre, post) => {
          // An unterminated value: strip the quote character (and backslashes for ") from the content.
          const clean = (s: string): string => s.split(q).join('').split('\\').join('');
          const head = formatDotenv(before.map(([k, v]) => ({ key: k, value: v })));
          const text = head + `${key}=${q}${clean(pre)}${marker}${clean(post)}\n`;
          const startLine = head.split('\n').length;
          try {
            parseDotenv(text, '.env');
            expect.unreachable();
          } catch (e) {
            expect(isSeeqretError(e, 'E_DOTENV_SYNTAX')).toBe(true);
            const err = e as SeeqretError;
            expect(err.message).toBe(`.env:${startLine}: unterminated quoted value for ${key}`);
            expect(err.message).not.toContain(marker);
            expect(err.fix).not.toContain(marker);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never puts text after a closing quote in error messages', () => {
    const marker = 'MARKER_5b2e';
    fc.assert(
      fc.property(keyArb, fc.string({ unit: 'grapheme-ascii' }), (key, v) => {
        const text = `${key}=${quoteDotenvValue(v)}${marker}\n`;
        const e = syntaxError(() => parseDotenv(text));
        expect(e.message).not.toContain(marker);
      }),
      { numRuns: 200 },
    );
  });
});
