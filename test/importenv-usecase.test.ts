/**
 * The `importenv` use case called in-process: the first pass checks the whole file and writes
 * nothing, the second writes everything in one transaction or nothing; a dry run reports what
 * would change; a file that changes between the passes is refused. Real vault, real files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { thrownCode, tmpdir, vaultsClosedAfterEach } from './helpers.js';
import { must } from './must.js';
import { envFileMark } from '../src/formats/dialects.js';
import { applyDotenvImport, dotenvFileSource, dotenvImportLines, planDotenvImport } from '../src/sharing/importenv.js';

const vault = vaultsClosedAfterEach();

function file(text: string): string {
  const f = path.join(tmpdir(), 'x.env');
  fs.writeFileSync(f, text);
  return f;
}

const req = { app: 'web', env: 'dev', overwrite: false, dryRun: false };

describe('importenv use case', () => {
  it('imports each name once (the later value wins), with a note per repeat and the empty values named', () => {
    const v = vault();
    const plan = planDotenvImport(dotenvFileSource(file('A=1\nB=\nA=2\n')), req);
    expect(plan.repeats).toEqual([expect.stringMatching(/:3: A repeats line 1; the later value wins$/)]);
    const r = applyDotenvImport(v, plan);
    expect(r).toMatchObject({ app: 'web', env: 'dev', added: 2, updated: 0, skipped: 0, unchanged: 0, empty: 1, emptyNames: ['B'] });
    expect(v.reveal(must(v.lookup('web', 'dev', 'A')))).toBe('2');
    expect(dotenvImportLines(r, 'X')).toEqual(['2 added, 0 updated, 0 skipped, 0 unchanged', expect.stringContaining('1 empty value (KEY= in')]);
  });

  it('skips other values unless told to overwrite, and a dry run writes nothing', () => {
    const v = vault();
    v.set({ app: 'web', env: 'dev', key: 'A', value: 'old' });
    const src = { kind: 'text' as const, text: 'A=new\nC=3\n', label: '<stdin>' };
    const skipped = applyDotenvImport(v, planDotenvImport(src, req));
    expect(skipped).toMatchObject({ added: 1, skipped: 1 });
    expect(dotenvImportLines(skipped, '`again`')).toContain('Skipped secrets exist with another value; to replace them (yours go to history), run `again`.');
    const dry = applyDotenvImport(v, planDotenvImport(src, { ...req, overwrite: true, dryRun: true }));
    expect(dry.changes).toEqual([{ app: 'web', env: 'dev', key: 'A', outcome: 'updated' }]);
    expect(v.reveal(must(v.lookup('web', 'dev', 'A')))).toBe('old');
    applyDotenvImport(v, planDotenvImport(src, { ...req, overwrite: true }));
    expect(v.reveal(must(v.lookup('web', 'dev', 'A')))).toBe('new');
  });

  it('refuses a syntax error in the first pass and a file changed between the passes, writing nothing', () => {
    const v = vault();
    expect(thrownCode(() => planDotenvImport({ kind: 'text', text: 'A=1\nB="open\n', label: 'in' }, req))).toBeDefined();
    const f = file('A=1\nB=2\n');
    const plan = planDotenvImport(dotenvFileSource(f), req);
    fs.writeFileSync(f, 'A=1\nB=2\nC=3\n');
    expect(thrownCode(() => applyDotenvImport(v, plan))).toBe('E_FILE_CHANGED');
    expect(v.lookup('web', 'dev', 'A')).toBeUndefined();
  });

  it('refuses a dialect other than the one the file names', () => {
    const f = file(`${envFileMark('python', Buffer.alloc(32))}A=1\n`);
    expect(planDotenvImport(dotenvFileSource(f), req).dialect).toBe('python');
    expect(planDotenvImport(dotenvFileSource(f), { ...req, dialect: 'python' }).dialect).toBe('python');
    expect(thrownCode(() => planDotenvImport(dotenvFileSource(f), { ...req, dialect: 'node' }))).toBe('E_USAGE');
  });
});
