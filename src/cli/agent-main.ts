/**
 * The unlock agent's process (`seeqret unlock` starts it detached, as `seeqret __seeqret-agent`):
 * reads its start line (src/agent/unlock.ts `AgentStart`, with the key) from standard input,
 * keeps the key in locked memory, listens, says `ready` on standard output, and runs until
 * src/agent/server.ts ends it. It logs to its log file (0600) only; never the key. It runs the
 * `seeqret get` of a client itself (decision 64) through the very code of the CLI's get fast path,
 * collecting what that prints instead of printing it.
 *
 * @module
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { HeldKey } from '../crypto/held-key.js';
import { AgentServer } from '../agent/server.js';
import { agentFiles, currentUid, ensureRuntimeDir } from '../agent/paths.js';
import type { AgentStart } from '../agent/unlock.js';
import { type AgentGet, type AgentRun, LineReader } from '../agent/protocol.js';
import type { CliIo, OutputSink } from './cli-io.js';
import { runFastGet } from './fast-get.js';

/** The hidden first argument that makes `seeqret` the agent. */
export const AGENT_ARG = '__seeqret-agent';

function readStartLine(): Promise<AgentStart> {
  return new Promise((resolve, reject) => {
    const reader = new LineReader();
    process.stdin.on('data', (chunk: Buffer) => {
      try {
        const line = reader.push(chunk);
        if (line !== null) {
          process.stdin.pause();
          resolve(JSON.parse(line) as AgentStart);
        }
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
    process.stdin.on('end', () => {
      reject(new Error('no start line'));
    });
  });
}

/** A sink that keeps what is written (not a terminal: the client runs the get here only when its stdout is none). */
function collector(): { sink: OutputSink; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  return {
    sink: { write: (chunk: string | Uint8Array) => chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk)), isTTY: false },
    bytes: () => Buffer.concat(chunks),
  };
}

/**
 * Run a client's `seeqret get` as its own fast path would (src/cli/fast-get.ts), with the vault
 * opened by `key` instead of a passphrase: the same messages, audit entry and exit status.
 */
export async function runGetForClient(get: AgentGet, key: () => Buffer): Promise<AgentRun> {
  const out = collector();
  const err = collector();
  const value: string[] = [];
  const io: CliIo = {
    env: { ...(get.exitCodes !== undefined ? { SEEQRET_EXIT_CODES: get.exitCodes } : {}) },
    cwd: '/',
    stdin: Readable.from([]),
    stdinIsTTY: false,
    stdout: out.sink,
    stderr: err.sink,
    signals: new EventEmitter(),
    now: Date.now,
    abort: () => undefined,
    setChildUmask: () => undefined,
  };
  const status = await runFastGet({ g: { vault: get.dir, ...(get.debug ? { debug: true } : {}) }, filter: get.filter, newline: get.newline }, io, {
    key: () => Promise.resolve(key()),
    write: (data) => value.push(data),
  });
  const stdout = Buffer.concat([out.bytes(), Buffer.from(value.join(''), 'utf8')]);
  try {
    return { status, stdout: stdout.toString('base64'), stderr: err.bytes().toString('base64') };
  } finally {
    stdout.fill(0);
  }
}

/** Run the agent; the exit code once it has ended. */
export async function runAgent(): Promise<number> {
  const start = await readStartLine();
  process.stdin.destroy();
  const secret = Buffer.from(start.secret, 'base64');
  const key = new HeldKey(secret);
  secret.fill(0);
  const uid = currentUid();
  ensureRuntimeDir(start.runtimeDir, uid);
  const files = agentFiles(start.runtimeDir, start.vaultId);
  const log = (line: string): void => {
    fs.appendFileSync(files.log, `${new Date().toISOString()} seeqret agent ${String(process.pid)}: ${line}\n`, { mode: 0o600 });
  };
  process.chdir('/');
  const server = new AgentServer({ vaultDir: start.vaultDir, vaultId: start.vaultId, files, key, expiresAt: start.expiresAt, pid: process.pid, uid, log, runGet: runGetForClient });
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.on(sig, () => {
      server.stop(`${sig} received`);
    });
  }
  process.on('SIGHUP', () => undefined);
  await server.listen();
  process.stdout.write('ready\n');
  process.stdout.end();
  await server.ended;
  return 0;
}
