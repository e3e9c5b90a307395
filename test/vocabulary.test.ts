/**
 * One word per meaning (docs/commands/vault.md#vocabulary): `--overwrite` replaces what is there,
 * `--force` goes past a safety refusal, `-y/--yes` skips a question. The old spellings
 * (`add key --force`, `importenv --update`, `environments delete --force`, …) still work, hidden
 * from the help, and set the new option.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../src/cli/main.js';
import { cli, cliIn, errorCode, newVault, tmpdir, vaultValues } from './helpers.js';
import { ok } from './team-helpers.js';
import { must } from './must.js';

/** Every command of the tree with its path (`add key`). */
function commands(cmd: Command, prefix: string[] = []): Array<{ path: string; cmd: Command }> {
  return cmd.commands.flatMap((c) => [{ path: [...prefix, c.name()].join(' '), cmd: c }, ...commands(c, [...prefix, c.name()])]);
}

/** The old spellings kept, by command: old flag → the option it sets. */
const OLD: Record<string, Record<string, string>> = {
  'add key': { '--force': '--overwrite' },
  'add text': { '--force': '--overwrite' },
  'add user': { '--force': '--overwrite' },
  importenv: { '--update': '--overwrite' },
  'project init': { '--force': '--overwrite' },
  'environments delete': { '--force': '--yes' },
  'groups delete': { '--force': '--yes' },
  'securestore create': { '--force': '--overwrite' },
  'securestore export-key': { '--force': '--overwrite' },
  'securestore import': { '--update': '--overwrite' },
};

describe('the command tree speaks one vocabulary', () => {
  const all = commands(buildProgram());

  it('no visible --update; --overwrite always replaces; a visible --force never replaces or skips a question', () => {
    for (const { path: where, cmd } of all) {
      for (const o of cmd.options) {
        const shown = !o.hidden;
        if (o.long === '--update') expect(shown, `${where} --update`).toBe(false);
        if (o.long === '--overwrite') expect(o.description, `${where} --overwrite`).toMatch(/replace/);
        if (o.long === '--force' && shown) expect(o.description, `${where} --force`).not.toMatch(/^replace|do not ask|without asking/);
        if (o.long === '--yes') expect(o.short, `${where} --yes`).toBe('-y');
      }
    }
  });

  it('each old spelling is a hidden option of its command, next to the new one', () => {
    const byPath = new Map(all.map((c) => [c.path, c.cmd]));
    for (const [where, pairs] of Object.entries(OLD)) {
      const cmd = byPath.get(where);
      expect(cmd, where).toBeDefined();
      for (const [old, now] of Object.entries(pairs)) {
        expect(must(cmd).options.find((o) => o.long === old)?.hidden, `${where} ${old}`).toBe(true);
        expect(must(cmd).options.find((o) => o.long === now && !o.hidden), `${where} ${now}`).toBeDefined();
      }
      expect(must(cmd).helpInformation()).not.toMatch(new RegExp(`^ {2}${Object.keys(pairs)[0]}\\b`, 'm'));
    }
  });

  it('the old spellings set the new option when parsed', async () => {
    const program = buildProgram();
    const addKey = must(must(program.commands.find((c) => c.name() === 'add')).commands.find((c) => c.name() === 'key'));
    let seen: unknown;
    addKey.action((_n: string, _v: string, o: Record<string, unknown>) => {
      seen = o['overwrite'];
    });
    await program.parseAsync(['node', 'seeqret', 'add', 'key', 'K', 'v', '--force']);
    expect(seen).toBe(true);
  });
});

describe('new and old spellings through the CLI', () => {
  it('add key --overwrite / --force, importenv --overwrite / --update', async () => {
    const vault = newVault();
    ok(await cliIn(['add', 'key', 'K', 'one'], { vault }));
    expect(errorCode(await cliIn(['add', 'key', 'K', 'two'], { vault }))).toBe('E_EXISTS');
    ok(await cliIn(['add', 'key', 'K', 'two', '--overwrite'], { vault }));
    ok(await cliIn(['add', 'key', 'K', 'three', '--force'], { vault }));
    expect(vaultValues(vault)['*:*:K']).toBe('three');
    const env = path.join(tmpdir(), '.env');
    fs.writeFileSync(env, 'K=four\n');
    expect(ok(await cliIn(['importenv', env], { vault })).stderr).toContain('--overwrite');
    ok(await cliIn(['importenv', env, '--overwrite'], { vault }));
    expect(vaultValues(vault)['*:*:K']).toBe('four');
    fs.writeFileSync(env, 'K=five\n');
    ok(await cliIn(['importenv', env, '--update'], { vault }));
    expect(vaultValues(vault)['*:*:K']).toBe('five');
  });

  it('project init --overwrite / --force; groups and environments delete -y / --yes / --force', async () => {
    const vault = newVault();
    const dir = tmpdir();
    const run = (args: string[]): ReturnType<typeof cliIn> => cliIn(args, { vault, cwd: dir });
    ok(await run(['project', 'init', '--app', 'shop']));
    const again = await run(['project', 'init']);
    expect([errorCode(again), again.stderr]).toEqual(['E_EXISTS', expect.stringContaining('--overwrite')]);
    ok(await run(['project', 'init', '--overwrite', '--app', 'web']));
    ok(await run(['project', 'init', '--force', '--app', 'shop']));
    for (const flag of ['-y', '--yes', '--force']) {
      ok(await run(['groups', 'create', 'g']));
      // Once as a child process: the refusal comes from a real stdin that is not a terminal.
      const refused = flag === '-y' ? cli(['groups', 'delete', 'g'], { vault, cwd: dir }) : await run(['groups', 'delete', 'g']);
      expect([errorCode(refused), refused.stderr]).toEqual(['E_NO_TTY', expect.stringContaining('--yes')]);
      ok(await run(['groups', 'delete', 'g', flag]));
      ok(await run(['environments', 'create', 'old']));
      ok(await run(['environments', 'delete', 'old', flag]));
    }
  });
});
