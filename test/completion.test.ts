/**
 * Shell completion generated from the command tree, `seeqret help CMD SUB`, and the hint for a
 * command's option given before the command. The scripts are run by the real shells (bash
 * always; zsh and fish when installed, else skipped with a printed reason).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../src/cli/main.js';
import { type CompletionNode, completionScript, completionTree } from '../src/cli/completion.js';
import { cli, cliIn, errorCode, tmpdir } from './helpers.js';
import { must } from './must.js';

const has = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const nodes = completionTree(buildProgram());
const byPath = new Map(nodes.map((n) => [n.path, n]));

/** Ask bash for the completions of every `words` line at once (one bash process). */
function bashComplete(script: string, lines: readonly string[][]): string[][] {
  const file = path.join(tmpdir(), 'c.bash');
  fs.writeFileSync(file, script);
  const calls = lines
    .map((w) => `COMP_WORDS=(${w.map((x) => `'${x}'`).join(' ')}); COMP_CWORD=${w.length - 1}; COMPREPLY=(); _seeqret; printf '%s\\n' "\${COMPREPLY[*]}"`)
    .join('\n');
  const r = spawnSync('bash', ['-c', `source '${file}'\n${calls}`], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').slice(0, lines.length).map((l) => (l === '' ? [] : l.split(' ')));
}

describe('completion tree', () => {
  it('has a node for every command path, aliases included, each with --help', () => {
    const walk = (c: ReturnType<typeof buildProgram>, p: string): void => {
      expect(byPath.has(p), p).toBe(true);
      for (const s of c.commands) walk(s, p === '' ? s.name() : `${p} ${s.name()}`);
    };
    walk(buildProgram(), '');
    expect(byPath.get('ss')?.commands).toEqual(byPath.get('securestore')?.commands);
    for (const n of nodes) expect(n.options).toContain('--help');
    expect(must(byPath.get('')).commands).toEqual(expect.arrayContaining(['init', 'add', 'get', 'team', 'completion', 'help']));
    expect(must(byPath.get('add key')).options).toEqual(expect.arrayContaining(['--app', '--overwrite', '--vault']));
    expect(must(byPath.get('add key')).valueOptions).toEqual(expect.arrayContaining(['--app', '--vault']));
    expect(must(byPath.get('add key')).valueOptions).not.toContain('--overwrite');
    // Old spellings kept for scripts (add key --force) are not offered.
    expect(must(byPath.get('add key')).options).not.toContain('--force');
  });
});

describe('bash', () => {
  const script = completionScript(buildProgram(), 'bash');

  it('completes every command path to its sub-commands, and options after a dash', () => {
    const withSubs = nodes.filter((n) => n.commands.length > 0);
    const lines = withSubs.map((n) => ['seeqret', ...(n.path === '' ? [] : n.path.split(' ')), '']);
    const got = bashComplete(script, lines);
    withSubs.forEach((n, i) => { expect(got[i], n.path).toEqual(n.commands); });
    const leaves: CompletionNode[] = nodes.filter((n) => n.commands.length === 0).slice(0, 40);
    const opts = bashComplete(script, leaves.map((n) => ['seeqret', ...n.path.split(' '), '--']));
    leaves.forEach((n, i) => { expect(opts[i], n.path).toEqual(n.options.filter((o) => o.startsWith('--'))); });
  });

  it('skips option values, completes prefixes, and stops after --', () => {
    const got = bashComplete(script, [
      ['seeqret', 'ad'],
      ['seeqret', '--vault', 'add', ''], // `add` is the folder: the program's commands again
      ['seeqret', '--vault', '/v', 'add', ''],
      ['seeqret', 'add', 'key', '--app', 'key', '--overw'],
      ['seeqret', 'run', '--', ''],
    ]);
    expect(got[0]).toEqual(['add']);
    expect(got[1]).toEqual(must(byPath.get('')).commands);
    expect(got[2]).toEqual(must(byPath.get('add')).commands);
    expect(got[3]).toEqual(['--overwrite']);
    expect(got[4]).toEqual([]);
  });

  // The executable's own run of `completion` (its child process in the suite); the rest in-process.
  it('is printed by `seeqret completion bash`; an unknown shell is E_USAGE', async () => {
    expect(cli(['completion', 'bash']).stdout).toBe(script);
    const r = await cliIn(['completion', 'tcsh']);
    expect(errorCode(r)).toBe('E_USAGE');
  });
});

describe('zsh and fish', () => {
  // bashcompinit calls the function with ksharrays set (arrays from 0, as in bash); so does the test.
  it('zsh: the script loads and completes through bashcompinit', async (ctx) => {
    if (!has('zsh')) {
      console.log('skipped: zsh is not installed');
      ctx.skip();
    }
    const file = path.join(tmpdir(), 'c.zsh');
    fs.writeFileSync(file, (await cliIn(['completion', 'zsh'])).stdout);
    const r = spawnSync('zsh', ['-f', '-c', `source '${file}'; setopt ksharrays; COMP_WORDS=(seeqret add ''); COMP_CWORD=2; _seeqret; print -r -- "\${COMPREPLY[*]}"`], { encoding: 'utf8', env: { ...process.env, HOME: tmpdir() } });
    expect(r.stdout.trim().split(' ')).toEqual(must(byPath.get('add')).commands);
  });

  it('fish: `complete -C` gives the sub-commands and options', async (ctx) => {
    if (!has('fish')) {
      console.log('skipped: fish is not installed');
      ctx.skip();
    }
    const file = path.join(tmpdir(), 'c.fish');
    fs.writeFileSync(file, (await cliIn(['completion', 'fish'])).stdout);
    const run = (line: string): string[] => {
      const r = spawnSync('fish', ['--no-config', '-c', `source '${file}'; complete -C '${line}'`], { encoding: 'utf8', env: { ...process.env, HOME: tmpdir() } });
      expect(r.stderr).toBe('');
      return r.stdout.split('\n').filter(Boolean).map((l) => must(l.split('\t')[0]));
    };
    expect(run('seeqret add ').sort()).toEqual([...must(byPath.get('add')).commands].sort());
    expect(run('seeqret --vault /v ss g')).toEqual(['get']);
    expect(run('seeqret add key --overw')).toEqual(['--overwrite']);
  });
});

describe('help and misplaced options', () => {
  it('`help add key` shows the help of `add key`; an unknown word is E_USAGE naming it', async () => {
    const r = await cliIn(['help', 'add', 'key']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe((await cliIn(['add', 'key', '--help'])).stdout);
    expect((await cliIn(['help'])).stdout).toContain('Usage: seeqret');
    const bad = await cliIn(['help', 'add', 'nope']);
    expect(errorCode(bad)).toBe('E_USAGE');
    expect(bad.stderr).toContain("seeqret add has no command 'nope'");
  });

  it("a command's option before the command says where it goes; a global option after the command works", async () => {
    for (const [args, where, flag] of [
      [['--reveal', 'list'], 'seeqret list', '--reveal'],
      [['--app', 'x', 'add', 'key', 'K', 'v'], 'seeqret add key', '--app'],
      [['--overwrite=1', 'add', 'key', 'K'], 'seeqret add key', '--overwrite'],
      [['add', '--overwrite', 'key', 'K'], 'seeqret add key', '--overwrite'],
    ] as const) {
      const r = await cliIn([...args]);
      expect(errorCode(r), args.join(' ')).toBe('E_USAGE');
      expect(r.stderr).toContain(`${flag} is an option of \`${where}\``);
      expect(r.stderr).toContain(`Put it after the command: ${where} ${flag}`);
    }
    // An option no command has keeps the parser's message.
    expect((await cliIn(['--bogus', 'list'])).stderr).toContain("unknown option '--bogus'");
    // A global option after the command is accepted where it is.
    expect(errorCode(await cliIn(['list', '--vault', path.join(tmpdir(), 'none')]))).toBe('E_VAULT_NOT_FOUND');
  });
});
