/**
 * The executable's command line (src/cli/bin.ts hands over every one but the unlock agent's own):
 * a plain `get` that src/cli/fast.ts recognises runs here — let a protected vault's unlock agent
 * run it (src/cli/agent-get.ts), else run the get itself from the fast path's own bundle
 * (src/cli/fast-get.ts), and end the process as decision 65 says; `sync` and `push` run from their
 * own bundle (src/cli/fast-relay-run.ts); anything else goes to the command tree (its own bundle
 * and chunks, each with a code cache too; decision 82).
 *
 * It has its own CommonJS bundle, dist/bin/get.js, compiled with a build-time V8 code cache like
 * dist/bin/fast-get.js (decision 69): the entry dist/bin/seeqret.js, which Node's CommonJS loader
 * always compiles from its text, then holds little more than the loader of this bundle
 * (decision 78).
 *
 * @module
 */
import { getThroughAgent } from './agent-get.js';
import type { FastGet } from './fast.js';
import { loadEntry } from './bundle-load.js';
import { allWritten, quietOnEpipeWhenUsed } from './epipe.js';
import { parseFastGet } from './fast.js';
import { parseFastRelay } from './fast-relay.js';
import { processIo } from './process-io.js';
import { loadMain } from './tree-load.js';

/**
 * Run the `get` that {@link parseFastGet} recognised and return its exit code. A successful `get`
 * ends the process here with `process.exit` when nothing is left unwritten (decision 65).
 */
export async function runGetCommand(fast: FastGet): Promise<number> {
  quietOnEpipeWhenUsed('stdout');
  quietOnEpipeWhenUsed('stderr');
  const viaAgent = await getThroughAgent(fast, process.env);
  if (viaAgent.kind === 'done') return viaAgent.status;
  const runFastGet = await loadEntry('fast-get');
  const code = await runFastGet(fast, processIo(), {
    exitsAfter: true,
    ...(viaAgent.unusable === undefined ? {} : { unusable: viaAgent.unusable }),
    ...(viaAgent.keyFile === undefined ? {} : { keyFile: viaAgent.keyFile }),
  });
  // A successful `get` leaves its database connection open (decision 65): `process.exit` skips
  // better-sqlite3's clean-up hook, whose close would checkpoint the write-ahead log (two
  // fsyncs). When an exit could cut output short, the normal end closes it instead.
  if (allWritten()) process.exit(code);
  return code;
}

/**
 * Run the command line `args` (the process's arguments, past `node` and the executable) and return
 * its exit code: a plain `get` ({@link runGetCommand}), `sync` and `push` from their own bundle,
 * else the command tree's `main`: in the bundle, dist/bin/main.js and the chunks of the command
 * being run, each compiled with its code cache (decision 82).
 */
export async function runCommandLine(args: readonly string[]): Promise<number> {
  const fast = parseFastGet(args);
  if (fast) return runGetCommand(fast);
  // `sync` and `push` (ten machines syncing at once): their own bundle, no command tree (decision 68).
  const relay = parseFastRelay(args);
  if (relay) {
    quietOnEpipeWhenUsed('stdout');
    quietOnEpipeWhenUsed('stderr');
    const runFastRelay = await loadEntry('fast-relay');
    return runFastRelay(relay, processIo());
  }
  quietOnEpipeWhenUsed('stdout');
  quietOnEpipeWhenUsed('stderr');
  const runMain = await loadMain();
  // The process's only run: no AsyncLocalStorage scope (decision 93).
  return runMain(args, processIo(), true);
}
