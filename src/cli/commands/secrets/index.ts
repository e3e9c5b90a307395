/**
 * The secret commands' tree: `add key`, `add text`, `get`, `list`, `history`, `edit value`,
 * `rm key`, `accept` (docs/commands/secrets.md). Only commander calls; each action imports its
 * handler when that command runs, and the option types are imported as types (erased).
 *
 * @module
 */
import type { Command } from 'commander';
import { commandGroup, run } from '../../action.js';
import { collect, formatOption, oldSpelling } from '../../options.js';
import type { AddOptions } from './add.js';
import type { EditFilterOptions, EditValueOptions, RmKeyOptions } from './edit.js';
import type { GetOptions } from './get.js';
import type { AcceptOptions, HistoryOptions, ListOptions } from './list.js';

const add = () => import('./add.js');
const edit = () => import('./edit.js');
const list = () => import('./list.js');

/** Add the secret commands to `program`. */
export function registerSecrets(program: Command): void {
  const addGroup = commandGroup(program, 'add', 'Add a secret');
  const addKey = addGroup
    .command('key')
    .description('Add a NAME -> VALUE secret (VALUE from stdin or a hidden prompt when omitted)')
    .argument('<name>', 'key name')
    .argument('[value]', 'the value (prefer stdin: command lines are visible to other users)')
    .option('--app <app>', 'application (default * = global)', '*')
    .option('--env <env>', 'environment (default * = global)', '*')
    .option('--type <type>', 'value type', 'str')
    .option('--overwrite', 'replace an existing value (the old one is kept in history; old spelling --force)')
    .option('--allow-empty', 'store an empty value (refused otherwise: E_EMPTY_VALUE)')
    .action((name: string, value: string | undefined, o: AddOptions, cmd: Command) => run(cmd, async (g) => (await add()).addKey(g, name, value, o)));
  oldSpelling(addKey, '--force', '--overwrite');
  const addText = addGroup
    .command('text')
    .description('Add a multi-line secret read from stdin')
    .argument('<name>', 'key name')
    .option('--app <app>', 'application (default * = global)', '*')
    .option('--env <env>', 'environment (default * = global)', '*')
    .option('--overwrite', 'replace an existing value (the old one is kept in history; old spelling --force)')
    .option('--allow-empty', 'store an empty value (refused otherwise: E_EMPTY_VALUE)')
    .action((name: string, o: AddOptions, cmd: Command) => run(cmd, async (g) => (await add()).addText(g, name, o)));
  oldSpelling(addText, '--force', '--overwrite');

  program
    .command('get')
    .description('Print the value of the one secret FILTER matches')
    .argument('<filter>', 'filter app:env:key (one part = key)')
    .option('-n, --no-newline', 'do not print a newline after the value')
    .action((filter: string, o: GetOptions, cmd: Command) => run(cmd, async (g) => (await import('./get.js')).get(g, filter, o)));

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
    .action((filter: string | undefined, o: ListOptions, cmd: Command) => run(cmd, async (g) => (await list()).list(g, filter, o)));

  program
    .command('history')
    .description('List the versions of the secrets FILTER matches')
    .argument('<filter>', 'filter app:env:key')
    .option('--reveal', 'show values')
    .addOption(formatOption())
    .action((filter: string, o: HistoryOptions, cmd: Command) => run(cmd, async (g) => (await list()).history(g, filter, o)));

  const editCmd = program
    .command('edit')
    .description('Change secrets: -f FILTER opens them in $VISUAL/$EDITOR; `edit value` sets one value')
    .option('-f, --filter <filter>', 'edit the secrets FILTER matches in $VISUAL / $EDITOR (as a dotenv-style file)')
    .option('-y, --yes', 'remove secrets whose lines were deleted without asking')
    .action((o: EditFilterOptions, cmd: Command) => run(cmd, async (g) => (await edit()).editFilter(g, o)));
  editCmd
    .command('value')
    .description('Set a new VALUE on the secret FILTER matches (old value kept in history)')
    .argument('<filter>', 'filter app:env:key')
    .argument('[value]', 'new value (stdin or hidden prompt when omitted)')
    .option('--all', 'change every secret the filter matches')
    .option('--allow-empty', 'store an empty value (refused otherwise: E_EMPTY_VALUE)')
    .action((filter: string, value: string | undefined, o: EditValueOptions, cmd: Command) => run(cmd, async (g) => (await edit()).editValue(g, filter, value, o)));

  commandGroup(program, 'rm', 'Remove secrets or users')
    .command('key')
    .description('Remove the secrets FILTER matches (asks first)')
    .argument('<filter>', 'filter app:env:key')
    .option('-y, --yes', 'do not ask')
    .option('--all', 'allow a filter that matches every secret')
    .action((filter: string, o: RmKeyOptions, cmd: Command) => run(cmd, async (g) => (await edit()).rmKey(g, filter, o)));

  program
    .command('accept')
    .description('Accept names received from someone else, so that filters export them (see `list --pending`)')
    .argument('[name...]', 'app:env:key names (or filters)')
    .option('-f, --filter <filter>', 'accept every pending name this filter matches (repeatable)', collect)
    .action((names: string[], o: AcceptOptions, cmd: Command) => run(cmd, async (g) => (await list()).accept(g, names, o)));
}
