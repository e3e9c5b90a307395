import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSeeqretError } from '../src/errors.js';
import { DIALECTS } from '../src/formats/dialects.js';
import {
  LOCAL_ENV_FILE,
  PROJECT_FILE,
  createProject,
  describedEnvironments,
  environmentNameProblem,
  findProject,
  parseProjectText,
  requireProject,
  resolveEnvironment,
  serializeProject,
  writeLocalDefault,
} from '../src/project/project.js';
import { environmentEntries, environmentVariables } from '../src/project/variables.js';
import { Vault } from '../src/vault/vault.js';
import { tmpdir, thrownCode } from './helpers.js';
import { must } from './must.js';


describe('project file', () => {
  it('parses the documented settings with defaults', () => {
    expect(parseProjectText('app: myapp\n')).toEqual({ app: 'myapp', descriptions: 'secrets', template: 'env.template' });
    expect(parseProjectText('app: myapp\nenvironment: dev\ndescriptions: cfg/secrets\ntemplate: config/env.template\n')).toEqual({
      app: 'myapp',
      environment: 'dev',
      descriptions: 'cfg/secrets',
      template: 'config/env.template',
    });
  });

  it('refuses what it cannot use, naming the file', () => {
    const bad = [
      '',
      '- app\n',
      'environment: dev\n',
      'app: "*"\n',
      'app: a:b\n',
      'app: x\napp: y\n',
      'app: x\nfoo: 1\n',
      'app: x\nenvironment: ../up\n',
      'app: x\ndescriptions: /etc\n',
      'app: x\ntemplate: ../env.template\n',
      'app: 12\n',
      'app: [x\n',
    ];
    for (const text of bad) {
      let err: unknown;
      try {
        parseProjectText(text, '/p/seeqret.yaml');
      } catch (e) {
        err = e;
      }
      expect(isSeeqretError(err, 'E_PROJECT'), text).toBe(true);
      expect((err as Error).message.startsWith('/p/seeqret.yaml: ')).toBe(true);
    }
  });

  it('round-trips every valid configuration (property)', () => {
    const name = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,15}$/);
    const rel = fc.array(fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_. -]{0,8}$/).filter((s) => s !== '..' && !s.endsWith(' ')), { minLength: 1, maxLength: 3 }).map((a) => a.join('/'));
    fc.assert(
      fc.property(name, fc.option(name, { nil: undefined }), rel, rel, fc.option(fc.constantFrom(...DIALECTS), { nil: undefined }), (app, environment, descriptions, template, dialect) => {
        const config = { app, ...(environment === undefined ? {} : { environment }), descriptions, template, ...(dialect === undefined ? {} : { dialect }) };
        expect(parseProjectText(serializeProject(config))).toEqual(config);
      }),
    );
  });

  it('reads the .env dialect setting and refuses an unknown one', () => {
    expect(parseProjectText('app: myapp\ndialect: compose\n').dialect).toBe('compose');
    expect(thrownCode(() => parseProjectText('app: myapp\ndialect: yaml\n'))).toBe('E_PROJECT');
    expect(thrownCode(() => parseProjectText('app: myapp\ndialect: 3\n'))).toBe('E_PROJECT');
  });

  it('never throws anything but E_PROJECT on arbitrary text (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        try {
          parseProjectText(text);
        } catch (e) {
          expect(isSeeqretError(e, 'E_PROJECT')).toBe(true);
        }
      }),
    );
  });

  it('environment names exclude paths, dot names and the global *', () => {
    for (const bad of ['*', '.', '..', 'a/b', '.hidden', 'a:b', 'a b', '']) expect(environmentNameProblem(bad), bad).not.toBeNull();
    for (const good of ['dev', 'prod-eu', 'stage.2', 'Test_1']) expect(environmentNameProblem(good)).toBeNull();
  });

  it('is found by walking up; E_NO_PROJECT outside one', () => {
    const root = tmpdir();
    const deep = path.join(root, 'a', 'b', 'c');
    fs.mkdirSync(deep, { recursive: true });
    expect(findProject(deep)?.file ?? null).toBe(null);
    expect(thrownCode(() => requireProject(deep))).toBe('E_NO_PROJECT');
    createProject(root, { app: 'web', environment: 'dev', descriptions: 'secrets', template: 'env.template' });
    const p = must(findProject(deep));
    expect(p.file).toBe(path.join(root, PROJECT_FILE));
    expect(p.descriptionsDir).toBe(path.join(root, 'secrets'));
    expect(thrownCode(() => createProject(root, { app: 'x', descriptions: 's', template: 't' }))).toBe('E_EXISTS');
  });

  it('resolves the environment: option > SEEQRET_ENV > per-checkout default > project file', () => {
    const root = tmpdir();
    const p = createProject(root, { app: 'web', environment: 'dev', descriptions: 'secrets', template: 'env.template' });
    expect(resolveEnvironment(p, undefined, {})).toEqual({ name: 'dev', source: PROJECT_FILE });
    writeLocalDefault(p, 'qa');
    expect(resolveEnvironment(p, undefined, {})).toEqual({ name: 'qa', source: LOCAL_ENV_FILE });
    expect(resolveEnvironment(p, undefined, { SEEQRET_ENV: 'stage' })).toEqual({ name: 'stage', source: 'SEEQRET_ENV' });
    expect(resolveEnvironment(p, 'prod', { SEEQRET_ENV: 'stage' })).toEqual({ name: 'prod', source: 'option' });
    expect(thrownCode(() => resolveEnvironment(p, '../x', {}))).toBe('E_INVALID_NAME');
    writeLocalDefault(p, null);
    const bare = createProject(tmpdir(), { app: 'web', descriptions: 'secrets', template: 'env.template' });
    expect(thrownCode(() => resolveEnvironment(bare, undefined, {}))).toBe('E_NO_ENVIRONMENT');
  });
});

describe('environment variables', () => {
  it('joins descriptions and vault values; exports Export names; refuses undescribed loader variables', () => {
    const root = tmpdir();
    const p = createProject(root, { app: 'web', environment: 'dev', descriptions: 'secrets', template: 'env.template' });
    const gdir = path.join(root, 'secrets', 'dev', 'secrets.d');
    fs.mkdirSync(gdir, { recursive: true });
    fs.writeFileSync(
      path.join(gdir, 'db.json'),
      JSON.stringify([
        { Variable: 'db_pass', Type: 'password', Export: 'DB_PASSWORD' },
        { Variable: 'db_host', Type: 'string' },
      ]),
    );
    fs.mkdirSync(path.join(root, 'secrets', 'prod'));
    expect(describedEnvironments(p)).toEqual(['dev', 'prod']);
    const v = Vault.create({ dir: path.join(tmpdir(), 'v'), username: 'me', email: 'me@example.com' });
    v.setMany([
      { app: 'web', env: 'dev', key: 'db_pass', value: 's3cret' },
      { app: 'web', env: 'dev', key: 'EXTRA', value: 'x' },
      { app: 'web', env: 'prod', key: 'db_pass', value: 'other' },
      { app: 'other', env: 'dev', key: 'db_host', value: 'nope' },
    ]);
    const vars = environmentVariables(v, p, 'dev');
    expect(vars.map((s) => [s.variable, s.description !== undefined, s.record !== undefined])).toEqual([
      ['db_pass', true, true],
      ['db_host', true, false],
      ['EXTRA', false, true],
    ]);
    const r = environmentEntries(v, p, 'dev', { prefix: 'APP_' });
    expect(r.entries.map((e) => [e.name, e.value])).toEqual([
      ['APP_db_pass', 's3cret'],
      ['APP_EXTRA', 'x'],
      ['APP_DB_PASSWORD', 's3cret'],
    ]);
    v.set({ app: 'web', env: 'dev', key: 'NODE_OPTIONS', value: '--require ./evil.js' });
    expect(thrownCode(() => environmentEntries(v, p, 'dev'))).toBe('E_BAD_VALUE');
    v.close();
  });

  it("shares an Export name between variables with one value (psec's sample does); a variable's own name wins over an Export name", () => {
    const root = tmpdir();
    const p = createProject(root, { app: 'web', environment: 'dev', descriptions: 'secrets', template: 'env.template' });
    const gdir = path.join(root, 'secrets', 'dev', 'secrets.d');
    fs.mkdirSync(gdir, { recursive: true });
    fs.writeFileSync(
      path.join(gdir, 'app.json'),
      JSON.stringify([
        { Variable: 'myapp_pi_password', Type: 'password', Export: 'DEMO_pi_password' },
        { Variable: 'myapp_app_password', Type: 'password', Export: 'DEMO_pi_password' },
        { Variable: 'TOKEN', Type: 'string' },
        { Variable: 'api_token', Type: 'string', Export: 'TOKEN' },
      ]),
    );
    const v = Vault.create({ dir: path.join(tmpdir(), 'v'), username: 'me', email: 'me@example.com' });
    v.setMany([
      { app: 'web', env: 'dev', key: 'myapp_pi_password', value: 'same' },
      { app: 'web', env: 'dev', key: 'myapp_app_password', value: 'same' },
      { app: 'web', env: 'dev', key: 'TOKEN', value: 'own' },
      { app: 'web', env: 'dev', key: 'api_token', value: 'alias' },
    ]);
    expect(Object.fromEntries(environmentEntries(v, p, 'dev').entries.map((e) => [e.name, e.value]))).toEqual({
      myapp_pi_password: 'same',
      myapp_app_password: 'same',
      TOKEN: 'own',
      api_token: 'alias',
      DEMO_pi_password: 'same',
    });
    v.set({ app: 'web', env: 'dev', key: 'myapp_app_password', value: 'different' }, { replace: true });
    expect(thrownCode(() => environmentEntries(v, p, 'dev'))).toBe('E_BAD_VALUE');
    v.close();
  });
});
