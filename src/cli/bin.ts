#!/usr/bin/env node
/**
 * The `seeqret` executable. Kept tiny, as Node compiles it from its text on every start: it sets
 * a private umask, starts the unlock agent's process for `__seeqret-agent`, and hands every other
 * command line to src/cli/get-main.ts — its own small bundle with a V8 code cache
 * (src/cli/bundle-load.ts), which recognises a plain `get` (run there: a protected vault's
 * unlock agent runs it, or it runs without loading the command parser), `sync` and `push` (their
 * own bundle), and otherwise loads the command tree (its own bundle, with a code cache too), which
 * loads only the chunks of the command being run (decision 82). The argument scanners are in that bundle, not here: its code cache holds their
 * compiled code, where this file's text is parsed and compiled at every start (decision 78).
 *
 * No top-level `await`: the bundle of this entry is CommonJS (scripts/bundle.mjs), so a `get`
 * never starts Node's ES module loader.
 *
 * @module
 */
import { loadEntry } from './bundle-load.js';

process.umask(0o077);

async function run(): Promise<number> {
  const args = process.argv.slice(2);
  if (args[0] === '__seeqret-agent') {
    const { runAgent } = await import('./agent-main.js');
    return runAgent();
  }
  const runCommandLine = await loadEntry('get');
  return runCommandLine(args);
}

run().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    // runFastGet and main report every error themselves; this is a failure to load them.
    process.stderr.write(`seeqret: E_INTERNAL: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}. Fix: reinstall seeqret.\n`);
    process.exitCode = 1;
  },
);
