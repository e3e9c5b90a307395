/**
 * The command tree writes into a file, pipe or socket with fs.writeSync (src/cli/process-io.ts,
 * decision 85), so a command that only prints creates neither process.stdout nor process.stderr
 * (no `net`/`tty` stream code): its output must still arrive whole and in order, also larger than
 * a pipe's buffer, a closed pipe must still end it quietly, and errors still reach stderr.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, cleanEnv, newVault, tmpdir } from './helpers.js';
import { Vault } from '../src/vault/vault.js';

/** A preload that writes, at exit, which of Node's stream modules the process loaded. */
function modulesProbe(dir: string): { preload: string; report: string } {
  const preload = path.join(dir, 'probe.cjs');
  const report = path.join(dir, 'modules.json');
  fs.writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(report)}, JSON.stringify(process.moduleLoadList.filter((m) => /^NativeModule (net|tty)$/.test(m)))));\n`);
  return { preload, report };
}

describe('the command tree output without streams', () => {
  const vault = newVault();
  const ROWS = 3000; // ~200 kB of table: larger than a pipe buffer (64 KiB)
  {
    const v = Vault.open({ dir: vault });
    // One transaction for the rows (set-up only: what is checked is how the list of them is printed).
    v.setMany(Array.from({ length: ROWS }, (_, i) => ({ app: 'web', env: 'prod', key: `KEY_${String(i).padStart(5, '0')}`, value: `v${i}` })));
    v.close();
  }
  const run = (args: string[], stdio: Array<'pipe' | 'ignore' | number> = ['ignore', 'pipe', 'pipe'], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [BIN, '--vault', vault, ...args], { env: cleanEnv(env), stdio, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });

  it('a list larger than a pipe buffer arrives whole and in order, the same into a pipe and into a file', () => {
    const piped = run(['list']);
    expect(piped.status).toBe(0);
    expect(piped.stderr).toBe('');
    const lines = piped.stdout.trimEnd().split('\n');
    expect(lines.length).toBe(ROWS + 1);
    expect(lines.slice(1).map((l) => /KEY_\d+/.exec(l)?.[0])).toEqual(Array.from({ length: ROWS }, (_, i) => `KEY_${String(i).padStart(5, '0')}`));
    const file = path.join(tmpdir(), 'list.txt');
    const fd = fs.openSync(file, 'w');
    const r = run(['list'], ['ignore', fd, 'pipe']);
    fs.closeSync(fd);
    expect(r.status).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toBe(piped.stdout);
  });

  it('loads neither net nor tty to print into a pipe, and errors still reach stderr with their exit code', () => {
    const dir = tmpdir();
    const { preload, report } = modulesProbe(dir);
    for (const args of [['--version'], ['list', '-f', 'KEY_00001'], ['whoami']]) {
      const r = run(args, ['ignore', 'pipe', 'pipe'], { NODE_OPTIONS: `--require ${preload}` });
      expect([r.status, r.stderr], args.join(' ')).toEqual([0, '']);
      expect(r.stdout.length, args.join(' ')).toBeGreaterThan(0);
      expect(JSON.parse(fs.readFileSync(report, 'utf8')), args.join(' ')).toEqual([]);
    }
    const bad = run(['lst'], ['ignore', 'pipe', 'pipe'], { NODE_OPTIONS: `--require ${preload}` });
    expect([bad.status, bad.stdout, bad.stderr]).toEqual([2, '', "seeqret: E_USAGE: unknown command 'lst'. Fix: run `seeqret <command> --help`.\n"]);
    expect(JSON.parse(fs.readFileSync(report, 'utf8'))).toEqual([]);
  });

  it('a reader that closed the pipe ends the command quietly (exit 0, nothing on stderr)', () => {
    // seeqret's own status is printed on stderr, after its stderr.
    const r = spawnSync('sh', ['-c', `{ "${process.execPath}" "${BIN}" --vault "${vault}" list; echo "status=$?" >&2; } | head -c 1 >/dev/null`], { env: cleanEnv(), encoding: 'utf8' });
    expect(r.stderr).toBe('status=0\n');
  });
});
