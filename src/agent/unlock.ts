/**
 * The use cases of `seeqret unlock` and `seeqret lock`: start a vault's agent with its unwrapped
 * key (after the passphrase opened the vault), end it, or report it. Prompts, process start-up
 * and output come in as parameters.
 *
 * @module
 */
import fs from 'node:fs';
import { SeeqretError } from '../errors.js';
import { readKeyFile } from '../vault/keyfile.js';
import { vaultFiles } from '../vault/paths.js';
import { askAgent } from './client.js';
import { type AgentFiles, agentFiles, ensureRuntimeDir } from './paths.js';

/** What the CLI hands the agent process on its standard input (one JSON line). */
export interface AgentStart {
  readonly vaultDir: string;
  readonly vaultId: string;
  readonly runtimeDir: string;
  /** Unix ms. */
  readonly expiresAt: number;
  /** Base64 of the unwrapped key-file secret. */
  readonly secret: string;
}

/** The longest `--timeout`: a week. */
export const MAX_TIMEOUT_MS = 7 * 24 * 3600 * 1000;

/** Parse `--timeout`: a number with a unit s, m, h or d (`15m`, `1h`, `90s`). */
export function parseTimeout(text: string): number {
  const m = /^(\d+)(s|m|h|d)$/.exec(text.trim());
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
  const ms = m === null ? NaN : Number(m[1]) * unit[m[2] as keyof typeof unit];
  if (!(ms > 0) || ms > MAX_TIMEOUT_MS) {
    throw new SeeqretError('E_USAGE', `--timeout '${text}' is not a duration between 1s and 7d`, 'Use e.g. --timeout 15m, --timeout 90s or --timeout 8h.');
  }
  return ms;
}

/** The vault and agent files of a vault folder. */
export interface AgentTarget {
  readonly vaultDir: string;
  readonly vaultId: string;
  readonly files: AgentFiles;
  readonly passphraseProtected: boolean;
}

/** Find the vault's id and its agent's files (`notFound` when there is no vault; key-file errors as for any command). */
export function agentTarget(vaultDir: string, runtimeDir: string, notFound: (dir: string) => Error): AgentTarget {
  const vf = vaultFiles(vaultDir);
  if (!fs.existsSync(vf.db)) throw notFound(vaultDir);
  const key = readKeyFile(vf.key);
  return { vaultDir, vaultId: key.vaultId, files: agentFiles(runtimeDir, key.vaultId), passphraseProtected: key.protection === 'passphrase' };
}

/** Inputs of {@link unlock}. */
export interface UnlockInput {
  readonly target: AgentTarget;
  readonly timeoutMs: number;
  /** Open the vault with its passphrase and return a copy of its unwrapped key secret. */
  readonly unwrap: () => Promise<Buffer>;
  /** Start the agent process with `start` on its standard input; resolves with its pid once it listens. */
  readonly spawn: (start: AgentStart) => Promise<number>;
  readonly now: () => number;
}

/** What {@link unlock} did. */
export type UnlockResult =
  | { readonly kind: 'unprotected' }
  | { readonly kind: 'started'; readonly pid: number; readonly expiresAt: number; readonly replaced: boolean };

/** Unlock: check the passphrase, end a running agent of the vault, start a new one. */
export async function unlock(i: UnlockInput): Promise<UnlockResult> {
  const t = i.target;
  if (!t.passphraseProtected) return { kind: 'unprotected' };
  ensureRuntimeDir(t.files.dir);
  const secret = await i.unwrap();
  let replaced = false;
  try {
    const old = await askAgent(t.files, t.vaultId, 'lock');
    replaced = old.kind === 'ok';
    if (old.kind === 'unsafe') throw new SeeqretError('E_PERMISSIONS', `cannot start the agent: ${old.why}`, `Remove ${t.files.socket} and run \`seeqret unlock\` again.`);
    const expiresAt = i.now() + i.timeoutMs;
    const pid = await i.spawn({ vaultDir: t.vaultDir, vaultId: t.vaultId, runtimeDir: t.files.dir, expiresAt, secret: secret.toString('base64') });
    return { kind: 'started', pid, expiresAt, replaced };
  } finally {
    secret.fill(0);
  }
}

/** What {@link lock} found. */
export type LockResult = { readonly kind: 'locked'; readonly pid: number } | { readonly kind: 'none' };

/** Lock: ask the vault's agent to end (nothing to do when none runs). */
export async function lock(target: AgentTarget): Promise<LockResult> {
  const a = await askAgent(target.files, target.vaultId, 'lock');
  if (a.kind === 'ok') return { kind: 'locked', pid: a.reply.pid };
  if (a.kind === 'none') return { kind: 'none' };
  throw new SeeqretError('E_PERMISSIONS', `cannot reach the unlock agent: ${a.why}`, `End it with kill, or remove ${target.files.socket}.`);
}
