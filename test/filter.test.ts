/**
 * Filter strings (`app:env:key`): parsing, glob semantics, errors, and properties.
 */
import fc from 'fast-check';
import { binaryString } from './fc-helpers.js';
import { describe, expect, it } from 'vitest';
import { SeeqretError } from '../src/errors.js';
import { type Filter, matchesAny, matchesFilter, parseFilter } from '../src/filter/index.js';

const RUNS = 500;

/** The error `fn` throws (must be a SeeqretError), or undefined when it returns. */
function errorOf(fn: () => unknown): SeeqretError | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof SeeqretError) return e;
    throw e;
  }
  return undefined;
}

/** Assert `input` is rejected with E_FILTER_SYNTAX; returns the message. */
function rejects(input: string, ...mentions: string[]): string {
  const err = errorOf(() => parseFilter(input));
  expect(err, `expected ${JSON.stringify(input)} to be rejected`).toBeInstanceOf(SeeqretError);
  const e = err as SeeqretError;
  expect(e.code).toBe('E_FILTER_SYNTAX');
  expect(e.message).not.toMatch(/[\r\n]/);
  expect(e.fix).not.toMatch(/[\r\n]/);
  expect(e.message).toMatch(/^bad filter '/);
  expect(e.fix).toMatch(/docs\/filters\.md/);
  for (const m of mentions) expect(e.message).toContain(m);
  return e.message;
}

/** Key-field test of `glob` (written as the whole key part). */
function keyMatches(glob: string, key: string): boolean {
  return parseFilter(`::${glob}`).key.test(key);
}

describe('parts', () => {
  it('one part X means *:*:X', () => {
    const f = parseFilter('DB_HOST');
    expect(f.text).toBe('*:*:DB_HOST');
    expect(f.app.any && f.env.any).toBe(true);
    expect(f.key.any).toBe(false);
    expect(matchesFilter(f, 'any', 'thing', 'DB_HOST')).toBe(true);
    expect(matchesFilter(f, '*', '*', 'DB_HOST')).toBe(true);
    expect(matchesFilter(f, 'a', 'b', 'DB_PORT')).toBe(false);
  });

  it('two parts A:E mean A:E:*', () => {
    const f = parseFilter('myapp:dev');
    expect(f.text).toBe('myapp:dev:*');
    expect(f.key.any).toBe(true);
    expect(matchesFilter(f, 'myapp', 'dev', 'ANY_KEY')).toBe(true);
    expect(matchesFilter(f, 'myapp', 'prod', 'ANY_KEY')).toBe(false);
    expect(matchesFilter(f, 'other', 'dev', 'ANY_KEY')).toBe(false);
  });

  it('three parts as given', () => {
    const f = parseFilter('myapp:dev:KEY');
    expect(f.text).toBe('myapp:dev:KEY');
    expect(matchesFilter(f, 'myapp', 'dev', 'KEY')).toBe(true);
    expect(matchesFilter(f, 'myapp', 'dev', 'KEY2')).toBe(false);
    expect(matchesFilter(f, 'myapp', 'prod', 'KEY')).toBe(false);
    expect(matchesFilter(f, 'myap', 'dev', 'KEY')).toBe(false);
  });

  it('empty parts mean *', () => {
    expect(parseFilter('a::k').text).toBe('a:*:k');
    expect(parseFilter(':e:').text).toBe('*:e:*');
    expect(parseFilter('::').text).toBe('*:*:*');
    expect(parseFilter(':').text).toBe('*:*:*');
    expect(parseFilter('a:').text).toBe('a:*:*');
    const f = parseFilter(':dev:');
    expect(f.app.any && f.key.any && !f.env.any).toBe(true);
    expect(matchesFilter(f, 'x', 'dev', 'y')).toBe(true);
    expect(matchesFilter(f, 'x', 'prod', 'y')).toBe(false);
  });

  it('the empty filter (and blanks) mean *:*:*', () => {
    for (const s of ['', '   ', '\t\n']) {
      const f = parseFilter(s);
      expect(f.text).toBe('*:*:*');
      expect(f.app.any && f.env.any && f.key.any).toBe(true);
      expect(matchesFilter(f, 'a', 'b', 'c')).toBe(true);
      expect(matchesFilter(f, '', '', '')).toBe(true);
    }
  });

  it('a lone * matches anything and is `any`', () => {
    const f = parseFilter('*:*:*');
    expect(f.app.any && f.env.any && f.key.any).toBe(true);
    expect(f.key.literals).toBeUndefined();
    expect(parseFilter('*').text).toBe('*:*:*');
    expect(matchesFilter(f, '*', 'x', '')).toBe(true);
  });

  it('trims surrounding whitespace', () => {
    expect(parseFilter('  a:b:c\n').text).toBe('a:b:c');
    expect(parseFilter('\tKEY ').text).toBe('*:*:KEY');
  });

  it('rejects more than 3 parts', () => {
    expect(rejects('a:b:c:d', "'a:b:c:d'", 'at most 3 parts (app:env:key)')).toBe(
      "bad filter 'a:b:c:d': at most 3 parts (app:env:key)",
    );
    rejects(':::');
    rejects('a:b:c:');
    rejects('[:]:x:y'); // a colon never appears inside a name, not even in a class
  });

  it('rejects whitespace inside, with a one-line message', () => {
    rejects('a b', "'a b'", 'whitespace');
    rejects('a:b:c d', 'whitespace');
    rejects('a:\tb', 'whitespace');
    const m = rejects('a\nb', 'whitespace');
    expect(m).toContain("'a\\nb'");
    rejects('a\u00a0b', 'whitespace');
    rejects('a\u2028b', 'whitespace');
  });

  it('quotes long filters shortened, still one line', () => {
    const long = `${'x'.repeat(500)}:a:b:c`;
    const m = rejects(long, 'at most 3 parts');
    expect(m.length).toBeLessThan(200);
    expect(m).toContain('…');
  });

  it('rejects a non-string with E_FILTER_SYNTAX', () => {
    const e = errorOf(() => parseFilter(undefined as unknown as string));
    expect(e?.code).toBe('E_FILTER_SYNTAX');
  });
});

describe('lists', () => {
  it('a comma gives alternatives within a field', () => {
    const f = parseFilter('::FOO,BAR');
    expect(f.text).toBe('*:*:FOO,BAR');
    expect(f.key.literals).toEqual(['FOO', 'BAR']);
    expect(matchesFilter(f, 'a', 'b', 'FOO')).toBe(true);
    expect(matchesFilter(f, 'a', 'b', 'BAR')).toBe(true);
    expect(matchesFilter(f, 'a', 'b', 'BAZ')).toBe(false);
    expect(matchesFilter(f, 'a', 'b', 'FOO,BAR')).toBe(false);
  });

  it('lists may mix literals and globs', () => {
    const f = parseFilter('::FOO,DB_*');
    expect(f.key.literals).toBeUndefined();
    expect(f.key.test('FOO')).toBe(true);
    expect(f.key.test('DB_HOST')).toBe(true);
    expect(f.key.test('FOOD')).toBe(false);
  });

  it('inside a list a bare * is the literal global `*`', () => {
    const f = parseFilter('myapp,*::');
    expect(f.app.any).toBe(false);
    expect(f.app.literals).toEqual(['myapp', '*']);
    expect(matchesFilter(f, 'myapp', 'dev', 'K')).toBe(true);
    expect(matchesFilter(f, '*', 'dev', 'K')).toBe(true);
    expect(matchesFilter(f, 'other', 'dev', 'K')).toBe(false);
    expect(matchesFilter(f, 'myapp2', 'dev', 'K')).toBe(false);
    expect(parseFilter(f.text).app.literals).toEqual(['myapp', '*']);

    const g = parseFilter('*,*:dev');
    expect(g.app.literals).toEqual(['*']);
    expect(g.app.test('*')).toBe(true);
    expect(g.app.test('x')).toBe(false);
    expect(g.text).toBe('*,*:dev:*');
    expect(parseFilter(g.text).app.test('x')).toBe(false);

    const h = parseFilter('::*,DB_*');
    expect(h.key.literals).toBeUndefined();
    expect(h.key.test('*')).toBe(true);
    expect(h.key.test('DB_X')).toBe(true);
    expect(h.key.test('X')).toBe(false);
  });

  it('dedupes literals', () => {
    expect(parseFilter('::A,B,A').key.literals).toEqual(['A', 'B']);
  });

  it('a comma inside [...] does not split', () => {
    const f = parseFilter('::X[,;]Y');
    expect(f.key.test('X,Y')).toBe(true);
    expect(f.key.test('X;Y')).toBe(true);
    expect(f.key.test('X')).toBe(false);
    const g = parseFilter('::[a,b],c');
    expect(g.key.test(',')).toBe(true);
    expect(g.key.test('b')).toBe(true);
    expect(g.key.test('c')).toBe(true);
    expect(g.key.test('[a')).toBe(false);
  });

  it('rejects empty alternatives', () => {
    rejects('::A,,B', "'::A,,B'", 'empty alternative', 'key');
    rejects('A,::', 'empty alternative', 'app');
    rejects(':,A:', 'empty alternative', 'env');
    rejects(',');
    rejects('::,');
  });
});

describe('globs', () => {
  it('* matches any sequence, possibly empty', () => {
    expect(keyMatches('DB_*', 'DB_')).toBe(true);
    expect(keyMatches('DB_*', 'DB_HOST')).toBe(true);
    expect(keyMatches('DB_*', 'XDB_HOST')).toBe(false);
    expect(keyMatches('*_URL', 'API_URL')).toBe(true);
    expect(keyMatches('*_URL', 'API_URLS')).toBe(false);
    expect(keyMatches('A*B*C', 'ABC')).toBe(true);
    expect(keyMatches('A*B*C', 'AxxBxxC')).toBe(true);
    expect(keyMatches('A*B*C', 'AxxCxxB')).toBe(false);
    expect(keyMatches('**', '')).toBe(true);
    expect(parseFilter('::**').key.any).toBe(false);
  });

  it('? matches exactly one code point', () => {
    expect(keyMatches('K?', 'K1')).toBe(true);
    expect(keyMatches('K?', 'K')).toBe(false);
    expect(keyMatches('K?', 'K12')).toBe(false);
    expect(keyMatches('???', 'abc')).toBe(true);
    expect(keyMatches('?', '😀')).toBe(true);
    expect(keyMatches('??', '😀')).toBe(false);
    expect(keyMatches('?', 'é')).toBe(true);
    expect(keyMatches('?', '\n')).toBe(true);
  });

  it('[...] classes with ranges', () => {
    expect(keyMatches('K[abc]', 'Kb')).toBe(true);
    expect(keyMatches('K[abc]', 'Kd')).toBe(false);
    expect(keyMatches('K[abc]', 'K')).toBe(false);
    expect(keyMatches('K[abc]', 'Kab')).toBe(false);
    expect(keyMatches('K[a-c0-9]', 'K7')).toBe(true);
    expect(keyMatches('K[a-c0-9]', 'Kc')).toBe(true);
    expect(keyMatches('K[a-c0-9]', 'Kd')).toBe(false);
    expect(keyMatches('K[a-c0-9]', 'KB')).toBe(false);
    expect(keyMatches('[✓😀]', '😀')).toBe(true);
    expect(keyMatches('[✓😀]', '✓')).toBe(true);
    expect(keyMatches('[a-]', '-')).toBe(true);
    expect(keyMatches('[-a]', '-')).toBe(true);
    expect(keyMatches('[-a]', 'b')).toBe(false);
    expect(keyMatches('[.]', 'x')).toBe(false);
    expect(keyMatches('[\\d]', '1')).toBe(false);
    expect(keyMatches('[\\d]', 'd')).toBe(true);
    expect(keyMatches('[\\d]', '\\')).toBe(true);
  });

  it('negation by leading ! or ^', () => {
    for (const n of ['!', '^']) {
      expect(keyMatches(`K[${n}a-c]`, 'Kd')).toBe(true);
      expect(keyMatches(`K[${n}a-c]`, 'Kb')).toBe(false);
      expect(keyMatches(`K[${n}a-c]`, 'K')).toBe(false);
      expect(keyMatches(`[${n}a]`, '😀')).toBe(true);
    }
    expect(keyMatches('[a!]', '!')).toBe(true);
    expect(keyMatches('[a^]', '^')).toBe(true);
    expect(keyMatches('[a^]', 'b')).toBe(false);
  });

  it('] right after [ (or the negation) is literal', () => {
    expect(keyMatches('[]]', ']')).toBe(true);
    expect(keyMatches('[]a]', 'a')).toBe(true);
    expect(keyMatches('[]a]', ']')).toBe(true);
    expect(keyMatches('[]a]', 'b')).toBe(false);
    expect(keyMatches('[!]]', ']')).toBe(false);
    expect(keyMatches('[!]]', 'x')).toBe(true);
    expect(keyMatches('[^]a]', 'a')).toBe(false);
    expect(keyMatches('a]', 'a]')).toBe(true); // a lone ] is literal
    expect(parseFilter('::a]').key.literals).toEqual(['a]']);
  });

  it('rejects an unclosed [', () => {
    rejects('::K[', "'::K['", "unclosed '['", 'key');
    rejects('::K[abc');
    rejects('[abc:dev:K', 'app');
    rejects('::[]');
    rejects('::[!]');
    rejects('::[^]');
    rejects('::[a,b');
  });

  it('rejects a reversed range', () => {
    rejects('::[z-a]', "'z-a'", 'range');
  });

  it('is case-sensitive', () => {
    expect(matchesFilter(parseFilter('MyApp:Dev:Key'), 'myapp', 'Dev', 'Key')).toBe(false);
    expect(matchesFilter(parseFilter('MyApp:Dev:Key'), 'MyApp', 'dev', 'Key')).toBe(false);
    expect(matchesFilter(parseFilter('MyApp:Dev:Key'), 'MyApp', 'Dev', 'KEY')).toBe(false);
    expect(matchesFilter(parseFilter('MyApp:Dev:Key'), 'MyApp', 'Dev', 'Key')).toBe(true);
    expect(keyMatches('db_*', 'DB_HOST')).toBe(false);
    expect(keyMatches('[a-z]', 'A')).toBe(false);
    expect(keyMatches('ß*', 'SS')).toBe(false);
    expect(keyMatches('é?', 'É1')).toBe(false);
  });

  it('_ and % are ordinary characters (no SQL LIKE leaks)', () => {
    expect(keyMatches('DB_HOST', 'DBXHOST')).toBe(false);
    expect(keyMatches('DB_*', 'DBXHOST')).toBe(false);
    expect(keyMatches('DB%', 'DB_HOST')).toBe(false);
    expect(keyMatches('DB%*', 'DBX')).toBe(false);
    expect(keyMatches('DB%*', 'DB%X')).toBe(true);
    expect(keyMatches('A_B?', 'A_BC')).toBe(true);
    expect(keyMatches('A_B?', 'AxBC')).toBe(false);
    expect(parseFilter('::50%_OFF').key.literals).toEqual(['50%_OFF']);
  });

  it('regex metacharacters in names are literal', () => {
    const cases: Array<[glob: string, yes: string, no: string]> = [
      ['a.b*', 'a.bc', 'axbc'],
      ['a.b', 'a.b', 'axb'],
      ['a+*', 'a+x', 'aax'],
      ['(x*', '(xy', 'xy'],
      ['x)*', 'x)', 'x'],
      ['$HOME*', '$HOME_DIR', 'HOME'],
      ['*$', 'a$', 'a'],
      ['^a*', '^ab', 'ab'],
      ['a{2}*', 'a{2}x', 'aa'],
      ['a}*', 'a}', 'a'],
      ['a|b*', 'a|bc', 'a'],
      ['\\d*', '\\dx', '1'],
      ['a\\*', 'a\\x', 'ax'],
      ['a-b*', 'a-bc', 'abc'],
      ['a/b?', 'a/bc', 'abc'],
      ['a]*', 'a]x', 'ax'],
      ['a!*', 'a!x', 'ax'],
      ['.*', '.x', 'xx'],
    ];
    for (const [glob, yes, no] of cases) {
      expect(keyMatches(glob, yes), `${glob} ~ ${yes}`).toBe(true);
      expect(keyMatches(glob, no), `${glob} !~ ${no}`).toBe(false);
    }
    for (const lit of ['a.b', 'a+b', '(x)', '$A', '^A', 'a{1}', 'a|b', 'a\\b', 'x]']) {
      expect(parseFilter(`::${lit}`).key.literals).toEqual([lit]);
      expect(keyMatches(lit, lit)).toBe(true);
    }
  });
});

describe('literals', () => {
  it('is set only when every alternative is literal', () => {
    expect(parseFilter('KEY').key.literals).toEqual(['KEY']);
    expect(parseFilter('a,b:e:k').app.literals).toEqual(['a', 'b']);
    expect(parseFilter('KEY*').key.literals).toBeUndefined();
    expect(parseFilter('KEY?').key.literals).toBeUndefined();
    expect(parseFilter('[K]EY').key.literals).toBeUndefined();
    expect(parseFilter('A,B*').key.literals).toBeUndefined();
    expect(parseFilter('*').key.literals).toBeUndefined();
    expect(parseFilter('').key.literals).toBeUndefined();
  });

  it('test() is detachable', () => {
    // eslint-disable-next-line @typescript-eslint/unbound-method -- detaching test() is what this test checks
    const { test } = parseFilter('::A,B').key;
    expect(['A', 'B', 'C'].filter(test)).toEqual(['A', 'B']);
  });
});

describe('matchesAny', () => {
  it('is the union of the filters; empty matches nothing', () => {
    const fs: Filter[] = [parseFilter('a:dev:'), parseFilter('::SHARED_*')];
    expect(matchesAny(fs, 'a', 'dev', 'X')).toBe(true);
    expect(matchesAny(fs, 'b', 'prod', 'SHARED_1')).toBe(true);
    expect(matchesAny(fs, 'b', 'dev', 'X')).toBe(false);
    expect(matchesAny([], 'a', 'dev', 'X')).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

/** Characters names are made of: no `: , * ? [ ] = #`, whitespace or controls; many regex metachars. */
const NAME_CHARS = [
  ...Array.from('abcxyzABCXYZ0189'),
  ...Array.from('_%.+()$^{}|-/\\!@~'),
  'é',
  'É',
  'ß',
  '✓',
  '😀',
];
const nameArb = fc.string({ unit: fc.constantFrom(...NAME_CHARS), minLength: 1, maxLength: 20 });
const tripleArb = fc.tuple(nameArb, nameArb, nameArb);

/** Swap the case of every letter. */
function swapCase(s: string): string {
  return Array.from(s, (c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
}

/** Filter-ish text rich in syntax, so random inputs often parse and often fail in interesting ways. */
const GLOBBY_CHARS = [...Array.from('ab'), 'A', 'é', '😀', ...Array.from('*?[]!^-,:_%.')];
const globbyArb = fc.string({ unit: fc.constantFrom(...GLOBBY_CHARS), maxLength: 14 });
/** Short values over the same letters, so globs actually match sometimes. */
const valueArb = fc.string({ unit: fc.constantFrom('a', 'b', 'A', 'é', '😀', '*', '-', ']', '!', '^', ',', '_', '%', '.'), maxLength: 6 });

describe('properties', () => {
  it('an exact filter app:env:key matches exactly that triple', () => {
    fc.assert(
      fc.property(tripleArb, tripleArb, fc.integer({ min: 0, max: 2 }), ([app, env, key], other, which) => {
        const f = parseFilter(`${app}:${env}:${key}`);
        expect(f.text).toBe(`${app}:${env}:${key}`);
        expect(f.app.literals).toEqual([app]);
        expect(f.env.literals).toEqual([env]);
        expect(f.key.literals).toEqual([key]);
        expect(matchesFilter(f, app, env, key)).toBe(true);
        const t: [string, string, string] = [app, env, key];
        const diff = other[which] ?? '';
        if (diff !== t[which]) {
          const changed: [string, string, string] = [...t];
          changed[which] = diff;
          expect(matchesFilter(f, ...changed)).toBe(false);
        }
        const swapped = swapCase(t[which] ?? '');
        if (swapped !== t[which]) {
          const changed: [string, string, string] = [...t];
          changed[which] = swapped;
          expect(matchesFilter(f, ...changed)).toBe(false);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('PREFIX* / *SUFFIX / *MID* match by startsWith / endsWith / includes', () => {
    const keyArb = fc.oneof(nameArb, fc.tuple(nameArb, nameArb).map(([a, b]) => a + b));
    fc.assert(
      fc.property(nameArb, keyArb, fc.boolean(), (part, rest, glue) => {
        const key = glue ? part + rest : rest;
        expect(keyMatches(`${part}*`, key)).toBe(key.startsWith(part));
        expect(keyMatches(`*${part}`, key)).toBe(key.endsWith(part));
        expect(keyMatches(`*${part}*`, key)).toBe(key.includes(part));
        const other = glue ? rest + part : key;
        expect(keyMatches(`*${part}`, other)).toBe(other.endsWith(part));
      }),
      { numRuns: RUNS },
    );
  });

  it('n question marks match exactly the keys of n code points', () => {
    fc.assert(
      fc.property(nameArb, fc.integer({ min: 1, max: 22 }), (key, n) => {
        const len = Array.from(key).length;
        expect(keyMatches('?'.repeat(n), key)).toBe(len === n);
        expect(keyMatches('?'.repeat(len), key)).toBe(true);
        const first = Array.from(key)[0] ?? '';
        expect(keyMatches(first + '?'.repeat(len - 1), key)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('parseFilter returns a Filter or throws E_FILTER_SYNTAX, never anything else', () => {
    const inputArb = fc.oneof(
      fc.string(),
      binaryString(),
      fc.string({ unit: 'grapheme' }),
      globbyArb,
    );
    fc.assert(
      fc.property(inputArb, valueArb, (input, value) => {
        // Plain boolean checks: this property runs many times and `expect` is comparatively slow.
        let f: Filter;
        try {
          f = parseFilter(input);
        } catch (e) {
          return (
            e instanceof SeeqretError &&
            e.code === 'E_FILTER_SYNTAX' &&
            !/[\r\n\u2028\u2029]/.test(e.message) &&
            !/[\r\n]/.test(e.fix)
          );
        }
        return typeof matchesFilter(f, value, value, value) === 'boolean' && f.text.split(':').length === 3;
      }),
      { numRuns: 2000 },
    );
  });

  it('parseFilter(f.text) is equivalent to f', () => {
    const parsed = globbyArb.filter((s) => errorOf(() => parseFilter(s)) === undefined);
    fc.assert(
      fc.property(parsed, fc.array(fc.tuple(valueArb, valueArb, valueArb), { minLength: 1, maxLength: 20 }), (s, triples) => {
        const f = parseFilter(s);
        const g = parseFilter(f.text);
        expect(g.text).toBe(f.text);
        expect(g.app.literals).toEqual(f.app.literals);
        expect(g.env.literals).toEqual(f.env.literals);
        expect(g.key.literals).toEqual(f.key.literals);
        for (const [a, e, k] of triples) {
          expect(matchesFilter(g, a, e, k)).toBe(matchesFilter(f, a, e, k));
          expect(g.app.test(a)).toBe(f.app.test(a));
          expect(g.env.test(e)).toBe(f.env.test(e));
          expect(g.key.test(k)).toBe(f.key.test(k));
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('a comma list a,b matches iff a or b alone matches', () => {
    // One alternative: parses alone and is not a bare `*` (which means the literal `*` in a list).
    const altArb = fc
      .string({ unit: fc.constantFrom(...Array.from('ab'), 'A', '😀', ...Array.from('*?[]!^-_.')), minLength: 1, maxLength: 8 })
      .filter((s) => s !== '*' && errorOf(() => parseFilter(`::${s}`)) === undefined);
    fc.assert(
      fc.property(altArb, altArb, fc.array(valueArb, { minLength: 1, maxLength: 20 }), (a, b, values) => {
        const both = parseFilter(`::${a},${b}`).key;
        const fa = parseFilter(`::${a}`).key;
        const fb = parseFilter(`::${b}`).key;
        for (const v of [...values, a, b]) expect(both.test(v)).toBe(fa.test(v) || fb.test(v));
        if (fa.literals && fb.literals) expect(both.literals).toEqual([...new Set([...fa.literals, ...fb.literals])]);
        else expect(both.literals).toBeUndefined();
      }),
      { numRuns: RUNS },
    );
  });

  it('literals, when set, are exactly the matching values', () => {
    fc.assert(
      fc.property(fc.array(nameArb, { minLength: 1, maxLength: 5 }), nameArb, (names, probe) => {
        const f = parseFilter(`::${names.join(',')}`);
        expect(f.key.literals).toEqual([...new Set(names)]);
        for (const v of [...names, probe]) expect(f.key.test(v)).toBe(names.includes(v));
      }),
      { numRuns: RUNS },
    );
  });
});
