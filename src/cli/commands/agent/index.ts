/**
 * The unlock agent's commands (docs/agent.md): `unlock` and `lock`. Only commander calls; each
 * action imports its handler when it runs.
 *
 * @module
 */
import type { Command } from 'commander';
import { run } from '../../action.js';
import type { UnlockOptions } from './agent.js';

const handlers = () => import('./agent.js');

/** Add `unlock` and `lock` to `program`. */
export function registerAgent(program: Command): void {
  program
    .command('unlock')
    .description('Start an agent that keeps the vault unlocked in memory, so commands do not ask for the passphrase')
    .option('--timeout <duration>', 'end the agent after this long: 90s, 15m, 8h, 1d (default 15m, at most 7d)')
    .action((o: UnlockOptions, cmd: Command) => run(cmd, async (g) => (await handlers()).unlockCommand(g, o)));
  program
    .command('lock')
    .description('End the unlock agent of the vault (commands ask for the passphrase again)')
    .action((_o: object, cmd: Command) => run(cmd, async (g) => (await handlers()).lockCommand(g)));
}
