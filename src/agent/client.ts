/**
 * Asking the unlock agent of a vault for its keys, its status, or to end. Every question checks
 * first that the runtime folder and the socket are private to this user (the peer's uid is not
 * available to Node on a Unix socket: docs/agent.md#who-can-reach-it), and treats no agent, a
 * dead one (a socket nobody listens on) and a slow one alike: the command goes on without it.
 *
 * @module
 */
import { type AgentFiles, agentFiles, currentUid, notPrivate } from './paths.js';
import { type AgentOk, type AgentOp, AGENT_PROTOCOL, LineReader, encodeLine, parseReply } from './protocol.js';

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
  | { readonly kind: 'error'; readonly why: string };

function isMissing(why: string): boolean {
  return why.endsWith(': ENOENT');
}

/** Send one request to the agent at `files` and read its reply. */
export async function askAgent(files: AgentFiles, vaultId: string, op: AgentOp, uid: number = currentUid()): Promise<AgentAnswer> {
  for (const [file, kind] of [[files.dir, 'folder'], [files.socket, 'socket']] as const) {
    const why = notPrivate(file, kind, uid);
    if (why !== undefined) return isMissing(why) ? { kind: 'none' } : { kind: 'unsafe', why };
  }
  // `node:net` (with the stream modules it loads, ~10 ms of start-up) only when there is a socket.
  const net = await import('node:net');
  return new Promise((resolve) => {
    const reader = new LineReader();
    let settled = false;
    const finish = (a: AgentAnswer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(a);
    };
    const sock = net.createConnection(files.socket);
    const timer = setTimeout(() => {
      finish({ kind: 'error', why: `the agent at ${files.socket} did not answer within ${String(REPLY_TIMEOUT_MS)} ms` });
    }, REPLY_TIMEOUT_MS);
    sock.on('connect', () => {
      sock.write(encodeLine({ v: AGENT_PROTOCOL, op, vaultId }));
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
      else if (!reply.ok) finish({ kind: 'error', why: `the agent refused: ${reply.error}` });
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
  if (a.kind === 'error' || a.reply.secret === undefined) {
    warn(`not using the unlock agent: ${a.kind === 'error' ? a.why : 'it sent no key'}`);
    return undefined;
  }
  return Buffer.from(a.reply.secret, 'base64');
}
