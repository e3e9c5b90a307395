/**
 * The package as users get it: `npm pack`, installed into a scratch project from npm's cache, the
 * installed `seeqret` bin and the library through `import` and `require` (every entry point, with
 * types); the licence notices of every inlined package; install scripts approved by name and version.
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tmpdir } from './helpers.js';
import { must } from './must.js';

interface LockEntry {
  readonly version?: string;
  readonly resolved?: string;
  readonly hasInstallScript?: boolean;
  readonly name?: string;
}
interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly files: string[];
  readonly scripts: Record<string, string>;
  readonly allowScripts: Record<string, boolean>;
  readonly exports: Record<string, unknown>;
}

const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Manifest;
const lockPackages = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> }).packages;

/** The package name of a lockfile key or metafile input (`…/node_modules/@scope/name/…`). */
function packageAt(where: string): { name: string; dir: string } | null {
  const at = where.lastIndexOf('node_modules/');
  if (at < 0) return null;
  const parts = where.slice(at + 'node_modules/'.length).split('/');
  const name = must(parts[0]).startsWith('@') ? `${parts[0]}/${parts[1]}` : must(parts[0]);
  return { name, dir: where.slice(0, at + 'node_modules/'.length) + name };
}

/** An environment for npm without the variables `npm test` sets for its own run. */
function npmEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && !k.startsWith('SEEQRET') && !k.startsWith('VITEST') && k !== 'NODE_OPTIONS') env[k] = v;
  return { ...env, NO_COLOR: '1', ...extra };
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeout = 120_000): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout, input: '' });
}

function ok(r: SpawnSyncReturns<string>, what: string): string {
  if (r.status !== 0) throw new Error(`${what} failed (${r.status ?? r.signal}): ${r.error?.message ?? ''}\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

describe('install scripts', () => {
  it('allowScripts approves exactly the packages with install scripts in package-lock.json, each by name and exact version', () => {
    const needed = new Set<string>();
    for (const [where, entry] of Object.entries(lockPackages)) {
      if (!entry.hasInstallScript) continue;
      const name = entry.name ?? must(packageAt(where)).name;
      needed.add(`${name}@${entry.version}`);
      // npm verifies a pin against the lockfile's resolved URL and refuses it when the URL is missing.
      expect(entry.resolved, `${where} has no resolved URL: run \`node scripts/lock-resolved.mjs\``).toMatch(
        new RegExp(`/${name.replace(/[/.]/g, '\\$&')}/-/[^/]+-${must(entry.version).replace(/\./g, '\\.')}\\.tgz$`),
      );
    }
    expect(needed.size).toBeGreaterThan(0);
    expect(Object.keys(manifest.allowScripts).sort()).toEqual([...needed].sort());
    expect(Object.values(manifest.allowScripts).every((v) => v)).toBe(true);
  });
});

describe('third-party notices', () => {
  const notices = fs.readFileSync(path.join(ROOT, 'THIRD-PARTY-NOTICES.md'), 'utf8');
  const metaDir = path.join(ROOT, 'dist', 'meta');
  const inlined = new Map<string, string>();
  for (const file of fs.readdirSync(metaDir)) {
    const meta = JSON.parse(fs.readFileSync(path.join(metaDir, file), 'utf8')) as { inputs: Record<string, unknown> };
    for (const input of Object.keys(meta.inputs)) {
      const p = packageAt(input);
      if (p) inlined.set(p.dir, p.name);
    }
  }

  it('lists every package the bundles inline, with its version and its licence text', () => {
    // The CLI inlines commander and friends; the CommonJS library inlines the ESM-only age-encryption.
    expect([...inlined.values()]).toEqual(expect.arrayContaining(['commander', 'better-sqlite3', 'age-encryption', '@scure/base']));
    for (const dir of inlined.keys()) {
      const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, dir, 'package.json'), 'utf8')) as { name: string; version: string };
      expect(notices, `${pkg.name}@${pkg.version}`).toContain(`\n## ${pkg.name}@${pkg.version}\n`);
      const licence = fs.readdirSync(path.join(ROOT, dir)).find((n) => /^licen[cs]e/i.test(n));
      expect(licence, `${dir} has a licence file`).toBeDefined();
      const text = fs.readFileSync(path.join(ROOT, dir, must(licence)), 'utf8').replace(/\r\n/g, '\n').trim();
      expect(notices.includes(text), `${pkg.name}@${pkg.version}: licence text`).toBe(true);
    }
    // Nothing else: one section per inlined package.
    const versions = new Set([...inlined.keys()].map((dir) => {
      const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, dir, 'package.json'), 'utf8')) as { name: string; version: string };
      return `${pkg.name}@${pkg.version}`;
    }));
    expect(must(notices.match(/^## .+$/gm)).map((h) => h.slice(3)).sort()).toEqual([...versions].sort());
  });

  it('inlines neither OpenPGP.js (LGPL-3.0) nor nodemailer nor the libsodium binding: they stay installed packages', () => {
    for (const name of ['openpgp', 'nodemailer', 'sodium-native']) expect([...inlined.values()]).not.toContain(name);
  });
});

/** The file name prebuild-install looks for (its default URL template's last part). */
function prebuildName(name: string, version: string): string {
  const glibc = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime;
  const libc = process.platform === 'linux' && !glibc ? 'musl' : '';
  return `${name}-v${version}-node-v${process.versions.modules}-${process.platform}${libc}-${process.arch}.tar.gz`;
}

/**
 * The `npm` the tests run (`spawnSync('npm', …)` looks it up on PATH the same way), found without
 * starting it: a `npm --version` costs a Node start and npm's own load (~0.3 s of CPU).
 */
function npmOnPath(): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const file = path.join(dir, 'npm');
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      /* not in this folder */
    }
  }
  return undefined;
}

describe('the packed package, installed', () => {
  const npmMissing = npmOnPath() === undefined;
  if (npmMissing) console.log(`skipped: npm is not available (no executable npm on PATH: ${process.env['PATH'] ?? ''})`);

  it('files, exports and prepack: the tarball holds the bundles, both libraries, the licence and the notices', () => {
    expect(manifest.scripts['prepack']).toBe('npm run build');
    expect(manifest.scripts['build']).toContain('node scripts/notices.mjs');
    expect(manifest.files).toEqual(expect.arrayContaining(['dist', 'LICENSE', 'THIRD-PARTY-NOTICES.md', 'CHANGELOG.md']));
    for (const [sub, target] of Object.entries(manifest.exports)) {
      if (sub === './package.json') continue;
      expect(target, sub).toMatchObject({ import: { types: expect.stringMatching(/\.d\.ts$/), default: expect.stringMatching(/\.js$/) }, require: { types: expect.stringMatching(/\.d\.cts$/), default: expect.stringMatching(/\.cjs$/) } });
    }
  });

  it.skipIf(npmMissing)('npm pack, npm install from the cache, then the bin, import() and require() of every entry, and their types', () => {
    const work = tmpdir('seeqret-pack-');
    // dist is built by `npm test` before the tests run; the prepack script (npm run build) is not run
    // again here, because rebuilding dist under the other test files running now would break them.
    const packed = JSON.parse(ok(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], ROOT, npmEnv()), 'npm pack')) as [{ filename: string; files: { path: string }[] }];
    const files = packed[0].files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'THIRD-PARTY-NOTICES.md', 'CHANGELOG.md', 'README.md', 'package.json', 'dist/bin/seeqret.js', 'dist/index.js', 'dist/cjs/index.cjs', 'dist/cjs/index.d.cts']));
    expect(files.filter((f) => f.startsWith('dist/meta/') || f.startsWith('src/') || f.startsWith('test/'))).toEqual([]);
    // The `get` fast path's own bundle and its V8 code cache (for the Node that built it), and the agent's bundle.
    expect(files).toEqual(expect.arrayContaining(['dist/bin/get.js', 'dist/bin/fast-get.js', 'dist/bin/agent.js', 'dist/cli/code-cache.js']));
    expect(files.filter((f) => /^dist\/bin\/fast-get\.js\.[0-9a-f]{16}\.v[0-9.]+-[a-z0-9]+\.cache$/.test(f))).toHaveLength(1);
    expect(files.filter((f) => /^dist\/bin\/get\.js\.[0-9a-f]{16}\.v[0-9.]+-[a-z0-9]+\.cache$/.test(f))).toHaveLength(1);

    const project = path.join(work, 'app');
    fs.mkdirSync(project);
    const sqlite = must(lockPackages['node_modules/better-sqlite3']);
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true, allowScripts: { [`better-sqlite3@${sqlite.version}`]: true } }));
    // better-sqlite3's install script (prebuild-install) fetches a prebuilt addon from GitHub, else
    // compiles SQLite (minutes on two cores). Its local-prebuilds folder gets the addon built for
    // this checkout, packed as that download, so the install runs the package's own script offline.
    const prebuilds = path.join(work, 'prebuilds');
    fs.mkdirSync(prebuilds);
    const addonDir = path.join(ROOT, 'node_modules', 'better-sqlite3');
    const extra: Record<string, string> = {};
    if (fs.existsSync(path.join(addonDir, 'build', 'Release', 'better_sqlite3.node'))) {
      const tar = run('tar', ['-czf', path.join(prebuilds, prebuildName('better-sqlite3', must(sqlite.version))), '-C', addonDir, 'build/Release/better_sqlite3.node'], work, npmEnv());
      if (tar.status === 0) extra['npm_config_better_sqlite3_local_prebuilds'] = prebuilds;
      else console.log(`note: no tar (${tar.error?.message ?? tar.stderr.trim()}); better-sqlite3 is compiled from source`);
    }
    const tgz = path.join(work, packed[0].filename);
    ok(run('npm', ['install', tgz, '--prefer-offline', '--no-audit', '--no-fund', '--omit-lockfile-registry-resolved=false'], project, npmEnv(extra), 600_000), 'npm install of the tarball');
    expect(fs.existsSync(path.join(project, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'))).toBe(true);
    expect(fs.existsSync(path.join(project, 'node_modules', 'seeqret', 'LICENSE'))).toBe(true);

    // The installed bin: a vault, a secret, the secret back.
    const home = path.join(work, 'home');
    fs.mkdirSync(home);
    const vault = path.join(work, 'vault');
    const env = { ...npmEnv(), HOME: home, SEEQRET: path.join(vault, 'seeqret') };
    const bin = path.join(project, 'node_modules', '.bin', 'seeqret');
    ok(run(bin, ['init', vault, '--user', 'alice', '--email', 'alice@example.com'], project, env), 'seeqret init');
    ok(run(bin, ['add', 'key', 'API_KEY', 'sk_packed_1', '--app', 'myapp', '--env', 'dev'], project, env), 'seeqret add key');
    expect(ok(run(bin, ['get', 'myapp:dev:API_KEY'], project, env), 'seeqret get')).toBe('sk_packed_1\n');
    // One node process, started from a file inside the project (resolution starts at the importing
    // file): the installed fast path finds its code cache and V8 takes it (same Node as the build),
    // the library through import() of every entry, then through require() of every entry (the
    // CommonJS build: its own module instances, and `seeqret/config` sets the variable again after
    // it is removed), and a PGP key made with the installed OpenPGP.js for `add user --pgp-key`.
    const installedBin = path.join(project, 'node_modules', 'seeqret', 'dist');
    const check = (value: string) => `
      if (seeqret.get('API_KEY', { app: 'myapp', env: 'dev' }) !== 'sk_packed_1') throw new Error('get');
      if (process.env.API_KEY !== 'sk_packed_1') throw new Error('seeqret/config');
      if (typeof team.TeamFile !== 'function' || typeof ss.SecretsManager !== 'function' || typeof project.generate !== 'function') throw new Error('subpaths');
      if (team.SeeqretError !== seeqret.SeeqretError || ss.isSeeqretError !== seeqret.isSeeqretError) throw new Error('one SeeqretError class');
      console.log(${value});`;
    fs.writeFileSync(path.join(project, 'check.mjs'), `
      const { loadBundle } = await import(${JSON.stringify(path.join(installedBin, 'cli', 'code-cache.js'))});
      console.log('code cache ' + loadBundle(${JSON.stringify(path.join(installedBin, 'bin', 'fast-get.js'))}).cache);
      {
        const seeqret = await import('seeqret');
        await import('seeqret/config');
        const [team, ss, project] = await Promise.all([import('seeqret/team'), import('seeqret/securestore'), import('seeqret/project')]);
        ${check("'esm ' + seeqret.VERSION")}
      }
      delete process.env.API_KEY;
      {
        const require = (await import('node:module')).createRequire(import.meta.url);
        const seeqret = require('seeqret');
        require('seeqret/config');
        const team = require('seeqret/team'), ss = require('seeqret/securestore'), project = require('seeqret/project');
        if (!require.resolve('seeqret').endsWith('.cjs')) throw new Error('not the CommonJS build');
        ${check("'cjs ' + seeqret.VERSION")}
      }
      const openpgp = await import('openpgp');
      const { publicKey } = await openpgp.generateKey({ userIDs: [{ email: 'bob@example.com' }], format: 'armored' });
      (await import('node:fs')).writeFileSync(${JSON.stringify(path.join(work, 'bob.asc'))}, publicKey);`);
    const libEnv = { ...env, SEEQRET_FILTER: 'myapp:dev:API_KEY' };
    expect(ok(run(process.execPath, ['check.mjs'], project, libEnv), 'code cache of the installed bundle, import() and require(), and an openpgp key')).toBe(`code cache used\nesm ${manifest.version}\ncjs ${manifest.version}\n`);
    // OpenPGP.js is not inlined: `add user --pgp-key` loads the installed package.
    ok(run(bin, ['add', 'user', '--username', 'bob', '--pgp-key', path.join(work, 'bob.asc')], project, env), 'seeqret add user --pgp-key');
    expect(ok(run(bin, ['users', '--pgp', '--format', 'json'], project, env), 'seeqret users --pgp')).toContain('bob@example.com');

    // Types: TypeScript resolves every entry under both conditions (.d.ts for import, .d.cts for require).
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const entries = ['seeqret', 'seeqret/config', 'seeqret/team', 'seeqret/securestore', 'seeqret/project'];
    const typed = (from: (specifier: string, i: number) => string) => `
      ${entries.map(from).join('\n')}
      const value: string = m0.get('API_KEY', { app: 'myapp', env: 'dev' });
      const version: string = m0.VERSION;
      const isError: boolean = m0.isSeeqretError(new m2.SeeqretError('E_NOT_FOUND', 'x', 'y'));
      export const used = [value, version, isError, m1.config, m3.SecretsManager, m4.generate];`;
    fs.writeFileSync(path.join(project, 'use-esm.mts'), typed((s, i) => `import * as m${i} from '${s}';`));
    fs.writeFileSync(path.join(project, 'use-cjs.cts'), typed((s, i) => `import m${i} = require('${s}');`));
    fs.writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { module: 'node16', moduleResolution: 'node16', target: 'es2022', strict: true, noEmit: true, skipLibCheck: true, types: [] },
      files: ['use-esm.mts', 'use-cjs.cts'],
    }));
    ok(run(process.execPath, [tsc, '-p', 'tsconfig.json'], project, env), 'tsc over the installed package');
    // npm install alone may take minutes on a busy machine (its own timeout is 10 minutes).
  }, 900_000);
});
