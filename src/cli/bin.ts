#!/usr/bin/env node
/**
 * The `seeqret` executable. Kept tiny, as Node compiles it from its text on every start: it sets
 * a private umask, hands a plain `get` to src/cli/get-main.ts — its own small bundle with a V8
 * code cache (src/cli/bundle-load.ts), which lets a protected vault's unlock agent run
 * it or runs it without loading the command parser — and otherwise hands over to the command
 * tree, which loads only the module of the command being run.
 *
 * No top-level `await`: the bundle of this entry is CommonJS (scripts/bundle.mjs), so a `get`
 * never starts Node's ES module loader.
 *
 * @module
 */
import { loadEntry } from './bundle-load.js';
import { quietOnEpipe, quietOnEpipeWhenUsed } from './epipe.js';
import { parseFastGet } from './fast.js';
import { parseFastRelay } from './fast-relay.js';
import { processIo } from './process-io.js';

process.umask(0o077);

async function run(): Promise<number> {
  const args = process.argv.slice(2);
  if (args[0] === '__seeqret-agent') {
    const { runAgent } = await import('./agent-main.js');
    return runAgent();
  }
  const fast = parseFastGet(args);
  if (fast) {
    const runGetCommand = await loadEntry('get');
    return runGetCommand(fast);
  }
  // `sync` and `push` (ten machines syncing at once): their own bundle, no command tree (decision 68).
  const relay = parseFastRelay(args);
  if (relay) {
    quietOnEpipeWhenUsed('stdout');
    quietOnEpipeWhenUsed('stderr');
    const runFastRelay = await loadEntry('fast-relay');
    return runFastRelay(relay, processIo());
  }
  quietOnEpipe(process.stdout);
  quietOnEpipe(process.stderr);
  const { main } = await import('./main.js');
  return main(args, processIo());
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
