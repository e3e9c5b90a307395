/**
 * The vault commands' tree (docs/commands/vault.md): `init`, `upgrade`, `doctor`, `info`,
 * `completion`, `help`. Only commander calls; each action imports its handler when it runs.
 *
 * @module
 */
import { Argument, type Command } from 'commander';
import { SeeqretError } from '../../../errors.js';
import { run } from '../../action.js';
import { reportFormatOption } from '../../options.js';
import type { Shell } from '../../completion.js';
import type { InfoOptions } from './info.js';
import type { InitOptions } from './init.js';
import type { DoctorOptions, UpgradeOptions } from './maintenance.js';

const maintenance = () => import('./maintenance.js');
const info = () => import('./info.js');

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

/** Add `init` to `program` (first in the help, as it is the first command anyone runs). */
export function registerInit(program: Command): void {
  program
    .command('init')
    .description('Create a new vault in DIR/seeqret (or the resolved vault location)')
    .argument('[dir]', 'parent folder; the vault is DIR/seeqret')
    .option('--user <name>', 'your user name')
    .option('--email <addr>', 'your e-mail address')
    .option('--name <full>', 'your full name')
    .option('--passphrase', 'protect the key file with a passphrase (Argon2id)')
    .option('--force', 'create it even inside a git/hg/svn work tree')
    .action((dir: string | undefined, o: InitOptions, cmd: Command) => run(cmd, async (g) => (await import('./init.js')).init(g, dir, o)));
}

/** Add the other vault commands to `program`: `completion`, `help`, `info`, `upgrade`, `doctor`. */
export function registerVault(program: Command): void {
  program
    .command('completion')
    .description('Print a shell completion script (bash, zsh or fish) generated from the command tree')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh', 'fish']))
    .action((shell: Shell, _o: object, cmd: Command) => run(cmd, async () => (await info()).completion(shell)));

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
    .addOption(reportFormatOption())
    .action((o: InfoOptions, cmd: Command) => run(cmd, async () => (await info()).info(o)));

  program
    .command('upgrade')
    .description('Apply database schema migrations (backs up first)')
    .addOption(reportFormatOption())
    .action((o: UpgradeOptions, cmd: Command) => run(cmd, async (g) => (await maintenance()).upgrade(g, o)));

  program
    .command('doctor')
    .description('Check the vault (permissions, keys, integrity) and optionally repair')
    .option('--fix', 'repair permissions')
    .addOption(reportFormatOption())
    .action((o: DoctorOptions, cmd: Command) => run(cmd, async (g) => (await maintenance()).doctor(g, o)));
}
