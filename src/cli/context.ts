/**
 * What every command shares: global options, opening the vault (with permission warnings and
 * passphrase prompting); re-exports the terminal helpers of `io.ts` (reading stdin,
 * confirmation, prompts, writing to the terminal).
 *
 * @module
 */
import { SeeqretError } from '../errors.js';
import { io } from './cli-io.js';
import { warn } from './io.js';
import { checkPrivate } from '../util/permissions.js';
import fs from 'node:fs';
import { resolveVaultDir, vaultFiles } from '../vault/paths.js';
import { isServerVault } from '../vault/server.js';
// Loaded for its effect too: the Vault class registers the factory of the openers of internal.js.
import '../vault/vault.js';
import type { Vault } from '../vault/vault.js';
import { requirePassphrase } from '../passphrase.js';
import { cliPassphrases } from './passphrases.js';
import { permissionText } from '../vault/permissions.js';
import { openVaultUnlocked, openVaultWithKeyFile, probeKeyFile } from '../vault/internal.js';
import { readKeyFile } from '../vault/keyfile.js';
import { keysFromAgent } from '../agent/client.js';
import type { KeyFileRead } from '../agent/get.js';
import { agentRuntimeDir } from '../agent/paths.js';

export { confirm, info, infoLines, out, printRows, promptAgain, promptHidden, promptNewSecret, promptSelect, promptText, readStdin, readValue, refuseEmpty, stdinIsTTY, warn, writeData, writeJson } from './io.js';

/** Options accepted by every command. */
export interface GlobalOptions {
  vault?: string;
  passphraseFile?: string;
  debug?: boolean;
  /** `--follow-symlinks`: files named by a symbolic link are written through it (else E_SYMLINK). */
  followSymlinks?: boolean;
}

export { permissionText } from '../vault/permissions.js';

/** Warn (stderr) about every vault entry that grants access to group or others, and every symbolic link. */
export function warnPermissions(dir: string): void {
  for (const p of checkPrivate(dir, { allowGroupRead: isServerVault(dir) })) warn(permissionText(p));
}

export { isServerVault };

/**
 * Resolve the passphrase for a protected vault through the run's chain (src/cli/passphrases.ts):
 * --passphrase-file, then SEEQRET_PASSPHRASE, then a hidden prompt on a terminal; otherwise
 * E_PASSPHRASE_REQUIRED.
 */
export function passphraseFor(g: GlobalOptions, purpose: string): Promise<Buffer> {
  return requirePassphrase(cliPassphrases({ vault: g.passphraseFile }), { kind: 'vault', label: purpose }, {
    message: 'this vault is passphrase-protected and no passphrase was given',
    fix: 'Set SEEQRET_PASSPHRASE, pass --passphrase-file FILE, or run in a terminal to be prompted.',
  });
}

/**
 * Refuse, before anything is unlocked or decrypted, to open for writing a vault whose database
 * this process cannot write. Every command that reveals a value opens the vault for writing,
 * because the read is recorded in the audit log: someone who can read a vault but not write it —
 * a member of a server vault's group — gets `E_PERMISSIONS` from them, not an unrecorded read.
 */
function requireWritable(dir: string): void {
  const { db } = vaultFiles(dir);
  try {
    fs.accessSync(db, fs.constants.W_OK);
    return;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // Vault.open reports it
  }
  if (isServerVault(dir)) {
    throw new SeeqretError(
      'E_PERMISSIONS',
      `only the owner of the server vault ${dir} can use commands that reveal or change its values (every CLI read is recorded in its audit log)`,
      "Apps of the vault's group read values through the library (seeqret/config, get(), openVault()); ask the owner for anything else.",
    );
  }
  throw new SeeqretError(
    'E_PERMISSIONS',
    `cannot write the vault database ${db}: commands that reveal or change values need to (reads are recorded in the audit log)`,
    'Run it as the vault owner, or check the permissions (seeqret doctor).',
  );
}

/**
 * Where {@link openVault} gets a protected vault's unwrapped key before any passphrase source:
 * the vault's unlock agent by default; the agent itself passes its held key (src/cli/agent-main.ts),
 * and a `get` whose agent already failed passes {@link agentUnusable}. `undefined`: ask for the passphrase.
 */
export type AgentKeySource = (dir: string) => Promise<Buffer | undefined>;

/** A key source that only warns why the unlock agent is not used (it was asked already, docs/agent.md). */
export function agentUnusable(why: string): AgentKeySource {
  return () => {
    warn(`not using the unlock agent: ${why}`);
    return Promise.resolve(undefined);
  };
}

/**
 * The unwrapped key of the vault in `dir` from its unlock agent (src/agent), when one serves it:
 * the agent comes before every passphrase source (docs/agent.md).
 */
async function keyFromAgent(dir: string): Promise<Buffer | undefined> {
  let vaultId: string;
  try {
    vaultId = readKeyFile(vaultFiles(dir).key).vaultId;
  } catch {
    return undefined; // opening the vault reports it
  }
  return keysFromAgent(agentRuntimeDir(io().env), vaultId, warn);
}

/**
 * Open the vault for a command: warns about permissions, prompts for a passphrase if needed.
 * `keyFile`: the vault key file's bytes when the caller already read them from this vault folder
 * (the executable's `get`, src/cli/agent-get.ts), so that the file is read once per command.
 */
export async function openVault(
  g: GlobalOptions,
  opts: { readonly?: boolean; allowOutdatedSchema?: boolean } = {},
  agentKey: AgentKeySource = keyFromAgent,
  keyFile?: KeyFileRead,
): Promise<Vault> {
  const dir = resolveVaultDir(g.vault, io().env);
  warnPermissions(dir);
  if (!opts.readonly) requireWritable(dir);
  // The key file is read once, here (or before, by the caller: `keyFile`), for the probe and the open.
  const probe = probeKeyFile(dir, keyFile?.dir === dir ? keyFile.bytes : undefined);
  if (probe.exists && probe.passphraseProtected) {
    const unlocked = await agentKey(dir);
    if (unlocked) return openVaultUnlocked({ dir, ...opts }, unlocked, probe.keyBytes);
  }
  const passphrase = probe.exists && probe.passphraseProtected ? await passphraseFor(g, 'Vault passphrase') : undefined;
  return openVaultWithKeyFile({ dir, ...(passphrase ? { passphrase } : {}), ...opts }, probe.keyBytes);
}

/** Run `fn` with an open vault and always close it (`agentKey`: see {@link openVault}). */
export async function withVault<T>(g: GlobalOptions, fn: (v: Vault) => T | Promise<T>, opts: { readonly?: boolean } = {}, agentKey?: AgentKeySource): Promise<T> {
  const v = await openVault(g, opts, agentKey);
  try {
    return await fn(v);
  } finally {
    v.close();
  }
}
