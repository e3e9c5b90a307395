/**
 * The bundle's {@link loadFastGet}: `seeqret get` is served by its own small CommonJS bundle,
 * dist/bin/fast-get.js, compiled with its V8 code cache when there is a valid one
 * (src/cli/code-cache.ts). scripts/bundle.mjs puts this module in place of src/cli/fast-get-load.ts.
 *
 * @module
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBundle } from './code-cache.js';
import type { runFastGet } from './fast-get.js';

/** The fast path's entry point, from dist/bin/fast-get.js beside the entry. */
export function loadFastGet(): Promise<typeof runFastGet> {
  // The bundle's folder (`import.meta.dirname` is its `__dirname` there: no URL is made).
  const file = path.join((import.meta as { dirname?: string }).dirname ?? path.dirname(fileURLToPath(import.meta.url)), 'fast-get.js');
  return Promise.resolve((loadBundle(file).exports as { runFastGet: typeof runFastGet }).runFastGet);
}
