/**
 * `seeqret env` through the real CLI: the dialect (option, template, seeqret.yaml), files read
 * back by the real readers, refusing to replace a `.env` that changed since seeqret wrote it, and
 * the warning for a `.env` git does not ignore.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, cliIn, errorCode, newVault, tmpdir } from './helpers.js';
import { ENV_DUMP, parseEnvDump } from './env-dump.js';
import { must } from './must.js';

const require = createRequire(import.meta.url);
const dotenv = require('dotenv') as { parse(src: string): Record<string, string> };
const hasPythonDotenv = spawnSync('/usr/bin/python3', ['-c', 'import dotenv'], { encoding: 'utf8' }).status === 0;
if (!hasPythonDotenv) console.log('SKIP python-dotenv checks: /usr/bin/python3 cannot import dotenv (apt-get install python3-dotenv)');
const hasGit = spawnSync('git', ['--version']).status === 0;
if (!hasGit) console.log('SKIP git warning checks: git is not installed');

const CHILD_ENV = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LANG: 'C.UTF-8' };

/** A vault with values the issue names: a backslash, both quote kinds, `$`, `#`, a newline, spaces at the ends. */
async function setup(): Promise<{ v: string; dir: string; values: Record<string, string> }> {
  const v = newVault();
  const values: Record<string, string> = {
    WIN_PATH: 'C:\\Users\\me\\',
    BOTH_QUOTES: `it's "quoted"`,
    DOLLAR: 'pa$$word ${HOME} $HOME',
    HASH: 'a #not-a-comment',
    MULTI: 'line one\nline two',
    SPACES: '  padded  ',
    BACKSLASH_N: 'literal \\n here',
  };
  for (const [k, val] of Object.entries(values)) {
    const r = await cliIn(['add', 'key', k, '--app', 'web', '--env', 'dev'], { vault: v, input: `${val}\n` });
    if (r.code !== 0) throw new Error(r.stderr);
  }
  const dir = tmpdir();
  fs.writeFileSync(path.join(dir, 'env.template'), 'web:dev:\n');
  return { v, dir, values };
}

function nodeEnvFile(file: string): Record<string, string> {
  const r = spawnSync(process.execPath, [`--env-file=${file}`, '-e', 'process.stdout.write(JSON.stringify(process.env))'], { encoding: 'utf8', env: CHILD_ENV });
  return JSON.parse(r.stdout) as Record<string, string>;
}

describe('env --dialect through the real CLI', () => {
  it('the issue: a value with a backslash and one with both quote kinds come back exactly from Node --env-file and npm dotenv (default dialect)', async () => {
    const { v, dir, values } = await setup();
    const r = await cliIn(['env'], { vault: v, cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('dialect node');
    const file = path.join(dir, '.env');
    const text = fs.readFileSync(file, 'utf8');
    const fromNode = nodeEnvFile(file);
    const fromNpm = dotenv.parse(text);
    const stored = JSON.parse((await cliIn(['list', 'web:dev:', '--format', 'json', '--reveal'], { vault: v })).stdout) as Array<{ key: string; value: string }>;
    expect(Object.fromEntries(stored.map((x) => [x.key, x.value]))).toEqual(values);
    for (const { key, value } of stored) {
      expect(fromNode[key], `node --env-file ${key}`).toBe(value);
      expect(fromNpm[key], `npm dotenv ${key}`).toBe(value);
    }
    expect(fromNode['WIN_PATH']).toBe('C:\\Users\\me\\');
    expect(fromNode['BOTH_QUOTES']).toBe(`it's "quoted"`);
  });

  it('list --format env writes the node dialect too: Node --env-file and npm dotenv read it back', async () => {
    const { v, dir, values } = await setup();
    const text = (await cliIn(['list', 'web:dev:', '--format', 'env', '--reveal'], { vault: v })).stdout;
    const file = path.join(dir, 'listed.env');
    fs.writeFileSync(file, text);
    const fromNode = nodeEnvFile(file);
    const fromNpm = dotenv.parse(text);
    for (const [k, val] of Object.entries(values)) {
      expect(fromNode[k], `node --env-file ${k}`).toBe(val);
      expect(fromNpm[k], `npm dotenv ${k}`).toBe(val);
    }
    await cliIn(['add', 'key', 'CR', 'a\rb', '--app', 'web', '--env', 'dev'], { vault: v });
    const r = await cliIn(['list', 'web:dev:', '--format', 'env', '--reveal'], { vault: v });
    expect(errorCode(r)).toBe('E_DIALECT');
    expect(r.stderr).toContain('CR');
  });

  it('--dialect python, compose, shell: python-dotenv and sh read the file back exactly', async () => {
    const { v, dir } = await setup();
    const stored = JSON.parse((await cliIn(['list', 'web:dev:', '--format', 'json', '--reveal'], { vault: v })).stdout) as Array<{ key: string; value: string }>;
    if (hasPythonDotenv) {
      expect((await cliIn(['env', '--dialect', 'python', '--out', 'py.env'], { vault: v, cwd: dir })).code).toBe(0);
      const code = 'import json,sys\nfrom dotenv import dotenv_values\nsys.stdout.write(json.dumps(dotenv_values(sys.argv[1])))';
      const py = JSON.parse(spawnSync('/usr/bin/python3', ['-c', code, path.join(dir, 'py.env')], { encoding: 'utf8', env: CHILD_ENV }).stdout) as Record<string, string>;
      for (const { key, value } of stored) expect(py[key], `python-dotenv ${key}`).toBe(value);
    }
    expect((await cliIn(['env', '--dialect', 'shell', '--out', 'sh.env'], { vault: v, cwd: dir })).code).toBe(0);
    // The shell's environment printed by `env -0` (test/env-dump.ts: a start of a millisecond, not node's ~0.1 s).
    const sh = spawnSync('sh', ['-c', `set -a; . ./sh.env; exec ${ENV_DUMP.join(' ')}`], { cwd: dir, encoding: 'utf8', env: CHILD_ENV });
    const got = parseEnvDump(sh.stdout);
    for (const { key, value } of stored) expect(got[key], `sh ${key}`).toBe(value);
    expect((await cliIn(['env', '--dialect', 'compose', '--stdout'], { vault: v, cwd: dir })).stdout).toContain('DOLLAR=pa$$$$word $${HOME} $$HOME');
    expect(errorCode(await cliIn(['env', '--dialect', 'yaml', '--stdout'], { vault: v, cwd: dir }))).toBe('E_USAGE');
  });

  it('the dialect comes from --dialect, else the template (@dialect), else seeqret.yaml (dialect:), else node', async () => {
    const { v, dir } = await setup();
    const first = async (args: string[]): Promise<string> => must((await cliIn(['env', '--stdout', ...args], { vault: v, cwd: dir })).stdout.split('\n')[0]);
    expect(await first([])).toContain('(dialect node)');
    fs.writeFileSync(path.join(dir, 'seeqret.yaml'), 'app: web\ndialect: shell\n');
    expect(await first([])).toContain('(dialect shell)');
    fs.writeFileSync(path.join(dir, 'env.template'), '@dialect python\nweb:dev:\n');
    expect(await first([])).toContain('(dialect python)');
    expect(await first(['--dialect', 'compose'])).toContain('(dialect compose)');
    fs.writeFileSync(path.join(dir, 'env.template'), '@dialect perl\nweb:dev:\n');
    expect(errorCode(await cliIn(['env', '--stdout'], { vault: v, cwd: dir }))).toBe('E_TEMPLATE_SYNTAX');
    fs.writeFileSync(path.join(dir, 'env.template'), 'web:dev:\n');
    fs.writeFileSync(path.join(dir, 'seeqret.yaml'), 'app: web\ndialect: perl\n');
    expect(errorCode(await cliIn(['env', '--stdout'], { vault: v, cwd: dir }))).toBe('E_PROJECT');
  });

  it('a value the dialect cannot carry is refused naming the key, never the value, and nothing is written', async () => {
    const v = newVault();
    await cliIn(['add', 'key', 'ALL_QUOTES', '--app', 'web', '--env', 'dev'], { vault: v, input: ` '"\` \n` });
    const dir = tmpdir();
    fs.writeFileSync(path.join(dir, 'env.template'), 'web:dev:\n');
    const r = await cliIn(['env'], { vault: v, cwd: dir });
    expect(errorCode(r)).toBe('E_DIALECT');
    expect(r.code).toBe(10);
    expect(r.stderr).toContain('ALL_QUOTES');
    expect(r.stderr).toContain('seeqret run');
    expect(fs.existsSync(path.join(dir, '.env'))).toBe(false);
    expect((await cliIn(['env', '--dialect', 'python'], { vault: v, cwd: dir })).code).toBe(0);
  });
});

describe('env does not silently replace a .env that changed since seeqret wrote it', () => {
  it('refuses a hand-written .env (E_EXISTS, exit 5) until --force, and then replaces it', async () => {
    const { v, dir } = await setup();
    const file = path.join(dir, '.env');
    fs.writeFileSync(file, 'MY_OWN=setting I typed\n');
    const r = await cliIn(['env'], { vault: v, cwd: dir });
    expect(errorCode(r)).toBe('E_EXISTS');
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('--force');
    expect(fs.readFileSync(file, 'utf8')).toBe('MY_OWN=setting I typed\n');
    expect((await cliIn(['env', '--force'], { vault: v, cwd: dir })).code).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toContain('WIN_PATH=');
  });

  it('replaces its own unchanged file, refuses it once edited (one byte), and accepts an empty file', async () => {
    const { v, dir } = await setup();
    const file = path.join(dir, '.env');
    expect((await cliIn(['env'], { vault: v, cwd: dir })).code).toBe(0);
    await cliIn(['add', 'key', 'NEW_ONE', 'x', '--app', 'web', '--env', 'dev'], { vault: v });
    expect((await cliIn(['env'], { vault: v, cwd: dir })).code).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toContain('NEW_ONE=x');
    fs.appendFileSync(file, 'EXTRA=1\n');
    expect(errorCode(await cliIn(['env'], { vault: v, cwd: dir }))).toBe('E_EXISTS');
    const edited = fs.readFileSync(file, 'utf8').replace('NEW_ONE=x', 'NEW_ONE=y').replace('EXTRA=1\n', '');
    fs.writeFileSync(file, edited);
    const r = await cliIn(['env'], { vault: v, cwd: dir });
    expect(errorCode(r)).toBe('E_EXISTS');
    expect(r.stderr).toContain('changed since seeqret env wrote it');
    fs.writeFileSync(file, '');
    expect((await cliIn(['env'], { vault: v, cwd: dir })).code).toBe(0);
  });

  it('a file written by another vault is not taken for its own; --stdout output carries the same tag', async () => {
    const { v, dir } = await setup();
    const other = newVault();
    await cliIn(['add', 'key', 'A', '1', '--app', 'web', '--env', 'dev'], { vault: other });
    expect((await cliIn(['env'], { vault: other, cwd: dir })).code).toBe(0);
    expect(errorCode(await cliIn(['env'], { vault: v, cwd: dir }))).toBe('E_EXISTS');
    const printed = (await cliIn(['env', '--stdout'], { vault: v, cwd: dir })).stdout;
    fs.writeFileSync(path.join(dir, '.env'), printed);
    expect((await cliIn(['env'], { vault: v, cwd: dir })).code).toBe(0);
    expect(fs.readFileSync(path.join(dir, '.env'), 'utf8')).toBe(printed);
  });
});

describe.skipIf(!hasGit)('env warns when the .env is in a git work tree and not ignored', () => {
  it('warns once with the fix, and not when .gitignore covers it or outside a work tree', async () => {
    const { v, dir } = await setup();
    expect((await cliIn(['env'], { vault: v, cwd: dir })).stderr).not.toContain('git');
    fs.rmSync(path.join(dir, '.env'));
    expect(spawnSync('git', ['init', '-q'], { cwd: dir }).status).toBe(0);
    const r = await cliIn(['env'], { vault: v, cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('seeqret: warning: .env is inside a git work tree and git does not ignore it: add it to .gitignore');
    fs.writeFileSync(path.join(dir, '.gitignore'), '.env\n');
    const again = await cliIn(['env'], { vault: v, cwd: dir });
    expect(again.code).toBe(0);
    expect(again.stderr).not.toContain('.gitignore');
  });
});

describe.skipIf(!hasGit)('env asks git only inside a checkout', () => {
  // A child process: the recording `git` is found through the child's PATH.
  it('starts git only when a .git is above the .env (found from a sub-folder too), and warns there', async () => {
    const { v, dir } = await setup();
    // A `git` first on PATH that records each call, then runs the real one.
    const bin = tmpdir();
    const calls = path.join(bin, 'calls');
    const realGit = spawnSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).stdout.trim();
    fs.writeFileSync(path.join(bin, 'git'), `#!/bin/sh\necho "$*" >> '${calls}'\nexec '${realGit}' "$@"\n`, { mode: 0o755 });
    const env = { PATH: `${bin}:${process.env['PATH'] ?? '/usr/bin:/bin'}` };
    const outside = cli(['env'], { vault: v, cwd: dir, env });
    expect(outside.code, outside.stderr).toBe(0);
    expect(fs.existsSync(calls)).toBe(false);
    expect(outside.stderr).not.toContain('git');

    const repo = tmpdir();
    expect(spawnSync('git', ['init', '-q'], { cwd: repo }).status).toBe(0);
    const sub = path.join(repo, 'services', 'web');
    fs.mkdirSync(sub, { recursive: true });
    fs.copyFileSync(path.join(dir, 'env.template'), path.join(sub, 'env.template'));
    const inside = cli(['env'], { vault: v, cwd: sub, env });
    expect(inside.code, inside.stderr).toBe(0);
    expect(fs.readFileSync(calls, 'utf8')).toBe('check-ignore -q -- .env\n');
    expect(inside.stderr).toContain('seeqret: warning: .env is inside a git work tree and git does not ignore it: add it to .gitignore');
  });
});

describe('importenv reads back what env wrote, in every dialect', () => {
  it('env --dialect D, then importenv (dialect from the first line) gives the same values', async () => {
    const { v, dir, values } = await setup();
    for (const d of ['node', 'python', 'compose', 'shell']) {
      const out = `${d}.env`;
      expect((await cliIn(['env', '--dialect', d, '--out', out], { vault: v, cwd: dir })).code).toBe(0);
      const r = await cliIn(['importenv', out, '--app', 'back', '--env', d], { vault: v, cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      const got = JSON.parse((await cliIn(['list', `back:${d}:`, '--format', 'json', '--reveal'], { vault: v })).stdout) as Array<{ key: string; value: string }>;
      expect(Object.fromEntries(got.map((x) => [x.key, x.value])), d).toEqual(values);
    }
    // The first line names the dialect: reading it as another one is refused.
    expect(errorCode(await cliIn(['importenv', 'python.env', '--dialect', 'node', '--dry-run'], { vault: v, cwd: dir }))).toBe('E_USAGE');
  });

  it('--dialect reads a hand-written file as that program would, and refuses what it would take from the environment', async () => {
    const v = newVault();
    const dir = tmpdir();
    fs.writeFileSync(path.join(dir, 'py.env'), "A='it\\'s'\nB=\"tab\\there\"\nC=${A}-x\n");
    expect((await cliIn(['importenv', 'py.env', '--dialect', 'python'], { vault: v, cwd: dir })).code).toBe(0);
    const got = JSON.parse((await cliIn(['list', '::', '--format', 'json', '--reveal'], { vault: v })).stdout) as Array<{ key: string; value: string }>;
    expect(Object.fromEntries(got.map((x) => [x.key, x.value]))).toEqual({ A: "it's", B: 'tab\there', C: "it's-x" });
    fs.writeFileSync(path.join(dir, 'home.env'), 'H=${HOME}/x\n');
    const r = await cliIn(['importenv', 'home.env', '--dialect', 'python'], { vault: v, cwd: dir });
    expect(errorCode(r)).toBe('E_DOTENV_SYNTAX');
    expect(r.stderr).toContain('home.env:1');
    fs.writeFileSync(path.join(dir, 'sh.env'), 'X=$(id)\n');
    expect(errorCode(await cliIn(['importenv', 'sh.env', '--dialect', 'shell'], { vault: v, cwd: dir }))).toBe('E_DOTENV_SYNTAX');
  });
});
