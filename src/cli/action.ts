/**
 * What every command group's tree uses to run a handler: the global options of the command
 * (`--follow-symlinks` applied), the handler's status as the exit code. Handlers are imported by
 * the trees when their command runs, so start-up loads commander and the trees only.
 *
 * @module
 */
import type { Command } from 'commander';
import { cliRun } from './cli-io.js';
import type { GlobalOptions } from './context.js';

/** Run `handler` with the global options of `cmd`; a number it returns becomes the exit code. */
export async function run(cmd: Command, handler: (g: GlobalOptions) => Promise<number | undefined> | Promise<void>): Promise<void> {
  const g = cmd.optsWithGlobals<GlobalOptions>();
  const code = await withGlobals<unknown>(g, () => handler(g));
  if (typeof code === 'number') cliRun().status = code;
}

/** Run `fn` for a command given the global options `g`: with `--follow-symlinks`, the files it writes follow symbolic links. */
export async function withGlobals<R>(g: GlobalOptions, fn: () => Promise<R>): Promise<R> {
  if (!g.followSymlinks) return fn();
  const { followingSymlinks } = await import('../util/atomic-write.js');
  return followingSymlinks(fn);
}

/** The sub-command `name` of `parent` (`add`, `rm`), made with `description` when it is not there yet. */
export function commandGroup(parent: Command, name: string, description: string): Command {
  return parent.commands.find((c) => c.name() === name) ?? parent.command(name).description(description);
}
