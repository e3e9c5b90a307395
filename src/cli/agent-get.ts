/**
 * `seeqret get` on a passphrase-protected vault whose unlock agent runs (decision 64): the agent
 * runs the get itself and this process prints what it sent back, so it loads neither libsodium
 * nor SQLite — only the checks that the agent's folder and socket are private to this user
 * (src/agent/client.ts) and one round trip. Bundled into the entry (dist/bin/seeqret.js), before
 * the get fast path's bundle is loaded.
 *
 * Anything but a clean run — no vault, no passphrase, no agent, an unsafe socket, an agent that
 * fails, a terminal on stdout (where the value is escaped) — leaves the get to the normal fast path,
 * which then behaves exactly as without this step (an agent that failed is not asked again: its
 * reason is given where the agent would have been used).
 *
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import { getFromAgent } from '../agent/client.js';
import { agentRuntimeDir } from '../agent/paths.js';
import { readFileCapped } from '../util/read-capped.js';
import { DB_FILE, KEY_FILE, resolveVaultDir } from '../vault/paths.js';
import type { FastGet } from './fast.js';

/** A vault key file's bytes and the vault folder they were read from. */
export interface KeyFileRead {
  readonly dir: string;
  readonly bytes: Buffer;
}

/** What {@link getThroughAgent} did. */
export type AgentGetOutcome =
  /** The agent ran the get; this process printed its output: exit with `status`. */
  | { readonly kind: 'done'; readonly status: number }
  /**
   * Run the normal get; `unusable`: the agent failed, and why (the normal path says it); `keyFile`:
   * the vault key file's bytes when they were read here (the normal get does not read them again).
   */
  | { readonly kind: 'normal'; readonly unusable?: string; readonly keyFile?: KeyFileRead };

const NORMAL: AgentGetOutcome = { kind: 'normal' };

/** True when fd `fd` is a file, a pipe or a socket: bytes are written exactly, with no terminal escaping. */
function plainFd(fd: number): boolean {
  try {
    const st = fs.fstatSync(fd);
    return st.isFile() || st.isFIFO() || st.isSocket();
  } catch {
    return false;
  }
}

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

/** Write all of `buf` to `fd`: a closed pipe ends the process quietly; a full non-blocking descriptor hands the rest to `stream`. */
function writeAll(fd: number, buf: Buffer, stream: () => NodeJS.WriteStream): void {
  let off = 0;
  try {
    while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EPIPE') process.exit(process.exitCode ?? 0);
    if (code !== 'EAGAIN') throw e;
    stream().write(Buffer.from(buf.subarray(off)));
  }
}

/** Let the vault's unlock agent run `fast` when it can (see the module's comment). */
export async function getThroughAgent(fast: FastGet, env: Readonly<Record<string, string | undefined>>): Promise<AgentGetOutcome> {
  if (!plainFd(1)) return NORMAL;
  const dir = resolveVaultDir(fast.g.vault, env);
  const { bytes, protectedId: vaultId } = readVaultKey(dir);
  if (vaultId === undefined) return bytes === undefined ? NORMAL : { kind: 'normal', keyFile: { dir, bytes } };
  const exitCodes = env['SEEQRET_EXIT_CODES'];
  const a = await getFromAgent(agentRuntimeDir(env), vaultId, {
    dir,
    filter: fast.filter,
    newline: fast.newline,
    debug: fast.g.debug === true || env['SEEQRET_DEBUG'] === '1',
    ...(exitCodes !== undefined ? { exitCodes } : {}),
  });
  if (a.kind === 'failed') return { kind: 'normal', unusable: a.why, ...(bytes === undefined ? {} : { keyFile: { dir, bytes } }) };
  if (a.kind === 'normal') return bytes === undefined ? NORMAL : { kind: 'normal', keyFile: { dir, bytes } };
  const err = Buffer.from(a.run.stderr, 'base64');
  if (err.length > 0) writeAll(2, err, () => process.stderr);
  const out = Buffer.from(a.run.stdout, 'base64');
  try {
    writeAll(1, out, () => process.stdout);
  } finally {
    out.fill(0);
  }
  return { kind: 'done', status: a.run.status };
}
