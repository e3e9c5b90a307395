/**
 * A standard output that cannot be written (here /dev/full: every write fails with ENOSPC, as on a
 * full disk) ends the real CLI with one `E_IO` line and E_IO's exit code — never a stack trace,
 * never exit 0 as if the value had been delivered — on the command tree's path, commander's own
 * output (help, version) and the `get` fast path. A closed pipe stays a quiet end (test/tree-output).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BIN, addSecrets, cleanEnv, newVault } from './helpers.js';

const FULL = '/dev/full';
const hasFull = fs.existsSync(FULL);
if (!hasFull) console.log('test/output-failure.test.ts skipped: no /dev/full on this machine');

describe.skipIf(!hasFull)('stdout that cannot be written', () => {
  it('list, get, --help and --version: one E_IO line with a fix, exit 7, the value never on stderr', () => {
    const vault = newVault();
    addSecrets(vault, { key: 'TOKEN', value: 'v-Zq8s-secret' });
    const out = fs.openSync(FULL, 'w');
    try {
      for (const args of [['list'], ['get', 'TOKEN'], ['--help'], ['--version']]) {
        const r = spawnSync(process.execPath, [BIN, '--vault', vault, ...args], { env: cleanEnv(), stdio: ['ignore', out, 'pipe'], encoding: 'utf8' });
        expect([args, r.status]).toEqual([args, 7]);
        expect(r.stderr).toBe('seeqret: E_IO: cannot write to standard output: ENOSPC. Fix: Check the disk and where the output goes (free space, or redirect it elsewhere), then retry.\n');
        expect(r.stderr).not.toContain('v-Zq8s-secret');
      }
    } finally {
      fs.closeSync(out);
    }
  });
});
