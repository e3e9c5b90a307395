/**
 * The bundle's {@link loadFastRelay}: `seeqret sync` and `seeqret push` are served by their own
 * CommonJS bundle, dist/bin/fast-relay.js, compiled with its V8 code cache when there is a valid
 * one (src/cli/code-cache.ts). scripts/bundle.mjs puts this module in place of
 * src/cli/fast-relay-load.ts.
 *
 * @module
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBundle } from './code-cache.js';
import type { runFastRelay } from './fast-relay-run.js';

/** The fast path's entry point, from dist/bin/fast-relay.js beside the entry. */
export function loadFastRelay(): Promise<typeof runFastRelay> {
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fast-relay.js');
  return Promise.resolve((loadBundle(file).exports as { runFastRelay: typeof runFastRelay }).runFastRelay);
}
