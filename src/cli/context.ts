/**
 * What every command shares: global options, opening the vault (with permission warnings and
 * passphrase prompting); re-exports the terminal helpers of `io.ts` (reading stdin,
 * confirmation, prompts, writing to the terminal).
 *
 * @module
 */
import { SeeqretError } from '../errors.js';
import { info, promptHidden, stdinIsTTY, warn } from './io.js';
import { checkPrivate, modeText } from '../util/fs.js';
import fs from 'node:fs';
import path from 'node:path';
import { SERVER_MARKER, resolveVaultDir } from '../vault/paths.js';
import { Vault, passphraseFromFile } from '../vault/vault.js';

export { confirm, info, out, promptAgain, promptHidden, promptNewSecret, promptSelect, promptText, readStdin, readValue, refuseEmpty, stdinIsTTY, warn } from './io.js';

/** Options accepted by every command. */
export interface GlobalOptions {
  vault?: string;
  passphraseFile?: string;
  debug?: boolean;
}

/** Warn (stderr) about every vault entry that grants access to group or others. */
export function warnPermissions(dir: string): void {
  for (const p of checkPrivate(dir, { allowGroupRead: isServerVault(dir) })) {
    warn(`${p.kind} ${p.path} is mode ${modeText(p.mode)}: other users can access it (want ${modeText(p.wanted)}); run \`seeqret doctor --fix\``);
  }
}

/** True for a vault made by `seeqret server init` (group read access is intended). */
export function isServerVault(dir: string): boolean {
  return fs.existsSync(path.join(dir, SERVER_MARKER));
}

/**
 * Resolve the passphrase for a protected vault: --passphrase-file, then SEEQRET_PASSPHRASE,
 * then a hidden prompt on a terminal; otherwise E_PASSPHRASE_REQUIRED.
 */
export async function passphraseFor(g: GlobalOptions, purpose: string): Promise<Buffer> {
  if (g.passphraseFile) return passphraseFromFile(g.passphraseFile);
  const env = process.env['SEEQRET_PASSPHRASE'];
  if (env) return Buffer.from(env, 'utf8');
  if (stdinIsTTY()) return Buffer.from(await promptHidden(purpose), 'utf8');
  throw new SeeqretError(
    'E_PASSPHRASE_REQUIRED',
    'this vault is passphrase-protected and no passphrase was given',
    'Set SEEQRET_PASSPHRASE, pass --passphrase-file FILE, or run in a terminal to be prompted.',
  );
}

/** Open the vault for a command: warns about permissions, prompts for a passphrase if needed. */
export async function openVault(g: GlobalOptions, opts: { readonly?: boolean; allowOutdatedSchema?: boolean } = {}): Promise<Vault> {
  const dir = resolveVaultDir(g.vault);
  warnPermissions(dir);
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
