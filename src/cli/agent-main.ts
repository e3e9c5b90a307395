/**
 * The unlock agent's process (`seeqret unlock` starts it detached, as `seeqret __seeqret-agent`):
 * reads its start line (src/agent/unlock.ts `AgentStart`, with the key) from standard input,
 * keeps the key in locked memory, listens, says `ready` on standard output, and runs until
 * src/agent/server.ts ends it. It logs to its log file (0600) only; never the key.
 *
 * @module
 */
import fs from 'node:fs';
import { HeldKey } from '../crypto/held-key.js';
import { AgentServer } from '../agent/server.js';
import { agentFiles, currentUid, ensureRuntimeDir } from '../agent/paths.js';
import type { AgentStart } from '../agent/unlock.js';
import { LineReader } from '../agent/protocol.js';

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
  const server = new AgentServer({ vaultDir: start.vaultDir, vaultId: start.vaultId, files, key, expiresAt: start.expiresAt, pid: process.pid, uid, log });
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
