import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { binaryString } from './fc-helpers.js';
import { SeeqretError, isSeeqretError } from '../src/errors.js';
import { SECRET_TYPES, parseOptions } from '../src/project/secret-types.js';
import { loadGroups, parseGroupText, serializeGroup, validateValue, type Group, type VariableDescription } from '../src/project/descriptions.js';
import { must } from './must.js';

function badValue(fn: () => unknown): SeeqretError {
  try {
    fn();
  } catch (e) {
    expect(isSeeqretError(e, 'E_BAD_VALUE')).toBe(true);
    const err = e as SeeqretError;
    expect(err.message).not.toMatch(/\n/);
    expect(err.fix).not.toMatch(/\n/);
    return err;
  }
  throw new Error('expected E_BAD_VALUE');
}

/** psec's own sample files (tests/secrets.d in python_secrets, README version of myapp.json). */
const JENKINS_JSON = `[
  {
    "Variable": "jenkins_admin_password",
    "Type": "password",
    "Prompt": "Password for Jenkins 'admin' account",
    "Export": "JENKINS_ADMIN_PASSWORD"
  }
]
`;
const MYAPP_JSON = `[
  {
    "Variable": "myapp_pi_password",
    "Type": "password",
    "Prompt": "Password for myapp 'pi' user account",
    "Export": "DEMO_pi_password"
  },
  {
    "Variable": "myapp_client_psk",
    "Type": "string",
    "Prompt": "Pre-shared key for myapp client WiFi AP",
    "Options": "*",
    "Export": "DEMO_client_psk"
  },
  {
    "Variable": "myapp_client_ssid",
    "Type": "string",
    "Prompt": "SSID for myapp client WiFi AP",
    "Options": "myapp_ssid,*",
    "Export": "DEMO_client_ssid"
  },
  {
    "Variable": "myapp_ondemand_wifi",
    "Type": "boolean",
    "Prompt": "'Connect on demand' when connected to wifi",
    "Options": "true,false",
    "Export": "DEMO_ondemand_wifi"
  },
  {
    "Variable": "myapp_optional_setting",
    "Type": "boolean",
    "Prompt": "Optionally do something",
    "Options": "false,true",
    "Export": "DEMO_options_setting"
  }
]
`;
const TRIDENT_JSON = `[
  {
    "Prompt": "Password for Trident sysadmin account",
    "Type": "password",
    "Variable": "trident_sysadmin_pass"
  },
  {
    "Prompt": "Password for Trident postgres database",
    "Type": "password",
    "Variable": "trident_db_pass"
  }
]
`;

describe('SECRET_TYPES', () => {
  it('lists psec types plus int and random, with generability', () => {
    expect(SECRET_TYPES.map((t) => t.name)).toEqual([
      'password',
      'token_hex',
      'token_urlsafe',
      'token_base64',
      'random_base64',
      'uuid4',
      'crypt_6',
      'sha256_digest',
      'random',
      'boolean',
      'string',
      'int',
    ]);
    const generable = Object.fromEntries(SECRET_TYPES.map((t) => [t.name, t.generable]));
    expect(generable).toMatchObject({ crypt_6: true, sha256_digest: true, random: true, random_base64: true, boolean: false, string: false, int: false });
    for (const t of SECRET_TYPES) expect(t.description).toMatch(/^\S.*\S$/);
    expect(Object.isFrozen(SECRET_TYPES)).toBe(true);
  });
});

describe('parseOptions', () => {
  it("'*' is any value", () => {
    expect(parseOptions('*', 'string')).toEqual({ choices: [], freeText: true, default: undefined });
  });
  it("'a,b' is a closed list with default a", () => {
    expect(parseOptions('a,b', 'string')).toEqual({ choices: ['a', 'b'], freeText: false, default: 'a' });
  });
  it("'a,*' is a list plus free text", () => {
    expect(parseOptions('a,*', 'string')).toEqual({ choices: ['a'], freeText: true, default: 'a' });
  });
  it("the default is the first entry unless it is '*' (psec: '*,b' has none)", () => {
    expect(parseOptions('*,b,c', 'string')).toEqual({ choices: ['b', 'c'], freeText: true, default: undefined });
    expect(parseOptions('b,*,c', 'string')).toEqual({ choices: ['b', 'c'], freeText: true, default: 'b' });
  });
  it('trims entries, drops duplicates, keeps other characters (ctrl:swapcaps)', () => {
    expect(parseOptions(' a , b ,a, * ', 'string')).toEqual({ choices: ['a', 'b'], freeText: true, default: 'a' });
    expect(parseOptions('ctrl:swapcaps,*', 'string').default).toBe('ctrl:swapcaps');
  });
  it("no Options: booleans mean 'true,false', other types '*'", () => {
    expect(parseOptions('', 'boolean')).toEqual({ choices: ['true', 'false'], freeText: false, default: 'true' });
    expect(parseOptions('  ', 'string')).toEqual({ choices: [], freeText: true, default: undefined });
    expect(parseOptions('', 'password')).toEqual({ choices: [], freeText: true, default: undefined });
  });
  it('booleans may reorder true/false but list nothing else', () => {
    expect(parseOptions('false,true', 'boolean')).toEqual({ choices: ['false', 'true'], freeText: false, default: 'false' });
    expect(badValue(() => parseOptions('yes,no', 'boolean')).message).toMatch(/boolean may only list 'true' and 'false'/);
    expect(badValue(() => parseOptions('true,*', 'boolean')).message).toMatch(/boolean cannot include '\*'/);
  });
  it('ints list integers', () => {
    expect(parseOptions('5432,-1,+2,*', 'int')).toEqual({ choices: ['5432', '-1', '+2'], freeText: true, default: '5432' });
    expect(badValue(() => parseOptions('1,x', 'int')).message).toMatch(/int may only list integers/);
  });
  it('rejects empty entries', () => {
    for (const t of ['a,,b', 'a,', ',a', ',']) expect(badValue(() => parseOptions(t, 'string')).message).toMatch(/empty entry/);
  });
  it('is consistent: default is the first entry unless it is *, freeText iff * is listed', () => {
    const entry = fc.oneof(fc.constant('*'), binaryString({ minLength: 1, maxLength: 8 }).filter((s) => !s.includes(',') && s.trim() !== ''));
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 8 }), (entries) => {
        const o = parseOptions(entries.join(','), 'string');
        const trimmed = entries.map((e) => e.trim());
        expect(o.freeText).toBe(trimmed.includes('*'));
        expect(o.default).toBe(trimmed[0] === '*' ? undefined : trimmed[0]);
        if (o.default !== undefined) expect(o.default).toBe(o.choices[0]);
        expect(new Set(o.choices).size).toBe(o.choices.length);
        expect(new Set(o.choices)).toEqual(new Set(trimmed.filter((e) => e !== '*')));
      }),
    );
  });
});

describe('parseGroupText: psec files as they are', () => {
  it("reads psec's jenkins.json", () => {
    const g = parseGroupText(JENKINS_JSON, 'secrets.d/jenkins.json');
    expect(g.name).toBe('jenkins');
    expect(g.file).toBe('secrets.d/jenkins.json');
    expect(g.variables).toEqual([
      {
        variable: 'jenkins_admin_password',
        type: 'password',
        prompt: "Password for Jenkins 'admin' account",
        export: 'JENKINS_ADMIN_PASSWORD',
        options: { choices: [], freeText: true, default: undefined },
        group: 'jenkins',
        source: 'secrets.d/jenkins.json',
        index: 0,
      },
    ]);
  });

  it("reads psec's myapp.json with Options and booleans", () => {
    const g = parseGroupText(MYAPP_JSON, 'myapp.json');
    expect(g.variables.map((d) => d.variable)).toEqual([
      'myapp_pi_password',
      'myapp_client_psk',
      'myapp_client_ssid',
      'myapp_ondemand_wifi',
      'myapp_optional_setting',
    ]);
    const [pi, psk, ssid, wifi, opt] = g.variables;
    expect(pi?.optionsText).toBeUndefined();
    expect(psk?.optionsText).toBe('*');
    expect(ssid?.options).toEqual({ choices: ['myapp_ssid'], freeText: true, default: 'myapp_ssid' });
    expect(wifi?.options?.default).toBe('true');
    expect(opt?.options).toEqual({ choices: ['false', 'true'], freeText: false, default: 'false' });
    expect(g.variables.map((d) => d.index)).toEqual([0, 1, 2, 3, 4]);
  });

  it('accepts any key order, no optional attributes, and a shared Export name', () => {
    expect(parseGroupText(TRIDENT_JSON, 'trident.json').variables.map((d) => [d.variable, d.type, d.prompt])).toEqual([
      ['trident_sysadmin_pass', 'password', 'Password for Trident sysadmin account'],
      ['trident_db_pass', 'password', 'Password for Trident postgres database'],
    ]);
    const shared = '[{"Variable":"a","Type":"string","Export":"X"},{"Variable":"b","Type":"string","Export":"X"}]';
    expect(parseGroupText(shared, 'g.json').variables).toHaveLength(2);
  });

  it("reads an empty group: psec's {} and []", () => {
    expect(parseGroupText('{}\n', 'new.json')).toEqual({ name: 'new', file: 'new.json', variables: [] });
    expect(parseGroupText(' [ ] ', 'new.json').variables).toEqual([]);
  });

  it('booleans without Options get true,false', () => {
    const g = parseGroupText('[{"Variable":"flag","Type":"boolean"}]', 'f.json');
    expect(g.variables[0]?.options).toEqual({ choices: ['true', 'false'], freeText: false, default: 'true' });
    expect(g.variables[0]?.optionsText).toBeUndefined();
  });

  it('treats null optional attributes as absent, ignores a leading BOM', () => {
    const g = parseGroupText('\ufeff[{"Variable":"a","Type":"string","Prompt":null,"Export":null,"Help":null,"Options":null}]', 'g.json');
    expect(g.variables[0]).toEqual({
      variable: 'a',
      type: 'string',
      options: { choices: [], freeText: true, default: undefined },
      group: 'g',
      source: 'g.json',
      index: 0,
    });
  });

  it('accepts Group and ignores it: the file name decides', () => {
    const g = parseGroupText('[{"Variable":"a","Type":"string","Group":"oldname"}]', 'secrets.d/newname.json');
    expect(g.name).toBe('newname');
    expect(g.variables[0]?.group).toBe('newname');
    expect(badValue(() => parseGroupText('[{"Variable":"a","Type":"string","Group":1}]', 'g.json')).message).toBe(
      'g.json entry 1 (a): Group must be a string',
    );
  });

  it('keeps Help and Unicode prompts', () => {
    const g = parseGroupText('[{"Variable":"k","Type":"token_hex","Prompt":"Clé \\u00e9 🔑","Help":"https://example.com/help"}]', 'x.json');
    expect(g.variables[0]?.prompt).toBe('Clé é 🔑');
    expect(g.variables[0]?.help).toBe('https://example.com/help');
  });

  it('reads the same descriptions written as YAML', () => {
    const yaml = `# myapp
- Variable: myapp_client_ssid
  Type: string
  Prompt: SSID for myapp client WiFi AP
  Options: myapp_ssid,*
  Export: DEMO_client_ssid
- Variable: myapp_client_psk
  Type: string
  Options: '*'
- Variable: myapp_port
  Type: int
  Options: "5432"
`;
    const g = parseGroupText(yaml, 'secrets.d/myapp.yaml');
    expect(g.name).toBe('myapp');
    expect(g.variables.map((d) => [d.variable, d.optionsText, d.options?.default])).toEqual([
      ['myapp_client_ssid', 'myapp_ssid,*', 'myapp_ssid'],
      ['myapp_client_psk', '*', undefined],
      ['myapp_port', '5432', '5432'],
    ]);
    expect(parseGroupText('', 'empty.yml').variables).toEqual([]);
    expect(parseGroupText('# nothing yet\n', 'empty.yml').variables).toEqual([]);
    expect(parseGroupText('[]', 'empty.yml').variables).toEqual([]);
    // JSON is YAML too
    expect(parseGroupText(JENKINS_JSON, 'jenkins.yml').variables[0]?.variable).toBe('jenkins_admin_password');
  });
});

describe('parseGroupText: errors name the file and the entry', () => {
  const entries = (...extra: string[]): string =>
    `[{"Variable":"DB_USER","Type":"string"},{"Variable":"DB_PASSWORD","Type":"password"},${extra.join(',')}]`;

  it('unknown attribute', () => {
    const e = badValue(() => parseGroupText(entries('{"Variable":"DB_HOST","Type":"string","Foo":"x"}'), 'secrets.d/db.json'));
    expect(e.message).toBe('secrets.d/db.json entry 3 (DB_HOST): unknown attribute "Foo"');
    expect(e.fix).toMatch(/Variable, Type, Prompt, Options, Export, Help/);
    // case matters, as in psec
    expect(badValue(() => parseGroupText('[{"variable":"a","Type":"string"}]', 'g.json')).message).toBe(
      'g.json entry 1: unknown attribute "variable"',
    );
    // psec's 'Arguments' is not an attribute either
    expect(badValue(() => parseGroupText('- {Variable: a, Type: string, Arguments: x}', 'g.yaml')).message).toBe(
      'g.yaml entry 1 (a): unknown attribute "Arguments"',
    );
  });

  it('missing Variable or Type', () => {
    expect(badValue(() => parseGroupText(entries('{"Type":"string"}'), 'db.json')).message).toBe('db.json entry 3: missing Variable');
    expect(badValue(() => parseGroupText(entries('{"Variable":"DB_HOST"}'), 'db.json')).message).toBe(
      'db.json entry 3 (DB_HOST): missing Type',
    );
    expect(badValue(() => parseGroupText('[{}]', 'db.json')).message).toBe('db.json entry 1: missing Variable');
    expect(badValue(() => parseGroupText('[{"Variable":null,"Type":"string"}]', 'db.json')).message).toBe(
      'db.json entry 1: missing Variable',
    );
  });

  it('Variable must be a valid key name', () => {
    const e = badValue(() => parseGroupText('[{"Variable":"db host","Type":"string"}]', 'db.json'));
    expect(e.message).toBe("db.json entry 1 (db host): Variable is not a valid key name: key name 'db host' contains U+0020");
    for (const bad of ['', 'a:b', 'a,b', 'a*', 'a=b', 'x#y', 'a\\u0000b', 'x'.repeat(256)]) {
      expect(badValue(() => parseGroupText(`[{"Variable":"${bad}","Type":"string"}]`, 'db.json')).message).toMatch(
        /^db\.json entry 1.*: Variable is not a valid key name: /,
      );
    }
    // names psec users have are fine
    expect(parseGroupText('[{"Variable":"a.b/c-d_E9","Type":"string"}]', 'db.json').variables[0]?.variable).toBe('a.b/c-d_E9');
  });

  it('attributes must be strings and valid Unicode', () => {
    expect(badValue(() => parseGroupText('[{"Variable":7,"Type":"string"}]', 'g.json')).message).toBe(
      'g.json entry 1: Variable must be a string',
    );
    expect(badValue(() => parseGroupText('- Variable: a\n  Type: string\n  Prompt: true\n', 'g.yaml')).message).toBe(
      'g.yaml entry 1 (a): Prompt must be a string',
    );
    expect(badValue(() => parseGroupText('[{"Variable":"a","Type":"string","Help":"\\ud800"}]', 'g.json')).message).toBe(
      'g.json entry 1 (a): Help is not valid Unicode',
    );
    expect(badValue(() => parseGroupText('["a"]', 'g.json')).message).toBe('g.json entry 1: expected an object with Variable and Type');
    expect(badValue(() => parseGroupText('[[]]', 'g.json')).message).toBe('g.json entry 1: expected an object with Variable and Type');
  });

  it('unknown Type lists the known ones', () => {
    const e = badValue(() => parseGroupText(entries('{"Variable":"DB_HOST","Type":"hostname"}'), 'db.json'));
    expect(e.message).toBe('db.json entry 3 (DB_HOST): unknown Type "hostname"');
    expect(e.fix).toBe(`Use one of: ${SECRET_TYPES.map((t) => t.name).join(', ')}.`);
    expect(badValue(() => parseGroupText('[{"Variable":"a","Type":"Password"}]', 'g.json')).message).toMatch(/unknown Type "Password"/);
  });

  it('Export must be an environment variable name', () => {
    for (const bad of ['1ABC', 'A-B', 'A B', '', 'É']) {
      const e = badValue(() => parseGroupText(`[{"Variable":"a","Type":"string","Export":"${bad}"}]`, 'g.json'));
      expect(e.message).toBe(`g.json entry 1 (a): Export ${JSON.stringify(bad)} is not an environment variable name`);
    }
    expect(parseGroupText('[{"Variable":"a","Type":"string","Export":"_a1"}]', 'g.json').variables[0]?.export).toBe('_a1');
  });

  it('bad Options name the entry', () => {
    expect(badValue(() => parseGroupText('[{"Variable":"on","Type":"boolean","Options":"yes,no"}]', 'g.json')).message).toBe(
      "g.json entry 1 (on): Options of a boolean may only list 'true' and 'false'",
    );
    expect(badValue(() => parseGroupText('[{"Variable":"a","Type":"string","Options":"a,,b"}]', 'g.json')).message).toMatch(
      /^g\.json entry 1 \(a\): Options has an empty entry/,
    );
  });

  it('duplicate Variable within a file names both entries', () => {
    const e = badValue(() => parseGroupText(entries('{"Variable":"DB_USER","Type":"string"}'), 'secrets.d/db.json'));
    expect(e.message).toBe('secrets.d/db.json entry 3 (DB_USER): Variable is already described by entry 1');
  });

  it('an attribute given twice in one entry', () => {
    expect(badValue(() => parseGroupText('[{"Variable":"a","Type":"string","Type":"password"}]', 'g.json')).message).toBe(
      'g.json: not valid JSON at line 1, column 34: key "Type" appears twice in one object',
    );
    expect(badValue(() => parseGroupText('- Variable: a\n  Type: string\n  Type: password\n', 'g.yaml')).message).toBe(
      'g.yaml: not valid YAML at line 3, column 3: a key appears twice in one mapping',
    );
  });

  it('malformed JSON: position, never the contents', () => {
    const e = badValue(() => parseGroupText('[\n  {"Variable": "SENTINEL_VALUE", "Type": "string",}\n]', 'g.json'));
    expect(e.message).toBe('g.json: not valid JSON at line 2, column 51: expected a string key');
    for (const [text, msg] of [
      ['', 'line 1, column 1: unexpected end of text'],
      ['[', 'line 1, column 2: unexpected end of text'],
      ['[{"Variable": "SENTINEL', 'line 1, column 15: unterminated string'],
      ['[1 2]', "line 1, column 4: expected ',' or ']' in an array"],
      ['[] SENTINEL', 'line 1, column 4: unexpected text after the end of the value'],
      ["[{'Variable': 'SENTINEL'}]", 'line 1, column 3: expected a string key'],
      ['["\\x"]', 'line 1, column 3: invalid escape sequence in a string'],
      ['["a\tb"]', 'line 1, column 4: control character in a string (escape it)'],
      ['[01]', "line 1, column 3: expected ',' or ']' in an array"],
      ['['.repeat(100) + ']'.repeat(100), 'line 1, column 66: nested too deeply'],
    ] as const) {
      const m = badValue(() => parseGroupText(text, 'g.json')).message;
      expect(m).toBe(`g.json: not valid JSON at ${msg}`);
      expect(m).not.toContain('SENTINEL');
    }
  });

  it('malformed YAML: position and reason, never the contents', () => {
    const e = badValue(() => parseGroupText('- Variable: SENTINEL\n  Type: string\n Prompt: x\n', 'g.yaml'));
    expect(e.message).toMatch(/^g\.yaml: not valid YAML at line 3, column \d+: /);
    expect(e.message).not.toContain('SENTINEL');
    const alias = badValue(() => parseGroupText('- Variable: a\n  Type: string\n  Options: *\n', 'g.yaml'));
    expect(alias.message).toMatch(/^g\.yaml: /);
    expect(alias.fix).toMatch(/'\*'/);
    expect(badValue(() => parseGroupText('- Variable: a\n  Type: string\n---\n- x\n', 'g.yml')).message).toMatch(
      /^g\.yml: not valid YAML at line \d+, column \d+: more than one document$/,
    );
  });

  it('the document must be a list', () => {
    expect(badValue(() => parseGroupText('{"Variable":"a","Type":"string"}', 'g.json')).message).toBe(
      'g.json: expected a JSON array of variable descriptions',
    );
    expect(badValue(() => parseGroupText('null', 'g.json')).message).toBe('g.json: expected a JSON array of variable descriptions');
    expect(badValue(() => parseGroupText('Variable: a\nType: string\n', 'g.yaml')).message).toBe(
      'g.yaml: expected a YAML list of variable descriptions',
    );
  });

  it('the group name comes from the file name and must be usable', () => {
    expect(parseGroupText('[]', '/x/y.d/my-group_1.JSON').name).toBe('my-group_1');
    for (const f of ['secrets.d/a.b.json', 'secrets.d/.json', 'secrets.d/a b.json', 'secrets.d/a:b.yaml']) {
      expect(badValue(() => parseGroupText('[]', f)).message).toMatch(/^secrets\.d\/.* group name ".*" \(the file name without extension\) is not usable$/);
    }
  });

  it('arbitrary text throws only SeeqretError', () => {
    const text = fc.oneof(
      binaryString({ maxLength: 80 }),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.array(fc.dictionary(fc.constantFrom('Variable', 'Type', 'Prompt', 'Options', 'Export', 'Help', 'Group', 'X'), fc.jsonValue({ maxDepth: 1 }))).map((v) =>
        JSON.stringify(v),
      ),
    );
    fc.assert(
      fc.property(text, fc.constantFrom('g.json', 'g.yaml'), (t, file) => {
        try {
          parseGroupText(t, file);
        } catch (e) {
          expect(e).toBeInstanceOf(SeeqretError);
          expect((e as SeeqretError).code).toBe('E_BAD_VALUE');
          expect((e as SeeqretError).message).not.toMatch(/[\n\r]/);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('the JSON reader accepts exactly what JSON.parse accepts', () => {
    const mutate = fc
      .tuple(fc.jsonValue().map((v) => JSON.stringify(v, null, 1)), fc.nat(), fc.constantFrom('', ',', '"', '}', ']', '\\', ' ', '0', '-'))
      .map(([s, at, c]) => {
        const i = s.length === 0 ? 0 : at % s.length;
        return s.slice(0, i) + c + s.slice(i + 1);
      });
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 30 }), fc.jsonValue().map((v) => JSON.stringify(v)), mutate), (t) => {
        let native = true;
        try {
          JSON.parse(t);
        } catch {
          native = false;
        }
        let ours = true;
        try {
          parseGroupText(t, 'g.json');
        } catch (e) {
          const m = (e as Error).message;
          // A duplicate key stops the reader where it is found, before a syntax error further on
          // (JSON.parse accepts duplicates): nothing to compare then.
          if (m.includes('appears twice')) return;
          if (m.includes('not valid JSON')) ours = m.includes('nested too deeply');
        }
        expect(ours).toBe(native);
      }),
      { numRuns: 400 },
    );
  });
});

describe('loadGroups', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'seeqret-descriptions-'));
  });
  afterAll(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });
  function folder(files: Record<string, string | Buffer>): string {
    const dir = fs.mkdtempSync(path.join(tmp, 'secrets.d-'));
    for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
    return dir;
  }

  it('reads every .json/.yaml/.yml in name order, skipping other files, dotfiles and folders', () => {
    const dir = folder({
      'trident.json': TRIDENT_JSON,
      'jenkins.json': JENKINS_JSON,
      'db.yml': '- Variable: db_port\n  Type: int\n',
      'cache.YAML': '- {Variable: cache_url, Type: string}\n',
      '.order': 'jenkins\n',
      '._jenkins.json': Buffer.from([0, 5, 22, 7, 0xff]),
      'notes.txt': 'not a description',
      'secrets.json': '{"jenkins_admin_password": null}',
    });
    fs.mkdirSync(path.join(dir, 'sub.json'));
    fs.unlinkSync(path.join(dir, 'secrets.json')); // the values file lives next to secrets.d, not in it
    fs.symlinkSync(path.join(dir, 'trident.json'), path.join(dir, 'zlink.json'));
    fs.symlinkSync(path.join(dir, 'missing.json'), path.join(dir, 'zdangling.json'));
    expect(() => loadGroups(dir)).toThrow(/zlink\.json entry 1 \(trident_sysadmin_pass\): Variable is already described in .*trident\.json \(entry 1\)/);
    fs.unlinkSync(path.join(dir, 'zlink.json'));
    const groups = loadGroups(dir);
    expect(groups.map((g) => g.name)).toEqual(['cache', 'db', 'jenkins', 'trident']);
    expect(groups.map((g) => g.file)).toEqual(['cache.YAML', 'db.yml', 'jenkins.json', 'trident.json'].map((n) => path.join(dir, n)));
    expect(groups[1]?.variables[0]).toMatchObject({ variable: 'db_port', type: 'int', group: 'db', source: path.join(dir, 'db.yml'), index: 0 });
  });

  it('a missing folder has no groups; a file is an error', () => {
    expect(loadGroups(path.join(tmp, 'does-not-exist'))).toEqual([]);
    const file = path.join(tmp, 'plain-file');
    fs.writeFileSync(file, '');
    expect(() => loadGroups(file)).toThrow(SeeqretError);
  });

  it('a variable described in two files names both files', () => {
    const dir = folder({
      'a.json': '[{"Variable":"shared","Type":"string"},{"Variable":"only_a","Type":"string"}]',
      'b.json': '[{"Variable":"only_b","Type":"string"},{"Variable":"shared","Type":"password"}]',
    });
    const e = badValue(() => loadGroups(dir));
    expect(e.message).toBe(`${path.join(dir, 'b.json')} entry 2 (shared): Variable is already described in ${path.join(dir, 'a.json')} (entry 1)`);
  });

  it('two files of the same group', () => {
    const dir = folder({ 'db.json': '[]', 'db.yaml': '[]' });
    expect(badValue(() => loadGroups(dir)).message).toBe(`${path.join(dir, 'db.yaml')}: group "db" is already described by ${path.join(dir, 'db.json')}`);
  });

  it('errors in a file name that file', () => {
    const dir = folder({ 'ok.json': JENKINS_JSON, 'web.json': '[{"Variable":"w","Type":"url"}]' });
    expect(badValue(() => loadGroups(dir)).message).toBe(`${path.join(dir, 'web.json')} entry 1 (w): unknown Type "url"`);
    const bad = folder({ 'bin.json': Buffer.from([0x5b, 0xff, 0x5d]) });
    expect(badValue(() => loadGroups(bad)).message).toBe(`${path.join(bad, 'bin.json')} is not valid UTF-8`);
  });
});

describe('validateValue', () => {
  const g = parseGroupText(
    JSON.stringify([
      { Variable: 'flag', Type: 'boolean' },
      { Variable: 'color', Type: 'string', Options: 'red,green' },
      { Variable: 'host', Type: 'string', Options: 'localhost,*' },
      { Variable: 'port', Type: 'int' },
      { Variable: 'level', Type: 'int', Options: '1,2,3' },
      { Variable: 'note', Type: 'string' },
      { Variable: 'pw', Type: 'password' },
    ]),
    'v.json',
  );
  const d = (name: string): VariableDescription => must(g.variables.find((v) => v.variable === name));

  it('booleans are exactly true or false', () => {
    expect(validateValue(d('flag'), 'true')).toBeNull();
    expect(validateValue(d('flag'), 'false')).toBeNull();
    for (const v of ['True', 'yes', '1', '', ' true']) expect(validateValue(d('flag'), v)).toBe("must be exactly 'true' or 'false'");
  });
  it('closed options must contain the value; free options take anything', () => {
    expect(validateValue(d('color'), 'red')).toBeNull();
    expect(validateValue(d('color'), 'blue')).toBe('must be one of the options: red, green');
    expect(validateValue(d('host'), 'db.internal')).toBeNull();
    expect(validateValue(d('note'), '')).toBeNull();
    expect(validateValue(d('pw'), 'anything at all')).toBeNull();
  });
  it('ints must be integers', () => {
    for (const v of ['0', '-5', '+7', '0022', '123456789012345678901234567890']) expect(validateValue(d('port'), v)).toBeNull();
    for (const v of ['', '1.5', '1e3', ' 1', 'x', '--1', '١']) expect(validateValue(d('port'), v)).toMatch(/^must be an integer/);
    expect(validateValue(d('level'), '2')).toBeNull();
    expect(validateValue(d('level'), '4')).toBe('must be one of the options: 1, 2, 3');
  });
  it('works on hand-built descriptions without parsed options', () => {
    const base = { group: 'g', source: 'g.json', index: 0 };
    expect(validateValue({ ...base, variable: 'x', type: 'string', optionsText: 'a,b' }, 'c')).toMatch(/one of the options/);
    expect(validateValue({ ...base, variable: 'x', type: 'boolean' }, 'maybe')).not.toBeNull();
    expect(validateValue({ ...base, variable: 'x', type: 'string' }, 'maybe')).toBeNull();
  });
  it('never includes the value', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 4 }).map((s) => `S3CR3T${s}`), fc.constantFrom('flag', 'color', 'port', 'level'), (value, name) => {
        const r = validateValue(d(name), value);
        expect(r).not.toBeNull();
        expect(r).not.toContain('S3CR3T');
      }),
    );
  });
});

describe('serializeGroup', () => {
  it("writes JSON exactly as psec does (json.dumps(data, indent=2) + newline)", () => {
    const g = parseGroupText(JENKINS_JSON, 'jenkins.json');
    expect(serializeGroup(g, 'json')).toBe(JENKINS_JSON);
    // psec's README myapp.json has the same attribute order
    expect(serializeGroup(parseGroupText(MYAPP_JSON, 'myapp.json'), 'json')).toBe(MYAPP_JSON);
    // and non-ASCII is escaped like Python's ensure_ascii
    const u = parseGroupText('[{"Variable":"k","Type":"string","Prompt":"Clé 🔑\\u007f"}]', 'u.json');
    expect(serializeGroup(u, 'json')).toBe('[\n  {\n    "Variable": "k",\n    "Type": "string",\n    "Prompt": "Cl\\u00e9 \\ud83d\\udd11\\u007f"\n  }\n]\n');
    expect(serializeGroup({ name: 'e', file: 'e.json', variables: [] }, 'json')).toBe('[]\n');
  });

  it('writes attributes in psec order, drops Group, keeps Options as written', () => {
    const g = parseGroupText(
      '[{"Help":"h","Export":"E","Options":" b ,a,* ","Prompt":"p","Type":"string","Variable":"v","Group":"other"}]',
      'g.json',
    );
    expect(JSON.parse(serializeGroup(g, 'json'))).toEqual([{ Variable: 'v', Type: 'string', Prompt: 'p', Options: ' b ,a,* ', Export: 'E', Help: 'h' }]);
    expect(Object.keys(must((JSON.parse(serializeGroup(g, 'json')) as object[])[0]))).toEqual(['Variable', 'Type', 'Prompt', 'Options', 'Export', 'Help']);
  });

  it('derives Options from parsed options when there is no text, unless they are the default', () => {
    const base = { group: 'g', source: 'g.json', index: 0 };
    const group: Group = {
      name: 'g',
      file: 'g.json',
      variables: [
        { ...base, variable: 'a', type: 'string', options: { choices: ['x', 'y'], freeText: true, default: 'y' } },
        { ...base, variable: 'b', type: 'boolean', options: parseOptions('', 'boolean'), index: 1 },
        { ...base, variable: 'c', type: 'string', options: parseOptions('*', 'string'), index: 2 },
        { ...base, variable: 'd', type: 'boolean', options: parseOptions('false,true', 'boolean'), index: 3 },
      ],
    };
    expect((JSON.parse(serializeGroup(group, 'json')) as { Options?: string }[]).map((e) => e.Options)).toEqual([
      'y,x,*',
      undefined,
      undefined,
      'false,true',
    ]);
  });

  it('writes YAML that reads back', () => {
    const g = parseGroupText(MYAPP_JSON, 'myapp.json');
    const yaml = serializeGroup(g, 'yaml');
    expect(yaml).toMatch(/^- Variable: myapp_pi_password\n {2}Type: password\n/);
    expect(yaml).toContain('Options: "*"');
    const back = parseGroupText(yaml, 'myapp.yaml');
    expect(back.variables.map((d) => ({ ...d, source: 'myapp.json' }))).toEqual(g.variables);
    // characters YAML treats specially survive
    for (const prompt of ['x\u0085y\u2028z\u2029\ufeff', '\t lead/trail \n', '- a: b # c', '*', '&x', '!t', "'q'", '"dq"', 'true', '0x1F', '~', 'null', '', ' ', '\u0000\u001b[31m', '%YAML', '---', '...', 'é🔑']) {
      const one = parseGroupText(JSON.stringify([{ Variable: 'v', Type: 'string', Prompt: prompt, Help: prompt }]), 'o.json');
      expect(parseGroupText(serializeGroup(one, 'yaml'), 'o.yaml')).toEqual({ ...one, file: 'o.yaml', variables: one.variables.map((d) => ({ ...d, source: 'o.yaml' })) });
      expect(parseGroupText(serializeGroup(one, 'json'), 'o.json')).toEqual(one);
    }
  });

  // Round trip of any valid group, in both formats.
  const nameArb = fc.stringMatching(/^[A-Za-z0-9_./-]{1,24}$/);
  const textArb = binaryString({ maxLength: 40 });
  const freeEntry = binaryString({ minLength: 1, maxLength: 10 }).filter((s) => !s.includes(',') && s.trim() !== '' && s.trim() !== '*');
  const entryArb = fc.constantFrom(...SECRET_TYPES.map((t) => t.name)).chain((type) => {
    const optionEntry =
      type === 'boolean' ? fc.constantFrom('true', 'false', ' true ') : type === 'int' ? fc.oneof(fc.constant('*'), fc.integer().map(String)) : fc.oneof(fc.constant('*'), freeEntry);
    return fc.record({
      type: fc.constant(type),
      prompt: fc.option(textArb, { nil: undefined }),
      optionsText: fc.option(fc.array(optionEntry, { minLength: 1, maxLength: 4 }).map((a) => a.join(',')), { nil: undefined }),
      export: fc.option(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,20}$/), { nil: undefined }),
      help: fc.option(textArb, { nil: undefined }),
    });
  });
  const groupArb = fc.uniqueArray(nameArb, { maxLength: 6 }).chain((names) =>
    fc.tuple(fc.constant(names), fc.array(entryArb, { minLength: names.length, maxLength: names.length })),
  );
  function makeGroup(names: string[], entries: Array<{ type: string; prompt?: string; optionsText?: string; export?: string; help?: string }>, file: string): Group {
    const group = path.basename(file).replace(/\.[^.]*$/, '');
    return {
      name: group,
      file,
      variables: names.map((variable, index) => {
        const e = must(entries[index]);
        const d: Record<string, unknown> = { variable, type: e.type, group, source: file, index };
        if (e.prompt !== undefined) d['prompt'] = e.prompt;
        d['options'] = parseOptions(e.optionsText ?? '', e.type);
        if (e.optionsText !== undefined) d['optionsText'] = e.optionsText;
        if (e.export !== undefined) d['export'] = e.export;
        if (e.help !== undefined) d['help'] = e.help;
        return d as unknown as VariableDescription;
      }),
    };
  }

  it('parseGroupText(serializeGroup(g)) is g, in JSON and in YAML', () => {
    fc.assert(
      fc.property(groupArb, fc.constantFrom(['json', 'secrets.d/grp.json'], ['yaml', 'secrets.d/grp.yaml'], ['yaml', 'x/grp.yml']), ([names, entries], [format, file]) => {
        const g = makeGroup(names, entries, file);
        const text = serializeGroup(g, format);
        expect(parseGroupText(text, file)).toEqual(g);
        if (format === 'json') expect(text).toMatch(/^[\x20-\x7e\n]*$/);
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips through a folder', () => {
    fc.assert(
      fc.property(groupArb, ([names, entries]) => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seeqret-descriptions-rt-'));
        try {
          const a = makeGroup(names.slice(0, 3), entries.slice(0, 3), path.join(dir, 'a.json'));
          const b = makeGroup(names.slice(3), entries.slice(3), path.join(dir, 'b.yaml'));
          fs.writeFileSync(a.file, serializeGroup(a, 'json'));
          fs.writeFileSync(b.file, serializeGroup(b, 'yaml'));
          expect(loadGroups(dir)).toEqual([a, b]);
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 30 },
    );
  });
});
