/**
 * Units of the project commands: the `set` argument parsers (checked against Python's shlex, which
 * psec uses), generation planning, the psec folder reader, secure deletion, permission checks of
 * the tmp folders, and Vault.renameEnvironment.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { verifyShaCrypt } from '../src/crypto/shacrypt.js';
import { isSeeqretError } from '../src/errors.js';
import { parseAssignment, valueSource } from '../src/project/assign.js';
import { planGeneration } from '../src/project/generation.js';
import { readPsecEnvironment } from '../src/project/psec.js';
import { sha256Base64 } from '../src/crypto/random.js';
import { atomicWriteFile } from '../src/util/atomic-write.js';
import { checkPrivate } from '../src/util/permissions.js';
import { ensureDir } from '../src/util/fs.js';
import { secureDelete, secureDeleteTree } from '../src/util/secure-delete.js';
import { quoteWord, splitCommandLine } from '../src/util/shlex.js';
import { Vault } from '../src/vault/vault.js';
import { ROOT, tmpdir, thrownCode } from './helpers.js';
import { vaultDatabase } from '../src/vault/internal.js';
import { must } from './must.js';

const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'psec', 'demo');


/** The system's Python where there is one (a version manager's `python3` shim costs about ten starts), else `python3` on the PATH. */
const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** Python's shlex.split for many inputs in one process: [words] or null (ValueError) each. */
function pythonShlex(inputs: readonly string[]): Array<string[] | null> {
  const script = [
    'import json, shlex, sys',
    'out = []',
    'for s in json.load(sys.stdin):',
    '    try: out.append(shlex.split(s))',
    '    except ValueError: out.append(None)',
    'json.dump(out, sys.stdout)',
  ].join('\n');
  const r = spawnSync(PYTHON, ['-c', script], { input: JSON.stringify(inputs), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Array<string[] | null>;
}

const hasPython = spawnSync(PYTHON, ['-c', 'import shlex'], { encoding: 'utf8' }).status === 0;

describe('splitCommandLine', () => {
  it('splits like a shell without expanding anything', () => {
    expect(splitCommandLine('psec utils myip --cidr')).toEqual(['psec', 'utils', 'myip', '--cidr']);
    expect(splitCommandLine(`echo 'a b' "c \\"d\\"" e\\ f $HOME \`x\` ~ *`)).toEqual(['echo', 'a b', 'c "d"', 'e f', '$HOME', '`x`', '~', '*']);
    expect(splitCommandLine(`a'b c'"d"`)).toEqual(['ab cd']);
    expect(splitCommandLine(`'' ""`)).toEqual(['', '']);
    expect(splitCommandLine('  \t\n ')).toEqual([]);
    expect(splitCommandLine('"a\\$b"')).toEqual(['a\\$b']);
    for (const bad of ["'open", '"open', 'trailing\\', '"a\\"']) expect(thrownCode(() => splitCommandLine(bad))).toBe('E_USAGE');
  });

  it.skipIf(!hasPython)("gives the same words as Python's shlex.split, which psec uses (property)", () => {
    const alphabet = fc.constantFrom('a', 'b', ' ', '\t', '\n', "'", '"', '\\', '$', '#', '*', 'é', '=', '!');
    const inputs = fc.sample(fc.string({ unit: alphabet, maxLength: 24 }), 600);
    inputs.push(...fc.sample(fc.string({ maxLength: 30 }).filter((s) => !s.includes('\r') && !s.includes('\0')), 200));
    const expected = pythonShlex(inputs);
    inputs.forEach((s, k) => {
      let got: string[] | null;
      try {
        got = splitCommandLine(s);
      } catch (e) {
        expect(isSeeqretError(e, 'E_USAGE')).toBe(true);
        got = null;
      }
      expect({ input: s, words: got }).toEqual({ input: s, words: expected[k] });
    });
  });

  it('reads back words quoted with quoteWord (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 12 }), { maxLength: 6 }), (words) => {
        expect(splitCommandLine(words.map(quoteWord).join(' '))).toEqual(words);
      }),
    );
  });
});

describe('set arguments', () => {
  it('splits VAR=VALUE at the first "=" and validates VAR', () => {
    expect(parseAssignment('a=b=c')).toEqual({ variable: 'a', value: 'b=c' });
    expect(parseAssignment('a=')).toEqual({ variable: 'a', value: '' });
    expect(parseAssignment('bare')).toEqual({ variable: 'bare' });
    for (const bad of ['=x', 'a b=1', 'a:b=1', '']) expect(thrownCode(() => parseAssignment(bad))).toBe('E_INVALID_NAME');
  });

  it('any valid name and any value survive VAR=VALUE (property)', () => {
    const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,20}$/);
    fc.assert(
      fc.property(name, fc.string(), (n, v) => {
        expect(parseAssignment(`${n}=${v}`)).toEqual({ variable: n, value: v });
      }),
    );
  });

  it('knows @file, @-, !command and --literal', () => {
    expect(valueSource('plain')).toEqual({ kind: 'literal', value: 'plain' });
    expect(valueSource('@~/.ssh/id.pub')).toEqual({ kind: 'file', path: '~/.ssh/id.pub' });
    expect(valueSource('@-')).toEqual({ kind: 'stdin' });
    expect(valueSource("!printf '%s' 'a b'")).toEqual({ kind: 'command', argv: ['printf', '%s', 'a b'] });
    expect(valueSource('@x', true)).toEqual({ kind: 'literal', value: '@x' });
    expect(valueSource('!x', true)).toEqual({ kind: 'literal', value: '!x' });
    for (const bad of ['@', '!', '!   ', "!'open"]) expect(thrownCode(() => valueSource(bad))).toBe('E_USAGE');
  });

  it('valueSource never throws anything but E_USAGE (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.boolean(), (t, literal) => {
        try {
          const s = valueSource(t, literal);
          if (literal || !/^[@!]/.test(t)) expect(s).toEqual({ kind: 'literal', value: t });
        } catch (e) {
          expect(isSeeqretError(e, 'E_USAGE')).toBe(true);
        }
      }),
    );
  });
});

describe('planGeneration', () => {
  const t = (variable: string, type: string, explicit = false) => ({ variable, type, explicit });

  it('shares one value per type by default, and never touches string or boolean', () => {
    const plan = planGeneration([t('a', 'password'), t('b', 'password'), t('c', 'token_hex'), t('d', 'token_hex'), t('s', 'string'), t('f', 'boolean'), t('n', 'int')]);
    const v = Object.fromEntries(plan.values.map((x) => [x.variable, x.value]));
    expect(Object.keys(v)).toEqual(['a', 'b', 'c', 'd']);
    expect(v['a']).toBe(v['b']);
    expect(v['c']).toBe(v['d']);
    expect(v['c']).toMatch(/^[0-9a-f]{64}$/);
    expect(plan.skipped.map((s) => s.variable)).toEqual(['s', 'f', 'n']);
    expect(plan.entropy.get('token_hex')).toBe(256);
    expect(plan.entropy.get('password')).toBeGreaterThan(68);
  });

  it('with unique, every variable gets its own value', () => {
    const plan = planGeneration([t('a', 'uuid4'), t('b', 'uuid4'), t('c', 'random_base64')], { unique: true, length: 30 });
    expect(must(plan.values[0]).value).not.toBe(must(plan.values[1]).value);
    expect(Buffer.from(must(plan.values[2]).value, 'base64')).toHaveLength(30);
  });

  it("hashes the run's shared password, or the --from value", () => {
    const plan = planGeneration([t('h', 'crypt_6'), t('p', 'password'), t('d', 'sha256_digest')], { user: 'admin', rounds: 1000 });
    const v = Object.fromEntries(plan.values.map((x) => [x.variable, x.value]));
    expect(verifyShaCrypt(must(v['p']), must(v['h']))).toBe(true);
    expect(v['h']).toMatch(/^\$6\$rounds=1000\$/);
    expect(v['d']).toBe(sha256Base64(`admin:${v['p']}`));
    const from = planGeneration([t('h', 'crypt_6'), t('d', 'sha256_digest')], { fromValue: 'known pw', user: 'u', unique: true });
    expect(verifyShaCrypt('known pw', must(from.values[0]).value)).toBe(true);
    expect(must(from.values[1]).value).toBe(sha256Base64('u:known pw'));
    expect(from.entropy.has('crypt_6')).toBe(false);
  });

  it('skips hashes without a password or user in bulk, and refuses them when named', () => {
    expect(must(planGeneration([t('h', 'crypt_6')]).skipped[0]).reason).toMatch(/--from VAR/);
    expect(must(planGeneration([t('h', 'crypt_6'), t('p', 'password')], { unique: true }).skipped[0]).reason).toMatch(/--unique/);
    expect(must(planGeneration([t('d', 'sha256_digest'), t('p', 'password')]).skipped[0]).reason).toMatch(/--user/);
    expect(thrownCode(() => planGeneration([t('h', 'crypt_6', true)]))).toBe('E_USAGE');
    expect(thrownCode(() => planGeneration([t('s', 'string', true)]))).toBe('E_USAGE');
    expect(thrownCode(() => planGeneration([t('b', 'boolean', true)]))).toBe('E_USAGE');
  });

  it('generates an int only when named, within --min/--max', () => {
    const plan = planGeneration([t('port', 'int', true)], { min: 1024, max: 1030 });
    const n = Number(must(plan.values[0]).value);
    expect(n >= 1024 && n <= 1030).toBe(true);
    expect(thrownCode(() => planGeneration([t('port', 'int', true)], { min: 5, max: 1 }))).toBe('E_USAGE');
  });
});

describe('readPsecEnvironment', () => {
  it('reads the fixture: values, unset variables, descriptions, ignored entries', () => {
    const p = readPsecEnvironment(FIXTURE);
    expect(p.name).toBe('demo');
    expect(p.groups.map((g) => g.name)).toEqual(['consul', 'hosts', 'jenkins', 'myapp', 'oauth', 'trident']);
    const byName = new Map(p.values.map((v) => [v.variable, v]));
    expect(byName.get('myapp_client_psk')?.value).toBe('PSK=with=equals');
    expect(byName.get('myapp_client_ssid')?.value).toBe('Café Wi-Fi');
    expect(byName.get('myapp_optional_setting')?.value).toBeNull();
    expect(byName.get('google_oauth_client_secret')).toMatchObject({ value: null }); // described, absent from secrets.json
    expect(byName.get('legacy_token')?.description).toBeUndefined();
    expect(p.ignored).toEqual(['tmp']);
  });

  it('refuses what it cannot import, naming the variable but never the value', () => {
    const cases: Array<[string, RegExp]> = [
      ['{"a": ["x"]}', /"a" has a value that is not text/],
      ['{"a": "1", "a": "2"}', /appears twice/],
      ['["a"]', /expected a JSON object/],
      ['{"a b": "1"}', /not a usable variable name/],
      ['{"flag": "yes-please"}', /flag.*must be exactly 'true' or 'false'/],
      ['{"a": "x",}', /not valid JSON at line 1/],
    ];
    for (const [json, re] of cases) {
      const dir = tmpdir();
      fs.mkdirSync(path.join(dir, 'secrets.d'));
      fs.writeFileSync(path.join(dir, 'secrets.d', 'g.json'), '[{"Variable": "flag", "Type": "boolean"}]');
      fs.writeFileSync(path.join(dir, 'secrets.json'), json);
      let err: unknown;
      try {
        readPsecEnvironment(dir);
      } catch (e) {
        err = e;
      }
      expect(isSeeqretError(err, 'E_BAD_VALUE')).toBe(true);
      expect((err as Error).message).toMatch(re);
      expect((err as Error).message).not.toContain('yes-please');
    }
    expect(thrownCode(() => readPsecEnvironment(tmpdir()))).toBe('E_FILE_NOT_FOUND');
    const numbers = tmpdir();
    fs.writeFileSync(path.join(numbers, 'secrets.json'), '{"port": 5432, "on": true}');
    const p = readPsecEnvironment(numbers);
    expect(p.values.map((v) => v.value)).toEqual(['5432', 'true']);
    expect(p.notes).toHaveLength(2);
  });
});

describe('files', () => {
  it('secureDelete overwrites the data before unlinking (seen through a hard link)', () => {
    const dir = tmpdir();
    const file = path.join(dir, 'rendered.env');
    const secret = 'DB_PASSWORD=correct horse battery staple\n'.repeat(3000); // > one 64 KiB chunk
    fs.writeFileSync(file, secret);
    const witness = path.join(dir, 'witness');
    fs.linkSync(file, witness); // shares the inode: shows what secureDelete left in the data blocks
    secureDelete(file);
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.readdirSync(dir)).toEqual(['witness']); // the random-named copy is gone too
    const left = fs.readFileSync(witness);
    expect(left).toHaveLength(Buffer.byteLength(secret));
    expect(left.includes(Buffer.from('correct horse'))).toBe(false);
    secureDelete(path.join(dir, 'missing')); // not an error
  });

  it('atomicWriteFile overwrites its temporary file before removing it when the write fails', () => {
    // The rendered secrets are written to a temporary file, then the rename fails: the target
    // became a folder meanwhile (a folder named up front is refused before anything is written).
    // The temporary file held the secrets: it must not be just unlinked.
    const dir = tmpdir();
    const dest = path.join(dir, 'out');
    const witness = path.join(dir, 'witness');
    const secret = 'DB_PASSWORD=correct horse battery staple\n'.repeat(100);
    const rename = fs.renameSync;
    // Hard-links the temporary file (so its data blocks stay visible), makes the target a
    // non-empty folder, then renames for real (which fails).
    const spy = vi.spyOn(fs, 'renameSync').mockImplementation((from, to) => {
      if (!fs.existsSync(witness)) fs.linkSync(from, witness);
      fs.mkdirSync(path.join(dest, 'sub'), { recursive: true });
      rename(from, to);
    });
    try {
      expect(thrownCode(() => { atomicWriteFile(dest, secret); })).toBe('E_IO');
    } finally {
      spy.mockRestore();
    }
    expect(fs.readdirSync(dir).sort()).toEqual(['out', 'witness']); // no temporary file left
    const left = fs.readFileSync(witness);
    expect(left).toHaveLength(Buffer.byteLength(secret));
    expect(left.includes(Buffer.from('correct horse'))).toBe(false);
  });

  it('secureDeleteTree removes a tree, never following links', () => {
    const dir = tmpdir();
    const outside = path.join(dir, 'outside.txt');
    fs.writeFileSync(outside, 'keep me');
    const tree = path.join(dir, 'tmp');
    fs.mkdirSync(path.join(tree, 'a', 'b'), { recursive: true });
    fs.writeFileSync(path.join(tree, 'a', 'one'), 'x');
    fs.writeFileSync(path.join(tree, 'a', 'b', 'two'), 'y');
    fs.symlinkSync(outside, path.join(tree, 'link'));
    expect(secureDeleteTree(tree)).toBe(2);
    expect(fs.existsSync(tree)).toBe(false);
    expect(fs.readFileSync(outside, 'utf8')).toBe('keep me');
    expect(secureDeleteTree(tree)).toBe(0);
  });

  it('ensureDir gives shared folders their mode despite the umask', () => {
    const dir = path.join(tmpdir(), 'x', 'y');
    const old = process.umask(0o077);
    try {
      ensureDir(dir);
    } finally {
      process.umask(old);
    }
    expect(fs.statSync(dir).mode & 0o777).toBe(0o755);
    expect(fs.statSync(path.dirname(dir)).mode & 0o777).toBe(0o755);
  });

  it('checkPrivate looks at everything in the vault at any depth, tmp folders included, inbox contents not', () => {
    const vault = tmpdir();
    fs.chmodSync(vault, 0o700);
    const env = path.join(vault, 'tmp', 'app', 'dev');
    fs.mkdirSync(env, { recursive: true, mode: 0o700 });
    fs.chmodSync(path.join(vault, 'tmp'), 0o700);
    fs.chmodSync(path.join(vault, 'tmp', 'app'), 0o700);
    fs.chmodSync(env, 0o700);
    fs.writeFileSync(path.join(env, 'ok'), '', { mode: 0o600 });
    expect(checkPrivate(vault)).toEqual([]);
    fs.writeFileSync(path.join(env, 'open'), '');
    fs.chmodSync(path.join(env, 'open'), 0o644);
    fs.mkdirSync(path.join(env, 'sub'));
    fs.chmodSync(path.join(env, 'sub'), 0o755);
    const found = checkPrivate(vault).map((p) => [path.relative(vault, p.path), p.mode, p.kind]);
    expect(found).toEqual(expect.arrayContaining([[path.join('tmp', 'app', 'dev', 'open'), 0o644, 'file'], [path.join('tmp', 'app', 'dev', 'sub'), 0o755, 'dir']]));
    expect(found).toHaveLength(2);
    // bundles others drop in inbox/ are not ours to judge; the inbox folder itself is
    fs.mkdirSync(path.join(vault, 'inbox'), { mode: 0o700 });
    fs.chmodSync(path.join(vault, 'inbox'), 0o700);
    fs.writeFileSync(path.join(vault, 'inbox', 'bundle.json'), '{}');
    fs.chmodSync(path.join(vault, 'inbox', 'bundle.json'), 0o644);
    expect(checkPrivate(vault)).toHaveLength(2);
    fs.chmodSync(path.join(vault, 'inbox'), 0o755);
    expect(checkPrivate(vault).map((p) => p.path)).toContain(path.join(vault, 'inbox'));
  });
});

describe('Vault.renameEnvironment', () => {
  function vault(): Vault {
    return Vault.create({ dir: path.join(tmpdir(), 'v'), username: 'alice', email: 'a@example.com' });
  }

  it('moves values and history, re-sealed for the new name, in one transaction with audit entries', () => {
    const v = vault();
    try {
      v.set({ app: 'app', env: 'dev', key: 'A', value: 'one' });
      v.set({ app: 'app', env: 'dev', key: 'A', value: 'two' }, { replace: true });
      v.set({ app: 'app', env: 'dev', key: 'B', value: 'b', type: 'password' });
      v.set({ app: 'app', env: 'prod', key: 'A', value: 'p' });
      v.set({ app: 'other', env: 'dev', key: 'A', value: 'o' });
      const moved = v.renameEnvironment('app', 'dev', 'staging');
      expect(moved.map((r) => `${r.app}:${r.env}:${r.key}:${r.version}`)).toEqual(['app:staging:A:2', 'app:staging:B:1']);
      expect(v.lookup('app', 'dev', 'A')).toBeUndefined();
      const a = must(v.lookup('app', 'staging', 'A'));
      expect(v.reveal(a)).toBe('two');
      expect(v.revealVersion(a, 1)).toBe('one');
      expect(must(v.lookup('app', 'staging', 'B')).type).toBe('password');
      expect(v.get('A', { app: 'app', env: 'staging' })).toBe('two');
      expect(v.get('A', { app: 'other', env: 'dev' })).toBe('o');
      // One entry for the rename (issue 12), naming each secret with its new name and version.
      const renames = v.auditLog({ action: 'secret.rename' });
      expect(renames.map((e) => e.target)).toEqual(['2 secrets']);
      expect(JSON.parse(must(must(renames[0]).detail))).toEqual({ n: 2, secrets: ['app:dev:A', 'app:dev:B'], each: { to: ['app:staging:A', 'app:staging:B'], version: [2, 1] } });
      expect(v.verifyAudit().brokenAt).toBeNull();
      expect(v.renameEnvironment('app', 'nothing', 'x')).toEqual([]);
    } finally {
      v.close();
    }
  });

  it('refuses to merge into an environment that has values, and rolls back on a damaged value', () => {
    const v = vault();
    try {
      v.set({ app: 'app', env: 'dev', key: 'A', value: '1' });
      v.set({ app: 'app', env: 'dev', key: 'Z', value: '2' });
      v.set({ app: 'app', env: 'prod', key: 'B', value: '3' });
      expect(thrownCode(() => v.renameEnvironment('app', 'dev', 'prod'))).toBe('E_EXISTS');
      expect(thrownCode(() => v.renameEnvironment('app', 'dev', 'dev'))).toBe('E_USAGE');
      // Damage Z's ciphertext: the rename must fail as a whole and leave A where it was.
      const z = must(v.lookup('app', 'dev', 'Z'));
      vaultDatabase(v).prepare('UPDATE secrets SET value = ? WHERE id = ?').run(Buffer.alloc(60, 1), z.id);
      expect(thrownCode(() => v.renameEnvironment('app', 'dev', 'qa'))).toBe('E_DECRYPT');
      expect(v.reveal(must(v.lookup('app', 'dev', 'A')))).toBe('1');
      expect(v.lookup('app', 'qa', 'A')).toBeUndefined();
    } finally {
      v.close();
    }
  });
});
