/**
 * `seeqret unlock [--timeout 15m]` and `seeqret lock`: thin handlers over src/agent/unlock.ts.
 * Starting the agent's process is src/agent/start.ts; which program it runs is chosen here.
 *
 * @module
 */
import { agentRuntimeDir } from '../../../agent/paths.js';
import { spawnAgent } from '../../../agent/start.js';
import { type AgentStart, agentTarget, lock, parseTimeout, unlock } from '../../../agent/unlock.js';
import { vaultKeySecret } from '../../../vault/internal.js';
import { resolveVaultDir } from '../../../vault/paths.js';
import { Vault, vaultNotFound } from '../../../vault/vault.js';
import { AGENT_ARG } from '../../agent-main.js';
import { type GlobalOptions, info, passphraseFor, warnPermissions } from '../../context.js';
import { io, selfCommand } from '../../cli-io.js';

/** Options of `seeqret unlock`. */
export interface UnlockOptions {
  /** `--timeout DURATION` (default 15m). */
  readonly timeout?: string;
}

/** Start the agent: this Node running this script with the agent marker argument. */
async function spawnFromCli(start: AgentStart, logFile: string): Promise<number> {
  const [command, ...args] = selfCommand();
  return spawnAgent(start, { command, args: [...args, AGENT_ARG], logFile });
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
    spawn: (start) => spawnFromCli(start, t.files.log),
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
