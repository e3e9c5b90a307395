/**
 * The executable's command tree runs its one command as the process's only run (`withSoleRun`,
 * decision 93): no `AsyncLocalStorage` scope, so Node does not load and install its promise hooks.
 * Its output, errors and exit codes are those of the in-process runner, which keeps the scope.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/run-in-process.js';
import { BIN, cleanEnv, newVault, tmpdir } from './helpers.js';

describe('the executable command tree as the sole run', () => {
  const vault = newVault();
  const dir = tmpdir();
  const preload = path.join(dir, 'probe.cjs');
  const report = path.join(dir, 'modules.json');
  fs.writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(report)}, JSON.stringify(process.moduleLoadList.filter((m) => m === 'NativeModule internal/promise_hooks'))));\n`);
  const run = (args: string[]) =>
    spawnSync(process.execPath, [BIN, '--vault', vault, ...args], { env: cleanEnv({ NODE_OPTIONS: `--require ${preload}` }), stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });

  it('loads no promise hooks, and prints and exits as the in-process runner does', async () => {
    for (const args of [['--version'], ['list'], ['whoami'], ['add', 'key', 'SOLE', 'v'], ['get', 'SOLE', '--json'], ['lst'], ['list', '--bogus'], ['get', 'NO_SUCH_KEY', '--json']]) {
      fs.rmSync(report, { force: true });
      const child = run(args);
      expect(JSON.parse(fs.readFileSync(report, 'utf8')), args.join(' ')).toEqual([]);
      const inProcess = await runCli(['--vault', vault, ...(args[0] === 'add' ? ['add', 'key', 'SOLE2', 'v'] : args)], { env: cleanEnv(), cwd: dir });
      const same = (s: string) => s.replaceAll('SOLE2', 'SOLE');
      expect([child.status, child.stdout, child.stderr], args.join(' ')).toEqual([inProcess.status, same(inProcess.stdout), same(inProcess.stderr)]);
    }
  });
});
