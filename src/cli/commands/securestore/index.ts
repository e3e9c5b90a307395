/**
 * The `seeqret securestore …` (alias `ss`) command tree: ssclient's commands (`create`, `get`,
 * `set`, `delete`, `keys`, `export-key`) plus `import` into and `export` from the seeqret vault.
 * Only commander calls: each action imports its handler module when that command runs (the
 * ssclient commands never load the seeqret vault code); the option types are imported as types.
 *
 * @module
 */
import { type Command, Option } from 'commander';
import { withGlobals } from '../../action.js';
import { cliRun } from '../../cli-io.js';
import { SeeqretError } from '../../../errors.js';
import { SS_PASSWORD_FIX } from '../../compat.js';
import { oldSpelling, reportFormatOption } from '../../options.js';
import type { SsOptions } from './common.js';
import type { CreateOptions, ExportKeyOptions, GetOptions, KeysOptions, SetOptions } from './store.js';
import type { ExportOptions, ImportOptions } from './transfer.js';

/** Run a handler with the group's options (and the global ones) of the command `cmd`; its status becomes the exit code. */
async function run(cmd: Command, handler: (g: SsOptions) => Promise<number>): Promise<void> {
  const g = cmd.optsWithGlobals<SsOptions>();
  cliRun().status = await withGlobals(g, () => handler(g));
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];
const store = () => import('./store.js');
const transfer = () => import('./transfer.js');

/** Add the `securestore` (`ss`) command group to `program`. */
export function registerSecureStore(program: Command): void {
  const ss = program
    .command('securestore')
    .alias('ss')
    .description('SecureStore v3 vaults (secrets.json + password or key file), with the ssclient commands')
    .option('-s, --store <file>', 'the vault file (default secrets.json)')
    .option('-k, --key <file>', 'use the key file FILE (PEM-style or raw 32 bytes; also --keyfile, --key-file)')
    .addOption(new Option('--keyfile <file>').hideHelp())
    .addOption(new Option('--key-file <file>').hideHelp())
    .option('-p, --password', 'use the password (the default): asked on a terminal, else SEEQRET_SS_PASSWORD or --password-file; takes no value')
    .option('--password-file <file>', 'read the password from FILE (one trailing newline removed)');
  // `ssclient -p PASSWORD get …` habits would put the password where a command name goes: refuse
  // without echoing it.
  ss.on('command:*', () => {
    throw new SeeqretError('E_USAGE', 'unknown securestore command (not shown, in case it is a password)', SS_PASSWORD_FIX);
  });
  const create = ss.command('create')
    .description('Create a vault (a new random key when -k names a missing or empty file; else a password)')
    .argument('[store]', 'the vault file (default: -s, else secrets.json)')
    .option('--export-key <file>', 'also write the key (e.g. derived from the password) to FILE')
    .option('--no-vcs', 'do not add a .gitignore rule for the key file')
    .option('--overwrite', 'replace an existing vault or key file without asking (old spelling --force)')
    .action((file: string | undefined, o: CreateOptions, cmd: Command) => run(cmd, async (g) => (await store()).create(g, file, o)));
  oldSpelling(create, '--force', '--overwrite');
  ss.command('get')
    .description('Print the value of KEY, or every secret with --all')
    .argument('[key]', 'secret name')
    .option('-a, --all', 'print every secret')
    .addOption(new Option('--format <format>', 'with --all: json (array of {key, value}) or text (key: value)').choices(['json', 'text']))
    .action((name: string | undefined, o: GetOptions, cmd: Command) => run(cmd, async (g) => (await store()).get(g, name, o)));
  ss.command('set')
    .description('Add or replace the secret KEY (VALUE from stdin or a hidden prompt when omitted)')
    .argument('<key>', 'secret name')
    .argument('[value]', 'the value (prefer stdin: command lines are visible to other users)')
    .option('--allow-empty', 'store an empty value (refused otherwise: E_EMPTY_VALUE)')
    .action((name: string, value: string | undefined, o: SetOptions, cmd: Command) => run(cmd, async (g) => (await store()).set(g, name, value, o)));
  ss.command('delete')
    .alias('remove')
    .description('Remove the secret KEY')
    .argument('<key>', 'secret name')
    .action((name: string, _o: unknown, cmd: Command) => run(cmd, async (g) => (await store()).remove(g, name)));
  ss.command('keys')
    .description('List the secret names')
    .addOption(reportFormatOption())
    .action((o: KeysOptions, cmd: Command) => run(cmd, async (g) => (await store()).keys(g, o)));
  const exportKey = ss.command('export-key')
    .description('Write the key (e.g. derived from the password) to FILE, for password-less use at run time')
    .argument('<file>', 'key file to write (PEM-style, 0600)')
    .option('--no-vcs', 'do not add a .gitignore rule for the key file')
    .option('--overwrite', 'replace an existing key file without asking (old spelling --force)')
    .action((file: string, o: ExportKeyOptions, cmd: Command) => run(cmd, async (g) => (await store()).exportKey(g, file, o)));
  oldSpelling(exportKey, '--force', '--overwrite');
  const importCmd = ss.command('import')
    .description("Import a SecureStore vault's secrets into the seeqret vault (all or nothing)")
    .argument('[store]', 'the vault file (default: -s, else secrets.json)')
    .option('--app <app>', 'application for the imported keys (--names key)', '*')
    .option('--env <env>', 'environment for the imported keys (--names key)', '*')
    .addOption(new Option('--names <mode>', 'key: each name is a key; full: each name is app:env:key').choices(['key', 'full']).default('key'))
    .option('--colon <char>', "with --names key: replace ':' in names by CHAR (e.g. . or _)")
    .option('--overwrite', 'replace existing values that differ (old spelling --update)')
    .option('--dry-run', 'show what would change, write nothing')
    .action((file: string | undefined, o: ImportOptions, cmd: Command) => run(cmd, async (g) => (await transfer()).importStore(g, file, o)));
  oldSpelling(importCmd, '--update', '--overwrite');
  ss.command('export')
    .description('Write seeqret secrets into a SecureStore vault (created when missing)')
    .argument('[store]', 'the vault file (default: -s, else secrets.json)')
    .option('-f, --filter <filter>', 'secrets to export (repeatable; union)', collect)
    .addOption(new Option('--names <mode>', 'key: name = key; full: name = app:env:key').choices(['key', 'full']).default('key'))
    .option('--no-vcs', 'do not add a .gitignore rule for a new key file')
    .action((file: string | undefined, o: ExportOptions, cmd: Command) => run(cmd, async (g) => (await transfer()).exportStore(g, file, o)));
}
