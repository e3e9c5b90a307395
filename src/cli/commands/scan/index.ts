/**
 * `scan` and `hook install|uninstall` (docs/commands/scan.md). Only commander calls; each action
 * imports its handler when it runs.
 *
 * @module
 */
import type { Command } from 'commander';
import { run } from '../../action.js';
import { reportFormatOption } from '../../options.js';
import type { ScanCommandOptions } from './scan.js';

const handlers = () => import('./scan.js');

/** Add `scan` and `hook` to `program`. */
export function registerScan(program: Command): void {
  program
    .command('scan')
    .description("Find the vault's values (and their base64, URL and hex encodings) in files or in the staged changes; exit 1 on a find")
    .argument('[paths...]', 'files and folders to search (default: the working folder)')
    .option('--staged', 'search what `git commit` would record (the index), not the work tree')
    .option('--list-skipped', 'name the secrets left out for being shorter than 8 characters')
    .addOption(reportFormatOption())
    .action((paths: string[], o: ScanCommandOptions, cmd: Command) => run(cmd, async (g) => (await handlers()).scanCommand(g, paths, o)));
  const hook = program.command('hook').description('The git pre-commit hook that runs `seeqret scan --staged`');
  hook
    .command('install')
    .description('Install the pre-commit hook in this repository (an existing hook is kept and still runs)')
    .action((_o: object, cmd: Command) => run(cmd, async (g) => (await handlers()).hookCommand(g, 'install')));
  hook
    .command('uninstall')
    .description("Remove seeqret's pre-commit hook and put back the hook it kept")
    .action((_o: object, cmd: Command) => run(cmd, async (g) => (await handlers()).hookCommand(g, 'uninstall')));
}
