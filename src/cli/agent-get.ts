/**
 * `seeqret get` on a passphrase-protected vault whose unlock agent runs (decision 64): the agent
 * runs the get itself (src/agent/get.ts asks it) and this process writes what it sent back, so it
 * loads neither libsodium nor SQLite. Bundled into the `get` path's bundle (dist/bin/get.js),
 * before the get fast path's bundle is loaded.
 *
 * Only when stdout is a file, a pipe or a socket: on a terminal the value is escaped, which the
 * normal fast path does. Anything but a clean run leaves the get to the normal fast path, which then
 * behaves exactly as without this step.
 *
 * @module
 */
import { type KeyFileRead, getViaAgent } from '../agent/get.js';
import type { FastGet } from './fast.js';
import { plainFd, writeAllFd, zeroBytes } from './fd-write.js';

export type { KeyFileRead };

/** What {@link getThroughAgent} did. */
export type AgentGetOutcome =
  /** The agent ran the get; this process printed its output: exit with `status`. */
  | { readonly kind: 'done'; readonly status: number }
  /**
   * Run the normal get; `unusable`: the agent failed, and why (the normal path says it); `keyFile`:
   * the vault key file's bytes when they were read here (the normal get does not read them again).
   */
  | { readonly kind: 'normal'; readonly unusable?: string; readonly keyFile?: KeyFileRead };

/** Let the vault's unlock agent run `fast` when it can, and write what it sent back (see the module's comment). */
export async function getThroughAgent(fast: FastGet, env: Readonly<Record<string, string | undefined>>): Promise<AgentGetOutcome> {
  if (!plainFd(1)) return { kind: 'normal' };
  const a = await getViaAgent({ vault: fast.g.vault, filter: fast.filter, newline: fast.newline, debug: fast.g.debug === true }, env);
  if (a.kind === 'normal') return a;
  if (a.stderr.length > 0) writeAllFd(2, a.stderr, () => process.stderr);
  try {
    writeAllFd(1, a.stdout, () => process.stdout);
  } finally {
    zeroBytes(a.stdout);
  }
  return { kind: 'done', status: a.status };
}
