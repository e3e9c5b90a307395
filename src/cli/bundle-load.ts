/**
 * Loading the executable's separately bundled paths: the `get` path (src/cli/get-main.ts), the
 * `get` fast path (src/cli/fast-get.ts) and the `sync`/`push` fast path (src/cli/fast-relay-run.ts).
 *
 * In the bundle (scripts/bundle.mjs defines `import.meta.seeqretBundle` as `true` there) each is its
 * own CommonJS bundle beside the entry — dist/bin/get.js, fast-get.js, fast-relay.js — compiled
 * with its V8 code cache when there is a valid one (src/cli/code-cache.ts; decisions 57, 68, 69),
 * and esbuild drops the other branch, so no bundle carries another's code. In the unbundled CLI
 * (dist/cli) it is a plain import of the module.
 *
 * @module
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RELAY_BUILTINS, RELAY_V8_FLAGS, loadBundle } from './code-cache.js';
import type { runFastGet } from './fast-get.js';
import type { runFastRelay } from './fast-relay-run.js';
import type { runCommandLine } from './get-main.js';

/** The separately bundled paths, by the name of their bundle (dist/bin/NAME.js), with their entry point. */
export interface BundledEntries {
  /** dist/bin/get.js: the command line; a `get` through the unlock agent's client, then the fast path (src/cli/get-main.ts). */
  readonly get: typeof runCommandLine;
  /** dist/bin/fast-get.js: a plain `get` without commander (src/cli/fast-get.ts). */
  readonly 'fast-get': typeof runFastGet;
  /** dist/bin/fast-relay.js: plain `sync` and `push` (src/cli/fast-relay-run.ts). */
  readonly 'fast-relay': typeof runFastRelay;
}

/** Each path's module in the unbundled CLI, and the name it (and its bundle) exports the entry point as. */
const ENTRIES: { readonly [K in keyof BundledEntries]: { readonly module: string; readonly exported: string } } = {
  get: { module: './get-main.js', exported: 'runCommandLine' },
  'fast-get': { module: './fast-get.js', exported: 'runFastGet' },
  'fast-relay': { module: './fast-relay-run.js', exported: 'runFastRelay' },
};

/**
 * The unbundled module of `name` (dist/cli), imported. The specifier is not a literal, so esbuild
 * does not follow it into the bundles (a dynamic import of a module makes esbuild wrap every module
 * of the bundle in a lazy initialiser), and the bundles never call this function.
 */
async function importEntry(name: keyof BundledEntries): Promise<Record<string, unknown>> {
  const specifier = ENTRIES[name].module;
  return (await import(specifier)) as Record<string, unknown>;
}

/** The entry point of the separately bundled path `name`. */
export async function loadEntry<K extends keyof BundledEntries>(name: K): Promise<BundledEntries[K]> {
  if ((import.meta as { seeqretBundle?: boolean }).seeqretBundle === true) {
    // The bundle's folder (`import.meta.dirname` is its `__dirname` there: no URL is made).
    const dir = (import.meta as { dirname?: string }).dirname ?? path.dirname(fileURLToPath(import.meta.url));
    const exports = loadBundle(path.join(dir, `${name}.js`), name === 'fast-relay' ? { v8Flags: RELAY_V8_FLAGS, builtins: RELAY_BUILTINS } : {}).exports as Record<string, unknown>;
    return exports[ENTRIES[name].exported] as BundledEntries[K];
  } else {
    return (await importEntry(name))[ENTRIES[name].exported] as BundledEntries[K];
  }
}
