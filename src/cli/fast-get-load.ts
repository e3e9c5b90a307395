/**
 * Loading the `get` fast path. In the unbundled CLI (dist/cli) it is a plain import; the bundle
 * (scripts/bundle.mjs) replaces this module with src/cli/fast-get-load-bundled.ts, which runs the
 * separate bundle dist/bin/fast-get.js with its code cache.
 *
 * @module
 */
import type { runFastGet } from './fast-get.js';

/** The fast path's entry point. */
export async function loadFastGet(): Promise<typeof runFastGet> {
  return (await import('./fast-get.js')).runFastGet;
}
