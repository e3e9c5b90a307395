/**
 * `seeqret info`: print the command tree with one-line descriptions.
 *
 * @module
 */
import type { Command } from 'commander';
import { buildProgram } from '../../main.js';
import type { Shell } from '../../completion.js';
import { writeJson } from '../../io.js';
import type { ReportFormat } from '../../options.js';
import { io } from '../../cli-io.js';

function walk(cmd: Command, depth: number, lines: string[]): void {
  for (const c of cmd.commands) {
    const name = `${'    '.repeat(depth)}${c.name()}`;
    lines.push(`${name.padEnd(30)} ${c.description()}`);
    walk(c, depth + 1, lines);
  }
}

/** A command and its sub-commands as data. */
interface CommandJson {
  readonly name: string;
  readonly description: string;
  readonly commands: CommandJson[];
}

function tree(cmd: Command): CommandJson[] {
  return cmd.commands.map((c) => ({ name: c.name(), description: c.description(), commands: tree(c) }));
}

/** Options of `seeqret info`. */
export interface InfoOptions {
  /** `--format text|json`. */
  readonly format: ReportFormat;
}

/** `info`: the command tree. */
export function info(o: InfoOptions): number {
  if (o.format === 'json') {
    writeJson({ name: 'seeqret', commands: tree(buildProgram()) });
    return 0;
  }
  const lines = ['seeqret'];
  walk(buildProgram(), 1, lines);
  io().stdout.write(lines.join('\n') + '\n');
  return 0;
}

/** `seeqret completion SHELL`: print the completion script generated from the command tree. */
export async function completion(shell: Shell): Promise<number> {
  const { completionScript } = await import('../../completion.js');
  io().stdout.write(completionScript(buildProgram(), shell));
  return 0;
}
