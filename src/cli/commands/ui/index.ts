/**
 * `seeqret ui` (docs/ui.md): the local web UI. Only commander calls; the action imports its
 * handler (and the server) when it runs.
 *
 * @module
 */
import type { Command } from 'commander';
import { run } from '../../action.js';
import type { UiOptions } from './ui.js';

const handler = () => import('./ui.js');

/** Add `ui` to `program`. */
export function registerUi(program: Command): void {
  program
    .command('ui')
    .description('Serve the local web UI on 127.0.0.1 (access matrix, rotation, environments, audit, secrets, people, inbox)')
    .option('--port <n>', 'the port (default: a free one)')
    .option('--host <addr>', 'the address: 127.0.0.1 only (anything else is refused)')
    .option('--no-open', 'print the address instead of opening the browser')
    .option('--timeout <duration>', 'stop after this long without a request: 90s, 15m, 8h (default 15m)')
    .action((o: UiOptions, cmd: Command) => run(cmd, async (g) => (await handler()).ui(g, o)));
}
