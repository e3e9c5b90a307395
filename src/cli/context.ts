/**
 * What every command shares: global options, opening the vault (with permission warnings and
 * passphrase prompting), reading stdin, confirmation, and writing to the terminal.
 *
 * Heavy modules (prompts) are imported only when a prompt is really shown.
 *
 * @module
 */
import { SeeqretError } from '../errors.js';
import { checkPrivate, modeText } from '../util/fs.js';
import { printable } from '../util/text.js';
import fs from 'node:fs';
import path from 'node:path';
import { SERVER_MARKER, resolveVaultDir } from '../vault/paths.js';
import { Vault, passphraseFromFile } from '../vault/vault.js';

/** Options accepted by every command. */
export interface GlobalOptions {
  vault?: string;
  passphraseFile?: string;
  debug?: boolean;
}

/** Write a line to stdout. */
export function out(line: string): void {
  process.stdout.write(line.endsWith('\n') ? line : line + '\n');
}

/** Write a diagnostic line to stderr (never a secret value). */
export function info(line: string): void {
  process.stderr.write(printable(line.replace(/\n$/, '')) + '\n');
}

/** Write a warning to stderr. */
export function warn(line: string): void {
  process.stderr.write(`seeqret: warning: ${printable(line)}\n`);
}

/** True when stdin is an interactive terminal. */
export function stdinIsTTY(): boolean {
  return process.stdin.isTTY === true;
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

/** Read all of stdin as bytes. */
export async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Ask for hidden input on the terminal (requires a TTY). */
export async function promptHidden(message: string): Promise<string> {
  if (!stdinIsTTY()) throw new SeeqretError('E_NO_TTY', `cannot ask for ${message.toLowerCase()}: not a terminal`, 'Pass the value on stdin or with the documented option.');
  const { password } = await import('@inquirer/prompts');
  return password({ message, mask: false }, { output: process.stderr });
}

/** Ask for visible input on the terminal with an optional default (requires a TTY). */
export async function promptText(message: string, def?: string): Promise<string> {
  if (!stdinIsTTY()) throw new SeeqretError('E_NO_TTY', `cannot ask for ${message.toLowerCase()}: not a terminal`, 'Pass it as an option.');
  const { input } = await import('@inquirer/prompts');
  return input({ message, ...(def === undefined ? {} : { default: def }), required: true }, { output: process.stderr });
}

/**
 * Ask a yes/no question on stderr and read one line from stdin (terminal or pipe).
 * Only `y`/`yes` (any case) is yes; end of input is no.
 */
export async function confirm(question: string): Promise<boolean> {
  process.stderr.write(`${question} [y/N] `);
  const { createInterface } = await import('node:readline');
  const rl = createInterface({ input: process.stdin, terminal: false });
  try {
    const line = await new Promise<string | null>((resolve) => {
      rl.once('line', (l) => resolve(l));
      rl.once('close', () => resolve(null));
    });
    if (line === null) process.stderr.write('\n');
    return line !== null && /^\s*y(es)?\s*$/i.test(line);
  } finally {
    rl.close();
  }
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

/** Read a secret value for a command: the argument, else stdin (pipe), else a hidden prompt. */
export async function readValue(arg: string | undefined, opts: { label: string; multiline?: boolean }): Promise<string> {
  if (arg !== undefined) return arg;
  if (!stdinIsTTY()) {
    const { decodeUtf8 } = await import('../util/fs.js');
    let s = decodeUtf8(await readStdin(), 'the value on stdin');
    if (!opts.multiline) s = s.replace(/\r?\n$/, '');
    return s;
  }
  if (opts.multiline) {
    info(`Enter the value for ${opts.label}; end with Ctrl-D on an empty line.`);
    const { decodeUtf8 } = await import('../util/fs.js');
    return decodeUtf8(await readStdin(), 'the value');
  }
  return promptHidden(`Value for ${opts.label}`);
}
