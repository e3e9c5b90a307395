/**
 * What every `seeqret team …` handler shares: the group's options, the {@link TeamSession} built
 * from them (the terminal as {@link TeamPrompts}, the local vault, the run's environment), rendering the
 * use cases' notices, and the wrapper that selects pprotect's exit codes and gives the commands
 * named in fixes the `--vault` / `--file` this command was run with.
 *
 * @module
 */
import { SeeqretError } from '../../../errors.js';
import type { PassphraseSource } from '../../../passphrase.js';
import type { TeamPrompts } from '../../../team/credentials.js';
import { type TeamNotice, type TeamSession, type TeamVaultAccess, isTeamFileError, noticesBefore, quoteArg } from '../../../team/session.js';
import { printable } from '../../../util/text.js';
import { resolveVaultDir } from '../../../vault/paths.js';
import { Vault } from '../../../vault/vault.js';
import { markForProfile } from '../../exit-profile.js';
import { type GlobalOptions, confirm, info, openVault, promptHidden, promptNewSecret, promptText, stdinIsTTY, warn, withVault } from '../../context.js';
import { vaultIdentitySecretKey } from '../../../vault/internal.js';
import { io } from '../../cli-io.js';

/** Options of the `team` command group (shared by every subcommand). */
export interface TeamOptions extends GlobalOptions {
  file?: string;
  confirm?: boolean;
  nonInteractive?: boolean;
  user?: string;
  teamPassphraseFile?: string;
  newPassphraseFile?: string;
  identity?: boolean;
  envPrefix?: string;
  ignoreSignature?: boolean;
  requireSignature?: boolean;
  ignoreEnv?: boolean;
}

/** `-y/--yes` of the commands that ask. */
export interface YesOptions {
  yes?: boolean;
}

export const fileOf = (g: TeamOptions): string => g.file ?? 'protected.yaml';

/** `seeqret [--vault V] team [--file F] REST`: a command to show in a hint, with the options this one was run with. */
export function teamCmd(g: TeamOptions, rest: string): string {
  const parts = ['seeqret'];
  if (g.vault) parts.push('--vault', quoteArg(g.vault));
  parts.push('team');
  if (fileOf(g) !== 'protected.yaml') parts.push('--file', quoteArg(fileOf(g)));
  return `${parts.join(' ')} ${rest}`;
}

/** Print the use cases' notices: information as is, warnings as warnings. */
export function show(notices: readonly TeamNotice[]): void {
  for (const n of notices) (n.level === 'warning' ? warn : info)(n.text);
}

/**
 * With --non-interactive, refuse before opening a passphrase-protected vault whose passphrase
 * would have to be asked for (openVault prompts on a terminal).
 */
function vaultWithoutPrompt(g: TeamOptions): void {
  if (!g.nonInteractive || g.passphraseFile || io().env['SEEQRET_PASSPHRASE']) return;
  const probe = Vault.probe(resolveVaultDir(g.vault, io().env));
  if (probe.exists && probe.passphraseProtected) {
    throw new SeeqretError('E_PASSPHRASE_REQUIRED', 'this vault is passphrase-protected and --non-interactive forbids asking for its passphrase', `Set SEEQRET_PASSPHRASE, or give the vault's passphrase file before the word team: seeqret --passphrase-file FILE team …`);
  }
}

/** The local vault as the team use cases open it: never prompting for its passphrase under --non-interactive. */
function cliVault(g: TeamOptions): TeamVaultAccess {
  return {
    async identity() {
      vaultWithoutPrompt(g);
      const v = await openVault(g, { readonly: true });
      try {
        return { publicKey: Buffer.from(v.publicKey), secretKey: Buffer.from(vaultIdentitySecretKey(v)) };
      } finally {
        v.close();
      }
    },
    use(fn, opts = {}) {
      vaultWithoutPrompt(g);
      return withVault(g, fn, opts);
    },
  };
}

/** The terminal as the team use cases ask through it. */
function cliPrompts(g: TeamOptions): TeamPrompts {
  const nonInteractive = g.nonInteractive === true;
  const interactive = (): boolean => !nonInteractive && stdinIsTTY();
  return {
    nonInteractive,
    get interactive() {
      return interactive();
    },
    text: (label) => promptText(label),
    confirm: (q) => confirm(q),
    async rawKey(key) {
      const bar = '='.repeat(72);
      io().stdout.write(`\n${bar}\n  GENERATED RAW KEY (copy it now, it will not be shown again):\n\n  ${key}\n\n  It is this custodian's passphrase. LOSING IT MEANS LOSING THIS CUSTODIAN'S ACCESS.\n${bar}\n\n`);
      if (!interactive()) return true;
      return (await promptText('Have you saved the key? Type YES to confirm')).trim() === 'YES';
    },
    async confirmWrite(diff) {
      io().stderr.write(`Changes to be written:\n\n${diff.split('\n').map((l) => printable(l)).join('\n')}\n`);
      return confirm('Write changes?');
    },
  };
}

/**
 * The terminal as the last source of the team passphrase chain (after the options and the
 * credential variables): a hidden prompt, a new passphrase asked twice; nothing under
 * --non-interactive or off a terminal.
 */
function cliTeamPassphrases(g: TeamOptions): PassphraseSource {
  return {
    async passphrase(r) {
      if (g.nonInteractive === true || !stdinIsTTY()) return undefined;
      if (r.isNew) return Buffer.from(await promptNewSecret(r.label, { what: 'the new passphrase', repeat: r.repeat ?? 'Repeat the new passphrase', passphrase: true }), 'utf8');
      info(`Verify credentials for ${r.target ?? fileOf(g)} (${r.label})`);
      return Buffer.from(await promptHidden('Passphrase'), 'utf8');
    },
  };
}

/** The session of a `team` command: its file, this vault's pins, the terminal, the run's environment. */
export function teamSession(g: TeamOptions): TeamSession {
  return {
    file: fileOf(g),
    vaultDir: resolveVaultDir(g.vault, io().env),
    env: io().env,
    credentials: { user: g.user, passphraseFile: g.teamPassphraseFile, newPassphraseFile: g.newPassphraseFile, identity: g.identity, envPrefix: g.envPrefix, ignoreEnv: g.ignoreEnv },
    prompts: cliPrompts(g),
    passphrases: cliTeamPassphrases(g),
    vault: cliVault(g),
    ignoreSignature: g.ignoreSignature,
    requireSignature: g.requireSignature,
    confirmWrites: g.confirm,
    command: (rest) => teamCmd(g, rest),
  };
}

/**
 * Run a team handler: select pprotect's exit codes, show the notices an error carries, mark the
 * team file's missing/exists errors for the profile, and make the `seeqret team …` commands its
 * error hints name carry the same `--vault` / `--file` (hints for someone else start "Ask").
 */
export async function runTeam(g: TeamOptions, fn: (s: TeamSession) => Promise<number> | number): Promise<number> {
  try {
    return await fn(teamSession(g));
  } catch (e) {
    show(noticesBefore(e));
    if (isTeamFileError(e)) markForProfile(e); // pprotect exits 2 for them (src/cli/exit-profile.ts)
    // Hints built with teamCmd carry the options already; those from the store layer do not.
    // A hint for someone else ("Ask an owner … to run …") gets the file but not your vault.
    const forOthers = e instanceof SeeqretError && e.fix.startsWith('Ask ');
    if (e instanceof SeeqretError && e.fix.includes('seeqret team ') && ((g.vault && !forOthers) || fileOf(g) !== 'protected.yaml')) {
      const as = forOthers ? { ...g, vault: undefined } : g;
      Object.defineProperty(e, 'fix', { value: e.fix.replace(/seeqret team (?!--file )/g, teamCmd(as, '')) });
    }
    throw e;
  }
}
