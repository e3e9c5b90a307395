/**
 * What every command shares: global options, opening the vault (with permission warnings and
 * passphrase prompting); re-exports the terminal helpers of `io.ts` (reading stdin,
 * confirmation, prompts, writing to the terminal).
 *
 * @module
 */
import { SeeqretError } from '../errors.js';
import { io } from './cli-io.js';
import { info, promptHidden, stdinIsTTY, warn } from './io.js';
import { checkPrivate } from '../util/permissions.js';
import fs from 'node:fs';
import { resolveVaultDir, vaultFiles } from '../vault/paths.js';
import { isServerVault } from '../vault/server.js';
import { Vault, passphraseFromFile } from '../vault/vault.js';
import { permissionText } from '../vault/permissions.js';

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
 * Resolve the passphrase for a protected vault: --passphrase-file, then SEEQRET_PASSPHRASE,
 * then a hidden prompt on a terminal; otherwise E_PASSPHRASE_REQUIRED.
 */
export async function passphraseFor(g: GlobalOptions, purpose: string): Promise<Buffer> {
  if (g.passphraseFile) return passphraseFromFile(g.passphraseFile);
  const env = io().env['SEEQRET_PASSPHRASE'];
  if (env) return Buffer.from(env, 'utf8');
  if (stdinIsTTY()) return Buffer.from(await promptHidden(purpose), 'utf8');
  throw new SeeqretError(
    'E_PASSPHRASE_REQUIRED',
    'this vault is passphrase-protected and no passphrase was given',
    'Set SEEQRET_PASSPHRASE, pass --passphrase-file FILE, or run in a terminal to be prompted.',
  );
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

/** Open the vault for a command: warns about permissions, prompts for a passphrase if needed. */
export async function openVault(g: GlobalOptions, opts: { readonly?: boolean; allowOutdatedSchema?: boolean } = {}): Promise<Vault> {
  const dir = resolveVaultDir(g.vault, io().env);
  warnPermissions(dir);
  if (!opts.readonly) requireWritable(dir);
  const probe = Vault.probe(dir);
  const passphrase = probe.exists && probe.passphraseProtected ? await passphraseFor(g, 'Vault passphrase') : undefined;
  return Vault.open({ dir, ...(passphrase ? { passphrase } : {}), ...opts });
}

/** Run `fn` with an open vault and always close it. */
export async function withVault<T>(g: GlobalOptions, fn: (v: Vault) => T | Promise<T>, opts: { readonly?: boolean } = {}): Promise<T> {
  const v = await openVault(g, opts);
  try {
    return await fn(v);
  } finally {
    v.close();
  }
}
