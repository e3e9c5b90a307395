/**
 * `seeqret get FILTER` is served by the fast path (src/cli/fast.ts, fast-get.ts), and by the full
 * command tree when the command line has anything the fast path does not take: here `--`, which
 * commander accepts before the filter and the fast path leaves to it. Both must print the same
 * bytes, exit with the same code and leave the same audit entry (issue 12). The fast path is the
 * executable's (a child process); the full tree runs as the executable for two cases and
 * in-process for the rest.
 */
import { describe, expect, it } from 'vitest';
import { Vault } from '../src/vault/vault.js';
import { cli, cliIn, newVault } from './helpers.js';
import { must } from './must.js';

/** The audit entries after the first `from`, without their times, ids and chain fields. */
function auditSince(vault: string, from: number): Array<{ action: string; target: string | null; detail: string | null }> {
  const v = Vault.open({ dir: vault });
  try {
    return v.auditLog({}).slice(from).map((e) => ({ action: e.action, target: e.target, detail: e.detail }));
  } finally {
    v.close();
  }
}

function auditCount(vault: string): number {
  const v = Vault.open({ dir: vault });
  try {
    return v.auditLog({}).length;
  } finally {
    v.close();
  }
}

describe('get: fast path and full command tree agree', () => {
  const vault = newVault();
  {
    const v = Vault.open({ dir: vault });
    v.setMany([
      { key: 'PLAIN', value: 'plain value' },
      { app: 'web', env: 'prod', key: 'DB', value: 'web-prod \u00e9\u{1F600} "q" \\ $x\ttab' },
      { app: 'api', env: 'prod', key: 'DB', value: 'api-prod' },
      { app: 'web', env: 'dev', key: 'MULTI', value: 'line 1\nline 2\n' },
    ]);
    v.close();
  }
  const cases: string[][] = [
    ['PLAIN'],
    ['-n', 'PLAIN'],
    ['web:prod:DB'],
    ['web:dev:MULTI'],
    ['DB'], // two variants, neither global: E_AMBIGUOUS
    ['NOPE'], // E_NOT_FOUND
    ['web:*:[x'], // a filter that does not parse
  ];

  // The full command tree as the executable runs it (bin.ts leaves a command line with `--` to it)
  // for a value and for a refusal; in-process (cliIn: the same tree, no fast path there) for the others.
  const fullAsProcess = new Set(['PLAIN', 'NOPE']);

  it.each(cases.map((c) => [c.join(' '), c] as const))('get %s: same stdout, stderr, exit code and audit entries', async (label, args) => {
    const n0 = auditCount(vault);
    const fast = cli(['get', ...args], { vault });
    const n1 = auditCount(vault);
    const fullArgs = ['get', ...args.slice(0, -1), '--', must(args[args.length - 1], 'key argument')];
    const full = fullAsProcess.has(label) ? cli(fullArgs, { vault }) : await cliIn(fullArgs, { vault });
    expect(full.stdout).toBe(fast.stdout);
    expect(full.stderr).toBe(fast.stderr);
    expect(full.code).toBe(fast.code);
    // A value printed is a read recorded; a refusal records nothing.
    expect(n1 > n0).toBe(fast.code === 0);
    expect(auditSince(vault, n1)).toEqual(auditSince(vault, n0).slice(0, n1 - n0));
    expect(auditCount(vault) - n1).toBe(n1 - n0);
  });
});
