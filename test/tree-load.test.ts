/**
 * src/cli/tree-load.ts in this process (test/tree-cache.test.ts runs it from dist/ in child
 * processes, where the cache is the subject): the built tree's files, copied to a scratch folder,
 * loaded as the entry loads them — main.js exports the command tree's `main`, a command's chunk
 * brings the chunks it requires, each file is loaded once however often it is asked for, and
 * every file says how it was compiled. Outside the bundle, `loadMain` imports the module itself.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type TreeModule, loadMain, loadTreeModule } from '../src/cli/tree-load.js';
import { main as srcMain } from '../src/cli/main.js';
import { ROOT } from './helpers.js';
import { must } from './must.js';
import { registerTmp } from './tmp-registry.js';

const CACHE_USES = ['used', 'rejected', 'missing', 'no-build-id'];

describe('loading the command tree in process', () => {
  it('main.js exports main; a chunk loads the chunks it requires, each once, each with how it was compiled', () => {
    // Inside the checkout (.tmp, ignored by git), so that the bundles' require finds node_modules.
    fs.mkdirSync(path.join(ROOT, '.tmp'), { recursive: true });
    const top = fs.mkdtempSync(path.join(ROOT, '.tmp', 'tree-load-'));
    registerTmp(top);
    const bin = path.join(top, 'bin');
    fs.cpSync(path.join(ROOT, 'dist', 'bin'), bin, { recursive: true });
    const loaded = new Map<string, TreeModule>();
    const tree = loadTreeModule(path.join(bin, 'main.js'), loaded);
    expect(typeof (tree.module.exports as { main?: unknown }).main).toBe('function');
    expect(loadTreeModule(path.join(bin, 'main.js'), loaded)).toBe(tree);
    const before = loaded.size;
    const chunks = path.join(bin, 'chunks');
    const list = must(fs.readdirSync(chunks).find((f) => f.startsWith('list-') && f.endsWith('.js')));
    const chunk = loadTreeModule(path.join(chunks, list), loaded);
    expect(Object.keys(chunk.module.exports as object).length).toBeGreaterThan(0);
    expect(loaded.size).toBeGreaterThan(before);
    for (const [file, m] of loaded) {
      expect(file.startsWith(bin)).toBe(true);
      expect(CACHE_USES).toContain(m.cache);
    }
  });

  it('outside the bundle, loadMain is the module main.ts itself', async () => {
    expect(await loadMain()).toBe(srcMain);
  });
});
