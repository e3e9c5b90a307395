/**
 * `seeqret info`: print the command tree with one-line descriptions.
 *
 * @module
 */
import type { Command } from 'commander';
import { buildProgram } from '../main.js';
import type { GlobalOptions } from '../context.js';
import type { Shell } from '../completion.js';

function walk(cmd: Command, depth: number, lines: string[]): void {
  for (const c of cmd.commands) {
    const name = `${'    '.repeat(depth)}${c.name()}`;
    lines.push(`${name.padEnd(30)} ${c.description()}`);
    walk(c, depth + 1, lines);
  }
}

export async function info(_g: GlobalOptions): Promise<number> {
  const lines = ['seeqret'];
  walk(buildProgram(), 1, lines);
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}

/** `seeqret completion SHELL`: print the completion script generated from the command tree. */
export async function completion(_g: GlobalOptions, args: unknown[]): Promise<number> {
  const { completionScript } = await import('../completion.js');
  process.stdout.write(completionScript(buildProgram(), args[0] as Shell));
  return 0;
}
