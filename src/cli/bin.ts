#!/usr/bin/env node
/**
 * The `seeqret` executable. Kept tiny: it sets a private umask, lets a protected vault's unlock
 * agent run a plain `get` (src/cli/agent-get.ts), serves a plain `get` from its own
 * small bundle (with a V8 code cache, src/cli/fast-get-load-bundled.ts) without loading the command
 * parser, and otherwise hands over to
 * the command tree, which loads only the module of the command being run.
 *
 * No top-level `await`: the bundle of this entry is CommonJS (scripts/bundle.mjs), so a `get`
 * never starts Node's ES module loader.
 *
 * @module
 */
import { getThroughAgent } from './agent-get.js';
import { parseFastGet } from './fast.js';
import { loadFastGet } from './fast-get-load.js';
import { parseFastRelay } from './fast-relay.js';
import { loadFastRelay } from './fast-relay-load.js';
import { processIo } from './process-io.js';

process.umask(0o077);

/** A closed pipe (`seeqret users | head -1`) is not an error: stop quietly, as Unix tools do. */
function quietOnEpipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

/** The standard streams this process has created (a `get` usually creates neither). */
const created = new Set<'stdout' | 'stderr'>();

/**
 * Whether everything this process wrote has reached its descriptor, so that `process.exit`
 * loses nothing: no standard stream holds unwritten data (the fast path writes its value with
 * `fs.writeSync`; a stream to a terminal, file or Linux pipe writes synchronously).
 */
function allWritten(): boolean {
  return [...created].every((name) => process[name].writableLength === 0);
}

/**
 * Guard `process[name]` when it is first used, not now: creating a standard stream loads and
 * compiles a dozen internal modules (~10 ms), which a `get` that prints only its value through
 * `fs.writeSync` (src/cli/fd-out.ts) and nothing to stderr never needs.
 */
function quietOnEpipeWhenUsed(name: 'stdout' | 'stderr'): void {
  const own = Object.getOwnPropertyDescriptor(process, name);
  if (!own?.get || !own.configurable) {
    created.add(name);
    quietOnEpipe(process[name]);
    return;
  }
  const create = own.get.bind(process);
  Object.defineProperty(process, name, {
    configurable: true,
    enumerable: own.enumerable ?? false,
    get(): NodeJS.WriteStream {
      created.add(name);
      const stream = create() as NodeJS.WriteStream;
      Object.defineProperty(process, name, { configurable: true, enumerable: own.enumerable ?? false, writable: false, value: stream });
      quietOnEpipe(stream);
      return stream;
    },
  });
}

async function run(): Promise<number> {
  const args = process.argv.slice(2);
  if (args[0] === '__seeqret-agent') {
    const { runAgent } = await import('./agent-main.js');
    return runAgent();
  }
  const fast = parseFastGet(args);
  if (fast) {
    quietOnEpipeWhenUsed('stdout');
    quietOnEpipeWhenUsed('stderr');
    const viaAgent = await getThroughAgent(fast, process.env);
    if (viaAgent.kind === 'done') return viaAgent.status;
    const runFastGet = await loadFastGet();
    const code = await runFastGet(fast, processIo(), viaAgent.unusable === undefined ? { exitsAfter: true } : { unusable: viaAgent.unusable, exitsAfter: true });
    // A successful `get` leaves its database connection open (decision 65): `process.exit` skips
    // better-sqlite3's clean-up hook, whose close would checkpoint the write-ahead log (two
    // fsyncs). When an exit could cut output short, the normal end closes it instead.
    if (allWritten()) process.exit(code);
    return code;
  }
  // `sync` and `push` (ten machines syncing at once): their own bundle, no command tree (decision 68).
  const relay = parseFastRelay(args);
  if (relay) {
    quietOnEpipeWhenUsed('stdout');
    quietOnEpipeWhenUsed('stderr');
    const runFastRelay = await loadFastRelay();
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
