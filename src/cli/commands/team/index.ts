/**
 * The `seeqret team …` command tree (pocket_protector's `protected.yaml`, docs/team.md): only
 * commander calls. Each action imports its handler module when that command runs, so start-up
 * pays for this file only; the handlers' option types are imported as types (erased).
 *
 * @module
 */
import { type Command, Option } from 'commander';
import { withGlobals } from '../../action.js';
import { cliRun } from '../../cli-io.js';
import { subCommandWord } from '../../compat.js';
import type { TeamOptions } from './common.js';
import type { AddCustodianOptions, InitOptions, KeyTypeOptions, RmCustodianOptions } from './custodians.js';
import type { MigrateOwnerOptions, RmOwnerOptions, SecretValueOptions } from './domains.js';
import type { ExecOptions } from './exec.js';
import type { DecryptOptions, TeamReportOptions } from './read.js';
import { reportFormatOption } from '../../options.js';
import type { AcceptOptions, TrustOptions } from './signing.js';
import type { PullOptions, PushOptions } from './sync.js';

/** Run a handler with the group's options (and the global ones) of the command `cmd`; its status becomes the exit code. */
async function run(cmd: Command, handler: (g: TeamOptions) => Promise<number>): Promise<void> {
  const g = cmd.optsWithGlobals<TeamOptions>();
  cliRun().status = await withGlobals(g, () => handler(g));
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];
const custodians = () => import('./custodians.js');
const domains = () => import('./domains.js');
const read = () => import('./read.js');
const signing = () => import('./signing.js');
const sync = () => import('./sync.js');

/**
 * Add the `team` command group to `program`: every sub-command, or, given the command line's `args`
 * (src/cli/main.ts passes them when it builds a partial tree), only the one they name when its word
 * follows `team` and options the tree knows (see `subCommandWord`).
 */
export function registerTeam(program: Command, args?: readonly string[]): void {
  const team = program
    .command('team')
    .description("Team store: pocket_protector's protected.yaml (domains, owners, sealed secrets) kept in git")
    .option('--file <file>', 'the team file', 'protected.yaml')
    .option('--confirm', 'show the diff and ask before writing')
    .option('--non-interactive', 'never prompt: fail when credentials are missing')
    .option('-u, --user <name>', 'the acting key custodian (else SEEQRET_TEAM_USER, PPROTECT_USER, a prompt)')
    .option('--team-passphrase-file <file>', "the custodian's passphrase from FILE (else SEEQRET_TEAM_PASSPHRASE, PPROTECT_PASSPHRASE, a prompt)")
    .option('--new-passphrase-file <file>', 'a new passphrase from FILE (set-passphrase, rekey; else SEEQRET_TEAM_NEW_PASSPHRASE)')
    .option('--identity', "act as a seeqret identity custodian, unlocked with the local vault's key")
    .option('--env-prefix <prefix>', 'prefix of the old credential variables (default $PPROTECT_ENV_PREFIX, else PPROTECT)')
    .option('--ignore-env', 'ignore the credential variables (SEEQRET_TEAM_*, PPROTECT_*): flags or a prompt only')
    .option('--require-signature', 'refuse files that are not signed by a trusted custodian (also SEEQRET_TEAM_REQUIRE_SIGNATURE=1)')
    .option('--ignore-signature', 'go on although the signature is missing, wrong or by an untrusted key');
  const sub = (name: string, description: string): Command => team.command(name).description(description);
  const keyTypeOption = (types: string): Option => new Option('--key-type <type>', `custodian key type: ${types}`);
  // Each sub-command's registration, in the help's order; run below, all or the one named.
  const defs: Array<readonly [name: string, register: () => unknown]> = [];
  const def = (name: string, register: () => unknown): void => void defs.push([name, register]);

  def('init', () => sub('init', 'Create the team file with its first key custodian')
    .addOption(keyTypeOption('hard (default), fast, raw or identity'))
    .option('--pubkey <key>', 'identity custodian: this X25519 public key (default: your vault)')
    .action((o: InitOptions, cmd: Command) => run(cmd, async (g) => (await custodians()).init(g, o))));
  def('add-custodian', () => sub('add-custodian', 'Add a key custodian (-u NAME or NAME; passphrase asked twice or from the usual sources)')
    .argument('[name]', 'custodian name (an e-mail address)')
    .addOption(keyTypeOption('hard (default), fast, raw or identity'))
    .option('--pubkey <key>', "identity custodian: their vault's public key (base64 or age1…)")
    .option('--vault-user <user>', 'identity custodian: the public key of this user of your vault')
    .action((name: string | undefined, o: AddCustodianOptions, cmd: Command) => run(cmd, async (g) => (await custodians()).addCustodian(g, name, o))));
  def('rm-custodian', () => sub('rm-custodian', 'Remove a key custodian and its ownerships; lists what they could read')
    .argument('<name>', 'custodian name')
    .option('--rotate', 'rotate the key of every domain they owned that you own (your credentials)')
    .action((name: string, o: RmCustodianOptions, cmd: Command) => run(cmd, async (g) => (await custodians()).rmCustodian(g, name, o))));
  def('add-domain', () => sub('add-domain', 'Add a domain owned by you (needs your credentials)')
    .argument('<domain>', 'domain name')
    .action((domain: string, _o: unknown, cmd: Command) => run(cmd, async (g) => (await domains()).addDomain(g, domain))));
  def('rm-domain', () => sub('rm-domain', 'Remove a domain and its secrets')
    .argument('<domain>', 'domain name')
    .action((domain: string, _o: unknown, cmd: Command) => run(cmd, async (g) => (await domains()).rmDomain(g, domain))));
  def('add-owner', () => sub('add-owner', "Let another custodian read a domain (needs an owner's credentials)")
    .argument('<domain>', 'domain name')
    .argument('<owner>', 'custodian name')
    .action((domain: string, owner: string, _o: unknown, cmd: Command) => run(cmd, async (g) => (await domains()).addOwner(g, domain, owner))));
  def('rm-owner', () => sub('rm-owner', 'Remove an owner; offers (or with --rotate does) the domain key rotation in the same write')
    .argument('<domain>', 'domain name')
    .argument('<owner>', 'custodian name')
    .option('--rotate', "rotate the domain key in the same write (a remaining owner's credentials)")
    .option('-y, --yes', 'do not ask about rotating')
    .action((domain: string, owner: string, o: RmOwnerOptions, cmd: Command) => run(cmd, async (g) => (await domains()).rmOwner(g, domain, owner, o))));
  for (const [name, what] of [['add-secret', 'Add a secret (no credentials needed; fails if it exists)'], ['update-secret', 'Replace a secret (fails if it does not exist)']] as const) {
    def(name, () => sub(name, what)
      .argument('<domain>', 'domain name')
      .argument('<name>', 'secret name: a letter, then letters, digits, - and _')
      .argument('[value]', 'the value (prefer stdin or the prompt: command lines are visible to other users)')
      .option('--from-file <file>', 'read the value verbatim from FILE (- for stdin)')
      .option('--allow-empty', 'store an empty value (refused otherwise: E_EMPTY_VALUE)')
      .action((domain: string, secret: string, value: string | undefined, o: SecretValueOptions, cmd: Command) =>
        run(cmd, async (g) => (await domains())[name === 'add-secret' ? 'addSecret' : 'updateSecret'](g, domain, secret, value, o))));
  }
  def('rm-secret', () => sub('rm-secret', 'Remove a secret')
    .argument('<domain>', 'domain name')
    .argument('<name>', 'secret name')
    .action((domain: string, secret: string, _o: unknown, cmd: Command) => run(cmd, async (g) => (await domains()).rmSecret(g, domain, secret))));
  def('set-passphrase', () => sub('set-passphrase', 'Change your passphrase (new key, domain keys re-sealed)')
    .addOption(keyTypeOption('hard (default) or fast'))
    .action((o: KeyTypeOptions, cmd: Command) => run(cmd, async (g) => (await custodians()).setPassphrase(g, o))));
  def('rekey', () => sub('rekey', 'Give yourself a new key, possibly of another type (domain keys re-sealed)')
    .addOption(keyTypeOption('hard (default), fast or raw'))
    .action((o: KeyTypeOptions, cmd: Command) => run(cmd, async (g) => (await custodians()).rekey(g, o))));
  def('rotate', () => sub('rotate', 'New key pair for a domain: every secret and owner entry re-sealed (needs an owner)')
    .argument('<domain>', 'domain name')
    .action((domain: string, _o: unknown, cmd: Command) => run(cmd, async (g) => (await domains()).rotate(g, domain))));
  def('migrate-owner', () => sub('migrate-owner', 'Make a custodian owner of every domain you own')
    .argument('<owner>', 'the new owner')
    .option('--domain <domain>', 'only this domain (repeatable)', collect)
    .action((owner: string, o: MigrateOwnerOptions, cmd: Command) => run(cmd, async (g) => (await domains()).migrateOwner(g, owner, o))));
  def('decrypt', () => sub('decrypt', "Print a domain's secrets (JSON, or one value with --secret)")
    .argument('<domain>', 'domain name')
    .option('--secret <name>', 'only this secret (printed raw unless --format is given)')
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'env', 'shell']))
    .action((domain: string, o: DecryptOptions, cmd: Command) => run(cmd, async (g) => (await read()).decrypt(g, domain, o))));
  def('exec', () => sub('exec', "Run CMD with a domain's secrets in its environment (credential variables removed)")
    .argument('<command...>', 'command and arguments, after --')
    .option('--domain <domain>', 'domain to decrypt')
    .option('--prefix <prefix>', 'variable names become PREFIX_name')
    .option('--uppercase', 'map non-alphanumerics to _ and upper-case the names')
    .option('--no-passthrough', 'start from an empty environment (keeps PATH HOME TERM LANG USER SHELL LOGNAME)')
    .action((command: string[], o: ExecOptions, cmd: Command) => run(cmd, async (g) => (await import('./exec.js')).exec(g, command, o))));
  def('list-domains', () => sub('list-domains', 'List the domains')
    .addOption(reportFormatOption())
    .action((o: TeamReportOptions, cmd: Command) => run(cmd, async (g) => (await read()).listDomains(g, o))));
  def('list-secrets', () => sub('list-secrets', "List a domain's secret names, or every secret with its domains")
    .argument('[domain]', 'domain name')
    .addOption(reportFormatOption())
    .action((domain: string | undefined, o: TeamReportOptions, cmd: Command) => run(cmd, async (g) => (await read()).listSecrets(g, domain, o))));
  def('list-user-secrets', () => sub('list-user-secrets', 'List the domains a custodian owns, with their secrets (-u NAME)')
    .addOption(reportFormatOption())
    .action((o: TeamReportOptions, cmd: Command) => run(cmd, async (g) => (await read()).listUserSecrets(g, o))));
  def('audit', () => sub('audit', "Print the file's audit log")
    .addOption(reportFormatOption())
    .action((o: TeamReportOptions, cmd: Command) => run(cmd, async (g) => (await read()).audit(g, o))));
  def('truncate-audit', () => sub('truncate-audit', 'Keep only the newest N audit entries')
    .argument('<n>', 'entries to keep')
    .action((n: string, _o: unknown, cmd: Command) => run(cmd, async (g) => (await domains()).truncateAudit(g, n))));
  def('info', () => sub('info', 'Show the format, extensions, custodians, domains and signature')
    .addOption(reportFormatOption())
    .action((o: TeamReportOptions, cmd: Command) => run(cmd, async (g) => (await read()).teamInfo(g, o))));
  def('sign', () => sub('sign', 'Sign the file as you and keep it signed (seeqret extension: pprotect cannot read it then)')
    .action((_o: unknown, cmd: Command) => run(cmd, async (g) => (await signing()).sign(g))));
  def('unsign', () => sub('unsign', 'Stop signing the file')
    .action((_o: unknown, cmd: Command) => run(cmd, async (g) => (await signing()).unsign(g))));
  def('verify', () => sub('verify', 'Check the signature: exit 0 only when it matches and you trust the signer')
    .addOption(reportFormatOption())
    .action((o: TeamReportOptions, cmd: Command) => run(cmd, async (g) => (await signing()).verify(g, o))));
  def('trust', () => sub('trust', "Trust a custodian's signing key (from the file's signature, or --key)")
    .argument('<name>', 'custodian name')
    .option('--key <key>', 'their signing key (base64)')
    .option('-y, --yes', 'do not ask')
    .action((name: string, o: TrustOptions, cmd: Command) => run(cmd, async (g) => (await signing()).trust(g, name, o))));
  def('accept', () => sub('accept', 'After checking a change (new keys, an older version), trust this exact file from now on')
    .option('--keys <fingerprint>', 'accept only when the keys have this fingerprint (team info shows it)')
    .option('-y, --yes', 'do not ask')
    .action((o: AcceptOptions, cmd: Command) => run(cmd, async (g) => (await signing()).accept(g, o))));
  def('pull', () => sub('pull', "Copy a domain's secrets into your vault (conflicts as in load)")
    .requiredOption('--domain <domain>', 'domain to decrypt')
    .option('--app <app>', 'application in the vault', '*')
    .option('--env <env>', 'environment in the vault (default: the domain name)')
    .option('--overwrite', 'replace vault secrets that have another value (old values go to history)')
    .action((o: PullOptions, cmd: Command) => run(cmd, async (g) => (await sync()).pull(g, o))));
  def('push', () => sub('push', "Add or update the vault secrets of the domain's app and env in the domain (the key name is the secret name)")
    .requiredOption('--domain <domain>', 'domain to write')
    .option('--app <app>', 'application in the vault', '*')
    .option('--env <env>', 'environment in the vault (default: the domain name)')
    .option('-f, --filter <filter>', 'only the keys these filters match, within that app and env (repeatable)', collect)
    .option('--allow-empty', 'push empty values too (refused otherwise: E_EMPTY_VALUE)')
    .option('--overwrite', 'replace secrets the domain has with another value (without credentials: any it has)')
    .action((o: PushOptions, cmd: Command) => run(cmd, async (g) => (await sync()).push(g, o))));
  const word = args === undefined ? undefined : subCommandWord(program, team, args);
  const only = defs.some(([name]) => name === word) ? word : undefined;
  for (const [name, register] of defs) if (only === undefined || name === only) register();
}
