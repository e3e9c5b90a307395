/**
 * `get` on a passphrase-protected vault whose unlock agent runs (decision 64), the asking side:
 * find the vault's key file, and when it says the vault is protected, ask its agent to run the
 * get itself (src/agent/client.ts checks first that the agent's folder and socket are private to
 * this user). The caller prints what the agent sent back, so it loads neither libsodium nor SQLite.
 *
 * Anything but a clean run — no vault, no passphrase, no agent, an unsafe socket, an agent that
 * fails — leaves the get to the normal path, which then behaves exactly as without this step (an
 * agent that failed is not asked again: its reason is given where the agent would have been used).
 * The key file's bytes read here are handed on, so the normal get does not read the file again.
 *
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import { readFileCapped } from '../util/read-capped.js';
import { DB_FILE, KEY_FILE, resolveVaultDir } from '../vault/paths.js';
import { getFromAgent } from './client.js';
import { agentRuntimeDir } from './paths.js';

/** A vault key file's bytes and the vault folder they were read from. */
export interface KeyFileRead {
  readonly dir: string;
  readonly bytes: Buffer;
}

/** The `get` to ask the agent for. */
export interface AgentGetRequest {
  /** The vault folder as given (`--vault`), else the environment's or the default. */
  readonly vault?: string | undefined;
  /** The filter, as typed. */
  readonly filter: string;
  /** False for `-n`. */
  readonly newline: boolean;
  /** `--debug` (`SEEQRET_DEBUG=1` in `env` counts too). */
  readonly debug: boolean;
}

/** What {@link getViaAgent} found. */
export type AgentGetResult =
  /** The agent ran the get: write `stderr` and `stdout` (the value: wipe it once written) and exit with `status`. */
  | { readonly kind: 'ran'; readonly status: number; readonly stdout: Buffer; readonly stderr: Buffer }
  /**
   * Run the normal get; `unusable`: the agent failed, and why (the normal path says it); `keyFile`:
   * the vault key file's bytes when they were read here (the normal get does not read them again).
   */
  | { readonly kind: 'normal'; readonly unusable?: string; readonly keyFile?: KeyFileRead };

/** The key file's bytes when `dir` holds a vault, and the vault's id when it is passphrase-protected. */
function readVaultKey(dir: string): { readonly bytes?: Buffer; readonly protectedId?: string } {
  let bytes: Buffer;
  try {
    if (!fs.existsSync(path.join(dir, DB_FILE))) return {};
    // The key file's own cap (E_TOO_LARGE, caught below: the normal path then reports it).
    bytes = readFileCapped(path.join(dir, KEY_FILE), 'keyFile');
  } catch {
    return {};
  }
  try {
    const k = JSON.parse(bytes.toString('utf8')) as { protection?: unknown; vaultId?: unknown } | null;
    return { bytes, ...(k?.protection === 'passphrase' && typeof k.vaultId === 'string' ? { protectedId: k.vaultId } : {}) };
  } catch {
    return { bytes };
  }
}

/**
 * Let the unlock agent of the vault `request` names (in `env`, as the CLI resolves it) run the get
 * when it can (see the module's comment); nothing is written here.
 */
export async function getViaAgent(request: AgentGetRequest, env: Readonly<Record<string, string | undefined>>): Promise<AgentGetResult> {
  const dir = resolveVaultDir(request.vault, env);
  const { bytes, protectedId: vaultId } = readVaultKey(dir);
  const normal: Extract<AgentGetResult, { kind: 'normal' }> = bytes === undefined ? { kind: 'normal' } : { kind: 'normal', keyFile: { dir, bytes } };
  if (vaultId === undefined) return normal;
  const exitCodes = env['SEEQRET_EXIT_CODES'];
  const a = await getFromAgent(agentRuntimeDir(env), vaultId, {
    dir,
    filter: request.filter,
    newline: request.newline,
    debug: request.debug || env['SEEQRET_DEBUG'] === '1',
    ...(exitCodes !== undefined ? { exitCodes } : {}),
  });
  if (a.kind === 'failed') return { ...normal, unusable: a.why };
  if (a.kind === 'normal') return normal;
  return { kind: 'ran', status: a.run.status, stdout: Buffer.from(a.run.stdout, 'base64'), stderr: Buffer.from(a.run.stderr, 'base64') };
}
