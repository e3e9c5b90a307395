/**
 * The command tree's bundle (decision 82): dist/bin/main.js and its chunks in dist/bin/chunks/ are
 * CommonJS files, each compiled with its own build-time V8 code cache (src/cli/tree-load.ts,
 * scripts/code-cache-tree.mjs). A command loads only its own chunks, every one from its cache; a
 * damaged cache, one of another file, one of another build of a chunk, and one of another Node are
 * never used, and the command still gives the same output. Run against dist/ (`npm run build`),
 * with copies of dist/bin in a scratch folder for the broken cases.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILD_ID_MARK, type CacheUse, buildIdOf, cacheFileOf } from '../src/cli/code-cache.js';
import { ROOT, addSecrets, cleanEnv, newVault } from './helpers.js';
import { must } from './must.js';

const DIST_BIN = path.join(ROOT, 'dist', 'bin');
const scratchTops: string[] = [];
afterAll(() => {
  for (const t of scratchTops) fs.rmSync(t, { recursive: true, force: true });
});

/** A scratch copy of dist/bin inside the checkout (.tmp, ignored by git: node_modules is found above it). */
function binCopy(): string {
  fs.mkdirSync(path.join(ROOT, '.tmp'), { recursive: true });
  const top = fs.mkdtempSync(path.join(ROOT, '.tmp', 'tree-cache-'));
  scratchTops.push(top);
  fs.cpSync(DIST_BIN, path.join(top, 'bin'), { recursive: true });
  return path.join(top, 'bin');
}

/** The tree's files in `bin`: main.js and every chunk. */
function treeFiles(bin: string): string[] {
  const chunks = path.join(bin, 'chunks');
  return [path.join(bin, 'main.js'), ...fs.readdirSync(chunks).filter((f) => f.endsWith('.js')).map((f) => path.join(chunks, f))];
}

/** The chunk of `bin` whose name starts with `prefix-` (one command's module, e.g. `list`). */
function chunkNamed(bin: string, prefix: string): string {
  return must(treeFiles(bin).find((f) => path.basename(f).startsWith(`${prefix}-`)));
}

interface TreeRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The tree's files the run loaded, with how each was compiled. */
  readonly loaded: ReadonlyMap<string, CacheUse>;
}

/**
 * `seeqret ARGS` through the tree of `bin`, loaded as the entry loads it (dist/cli/tree-load.js), in
 * a process of its own: V8 keeps the scripts a process compiled, so a second compile of the same
 * text there would not read its cache at all.
 */
function runTree(bin: string, args: string[]): TreeRun {
  const script = `
    const { loadTreeModule } = await import(${JSON.stringify(path.join(ROOT, 'dist', 'cli', 'tree-load.js'))});
    const { processIo } = await import(${JSON.stringify(path.join(ROOT, 'dist', 'cli', 'process-io.js'))});
    const loaded = new Map();
    const { main } = loadTreeModule(${JSON.stringify(path.join(bin, 'main.js'))}, loaded).module.exports;
    const out = { stdout: '', stderr: '' };
    const sink = (k) => ({ write: (c) => { out[k] += typeof c === 'string' ? c : Buffer.from(c).toString('utf8'); return true; } });
    const code = await main(${JSON.stringify(args)}, { ...processIo(), stdinIsTTY: false, stdout: sink('stdout'), stderr: sink('stderr') });
    process.stdout.write(JSON.stringify({ code, ...out, loaded: [...loaded].map(([f, m]) => [f, m.cache]) }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: cleanEnv({ NO_COLOR: '1' }), input: '' });
  expect(r.stderr).toBe('');
  const parsed = JSON.parse(r.stdout) as { code: number; stdout: string; stderr: string; loaded: [string, CacheUse][] };
  return { ...parsed, loaded: new Map(parsed.loaded) };
}

/** `seeqret ARGS` through the entry of `bin`, as its own process: [exit status, stdout, stderr]. */
function runBin(bin: string, args: string[]): [number | null, string, string] {
  const r = spawnSync(process.execPath, [path.join(bin, 'seeqret.js'), ...args], { encoding: 'utf8', env: cleanEnv({ NO_COLOR: '1' }), input: '' });
  return [r.status, r.stdout, r.stderr];
}

/** A vault holding TREE_KEY, written in-process (setup: what is checked is the runs that read it). */
function treeVault(): string {
  const v = newVault();
  addSecrets(v, { key: 'TREE_KEY', value: 'tree value' });
  return v;
}

/** The cache of the tree's file `file` for this Node, named by the build id its text ends with. */
function cacheOf(file: string): string {
  return cacheFileOf(file, must(buildIdOf(fs.readFileSync(file, 'latin1'))));
}

describe('the command tree: main.js and its chunks, each with a code cache (decision 82)', () => {
  it('every file of the tree ends with the SHA-256 of its text and has a cache of this Node; no ES module is left', () => {
    const files = treeFiles(DIST_BIN);
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) {
      const text = fs.readFileSync(file, 'latin1');
      const id = must(buildIdOf(text));
      expect(createHash('sha256').update(text.slice(0, text.lastIndexOf(BUILD_ID_MARK))).digest('hex')).toBe(id);
      expect(fs.existsSync(cacheFileOf(file, id))).toBe(true);
    }
    expect(fs.readdirSync(DIST_BIN, { recursive: true }).map(String).filter((f) => f.endsWith('.mjs'))).toEqual([]);
  });

  it('list, whoami, add key and --version compile every file they load from its cache, and load only their own command', () => {
    const vault = treeVault();
    const runs = {
      version: runTree(DIST_BIN, ['--version']),
      list: runTree(DIST_BIN, ['--vault', vault, 'list']),
      whoami: runTree(DIST_BIN, ['--vault', vault, 'whoami']),
      add: runTree(DIST_BIN, ['--vault', vault, 'add', 'key', 'TREE_NEW', 'new value']),
    };
    expect(runs.list.stdout).toContain('TREE_KEY');
    expect(runs.whoami.code).toBe(0);
    expect(runs.add.code).toBe(0);
    expect(runs.version.stdout).toMatch(/^\d+\.\d+\.\d+/);
    const list = chunkNamed(DIST_BIN, 'list');
    const add = chunkNamed(DIST_BIN, 'add');
    const prompts = chunkNamed(DIST_BIN, 'esm'); // @inquirer/prompts: only for a prompt on a terminal
    for (const r of Object.values(runs)) {
      expect(r.loaded.size).toBeGreaterThan(1);
      for (const [file, cache] of r.loaded) expect([path.basename(file), cache]).toEqual([path.basename(file), 'used']);
      expect(r.loaded.has(prompts)).toBe(false);
    }
    expect(runs.list.loaded.has(list)).toBe(true);
    expect(runs.add.loaded.has(add)).toBe(true);
    for (const r of [runs.version, runs.whoami, runs.add]) expect(r.loaded.has(list)).toBe(false);
    for (const r of [runs.version, runs.whoami, runs.list]) expect(r.loaded.has(add)).toBe(false);
  });

  it("a damaged cache, or another chunk's cache in its place, is rejected: compiled from the text, same output", () => {
    const [bin, vault] = [binCopy(), treeVault()];
    const good = runTree(bin, ['--vault', vault, 'list']);
    expect(good.code).toBe(0);
    const list = chunkNamed(bin, 'list');
    const listCache = cacheOf(list);
    const bytes = fs.readFileSync(listCache);
    for (let i = 0; i < bytes.length; i += 7) bytes[i] = (bytes[i] ?? 0) ^ 0x5a;
    fs.writeFileSync(listCache, bytes);
    const damaged = runTree(bin, ['--vault', vault, 'list']);
    expect(damaged.loaded.get(list)).toBe('rejected');
    expect([damaged.code, damaged.stdout, damaged.stderr]).toEqual([good.code, good.stdout, good.stderr]);
    // A foreign cache: the one of main.js under the name of the list chunk's.
    const mainFile = path.join(bin, 'main.js');
    fs.copyFileSync(cacheOf(mainFile), listCache);
    const foreign = runTree(bin, ['--vault', vault, 'list']);
    expect(foreign.loaded.get(list)).toBe('rejected');
    expect([foreign.code, foreign.stdout, foreign.stderr]).toEqual([good.code, good.stdout, good.stderr]);
    // And through the entry, as a process.
    expect(runBin(bin, ['--vault', vault, 'list'])).toEqual([good.code, good.stdout, good.stderr]);
  });

  it("a stale cache of another build of a chunk, or another Node's, is never read; without any cache the tree still runs", () => {
    const [bin, vault] = [binCopy(), treeVault()];
    const good = runBin(bin, ['--vault', vault, 'whoami']);
    expect(good[0]).toBe(0);
    // Another build of the `whoami` code (its module, users.ts): its text (and so its id) changed, one character, the same length.
    const users = chunkNamed(bin, 'users');
    const text = fs.readFileSync(users, 'latin1');
    const body = text.slice(0, text.lastIndexOf(BUILD_ID_MARK));
    const changed = body.replace(';\n', '; ');
    expect(changed).not.toBe(body);
    const newId = createHash('sha256').update(changed).digest('hex');
    fs.writeFileSync(users, `${changed}${BUILD_ID_MARK}${newId}\n`);
    expect(fs.existsSync(cacheFileOf(users, must(buildIdOf(text))))).toBe(true); // the old build's, under its old name
    const stale = runTree(bin, ['--vault', vault, 'whoami']);
    expect(stale.loaded.get(users)).toBe('missing');
    expect(stale.stdout).toBe(good[1]);
    // Another Node's cache is looked for under its own name: with only that one, this Node finds none.
    const mainFile = path.join(bin, 'main.js');
    const mainId = must(buildIdOf(fs.readFileSync(mainFile, 'latin1')));
    fs.renameSync(cacheFileOf(mainFile, mainId), cacheFileOf(mainFile, mainId, 'v0.0.0'));
    expect(runTree(bin, ['--vault', vault, 'whoami']).loaded.get(mainFile)).toBe('missing');
    for (const f of fs.readdirSync(bin, { recursive: true }).map(String)) if (f.endsWith('.cache')) fs.rmSync(path.join(bin, f));
    const none = runTree(bin, ['--vault', vault, 'whoami']);
    for (const cache of none.loaded.values()) expect(cache).toBe('missing');
    expect(runBin(bin, ['--vault', vault, 'whoami'])).toEqual(good);
  });
});
