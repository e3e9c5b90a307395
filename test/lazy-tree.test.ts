/**
 * A command line whose first word names a known command builds only the groups registering that
 * word (decision 85); help, unknown commands and parse errors see the whole tree. The partial
 * tree's sub-tree of the word is the whole tree's, and its parse errors are the same.
 */
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../src/cli/main.js';
import { runCli } from '../src/cli/run-in-process.js';
import { tmpdir } from './helpers.js';

/** Every command under `cmd`, with its path, aliases, options and help text. */
function describeTree(cmd: Command, prefix: string[] = []): string[] {
  return cmd.commands.flatMap((c) => {
    const at = [...prefix, c.name()];
    const options = c.options.map((o) => `${o.flags}=${JSON.stringify(o.defaultValue)}${o.hidden ? ' hidden' : ''}`).join(',');
    return [`${at.join(' ')} [${c.aliases().join(',')}] ${options}\n${c.helpInformation()}`, ...describeTree(c, at)];
  });
}

/** The sub-tree of the top-level command `word` in `program`. */
function subTree(program: Command, word: string): string[] {
  const c = program.commands.find((x) => x.name() === word || x.aliases().includes(word));
  if (c === undefined) throw new Error(`no command ${word}`);
  return [c.helpInformation(), ...describeTree(c, [c.name()])];
}

/** The commander error (code and message) parsing `args` with `program` throws. */
async function parseError(program: Command, args: string[]): Promise<string> {
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (e) {
    const err = e as { code?: string; message?: string };
    return `${err.code ?? ''}: ${err.message ?? ''}`;
  }
  return 'no error';
}

const full = buildProgram();
const words = full.commands.flatMap((c) => [c.name(), ...c.aliases()]);

describe('the partial command tree', () => {
  it('has, for every command word, the same sub-tree of that word as the whole tree, and fewer commands', () => {
    expect(words.length).toBeGreaterThan(40);
    for (const word of words) {
      for (const args of [[word], [word, 'x', '--', '--help'], ['--vault', 'v', '--debug', word, 'x']]) {
        const lazy = buildProgram(args);
        expect(subTree(lazy, word), args.join(' ')).toEqual(subTree(full, word));
        if (word === 'help') expect(lazy.commands.length).toBe(full.commands.length);
        else expect(lazy.commands.length, args.join(' ')).toBeLessThan(full.commands.length);
        expect(lazy.options.map((o) => o.flags)).toEqual(full.options.map((o) => o.flags));
      }
    }
  });

  it('is the whole tree for help, unknown commands and command lines without a command', () => {
    for (const args of [[], ['--help'], ['-h'], ['list', '-h'], ['list', '--help'], ['add', 'key', '-yh'], ['help', 'list'], ['list', 'help'], ['lst'], ['--debug'], ['--vault', 'list'], ['--', 'list']]) {
      expect(describeTree(buildProgram(args)), args.join(' ')).toEqual(describeTree(full));
    }
  });

  it('throws the same parse errors as the whole tree', async () => {
    // Each a command line, its words split on spaces.
    const lines = [
      'list --bogus', 'list --reveall', 'add kye', 'add key', 'add key --app', 'rm usr x',
      'whoami --jsn', '--reveal list', '--vault v team bogus', 'team --file t.yaml list-domains --bogus', 'ss gett',
      'ss -s a.json get', 'init --usr x', 'env --bogus', 'sync --bogus', 'list a b c d',
    ].map((line) => line.split(' '));
    for (const args of lines) {
      const expected = await parseError(buildProgram(), args);
      expect(expected, args.join(' ')).not.toBe('no error');
      expect(await parseError(buildProgram(args), args), args.join(' ')).toBe(expected);
    }
  });

  it('reports a parse error and the misplaced-option hint as the whole tree does', async () => {
    const dir = tmpdir();
    const env = { HOME: dir, SEEQRET: dir };
    const run = (args: string[]) => runCli(args, { env, cwd: dir });
    const bogus = await run(['list', '--bogus']);
    expect([bogus.status, bogus.stdout, bogus.stderr]).toEqual([2, '', "seeqret: E_USAGE: unknown option '--bogus'. Fix: run `seeqret <command> --help`.\n"]);
    const misplaced = await run(['--reveal', 'list']);
    expect(misplaced.stderr).toBe('seeqret: E_USAGE: --reveal is an option of `seeqret list`, given before the command. Fix: Put it after the command: seeqret list --reveal …\n');
    for (const args of [['--version'], ['-V', 'list'], ['--version', '--bogus'], ['list', '--version']]) {
      const r = await run(args);
      expect([r.status, r.stdout, r.stderr], args.join(' ')).toEqual([0, `${full.version() ?? ''}\n`, '']);
      expect(buildProgram(args).commands.length, args.join(' ')).toBeLessThan(full.commands.length);
    }
    // Where commander may not read --version first, the whole tree.
    for (const args of [['--vault', '--version'], ['--bogus', '--version'], ['--debug', '-V']]) expect(buildProgram(args).commands.length, args.join(' ')).toBe(full.commands.length);
    const help = await run(['list', '--help']);
    expect([help.status, help.stdout]).toEqual([0, full.commands.find((c) => c.name() === 'list')?.helpInformation() ?? '']);
  });
});
