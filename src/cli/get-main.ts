/**
 * The `seeqret get` fast path as the executable runs it: let a protected vault's unlock agent run
 * it (src/cli/agent-get.ts), else run the get itself from the fast path's own bundle
 * (src/cli/fast-get.ts), and end the process as decision 65 says. src/cli/bin.ts calls it for a
 * command line that src/cli/fast.ts recognises.
 *
 * It has its own CommonJS bundle, dist/bin/get.js, compiled with a build-time V8 code cache like
 * dist/bin/fast-get.js (decision 69): the entry dist/bin/seeqret.js, which Node's CommonJS loader
 * always compiles from its text, then holds little more than the argument check.
 *
 * @module
 */
import { getThroughAgent } from './agent-get.js';
import type { FastGet } from './fast.js';
import { loadEntry } from './bundle-load.js';
import { allWritten, quietOnEpipeWhenUsed } from './epipe.js';
import { processIo } from './process-io.js';

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
