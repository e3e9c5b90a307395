/**
 * The V8 code cache of the `get` fast path (src/cli/code-cache.ts, scripts/code-cache.mjs): the
 * built cache is used; a cache V8 rejects, a missing one, and a stale one left by another build of
 * the bundle are all ignored and the command still gives the same bytes. Run against dist/ (built
 * by `npm run build`), with copies of dist/bin in a scratch folder for the broken cases.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILD_ID_MARK, buildIdOf, cacheFileOf, loadBundle } from '../src/cli/code-cache.js';
import { ROOT, addSecrets, cleanEnv, newVault } from './helpers.js';
import { must } from './must.js';

const DIST_BIN = path.join(ROOT, 'dist', 'bin');
const BUNDLE = path.join(DIST_BIN, 'fast-get.js');

const copies: string[] = [];
afterAll(() => {
  for (const c of copies) fs.rmSync(c, { recursive: true, force: true });
});

/** dist/bin copied into a scratch folder inside the checkout (.tmp, ignored by git), so node_modules is found above it. */
function copyOfBin(): string {
  const scratch = path.join(ROOT, '.tmp');
  fs.mkdirSync(scratch, { recursive: true });
  const top = fs.mkdtempSync(path.join(scratch, 'code-cache-'));
  copies.push(top);
  const dir = path.join(top, 'bin');
  fs.cpSync(DIST_BIN, dir, { recursive: true });
  return dir;
}

function cachesIn(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => f.startsWith('fast-get.js.') && f.endsWith('.cache'));
}

/** `seeqret get KEY` through the entry in `bin`. */
function get(bin: string, vault: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(bin, 'seeqret.js'), '--vault', vault, 'get', 'API_KEY'], { encoding: 'utf8', env: cleanEnv({}), input: '' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A vault holding API_KEY, written in-process (`Vault.set`, what `add key` calls): setup; what is
 * checked is the `get` processes that read it.
 */
function vaultWithKey(): string {
  const v = newVault();
  addSecrets(v, { key: 'API_KEY', value: 'sk_code_cache' });
  return v;
}

describe('the code cache of dist/bin/fast-get.js', () => {
  it('the build ends the bundle with the SHA-256 of the text before it, and the cache of this Node is used', async () => {
    const text = fs.readFileSync(BUNDLE, 'utf8');
    const id = must(buildIdOf(text));
    const { createHash } = await import('node:crypto');
    expect(createHash('sha256').update(text.slice(0, text.lastIndexOf(BUILD_ID_MARK))).digest('hex')).toBe(id);
    expect(fs.existsSync(cacheFileOf(BUNDLE, id))).toBe(true);
    const loaded = loadBundle(BUNDLE);
    expect(loaded.cache).toBe('used');
    expect(typeof (loaded.exports as { runFastGet?: unknown }).runFastGet).toBe('function');
  });

  it('the `get` path of the entry, dist/bin/get.js, has its own cache, used too (decision 69)', () => {
    const file = path.join(DIST_BIN, 'get.js');
    const id = must(buildIdOf(fs.readFileSync(file, 'utf8')));
    expect(fs.existsSync(cacheFileOf(file, id))).toBe(true);
    const loaded = loadBundle(file);
    expect(loaded.cache).toBe('used');
    expect(typeof (loaded.exports as { runGetCommand?: unknown }).runGetCommand).toBe('function');
  });

  it('the cached bundles are ASCII, so reading them as Latin-1 gives the text UTF-8 would', async () => {
    const { isAscii } = await import('node:buffer');
    for (const name of ['get.js', 'fast-get.js']) {
      const bytes = fs.readFileSync(path.join(DIST_BIN, name));
      expect(isAscii(bytes)).toBe(true);
      expect(bytes.toString('latin1')).toBe(bytes.toString('utf8'));
    }
  });

  it("a bundle's require gives Node's built-ins, with or without `node:`, and installed packages from the bundle's folder", () => {
    const dir = copyOfBin();
    const file = path.join(dir, 'probe.js');
    fs.writeFileSync(
      file,
      [
        "const fs = require('node:fs');",
        "exports.same = fs === require('fs') && require('path') === require('node:path');",
        "exports.sqliteVersion = require('better-sqlite3/package.json').version;",
        "exports.resolved = require.resolve('better-sqlite3/package.json');",
      ].join('\n'),
    );
    const fromRoot = createRequire(path.join(ROOT, 'package.json'));
    const loaded = loadBundle(file).exports as { same: boolean; sqliteVersion: string; resolved: string };
    expect(loaded.same).toBe(true);
    expect(loaded.sqliteVersion).toBe((fromRoot('better-sqlite3/package.json') as { version: string }).version);
    expect(loaded.resolved).toBe(fromRoot.resolve('better-sqlite3/package.json'));
  });

  it('a cache V8 rejects (damaged bytes) is ignored: same value, exit 0, nothing on stderr', () => {
    const bin = copyOfBin();
    const vault = vaultWithKey();
    const [cache] = cachesIn(bin);
    const file = path.join(bin, must(cache));
    const good = get(bin, vault);
    expect(good).toEqual({ code: 0, stdout: 'sk_code_cache\n', stderr: '' });
    const bytes = fs.readFileSync(file);
    // Flip bytes across the payload and its header (V8 checks a checksum, its version and flags).
    for (let i = 0; i < bytes.length; i += 7) bytes[i] = (bytes[i] ?? 0) ^ 0x5a;
    fs.writeFileSync(file, bytes);
    expect(loadBundle(path.join(bin, 'fast-get.js')).cache).toBe('rejected');
    expect(get(bin, vault)).toEqual(good);
    // Empty, or a folder in its place: still the same.
    fs.writeFileSync(file, '');
    expect(get(bin, vault)).toEqual(good);
    fs.rmSync(file);
    fs.mkdirSync(file);
    expect(get(bin, vault)).toEqual(good);
  });

  it('without a cache, or without a build id, the bundle is compiled from its text', () => {
    const bin = copyOfBin();
    const vault = vaultWithKey();
    for (const c of cachesIn(bin)) fs.rmSync(path.join(bin, c));
    expect(loadBundle(path.join(bin, 'fast-get.js')).cache).toBe('missing');
    expect(get(bin, vault)).toEqual({ code: 0, stdout: 'sk_code_cache\n', stderr: '' });
    const text = fs.readFileSync(path.join(bin, 'fast-get.js'), 'utf8');
    fs.writeFileSync(path.join(bin, 'fast-get.js'), text.slice(0, text.lastIndexOf(BUILD_ID_MARK)));
    expect(loadBundle(path.join(bin, 'fast-get.js')).cache).toBe('no-build-id');
    expect(get(bin, vault)).toEqual({ code: 0, stdout: 'sk_code_cache\n', stderr: '' });
  });

  it('a stale cache of another build of the bundle is never read: a changed bundle has another id', async () => {
    const bin = copyOfBin();
    const vault = vaultWithKey();
    const file = path.join(bin, 'fast-get.js');
    const text = fs.readFileSync(file, 'utf8');
    const body = text.slice(0, text.lastIndexOf(BUILD_ID_MARK));
    // The same length (V8 itself checks only the length): one character of a message changed.
    const at = body.indexOf('no secret matches');
    expect(at).toBeGreaterThan(0);
    const changed = `${body.slice(0, at)}No secret matches${body.slice(at + 'no secret matches'.length)}`;
    expect(changed).toHaveLength(body.length);
    const { createHash } = await import('node:crypto');
    const newId = createHash('sha256').update(changed).digest('hex');
    fs.writeFileSync(file, `${changed}${BUILD_ID_MARK}${newId}\n`);
    const [old] = cachesIn(bin);
    // The old build's cache stays beside it, under its old name: not this build's.
    expect(path.join(bin, must(old))).not.toBe(cacheFileOf(file, newId));
    expect(loadBundle(file).cache).toBe('missing');
    const r = spawnSync(process.execPath, [path.join(bin, 'seeqret.js'), '--vault', vault, 'get', 'NOPE'], { encoding: 'utf8', env: cleanEnv({}), input: '' });
    expect(r.stderr).toContain("No secret matches '*:*:NOPE'");
    expect(get(bin, vault)).toEqual({ code: 0, stdout: 'sk_code_cache\n', stderr: '' });
  });

  it('a cache of another Node version is looked for under another name', () => {
    const id = 'a'.repeat(64);
    expect(cacheFileOf('/x/fast-get.js', id, 'v20.0.0', 'x64')).not.toBe(cacheFileOf('/x/fast-get.js', id, 'v22.1.0', 'x64'));
    expect(cacheFileOf('/x/fast-get.js', id, 'v20.0.0', 'x64')).toBe(`/x/fast-get.js.${'a'.repeat(16)}.v20.0.0-x64.cache`);
    expect(buildIdOf(`code\n${BUILD_ID_MARK}not-hex\n`)).toBeUndefined();
    expect(buildIdOf('code without a mark')).toBeUndefined();
  });
});

