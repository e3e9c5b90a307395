/**
 * The project use cases called in-process (no CLI, no terminal): `set` (sources, copies, default
 * options, the injected prompt, all or nothing), `generate`/`rotate`, and the environment
 * operations (delete, rename, path, find). Real project folders, real vaults, real crypto.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { thrownCode, tmpdir } from './helpers.js';
import { must } from './must.js';
import { type Project, createProject } from '../src/project/project.js';
import { applyEnvironmentDeletion, checkRename, deletionLines, ensureEnvironmentTmpDir, findVariables, planEnvironmentDeletion, renameEnvironment } from '../src/project/environment-ops.js';
import { environmentDir, environmentTmpDir, readLocalDefault, writeLocalDefault } from '../src/project/project.js';
import { generateValues, rotateValues } from '../src/project/generate.js';
import { type SetIo, type SetRequest, checkSetRequest, setVariables } from '../src/project/set.js';
import { parseFilter } from '../src/filter/index.js';
import { prepareExport, recordExport } from '../src/sharing/export.js';
import { Vault } from '../src/vault/vault.js';

const open: Vault[] = [];
afterEach(() => {
  for (const v of open.splice(0)) v.close();
});

/** A project `web` with environments dev (and prod), described by `db.json`; a vault beside it. */
function fixture(): { p: Project; v: Vault; vaultDir: string } {
  const root = tmpdir();
  const p = createProject(root, { app: 'web', environment: 'dev', descriptions: 'secrets', template: 'env.template' });
  for (const env of ['dev', 'prod']) {
    const gdir = path.join(root, 'secrets', env, 'secrets.d');
    fs.mkdirSync(gdir, { recursive: true });
    fs.writeFileSync(
      path.join(gdir, 'db.json'),
      JSON.stringify([
        { Variable: 'db_pass', Type: 'password' },
        { Variable: 'db_port', Type: 'int', Options: '5432,*' },
        { Variable: 'debug', Type: 'boolean', Options: 'false,true' },
        { Variable: 'api_token', Type: 'token_hex' },
      ]),
    );
  }
  const vaultDir = path.join(tmpdir(), 'v');
  const v = Vault.create({ dir: vaultDir, username: 'me', email: 'me@example.com' });
  open.push(v);
  return { p, v, vaultDir };
}

const value = (v: Vault, env: string, key: string): string | undefined => {
  const r = v.lookup('web', env, key);
  return r ? v.reveal(r) : undefined;
};

function io(lines: string[], more: Partial<SetIo> = {}): SetIo {
  return { info: (l) => lines.push(l), readStdin: () => Promise.resolve(Buffer.from(' from-stdin\n')), env: {}, ...more };
}

describe('set use case', () => {
  it('takes values as written, from stdin and from files; validates all before writing any', async () => {
    const { p, v } = fixture();
    const f = path.join(tmpdir(), 'pass');
    fs.writeFileSync(f, 'from-file\n');
    const req: SetRequest = { assignments: [{ variable: 'db_port', value: '6000' }, { variable: 'db_pass', value: `@${f}` }] };
    const s = await setVariables(v, p, 'dev', req, io([]));
    expect(s.added).toBe(2);
    expect([value(v, 'dev', 'db_port'), value(v, 'dev', 'db_pass')]).toEqual(['6000', 'from-file']);
    await setVariables(v, p, 'dev', { assignments: [{ variable: 'db_pass', value: '@-' }] }, io([]));
    expect(value(v, 'dev', 'db_pass')).toBe('from-stdin');
    const bad = { assignments: [{ variable: 'db_pass', value: 'changed' }, { variable: 'debug', value: 'maybe' }] };
    await expect(setVariables(v, p, 'dev', bad, io([]))).rejects.toMatchObject({ code: 'E_BAD_VALUE' });
    expect(value(v, 'dev', 'db_pass')).toBe('from-stdin');
    await expect(setVariables(v, p, 'dev', { assignments: [{ variable: 'db_pass', value: '' }] }, io([]))).rejects.toMatchObject({ code: 'E_EMPTY_VALUE' });
  });

  it('copies from another environment, sets default options, and skips what it is told to', async () => {
    const { p, v } = fixture();
    v.set({ app: 'web', env: 'prod', key: 'db_pass', value: 'prod-pass' });
    const lines: string[] = [];
    const copied = await setVariables(v, p, 'dev', { assignments: [], fromEnv: 'prod' }, io(lines));
    expect(copied.added).toBe(1);
    expect(value(v, 'dev', 'db_pass')).toBe('prod-pass');
    expect(lines).toContain('skipped db_port: db_port has no value in environment prod');
    const defaults = await setVariables(v, p, 'dev', { assignments: [], fromOptions: true }, io([]));
    expect(defaults.outcomes.map((x) => x.key).sort()).toEqual(['db_port', 'debug']);
    expect(value(v, 'dev', 'db_port')).toBe('5432');
    const skipped: string[] = [];
    await setVariables(v, p, 'dev', { assignments: [{ variable: 'nope', value: '1' }], ignoreMissing: true }, io(skipped));
    expect(skipped).toEqual(['skipped nope: no description in environment dev (--ignore-missing)']);
    await expect(setVariables(v, p, 'dev', { assignments: [{ variable: 'nope', value: '1' }] }, io([]))).rejects.toMatchObject({ code: 'E_NOT_DESCRIBED' });
  });

  it('asks through the injected prompt, and refuses (writing nothing) when nobody can be asked', async () => {
    const { p, v } = fixture();
    const req: SetRequest = { assignments: [{ variable: 'db_pass' }, { variable: 'debug' }] };
    await expect(setVariables(v, p, 'dev', req, io([]))).rejects.toMatchObject({ code: 'E_NO_TTY' });
    const asked: string[] = [];
    const lines: string[] = [];
    const s = await setVariables(v, p, 'dev', req, io(lines, { ask: (d) => (asked.push(d.variable), Promise.resolve(d.variable === 'debug' ? 'true' : null)) }));
    expect(asked).toEqual(['db_pass', 'debug']);
    expect(lines).toEqual(['left db_pass unset']);
    expect(s.outcomes).toEqual([{ app: 'web', env: 'dev', key: 'debug', outcome: 'added' }]);
  });

  it('refuses requests that cannot be right before the vault is opened', () => {
    expect(thrownCode(() => { checkSetRequest('dev', { assignments: [] }); })).toBe('E_USAGE');
    expect(thrownCode(() => { checkSetRequest('dev', { assignments: [], fromEnv: 'dev' }); })).toBe('E_USAGE');
    expect(thrownCode(() => { checkSetRequest('dev', { assignments: [], fromEnv: 'prod', fromOptions: true }); })).toBe('E_USAGE');
    expect(thrownCode(() => { checkSetRequest('dev', { assignments: [{ variable: 'a', value: '@-' }, { variable: 'b', value: '@-' }] }); })).toBe('E_USAGE');
    expect(thrownCode(() => { checkSetRequest('dev', { assignments: [{ variable: 'a', value: '1' }, { variable: 'a', value: '2' }] }); })).toBe('E_USAGE');
  });
});

describe('generate and rotate use cases', () => {
  it('generates what is described and generable, reports entropy, and a dry run writes nothing', () => {
    const { p, v } = fixture();
    const dry: string[] = [];
    expect(generateValues(v, p, 'dev', { names: [], dryRun: true, options: {} }, { info: (l) => dry.push(l) }).generated).toBe(2);
    expect(dry).toContain('would generate db_pass (password)');
    expect(v.lookup('web', 'dev', 'db_pass')).toBeUndefined();
    const lines: string[] = [];
    expect(generateValues(v, p, 'dev', { names: ['api_token'], options: { length: 8 } }, { info: (l) => lines.push(l) }).generated).toBe(1);
    expect(value(v, 'dev', 'api_token')).toMatch(/^[0-9a-f]{16}$/);
    expect(lines[0]).toBe('set web:dev:api_token (token_hex)');
    expect(lines.some((l) => l.startsWith('Entropy: token_hex 64.0 bits'))).toBe(true);
    expect(lines.join('\n')).not.toContain(value(v, 'dev', 'api_token'));
    expect(thrownCode(() => generateValues(v, p, 'dev', { names: ['nope'], options: {} }, { info: () => undefined }))).toBe('E_NOT_DESCRIBED');
    expect(thrownCode(() => generateValues(v, p, 'dev', { names: [], groups: ['nope'], options: {} }, { info: () => undefined }))).toBe('E_NOT_FOUND');
  });

  it('rotates exposed values and the ones sharing them, keeping the old ones in history', () => {
    const { p, v } = fixture();
    v.setMany([
      { app: 'web', env: 'dev', key: 'db_pass', value: 'same', type: 'password' },
      { app: 'web', env: 'dev', key: 'api_token', value: 'same', type: 'token_hex' },
    ]);
    // bob received db_pass, then was removed: db_pass is exposed, and api_token holds the same value.
    const bob = Vault.create({ dir: path.join(tmpdir(), 'bob'), username: 'bob', email: 'bob@example.com' });
    open.push(bob);
    v.addUser({ username: 'bob', publicKey: bob.publicKey });
    const plan = prepareExport(v, { to: ['bob'], filters: [parseFilter('web:dev:db_pass')], destination: 'files' });
    recordExport(v, plan, must(plan.items[0]));
    v.removeUser('bob');
    expect(thrownCode(() => rotateValues(v, p, 'dev', { names: [], options: {} }, {}, { info: () => undefined }))).toBe('E_USAGE');
    expect(thrownCode(() => rotateValues(v, p, 'dev', { names: ['db_pass'], options: {} }, { all: true }, { info: () => undefined }))).toBe('E_USAGE');
    const lines: string[] = [];
    expect(rotateValues(v, p, 'dev', { names: [], options: {} }, { exposed: true }, { info: (l) => lines.push(l) }).generated).toBe(2);
    expect(lines).toContain('selected api_token: it holds an exposed value too');
    expect(value(v, 'dev', 'db_pass')).not.toBe('same');
    expect(lines.some((l) => l.startsWith('Rotated 2 value(s) in environment dev'))).toBe(true);
    expect(v.history(must(v.lookup('web', 'dev', 'db_pass'))).length).toBeGreaterThan(0);
  });
});

describe('environment use cases', () => {
  const notes = (lines: string[]) => ({ info: (l: string) => lines.push(l), warn: (l: string) => lines.push(`warn: ${l}`) });

  it('plans a deletion (names, never values), then removes folder, values, tmp files and the checkout default', () => {
    const { p, v, vaultDir } = fixture();
    v.set({ app: 'web', env: 'prod', key: 'db_pass', value: 'secret-prod' });
    const tmp = ensureEnvironmentTmpDir(p, vaultDir, 'prod', { vaultExists: true, create: false });
    fs.writeFileSync(path.join(tmp, 'f'), 'x');
    writeLocalDefault(p, 'prod');
    const d = planEnvironmentDeletion(p, v, vaultDir, 'prod');
    const shown = deletionLines(d);
    expect(shown[0]).toBe('Deleting environment prod removes:');
    expect(shown).toContain('    web:prod:db_pass');
    expect(shown.join('\n')).not.toContain('secret-prod');
    const lines: string[] = [];
    applyEnvironmentDeletion(p, v, d, notes(lines));
    expect(fs.existsSync(environmentDir(p, 'prod'))).toBe(false);
    expect(fs.existsSync(tmp)).toBe(false);
    expect(v.lookup('web', 'prod', 'db_pass')).toBeUndefined();
    expect(readLocalDefault(p)).toBeNull();
    expect(lines).toEqual(['The per-checkout default environment was prod: unset', 'Deleted environment prod: 1 value(s), 1 tmp file(s) overwritten and removed']);
    expect(thrownCode(() => planEnvironmentDeletion(p, v, vaultDir, 'prod'))).toBe('E_NOT_FOUND');
  });

  it('renames folder, values (re-sealed) and tmp folder; refuses a name that is taken', () => {
    const { p, v, vaultDir } = fixture();
    v.set({ app: 'web', env: 'dev', key: 'db_pass', value: 'dev-pass' });
    ensureEnvironmentTmpDir(p, vaultDir, 'dev', { vaultExists: true, create: false });
    expect(thrownCode(() => checkRename(p, vaultDir, 'dev', 'prod'))).toBe('E_EXISTS');
    expect(thrownCode(() => checkRename(p, vaultDir, 'dev', 'dev'))).toBe('E_USAGE');
    const { from, to } = checkRename(p, vaultDir, 'dev', 'stage');
    const lines: string[] = [];
    renameEnvironment(p, v, vaultDir, from, to, notes(lines));
    expect(value(v, 'stage', 'db_pass')).toBe('dev-pass');
    expect(v.lookup('web', 'dev', 'db_pass')).toBeUndefined();
    expect(fs.existsSync(environmentTmpDir(vaultDir, p, 'stage'))).toBe(true);
    expect(lines).toEqual([`warn: ${p.file} names environment dev as its default: change it to stage`, 'Renamed environment dev to stage: descriptions folder, 1 value(s) re-sealed under the new name']);
    expect(thrownCode(() => { renameEnvironment(p, v, vaultDir, 'dev', 'other', notes([])); })).toBe('E_NOT_FOUND');
  });

  it('makes the tmp folder private only for a vault and an environment that exist', () => {
    const { p, vaultDir } = fixture();
    expect(thrownCode(() => ensureEnvironmentTmpDir(p, vaultDir, 'qa', { vaultExists: true, create: false }))).toBe('E_NOT_FOUND');
    expect(thrownCode(() => ensureEnvironmentTmpDir(p, vaultDir, 'dev', { vaultExists: false, create: true }))).toBe('E_VAULT_NOT_FOUND');
    const tmp = ensureEnvironmentTmpDir(p, vaultDir, 'qa', { vaultExists: true, create: true });
    expect(fs.statSync(tmp).mode & 0o777).toBe(0o700);
  });

  it('finds described and stored variables in every environment', () => {
    const { p, v } = fixture();
    v.set({ app: 'web', env: 'dev', key: 'db_pass', value: 'x' });
    v.set({ app: 'web', env: 'prod', key: 'db_extra', value: 'y' });
    const rows = findVariables(p, v, 'db_', notes([]));
    expect(rows.filter((r) => r.environment === 'dev').map((r) => [r.variable, r.set])).toEqual([['db_pass', 'yes'], ['db_port', 'no']]);
    expect(rows).toContainEqual(expect.objectContaining({ environment: 'prod', group: '', variable: 'db_extra', set: 'yes' }));
    expect(findVariables(p, null, 'port', notes([])).map((r) => r.set)).toEqual(['', '']);
    expect(thrownCode(() => findVariables(p, v, 'zzz', notes([])))).toBe('E_NOT_FOUND');
  });
});
