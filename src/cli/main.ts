/**
 * The command tree. Each action imports its command module only when that command runs, so
 * start-up pays for commander and this file, nothing else.
 *
 * @module
 */
import { Argument, Command, Option } from 'commander';
import { SeeqretError } from '../errors.js';
import { VERSION } from '../version.js';
import type { GlobalOptions } from './context.js';
import type { SendOptions } from './commands/send.js';
import type { DoctorOptions } from './commands/maintenance.js';
import { registerSecureStore } from './commands/securestore/index.js';
import { registerTeam } from './commands/team/index.js';
import { registerRelay } from './commands/relay/index.js';
import { refuseAttachedPassword, teamPassphraseFile } from './compat.js';
import { reportError } from './report.js';

/** A command module's handler: its options `O` are what commander gives for the options declared here. */
type Action<O> = (g: GlobalOptions, args: unknown[], opts: O) => Promise<number | void>;

/**
 * Wrap a lazily imported command module's function as a commander action. `O` is the handler's
 * options interface; it must match the options declared on its command below.
 */
function lazy<O>(load: () => Promise<Action<O>>) {
  return async function (this: Command, ...params: unknown[]): Promise<void> {
    const cmd = params[params.length - 1] as Command;
    const opts = cmd.opts() as O;
    const g = cmd.optsWithGlobals() as GlobalOptions;
    const args = params.slice(0, -2);
    if (g.followSymlinks) (await import('../util/fs.js')).setFollowSymlinks(true);
    const fn = await load();
    const code = await fn(g, args, opts);
    if (typeof code === 'number') process.exitCode = code;
  };
}

/** Run a typed handler (of a lazily imported module) with the global options of `cmd`; its status becomes the exit code. */
async function runTyped(cmd: Command, handler: (g: GlobalOptions) => Promise<number | void>): Promise<void> {
  const g = cmd.optsWithGlobals<GlobalOptions>();
  if (g.followSymlinks) (await import('../util/fs.js')).setFollowSymlinks(true);
  const code = await handler(g);
  if (typeof code === 'number') process.exitCode = code;
}

const formatOption = (): Option => new Option('--format <format>', 'output format').choices(['table', 'json', 'yaml', 'csv', 'env', 'shell']).default('table');
const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/**
 * `seeqret help add key`: the help of the command those words name (as `seeqret add key --help`);
 * `E_USAGE` naming the first word that is no command there.
 */
function helpOf(program: Command, words: readonly string[]): void {
  let cmd = program;
  for (const w of words) {
    const next = cmd.commands.find((c) => c.name() === w || c.aliases().includes(w));
    if (!next) {
      const where = cmd === program ? 'seeqret' : `seeqret ${words.slice(0, words.indexOf(w)).join(' ')}`;
      throw new SeeqretError('E_USAGE', `${where} has no command '${w}'`, `Run \`${where} --help\` to see its commands.`);
    }
    cmd = next;
  }
  cmd.outputHelp();
}

/** Build the full command tree (no command module is loaded here). */
export function buildProgram(): Command {
  const program = new Command('seeqret')
    .description('Encrypted local secrets vault: store, share by public key, inject into processes.')
    .version(VERSION, '-V, --version')
    .option('--vault <dir>', 'vault folder (default: $SEEQRET, else ~/.seeqret)')
    .option('--passphrase-file <file>', 'read the vault passphrase from FILE')
    .option('--debug', 'show stack traces on errors')
    .option('--follow-symlinks', 'write a file named by a symbolic link (default: refuse, E_SYMLINK)')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ outputError: () => undefined });

  program
    .command('init')
    .description('Create a new vault in DIR/seeqret (or the resolved vault location)')
    .argument('[dir]', 'parent folder; the vault is DIR/seeqret')
    .option('--user <name>', 'your user name')
    .option('--email <addr>', 'your e-mail address')
    .option('--name <full>', 'your full name')
    .option('--passphrase', 'protect the key file with a passphrase (Argon2id)')
    .option('--force', 'create it even inside a git/hg/svn work tree')
    .action(lazy(async () => (await import('./commands/init.js')).init));

  const add = program.command('add').description('Add a secret');
  add
    .command('key')
    .description('Add a NAME -> VALUE secret (VALUE from stdin or a hidden prompt when omitted)')
    .argument('<name>', 'key name')
    .argument('[value]', 'the value (prefer stdin: command lines are visible to other users)')
    .option('--app <app>', 'application (default * = global)', '*')
    .option('--env <env>', 'environment (default * = global)', '*')
    .option('--type <type>', 'value type', 'str')
    .option('--force', 'replace an existing value (the old one is kept in history)')
    .option('--allow-empty', 'store an empty value (refused otherwise: E_EMPTY_VALUE)')
    .action(lazy(async () => (await import('./commands/add.js')).addKey));
  add
    .command('text')
    .description('Add a multi-line secret read from stdin')
    .argument('<name>', 'key name')
    .option('--app <app>', 'application (default * = global)', '*')
    .option('--env <env>', 'environment (default * = global)', '*')
    .option('--force', 'replace an existing value (the old one is kept in history)')
    .option('--allow-empty', 'store an empty value (refused otherwise: E_EMPTY_VALUE)')
    .action(lazy(async () => (await import('./commands/add.js')).addText));
  add
    .command('user')
    .description("Add a person's public key (paste their `seeqret introduction` line)")
    .option('--username <name>', 'their user name')
    .option('--email <addr>', 'their e-mail address')
    .option('--name <full>', 'their full name')
    .option('--pubkey <key>', 'their X25519 public key: base64 (44 chars) or age1…')
    .option('--pgp-key <file>', 'their OpenPGP public key (armored or binary), for `seeqret send`')
    .option('--force', 'replace the PGP key already stored for this name')
    .action(lazy(async () => (await import('./commands/users.js')).addUser));

  program
    .command('get')
    .description('Print the value of the one secret FILTER matches')
    .argument('<filter>', 'filter app:env:key (one part = key)')
    .option('-n, --no-newline', 'do not print a newline after the value')
    .action(lazy(async () => (await import('./commands/get.js')).get));

  program
    .command('list')
    .description('List secrets (values REDACTED unless --reveal)')
    .argument('[filter]', 'filter app:env:key')
    .option('-f, --filter <filter>', 'filter (repeatable; union)', collect)
    .option('--reveal', 'show values (also SEEQRET_NO_REDACT=1)')
    .option('--age', 'show how long ago each value was set')
    .option('--exposed', 'only secrets marked exposed (a removed user had their current value)')
    .option('--pending', 'only names received from someone else and not accepted yet (with where they came from)')
    .addOption(formatOption())
    .action(lazy(async () => (await import('./commands/list.js')).list));

  program
    .command('history')
    .description('List the versions of the secrets FILTER matches')
    .argument('<filter>', 'filter app:env:key')
    .option('--reveal', 'show values')
    .addOption(formatOption())
    .action(lazy(async () => (await import('./commands/list.js')).history));

  program
    .command('edit')
    .description('Change secrets')
    .command('value')
    .description('Set a new VALUE on the secret FILTER matches (old value kept in history)')
    .argument('<filter>', 'filter app:env:key')
    .argument('[value]', 'new value (stdin or hidden prompt when omitted)')
    .option('--all', 'change every secret the filter matches')
    .option('--allow-empty', 'store an empty value (refused otherwise: E_EMPTY_VALUE)')
    .action(lazy(async () => (await import('./commands/edit.js')).editValue));

  const rm = program.command('rm').description('Remove secrets or users');
  rm
    .command('user')
    .description('Remove a user; lists what they received and marks still-current values exposed')
    .argument('<name>', 'user name')
    .option('-y, --yes', 'do not ask')
    .action(lazy(async () => (await import('./commands/users.js')).rmUser));
  rm
    .command('key')
    .description('Remove the secrets FILTER matches (asks first)')
    .argument('<filter>', 'filter app:env:key')
    .option('-y, --yes', 'do not ask')
    .option('--all', 'allow a filter that matches every secret')
    .action(lazy(async () => (await import('./commands/edit.js')).rmKey));

  program
    .command('importenv')
    .description('Import a .env file (all or nothing)')
    .argument('<file>', 'dotenv file, or - for stdin')
    .option('--app <app>', 'application for the imported keys', '*')
    .option('--env <env>', 'environment for the imported keys', '*')
    .option('--update', 'replace existing values that differ')
    .option('--dry-run', 'show what would change, write nothing')
    .addOption(new Option('--dialect <dialect>', 'read the file as this program does (default: the dialect seeqret env wrote it for, else seeqret\'s dotenv grammar)').choices(['node', 'python', 'compose', 'shell']))
    .action(lazy(async () => (await import('./commands/importenv.js')).importenv));

  program
    .command('env')
    .description('Write a .env file from env.template')
    .option('--template <file>', 'template file', 'env.template')
    .option('--out <file>', 'output file', '.env')
    .option('--stdout', 'print to stdout instead of writing a file')
    .addOption(new Option('--dialect <dialect>', 'the program that reads the file (default: @dialect in the template, seeqret.yaml, node)').choices(['node', 'python', 'compose', 'shell']))
    .option('--force', 'replace the file even if it changed since seeqret env wrote it, or was not written by it')
    .action(lazy(async () => (await import('./commands/env.js')).env));

  program
    .command('run')
    .description('Run CMD with secrets in its environment (no shell)')
    .argument('<command...>', 'command and arguments, after --')
    .option('-e, --env <env>', 'project environment (default: SEEQRET_ENV, the checkout default, seeqret.yaml)')
    .option('-f, --filter <filter>', 'secrets to export (repeatable; default: the project environment, else env.template)', collect)
    .option('--template <file>', 'env.template to use when no -f is given (default: env.template; inside a project only when given)')
    .option('--prefix <prefix>', 'prefix for variable names', '')
    .option('--preserve-existing', 'keep variables that are already set (non-empty) in the environment')
    .option('--umask <mode>', "the child's umask, octal written with 0o (default 0o077)")
    .option('--mask', "replace secret values in the command's output with *****")
    .action(lazy(async () => (await import('./commands/run.js')).run));
  program
    .command('template')
    .description("Render {{ VAR }} placeholders in SRC with the project environment's secrets")
    .argument('<src>', 'template file')
    .argument('<dest>', 'output file (written atomically, mode 0600), or - for stdout')
    .option('-e, --env <env>', 'project environment (default: SEEQRET_ENV, the checkout default, seeqret.yaml)')
    .action(lazy(async () => (await import('./commands/template.js')).template));
  program
    .command('send')
    .description("E-mail secrets encrypted with OpenPGP to each recipient's key, through an SMTP server")
    .argument('<vars...>', 'variables of the project environment (own or Export name), or app:env:key filters')
    .option('--to <recipient>', 'e-mail address or name of a stored PGP key (repeatable, or comma-separated)', collect)
    .option('-e, --env <env>', 'project environment (default: SEEQRET_ENV, the checkout default, seeqret.yaml)')
    .option('--smtp-host <host>', 'SMTP server', 'localhost')
    .option('--smtp-port <port>', 'SMTP port (default 465 with --tls, 587 with --starttls, else 25)')
    .option('--tls', 'implicit TLS (SMTPS)')
    .option('--starttls', 'require STARTTLS')
    .option('--smtp-ca <file>', "PEM certificate(s) to trust for the server's certificate")
    .option('--smtp-user-secret <filter>', 'secret holding the SMTP user name (default SMTP_USERNAME)')
    .option('--smtp-password-secret <filter>', 'secret holding the SMTP password (default SMTP_PASSWORD)')
    .option('--from <address>', "sender address (default: the vault owner's e-mail)")
    .option('--subject <text>', 'subject line (not encrypted)')
    .action(async (vars: string[], o: SendOptions, cmd: Command) => {
      await runTyped(cmd, async (g) => (await import('./commands/send.js')).send(g, vars, o));
    });

  program
    .command('owner')
    .description('Show the vault owner, public key and fingerprint')
    .addOption(formatOption())
    .action(lazy(async () => (await import('./commands/users.js')).owner));
  program
    .command('whoami')
    .description("Print the owner's user name and e-mail")
    .action(lazy(async () => (await import('./commands/users.js')).whoami));
  program
    .command('public-key')
    .description("Print the owner's public key (base64, or age1… with --age)")
    .option('--age', 'as an age recipient')
    .action(lazy(async () => (await import('./commands/users.js')).publicKey));
  program
    .command('introduction')
    .description('Print a ready-to-paste `seeqret add user` line for yourself')
    .action(lazy(async () => (await import('./commands/users.js')).introduction));
  const users = program
    .command('users')
    .description('List the users (with fingerprints and verification)')
    .option('--export', 'print `seeqret add user` lines for every user')
    .option('--pgp', 'list the stored OpenPGP keys (recipients of `seeqret send`)')
    .addOption(formatOption())
    .action(lazy(async () => (await import('./commands/users.js')).users));
  users
    .command('verify')
    .description("Record that NAME's key fingerprint was compared with them")
    .argument('<name>', 'user name')
    .option('--fingerprint <digits>', 'the fingerprint they read to you (checked, no question asked)')
    .option('-y, --yes', 'do not ask')
    .action(lazy(async () => (await import('./commands/users.js')).verify));

  program
    .command('export')
    .description('Export secrets encrypted to users (default format: seeqret bundle)')
    .option('--to <user>', 'recipient: a user name, self or all (repeatable)', collect)
    .option('-f, --filter <filter>', 'secrets to export (repeatable; union)', collect)
    .option('-s, --serializer <name>', 'bundle, json-crypt or command', 'bundle')
    .option('-o, --out <file>', 'output file (several recipients: FILE.NAME.ext each)')
    .action(lazy(async () => (await import('./commands/share.js')).exportCmd));
  program
    .command('load')
    .description('Load secrets exported to you (all or nothing)')
    .option('-u, --user <sender>', 'the user who sent it (required for the old formats)')
    .option('-f, --file <file>', 'read from FILE (default: stdin)')
    .option('-v, --value <value>', 'a `command` serializer value')
    .option('-s, --serializer <name>', 'bundle, json-crypt or command (default: detected)')
    .option('--overwrite', 'replace existing secrets that have another value')
    .option('--force', 'load a bundle that was loaded before')
    .option('--accept', 'accept the new names it brings without asking (else asked on a terminal, or left pending)')
    .action(lazy(async () => (await import('./commands/share.js')).load));
  program
    .command('accept')
    .description('Accept names received from someone else, so that filters export them (see `list --pending`)')
    .argument('[name...]', 'app:env:key names (or filters)')
    .option('-f, --filter <filter>', 'accept every pending name this filter matches (repeatable)', collect)
    .action(lazy(async () => (await import('./commands/list.js')).accept));
  program
    .command('serializers')
    .description('List the export/load formats')
    .action(lazy(async () => (await import('./commands/share.js')).serializers));
  const auditCmd = program
    .command('audit')
    .description('Show the audit log (changes, exports, loads, reads by the CLI)')
    .option('--since <when>', 'ISO date/time, or a duration such as 7d, 12h')
    .option('--user <name>', 'entries by or about this user')
    .option('--action <action>', 'only this action (e.g. export, secret.read, audit.checkpoint)')
    .option('--verify', 'check the hash chain and report')
    .addOption(formatOption())
    .action(lazy(async () => (await import('./commands/audit.js')).audit));
  auditCmd
    .command('compact')
    .description('Fold the oldest entries into one signed checkpoint entry (default: those older than 90 days)')
    .option('--before <when>', 'fold the entries older than this ISO date/time, or duration such as 30d')
    .option('--keep <n>', 'fold all but the newest N entries')
    .action(lazy(async () => (await import('./commands/audit.js')).compact));

  program
    .command('backup')
    .description('Write an encrypted backup (age file; `age -d` decrypts it without seeqret)')
    .option('-o, --out <file>', 'output file (default seeqret-backup-DATE.age)')
    .option('--include-keys', "include the owner's key pair (restoring keeps the same public key)")
    .option('--html', "also write the old tool's self-decrypting HTML page")
    .option('--armor', 'ASCII-armored age file')
    .option('--backup-passphrase-file <file>', 'backup passphrase from FILE (else SEEQRET_BACKUP_PASSPHRASE, else asked twice)')
    .action(lazy(async () => (await import('./commands/backup.js')).backup));
  program
    .command('restore')
    .description('Restore a backup into the vault (created when missing; conflicts as in load)')
    .argument('<file>', 'backup file (.age, armored, or the HTML page)')
    .option('--overwrite', 'replace existing secrets that have another value')
    .option('--passphrase', 'protect a newly created vault with a passphrase')
    .option('--backup-passphrase-file <file>', 'backup passphrase from FILE (else SEEQRET_BACKUP_PASSPHRASE, else asked)')
    .action(lazy(async () => (await import('./commands/backup.js')).restore));
  program
    .command('import-vault')
    .description("Migrate a vault folder of the old seeqret tool (values, users)")
    .argument('<path>', 'the old vault folder (holding seeqrets.db), or its parent')
    .option('--keep-identity', 'keep the old key pair (only when this creates the vault)')
    .option('--overwrite', 'replace existing secrets that have another value')
    .action(lazy(async () => (await import('./commands/migrate.js')).importVault));
  program
    .command('server')
    .description('Deployment-server vaults')
    .command('init')
    .description('Create a server vault (default /srv/.seeqret) readable by a group, read by apps through the library')
    .argument('[dir]', 'vault folder', '/srv/.seeqret')
    .option('--group <group>', 'group whose members (the apps) may read it', 'seeqret')
    .option('--user <name>', 'user name of the server (default: host name)')
    .option('--email <addr>', 'contact address')
    .action(lazy(async () => (await import('./commands/server.js')).serverInit));
  program
    .command('inbox')
    .description('Load every bundle dropped in a folder (default VAULT/inbox); loaded files are removed')
    .argument('[dir]', 'inbox folder')
    .option('--overwrite', 'replace existing secrets that have another value')
    .option('--allow-old-formats', "also load the old tool's json-crypt/command files (no replay protection, names not authenticated)")
    .option('--accept', 'accept the new names the bundles bring (else they stay pending: see `seeqret accept`)')
    .action(lazy(async () => (await import('./commands/server.js')).inbox));

  registerSecureStore(program);
  // ---- Projects: psec-style environments, descriptions, typed generation (docs/project.md) ----
  const envOption = (): Option => new Option('-e, --env <env>', 'environment (default: SEEQRET_ENV, .seeqret-environment, seeqret.yaml)');
  const listFormatOption = (): Option => new Option('--format <format>', 'output format').choices(['table', 'json', 'yaml', 'csv']).default('table');
  const generationOptions = (c: Command): Command =>
    c
      .option('-U, --unique', 'a value per variable (default: one value per type, shared)')
      .option('-g, --group <group>', 'only variables of this group (repeatable)', collect)
      .option('--words <n>', 'password: number of words (default 6)')
      .option('--acrostic', "password: initials spell a word (psec's style)")
      .option('--no-acrostic', 'password: free initials (default)')
      .option('--psec', "password: psec's style, 4 words spelling a word (35.4 bits)")
      .addOption(new Option('--case <style>', 'password: case of the words').choices(['alternate', 'lower', 'upper', 'capitalize']))
      .option('--delimiter <text>', 'password: text between words (default .)')
      .option('--min-word-length <n>', 'password: shortest word (default 3)')
      .option('--max-word-length <n>', 'password: longest word (default 6)')
      .option('--length <n>', 'tokens and random_base64: bytes; random: characters')
      .option('--min <n>', 'int: smallest value (default 0)')
      .option('--max <n>', 'int: largest value (default 65535)')
      .option('--user <name>', 'sha256_digest: the user name')
      .option('--from <var>', 'crypt_6/sha256_digest: hash the stored value of VAR')
      .option('--rounds <n>', 'crypt_6: rounds (default 5000)')
      .option('--dry-run', 'show what would be generated, write nothing')
      .addOption(envOption());

  const project = program.command('project').description('The project file (seeqret.yaml): app, default environment, descriptions');
  project
    .command('init')
    .description('Create seeqret.yaml here (app = folder name, environment dev) and the environment folder')
    .option('--app <app>', 'vault app of the project (default: this folder name)')
    .option('--env <env>', 'default environment (default dev)')
    .option('--descriptions <dir>', 'folder of environment folders, relative (default secrets)')
    .option('--template <file>', 'env template, relative (default env.template)')
    .option('--force', 'replace an existing seeqret.yaml')
    .action(lazy(async () => (await import('./commands/project.js')).projectInit));
  project
    .command('show')
    .description('Show the project file, the selected environment (and why) and its folders')
    .addOption(envOption())
    .addOption(listFormatOption())
    .action(lazy(async () => (await import('./commands/project.js')).projectShow));

  const environments = program.command('environments').description('Environments of the project (descriptions folders and vault values)');
  environments
    .command('create')
    .description('Create environments; --clone-from copies descriptions (never values) from a *.d folder, a group file or an environment')
    .argument('[env...]', 'environment names (default: the selected environment)')
    .option('--clone-from <src>', 'a secrets.d folder, a .json/.yaml group file, or an environment name')
    .addOption(envOption())
    .action(lazy(async () => (await import('./commands/environments.js')).create));
  environments
    .command('list')
    .description('List environments: Environment, Default, Described, Values')
    .addOption(listFormatOption())
    .action(lazy(async () => (await import('./commands/environments.js')).list));
  environments
    .command('default')
    .description('Show, set (ENV or --set ENV) or --unset the per-checkout default environment')
    .argument('[env]', 'environment to make the default')
    .option('--set', 'set ENV as the default')
    .option('--unset', 'remove the per-checkout default')
    .action(lazy(async () => (await import('./commands/environments.js')).defaultCmd));
  environments
    .command('delete')
    .description("Delete an environment: its descriptions folder, its vault values (with history) and its tmp folder")
    .argument('<env>', 'environment')
    .option('--force', 'do not ask (required when not on a terminal)')
    .action(lazy(async () => (await import('./commands/environments.js')).del));
  environments
    .command('rename')
    .description('Rename an environment: descriptions folder, vault values (re-sealed, with history) and tmp folder')
    .argument('<from>', 'current name')
    .argument('<to>', 'new name')
    .action(lazy(async () => (await import('./commands/environments.js')).rename));
  environments
    .command('path')
    .description("Print the environment's descriptions folder (or its private tmp folder)")
    .option('--tmpdir', 'the per-environment tmp folder for rendered secrets (created 0700)')
    .option('--create', 'create the folder if missing')
    .option('--exists', 'print nothing; exit 0 if the folder exists, 3 if not')
    .addOption(envOption())
    .action(lazy(async () => (await import('./commands/environments.js')).pathCmd));
  environments
    .command('tree')
    .description("Draw the environment's descriptions folder as a tree")
    .argument('[env]', 'environment (default: the selected one)')
    .option('--no-files', 'folders only')
    .addOption(envOption())
    .action(lazy(async () => (await import('./commands/environments.js')).tree));
  program
    .command('find')
    .description('Find variables whose name contains TERM, in every environment')
    .argument('<term>', 'part of a variable name (case-sensitive)')
    .addOption(listFormatOption())
    .action(lazy(async () => (await import('./commands/environments.js')).find));

  const groups = program.command('groups').description("Groups: the description files of an environment's secrets.d");
  groups
    .command('list')
    .description('List groups: Group, Items, File')
    .addOption(envOption())
    .addOption(listFormatOption())
    .action(lazy(async () => (await import('./commands/groups.js')).list));
  groups
    .command('show')
    .description('Show the variables of groups (all when none named)')
    .argument('[group...]', 'group names')
    .addOption(envOption())
    .addOption(listFormatOption())
    .action(lazy(async () => (await import('./commands/groups.js')).show));
  groups
    .command('create')
    .description('Create a group (empty, or with the descriptions of a group file)')
    .argument('<name>', 'group name')
    .option('--clone-from <file>', 'a psec .json (or .yaml) group file')
    .addOption(envOption())
    .action(lazy(async () => (await import('./commands/groups.js')).create));
  groups
    .command('delete')
    .description("Delete a group's description file (values stay in the vault)")
    .argument('<name>', 'group name')
    .option('--force', 'do not ask (required when not on a terminal)')
    .addOption(envOption())
    .action(lazy(async () => (await import('./commands/groups.js')).del));
  groups
    .command('path')
    .description("Print the environment's secrets.d folder")
    .addOption(envOption())
    .action(lazy(async () => (await import('./commands/groups.js')).pathCmd));

  program
    .command('describe')
    .description('Describe variables (Variable, Group, Type, Prompt, Options, Export, Help), or the types with --types')
    .argument('[vars...]', 'variables (default: all)')
    .option('-g, --group <group>', 'only this group (repeatable)', collect)
    .option('--types', 'list the secret types instead')
    .addOption(envOption())
    .addOption(listFormatOption())
    .action(lazy(async () => (await import('./commands/variables.js')).describe));
  program
    .command('show')
    .description("Show an environment's variables: Variable, Type, Value (REDACTED unless --reveal), Export, Set")
    .argument('[vars...]', 'variables (default: all)')
    .option('-g, --group <group>', 'only this group (repeatable)', collect)
    .option('-t, --type <type>', 'only this type (repeatable)', collect)
    .option('--reveal', 'show values (also SEEQRET_NO_REDACT=1); recorded in the audit log')
    .option('--undefined', 'only variables without a value')
    .addOption(envOption())
    .addOption(formatOption())
    .action(lazy(async () => (await import('./commands/variables.js')).show));
  generationOptions(
    program
      .command('generate')
      .description('Generate values for generable variables (never string/boolean); old values kept in history')
      .argument('[vars...]', 'variables (default: every generable variable)')
      .option('--undefined', 'only variables without a value'),
  ).action(lazy(async () => (await import('./commands/generate.js')).generate));
  generationOptions(
    program
      .command('rotate')
      .description('Regenerate named, exposed (--exposed) or old (--older-than 90d) values')
      .argument('[vars...]', 'variables to rotate')
      .option('--exposed', 'values marked exposed (a removed user had them)')
      .option('--older-than <age>', 'values set before AGE ago (90d, 12w, 24h) or before a date')
      .option('--all', 'every generable variable'),
  ).action(lazy(async () => (await import('./commands/generate.js')).rotate));
  program
    .command('set')
    .description('Set variables: VAR=VALUE, VAR=@FILE, VAR=@-, VAR=\'!command\', or VAR (prompt); all or nothing')
    .argument('[assignments...]', 'VAR=VALUE or VAR')
    .option('--undefined', 'only variables without a value (all of them when none are named)')
    .option('--from-options', "set variables to their description's default option")
    .option('--from-env <env>', 'copy values from another environment (VAR, or VAR=OTHER_VAR)')
    .option('--ignore-missing', 'skip variables without a description (and, with --from-env, without a source value)')
    .option('--literal', 'take values as written (no @file, !command)')
    .option('--allow-empty', 'store empty values (VAR=, an empty @FILE, @- or !command output; refused otherwise: E_EMPTY_VALUE)')
    .addOption(envOption())
    .action(lazy(async () => (await import('./commands/set.js')).set));
  program
    .command('import-psec')
    .description('Import a psec environment folder (secrets.json values, secrets.d descriptions); all or nothing')
    .argument('<path>', 'the psec environment folder (e.g. ~/.secrets/myenv)')
    .option('-e, --env <env>', 'environment to import into (default: the folder name)')
    .option('--overwrite', 'replace values that differ here (old ones kept in history)')
    .action(lazy(async () => (await import('./commands/importpsec.js')).importPsec));
  registerTeam(program);
  registerRelay(program);

  program
    .command('completion')
    .description('Print a shell completion script (bash, zsh or fish) generated from the command tree')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh', 'fish']))
    .action(lazy(async () => (await import('./commands/info.js')).completion));

  program
    .command('help')
    .description('Show the help of a command: seeqret help add key')
    .argument('[command...]', 'the command (and sub-command) words')
    .action((words: string[]) => {
      helpOf(program, words);
    });
  program.helpCommand(false);

  program
    .command('info')
    .description('List the command tree')
    .action(lazy(async () => (await import('./commands/info.js')).info));

  program
    .command('upgrade')
    .description('Apply database schema migrations (backs up first)')
    .action(lazy(async () => (await import('./commands/maintenance.js')).upgrade));

  program
    .command('doctor')
    .description('Check the vault (permissions, keys, integrity) and optionally repair')
    .option('--fix', 'repair permissions')
    .action(async (o: DoctorOptions, cmd: Command) => {
      await runTyped(cmd, async (g) => (await import('./commands/maintenance.js')).doctor(g, o));
    });

  return program;
}

/** Does `cmd` itself declare the option spelled `flag` (`-f`, `--filter`)? */
const declares = (cmd: Command, flag: string): boolean => cmd.options.some((o) => o.long === flag || o.short === flag);

/**
 * An "unknown option" that is a command's option given before that command's word
 * (`seeqret --reveal list`): an `E_USAGE` saying where it goes. `undefined` for any other error.
 * (A global option given after the command is accepted as it is.)
 */
function misplacedOption(e: unknown, args: readonly string[]): SeeqretError | undefined {
  const err = e as { code?: unknown; message?: unknown } | null;
  if (err?.code !== 'commander.unknownOption' || typeof err.message !== 'string') return undefined;
  const flag = /unknown option '([^'=]+)/.exec(err.message)?.[1];
  if (flag === undefined) return undefined;
  const program = buildProgram();
  const end = args.indexOf('--');
  const head = end < 0 ? args : args.slice(0, end);
  // Walk the words: the command path, and where the option stands in it.
  let cmd = program;
  const path: string[] = [];
  let flagBefore: Command | undefined;
  for (let i = 0; i < head.length; i++) {
    const a = head[i]!;
    if (a.startsWith('-')) {
      if (a.split('=')[0] === flag && flagBefore === undefined) {
        flagBefore = cmd;
        // Its value, when it takes one (`--app x add key`): the next word if it is no command here.
        const v = head[i + 1];
        if (!a.includes('=') && v !== undefined && !v.startsWith('-') && !cmd.commands.some((c) => c.name() === v || c.aliases().includes(v))) i++;
        continue;
      }
      const o = [program, cmd].flatMap((c) => c.options).find((x) => x.long === a || x.short === a);
      if (o && (o.required || o.optional) && !a.includes('=')) i++;
      continue;
    }
    const next = cmd.commands.find((c) => c.name() === a || c.aliases().includes(a));
    if (!next) break;
    cmd = next;
    path.push(next.name());
  }
  if (flagBefore === undefined || flagBefore === cmd) return undefined;
  // The first command after the place the option was given that declares it.
  let owner: Command | undefined;
  const owners: string[] = [];
  let c: Command = program;
  for (const w of path) {
    c = c.commands.find((x) => x.name() === w)!;
    owners.push(w);
    if (declares(c, flag) && owner === undefined) owner = c;
    if (owner) break;
  }
  if (!owner) return undefined;
  const where = `seeqret ${owners.join(' ')}`;
  return new SeeqretError('E_USAGE', `${flag} is an option of \`${where}\`, given before the command`, `Put it after the command: ${where} ${flag} …`);
}

/** Run the CLI with `argv` (as process.argv). */
export async function main(argv: string[]): Promise<number> {
  const end = argv.indexOf('--');
  const debug = (end < 0 ? argv : argv.slice(0, end)).includes('--debug') || process.env['SEEQRET_DEBUG'] === '1';
  try {
    const program = buildProgram();
    refuseAttachedPassword(program, argv.slice(2));
    await program.parseAsync(teamPassphraseFile(program, argv));
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    return reportError(misplacedOption(e, argv.slice(2)) ?? e, debug);
  }
}
