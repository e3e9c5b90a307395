/**
 * Loading the command tree (src/cli/main.ts) for every command line but a plain `get`, `sync` and
 * `push` (decision 82).
 *
 * In the bundle (`import.meta.seeqretBundle`, scripts/bundle.mjs) the tree is dist/bin/main.js and
 * one chunk per lazily loaded command (and per shared part) in dist/bin/chunks/: CommonJS files
 * that are each compiled as a `vm.Script` with their own build-time code cache
 * (src/cli/code-cache.ts, scripts/code-cache-tree.mjs), a chunk only when it is required. Node 20
 * has no compile cache for ES modules: as ES modules, the same chunks were compiled from their text
 * at every start. In the unbundled CLI (dist/cli) it is a plain import of the module.
 *
 * Only dist/bin/get.js loads this module: the entry, which Node compiles from its text, does not
 * carry it.
 *
 * @module
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type vm from 'node:vm';
import { type CacheUse, type CommonJsWrapper, bundleRequire, compile } from './code-cache.js';
import type { main } from './main.js';

/** One file of the command tree (dist/bin/main.js or one of its chunks), loaded. */
export interface TreeModule {
  readonly module: { exports: unknown };
  /** How it was compiled: from its code cache, or from its text (and why). */
  readonly cache: CacheUse;
  /** The compiled script (scripts/code-cache-tree.mjs makes the cache from it after a warm-up). */
  readonly script: vm.Script;
}

/** The paths of the chunks required so far, by folder and then by the require's `./…` id. */
const chunkPaths = new Map<string, Map<string, string>>();

/**
 * `path.join(dir, id)`, joined once for each folder and id: a command's chunks require the shared
 * ones ~150 times (~35 distinct), and each join runs `path.normalize` (decision 93).
 */
function chunkPath(dir: string, id: string): string {
  let ids = chunkPaths.get(dir);
  if (ids === undefined) chunkPaths.set(dir, (ids = new Map<string, string>()));
  let file = ids.get(id);
  if (file === undefined) ids.set(id, (file = path.join(dir, id)));
  return file;
}

/**
 * Load the file `file` (an absolute path) of the command tree as {@link compile} compiles a bundle,
 * and run it. Its require() of a chunk (`./NAME.js` beside it, or `./chunks/NAME.js` from main.js)
 * loads that chunk the same way, once; anything else goes to the bundles' own require (built-ins,
 * installed packages). `loaded` holds the files loaded so far, by path: a chunk is in it before it
 * runs, so chunks that require each other get each other's exports, as Node's loader would give.
 */
export function loadTreeModule(file: string, loaded: Map<string, TreeModule> = new Map()): TreeModule {
  const known = loaded.get(file);
  if (known !== undefined) return known;
  const { script, cache } = compile(file);
  const entry: TreeModule = { module: { exports: {} }, cache, script };
  loaded.set(file, entry);
  const outside = bundleRequire(file);
  const dir = path.dirname(file);
  const req = ((id: string): unknown => (id.startsWith('./') ? loadTreeModule(chunkPath(dir, id), loaded).module.exports : outside(id))) as NodeJS.Require;
  Object.defineProperties(req, {
    resolve: { get: () => outside.resolve },
    cache: { get: () => outside.cache },
    main: { get: () => outside.main },
  });
  const run = script.runInThisContext() as CommonJsWrapper;
  run(entry.module.exports, req, entry.module, file, dir);
  return entry;
}

/**
 * The unbundled command tree (dist/cli/main.js), imported. The specifier is not a literal, so
 * esbuild does not follow it into the bundle (see src/cli/bundle-load.ts), which never calls this.
 */
async function importMain(): Promise<typeof main> {
  const specifier = './main.js';
  return ((await import(specifier)) as { main: typeof main }).main;
}

/** The command tree's `main`: from dist/bin/main.js beside this bundle, else the unbundled module. */
export async function loadMain(): Promise<typeof main> {
  if ((import.meta as { seeqretBundle?: boolean }).seeqretBundle === true) {
    const dir = (import.meta as { dirname?: string }).dirname ?? path.dirname(fileURLToPath(import.meta.url));
    return (loadTreeModule(path.join(dir, 'main.js')).module.exports as { main: typeof main }).main;
  } else {
    return importMain();
  }
}
