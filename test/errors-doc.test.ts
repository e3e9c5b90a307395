/**
 * docs/errors.md says what the CLI really returns: its two tables (exit codes, error codes) are
 * read and checked row by row against src/errors.ts, both ways, and a sample of failures of the
 * real CLI exits with the number the table gives for the code it prints.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, ExitCode } from '../src/errors.js';
import { ROOT, addSecrets, cli, errorCode, newVault, tmpdir } from './helpers.js';
import { must } from './must.js';

const DOC = fs.readFileSync(path.join(ROOT, 'docs', 'errors.md'), 'utf8');

/** The rows `| `E_CODE` | N | …` of the error-code table. */
const documented = [...DOC.matchAll(/^\| `(E_[A-Z0-9_]+)` \| (\d+) \|/gm)].map((m) => [must(m[1]), Number(m[2])] as const);

/** The rows `| N | `NAME` | …` of the exit-code table. */
const exitRows = [...DOC.matchAll(/^\| (\d+) \| `([A-Z_]+)` \|/gm)].map((m) => [must(m[2]), Number(m[1])] as const);

describe('docs/errors.md against src/errors.ts', () => {
  it('every documented error code exists with that exit code, once; every code is documented', () => {
    const codes: Record<string, number> = ERROR_CODES;
    for (const [code, exit] of documented) expect([code, codes[code]]).toEqual([code, exit]);
    expect(new Set(documented.map(([c]) => c)).size).toBe(documented.length);
    expect(documented.map(([c]) => c).sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });

  it('the exit-code table is ExitCode, name for name', () => {
    expect(Object.fromEntries(exitRows)).toEqual(ExitCode);
  });
});

describe('the real CLI exits as the table says', () => {
  const table = new Map(documented);
  /** Run, read the printed code, and compare the exit status with the table's. */
  const exitsAsDocumented = (r: ReturnType<typeof cli>, expected: string): void => {
    const code = errorCode(r);
    expect(code).toBe(expected);
    expect([code, r.code]).toEqual([code, table.get(must(code))]);
  };

  it('a sample of failures', () => {
    const vault = newVault();
    const dir = tmpdir();
    exitsAsDocumented(cli(['get', 'A', 'B'], { vault }), 'E_USAGE');
    exitsAsDocumented(cli(['get', 'NOPE'], { vault }), 'E_NOT_FOUND');
    exitsAsDocumented(cli(['list'], { vault: path.join(dir, 'none') }), 'E_VAULT_NOT_FOUND');
    exitsAsDocumented(cli(['get', 'a:b:c:d'], { vault }), 'E_FILTER_SYNTAX');
    // Set-up in-process (what `add key` stores); the failures below are the real CLI's.
    addSecrets(vault, { env: 'dev', key: 'K', value: 'one' }, { env: 'prod', key: 'K', value: 'two' });
    exitsAsDocumented(cli(['add', 'key', 'K', 'other', '--env', 'dev'], { vault }), 'E_EXISTS');
    exitsAsDocumented(cli(['get', 'K'], { vault }), 'E_AMBIGUOUS');
    exitsAsDocumented(cli(['add', 'key', 'EMPTY', ''], { vault }), 'E_EMPTY_VALUE');
    fs.writeFileSync(path.join(dir, 'bad.env'), 'not a line\n');
    exitsAsDocumented(cli(['importenv', path.join(dir, 'bad.env')], { vault }), 'E_DOTENV_SYNTAX');
    exitsAsDocumented(cli(['init', path.dirname(vault), '--user', 'a', '--email', 'a@example.com']), 'E_VAULT_EXISTS');
  });
});
