/**
 * The sharing commands' tree: identities and users (`owner`, `whoami`, `public-key`,
 * `introduction`, `users`, `add user`, `rm user`), `export`, `load`, `serializers`, `audit`,
 * `backup`, `restore`, `import-vault`, `server init`, `inbox` (docs/commands/sharing.md). Only
 * commander calls; each action imports its handler when that command runs.
 *
 * @module
 */
import type { Command } from 'commander';
import { commandGroup, run } from '../../action.js';
import { collect, formatOption, oldSpelling, reportFormatOption } from '../../options.js';
import type { AuditCompactOptions, AuditOptions } from './audit.js';
import type { BackupOptions, RestoreOptions } from './backup.js';
import type { ImportVaultOptions } from './migrate.js';
import type { InboxOptions, ServerInitOptions } from './server.js';
import type { ExportOptions, LoadOptions, SerializersOptions } from './share.js';
import type { AddUserOptions, OwnerOptions, PublicKeyOptions, RmUserOptions, UsersOptions, VerifyOptions, WhoamiOptions } from './users.js';

const users = () => import('./users.js');
const share = () => import('./share.js');
const audit = () => import('./audit.js');
const backup = () => import('./backup.js');
const server = () => import('./server.js');

/** Add the sharing commands to `program`. */
export function registerSharing(program: Command): void {
  const addUser = commandGroup(program, 'add', 'Add a secret')
    .command('user')
    .description("Add a person's public key (paste their `seeqret introduction` line)")
    .option('--username <name>', 'their user name')
    .option('--email <addr>', 'their e-mail address')
    .option('--name <full>', 'their full name')
    .option('--pubkey <key>', 'their X25519 public key: base64 (44 chars) or age1…')
    .option('--pgp-key <file>', 'their OpenPGP public key (armored or binary), for `seeqret send`')
    .option('--overwrite', 'replace the PGP key already stored for this name (old spelling --force)')
    .action((o: AddUserOptions, cmd: Command) => run(cmd, async (g) => (await users()).addUser(g, o)));
  oldSpelling(addUser, '--force', '--overwrite');
  commandGroup(program, 'rm', 'Remove secrets or users')
    .command('user')
    .description('Remove a user; lists what they received and marks still-current values exposed')
    .argument('<name>', 'user name')
    .option('-y, --yes', 'do not ask')
    .action((name: string, o: RmUserOptions, cmd: Command) => run(cmd, async (g) => (await users()).rmUser(g, name, o)));

  program
    .command('owner')
    .description('Show the vault owner, public key and fingerprint')
    .addOption(formatOption())
    .action((o: OwnerOptions, cmd: Command) => run(cmd, async (g) => (await users()).owner(g, o)));
  program
    .command('whoami')
    .description("Print the owner's user name and e-mail")
    .addOption(reportFormatOption())
    .action((o: WhoamiOptions, cmd: Command) => run(cmd, async (g) => (await users()).whoami(g, o)));
  program
    .command('public-key')
    .description("Print the owner's public key (base64, or age1… with --age)")
    .option('--age', 'as an age recipient')
    .action((o: PublicKeyOptions, cmd: Command) => run(cmd, async (g) => (await users()).publicKey(g, o)));
  program
    .command('introduction')
    .description('Print a ready-to-paste `seeqret add user` line for yourself')
    .action((_o: object, cmd: Command) => run(cmd, async (g) => (await users()).introduction(g)));
  const usersCmd = program
    .command('users')
    .description('List the users (with fingerprints and verification)')
    .option('--export', 'print `seeqret add user` lines for every user')
    .option('--pgp', 'list the stored OpenPGP keys (recipients of `seeqret send`)')
    .addOption(formatOption())
    .action((o: UsersOptions, cmd: Command) => run(cmd, async (g) => (await users()).users(g, o)));
  usersCmd
    .command('verify')
    .description("Record that NAME's key fingerprint was compared with them")
    .argument('<name>', 'user name')
    .option('--fingerprint <digits>', 'the fingerprint they read to you (checked, no question asked)')
    .option('-y, --yes', 'do not ask')
    .action((name: string, o: VerifyOptions, cmd: Command) => run(cmd, async (g) => (await users()).verify(g, name, o)));

  program
    .command('export')
    .description('Export secrets encrypted to users (default format: seeqret bundle)')
    .option('--to <user>', 'recipient: a user name, self or all (repeatable)', collect)
    .option('-f, --filter <filter>', 'secrets to export (repeatable; union)', collect)
    .option('-s, --serializer <name>', 'bundle, json-crypt or command', 'bundle')
    .option('-o, --out <file>', 'output file (several recipients: FILE.NAME.ext each)')
    .addOption(reportFormatOption())
    .action((o: ExportOptions, cmd: Command) => run(cmd, async (g) => (await share()).exportCmd(g, o)));
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
    .addOption(reportFormatOption())
    .action((o: LoadOptions, cmd: Command) => run(cmd, async (g) => (await share()).load(g, o)));
  program
    .command('serializers')
    .description('List the export/load formats')
    .addOption(reportFormatOption())
    .action((o: SerializersOptions, cmd: Command) => run(cmd, async () => (await share()).serializers(o)));

  const auditCmd = program
    .command('audit')
    .description('Show the audit log (changes, exports, loads, reads by the CLI)')
    .option('--since <when>', 'ISO date/time, or a duration such as 7d, 12h')
    .option('--user <name>', 'entries by or about this user')
    .option('--action <action>', 'only this action (e.g. export, secret.read, audit.checkpoint)')
    .option('--verify', 'check the hash chain and report')
    .addOption(formatOption())
    .action((o: AuditOptions, cmd: Command) => run(cmd, async (g) => (await audit()).audit(g, o)));
  auditCmd
    .command('compact')
    .description('Fold the oldest entries into one signed checkpoint entry (default: those older than 90 days)')
    .option('--before <when>', 'fold the entries older than this ISO date/time, or duration such as 30d')
    .option('--keep <n>', 'fold all but the newest N entries')
    // `--format json` (audit's option, wherever it is given) makes the report JSON.
    .action((o: Omit<AuditCompactOptions, 'format'>, cmd: Command) => {
      const format = cmd.optsWithGlobals<{ format?: string }>().format === 'json' ? 'json' : 'text';
      return run(cmd, async (g) => (await audit()).compact(g, { ...o, format }));
    });

  program
    .command('backup')
    .description('Write an encrypted backup (age file; `age -d` decrypts it without seeqret)')
    .option('-o, --out <file>', 'output file (default seeqret-backup-DATE.age)')
    .option('--include-keys', "include the owner's key pair (restoring keeps the same public key)")
    .option('--html', "also write the old tool's self-decrypting HTML page")
    .option('--armor', 'ASCII-armored age file')
    .option('--backup-passphrase-file <file>', 'backup passphrase from FILE (else SEEQRET_BACKUP_PASSPHRASE, else asked twice)')
    .action((o: BackupOptions, cmd: Command) => run(cmd, async (g) => (await backup()).backup(g, o)));
  program
    .command('restore')
    .description('Restore a backup into the vault (created when missing; conflicts as in load)')
    .argument('<file>', 'backup file (.age, armored, or the HTML page)')
    .option('--overwrite', 'replace existing secrets that have another value')
    .option('--passphrase', 'protect a newly created vault with a passphrase')
    .option('--backup-passphrase-file <file>', 'backup passphrase from FILE (else SEEQRET_BACKUP_PASSPHRASE, else asked)')
    .action((file: string, o: RestoreOptions, cmd: Command) => run(cmd, async (g) => (await backup()).restore(g, file, o)));
  program
    .command('import-vault')
    .description('Migrate a vault folder of the old seeqret tool (values, users)')
    .argument('<path>', 'the old vault folder (holding seeqrets.db), or its parent')
    .option('--keep-identity', 'keep the old key pair (only when this creates the vault)')
    .option('--overwrite', 'replace existing secrets that have another value')
    .action((source: string, o: ImportVaultOptions, cmd: Command) => run(cmd, async (g) => (await import('./migrate.js')).importVault(g, source, o)));

  program
    .command('server')
    .description('Deployment-server vaults')
    .command('init')
    .description('Create a server vault (default /srv/.seeqret) readable by a group, read by apps through the library')
    .argument('[dir]', 'parent folder; the vault is DIR/seeqret (as in `init DIR`; default: /srv/.seeqret itself)')
    .option('--group <group>', 'group whose members (the apps) may read it', 'seeqret')
    .option('--watch-only', 'a vault that only receives (watch, sync, inbox) and serves its apps: export, push and send are refused')
    .option('--user <name>', 'user name of the server (default: host name)')
    .option('--email <addr>', 'contact address')
    .action((dir: string | undefined, o: ServerInitOptions, cmd: Command) => run(cmd, async () => (await server()).serverInit(dir, o)));
  program
    .command('inbox')
    .description('Load every bundle dropped in a folder (default VAULT/inbox); loaded files are removed')
    .argument('[dir]', 'inbox folder')
    .option('--overwrite', 'replace existing secrets that have another value')
    .option('--allow-old-formats', "also load the old tool's json-crypt/command files (no replay protection, names not authenticated)")
    .option('--accept', 'accept the new names the bundles bring (else they stay pending: see `seeqret accept`)')
    .addOption(reportFormatOption())
    .action((dir: string | undefined, o: InboxOptions, cmd: Command) => run(cmd, async (g) => (await server()).inbox(g, dir, o)));
}
