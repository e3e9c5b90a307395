/**
 * The command tree. Each action imports its command module only when that command runs, so
 * start-up pays for commander and this file, nothing else.
 *
 * @module
 */
import { Command, Option } from 'commander';
import { VERSION } from '../version.js';
import type { GlobalOptions } from './context.js';
import { reportError } from './report.js';

type Action = (g: GlobalOptions, args: unknown[], opts: Record<string, unknown>) => Promise<number | void>;

/** Wrap a lazily imported command module's function as a commander action. */
function lazy(load: () => Promise<Action>) {
  return async function (this: Command, ...params: unknown[]): Promise<void> {
    const cmd = params[params.length - 1] as Command;
    const opts = cmd.opts();
    const g = cmd.optsWithGlobals() as GlobalOptions;
    const args = params.slice(0, -2);
    const fn = await load();
    const code = await fn(g, args, opts);
    if (typeof code === 'number') process.exitCode = code;
  };
}

const formatOption = (): Option => new Option('--format <format>', 'output format').choices(['table', 'json', 'yaml', 'csv', 'env', 'shell']).default('table');
const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/** Build the full command tree (no command module is loaded here). */
export function buildProgram(): Command {
  const program = new Command('seeqret')
    .description('Encrypted local secrets vault: store, share by public key, inject into processes.')
    .version(VERSION, '-V, --version')
    .option('--vault <dir>', 'vault folder (default: $SEEQRET, else ~/.seeqret)')
    .option('--passphrase-file <file>', 'read the vault passphrase from FILE')
    .option('--debug', 'show stack traces on errors')
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
    .action(lazy(async () => (await import('./commands/add.js')).addKey));
  add
    .command('text')
    .description('Add a multi-line secret read from stdin')
    .argument('<name>', 'key name')
    .option('--app <app>', 'application (default * = global)', '*')
    .option('--env <env>', 'environment (default * = global)', '*')
    .option('--force', 'replace an existing value (the old one is kept in history)')
    .action(lazy(async () => (await import('./commands/add.js')).addText));

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
    .action(lazy(async () => (await import('./commands/edit.js')).editValue));

  program
    .command('rm')
    .description('Remove secrets')
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
    .action(lazy(async () => (await import('./commands/importenv.js')).importenv));

  program
    .command('env')
    .description('Write a .env file from env.template')
    .option('--template <file>', 'template file', 'env.template')
    .option('--out <file>', 'output file', '.env')
    .option('--stdout', 'print to stdout instead of writing a file')
    .action(lazy(async () => (await import('./commands/env.js')).env));

  program
    .command('run')
    .description('Run CMD with secrets in its environment (no shell)')
    .argument('<command...>', 'command and arguments, after --')
    .option('-f, --filter <filter>', 'secrets to export (repeatable; default: env.template)', collect)
    .option('--template <file>', 'template to use when no -f is given', 'env.template')
    .option('--prefix <prefix>', 'prefix for variable names', '')
    .action(lazy(async () => (await import('./commands/run.js')).run));

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
    .action(lazy(async () => (await import('./commands/maintenance.js')).doctor));

  return program;
}

/** Run the CLI with `argv` (as process.argv). */
export async function main(argv: string[]): Promise<number> {
  const end = argv.indexOf('--');
  const debug = (end < 0 ? argv : argv.slice(0, end)).includes('--debug') || process.env['SEEQRET_DEBUG'] === '1';
  try {
    const program = buildProgram();
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    return reportError(e, debug);
  }
}
