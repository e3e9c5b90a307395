/**
 * `seeqret init [DIR]`: create a vault.
 *
 * @module
 */
import os from 'node:os';
import path from 'node:path';
import { toAgeRecipient } from '../../../crypto/age.js';
import { keyToBase64 } from '../../../crypto/index.js';
import { SeeqretError } from '../../../errors.js';
import { checkEmail } from '../../../util/email.js';
import { findVcsRoot } from '../../../util/vcs.js';
import { resolveVaultDir } from '../../../vault/paths.js';
import { Vault } from '../../../vault/vault.js';
import { type GlobalOptions, info, out, promptText, stdinIsTTY } from '../../context.js';
import { io } from '../../cli-io.js';
import { newVaultPassphraseRequest, requirePassphrase } from '../../../passphrase.js';
import { cliPassphrases } from '../../passphrases.js';

/** Options of `init`. */
export interface InitOptions {
  user?: string;
  email?: string;
  name?: string;
  passphrase?: boolean;
  force?: boolean;
}

/** A passphrase for a new vault: file, SEEQRET_PASSPHRASE, or asked twice; at least 8 characters. */
export function newPassphrase(g: GlobalOptions): Promise<Buffer> {
  return requirePassphrase(cliPassphrases({ vault: g.passphraseFile }), newVaultPassphraseRequest(), {
    message: '--passphrase needs a passphrase and this is not a terminal',
    fix: 'Set SEEQRET_PASSPHRASE or pass --passphrase-file FILE.',
  });
}

/** Create the vault and print its identity. */
export async function init(g: GlobalOptions, dirArg: string | undefined, opts: InitOptions): Promise<number> {
  const dir = dirArg ? path.join(path.resolve(dirArg), 'seeqret') : resolveVaultDir(g.vault, io().env);
  const vcs = findVcsRoot(path.dirname(dir));
  if (vcs && !opts.force) {
    throw new SeeqretError('E_IN_VCS', `${dir} is inside the ${vcs.vcs} work tree ${vcs.root}`, 'Put the vault outside version control (e.g. ~/.seeqret), or pass --force.');
  }
  let user = opts.user;
  let email = opts.email;
  if (!user || !email) {
    if (!stdinIsTTY()) {
      throw new SeeqretError('E_USAGE', `missing ${!user ? '--user' : '--email'} (not a terminal, so it cannot be asked)`, 'Pass --user NAME --email ADDR.');
    }
    user ??= await promptText('Your user name', os.userInfo().username);
    email ??= await promptText('Your e-mail address');
  }
  email = checkEmail(email.trim(), '--email');
  const passphrase = opts.passphrase ? await newPassphrase(g) : undefined;
  const vault = Vault.create({ dir, username: user, email, ...(opts.name ? { name: opts.name } : {}), ...(passphrase ? { passphrase } : {}) });
  try {
    out(`Created vault ${vault.dir} for ${user} <${email}>`);
    out(`public key (base64): ${keyToBase64(vault.publicKey)}`);
    out(`public key (age):    ${toAgeRecipient(vault.publicKey)}`);
    if (!passphrase) info('The key file is protected by file permissions only (0600); use --passphrase to encrypt it.');
    if (dir !== resolveVaultDir(undefined, io().env)) info(`Use it with: export SEEQRET=${dir}`);
  } finally {
    vault.close();
  }
  return 0;
}
