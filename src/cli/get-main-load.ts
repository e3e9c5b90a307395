/**
 * Loading the executable's `get` path (src/cli/get-main.ts). In the unbundled CLI (dist/cli) it is
 * a plain import; the bundle (scripts/bundle.mjs) replaces this module with
 * src/cli/get-main-load-bundled.ts, which runs the separate bundle dist/bin/get.js with its code cache.
 *
 * @module
 */
import type { runGetCommand } from './get-main.js';

/** The `get` path's entry point. */
export async function loadGetMain(): Promise<typeof runGetCommand> {
  return (await import('./get-main.js')).runGetCommand;
}
