/**
 * `seeqret sync` and `seeqret push` run from their own bundle without the command tree
 * (src/cli/fast-relay.ts, decision 68). The scanner takes only the plain forms and leaves
 * everything else to commander; both paths run the same handlers, so a push and a sync give the
 * same output, exit code and vault contents either way. A real relay process (SQLite), the real
 * CLI as child processes.
 */
import fc from 'fast-check';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFastRelay } from '../src/cli/fast-relay.js';
import { BIN, cleanEnv, cli, tmpdir, vaultValues } from './helpers.js';
import { type RelayProcess, startRelay } from './relay-helpers.js';
import { type RelayTeam, addSecrets, makeTeam } from './relay-team.js';
import { must } from './must.js';

describe('parseFastRelay', () => {
  it('takes the plain forms, with global options anywhere', () => {
    expect(parseFastRelay(['sync'])).toEqual({ command: 'sync', g: {}, options: {} });
    expect(parseFastRelay(['--vault', 'V', 'sync', '--accept', '--overwrite', '--debug'])).toEqual({ command: 'sync', g: { vault: 'V', debug: true }, options: { accept: true, overwrite: true } });
    expect(parseFastRelay(['push', '--to', 'a,b', '--to=c', '-f', 'x:y:', '--filter=z', '--passphrase-file=P'])).toEqual({
      command: 'push',
      g: { passphraseFile: 'P' },
      options: { to: ['a,b', 'c'], filter: ['x:y:', 'z'] },
    });
    expect(parseFastRelay(['push', '--updates'])).toEqual({ command: 'push', g: {}, options: { updates: true } });
  });

  it('leaves everything else to the full parser', () => {
    for (const args of [
      [],
      ['get', 'sync'],
      ['sync', '--help'],
      ['sync', 'extra'],
      ['sync', '--'],
      ['sync', '--updates'],
      ['push', '--accept'],
      ['push', '-fx:y:'],
      ['push', '--to'],
      ['push', '--to', '-f'],
      ['--to', 'bob', 'push'],
      ['--follow-symlinks', 'sync'],
      ['--vault'],
      ['sync', 'push'],
      ['relay', 'sync'],
      ['watch'],
    ]) expect(parseFastRelay(args), args.join(' ')).toBeNull();
  });

  it('agrees with a model on any mix of the options it takes, and never throws on other words', () => {
    const word = fc.stringMatching(/^[a-z:,*]{1,8}$/);
    const piece = fc.oneof(
      fc.record({ k: fc.constant('vault'), v: word }),
      fc.record({ k: fc.constant('debug'), v: fc.constant('') }),
      fc.record({ k: fc.constantFrom('to', 'filter', 'updates', 'overwrite', 'accept'), v: word }),
    );
    fc.assert(
      fc.property(fc.constantFrom('sync' as const, 'push' as const), fc.array(piece, { maxLength: 6 }), fc.array(piece, { maxLength: 3 }), (command, after, before) => {
        const args: string[] = [];
        const expected: { to: string[]; filter: string[]; flags: Set<string>; vault?: string; debug?: boolean; ok: boolean } = { to: [], filter: [], flags: new Set(), ok: true };
        const add = (p: { k: string; v: string }, afterCommand: boolean): void => {
          if (p.k === 'vault') {
            args.push('--vault', p.v);
            expected.vault = p.v;
          } else if (p.k === 'debug') {
            args.push('--debug');
            expected.debug = true;
          } else if (p.k === 'to' || p.k === 'filter') {
            args.push(p.k === 'to' ? '--to' : '-f', p.v);
            if (!afterCommand || command !== 'push') expected.ok = false;
            (p.k === 'to' ? expected.to : expected.filter).push(p.v);
          } else {
            args.push(`--${p.k}`);
            if (!afterCommand || (p.k === 'updates') !== (command === 'push')) expected.ok = false;
            expected.flags.add(p.k);
          }
        };
        for (const p of before) add(p, false);
        args.push(command);
        for (const p of after) add(p, true);
        const got = parseFastRelay(args);
        if (!expected.ok) return got === null;
        const flags = Object.fromEntries([...expected.flags].map((f) => [f, true]));
        const options = command === 'push' ? { ...(expected.to.length ? { to: expected.to } : {}), ...(expected.filter.length ? { filter: expected.filter } : {}), ...flags } : flags;
        const g = { ...(expected.vault !== undefined ? { vault: expected.vault } : {}), ...(expected.debug ? { debug: true } : {}) };
        expect(got).toEqual({ command, g, options });
        return true;
      }),
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom('sync', 'push', '--to', '-f', '--vault', '--', '-', '--accept', '--updates', '--x=y'), fc.string()), { maxLength: 8 }), (args) => {
        const got = parseFastRelay(args);
        if (got === null) return true;
        // Taken only with its command word, and never with `--` or an option it does not know.
        expect(args).toContain(got.command);
        return !args.includes('--') && !args.includes('--x=y');
      }),
    );
  });
});

describe('sync and push: the fast path and the command tree agree', () => {
  let relay: RelayProcess;
  let team: RelayTeam;
  beforeAll(async () => {
    relay = await startRelay(BIN, cleanEnv(), path.join(tmpdir(), 'relay.db'));
    team = await makeTeam(relay.url, 'alice', ['bob', 'carol']);
  }, 120_000);
  afterAll(async () => {
    await relay.stop();
  });
  /** Output with envelope and bundle ids made comparable. */
  const shape = (text: string): string => text.replace(/\b[0-9a-f]{32}\b/g, 'ID');

  it('same output, exit codes and values', () => {
    const bob = must(team.vaults['bob']);
    const carol = must(team.vaults['carol']);
    addSecrets(team.creator, 'app', 'prod', 3, 'first');
    // Fast path (plain form), then the full tree (`--` is not taken by the scanner, commander accepts it).
    const fastPush = cli(['push', '--to', 'bob', '-f', 'app:prod:'], { vault: team.creator });
    const fullPush = cli(['push', '--to', 'carol', '-f', 'app:prod:', '--'], { vault: team.creator });
    expect(fastPush.code, fastPush.stderr).toBe(0);
    expect(fullPush.code).toBe(0);
    expect(shape(fastPush.stderr).replace('bob', 'carol')).toBe(shape(fullPush.stderr));
    const fastSync = cli(['sync', '--accept'], { vault: bob });
    const fullSync = cli(['sync', '--accept', '--'], { vault: carol });
    expect(fastSync.code, fastSync.stderr).toBe(0);
    expect(fullSync.code).toBe(0);
    expect(shape(fastSync.stderr)).toBe(shape(fullSync.stderr));
    expect(fastSync.stdout).toBe(fullSync.stdout);
    expect(vaultValues(bob)).toEqual({ 'app:prod:KEY_0': 'first-0', 'app:prod:KEY_1': 'first-1', 'app:prod:KEY_2': 'first-2' });
    expect(vaultValues(carol)).toEqual(vaultValues(bob));
    // An error is reported the same way: a push to nobody the vault knows.
    const fastErr = cli(['push', '--to', 'nobody', '-f', 'app:prod:'], { vault: team.creator });
    const fullErr = cli(['push', '--to', 'nobody', '-f', 'app:prod:', '--'], { vault: team.creator });
    expect(fastErr.code).not.toBe(0);
    expect(fastErr.code).toBe(fullErr.code);
    expect(fastErr.stderr).toBe(fullErr.stderr);
  }, 60_000);
});
