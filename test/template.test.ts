import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { binaryString } from './fc-helpers.js';
import { SeeqretError, isSeeqretError } from '../src/errors.js';
import {
  checkRequirement,
  compareVersions,
  parseEnvTemplate,
  type TemplateLine,
  type VersionOp,
} from '../src/formats/template.js';

function templateError(fn: () => unknown, code: 'E_TEMPLATE_SYNTAX' | 'E_TEMPLATE_VERSION' = 'E_TEMPLATE_SYNTAX'): SeeqretError {
  try {
    fn();
  } catch (e) {
    expect(isSeeqretError(e, code)).toBe(true);
    return e as SeeqretError;
  }
  throw new Error(`expected ${code}`);
}

describe('parseEnvTemplate: lines', () => {
  it('parses filters, renames and constants', () => {
    const t = parseEnvTemplate(
      [
        '# header',
        '',
        'myapp:dev:DB_URL',
        'API_KEY=myapp:prod:KEY',
        'PORT=8080',
        'URL="http://x:1/a"',
        "SINGLE='a:b'",
        'EMPTY=',
        '  SPACED = value with spaces  ',
        'KEY',
      ].join('\n'),
    );
    expect(t.requirement).toBeUndefined();
    expect(t.lines).toEqual<TemplateLine[]>([
      { kind: 'filter', filter: 'myapp:dev:DB_URL', line: 3 },
      { kind: 'rename', name: 'API_KEY', filter: 'myapp:prod:KEY', line: 4 },
      { kind: 'constant', name: 'PORT', value: '8080', line: 5 },
      { kind: 'constant', name: 'URL', value: 'http://x:1/a', line: 6 },
      { kind: 'constant', name: 'SINGLE', value: 'a:b', line: 7 },
      { kind: 'constant', name: 'EMPTY', value: '', line: 8 },
      { kind: 'constant', name: 'SPACED', value: 'value with spaces', line: 9 },
      { kind: 'filter', filter: 'KEY', line: 10 },
    ]);
  });

  it('keeps quoted constant content literally', () => {
    const t = parseEnvTemplate(`A="it's \\n $X # x"\nB='say "hi"'\nC=""\nD='a'b'`);
    expect(t.lines.map((l) => (l.kind === 'constant' ? l.value : null))).toEqual([
      "it's \\n $X # x",
      'say "hi"',
      '',
      "a'b",
    ]);
  });

  it('treats a line whose text before = is not a NAME as a filter', () => {
    const t = parseEnvTemplate('app:env:K=V\n1A=x\nA.B=c:d\n=x\nA B=1');
    expect(t.lines).toEqual<TemplateLine[]>([
      { kind: 'filter', filter: 'app:env:K=V', line: 1 },
      { kind: 'filter', filter: '1A=x', line: 2 },
      { kind: 'filter', filter: 'A.B=c:d', line: 3 },
      { kind: 'filter', filter: '=x', line: 4 },
      { kind: 'filter', filter: 'A B=1', line: 5 },
    ]);
  });

  it('normalises CRLF, trims lines and ignores a BOM', () => {
    const t = parseEnvTemplate('\uFEFF@seeqret>=1.0\r\n  \t a:b:c \t\r\n\r\nX=1\r\n');
    expect(t.requirement).toEqual({ op: '>=', version: '1.0', line: 1 });
    expect(t.lines).toEqual<TemplateLine[]>([
      { kind: 'filter', filter: 'a:b:c', line: 2 },
      { kind: 'constant', name: 'X', value: '1', line: 4 },
    ]);
  });

  it('rejects an unterminated or trailing-text quoted constant', () => {
    expect(templateError(() => parseEnvTemplate('A="abc', 't')).message).toBe(
      't:1: the quoted value of A must end with a matching " at the end of the line',
    );
    templateError(() => parseEnvTemplate("A='x' # c"));
    templateError(() => parseEnvTemplate('A="'));
    templateError(() => parseEnvTemplate('A="x\''));
  });

  it('rejects a NAME defined twice', () => {
    const dup = (text: string): SeeqretError => {
      try {
        parseEnvTemplate(text);
      } catch (e) {
        expect(e).toBeInstanceOf(SeeqretError);
        expect((e as SeeqretError).code).toBe('E_TEMPLATE_DUPLICATE');
        return e as SeeqretError;
      }
      throw new Error('expected E_TEMPLATE_DUPLICATE');
    };
    expect(dup('A=1\nb:c:d\nA=x:y').message).toBe('env.template:3: A defined twice (also on line 1)');
    dup('A=x:y\nA="1"');
    // Filters may repeat; the caller detects duplicate output keys.
    expect(parseEnvTemplate('a:b:c\na:b:c').lines).toHaveLength(2);
  });
});

describe('parseEnvTemplate: @seeqret requirement', () => {
  it('parses every operator, with or without spaces', () => {
    const cases: Array<[string, VersionOp, string]> = [
      ['@seeqret>=1.2', '>=', '1.2'],
      ['@seeqret <= 2', '<=', '2'],
      ['@seeqret==1.0.0', '==', '1.0.0'],
      ['@seeqret != 3.1', '!=', '3.1'],
      ['@seeqret>0.9', '>', '0.9'],
      ['@seeqret<10', '<', '10'],
      ['@seeqret1.2', '>=', '1.2'],
      ['@seeqret 1.2', '>=', '1.2'],
      ['  @seeqret\t>=\t1.2  ', '>=', '1.2'],
    ];
    for (const [line, op, version] of cases) {
      expect(parseEnvTemplate(`\n${line}\nA=1`).requirement).toEqual({ op, version, line: 2 });
    }
  });

  it('rejects malformed requirements', () => {
    for (const bad of ['@seeqret', '@seeqret=1', '@seeqret>=v1', '@seeqret>=1.', '@seeqret>= 1 2', '@seeqretx', '@seeqret=>1']) {
      const e = templateError(() => parseEnvTemplate(bad, 'tpl'));
      expect(e.message).toMatch(/^tpl:1: bad "@seeqret" requirement/);
    }
  });

  it('rejects other @ lines and a requirement that is not first', () => {
    expect(templateError(() => parseEnvTemplate('@include x')).message).toMatch(/^env\.template:1: unknown "@"/);
    expect(templateError(() => parseEnvTemplate('A=1\n@seeqret>=1')).message).toBe(
      'env.template:2: the "@seeqret" requirement must be the first non-blank line',
    );
    templateError(() => parseEnvTemplate('# comment\n@seeqret>=1'));
    templateError(() => parseEnvTemplate('@seeqret>=1\n@seeqret>=1'));
  });
});

describe('parseEnvTemplate: @dialect', () => {
  it('reads one @dialect line anywhere after @seeqret, and refuses an unknown name or a second line', () => {
    expect(parseEnvTemplate('@seeqret>=1.0\n@dialect python\nA=1\n').dialect).toEqual({ name: 'python', line: 2 });
    expect(parseEnvTemplate('A=1\n  @dialect shell  \n').dialect).toEqual({ name: 'shell', line: 2 });
    expect(parseEnvTemplate('A=1\n').dialect).toBeUndefined();
    expect(templateError(() => parseEnvTemplate('@dialect perl\n')).message).toContain('env.template:1');
    expect(templateError(() => parseEnvTemplate('@dialect\n')).message).toContain('@dialect');
    expect(templateError(() => parseEnvTemplate('@dialect node\n@dialect python\n')).message).toContain('line 1');
    // @seeqret must still come first.
    templateError(() => parseEnvTemplate('@dialect node\n@seeqret>=1.0\n'));
  });
});

describe('compareVersions / checkRequirement', () => {
  it('compares numerically with missing parts as 0', () => {
    expect(compareVersions('1.10.0', '1.9')).toBe(1);
    expect(compareVersions('1.9', '1.10.0')).toBe(-1);
    expect(compareVersions('1', '1.0.0')).toBe(0);
    expect(compareVersions('01.002', '1.2')).toBe(0);
    expect(compareVersions('2', '10')).toBe(-1);
    expect(compareVersions('99999999999999999999999', '99999999999999999999998')).toBe(1);
  });

  it('rejects non-numeric versions', () => {
    for (const bad of ['', 'a', '1.x', '1..2', '-1', '1.0.0-beta', ' 1']) {
      templateError(() => compareVersions(bad, '1'));
      templateError(() => compareVersions('1', bad));
    }
  });

  it('checks each operator', () => {
    const ok = (op: VersionOp, version: string, current: string): boolean => {
      try {
        checkRequirement({ op, version, line: 1 }, current);
        return true;
      } catch (e) {
        expect(isSeeqretError(e, 'E_TEMPLATE_VERSION')).toBe(true);
        return false;
      }
    };
    expect(ok('>=', '1.0', '1.0.0')).toBe(true);
    expect(ok('>=', '2.0', '1.0.0')).toBe(false);
    expect(ok('<=', '1.0', '1.0.1')).toBe(false);
    expect(ok('<=', '1.1', '1.0.1')).toBe(true);
    expect(ok('==', '1', '1.0.0')).toBe(true);
    expect(ok('==', '1.0.1', '1.0.0')).toBe(false);
    expect(ok('!=', '1.0.1', '1.0.0')).toBe(true);
    expect(ok('!=', '1', '1.0.0')).toBe(false);
    expect(ok('>', '1.0', '1.0.0')).toBe(false);
    expect(ok('>', '0.9', '1.0.0')).toBe(true);
    expect(ok('<', '1.0.1', '1.0.0')).toBe(true);
    expect(ok('<', '1', '1.0.0')).toBe(false);
    expect(ok('>=', '1.0', '1.0.0-beta.1')).toBe(true);
  });

  it('reports the requirement and the current version', () => {
    const e = templateError(() => { checkRequirement({ op: '>=', version: '2.0', line: 1 }, '1.0.0'); }, 'E_TEMPLATE_VERSION');
    expect(e.message).toBe('env.template requires seeqret >=2.0, this is 1.0.0');
    expect(e.exitCode).toBe(8);
  });
});

const versionTuple = fc.array(fc.nat({ max: 30 }), { minLength: 1, maxLength: 5 });
const tupleCompare = (a: number[], b: number[]): number => {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
};

const nameArb = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,10}$/);
const segArb = fc.stringMatching(/^[A-Za-z0-9_*.-]{1,8}$/);
const filterArb = fc.array(segArb, { minLength: 1, maxLength: 3 }).map((a) => a.join(':'));
const colonFilterArb = fc.array(segArb, { minLength: 2, maxLength: 3 }).map((a) => a.join(':'));
/** Values for quoted constants: anything on one line. */
const lineValueArb = binaryString().filter((s) => !s.includes('\n') && !s.includes('\r'));
/** Values for unquoted constants: no colon, already trimmed, not starting with a quote. */
const plainValueArb = fc.stringMatching(/^(?:[A-Za-z0-9_./+=$#@-](?:[A-Za-z0-9_./+=$#@ -]*[A-Za-z0-9_./+=$#@-])?)?$/);

type Part =
  | { kind: 'constant'; name: string; value: string; text: string }
  | { kind: 'filter'; filter: string; text: string }
  | { kind: 'rename'; name: string; filter: string; text: string };

const partArb: fc.Arbitrary<Part> = fc.oneof(
  fc
    .tuple(nameArb, lineValueArb, fc.constantFrom('"', "'"))
    .map(([name, value, q]): Part => ({ kind: 'constant', name, value, text: `${name}=${q}${value}${q}` })),
  fc
    .tuple(nameArb, plainValueArb, fc.constantFrom('', ' '))
    .map(([name, value, sp]): Part => ({ kind: 'constant', name, value, text: `${name}${sp}=${sp}${value}` })),
  filterArb.map((filter): Part => ({ kind: 'filter', filter, text: filter })),
  fc.tuple(nameArb, colonFilterArb).map(([name, filter]): Part => ({ kind: 'rename', name, filter, text: `${name}=${filter}` })),
);

describe('properties', () => {
  it('compareVersions is antisymmetric and matches numeric tuple comparison', () => {
    fc.assert(
      fc.property(versionTuple, versionTuple, (a, b) => {
        const va = a.join('.');
        const vb = b.join('.');
        const c = compareVersions(va, vb);
        expect(c).toBe(tupleCompare(a, b));
        expect(compareVersions(vb, va)).toBe(c === 0 ? 0 : -c); // 0, not -0 (toBe uses Object.is)
        expect(compareVersions(va, va)).toBe(0);
      }),
      { numRuns: 500 },
    );
  });

  it('parseEnvTemplate on arbitrary text returns or throws SeeqretError only', () => {
    const textArb = fc.oneof(
      binaryString(),
      fc
        .array(fc.constantFrom('@seeqret', '>=', '=', '1', '.', 'A', ':', '"', "'", '#', ' ', '\n', '\r\n', '@'), {
          maxLength: 30,
        })
        .map((a) => a.join('')),
    );
    fc.assert(
      fc.property(textArb, (text) => {
        try {
          const t = parseEnvTemplate(text);
          for (const l of t.lines) expect(l.line).toBeGreaterThanOrEqual(1);
        } catch (e) {
          expect(e).toBeInstanceOf(SeeqretError);
          expect(isSeeqretError(e, 'E_TEMPLATE_SYNTAX')).toBe(true);
          expect((e as Error).message).toMatch(/^env\.template:\d+: /);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('gives back the parts of a generated template', () => {
    fc.assert(
      fc.property(
        fc.option(fc.tuple(fc.constantFrom('>=', '<=', '==', '!=', '>', '<', ''), versionTuple)),
        fc.array(fc.tuple(partArb, fc.constantFrom('', '\n', '\n# comment\n', '   ')), { maxLength: 15 }),
        fc.boolean(),
        (req, parts, crlf) => {
          // Only the first constant/rename of each NAME is kept (duplicates are an error).
          const seen = new Set<string>();
          const kept = parts.filter(([p]) => {
            if (p.kind === 'filter') return true;
            if (seen.has(p.name)) return false;
            seen.add(p.name);
            return true;
          });
          const out: string[] = [];
          if (req !== null) out.push(`@seeqret${req[0]}${req[1].join('.')}`);
          const expected: TemplateLine[] = [];
          for (const [p, sep] of kept) {
            if (sep === '   ') {
              out.push(`${sep}${p.text}${sep}`);
            } else {
              out.push(...sep.split('\n').filter((l) => l !== ''));
              out.push(p.text);
            }
            const line = out.length;
            expected.push(
              p.kind === 'constant'
                ? { kind: 'constant', name: p.name, value: p.value, line }
                : p.kind === 'rename'
                  ? { kind: 'rename', name: p.name, filter: p.filter, line }
                  : { kind: 'filter', filter: p.filter, line },
            );
          }
          const t = parseEnvTemplate(out.join(crlf ? '\r\n' : '\n'));
          expect(t.lines).toEqual(expected);
          if (req === null) expect(t.requirement).toBeUndefined();
          else expect(t.requirement).toEqual({ op: req[0] === '' ? '>=' : req[0], version: req[1].join('.'), line: 1 });
        },
      ),
      { numRuns: 300 },
    );
  });
});
