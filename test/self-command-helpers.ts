/**
 * The in-process CLI run ({@link cliIn}) for the commands that start seeqret again as a program:
 * `unlock` (it starts the agent process) and `hook install` (it writes the command into a git
 * hook). Their run is given the executable's command line, `node dist/bin/seeqret.js`, as
 * bin.ts gives its own; the agent or hook they start is then the real executable.
 */
import { BIN, type CliOptions, type CliResult, ROOT, cleanEnv } from './helpers.js';

/** {@link cliIn} with `selfCommand` = `[node, dist/bin/seeqret.js]`. */
export async function cliInSelf(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  // One macrotask first, as cliIn does (the run blocks the event loop while it works).
  await new Promise<void>((resolve) => setImmediate(resolve));
  const { runCli } = await import('../src/cli/run-in-process.js');
  const r = await runCli([...(opts.vault ? ['--vault', opts.vault] : []), ...args], {
    env: cleanEnv(opts.env),
    cwd: opts.cwd ?? ROOT,
    stdin: opts.input ?? '',
    selfCommand: [process.execPath, BIN],
  });
  return { code: r.status, signal: null, stdout: r.stdout, stderr: r.stderr };
}
