/**
 * The `get` fast path writes its value with fs.writeSync when stdout is a file, a pipe or a
 * socket (src/cli/fd-out.ts) and creates process.stdout/stderr only when used (src/cli/bin.ts):
 * the value must still arrive exactly, a closed pipe must still end quietly, and the read must
 * still be audited.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, cleanEnv, cli, newVault, tmpdir } from './helpers.js';
import { Vault } from '../src/vault/vault.js';

describe('get output (fast path)', () => {
  const vault = newVault();
  const big = Array.from({ length: 10_000 }, (_, i) => `line ${i} \u00e9\u{1F600} \\ "q" 'q' $x\t`).join('\n'); // ~330 KB: larger than a pipe buffer (64 KiB)
  {
    const v = Vault.open({ dir: vault });
    v.set({ key: 'SMALL', value: 'one\u0007two\u202Ethree' });
    v.set({ key: 'BIG', value: big });
    v.close();
  }

  it('writes the exact value into a pipe, also one larger than the pipe buffer, and -n drops the newline', () => {
    const small = cli(['get', 'SMALL'], { vault });
    expect(small.code).toBe(0);
    expect(small.stdout).toBe('one\u0007two\u202Ethree\n');
    expect(small.stderr).toBe('');
    const r = cli(['get', '-n', 'BIG'], { vault });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(big);
  });

  it('writes the exact value into a file', () => {
    const file = path.join(tmpdir(), 'out.txt');
    const fd = fs.openSync(file, 'w');
    const r = spawnSync(process.execPath, [BIN, '--vault', vault, 'get', 'BIG'], { env: cleanEnv(), stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
    fs.closeSync(fd);
    expect(r.status).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toBe(`${big}\n`);
  });

  it('a reader that closed the pipe ends the get quietly (exit 0, nothing on stderr), and the read is audited', () => {
    const before = (() => {
      const v = Vault.open({ dir: vault });
      try {
        return v.auditLog({}).filter((e) => e.action === 'secret.read').length;
      } finally {
        v.close();
      }
    })();
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" --vault "${vault}" get BIG | head -c 1 >/dev/null; echo "status=$?"`], { env: cleanEnv(), encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('status=0\n');
    const v = Vault.open({ dir: vault });
    try {
      expect(v.auditLog({}).filter((e) => e.action === 'secret.read').length).toBeGreaterThan(before);
    } finally {
      v.close();
    }
  });

  it('errors still reach stderr as one line with their exit code', () => {
    const r = cli(['get', 'NOPE'], { vault });
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^seeqret: E_NOT_FOUND: .*\n$/);
  });
});
