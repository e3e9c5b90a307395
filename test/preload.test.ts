/**
 * `node --import seeqret/register` (ES module), `node -r seeqret/config` (CommonJS) and a TypeScript
 * project compiled by the repository's tsc: real scratch projects whose `node_modules/seeqret` is this
 * package (its package.json exports and dist), run as child processes. The environment is filled,
 * references resolved, before the app's first module is evaluated; `require('seeqret')` works.
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, addSecrets, cleanEnv, newVault, tmpdir } from './helpers.js';

let vault: string;

beforeAll(() => {
  vault = newVault();
  addSecrets(
    vault,
    { app: 'web', env: 'dev', key: 'DB_URL', value: 'postgres://dev-secret' },
    { app: 'web', env: 'prod', key: 'DB_URL', value: 'postgres://prod-secret' },
    { app: 'web', env: 'dev', key: 'API_KEY', value: 'api-dev-secret' },
  );
});

/** A scratch project: package.json of `type`, node_modules/seeqret → this package, and `files`. */
function project(type: 'module' | 'commonjs', files: Record<string, string>): string {
  const dir = tmpdir('seeqret-preload-');
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'scratch', version: '1.0.0', private: true, type }));
  fs.mkdirSync(path.join(dir, 'node_modules', '@types'), { recursive: true });
  fs.symlinkSync(ROOT, path.join(dir, 'node_modules', 'seeqret'), 'dir');
  fs.symlinkSync(path.join(ROOT, 'node_modules', '@types', 'node'), path.join(dir, 'node_modules', '@types', 'node'), 'dir');
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

function node(dir: string, args: string[], env: Record<string, string | undefined> = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', env: cleanEnv({ SEEQRET: vault, ...env }), timeout: 60_000 });
}

function ok(r: SpawnSyncReturns<string>): string {
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

/** A module that records the environment when it is evaluated — before the app's own code. */
const FIRST_ESM = `export const seen = { DB_URL: process.env.DB_URL, API_KEY: process.env.API_KEY, PLAIN: process.env.PLAIN };\n`;
const FIRST_CJS = `exports.seen = { DB_URL: process.env.DB_URL, API_KEY: process.env.API_KEY, PLAIN: process.env.PLAIN };\n`;

const REFS = { DB_URL: 'seeqret://web/dev/DB_URL', PLAIN: 'plain value', SEEQRET_FILTER: 'web:dev:API_KEY' };
const EXPECTED = { DB_URL: 'postgres://dev-secret', API_KEY: 'api-dev-secret', PLAIN: 'plain value' };

describe('ES module project: node --import seeqret/register', () => {
  const files = {
    'first.js': FIRST_ESM,
    'app.js': `import { seen } from './first.js';\nprocess.stdout.write(JSON.stringify(seen));\n`,
  };

  it('fills process.env (filters and references) before the first module of the app is evaluated', () => {
    const dir = project('module', files);
    expect(JSON.parse(ok(node(dir, ['--import', 'seeqret/register', 'app.js'], REFS)))).toEqual(EXPECTED);
  });

  it('seeqret://KEY inside a project is the project app and the selected environment', () => {
    const dir = project('module', { ...files, 'seeqret.yaml': 'app: web\nenvironment: dev\n' });
    const dbUrl = (env: Record<string, string>): unknown => (JSON.parse(ok(node(dir, ['--import', 'seeqret/register', 'app.js'], env))) as Record<string, unknown>)['DB_URL'];
    expect(dbUrl({ DB_URL: 'seeqret://DB_URL' })).toBe('postgres://dev-secret');
    expect(dbUrl({ DB_URL: 'seeqret://DB_URL', SEEQRET_ENV: 'prod' })).toBe('postgres://prod-secret');
  });

  it('an unresolved reference stops the app before it starts, naming the variable and never a value', () => {
    const dir = project('module', { ...files, 'app.js': `import fs from 'node:fs';\nfs.writeFileSync('started', '');\n` });
    const r = node(dir, ['--import', 'seeqret/register', 'app.js'], { DB_URL: 'seeqret://web/dev/NOPE', API: 'seeqret://web/dev/API_KEY' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('E_REFERENCE_UNRESOLVED');
    expect(r.stderr).toContain('process.env.DB_URL: seeqret://web/dev/NOPE');
    expect(r.stderr).not.toContain('api-dev-secret');
    expect(fs.existsSync(path.join(dir, 'started'))).toBe(false);
  });

  it('a reference in a code-loading variable is refused', () => {
    const dir = project('module', files);
    const r = node(dir, ['--import', 'seeqret/register', 'app.js'], { GIT_SSH_COMMAND: 'seeqret://web/dev/API_KEY' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('E_BAD_VALUE');
    expect(r.stderr).not.toContain('api-dev-secret');
  });
});

describe('CommonJS project: node -r seeqret/config, require(seeqret)', () => {
  it('fills process.env before the app, and require("seeqret") is the CommonJS build', () => {
    const dir = project('commonjs', {
      'first.js': FIRST_CJS,
      'app.js': `const { seen } = require('./first.js');
const seeqret = require('seeqret');
if (!require.resolve('seeqret').endsWith('.cjs')) throw new Error('not the CommonJS build');
process.stdout.write(JSON.stringify({ ...seen, viaGet: seeqret.get('DB_URL', { app: 'web', env: 'prod' }) }));\n`,
    });
    expect(JSON.parse(ok(node(dir, ['-r', 'seeqret/config', 'app.js'], REFS)))).toEqual({ ...EXPECTED, viaGet: 'postgres://prod-secret' });
    // seeqret/register is the same preload under require too.
    expect(JSON.parse(ok(node(dir, ['-r', 'seeqret/register', 'app.js'], REFS)))).toMatchObject(EXPECTED);
  });
});

describe('TypeScript project, compiled by the repository tsc', () => {
  it('type-checks against the package types and runs with --import seeqret/register (ESM) and -r seeqret/config (CommonJS)', () => {
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const source = {
      'src/first.ts': `export const seen: Record<string, string | undefined> = { DB_URL: process.env['DB_URL'], API_KEY: process.env['API_KEY'], PLAIN: process.env['PLAIN'] };\n`,
      'src/app.ts': `import { seen } from './first.js';
import type { ConfigResult } from 'seeqret/config';
const names: (keyof ConfigResult)[] = ['set', 'kept', 'resolved'];
process.stdout.write(JSON.stringify({ ...seen, names: names.length }));\n`,
    };
    // One program, one tsc run: with module node16 each folder's package.json decides its files'
    // module kind (esm/: ES modules, the `import` condition of the package's exports; cjs/:
    // CommonJS, the `require` condition), so both are type-checked and emitted as the two
    // separate projects were, next to their sources.
    const kinds = [['module', 'esm', ['--import', 'seeqret/register']], ['commonjs', 'cjs', ['-r', 'seeqret/config']]] as const;
    const files: Record<string, string> = {
      'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'node16', moduleResolution: 'node16', target: 'es2022', strict: true, skipLibCheck: true, types: ['node'] }, include: kinds.map(([, sub]) => `${sub}/src`) }),
    };
    for (const [type, sub] of kinds) {
      files[`${sub}/package.json`] = JSON.stringify({ name: `scratch-${sub}`, version: '1.0.0', private: true, type });
      for (const [name, text] of Object.entries(source)) files[`${sub}/${name}`] = text;
    }
    const dir = project('commonjs', files);
    ok(node(dir, [tsc, '-p', 'tsconfig.json']));
    for (const [type, sub, preload] of kinds) {
      expect(fs.readFileSync(path.join(dir, sub, 'src', 'app.js'), 'utf8').includes('require('), `${sub}: ${type} output`).toBe(type === 'commonjs');
      expect([type, JSON.parse(ok(node(path.join(dir, sub), [...preload, 'src/app.js'], REFS)))]).toEqual([type, { ...EXPECTED, names: 3 }]);
    }
  });
});
