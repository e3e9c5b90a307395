/**
 * Loading the `sync`/`push` fast path. In the unbundled CLI (dist/cli) it is a plain import; the
 * bundle (scripts/bundle.mjs) replaces this module with src/cli/fast-relay-load-bundled.ts, which
 * runs the separate bundle dist/bin/fast-relay.js with its code cache.
 *
 * @module
 */
import type { runFastRelay } from './fast-relay-run.js';

/** The fast path's entry point. */
export async function loadFastRelay(): Promise<typeof runFastRelay> {
  return (await import('./fast-relay-run.js')).runFastRelay;
}
