/**
 * Loading a CommonJS bundle with a V8 code cache made at build time (scripts/code-cache.mjs), so
 * a `seeqret get` runs bytecode instead of parsing and compiling its code on every start.
 *
 * The bundle ends with a line `//# seeqret-build=HASH` (the SHA-256 of the text before it, written
 * by scripts/code-cache.mjs); its cache is `FILE.HASH.NODE-VERSION-ARCH.cache` beside it. So a
 * cache of another build of the bundle, or of another Node, is never even read (V8 itself checks
 * only the source's length, its own version and its flags). V8 may still reject a cache (other
 * flags, say): the code is then compiled from its text, as it would be without a cache. A missing,
 * unreadable or rejected cache never fails the command.
 *
 * Only the stable `vm.Script` API is used (`cachedData`, `cachedDataRejected`): no experimental
 * flag, no warning.
 *
 * @module
 */
import { isAscii } from 'node:buffer';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';

/** How a bundle was compiled: from its cache, or from its text (and why). */
export type CacheUse = 'used' | 'rejected' | 'missing' | 'no-build-id';

/** The marker that starts the last line of a bundle that has a code cache. */
export const BUILD_ID_MARK = '//# seeqret-build=';

/** The build id (hex SHA-256) a bundle's text ends with, or `undefined`. */
export function buildIdOf(source: string): string | undefined {
  const at = source.lastIndexOf(BUILD_ID_MARK);
  if (at < 0) return undefined;
  const id = source.slice(at + BUILD_ID_MARK.length).trim();
  return /^[0-9a-f]{64}$/.test(id) ? id : undefined;
}

/** The code cache file of the bundle `file` with build id `buildId`, for this Node and CPU. */
export function cacheFileOf(file: string, buildId: string, nodeVersion: string = process.version, arch: string = process.arch): string {
  return `${file}.${buildId.slice(0, 16)}.${nodeVersion}-${arch}.cache`;
}

/** The CommonJS wrapper a bundle's text is compiled in (the same parameters as Node's). */
export function wrapCommonJs(source: string): string {
  return `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
}

/** A bundle compiled and run: its exports, how its cache was used, and the compiled script. */
export interface LoadedBundle {
  readonly exports: unknown;
  readonly cache: CacheUse;
  /** The compiled script (scripts/code-cache.mjs makes the cache from it after a run). */
  readonly script: vm.Script;
}

function readCache(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

/** `process.getBuiltinModule` (Node 20.16 and later), typed here for older type definitions. */
type GetBuiltin = (id: string) => unknown;

/**
 * The `require` a bundle runs with: Node's built-in modules straight from
 * `process.getBuiltinModule` where there is one — a bundle asks for about fifty, and each would
 * otherwise go through the CommonJS loader's resolution, whose functions a `get` then compiles
 * (decision 69) — and everything else (an installed package) from `createRequire(file)`, made on
 * first use.
 */
export function bundleRequire(file: string): NodeJS.Require {
  const getBuiltin = (process as { getBuiltinModule?: GetBuiltin }).getBuiltinModule;
  if (getBuiltin === undefined) return createRequire(file);
  let real: NodeJS.Require | undefined;
  const fromFile = (): NodeJS.Require => (real ??= createRequire(file));
  const req = ((id: string): unknown => getBuiltin(id) ?? fromFile()(id)) as NodeJS.Require;
  return Object.defineProperties(req, {
    resolve: { get: () => fromFile().resolve },
    cache: { get: () => fromFile().cache },
    main: { get: () => fromFile().main },
  });
}

/**
 * The V8 flags the `sync`/`push` bundle runs with. Decision 74: no optimizing tier — such a short
 * process spent about a fifth of its instructions in TurboFan's background compiles of its load
 * loop, more than the optimized code gave back; the interpreter and Sparkplug's baseline code
 * remain. Decision 88 tried a young generation that grows in one step to 16 MiB
 * (`--semi-space-growth-factor=16`, one scavenging thread): 3 scavenges a sync instead of 10 and
 * fewer instructions, but each of ten processes at once then faults in and zeroes ~32 MiB of
 * fresh pages, so their CPU time rose by a fifth (user + system, the ten syncs of issue 14); it
 * was taken out. A tiering flag only: nothing is printed and no behaviour changes. V8 checks its flags against a code cache's,
 * so the build makes that bundle's cache with the same ones (scripts/code-cache.mjs).
 */
export const RELAY_V8_FLAGS = '--max-opt=1';

/**
 * The built-in modules the `sync`/`push` bundle requires, loaded before {@link RELAY_V8_FLAGS}
 * are set: Node's own code cache of a built-in is made under the default flags, so one first
 * required after a flag change is compiled from its text (~25 M instructions for `node:http`).
 * Its requests go over `node:net` (decision 88; `node:tls` for an https relay, loaded then).
 */
export const RELAY_BUILTINS: readonly string[] = ['node:net', 'node:async_hooks', 'node:util'];

/** Options of {@link loadBundle}. */
export interface LoadBundleOptions {
  /** V8 flags to set before the bundle is compiled (its cache must have been made with them). */
  readonly v8Flags?: string;
  /** Built-in modules to load before `v8Flags` are set (see {@link RELAY_BUILTINS}). */
  readonly builtins?: readonly string[];
}

/** Load `builtins`, then set V8 `flags` for the rest of this process (`node:v8` loaded only here; `file` is the bundle's path). */
function setV8Flags(file: string, flags: string, builtins: readonly string[]): void {
  const req = bundleRequire(file);
  for (const id of builtins) req(id);
  (req('node:v8') as { setFlagsFromString: (f: string) => void }).setFlagsFromString(flags);
}

/** Compile the bundle `file` (an absolute path) with its code cache when there is a valid one. */
export function compile(file: string): { readonly script: vm.Script; readonly cache: CacheUse } {
  // As bytes, then decoded: Node 20's utf8 read of a file reads it 8 KiB at a time (26 reads here).
  // The build makes the bundles ASCII (scripts/bundle.mjs), whose Latin-1 reading is the same text
  // and a plain copy, where decoding UTF-8 cost ~4 M instructions (decision 69).
  const bytes = fs.readFileSync(file);
  const source = bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
  const buildId = buildIdOf(source);
  const cachedData = buildId === undefined ? undefined : readCache(cacheFileOf(file, buildId));
  const script = new vm.Script(wrapCommonJs(source), { filename: file, ...(cachedData ? { cachedData } : {}) });
  const cache: CacheUse = buildId === undefined ? 'no-build-id' : !cachedData ? 'missing' : script.cachedDataRejected === true ? 'rejected' : 'used';
  return { script, cache };
}

/** What compiling a bundle's text in {@link wrapCommonJs} and running the script gives. */
export type CommonJsWrapper = (e: unknown, r: NodeJS.Require, m: { exports: unknown }, f: string, d: string) => void;

/**
 * Compile and run the CommonJS bundle `file` (an absolute path) with its code cache when there is
 * a valid one, and return its exports.
 */
export function loadBundle(file: string, options: LoadBundleOptions = {}): LoadedBundle {
  if (options.v8Flags !== undefined) setV8Flags(file, options.v8Flags, options.builtins ?? []);
  const { script, cache } = compile(file);
  const module = { exports: {} as unknown };
  const run = script.runInThisContext() as CommonJsWrapper;
  run(module.exports, bundleRequire(file), module, file, path.dirname(file));
  return { exports: module.exports, cache, script };
}
