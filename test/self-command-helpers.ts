/**
 * The in-process CLI run ({@link cliIn}) for the commands that start seeqret again as a program:
 * `unlock` (it starts the agent process) and `hook install` (it writes the command into a git
 * hook). Their run is given the executable's command line, `node dist/bin/seeqret.js`, as
 * bin.ts gives its own; the agent or hook they start is then the real executable.
 */
import { BIN, type CliOptions, type CliResult, cliInWith } from './helpers.js';

/** {@link cliIn} with `selfCommand` = `[node, dist/bin/seeqret.js]`. */
export function cliInSelf(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return cliInWith(args, opts, { selfCommand: [process.execPath, BIN] });
}
