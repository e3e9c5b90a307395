/**
 * Asking the unlock agent of a vault for its keys, its status, to end, or to run a `get` (decision 64). Every question checks
 * first that the runtime folder and the socket are private to this user (the peer's uid is not
 * available to Node on a Unix socket: docs/agent.md#who-can-reach-it), and treats no agent, a
 * dead one (a socket nobody listens on) and a slow one alike: the command goes on without it.
 *
 * @module
 */
import { createRequire } from 'node:module';
import { type AgentFiles, agentFiles, currentUid, notPrivate } from './paths.js';
import { type AgentGet, type AgentOk, type AgentOp, type AgentRun, AGENT_PROTOCOL, LineReader, MAX_LINE, MAX_RUN_LINE, UNKNOWN_OP, encodeLine, parseReply } from './protocol.js';

/** How long a command waits for an agent before going on without it. */
const REPLY_TIMEOUT_MS = 2000;

/** The outcome of one question to an agent. */
export type AgentAnswer =
  | { readonly kind: 'ok'; readonly reply: AgentOk }
  /** No agent runs for this vault (no socket, or a socket nobody listens on). */
  | { readonly kind: 'none' }
  /** The socket or its folder is not private to this user: not used. */
  | { readonly kind: 'unsafe'; readonly why: string }
  /** The agent refused, answered garbage, or did not answer in time. */
  | { readonly kind: 'error'; readonly why: string }
  /** The agent does not run this `get` (an older agent, another path to the vault): ask for the keys instead. */
  | { readonly kind: 'retry'; readonly why: string };

function isMissing(why: string): boolean {
  return why.endsWith(': ENOENT');
}

/** Send one request to the agent at `files` and read its reply (`get`: the get the agent is to run). */
export async function askAgent(files: AgentFiles, vaultId: string, op: AgentOp, uid: number = currentUid(), get?: AgentGet): Promise<AgentAnswer> {
  for (const [file, kind] of [[files.dir, 'folder'], [files.socket, 'socket']] as const) {
    const why = notPrivate(file, kind, uid);
    if (why !== undefined) return isMissing(why) ? { kind: 'none' } : { kind: 'unsafe', why };
  }
  // `node:net` (with the stream modules it loads, ~10 ms of start-up) only when there is a socket;
  // by `require`, as a dynamic `import()` in the CommonJS entry would start the ES module loader.
  const net = createRequire(import.meta.url)('node:net') as typeof import('node:net');
  return new Promise((resolve) => {
    const reader = new LineReader(op === 'get' ? MAX_RUN_LINE : MAX_LINE);
    let settled = false;
    const finish = (a: AgentAnswer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (op === 'get' && a.kind === 'ok') {
        // Destroying a socket makes Node create process.stderr (net.Socket#_destroy compares the
        // socket with it), ~10 ms of a get that prints nothing there: stop reading, and let the
        // end of the process (or the agent's end of the connection) close it.
        sock.pause();
        sock.unref();
      } else sock.destroy();
      resolve(a);
    };
    const sock = net.createConnection(files.socket);
    const timer = setTimeout(() => {
      finish({ kind: 'error', why: `the agent at ${files.socket} did not answer within ${String(REPLY_TIMEOUT_MS)} ms` });
    }, REPLY_TIMEOUT_MS);
    sock.on('connect', () => {
      sock.write(encodeLine({ v: AGENT_PROTOCOL, op, vaultId, ...(get !== undefined ? { get } : {}) }));
    });
    sock.on('data', (chunk: Buffer) => {
      let line: string | null;
      try {
        line = reader.push(chunk);
      } catch {
        finish({ kind: 'error', why: 'the agent sent an over-long reply' });
        return;
      }
      if (line === null) return;
      const reply = parseReply(line);
      if (reply === undefined) finish({ kind: 'error', why: 'the agent sent a reply of another protocol version' });
      else if (!reply.ok) finish(reply.retry === 'keys' || (op === 'get' && reply.error === UNKNOWN_OP) ? { kind: 'retry', why: reply.error } : { kind: 'error', why: `the agent refused: ${reply.error}` });
      else if (reply.vaultId !== vaultId) finish({ kind: 'error', why: 'the agent serves another vault' });
      else finish({ kind: 'ok', reply });
    });
    sock.on('error', (e: NodeJS.ErrnoException) => {
      // A killed agent leaves its socket behind: nobody listens (ECONNREFUSED) or it is gone.
      if (e.code === 'ECONNREFUSED' || e.code === 'ENOENT') finish({ kind: 'none' });
      else finish({ kind: 'error', why: `cannot reach the agent at ${files.socket}: ${e.code ?? e.message}` });
    });
    sock.on('close', () => {
      finish({ kind: 'error', why: 'the agent closed the connection without a reply' });
    });
  });
}

/**
 * The unwrapped key-file secret of vault `vaultId` from its agent in `runtimeDir`, or `undefined`
 * when no usable agent answers (`warn` gets why, except when there simply is none).
 */
export async function keysFromAgent(runtimeDir: string, vaultId: string, warn: (line: string) => void): Promise<Buffer | undefined> {
  const a = await askAgent(agentFiles(runtimeDir, vaultId), vaultId, 'keys');
  if (a.kind === 'none') return undefined;
  if (a.kind === 'unsafe') {
    warn(`not using the unlock agent: ${a.why}`);
    return undefined;
  }
  if (a.kind !== 'ok' || a.reply.secret === undefined) {
    warn(`not using the unlock agent: ${a.kind === 'error' ? a.why : 'it sent no key'}`);
    return undefined;
  }
  return Buffer.from(a.reply.secret, 'base64');
}

/** The outcome of asking the agent to run a `get` ({@link getFromAgent}). */
export type AgentGetAnswer =
  /** The agent ran it: print this and exit with its status. */
  | { readonly kind: 'ran'; readonly run: AgentRun }
  /** Not run, for no reason worth a word (no agent, an unsafe socket the normal path warns about, an older agent): take the normal path. */
  | { readonly kind: 'normal' }
  /** The agent failed: take the normal path without asking it again, warning with `why` where it would be used. */
  | { readonly kind: 'failed'; readonly why: string };

/** Control characters but newline: a well-formed run's error output has none (the CLI escapes them). */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

/**
 * Ask the agent of vault `vaultId` in `runtimeDir` to run `get` itself (decision 64): it opens the
 * vault with the key it holds, as `seeqret get` would, and sends back what that get printed.
 */
export async function getFromAgent(runtimeDir: string, vaultId: string, get: AgentGet): Promise<AgentGetAnswer> {
  if (encodeLine({ v: AGENT_PROTOCOL, op: 'get', vaultId, get }).length > MAX_LINE) return { kind: 'normal' };
  const a = await askAgent(agentFiles(runtimeDir, vaultId), vaultId, 'get', currentUid(), get);
  if (a.kind === 'error') return { kind: 'failed', why: a.why };
  if (a.kind !== 'ok') return { kind: 'normal' };
  const run = a.reply.run;
  if (run === undefined) return { kind: 'failed', why: 'it sent no answer to the get' };
  if (CONTROL.test(Buffer.from(run.stderr, 'base64').toString('utf8'))) return { kind: 'failed', why: 'it sent control characters' };
  return { kind: 'ran', run };
}
