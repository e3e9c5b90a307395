/**
 * Data safety through the real CLI:
 * - formats that do not bind a value to its name (SecureStore, the old seeqret vault) — shown, and
 *   warned about on import;
 * - `ss set` refuses an empty value unless --allow-empty;
 * - every importer (import-vault, import-psec, ss import, importenv, restore) checks its whole
 *   input first and writes in one transaction: a hostile input refused on its LAST entry leaves
 *   no folder, file or row behind, and the same command works once the input is fixed;
 * - every hint a summary or error prints is a command that exists and works in that situation.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fernetEncrypt } from '../src/crypto/fernet.js';
import { KeySource, SecretsManager } from '../src/securestore/manager.js';
import { dumpVault, encryptDump } from '../src/sharing/backup.js';
import { splitCommandLine } from '../src/util/shlex.js';
import { openDatabase } from '../src/vault/sqlite.js';
import { Vault } from '../src/vault/vault.js';
import { type CliResult, ROOT, SHARED, addSecrets, cliIn, errorCode, introduce, newVault, tmpdir, vaultState, vaultValues } from './helpers.js';
import { must } from './must.js';

const SS_FIX = path.join(SHARED, 'fixtures', 'securestore-v3');
const V1 = path.join(SHARED, 'fixtures', 'seeqret-v1');
const SS_PASSWORD = 'password123';
const BACKUP_PASS = 'correct horse battery';

function ok(r: CliResult): CliResult {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
  return r;
}

const state = vaultState;

/** `fn` of vault DIR opened read-only (closed after). */
function withVault<T>(dir: string, fn: (v: Vault) => T): T {
  const v = Vault.open({ dir, readonly: true });
  try {
    return fn(v);
  } finally {
    v.close();
  }
}
const values = vaultValues;

/** A writable copy of alice's old (v1) vault folder. */
function v1Copy(): string {
  const d = path.join(tmpdir('seeqret-v1-'), 'seeqret');
  fs.cpSync(path.join(V1, 'alice', 'seeqret'), d, { recursive: true });
  return d;
}

/** The commands between backquotes in `text` that start with `seeqret`. */
function hintedCommands(text: string): string[] {
  return [...text.matchAll(/`(seeqret [^`]*)`/g)].map((m) => must(m[1]));
}

/** Run a hinted command line (as a shell would split it), with `input` on stdin. */
async function runHint(cmd: string, opts: { input?: string; env?: Record<string, string>; cwd?: string } = {}): Promise<CliResult> {
  const words = splitCommandLine(cmd);
  expect(words[0]).toBe('seeqret');
  return await cliIn(words.slice(1), opts);
}

/** `seeqret WORDS --help`, in-process (the same command tree as the executable, decision 58). */
const helpCache = new Map<string, string>();
async function help(words: string[]): Promise<string> {
  const k = words.join(' ');
  if (!helpCache.has(k)) helpCache.set(k, (await cliIn([...words, '--help'])).stdout);
  return must(helpCache.get(k));
}

/**
 * Check that a hinted command names a real command and only options that command (or its group,
 * or the global options) has. Placeholders such as FILE are fine.
 */
async function expectRealCommand(cmd: string): Promise<void> {
  const words = splitCommandLine(cmd).slice(1);
  const globals = await help([]);
  let i = 0;
  while (i < words.length && /^--(vault|passphrase-file)$/.test(must(words[i]))) i += 2;
  // the longest run of words that is a command (its help's Usage line names them)
  const path: string[] = [];
  for (let j = i; j < words.length && !must(words[j]).startsWith('-'); j++) {
    const usage = /^Usage: seeqret (.*)$/m.exec(await help([...path, must(words[j])]))?.[1] ?? '';
    const name = words[j] === 'ss' ? 'securestore' : must(words[j]);
    if (!usage.startsWith([...path.map((p) => (p === 'ss' ? 'securestore' : p)), name].join(' '))) break;
    path.push(must(words[j]));
  }
  expect(path.length, `no seeqret command in: ${cmd}`).toBeGreaterThan(0);
  const texts = [globals, ...(await Promise.all(path.map((_, n) => help(path.slice(0, n + 1)))))].join('\n');
  for (const w of words.slice(i + path.length)) {
    if (!w.startsWith('-') || w === '-') continue;
    const opt = must(w.split('=')[0]);
    expect(new RegExp(`(^|[\\s,])${opt.replace(/[-]/g, '\\-')}([\\s,<]|$)`, 'm').test(texts), `${opt} is not an option of seeqret ${path.join(' ')} (in: ${cmd})`).toBe(true);
  }
}

// ---------------------------------------------------------------------------------------------

describe('formats that do not bind a value to its name', () => {
  it('a secrets.json with two entries swapped is NOT detected by the SecureStore format; ss import warns once', async () => {
    const dir = tmpdir();
    const store = path.join(dir, 'secrets.json');
    const doc = JSON.parse(fs.readFileSync(path.join(SS_FIX, 'fixture.json'), 'utf8')) as { secrets: Record<string, unknown> };
    // The fixture's key file rather than its password: what is tested is the format, and the key
    // file skips SecureStore's 256,000 PBKDF2 rounds on every open.
    fs.copyFileSync(path.join(SS_FIX, 'fixture.key'), path.join(dir, 'secrets.key'));
    const open = (): SecretsManager => SecretsManager.fromFile(store, KeySource.fromFile(path.join(dir, 'secrets.key')));
    fs.writeFileSync(store, JSON.stringify(doc));
    const before = { user: open().get('db:username'), pass: open().get('db:password') };
    expect(before.user).not.toBe(before.pass);
    [doc.secrets['db:username'], doc.secrets['db:password']] = [doc.secrets['db:password'], doc.secrets['db:username']];
    fs.writeFileSync(store, JSON.stringify(doc));
    // Each entry's HMAC covers its IV and ciphertext only: the swap opens without any error.
    expect(open().get('db:username')).toBe(before.pass);
    expect(open().get('db:password')).toBe(before.user);
    const r = await cliIn(['ss', '-k', 'secrets.key', 'get', 'db:username'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${before.pass}\n`);

    const vault = newVault();
    const imp = ok(await cliIn(['ss', '-k', 'secrets.key', 'import', '--colon', '.'], { cwd: dir, vault }));
    const warnings = imp.stderr.split('\n').filter((l) => l.startsWith('seeqret: warning:'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/SecureStore does not bind a value to its name: whoever could write secrets\.json could have swapped values between names undetected/);
    for (const value of Object.values(values(vault))) if (value.length > 2) expect(imp.stderr).not.toContain(value);
    expect(values(vault)['*:*:db.username']).toBe(before.pass); // imported as the file says
  });

  it('an old (v1) vault with two values swapped between rows is NOT detected; import-vault warns once', async () => {
    const old = v1Copy();
    const db = openDatabase(path.join(old, 'seeqrets.db'));
    const rows = db.prepare('SELECT id, app, env, key, value FROM secrets ORDER BY id').all() as Array<{ id: number; app: string; env: string; key: string; value: unknown }>;
    const [a, b] = [must(rows[0]), must(rows[1])];
    const upd = db.prepare('UPDATE secrets SET value = ? WHERE id = ?');
    upd.run(b.value, a.id);
    upd.run(a.value, b.id);
    db.close();
    const orig = values((await importInto(path.join(V1, 'alice', 'seeqret'))).vault);
    const { vault, r } = await importInto(old);
    expect(r.code).toBe(0);
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('seeqret: warning:') && l.includes('bind'));
    expect(warnings).toEqual([`seeqret: warning: the old seeqret vault format does not bind a value to its name: whoever could write ${old} could have swapped values between names undetected; check the imported values`]);
    const got = values(vault);
    const label = (x: { app: string; env: string; key: string }): string => `${x.app}:${x.env}:${x.key}`;
    expect(got[label(a)]).toBe(orig[label(b)]);
    expect(got[label(b)]).toBe(orig[label(a)]);
    for (const value of Object.values(orig)) if (value.length > 2) expect(r.stderr).not.toContain(value);
  });
});

async function importInto(old: string, vault: string = path.join(tmpdir(), 'new', 'seeqret'), extra: string[] = []): Promise<{ vault: string; r: CliResult }> {
  return { vault, r: await cliIn(['--vault', vault, 'import-vault', old, ...extra]) };
}

describe('ss set refuses an empty value', () => {
  it('empty stdin, a lone newline, an empty argument: E_EMPTY_VALUE, nothing written; --allow-empty stores it', async () => {
    const dir = tmpdir();
    fs.copyFileSync(path.join(SS_FIX, 'fixture.json'), path.join(dir, 'secrets.json'));
    // The fixture's key file (no PBKDF2 on each run; the password is not what is tested here).
    fs.copyFileSync(path.join(SS_FIX, 'fixture.key'), path.join(dir, 'secrets.key'));
    const env = { SEEQRET_EXIT_CODES: 'native' };
    const before = fs.readFileSync(path.join(dir, 'secrets.json'));
    for (const [args, input] of [[['db:password'], ''], [['db:password'], '\n'], [['db:password', ''], ''], [['new:key'], '\r\n']] as const) {
      const r = await cliIn(['ss', '-k', 'secrets.key', 'set', ...args], { cwd: dir, env, input });
      expect(errorCode(r), r.stderr).toBe('E_EMPTY_VALUE');
      expect(r.code).toBe(10);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(fs.readFileSync(path.join(dir, 'secrets.json'))).toEqual(before);
    }
    // ssclient's exit code for it (the default profile) is 1
    expect((await cliIn(['ss', '-k', 'secrets.key', 'set', 'db:password'], { cwd: dir })).code).toBe(1);
    ok(await cliIn(['ss', '-k', 'secrets.key', 'set', 'db:password', '--allow-empty'], { cwd: dir, env, input: '' }));
    expect(SecretsManager.fromFile(path.join(dir, 'secrets.json'), KeySource.fromFile(path.join(dir, 'secrets.key'))).get('db:password')).toBe('');
    ok(await cliIn(['ss', '-k', 'secrets.key', 'set', 'db:password', 'non-empty'], { cwd: dir, env }));
  });
});

// ---------------------------------------------------------------------------------------------

describe('importers: a hostile input refused on its last entry writes nothing; the retry works', () => {
  it('import-vault: a bad key name, then a bad user name, in the last row — no vault folder; into an existing vault nothing changes', async () => {
    const old = v1Copy();
    const key = fs.readFileSync(path.join(old, 'seeqret.key'), 'utf8').trim();
    const db = openDatabase(path.join(old, 'seeqrets.db'));
    db.prepare('INSERT INTO secrets (app, env, key, value, type) VALUES (?, ?, ?, ?, ?)').run('myapp', 'prod', 'BAD KEY', fernetEncrypt(Buffer.from('v'), key), 'str');
    db.close();
    const parent = tmpdir();
    const vault = path.join(parent, 'deep', 'seeqret');
    let r = await cliIn(['--vault', vault, 'import-vault', old]);
    expect(errorCode(r), r.stderr).toBe('E_INVALID_NAME');
    expect(fs.readdirSync(parent)).toEqual([]); // no folder made, not even its parent
    const existing = newVault();
    const before = state(existing);
    expect(errorCode(await cliIn(['import-vault', old], { vault: existing }))).toBe('E_INVALID_NAME');
    expect(state(existing)).toBe(before);

    // a user name seeqret refuses, in the last user row
    const db2 = openDatabase(path.join(old, 'seeqrets.db'));
    db2.prepare(`DELETE FROM secrets WHERE key = 'BAD KEY'`).run();
    const carol = Buffer.alloc(32, 7).toString('base64');
    db2.prepare('INSERT INTO users (username, email, pubkey) VALUES (?, ?, ?)').run('carol smith', 'carol@example.com', carol);
    db2.close();
    r = await cliIn(['--vault', vault, 'import-vault', old]);
    expect(errorCode(r), r.stderr).toBe('E_USAGE');
    expect(fs.readdirSync(parent)).toEqual([]);
    expect(errorCode(await cliIn(['import-vault', old], { vault: existing }))).toBe('E_USAGE');
    expect(state(existing)).toBe(before);

    // fixed: the same command works (no E_VAULT_EXISTS from a half-made vault)
    const db3 = openDatabase(path.join(old, 'seeqrets.db'));
    db3.prepare(`UPDATE users SET username = 'carol' WHERE username = 'carol smith'`).run();
    db3.close();
    r = ok(await cliIn(['--vault', vault, 'import-vault', old]));
    expect(r.stderr).toMatch(/users added: .*carol/);
    expect(Object.keys(values(vault)).length).toBeGreaterThan(0);
    const v = Vault.open({ dir: vault, readonly: true });
    try {
      expect(v.auditLog().filter((e) => e.action === 'import')).toHaveLength(1);
    } finally {
      v.close();
    }
  });

  it('import-vault: a user with the same public key as another (an alias) is left out with a warning, not an error after the secrets', async () => {
    const old = v1Copy();
    const db = openDatabase(path.join(old, 'seeqrets.db'));
    const bob = db.prepare(`SELECT pubkey FROM users WHERE username = 'bob'`).pluck().get() as string;
    db.prepare('INSERT INTO users (username, email, pubkey) VALUES (?, ?, ?)').run('bob@laptop', 'bob@example.com', bob);
    db.close();
    const existing = newVault();
    const r = ok(await cliIn(['import-vault', old], { vault: existing }));
    expect(r.stderr).toContain('warning: user bob@laptop of the old vault has the same public key as bob: not added');
    expect(r.stderr).toMatch(/users added: bob\n/);
  });

  it('import-psec: a bad variable name in the last entry — no environment folder, no value; the retry works', async () => {
    const vault = newVault();
    const dir = path.join(tmpdir(), 'shop');
    fs.mkdirSync(dir);
    ok(await cliIn(['project', 'init'], { vault, cwd: dir }));
    const psec = path.join(tmpdir(), 'staging');
    fs.cpSync(path.join(ROOT, 'test', 'fixtures', 'psec', 'demo'), psec, { recursive: true });
    const file = path.join(psec, 'secrets.json');
    const good = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, good.replace(/\}\s*$/, ', "bad name": "x"}'));
    const before = state(vault);
    const r = await cliIn(['import-psec', psec], { vault, cwd: dir });
    expect(errorCode(r), r.stderr).toBe('E_BAD_VALUE');
    expect(fs.existsSync(path.join(dir, 'secrets', 'staging'))).toBe(false);
    expect(state(vault)).toBe(before);
    fs.writeFileSync(file, good);
    ok(await cliIn(['import-psec', psec], { vault, cwd: dir }));
    expect(fs.existsSync(path.join(dir, 'secrets', 'staging', 'secrets.d'))).toBe(true);
  });

  it('ss import: a name that cannot be mapped, last — nothing imported, no audit entry; the retry works', async () => {
    const dir = tmpdir();
    const store = path.join(dir, 'secrets.json');
    // A key-file vault (no PBKDF2 on each run; the password is not what is tested here).
    const sman = SecretsManager.create(KeySource.generate(), { path: store });
    sman.exportKey(path.join(dir, 'secrets.key'));
    sman.set('A', 'one');
    sman.set('B', 'two');
    sman.set('zz:last', 'three'); // ':' cannot be in a key without --colon
    sman.save();
    const vault = newVault();
    const before = state(vault);
    const env = { SEEQRET_EXIT_CODES: 'native' };
    const r = await cliIn(['ss', '-k', 'secrets.key', 'import'], { cwd: dir, vault, env });
    expect(errorCode(r), r.stderr).toBe('E_INVALID_NAME');
    expect(state(vault)).toBe(before);
    ok(await cliIn(['ss', '-k', 'secrets.key', 'import', '--colon', '.'], { cwd: dir, vault, env }));
    expect(values(vault)).toEqual({ '*:*:A': 'one', '*:*:B': 'two', '*:*:zz.last': 'three' });
  });

  it('importenv: a key longer than 255 characters on the last line — nothing imported; the retry works', async () => {
    const vault = newVault();
    const file = path.join(tmpdir(), 'app.env');
    fs.writeFileSync(file, `A=1\nB=2\n${'K'.repeat(256)}=3\n`);
    const before = state(vault);
    expect(errorCode(await cliIn(['importenv', file, '--env', 'dev'], { vault }))).toBe('E_INVALID_NAME');
    expect(state(vault)).toBe(before);
    fs.writeFileSync(file, 'A=1\nB=2\nC=3\n');
    ok(await cliIn(['importenv', file, '--env', 'dev'], { vault }));
    expect(values(vault)).toEqual({ '*:dev:A': '1', '*:dev:B': '2', '*:dev:C': '3' });
  });

  it('restore: a bad name or a bad history type in the last entry, a user listed twice — no vault created, an existing one unchanged', async () => {
    const src = newVault();
    for (const [k, v] of [['A', '1'], ['B', '2'], ['C', '3']] as Array<[string, string]>) ok(await cliIn(['add', 'key', k, v], { vault: src }));
    ok(await cliIn(['edit', 'value', 'C', '3b'], { vault: src }));
    ok(await cliIn(['add', 'user', '--username', 'bob', '--pubkey', Buffer.alloc(32, 9).toString('base64')], { vault: src }));
    // The dump `backup --include-keys` writes, taken in-process (dumpVault) and written at a low
    // scrypt work factor (recorded in the file): setup; `backup` itself runs at the default cost in
    // test/backup*.test.ts and test/cli.test.ts.
    const dump = withVault(src, (v) => dumpVault(v, { includeKeys: true }));
    const write = async (d: typeof dump): Promise<string> => {
      const f = path.join(tmpdir(), 'hostile.age');
      fs.writeFileSync(f, await encryptDump(d, BACKUP_PASS, { logN: 10 }));
      return f;
    };
    const last = dump.secrets.length - 1;
    const hostile = [
      { ...dump, secrets: dump.secrets.map((s, i) => (i === last ? { ...s, key: 'bad key' } : s)) },
      { ...dump, secrets: dump.secrets.map((s, i) => (i === last ? { ...s, history: s.history.map((h) => ({ ...h, type: 'Not A Type' })) } : s)) },
      { ...dump, users: [...dump.users, must(dump.users[0])] },
    ];
    expect(must(dump.secrets[last]).history.length).toBeGreaterThan(0);
    const existing = newVault();
    addSecrets(existing, { key: 'MINE', value: 'x' });
    const before = state(existing);
    for (const [n, d] of hostile.entries()) {
      const f = await write(d);
      const parent = tmpdir();
      const r = await cliIn(['--vault', path.join(parent, 'v'), 'restore', f], { env: { SEEQRET_BACKUP_PASSPHRASE: BACKUP_PASS } });
      expect(['E_INVALID_NAME', 'E_USAGE', 'E_BACKUP_FORMAT'], `case ${n}: ${r.stderr}`).toContain(errorCode(r));
      expect(fs.readdirSync(parent), `case ${n}`).toEqual([]);
      expect(errorCode(await cliIn(['restore', f], { vault: existing, env: { SEEQRET_BACKUP_PASSPHRASE: BACKUP_PASS } }))).toBe(errorCode(r));
      expect(state(existing)).toBe(before);
    }
    const fixed = path.join(tmpdir(), 'v');
    ok(await cliIn(['--vault', fixed, 'restore', await write(dump)], { env: { SEEQRET_BACKUP_PASSPHRASE: BACKUP_PASS } }));
    expect(values(fixed)).toEqual(values(src));
  });
});

// ---------------------------------------------------------------------------------------------

/** alice and bob, each knowing the other. */
function pair(): { alice: string; bob: string } {
  const alice = newVault({ user: 'alice' });
  const bob = newVault({ user: 'bob' });
  introduce(alice, bob);
  introduce(bob, alice);
  return { alice, bob };
}

describe('hints name commands that exist and work in that situation', () => {
  it('load of a bundle with skipped values: the printed command replaces them (not E_BUNDLE_REPLAY); from a file and from stdin', async () => {
    for (const how of ['file', 'stdin'] as const) {
      const { alice, bob } = pair();
      addSecrets(alice, { key: 'TOKEN', value: 'from alice' });
      addSecrets(alice, { key: 'OTHER', value: 'new' });
      ok(await cliIn(['add', 'key', 'TOKEN', 'bob had this'], { vault: bob })); // later than alice's
      const file = path.join(tmpdir(), 'b.json');
      ok(await cliIn(['export', '--to', 'bob', '-f', '::', '-o', file], { vault: alice }));
      const text = fs.readFileSync(file, 'utf8');
      const r = ok(how === 'file' ? await cliIn(['load', '-f', file], { vault: bob }) : await cliIn(['load'], { vault: bob, input: text }));
      expect(r.stderr).toMatch(/\*:\*:TOKEN {2}skipped: another value is here/);
      // the old hint, `--overwrite` alone, is refused as a replay
      expect(errorCode(await cliIn(['load', '-f', file, '--overwrite'], { vault: bob }))).toBe('E_BUNDLE_REPLAY');
      // every printed command is real; one of them loads the bundle again (the others accept the new names)
      for (const c of hintedCommands(r.stderr)) await expectRealCommand(c);
      const cmds = hintedCommands(r.stderr).filter((c) => /^seeqret( --\S+ \S+)* load /.test(c));
      expect(cmds).toHaveLength(1);
      expect(cmds[0]).toContain('--overwrite --force');
      if (how === 'stdin') expect(r.stderr).toContain('the same input piped into `seeqret');
      const again = await runHint(must(cmds[0]), how === 'stdin' ? { input: text } : {});
      expect(again.code, again.stderr).toBe(0);
      expect(values(bob)['*:*:TOKEN']).toBe('from alice');
    }
  });

  it('load with --overwrite of an older value: the printed command takes it; E_BUNDLE_REPLAY\'s fix works', async () => {
    const { alice, bob } = pair();
    addSecrets(alice, { key: 'TOKEN', value: 'old at alice' });
    const file = path.join(tmpdir(), 'old.json');
    ok(await cliIn(['export', '--to', 'bob', '-f', '::TOKEN', '-o', file], { vault: alice }));
    addSecrets(bob, { key: 'TOKEN', value: 'newer at bob' });
    const r = ok(await cliIn(['load', '-f', file, '--overwrite'], { vault: bob }));
    expect(r.stderr).toContain('kept ours: the sent value is older than the one here');
    const cmds = hintedCommands(r.stderr);
    expect(cmds).toHaveLength(1);
    await expectRealCommand(must(cmds[0]));
    ok(await runHint(must(cmds[0])));
    expect(values(bob)['*:*:TOKEN']).toBe('old at alice');

    const replay = await cliIn(['load', '-f', file], { vault: bob });
    expect(errorCode(replay)).toBe('E_BUNDLE_REPLAY');
    const fix = hintedCommands(replay.stderr);
    expect(fix).toEqual(['seeqret load -f FILE --force']);
    await expectRealCommand(must(fix[0]));
    expect((await cliIn(['load', '-f', file, '--force'], { vault: bob })).code).toBe(0);
  });

  it('inbox: the hint for a skipped value is a load of a new export (the file is gone)', async () => {
    const { alice, bob } = pair();
    addSecrets(alice, { key: 'TOKEN', value: 'from alice' });
    ok(await cliIn(['add', 'key', 'TOKEN', 'bob had this'], { vault: bob })); // newer than alice's
    const inbox = path.join(bob, 'inbox');
    fs.mkdirSync(inbox, { mode: 0o700 });
    ok(await cliIn(['export', '--to', 'bob', '-f', '::', '-o', path.join(inbox, 'a.json')], { vault: alice }));
    const r = ok(await cliIn(['inbox'], { vault: bob }));
    expect(fs.existsSync(path.join(inbox, 'a.json'))).toBe(false);
    const cmds = hintedCommands(r.stderr);
    expect(cmds).toEqual(['seeqret load -f FILE --overwrite --force']);
    await expectRealCommand(must(cmds[0]));
    const again = path.join(tmpdir(), 'again.json');
    ok(await cliIn(['export', '--to', 'bob', '-f', '::', '-o', again], { vault: alice }));
    ok(await runHint(`seeqret --vault ${bob} ${must(cmds[0]).slice('seeqret '.length).replace('FILE', again)}`));
    expect(values(bob)['*:*:TOKEN']).toBe('from alice');
  });

  it('importenv, import-vault and restore: the skipped-values hint is a command that replaces them', async () => {
    // importenv, from a file and from stdin
    const vault = newVault();
    addSecrets(vault, { key: 'A', value: 'mine', env: 'dev' });
    const file = path.join(tmpdir(), 'x.env');
    fs.writeFileSync(file, 'A=theirs\n');
    for (const viaStdin of [false, true]) {
      ok(await cliIn(['edit', 'value', '*:dev:A', 'mine'], { vault }));
      const r = ok(viaStdin ? await cliIn(['importenv', '-', '--env', 'dev'], { vault, input: 'A=theirs\n' }) : await cliIn(['importenv', file, '--env', 'dev'], { vault }));
      const cmds = hintedCommands(r.stderr);
      expect(cmds).toHaveLength(1);
      await expectRealCommand(must(cmds[0]));
      ok(await runHint(must(cmds[0]), viaStdin ? { input: 'A=theirs\n' } : {}));
      expect(values(vault)['*:dev:A']).toBe('theirs');
    }

    // import-vault --keep-identity, then values changed here: the hint works although the vault exists now
    const target = path.join(tmpdir(), 'v');
    const first = ok(await cliIn(['--vault', target, 'import-vault', path.join(V1, 'alice'), '--keep-identity']));
    for (const c of hintedCommands(first.stderr)) await expectRealCommand(c);
    const name = must(Object.keys(values(target))[0]);
    ok(await cliIn(['edit', 'value', name, 'changed here'], { vault: target }));
    const r = ok(await cliIn(['--vault', target, 'import-vault', path.join(V1, 'alice')]));
    const cmds = hintedCommands(r.stderr).filter((c) => c.includes('--overwrite'));
    expect(cmds).toHaveLength(1);
    await expectRealCommand(must(cmds[0]));
    ok(await runHint(must(cmds[0])));
    expect(values(target)[name]).not.toBe('changed here');

    // restore into a vault with other values
    const src = newVault();
    addSecrets(src, { key: 'K', value: 'backed up' });
    const backup = path.join(tmpdir(), 'b.age');
    const pass = path.join(tmpdir(), 'pass');
    fs.writeFileSync(pass, BACKUP_PASS);
    fs.writeFileSync(backup, await encryptDump(withVault(src, (v) => dumpVault(v)), BACKUP_PASS, { logN: 10 })); // what `backup` writes, at a low work factor
    const dst = newVault();
    addSecrets(dst, { key: 'K', value: 'here' });
    const rr = ok(await cliIn(['restore', backup, '--backup-passphrase-file', pass], { vault: dst }));
    const rc = hintedCommands(rr.stderr);
    expect(rc).toHaveLength(1);
    await expectRealCommand(must(rc[0]));
    ok(await runHint(must(rc[0])));
    expect(values(dst)['*:*:K']).toBe('backed up');
  });

  it('every backquoted seeqret command in the fixes of importer and sharing errors is a real command with real options', async () => {
    const { alice, bob } = pair();
    const outputs: CliResult[] = [];
    const dir = tmpdir();
    fs.copyFileSync(path.join(SS_FIX, 'fixture.json'), path.join(dir, 'secrets.json'));
    outputs.push(
      await cliIn(['load', '-f', path.join(dir, 'missing.json')], { vault: bob }),
      await cliIn(['load', '-f', path.join(dir, 'secrets.json')], { vault: bob }),
      await cliIn(['export', '--to', 'bob', '-f', '::NOPE'], { vault: alice }),
      await cliIn(['export', '-f', '::'], { vault: alice }),
      await cliIn(['ss', 'get', 'x'], { cwd: tmpdir() }),
      await cliIn(['ss', 'get', 'nope'], { cwd: dir, env: { SEEQRET_SS_PASSWORD: SS_PASSWORD } }),
      await cliIn(['ss', 'export', '-f', '::NOPE'], { cwd: dir, vault: alice, env: { SEEQRET_SS_PASSWORD: SS_PASSWORD } }),
      await cliIn(['--vault', alice, 'import-vault', path.join(V1, 'alice'), '--keep-identity']),
      await cliIn(['restore', path.join(dir, 'secrets.json')], { vault: alice, env: { SEEQRET_BACKUP_PASSPHRASE: BACKUP_PASS } }),
      await cliIn(['import-vault', tmpdir()], { vault: alice }),
      await cliIn(['users', 'verify', 'nobody', '-y'], { vault: alice }),
      await cliIn(['inbox', path.join(dir, 'none')], { vault: alice }),
    );
    let n = 0;
    for (const r of outputs) {
      expect(r.code, r.stderr).not.toBe(0);
      for (const c of hintedCommands(r.stderr)) {
        await expectRealCommand(c);
        n += 1;
      }
    }
    expect(n).toBeGreaterThanOrEqual(4);
  });
});
