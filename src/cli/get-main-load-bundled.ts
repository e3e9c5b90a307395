/**
 * The bundle's {@link loadGetMain}: the executable's `get` path is its own small CommonJS bundle,
 * dist/bin/get.js, compiled with its V8 code cache when there is a valid one (src/cli/code-cache.ts).
 * scripts/bundle.mjs puts this module in place of src/cli/get-main-load.ts.
 *
 * @module
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBundle } from './code-cache.js';
import type { runGetCommand } from './get-main.js';

/** The `get` path's entry point, from dist/bin/get.js beside the entry. */
export function loadGetMain(): Promise<typeof runGetCommand> {
  // The bundle's folder (`import.meta.dirname` is its `__dirname` there: no URL is made).
  const file = path.join((import.meta as { dirname?: string }).dirname ?? path.dirname(fileURLToPath(import.meta.url)), 'get.js');
  return Promise.resolve((loadBundle(file).exports as { runGetCommand: typeof runGetCommand }).runGetCommand);
}
