/**
 * A `team` command line whose sub-command word follows `team` and options the tree knows builds
 * only that sub-command of the group (decision 93); any other `team` line builds the whole group.
 * The sub-command is the whole tree's, and parse errors are the whole tree's.
 */
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../src/cli/main.js';
import { runCli } from '../src/cli/run-in-process.js';
import { tmpdir } from './helpers.js';

/** A command with its aliases, options (flags, defaults, hidden), help text and sub-commands. */
function describeCommand(c: Command): string {
  const options = c.options.map((o) => `${o.flags}=${JSON.stringify(o.defaultValue)}${o.hidden ? ' hidden' : ''}`).join(',');
  return `${c.name()} [${c.aliases().join(',')}] ${options}\n${c.helpInformation()}${c.commands.map(describeCommand).join('')}`;
}

/** The `team` command of `program`. */
function teamOf(program: Command): Command {
  const team = program.commands.find((c) => c.name() === 'team');
  if (team === undefined) throw new Error('no team command');
  return team;
}

/** What parsing `args` with `program` ends with: `no error`, or the commander error's code and message. */
const parseError = (program: Command, args: string[]): Promise<string> =>
  program.parseAsync(args, { from: 'user' }).then(
    () => 'no error',
    (e: unknown) => `${(e as { code?: string }).code ?? ''}: ${(e as { message?: string }).message ?? ''}`,
  );

const full = teamOf(buildProgram());
const names = full.commands.map((c) => c.name());

describe('the partial team group', () => {
  it('has only the named sub-command, the same as in the whole tree, for every sub-command', () => {
    expect(names.length).toBeGreaterThan(25);
    for (const name of names) {
      const whole = full.commands.find((c) => c.name() === name);
      for (const args of [['team', name], ['team', '--file', 't.yaml', '-u', 'a@b', name, 'x'], ['--vault', 'v', '--debug', 'team', '--passphrase-file', 'p', '--ignore-env', name]]) {
        const team = teamOf(buildProgram(args));
        expect(team.commands.map((c) => c.name()), args.join(' ')).toEqual([name]);
        expect(describeCommand(team.commands[0] as Command), args.join(' ')).toBe(describeCommand(whole as Command));
        expect(team.options.map((o) => `${o.flags}=${JSON.stringify(o.defaultValue)}`)).toEqual(full.options.map((o) => `${o.flags}=${JSON.stringify(o.defaultValue)}`));
      }
    }
  });

  it('is the whole group when the word is not certainly a sub-command', () => {
    const lines = [
      'team', 'team --file t.yaml', 'team bogus', 'team --file=t.yaml list-domains', 'team --bogus list-domains',
      'team -uname list-domains', 'team --file t.yaml -- list-domains', 'team list-domains --help', 'team help list-domains',
    ].map((line) => line.split(' '));
    for (const args of lines) expect(describeCommand(teamOf(buildProgram(args))), args.join(' ')).toBe(describeCommand(full));
  });

  it('throws the same parse errors as the whole tree', async () => {
    const lines = [
      'team --file t.yaml add-secret prod', 'team --file t.yaml list-domains extra', 'team --file t.yaml decrypt --format xml d',
      'team --file t.yaml list-domains --bogus', 'team -u x add-custodian --key-type', 'team --file t.yaml pull', 'team --file t.yaml trust',
    ].map((line) => line.split(' '));
    const wholeErrors = await Promise.all(lines.map((args) => parseError(buildProgram(), args)));
    const partialErrors = await Promise.all(lines.map((args) => parseError(buildProgram(args), args)));
    expect(wholeErrors.filter((e) => e === 'no error')).toEqual([]);
    expect(partialErrors).toEqual(wholeErrors);
    // Each of these lines builds only its sub-command.
    for (const args of lines) expect(teamOf(buildProgram(args)).commands.length, args.join(' ')).toBe(1);
  });

  it('reports a parse error as the whole tree does, in-process', async () => {
    const dir = tmpdir();
    const run = (args: string[]) => runCli(args, { env: { HOME: dir, SEEQRET: dir }, cwd: dir });
    const missing = await run(['team', '--file', 't.yaml', 'add-secret', 'prod']);
    expect([missing.status, missing.stdout, missing.stderr]).toEqual([2, '', "seeqret: E_USAGE: missing required argument 'name'. Fix: run `seeqret <command> --help`.\n"]);
    const extra = await run(['team', '--file', 't.yaml', 'list-domains', 'extra']);
    expect([extra.status, extra.stdout]).toEqual([2, '']);
    expect(extra.stderr).toMatch(/^seeqret: E_USAGE: too many arguments for 'list-domains'/);
  });
});
