/**
 * Interoperability with the official SecureStore JavaScript library (\@neosmart/securestore,
 * a devDependency): vaults and key files written by seeqret — through the CLI (`create`, a `set`
 * and `export-key` as child processes, the other `set`s in-process) and through the library —
 * open with it and give back every value; a wrong password is refused by it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { KeySource as OfficialKeySource, SecretsManager as Official } from '@neosmart/securestore';
import { describe, expect, it } from 'vitest';
import { KeySource, SecretsManager } from '../src/securestore/index.js';
import { cli, cliIn, tmpdir } from './helpers.js';

const VALUES: Record<string, string> = {
  'db:password': 'pgsql123',
  'db:username': 'pgadmin',
  unicode: 'päss✓ 🔑 — ünïcødé',
  multiline: 'line 1\nline 2\n',
  '10': 'integer-like name',
  spaces: '  leading and trailing  ',
};
const PASSWORD = 'correct horse battery staple';

describe('the official @neosmart/securestore library opens what seeqret writes', () => {
  it('a vault made by the seeqret CLI, with the password and with the exported key file', async () => {
    const dir = tmpdir();
    const env = { SEEQRET_SS_PASSWORD: PASSWORD };
    expect(cli(['ss', 'create', '--no-vcs'], { cwd: dir, env }).code).toBe(0);
    // The first value through the executable (stdin a pipe), the others in-process (`cliIn`, the
    // same command tree, decision 58): what the official library reads is the file they wrote.
    for (const [i, [k, v]] of Object.entries(VALUES).entries()) expect((i === 0 ? cli(['ss', 'set', k], { cwd: dir, env, input: v }) : await cliIn(['ss', 'set', k], { cwd: dir, env, input: v })).code).toBe(0);
    expect(cli(['ss', 'export-key', 'secrets.key', '--no-vcs'], { cwd: dir, env }).code).toBe(0);
    const store = path.join(dir, 'secrets.json');

    const byPassword = await Official.fromFile(store, { password: PASSWORD });
    const byKeyFile = await Official.fromFile(store, { keyFile: path.join(dir, 'secrets.key') });
    const byKeyText = await Official.fromJSON(fs.readFileSync(store, 'utf8'), { keySource: OfficialKeySource.fromKey(fs.readFileSync(path.join(dir, 'secrets.key'), 'utf8')) });
    for (const sm of [byPassword, byKeyFile, byKeyText]) {
      expect([...sm.keys()].sort()).toEqual(Object.keys(VALUES).sort());
      // `set` from stdin removes one trailing line ending (documented), so compare with that.
      for (const [k, v] of Object.entries(VALUES)) expect(await sm.get(k)).toBe(v.replace(/\r?\n$/, ''));
      expect(await sm.get('missing')).toBeNull();
    }
    await expect(Official.fromFile(store, { password: 'wrong password' })).rejects.toThrow();
  });

  it('a vault made by the seeqret library with a random key, and one changed after creation', async () => {
    const dir = tmpdir();
    const store = path.join(dir, 'secrets.json');
    const keyFile = path.join(dir, 'app.key');
    const key = KeySource.generate();
    const sm = SecretsManager.create(key, { path: store });
    for (const [k, v] of Object.entries(VALUES)) sm.set(k, v);
    sm.save();
    sm.exportKey(keyFile);
    // Change it: delete one, replace one, add one, and save again.
    const again = SecretsManager.fromFile(store, KeySource.fromFile(keyFile));
    again.delete('spaces');
    again.set('db:password', 'rotated-Ω');
    again.set('new', 'added later');
    again.save();

    const official = await Official.fromFile(store, { keyFile });
    const expected: Record<string, string> = { ...VALUES, 'db:password': 'rotated-Ω', new: 'added later' };
    delete expected['spaces'];
    expect([...official.keys()].sort()).toEqual(Object.keys(expected).sort());
    for (const [k, v] of Object.entries(expected)) expect(await official.get(k)).toBe(v);
  });
});
