/**
 * The SecureStore use cases called in-process (no CLI, no process.stdout, no process.env): the
 * password chain (a PassphraseSource: file, environment record, a scripted person), create with its undo,
 * set/get/remove, import into and export from a real seeqret vault. Real files, real crypto.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tmpdir, vaultsClosedAfterEach } from './helpers.js';
import { rejected } from './must.js';
import { type PassphraseSource, environmentPassphrases, filePassphrase, passphraseChain } from '../src/passphrase.js';
import { parseFilter } from '../src/filter/index.js';
import { type SsAccess, type SsPrompts, isStoreMissing, passwordOf, storeOf } from '../src/securestore/access.js';
import { exportToSecureStore } from '../src/securestore/export.js';
import { applySsImport, planSsImport } from '../src/securestore/import.js';
import { KeySource, SecretsManager } from '../src/securestore/manager.js';
import { createStore, dumpStore, exportKeyTo, getSecret, listKeys, removeSecret, setSecret } from '../src/securestore/ops.js';

const PASSWORD = 'correct horse battery';

const vault = vaultsClosedAfterEach();

/** A person at the prompts: answers as scripted, remembers what was asked. */
function person(answers: { interactive?: boolean; password?: string; confirm?: boolean } = {}): SsPrompts & { asked: string[]; source: PassphraseSource } {
  const asked: string[] = [];
  const interactive = answers.interactive ?? true;
  return {
    asked,
    interactive,
    // The person as the last source of the chain: nothing when nobody can answer.
    source: {
      passphrase(request) {
        if (!interactive) return Promise.resolve(undefined);
        asked.push(request.isNew ? 'new password' : 'password');
        const answer = answers.password ?? PASSWORD;
        // (a check that throws rejects, as it would in an async prompt)
        return new Promise((resolve) => {
          request.check?.(answer);
          resolve(Buffer.from(answer));
        });
      },
    },
    confirm(q) {
      asked.push(q);
      return Promise.resolve(answers.confirm ?? false);
    },
  };
}

/** Access to DIR/secrets.json; the password chain is `passwordFile` › `env` › the person. */
function access(dir: string, over: Partial<Omit<SsAccess, 'prompts'>> & { prompts?: ReturnType<typeof person>; env?: Record<string, string>; passwordFile?: string } = {}): SsAccess {
  const { env = {}, passwordFile, prompts = person(), ...rest } = over;
  const passphrases = passphraseChain([passwordFile === undefined ? undefined : filePassphrase(passwordFile, 'securestore'), environmentPassphrases(env), prompts.source]);
  return { store: path.join(dir, 'secrets.json'), keyFiles: [], lockTimeoutMs: 10_000, prompts, passphrases, ...rest };
}

describe('password chain and access', () => {
  it('password file, then the environment record, then the prompts; off a terminal E_PASSPHRASE_REQUIRED; new ones checked', async () => {
    const dir = tmpdir();
    const file = path.join(dir, 'pw');
    fs.writeFileSync(file, 'from the file\r\n');
    const prompts = person({ password: 'asked for it' });
    expect(await passwordOf(access(dir, { passwordFile: file, env: { SEEQRET_SS_PASSWORD: 'env' }, prompts }), false)).toBe('from the file');
    expect(await passwordOf(access(dir, { env: { SEEQRET_SS_PASSWORD: 'from env' }, prompts }), false)).toBe('from env');
    expect(prompts.asked).toEqual([]);
    expect(await passwordOf(access(dir, { prompts }), false)).toBe('asked for it');
    expect(prompts.asked).toEqual(['password']);
    expect((await rejected(passwordOf(access(dir, { prompts: person({ interactive: false }) }), false))).code).toBe('E_PASSPHRASE_REQUIRED');
    expect((await rejected(passwordOf(access(dir, { env: { SEEQRET_SS_PASSWORD: 'short' } }), true))).code).toBe('E_USAGE');
  });

  it('the vault file: one name (conflicts refused), secrets.json by default; a missing file is marked for ssclient', async () => {
    expect(storeOf(undefined, undefined)).toBe('secrets.json');
    expect(storeOf('a.json', 'a.json')).toBe('a.json');
    expect(() => storeOf('a.json', 'b.json')).toThrow(/conflicting vault files/);
    const e = await rejected(listKeys(access(tmpdir())));
    expect([e.code, isStoreMissing(e)]).toEqual(['E_FILE_NOT_FOUND', true]);
    const both = await rejected(listKeys(access(tmpdir(), { store: __filename, keyFiles: ['k1', 'k2'] })));
    expect([both.code, isStoreMissing(both)]).toEqual(['E_USAGE', false]);
  });
});

describe('store operations', () => {
  it('create with a new key file (written with the vault, notes returned), set, get, dump, remove', async () => {
    const dir = tmpdir();
    const key = path.join(dir, 'secrets.key');
    const a = access(dir, { keyFiles: [key] });
    const r = await createStore(a, { vcs: false });
    expect(r.keyFile).toBe(key);
    expect(r.notes).toEqual([`Saved the new key to ${key} (0600); keep it out of version control`]);
    expect(fs.statSync(key).mode & 0o777).toBe(0o600);
    expect(await setSecret(a, 'db:password', () => Promise.resolve('s3cret'))).toEqual({ existed: false });
    expect(await setSecret(a, 'db:password', () => Promise.resolve('s3cret2'))).toEqual({ existed: true });
    expect((await rejected(setSecret(a, 'empty', () => Promise.resolve('')))).code).toBe('E_EMPTY_VALUE');
    await setSecret(a, 'empty', () => Promise.resolve(''), { allowEmpty: true });
    expect((await getSecret(a, 'db:password')).toString()).toBe('s3cret2');
    expect((await dumpStore(a)).map((e) => [e.key, e.value.toString()])).toEqual([['db:password', 's3cret2'], ['empty', '']]);
    await removeSecret(a, 'empty');
    expect((await rejected(removeSecret(a, 'empty'))).code).toBe('E_NOT_FOUND');
    expect(await listKeys(a)).toEqual(['db:password']);
    // The library reads what the use cases wrote.
    expect(SecretsManager.fromFile(a.store, KeySource.fromFile(key)).get('db:password')).toBe('s3cret2');
  });

  it('replacing a file asks the person: no is E_ABORTED, nobody to ask is E_EXISTS, both writing nothing', async () => {
    const dir = tmpdir();
    const a = access(dir);
    await createStore(a);
    const before = fs.readFileSync(a.store);
    const prompts = person({ confirm: false });
    expect((await rejected(createStore({ ...a, prompts }))).code).toBe('E_ABORTED');
    expect(prompts.asked).toEqual([`Replace the existing vault ${a.store}?`]);
    expect((await rejected(createStore({ ...a, prompts: person({ interactive: false }) }))).code).toBe('E_EXISTS');
    expect(fs.readFileSync(a.store)).toEqual(before);
    const keyOut = path.join(dir, 'exported.key');
    expect(await exportKeyTo(a, keyOut, { vcs: false })).toEqual([`Saved the key of ${a.store} to ${keyOut} (0600); open the vault with -k ${keyOut}`]);
    expect(SecretsManager.fromFile(a.store, KeySource.fromFile(keyOut)).keys()).toEqual([]);
  });

  it('a vault that cannot be saved leaves no new key file behind (the undo)', async () => {
    const dir = tmpdir();
    const key = path.join(dir, 'new.key');
    fs.mkdirSync(path.join(dir, 'secrets.json')); // a folder where the vault file goes: saving fails
    const e = await rejected(createStore(access(dir, { keyFiles: [key] }), { force: true, vcs: false }));
    expect(e.code).not.toBe('E_EXISTS');
    expect(fs.existsSync(key)).toBe(false);
  });
});

describe('import into and export from the seeqret vault', () => {
  it('import plans (names mapped and checked, warning as data, nothing written), then applies in one transaction with an audit entry', async () => {
    const dir = tmpdir();
    const a = access(dir);
    await createStore(a);
    await setSecret(a, 'db:user', () => Promise.resolve('app'));
    await setSecret(a, 'db:pass', () => Promise.resolve('pw1'));
    const v = vault();
    const plan = await planSsImport(a, { colon: '.', app: 'web', env: 'prod' });
    expect(plan.warnings).toEqual([expect.stringContaining('SecureStore does not bind a value to its name')]);
    expect(plan.entries.map((e) => `${e.app}:${e.env}:${e.key}`).sort()).toEqual(['web:prod:db.pass', 'web:prod:db.user']);
    expect(v.all()).toEqual([]);
    const dry = applySsImport(v, plan, { dryRun: true });
    expect([dry.added, v.all().length]).toEqual([2, 0]);
    const s = applySsImport(v, plan);
    expect([s.added, s.updated, s.skipped]).toEqual([2, 0, 0]);
    expect(v.all().every((r) => r.pending)).toBe(true); // received names start pending
    expect(v.auditLog({ action: 'import' }).map((x) => x.target)).toEqual([a.store]);
    expect((await rejected(planSsImport(a))).code).toBe('E_INVALID_NAME'); // ':' in a key name
    expect((await rejected(planSsImport(a, { names: 'full', app: 'x' }))).code).toBe('E_USAGE');
  });

  it('export creates a vault file with a new key (notes returned), then updates it leaving unchanged entries as they were; audited', async () => {
    const dir = tmpdir();
    const key = path.join(dir, 'secrets.key');
    const a = access(dir, { keyFiles: [key] });
    const v = vault();
    v.set({ app: 'web', env: 'prod', key: 'API_KEY', value: 'k1' });
    v.set({ app: 'web', env: 'prod', key: 'DB', value: 'd1' });
    const first = await exportToSecureStore(a, v, { filters: [parseFilter('web:prod:')], vcs: false });
    expect([first.created, first.added, first.notes]).toEqual([true, 2, [`Saved the new key to ${key} (0600); keep it out of version control`]]);
    v.set({ app: 'web', env: 'prod', key: 'DB', value: 'd2' }, { replace: true });
    const second = await exportToSecureStore(a, v, { filters: [parseFilter('web:prod:')] });
    expect([second.created, second.added, second.updated, second.unchanged]).toEqual([false, 0, 1, 1]);
    expect((await getSecret(a, 'DB')).toString()).toBe('d2');
    expect(v.auditLog({ action: 'export' }).map((x) => x.target)).toEqual([a.store, a.store]);
    expect((await rejected(exportToSecureStore(a, v, { filters: [] }))).code).toBe('E_USAGE');
    expect((await rejected(exportToSecureStore(a, v, { filters: [parseFilter('nothing:here:')] }))).code).toBe('E_NOT_FOUND');
  });
});
