/**
 * The team reports called in-process: `team info`'s report and lines on a copy of the
 * pocket_protector fixture, and `team decrypt`'s formats of decrypted values.
 */
import { describe, expect, it } from 'vitest';
import { SeeqretError } from '../src/errors.js';
import { NO_PROMPTS } from '../src/team/credentials.js';
import { passphraseChain } from '../src/passphrase.js';
import { decryptedText, teamInfo } from '../src/team/report.js';
import type { TeamSession } from '../src/team/session.js';
import { fixtureCopy, stateDirOf } from './team-helpers.js';

function session(file: string): TeamSession {
  return {
    file,
    vaultDir: stateDirOf(file),
    env: {},
    credentials: {},
    prompts: NO_PROMPTS,
    passphrases: passphraseChain([]),
    vault: { identity: () => Promise.reject(new Error('no vault')), use: () => Promise.reject(new Error('no vault')) },
  };
}

describe('teamInfo', () => {
  it('reports the fixture and says the same facts as lines', () => {
    const file = fixtureCopy();
    const lines: string[] = [];
    const r = teamInfo(session(file), { info: (l) => lines.push(l), warn: (l) => lines.push(`warn ${l}`) });
    expect(r.file).toBe(file);
    expect(r.pprotectReadable).toBe(true);
    expect(r.custodians.map((c) => c.name)).toEqual(['fast@example.com', 'hard@example.com', 'raw@example.com']);
    expect(r.custodians.find((c) => c.name === 'raw@example.com')?.type).toBe('raw');
    expect(r.domains.map((d) => [d.name, d.secrets, d.owners.length])).toEqual([
      ['dev', 2, 3],
      ['prod', 1, 1],
    ]);
    expect(r.signature).toEqual({ state: 'unsigned' });
    expect(r.vault.dir).toBe(stateDirOf(file));
    expect(lines[0]).toBe(`file: ${file}`);
    expect(lines[1]).toBe('format: pocket_protector (readable by pprotect)');
    const dev = r.domains[0];
    expect(lines).toContain(`domain dev: 2 secrets; owners ${dev?.owners.join(', ') ?? ''}; key fingerprint ${dev?.fingerprint ?? ''}`);
    expect(lines).toContain('signature: unsigned');
    expect(lines.at(-1)).toBe(`this vault (${r.vault.dir}): ${r.vault.verdict}`);
    expect(lines).toHaveLength(2 + 3 + 2 + 3);
  });
});

describe('decryptedText', () => {
  const values = new Map([
    ['B', "it's"],
    ['A', 'x y'],
  ]);
  it('writes one value bare, else JSON with sorted keys', () => {
    expect(decryptedText('dev', values, 'A')).toBe('x y\n');
    expect(decryptedText('dev', values)).toBe('{\n  "A": "x y",\n  "B": "it\'s"\n}\n');
    expect(decryptedText('dev', values, 'B', 'json')).toBe('{\n  "B": "it\'s"\n}\n');
  });
  it('writes env and shell lines sorted by name, quoted', () => {
    expect(decryptedText('dev', values, undefined, 'env')).toBe(`A='x y'\nB='it'"'"'s'\n`);
    expect(decryptedText('dev', values, undefined, 'shell')).toBe(`export A='x y'\nexport B='it'"'"'s'\n`);
    expect(decryptedText('dev', new Map(), undefined, 'env')).toBe('');
  });
  it('refuses an unknown secret and a name that is no shell variable', () => {
    expect(() => decryptedText('dev', values, 'C')).toThrow(expect.objectContaining({ code: 'E_NOT_FOUND' }) as SeeqretError);
    expect(() => decryptedText('dev', new Map([['a-b', '1']]), undefined, 'shell')).toThrow(expect.objectContaining({ code: 'E_INVALID_NAME' }) as SeeqretError);
  });
});
