/**
 * `.env` dialects, checked with the real readers: every value the writer accepts is read back
 * byte for byte by every reader of its dialect, and every value it refuses really has no form that
 * reader gives back.
 *
 * Readers: Node's `--env-file` (the installed Node) and a port of Node 22+'s parser
 * (test/readers/node-dotenv-port.ts); npm `dotenv` (`parse`, classic and `fast`); python-dotenv's
 * `dotenv_values` (Debian's python3-dotenv under /usr/bin/python3); `set -a; . FILE` in `sh` (dash)
 * and `bash`; a port of compose-go v2's parser (test/readers/compose-dotenv-port.ts). The number of
 * fast-check runs is SEEQRET_FC_RUNS (default 12; each run writes a batch of up to 40 values).
 */
import { type SpawnSyncOptionsWithBufferEncoding, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DIALECTS,
  DIALECT_FORMS,
  type Dialect,
  SHELL_SPECIAL_VARIABLES,
  candidateForm,
  formatDotenvDialect,
  quoteForDialect,
} from '../src/formats/dialects.js';
import { parseDotenvDialect } from '../src/formats/dialect-read.js';
import { parseDotenv } from '../src/formats/dotenv.js';
import { thrownCode, tmpdir } from './helpers.js';
import { parseComposeDotenv } from './readers/compose-dotenv-port.js';
import { parseNodeDotenv } from './readers/node-dotenv-port.js';
import { must } from './must.js';

const RUNS = Number(process.env['SEEQRET_FC_RUNS'] ?? 12);
/** Spawned readers take a few hundred milliseconds per batch on a busy machine. */
const PROPERTY_TIMEOUT = Math.max(60_000, RUNS * 3_000);
const require = createRequire(import.meta.url);
const dotenv = require('dotenv') as { parse(src: string, opts?: { fast?: boolean }): Record<string, string> };

const PYTHON = '/usr/bin/python3';
const hasPythonDotenv = spawnSync(PYTHON, ['-c', 'import dotenv'], { encoding: 'utf8' }).status === 0;
if (!hasPythonDotenv) console.log('SKIP python-dotenv reader: /usr/bin/python3 cannot import dotenv (apt-get install python3-dotenv)');
const hasBash = spawnSync('bash', ['-c', 'true'], { stdio: 'ignore' }).status === 0;
if (!hasBash) console.log('SKIP bash reader: bash is not installed');

/** JSON with every non-ASCII or control character escaped, for messages. */
function show(v: unknown): string {
  return JSON.stringify(v).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const dir = tmpdir();
let fileNo = 0;
function writeTemp(text: string): string {
  const f = path.join(dir, `t${fileNo++}.env`);
  fs.writeFileSync(f, text);
  return f;
}

/** A minimal environment for reader children, so that no inherited variable hides a key. */
const CHILD_ENV = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LANG: 'C.UTF-8' };

function pick(all: Record<string, string | undefined>, keys: readonly string[]): Record<string, string | undefined> {
  const o: Record<string, string | undefined> = {};
  for (const k of keys) o[k] = all[k];
  return o;
}

function nodeEnvFile(text: string, keys: readonly string[]): Record<string, string | undefined> {
  const f = writeTemp(text);
  const r = spawnSync(process.execPath, [`--env-file=${f}`, '-e', 'process.stdout.write(JSON.stringify(process.env))'], { encoding: 'utf8', env: CHILD_ENV });
  if (r.status !== 0) throw new Error(`node --env-file failed: ${r.stderr}`);
  return pick(JSON.parse(r.stdout) as Record<string, string>, keys);
}

function python(text: string, keys: readonly string[]): Record<string, string | undefined> {
  const f = writeTemp(text);
  const code = 'import json,sys\nfrom dotenv import dotenv_values\nsys.stdout.write(json.dumps(dotenv_values(sys.argv[1])))';
  const r = spawnSync(PYTHON, ['-c', code, f], { encoding: 'utf8', env: CHILD_ENV });
  if (r.status !== 0) throw new Error(`python-dotenv failed: ${r.stderr}`);
  return pick(JSON.parse(r.stdout) as Record<string, string>, keys);
}

/**
 * Options of the shell readers' spawns. Stdin is /dev/null, not the socket pair Node gives a
 * child for a pipe: a non-interactive bash whose stdin is a socket thinks sshd started it and
 * sources ~/.bashrc first (Debian's build), which is slow (seconds, when the rc file runs tools)
 * and would let the machine's rc file set variables before the file under test is read.
 */
const SHELL_SPAWN: SpawnSyncOptionsWithBufferEncoding = { env: CHILD_ENV, stdio: ['ignore', 'pipe', 'pipe'] };

function shell(sh: string, text: string, keys: readonly string[]): Record<string, string | undefined> {
  const f = writeTemp(text);
  const r = spawnSync(sh, ['-c', 'set -a; . "$1"; exec /usr/bin/env -0', 'sh', f], SHELL_SPAWN);
  if (r.status !== 0) throw new Error(`${sh} failed: ${r.stderr.toString()}`);
  const all: Record<string, string> = {};
  for (const item of r.stdout.toString('utf8').split('\0')) {
    const eq = item.indexOf('=');
    if (eq > 0) all[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return pick(all, keys);
}

type Reader = { name: string; read: (text: string, keys: readonly string[]) => Record<string, string | undefined> };

/** The real readers of each dialect (the in-process ones first: they are cheap). */
const READERS: Record<Dialect, Reader[]> = {
  node: [
    { name: 'seeqret importenv', read: (t, k) => pick(Object.fromEntries(parseDotenv(t).map((e) => [e.key, e.value])), k) },
    { name: 'npm dotenv', read: (t, k) => pick(dotenv.parse(t), k) },
    { name: 'npm dotenv (fast)', read: (t, k) => pick(dotenv.parse(t, { fast: true }), k) },
    { name: 'Node 22+ --env-file (port)', read: (t, k) => pick(parseNodeDotenv(t), k) },
    { name: `node ${process.version} --env-file`, read: nodeEnvFile },
  ],
  python: hasPythonDotenv ? [{ name: 'python-dotenv', read: python }] : [],
  compose: [{ name: 'compose-go v2 (port)', read: (t, k) => pick(parseComposeDotenv(t), k) }],
  shell: [{ name: 'sh', read: (t, k) => shell('sh', t, k) }, ...(hasBash ? [{ name: 'bash', read: (t: string, k: readonly string[]) => shell('bash', t, k) }] : [])],
};
// seeqret's own importer for each dialect (importenv --dialect) must read back what env writes, too.
for (const d of DIALECTS) {
  READERS[d].push({ name: `importenv --dialect ${d}`, read: (t, k) => pick(Object.fromEntries(parseDotenvDialect(t, d).map((e) => [e.key, e.value])), k) });
}

/** Values ending in each quote character, written unquoted: a quoted value that runs on past its closing quote stops at one of these. */
const FOLLOWERS = ["a'", 'a"', 'a`', 'b\'"', '\\'];

/** The alphabet: printable ASCII, quotes, `\`, `$`, `#`, `=`, newlines, tabs, unicode (astral too), spaces at the ends. */
const SPECIAL = ['\\', "'", '"', '`', '$', '#', '=', '\n', '\r', '\t', ' ', '${', '${X}', '\\n', '\\r', '\\\\', "\\'", 'é', '€', '😀', '\u00a0', '\u2028', '\u3000', '\u0085', '\x7f', '\x1b'];
const charArb = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 3 }) },
  { weight: 4, arbitrary: fc.constantFrom(...SPECIAL) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 2 }) },
);
const valueArb = fc.oneof(
  { weight: 6, arbitrary: fc.array(charArb, { maxLength: 10 }).map((a) => a.join('')) },
  { weight: 1, arbitrary: fc.constantFrom(...FOLLOWERS, '', ' ', "'", '"', '`', "'\"`", "x'\"`\n", ' \\', '\\ ') },
);

/** Write `values` (those the dialect takes) with FOLLOWERS after each; return the file and the expected map. */
function batch(values: readonly string[], dialect: Dialect): { text: string; expected: Record<string, string>; refused: string[] } {
  const entries: Array<{ key: string; value: string }> = [];
  const refused: string[] = [];
  values.forEach((value, i) => {
    if (quoteForDialect(value, dialect) === null) {
      refused.push(value);
      return;
    }
    entries.push({ key: `K${i}`, value });
    entries.push({ key: `F${i}`, value: must(FOLLOWERS[i % FOLLOWERS.length]) });
  });
  return { text: formatDotenvDialect(entries, dialect), expected: Object.fromEntries(entries.map((e) => [e.key, e.value])), refused };
}

/** True when some reader of `dialect` misreads `candidate` written as R= (followed by each follower, in turn, or alone). */
function someReaderMisreads(candidate: string, value: string, dialect: Dialect): boolean {
  const contexts = ['', ...FOLLOWERS.map((f) => `F=${quoteForDialect(f, dialect)}\n`)];
  for (const reader of READERS[dialect]) {
    for (const ctx of contexts) {
      const text = `R=${candidate}\n${ctx}`;
      let got: Record<string, string | undefined>;
      try {
        got = reader.read(text, ['R', 'F']);
      } catch {
        return true; // the reader rejects the file
      }
      const follower = ctx === '' ? undefined : FOLLOWERS[contexts.indexOf(ctx) - 1];
      if (got['R'] !== value || got['F'] !== follower) return true;
    }
  }
  return false;
}

describe.each(DIALECTS)('dialect %s: real readers give every written value back', (dialect) => {
  it('property: accepted values read back exactly by every reader; refused values have no form any reader gives back', () => {
    if (READERS[dialect].length === 0) return;
    fc.assert(
      fc.property(fc.array(valueArb, { minLength: 1, maxLength: 40 }), (values) => {
        const { text, expected, refused } = batch(values, dialect);
        const keys = Object.keys(expected);
        for (const reader of READERS[dialect]) {
          const got = reader.read(text, keys);
          for (const k of keys) {
            if (got[k] !== expected[k]) {
              throw new Error(`${reader.name} read ${k} as ${show(got[k])}, written ${show(expected[k])}\n--- file ---\n${show(text)}`);
            }
          }
        }
        for (const value of refused) {
          for (const form of DIALECT_FORMS[dialect]) {
            const candidate = must(candidateForm(value, dialect, form));
            if (!someReaderMisreads(candidate, value, dialect)) {
              throw new Error(`refused ${show(value)} but ${form} form ${show(candidate)} reads back everywhere`);
            }
          }
        }
      }),
      { numRuns: RUNS },
    );
  }, PROPERTY_TIMEOUT);

  it('known values: plain, spaces, quotes, newlines, empty, dollars, a Windows path, a hash', () => {
    const values = ['plain', 'with space inside', "it's", 'a "quoted" word', 'multi\nline', '', '$HOME ${X}', 'C:\\dir\\', '#hash'];
    const text = formatDotenvDialect(values.map((value, i) => ({ key: `K${i}`, value })), dialect);
    for (const reader of READERS[dialect]) {
      const got = reader.read(text, values.map((_, i) => `K${i}`));
      values.forEach((v, i) => { expect(got[`K${i}`], `${reader.name} K${i}`).toBe(v); });
    }
  });
});

describe('dialect refusals name the key and are real', () => {
  it('node: a carriage return, all three quotes with a newline, a quoted value ending in a backslash', () => {
    for (const value of ['a\rb', "'\"`\n", ' C:\\dir\\']) {
      expect(quoteForDialect(value, 'node')).toBeNull();
      let err: Error | undefined;
      try {
        formatDotenvDialect([{ key: 'SECRET_KEY', value }], 'node');
      } catch (e) {
        err = e as Error;
      }
      expect(err?.message).toContain('SECRET_KEY');
      expect(err?.message).not.toContain(value);
      expect(thrownCode(() => formatDotenvDialect([{ key: 'SECRET_KEY', value }], 'node'))).toBe('E_DIALECT');
      for (const form of DIALECT_FORMS.node) expect(someReaderMisreads(must(candidateForm(value, 'node', form)), value, 'node'), form).toBe(true);
    }
  });

  it('python, compose and shell carry every value but NUL', () => {
    for (const dialect of ['python', 'compose', 'shell'] as const) {
      for (const value of ['a\rb', "'\"`\n", ' C:\\dir\\', '${X}$$', '\\', "\\'"]) expect(quoteForDialect(value, dialect), `${dialect} ${JSON.stringify(value)}`).not.toBeNull();
    }
    for (const dialect of DIALECTS) expect(thrownCode(() => formatDotenvDialect([{ key: 'A', value: 'x\0y' }], dialect))).toBe('E_BAD_VALUE');
    for (const dialect of DIALECTS) expect(thrownCode(() => formatDotenvDialect([{ key: 'A', value: 'x\uD800y' }], dialect))).toBe('E_BAD_VALUE');
  });

  it('shell: names that are not shell variables, and variables bash or dash set themselves, are refused', () => {
    expect(thrownCode(() => formatDotenvDialect([{ key: 'my.key', value: 'x' }], 'shell'))).toBe('E_DIALECT');
    expect(thrownCode(() => formatDotenvDialect([{ key: 'my-key', value: 'x' }], 'shell'))).toBe('E_DIALECT');
    expect(formatDotenvDialect([{ key: 'my.key', value: 'x' }], 'node')).toBe('my.key=x\n');
    for (const n of SHELL_SPECIAL_VARIABLES) expect(thrownCode(() => formatDotenvDialect([{ key: n, value: 'x' }], 'shell')), n).toBe('E_DIALECT');
    // Each refused name really does not come back from at least one of the shells (or the shell
    // fails on it): one file per name, each sourced in a subshell, one spawn per shell.
    const files = SHELL_SPECIAL_VARIABLES.map((n) => writeTemp(`${n}='seeqret-x'\n`));
    const script = 'for f in "$@"; do (set -a; . "$f" && exec /usr/bin/env -0); printf "\\0--END--\\0"; done';
    const misread = new Set<string>();
    for (const sh of ['sh', ...(hasBash ? ['bash'] : [])]) {
      const out = spawnSync(sh, ['-c', script, 'sh', ...files], SHELL_SPAWN).stdout.toString('utf8').split('\0--END--\0');
      SHELL_SPECIAL_VARIABLES.forEach((n, i) => {
        if (!(out[i] ?? '').split('\0').includes(`${n}=seeqret-x`)) misread.add(n);
      });
    }
    expect(SHELL_SPECIAL_VARIABLES.filter((n) => !misread.has(n))).toEqual([]);
  });
});

describe('the default dialect and importenv', () => {
  it('property: parseDotenv (importenv) reads back every value the node dialect writes, even with many runs', () => {
    fc.assert(
      fc.property(fc.array(valueArb, { minLength: 1, maxLength: 40 }), (values) => {
        const { text, expected } = batch(values, 'node');
        const got = Object.fromEntries(parseDotenv(text).map((e) => [e.key, e.value]));
        expect(got).toEqual(expected);
      }),
      { numRuns: RUNS * 20 },
    );
  });
});

describe('importenv --dialect agrees with the real reader on hand-written files, or refuses them', () => {
  const samples: Record<Dialect, string[]> = {
    node: ['A=plain # comment\nB = spaced \nC="x\\ny"\nD=\'s\' \nE=`b`\nexport F=1\n', 'A="a\\tb"\nB=\'a\\nb\'\n', 'A="one\ntwo"\nB=#x\n'],
    python: ["A='it\\'s'\nB=\"t\\tq\\\"\"\nC=${A}!\nD=x #c\nE=${NOPE:-dflt}\n", 'A= spaced\nexport B="x\\\\y"\n', 'A=${HOME}\n'],
    compose: ['A=$$x\nB="a\\nb $$ \\$"\nC=\'q\\\'s\'\nD=${A}-${Z:-z}\nE=x #c\n', 'A="\\\\"\n', 'A=$HOME\n'],
    shell: ["A='x'\\''y'\nB=\"q\\$\"\nC=plain\nexport D=a'b c'\n", 'A=$HOME\n', 'A=x;y\n'],
  };
  for (const dialect of DIALECTS) {
    it(dialect, () => {
      for (const text of samples[dialect]) {
        let mine: Record<string, string> | undefined;
        try {
          mine = Object.fromEntries(parseDotenvDialect(text, dialect).map((e) => [e.key, e.value]));
        } catch (e) {
          expect(thrownCode(() => parseDotenvDialect(text, dialect)), show(text)).toBe('E_DOTENV_SYNTAX');
        }
        if (mine === undefined) continue;
        for (const reader of READERS[dialect].filter((r) => !r.name.includes('importenv'))) {
          expect(reader.read(text, Object.keys(mine)), `${reader.name} ${show(text)}`).toEqual(mine);
        }
      }
      expect(thrownCode(() => parseDotenvDialect(must(samples[dialect].at(-1)), dialect)), 'the last sample is refused').toBe(dialect === 'node' ? undefined : 'E_DOTENV_SYNTAX');
    });
  }
});
