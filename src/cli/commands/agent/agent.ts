/**
 * `seeqret unlock [--timeout 15m]` and `seeqret lock`: thin handlers over src/agent/unlock.ts.
 * Starting the agent's process (detached, key on its standard input) happens here.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { SeeqretError } from '../../../errors.js';
import { agentRuntimeDir } from '../../../agent/paths.js';
import { type AgentStart, agentTarget, lock, parseTimeout, unlock } from '../../../agent/unlock.js';
import { vaultKeySecret } from '../../../vault/internal.js';
import { resolveVaultDir } from '../../../vault/paths.js';
import { Vault, vaultNotFound } from '../../../vault/vault.js';
import { AGENT_ARG } from '../../agent-main.js';
import { type GlobalOptions, info, passphraseFor, warnPermissions } from '../../context.js';
import { io } from '../../cli-io.js';

/** Options of `seeqret unlock`. */
export interface UnlockOptions {
  /** `--timeout DURATION` (default 15m). */
  readonly timeout?: string;
}

/** How long `unlock` waits for the agent to listen. */
const START_TIMEOUT_MS = 15_000;

/** Start the agent process; resolves with its pid once it says `ready`. */
function spawnAgent(start: AgentStart, logFile: string): Promise<number> {
  const script = process.argv[1];
  if (script === undefined) return Promise.reject(new SeeqretError('E_INTERNAL', 'cannot tell where the seeqret executable is', 'Run seeqret as installed (its bin).'));
  const logFd = fs.openSync(logFile, 'a', 0o600);
  // An empty environment: the agent needs none, and must not keep SEEQRET_PASSPHRASE in its own.
  try {
    const child = spawn(process.execPath, [script, AGENT_ARG], { detached: true, stdio: ['pipe', 'pipe', logFd], cwd: '/', env: {} });
    return new Promise<number>((resolve, reject) => {
      let said = '';
      const fail = (why: string): void => {
        clearTimeout(timer);
        reject(new SeeqretError('E_IO', `the unlock agent did not start: ${why}`, `See its log, ${logFile}.`));
      };
      const timer = setTimeout(() => {
        child.kill();
        fail(`no answer within ${String(START_TIMEOUT_MS / 1000)} s`);
      }, START_TIMEOUT_MS);
      child.on('error', (e) => {
        fail(e.message);
      });
      child.on('exit', (code) => {
        fail(`it exited with status ${String(code)}`);
      });
      child.stdout?.on('data', (chunk: Buffer) => {
        said += chunk.toString('utf8');
        if (said.includes('ready\n')) {
          clearTimeout(timer);
          child.removeAllListeners('exit');
          child.stdout?.destroy();
          child.unref();
          resolve(child.pid ?? 0);
        }
      });
      child.stdin?.end(`${JSON.stringify(start)}\n`);
    });
  } finally {
    fs.closeSync(logFd);
  }
}

function target(g: GlobalOptions): ReturnType<typeof agentTarget> {
  const dir = resolveVaultDir(g.vault);
  warnPermissions(dir);
  return agentTarget(dir, agentRuntimeDir(io().env), vaultNotFound);
}

/** `seeqret unlock`. */
export async function unlockCommand(g: GlobalOptions, o: UnlockOptions): Promise<number> {
  const timeoutMs = parseTimeout(o.timeout ?? '15m');
  const t = target(g);
  const r = await unlock({
    target: t,
    timeoutMs,
    now: Date.now,
    unwrap: async () => {
      const v = Vault.open({ dir: t.vaultDir, readonly: true, passphrase: await passphraseFor(g, 'Vault passphrase') });
      try {
        return vaultKeySecret(v);
      } finally {
        v.close();
      }
    },
    spawn: (start) => spawnAgent(start, t.files.log),
  });
  if (r.kind === 'unprotected') {
    info(`the vault ${t.vaultDir} has no passphrase: nothing to unlock`);
    return 0;
  }
  info(`${r.replaced ? 'restarted the unlock agent' : 'unlocked'}: ${t.vaultDir} until ${new Date(r.expiresAt).toISOString()} (agent pid ${String(r.pid)}, socket ${t.files.socket}); \`seeqret lock\` ends it`);
  return 0;
}

/** `seeqret lock`. */
export async function lockCommand(g: GlobalOptions): Promise<number> {
  const t = target(g);
  const r = await lock(t);
  info(r.kind === 'locked' ? `locked: ended the unlock agent of ${t.vaultDir} (pid ${String(r.pid)})` : `no unlock agent runs for ${t.vaultDir}`);
  return 0;
}
