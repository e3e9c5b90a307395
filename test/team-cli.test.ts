/**
 * `seeqret team …` through the real CLI: copies of the pocket_protector fixture and files made
 * from scratch, credentials and their precedence, every command, --confirm, exec, pull/push with
 * a real vault, identity custodians and signatures, exit codes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { serializeTeamData } from '../src/team/serialize.js';
import { TeamFile } from '../src/team/store.js';
import { TEST_TEAM_KDF, cliIn, errorCode, newVault, tmpdir } from './helpers.js';
import { ENV_DUMP, parseEnvDump } from './env-dump.js';

import { ALICE, FAST, FIXTURE, RAW, bobEnv, fixtureCopy, fresh, freshCli, ok, passFile, team, teamIn } from './team-helpers.js';
import { must } from './must.js';
import { hasScript, onTerminal } from './pty.js';

describe('team commands on the pocket_protector fixture', () => {
  it('lists domains, secrets, a user\'s secrets, the audit log and the file info', async () => {
    const file = fixtureCopy();
    expect(ok(await teamIn(file, ['list-domains'])).stdout).toBe('dev\nprod\n');
    expect(ok(await teamIn(file, ['list-secrets'])).stdout).toBe('API_KEY: dev\ndb-password: dev, prod\n');
    expect(ok(await teamIn(file, ['list-secrets', 'prod'])).stdout).toBe('db-password\n');
    expect(ok(await teamIn(file, ['list-user-secrets', '-u', 'fast@example.com'])).stdout).toBe('dev: API_KEY, db-password\nprod: db-password\n');
    expect(ok(await teamIn(file, ['list-user-secrets'], { env: { PPROTECT_USER: 'raw@example.com' } })).stdout).toBe('dev: API_KEY, db-password\n');
    const audit = ok(await teamIn(file, ['audit'])).stdout.trim().split('\n');
    expect(audit).toHaveLength(11);
    expect(audit[3]).toBe('2026-11-24T07:11:03Z -- created raw-key custodian raw@example.com');
    const info = ok(await teamIn(file, ['info'])).stdout;
    expect(info).toContain('format: pocket_protector (readable by pprotect)');
    expect(info).toContain('custodian hard@example.com: hard (Argon2id 4 × 256 MiB), pwdkm v0; owns dev');
    expect(info).toContain('custodian raw@example.com: raw, pwdkm v2; owns dev');
    expect(fs.readFileSync(file, 'utf8')).toBe(fs.readFileSync(FIXTURE, 'utf8'));
  });

  it('decrypt prints JSON exactly as the old tool (sorted, indent 2, ASCII escapes), one raw value, or env/shell lines', async () => {
    const file = fixtureCopy();
    expect(ok(await teamIn(file, ['decrypt', 'dev'], { env: FAST })).stdout).toBe('{\n  "API_KEY": "sk_live_\\u00fcn\\u00efcode",\n  "db-password": "hunter2"\n}\n');
    expect(ok(await teamIn(file, ['decrypt', 'dev', '--secret', 'API_KEY'], { env: RAW })).stdout).toBe('sk_live_ünïcode\n');
    expect(ok(await teamIn(file, ['decrypt', 'dev', '--secret', 'API_KEY', '--format', 'json'], { env: RAW })).stdout).toBe('{\n  "API_KEY": "sk_live_\\u00fcn\\u00efcode"\n}\n');
    expect(ok(await teamIn(file, ['decrypt', 'dev', '--secret', 'API_KEY', '--format', 'shell'], { env: RAW })).stdout).toBe("export API_KEY='sk_live_ünïcode'\n");
    const bad = await teamIn(file, ['decrypt', 'dev', '--format', 'env'], { env: RAW });
    expect([bad.code, errorCode(bad)]).toEqual([1, 'E_INVALID_NAME']);
    expect(bad.stdout).toBe('');
    expect(errorCode(await teamIn(file, ['decrypt', 'dev', '--secret', 'NOPE'], { env: RAW }))).toBe('E_NOT_FOUND');
    const notOwner = await teamIn(file, ['decrypt', 'prod'], { env: RAW });
    expect([notOwner.code, errorCode(notOwner)]).toEqual([1, 'E_TEAM_NOT_OWNER']);
  });

  it('credentials: flags, then SEEQRET_TEAM_*, then PPROTECT_* (or --env-prefix); a wrong one never falls back', async () => {
    // The fixture's prod domain (fast@example.com owns it, db-password = prod-pw) made through the
    // library with fast's Argon2id at TEST_TEAM_KDF: this test is about where the credentials come
    // from (eleven unlocks); the fixture's own `fast` cost is unlocked by the decrypt test above.
    const file = path.join(tmpdir(), 'protected.yaml');
    const made = TeamFile.create(file).addCustodian(FAST.SEEQRET_TEAM_USER, FAST.SEEQRET_TEAM_PASSPHRASE, TEST_TEAM_KDF);
    const fast = made.unlock({ name: FAST.SEEQRET_TEAM_USER, passphrase: FAST.SEEQRET_TEAM_PASSPHRASE });
    made.addDomain('prod', fast).addSecret('prod', 'db-password', 'prod-pw').write();
    const dir = tmpdir();
    const good = path.join(dir, 'good');
    const wrong = path.join(dir, 'wrong');
    fs.writeFileSync(good, '  fast-passphrasë\n');
    fs.writeFileSync(wrong, 'nope\n');
    expect(ok(await teamIn(file, ['decrypt', 'prod', '-u', 'fast@example.com', '--team-passphrase-file', good])).stdout).toContain('prod-pw');
    // pprotect's spelling after `team`: the custodian's passphrase file (not the vault's).
    expect(ok(await teamIn(file, ['--passphrase-file', good, 'decrypt', 'prod', '-u', 'fast@example.com'])).stdout).toContain('prod-pw');
    expect(ok(await teamIn(file, ['decrypt', 'prod', '-u', 'fast@example.com', `--passphrase-file=${good}`])).stdout).toContain('prod-pw');
    expect(ok(await teamIn(file, ['decrypt', 'prod'], { env: { PPROTECT_USER: FAST.SEEQRET_TEAM_USER, PPROTECT_PASSPHRASE: FAST.SEEQRET_TEAM_PASSPHRASE } })).stdout).toContain('prod-pw');
    expect(ok(await teamIn(file, ['--env-prefix', 'MYAPP', 'decrypt', 'prod'], { env: { MYAPP_USER: FAST.SEEQRET_TEAM_USER, MYAPP_PASSPHRASE: FAST.SEEQRET_TEAM_PASSPHRASE } })).stdout).toContain('prod-pw');
    expect(ok(await teamIn(file, ['decrypt', 'prod'], { env: { PPROTECT_ENV_PREFIX: 'MYAPP', MYAPP_USER: FAST.SEEQRET_TEAM_USER, MYAPP_PASSPHRASE: FAST.SEEQRET_TEAM_PASSPHRASE } })).stdout).toContain('prod-pw');
    // The file is wrong, the environment right: it fails, and says where the passphrase came from.
    const r = await teamIn(file, ['decrypt', 'prod', '--team-passphrase-file', wrong], { env: FAST });
    expect([r.code, errorCode(r)]).toEqual([1, 'E_TEAM_CREDENTIALS']);
    expect(r.stderr).toContain(`passphrase from passphrase file ${wrong}`);
    expect(r.stderr).not.toContain('fast-passphrasë');
    // SEEQRET_TEAM_* wins over PPROTECT_*.
    const mixed = await teamIn(file, ['decrypt', 'prod'], { env: { ...FAST, PPROTECT_USER: 'raw@example.com', PPROTECT_PASSPHRASE: 'x', SEEQRET_TEAM_PASSPHRASE: 'wrong' } });
    expect(errorCode(mixed)).toBe('E_TEAM_CREDENTIALS');
    const ignored = await teamIn(file, ['decrypt', 'prod', '--ignore-env', '--non-interactive'], { env: FAST });
    expect(errorCode(ignored)).toBe('E_PASSPHRASE_REQUIRED');
    expect(ok(await teamIn(file, ['decrypt', 'prod', '--ignore-env', '-u', FAST.SEEQRET_TEAM_USER, '--team-passphrase-file', good], { env: { SEEQRET_TEAM_PASSPHRASE: 'wrong' } })).stdout).toContain('prod-pw');
    const none = await teamIn(file, ['decrypt', 'prod', '--non-interactive']);
    expect([none.code, errorCode(none)]).toEqual([1, 'E_PASSPHRASE_REQUIRED']);
    expect(errorCode(await teamIn(file, ['decrypt', 'prod'], { env: { SEEQRET_TEAM_USER: 'nobody@example.com', SEEQRET_TEAM_PASSPHRASE: 'x' } }))).toBe('E_TEAM_CREDENTIALS');
  });

  it('missing and existing files, unknown names: documented exit codes', async () => {
    // One child process per exit-code table (pprotect's, then seeqret's native one): the status
    // as the OS reports it; the other cases run in-process (the same status from the same table).
    const dir = tmpdir();
    const missing = team(path.join(dir, 'none.yaml'), ['list-domains']);
    expect([missing.code, errorCode(missing)]).toEqual([2, 'E_FILE_NOT_FOUND']);
    const exists = await teamIn(fixtureCopy(), ['init'], { env: ALICE });
    expect([exists.code, errorCode(exists)]).toEqual([2, 'E_EXISTS']);
    expect((await teamIn(fixtureCopy(), ['list-secrets', 'nope'])).code).toBe(1);
    const broken = path.join(dir, 'broken.yaml');
    fs.writeFileSync(broken, 'key-custodians: {}\n');
    const b = await teamIn(broken, ['list-domains']);
    expect([b.code, errorCode(b)]).toEqual([1, 'E_TEAM_FORMAT']);
    // SEEQRET_EXIT_CODES=native: seeqret's own table (docs/errors.md) instead of pprotect's.
    const native = { SEEQRET_EXIT_CODES: 'native' };
    const m2 = await teamIn(path.join(dir, 'none.yaml'), ['list-domains'], { env: native });
    expect([m2.code, errorCode(m2)]).toEqual([3, 'E_FILE_NOT_FOUND']);
    const e2 = team(fixtureCopy(), ['init'], { env: { ...ALICE, ...native } });
    expect([e2.code, errorCode(e2)]).toEqual([5, 'E_EXISTS']);
    expect((await teamIn(fixtureCopy(), ['list-secrets', 'nope'], { env: native })).code).toBe(3);
    const b2 = await teamIn(broken, ['list-domains'], { env: native });
    expect([b2.code, errorCode(b2)]).toEqual([10, 'E_TEAM_FORMAT']);
  });

  it('changes keep every unchanged line and read back', async () => {
    const file = fixtureCopy();
    ok(await teamIn(file, ['add-secret', 'prod', 'TOKEN', 't0k3n']));
    ok(await teamIn(file, ['update-secret', 'dev', 'db-password', '--from-file', '-'], { input: 'multi\nline\n' }));
    const before = fs.readFileSync(FIXTURE, 'utf8').split('\n');
    const after = fs.readFileSync(file, 'utf8').split('\n');
    expect(after.filter((l) => !before.includes(l))).toHaveLength(4); // two values, two audit entries
    expect(before.filter((l) => !after.includes(l))).toHaveLength(1); // the old db-password of dev
    const out = JSON.parse(ok(await teamIn(file, ['decrypt', 'dev'], { env: FAST })).stdout) as Record<string, string>;
    expect(out['db-password']).toBe('multi\nline\n');
    expect(errorCode(await teamIn(file, ['add-secret', 'prod', 'TOKEN', 'x']))).toBe('E_EXISTS');
    expect(errorCode(await teamIn(file, ['update-secret', 'prod', 'NOPE', 'x']))).toBe('E_NOT_FOUND');
    expect(errorCode(await teamIn(file, ['add-secret', 'prod', '9bad', 'x']))).toBe('E_INVALID_NAME');
  });

  it('--confirm shows the diff and writes only after yes', async () => {
    const file = fixtureCopy();
    const no = await teamIn(file, ['--confirm', 'add-secret', 'prod', 'X', 'v'], { input: 'n\n' });
    expect([no.code, errorCode(no)]).toEqual([1, 'E_ABORTED']);
    expect(no.stderr).toMatch(/--- .*protected\.yaml\.old\n\+\+\+ .*protected\.yaml\.new\n@@ -\d+,\d+ \+\d+,\d+ @@\n/);
    expect(no.stderr).toMatch(/\n\+ {2}secret-X: A/);
    expect(no.stderr).toMatch(/\n\+- \S+ -- added secret X in prod/);
    expect(fs.readFileSync(file, 'utf8')).toBe(fs.readFileSync(FIXTURE, 'utf8'));
    ok(await teamIn(file, ['--confirm', 'add-secret', 'prod', 'X', 'v'], { input: 'y\n' }));
    expect(ok(await teamIn(file, ['list-secrets', 'prod'])).stdout).toBe('X\ndb-password\n');
  });

  it('--non-interactive never reads an answer: --confirm and trust without --yes fail before writing', async () => {
    const file = fixtureCopy();
    const r = await teamIn(file, ['--confirm', '--non-interactive', 'rm-secret', 'prod', 'db-password'], { input: 'y\n' });
    expect([r.code, errorCode(r)]).toEqual([2, 'E_USAGE']);
    expect(r.stderr).not.toContain('Write changes?');
    expect(fs.readFileSync(file, 'utf8')).toBe(fs.readFileSync(FIXTURE, 'utf8'));
    const vault = newVault({ user: 'erin' });
    const t = await teamIn(file, ['trust', 'fast@example.com', '--key', Buffer.alloc(32, 7).toString('base64'), '--non-interactive'], { input: 'y\n', vault });
    expect([t.code, errorCode(t)]).toEqual([2, 'E_USAGE']);
    expect(fs.existsSync(path.join(vault, 'team-signers.json'))).toBe(false);
  });

  it('decrypt escapes DEL and other non-printable characters in JSON as Python does', async () => {
    const file = fixtureCopy();
    ok(await teamIn(file, ['update-secret', 'prod', 'db-password', 'a\x7fb\x01c']));
    expect(ok(await teamIn(file, ['decrypt', 'prod'], { env: FAST })).stdout).toBe('{\n  "db-password": "a\\u007fb\\u0001c"\n}\n');
  });
});

describe('team commands on a file we create', () => {
  it('init, add-custodian (fast, raw), add-domain, secrets, add-owner, rm-secret, rm-domain, truncate-audit', async () => {
    const { file, bobKey } = await freshCli();
    // The other tests start from the same file made in-process by the same use cases: same shape.
    const shape = (f: string) => {
      const tf = TeamFile.open(f);
      return { custodians: tf.custodianNames(), signed: tf.data.signed, domains: [...tf.data.domains.keys()].map((d) => [d, tf.secretNames(d)]) };
    };
    const inProcess = await fresh();
    expect(shape(inProcess.file)).toEqual(shape(file));
    expect(inProcess.bobKey).toMatch(/^P[0-9a-f]{64}P$/);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(errorCode(await teamIn(file, ['decrypt', 'dev'], { env: bobEnv(bobKey) }))).toBe('E_TEAM_NOT_OWNER');
    ok(await teamIn(file, ['add-owner', 'dev', 'bob@example.com'], { env: ALICE }));
    expect(JSON.parse(ok(await teamIn(file, ['decrypt', 'dev'], { env: bobEnv(bobKey) })).stdout)).toEqual({ API_KEY: "it's ünï", DB_PASSWORD: 'hunter2' });
    expect(errorCode(await teamIn(file, ['add-owner', 'dev', 'nobody@example.com'], { env: ALICE }))).toBe('E_NOT_FOUND');
    expect(errorCode(await teamIn(file, ['add-domain', 'meta-x'], { env: ALICE }))).toBe('E_INVALID_NAME');
    ok(await teamIn(file, ['rm-secret', 'dev', 'API_KEY']));
    ok(await teamIn(file, ['add-domain', 'prod'], { env: ALICE }));
    ok(await teamIn(file, ['rm-domain', 'prod']));
    expect(ok(await teamIn(file, ['list-domains'])).stdout).toBe('dev\n');
    const audit = ok(await teamIn(file, ['audit'])).stdout.trim().split('\n').map((l) => l.replace(/^\S+ -- /, ''));
    expect(audit).toEqual([
      'created',
      'created key custodian alice@example.com',
      'created raw-key custodian bob@example.com',
      'created domain dev with owner alice@example.com',
      'added secret DB_PASSWORD in dev',
      'added secret API_KEY in dev',
      'alice@example.com added owner bob@example.com to dev',
      'removed secret API_KEY from dev',
      'created domain prod with owner alice@example.com',
      'deleted domain prod',
    ]);
    ok(await teamIn(file, ['truncate-audit', '2']));
    expect(ok(await teamIn(file, ['audit'])).stdout).toMatch(/^truncated 8 audit log entries\n\S+ -- created domain prod with owner alice@example.com\n\S+ -- deleted domain prod\n$/);
    expect(errorCode(await teamIn(file, ['truncate-audit', 'x']))).toBe('E_USAGE');
    const two = await teamIn(file, ['init', '--key-type', 'sideways'], { env: ALICE });
    expect(errorCode(two)).toBe('E_EXISTS');
    expect(errorCode(await teamIn(path.join(tmpdir(), 'p.yaml'), ['init', '--key-type', 'sideways'], { env: ALICE }))).toBe('E_USAGE');
  });

  it('rm-owner lists what they could read; with --rotate the domain key changes in the same write', async () => {
    const { file, bobKey } = await fresh();
    ok(await teamIn(file, ['add-owner', 'dev', 'bob@example.com'], { env: ALICE }));
    const keyOf = (): string => must(must(/public-key: (\S+)/.exec(fs.readFileSync(file, 'utf8')))[1]);
    const k0 = keyOf();
    const plain = ok(await teamIn(file, ['rm-owner', 'dev', 'bob@example.com']));
    expect(plain.stderr).toContain('bob@example.com could read 2 secrets of dev: API_KEY, DB_PASSWORD');
    expect(plain.stderr).toContain('was not rotated');
    expect(keyOf()).toBe(k0);
    ok(await teamIn(file, ['add-owner', 'dev', 'bob@example.com'], { env: ALICE }));
    const rot = ok(await teamIn(file, ['rm-owner', 'dev', 'bob@example.com', '--rotate'], { env: ALICE }));
    expect(rot.stderr).toContain('and rotated its key (by alice@example.com)');
    expect(rot.stderr).toContain('bob@example.com could read 2 secrets of dev: API_KEY, DB_PASSWORD');
    expect(keyOf()).not.toBe(k0);
    expect(ok(await teamIn(file, ['audit'])).stdout).toMatch(/removed owner bob@example\.com from dev\n\S+ -- rotated key for domain dev\n$/);
    expect(JSON.parse(ok(await teamIn(file, ['decrypt', 'dev'], { env: ALICE })).stdout)).toEqual({ API_KEY: "it's ünï", DB_PASSWORD: 'hunter2' });
    expect(errorCode(await teamIn(file, ['decrypt', 'dev'], { env: bobEnv(bobKey) }))).toBe('E_TEAM_NOT_OWNER');
    const last = await teamIn(file, ['rm-owner', 'dev', 'alice@example.com']);
    expect([last.code, errorCode(last)]).toEqual([1, 'E_TEAM_LAST_OWNER']);
    // The rotation must come from an owner who stays.
    ok(await teamIn(file, ['add-owner', 'dev', 'bob@example.com'], { env: ALICE }));
    expect(errorCode(await teamIn(file, ['rm-owner', 'dev', 'bob@example.com', '--rotate'], { env: bobEnv(bobKey) }))).toBe('E_USAGE');
  });

  it('set-passphrase, rekey (to raw), rotate, migrate-owner, rm-custodian', async () => {
    const { file, bobKey } = await fresh();
    ok(await teamIn(file, ['set-passphrase', '--key-type', 'fast'], { env: { ...ALICE, SEEQRET_TEAM_NEW_PASSPHRASE: 'second' } }));
    expect(errorCode(await teamIn(file, ['decrypt', 'dev'], { env: ALICE }))).toBe('E_TEAM_CREDENTIALS');
    const second = { ...ALICE, SEEQRET_TEAM_PASSPHRASE: 'second' };
    expect(ok(await teamIn(file, ['decrypt', 'dev', '--secret', 'DB_PASSWORD'], { env: second })).stdout).toBe('hunter2\n');
    const re = ok(await teamIn(file, ['rekey', '--key-type', 'raw'], { env: second }));
    const raw = must(/P[0-9a-f]{64}P/.exec(re.stdout))[0];
    const rawEnv = { ...ALICE, SEEQRET_TEAM_PASSPHRASE: raw };
    expect(ok(await teamIn(file, ['info'])).stdout).toContain('custodian alice@example.com: raw, pwdkm v2; owns dev');
    const before = fs.readFileSync(file, 'utf8');
    ok(await teamIn(file, ['rotate', 'dev'], { env: rawEnv }));
    const after = fs.readFileSync(file, 'utf8');
    expect(must(/public-key: (\S+)/.exec(after))[1]).not.toBe(must(/public-key: (\S+)/.exec(before))[1]);
    expect(ok(await teamIn(file, ['decrypt', 'dev', '--secret', 'DB_PASSWORD'], { env: rawEnv })).stdout).toBe('hunter2\n');
    ok(await teamIn(file, ['add-domain', 'prod'], { env: rawEnv }));
    ok(await teamIn(file, ['migrate-owner', 'bob@example.com'], { env: rawEnv }));
    expect(ok(await teamIn(file, ['list-user-secrets', '-u', 'bob@example.com'])).stdout).toBe('dev: API_KEY, DB_PASSWORD\nprod: (no secrets)\n');
    const rm = ok(await teamIn(file, ['rm-custodian', 'alice@example.com', '--rotate'], { env: bobEnv(bobKey) }));
    expect(rm.stderr).toContain('alice@example.com could read 2 secrets of dev');
    expect(ok(await teamIn(file, ['info'])).stdout).not.toContain('alice@example.com');
    expect(ok(await teamIn(file, ['audit'])).stdout).toMatch(/removed key custodian alice@example\.com \(was owner of dev, prod\)\n\S+ -- rotated key for domain dev\n\S+ -- rotated key for domain prod\n$/);
    expect(errorCode(await teamIn(file, ['rm-custodian', 'bob@example.com']))).toBe('E_TEAM_LAST_OWNER');
  });

  it('exec: secrets in the environment, credential variables removed, names mapped, exit code passed through', async () => {
    const { file } = await fresh();
    ok(await teamIn(file, ['add-secret', 'dev', 'db-host', 'localhost']));
    const env = parseEnvDump(ok(await teamIn(file, ['exec', '--domain', 'dev', '--', ...ENV_DUMP], { env: { ...ALICE, PPROTECT_PASSPHRASE: 'x', KEEP: '1' } })).stdout);
    expect(env['DB_PASSWORD']).toBe('hunter2');
    expect(env['db-host']).toBe('localhost');
    expect(env['KEEP']).toBe('1');
    for (const gone of ['SEEQRET_TEAM_USER', 'SEEQRET_TEAM_PASSPHRASE', 'PPROTECT_PASSPHRASE']) expect(env[gone]).toBeUndefined();
    const up = parseEnvDump(ok(await teamIn(file, ['exec', '--domain', 'dev', '--prefix', 'APP', '--uppercase', '--no-passthrough', '--', ...ENV_DUMP], { env: { ...ALICE, KEEP: '1' } })).stdout);
    expect(up['APP_DB_HOST']).toBe('localhost');
    expect(up['APP_API_KEY']).toBe("it's ünï");
    expect(up['KEEP']).toBeUndefined();
    expect(Object.keys(up).every((k) => k.startsWith('APP_') || ['PATH', 'HOME', 'TERM', 'LANG', 'USER', 'SHELL', 'LOGNAME'].includes(k))).toBe(true);
    expect((await teamIn(file, ['exec', '--domain', 'dev', '--', 'sh', '-c', 'exit 7'], { env: ALICE })).code).toBe(7);
    ok(await teamIn(file, ['add-secret', 'dev', 'db_host', 'x']));
    expect(errorCode(await teamIn(file, ['exec', '--domain', 'dev', '--uppercase', '--', 'true'], { env: ALICE }))).toBe('E_USAGE');
    ok(await teamIn(file, ['rm-secret', 'dev', 'db_host']));
    ok(await teamIn(file, ['add-secret', 'dev', 'LD_PRELOAD', '/tmp/evil.so']));
    const refused = await teamIn(file, ['exec', '--domain', 'dev', '--', 'true'], { env: ALICE });
    expect([refused.code, errorCode(refused)]).toEqual([1, 'E_BAD_VALUE']);
    expect(ok(await teamIn(file, ['exec', '--domain', 'dev', '--prefix', 'S', '--', 'true'], { env: ALICE })).code).toBe(0);
    expect((await teamIn(file, ['exec', '--domain', 'dev', '--prefix', 'S', '--', 'no-such-command-xyz'], { env: ALICE })).code).toBe(127);
    expect(errorCode(await teamIn(file, ['exec', '--', 'true'], { env: ALICE }))).toBe('E_USAGE');
  });
});

describe('team pull and push: the file as the shared source, the vault as the working copy', () => {
  it('pull copies a domain into the vault (conflicts as in load); push adds or updates vault secrets', async () => {
    const { file } = await fresh();
    const vault = newVault();
    const p1 = ok(await teamIn(file, ['pull', '--domain', 'dev'], { env: ALICE, vault }));
    expect(p1.stderr).toContain('2 added, 0 updated, 0 skipped');
    expect(ok(await cliIn(['get', '*:dev:DB_PASSWORD'], { vault })).stdout).toBe('hunter2\n');
    ok(await teamIn(file, ['update-secret', 'dev', 'DB_PASSWORD', 'changed']));
    const p2 = ok(await teamIn(file, ['pull', '--domain', 'dev'], { env: ALICE, vault }));
    expect(p2.stderr).toContain('0 added, 0 updated, 1 skipped, 1 unchanged');
    expect(p2.stderr).toContain('*:dev:DB_PASSWORD  skipped');
    ok(await teamIn(file, ['pull', '--domain', 'dev', '--overwrite'], { env: ALICE, vault }));
    expect(ok(await cliIn(['get', '*:dev:DB_PASSWORD'], { vault })).stdout).toBe('changed\n');
    ok(await teamIn(file, ['pull', '--domain', 'dev', '--app', 'web', '--env', 'staging'], { env: ALICE, vault }));
    expect(ok(await cliIn(['get', 'web:staging:API_KEY'], { vault })).stdout).toBe("it's ünï\n");
    expect(ok(await cliIn(['audit', '--action', 'team.pull', '--format', 'json'], { vault })).stdout).toContain(`${file}#dev`);
    // push: one new secret, one changed, one unchanged (compared with credentials at hand).
    ok(await cliIn(['add', 'key', 'NEW_ONE', 'n1', '--app', 'web', '--env', 'staging'], { vault }));
    ok(await cliIn(['edit', 'value', 'web:staging:DB_PASSWORD', 'from-vault'], { vault }));
    const before = fs.readFileSync(file, 'utf8');
    // A value the domain has with another value is skipped without --overwrite (as pull and load do).
    const kept = ok(await teamIn(file, ['push', '--domain', 'dev', '--app', 'web', '--env', 'staging'], { env: ALICE, vault }));
    expect(kept.stderr).toContain('1 added, 0 updated, 1 unchanged');
    expect(kept.stderr).toContain('Skipped 1 the domain already has with another value: DB_PASSWORD');
    ok(await cliIn(['rm', 'key', 'web:staging:NEW_ONE', '-y'], { vault }));
    ok(await teamIn(file, ['rm-secret', 'dev', 'NEW_ONE'], { env: ALICE }));
    ok(await cliIn(['add', 'key', 'NEW_ONE', 'n1', '--app', 'web', '--env', 'staging'], { vault }));
    const push = ok(await teamIn(file, ['push', '--domain', 'dev', '--app', 'web', '--env', 'staging', '--overwrite'], { env: ALICE, vault }));
    expect(push.stderr).toContain('1 added, 1 updated, 1 unchanged');
    const after = fs.readFileSync(file, 'utf8');
    expect(after).toContain(must(/secret-API_KEY: \S+/.exec(before))[0]); // unchanged value, unchanged line
    expect(JSON.parse(ok(await teamIn(file, ['decrypt', 'dev'], { env: ALICE })).stdout)).toEqual({ API_KEY: "it's ünï", DB_PASSWORD: 'from-vault', NEW_ONE: 'n1' });
    // Without credentials, anyone can push; values cannot be compared, so all are re-sealed.
    const anonKept = ok(await teamIn(file, ['push', '--domain', 'dev', '--app', 'web', '--env', 'staging', '-f', '::NEW_ONE'], { vault }));
    expect(anonKept.stderr).toContain('(values not compared: no credentials): NEW_ONE');
    const anon = ok(await teamIn(file, ['push', '--domain', 'dev', '--app', 'web', '--env', 'staging', '-f', '::NEW_ONE', '--overwrite'], { vault }));
    expect(anon.stderr).toContain('values not compared');
    expect(errorCode(await teamIn(file, ['push', '--domain', 'dev', '-f', 'nothing:here:'], { vault }))).toBe('E_NOT_FOUND');
    // Without --app/--env, push takes the place pull fills by default (*:dev), as pull does.
    const plain = ok(await teamIn(file, ['push', '--domain', 'dev', '--overwrite'], { env: ALICE, vault }));
    expect(plain.stderr).toContain('Pushed *:dev to dev: 0 added, 1 updated, 1 unchanged');
    expect(ok(await teamIn(file, ['decrypt', 'dev', '--secret', 'DB_PASSWORD'], { env: ALICE })).stdout).toBe('changed\n');
  });
});

describe('seeqret extensions through the CLI', () => {
  it('identity custodians: a vault key instead of a passphrase; the file then says pprotect cannot read it', async () => {
    const { file } = await fresh();
    const carol = newVault({ user: 'carol' });
    const pub = ok(await cliIn(['public-key'], { vault: carol })).stdout.trim();
    const add = ok(await teamIn(file, ['add-custodian', 'carol@example.com', '--key-type', 'identity', '--pubkey', pub]));
    expect(add.stderr).toContain('pocket_protector (pprotect) cannot read it any more');
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^meta-seeqret:\n/);
    ok(await teamIn(file, ['add-owner', 'dev', 'carol@example.com'], { env: ALICE }));
    expect(ok(await teamIn(file, ['decrypt', 'dev', '--secret', 'DB_PASSWORD', '--identity'], { vault: carol })).stdout).toBe('hunter2\n');
    expect(ok(await teamIn(file, ['decrypt', 'dev', '--secret', 'DB_PASSWORD', '-u', 'carol@example.com'], { vault: carol })).stdout).toBe('hunter2\n');
    // --identity is a flag: a passphrase user in the environment does not override it.
    expect(ok(await teamIn(file, ['decrypt', 'dev', '--secret', 'DB_PASSWORD', '--identity'], { vault: carol, env: { PPROTECT_USER: 'alice@example.com' } })).stdout).toBe('hunter2\n');
    const other = newVault({ user: 'dave' });
    expect(errorCode(await teamIn(file, ['decrypt', 'dev', '--identity'], { vault: other }))).toBe('E_TEAM_CREDENTIALS');
    expect(ok(await teamIn(file, ['info'])).stdout).toContain('format: seeqret extensions (identity-custodians); pocket_protector (pprotect) cannot read this file');
    // An identity custodian taken from the vault's users.
    ok(await cliIn(['add', 'user', '--username', 'dave', '--pubkey', ok(await cliIn(['public-key'], { vault: other })).stdout.trim()], { vault: carol }));
    ok(await teamIn(file, ['add-custodian', 'dave@example.com', '--key-type', 'identity', '--vault-user', 'dave'], { vault: carol }));
    // Carol (another vault) added a custodian: alice's vault has not verified that key, so she
    // cannot seal the domain key to it before she checks it and accepts the change.
    const unchecked = await teamIn(file, ['add-owner', 'dev', 'dave@example.com'], { env: ALICE });
    expect(errorCode(unchecked)).toBe('E_TEAM_UNTRUSTED');
    expect(unchecked.stderr).toContain('new custodian dave@example.com (key ');
    ok(await teamIn(file, ['accept', '--yes']));
    ok(await teamIn(file, ['add-owner', 'dev', 'dave@example.com'], { env: ALICE }));
    expect(ok(await teamIn(file, ['decrypt', 'dev', '--secret', 'DB_PASSWORD', '--identity'], { vault: other })).stdout).toBe('hunter2\n');
    const back = ok(await teamIn(file, ['rm-custodian', 'carol@example.com']));
    expect(back.stderr).not.toContain('can read it again');
    const again = ok(await teamIn(file, ['rm-custodian', 'dave@example.com']));
    expect(again.stderr).toContain('pocket_protector (pprotect) can read it again');
    expect(fs.readFileSync(file, 'utf8').startsWith('dev:\n')).toBe(true);
  });

  it('signatures: sign, verify, trust; tampering, a missing signature and a changed key are refused', async () => {
    const { file, bobKey } = await fresh();
    const aliceVault = newVault({ user: 'alice' });
    const bobVault = newVault({ user: 'bob' });
    ok(await teamIn(file, ['sign'], { env: ALICE, vault: aliceVault }));
    expect(fs.readFileSync(file, 'utf8')).toMatch(/\nmeta-seeqret-signature:\n {2}by: alice@example\.com\n/);
    expect(ok(await teamIn(file, ['verify'], { vault: aliceVault })).stderr).toContain('signed by alice@example.com (trusted');
    // bob has not trusted alice yet: a warning on use, an error from verify.
    const warn = ok(await teamIn(file, ['list-domains'], { vault: bobVault }));
    expect(warn.stderr).toContain('whom you have not trusted yet');
    expect(errorCode(await teamIn(file, ['verify'], { vault: bobVault }))).toBe('E_TEAM_SIGNATURE');
    expect(errorCode(await teamIn(file, ['--require-signature', 'list-domains'], { vault: bobVault }))).toBe('E_TEAM_SIGNATURE');
    ok(await teamIn(file, ['trust', 'alice@example.com', '--yes'], { vault: bobVault }));
    ok(await teamIn(file, ['verify'], { vault: bobVault }));
    // Every write is signed by a custodian: without credentials it is refused.
    expect(errorCode(await teamIn(file, ['add-secret', 'dev', 'X', 'x', '--non-interactive'], { vault: bobVault }))).toBe('E_PASSPHRASE_REQUIRED');
    ok(await teamIn(file, ['add-secret', 'dev', 'X', 'x'], { env: bobEnv(bobKey), vault: bobVault }));
    expect(fs.readFileSync(file, 'utf8')).toContain('  by: bob@example.com\n');
    ok(await teamIn(file, ['trust', 'bob@example.com', '--yes'], { vault: aliceVault }));
    ok(await teamIn(file, ['verify'], { vault: aliceVault }));
    // Someone with write access to the repository edits the file without re-signing.
    const text = fs.readFileSync(file, 'utf8');
    const tampered = TeamFile.parse(text, file).addSecret('dev', 'EVIL', 'x');
    fs.writeFileSync(file, serializeTeamData(tampered.data) + text.slice(text.indexOf('meta-seeqret-signature:')));
    const caught = await teamIn(file, ['decrypt', 'dev'], { env: ALICE, vault: aliceVault });
    expect([caught.code, errorCode(caught)]).toEqual([1, 'E_TEAM_SIGNATURE']);
    expect(ok(await teamIn(file, ['--ignore-signature', 'list-secrets', 'dev'], { vault: aliceVault })).stdout).toContain('EVIL');
    fs.writeFileSync(file, text.slice(0, text.indexOf('meta-seeqret-signature:')));
    expect((await teamIn(file, ['list-domains'], { vault: aliceVault })).stderr).toContain('declares signatures but has none');
    // A new key for a trusted name (here: alice rekeys) must be trusted again.
    fs.writeFileSync(file, text);
    ok(await teamIn(file, ['set-passphrase', '--key-type', 'fast'], { env: { ...ALICE, SEEQRET_TEAM_NEW_PASSPHRASE: 'next' }, vault: aliceVault }));
    const changed = await teamIn(file, ['verify'], { vault: bobVault });
    expect(errorCode(changed)).toBe('E_TEAM_SIGNATURE');
    expect(changed.stderr).toContain('another key than the one you trusted');
    // unsign: an old-format file again.
    ok(await teamIn(file, ['unsign'], { vault: aliceVault, env: { ...ALICE, SEEQRET_TEAM_PASSPHRASE: 'next' } }));
    expect(fs.readFileSync(file, 'utf8')).not.toContain('meta-seeqret');
    expect(errorCode(await teamIn(file, ['verify'], { vault: aliceVault }))).toBe('E_TEAM_SIGNATURE');
  });
});

describe.runIf(hasScript)('on a terminal (util-linux script gives the CLI a pty)', () => {
  /** Run `seeqret ARGS` on a pseudo-terminal, answering each prompt when it appears; pins go to a fresh folder (not ~/.seeqret), as for every test here. */
  async function terminal(args: string[], answers: Array<[RegExp, string]>): Promise<{ code: number | null; out: string }> {
    const r = await onTerminal({ args, env: { SEEQRET: path.join(tmpdir(), 'seeqret') }, answers: answers.map(([p, line]) => [p, `${line}\r`] as const) });
    expect(r.unanswered).toBe(0);
    // eslint-disable-next-line no-control-regex
    return { code: r.code, out: r.output.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '') };
  }

  it('asks for the user and passphrase, and rm-owner offers the rotation', async () => {
    const file = fixtureCopy();
    const d = await terminal(['team', '--file', file, 'decrypt', 'prod'], [[/User email/, 'fast@example.com'], [/\? Passphrase/, 'fast-passphrasë']]);
    expect(d.out).toContain('"db-password": "prod-pw"');
    expect(d.out).not.toContain('fast-passphrasë');
    const before = must(/dev:\n(?:.*\n)*? {4}public-key: (\S+)/.exec(fs.readFileSync(file, 'utf8')))[1];
    const r = await terminal(['team', '--file', file, 'rm-owner', 'dev', 'raw@example.com'], [[/Rotate the domain key/, 'y'], [/User email/, 'fast@example.com'], [/\? Passphrase/, 'fast-passphrasë']]);
    expect(r.out).toContain('Rotate the domain key in the same write');
    expect(r.out).toContain('and rotated its key (by fast@example.com)');
    expect(must(/dev:\n(?:.*\n)*? {4}public-key: (\S+)/.exec(fs.readFileSync(file, 'utf8')))[1]).not.toBe(before);
  });

  it('--non-interactive asks nothing on a terminal either: not a value, not the vault passphrase', async () => {
    const file = fixtureCopy();
    const v = await terminal(['team', '--file', file, '--non-interactive', 'add-secret', 'prod', 'ZZ'], []);
    expect(v.out).toContain('seeqret: E_USAGE: the value of prod/ZZ is needed and cannot be asked for');
    expect(v.out).not.toContain('Value for');
    expect(fs.readFileSync(file, 'utf8')).toBe(fs.readFileSync(FIXTURE, 'utf8'));
    const vault = newVault({ user: 'pat', passphrase: 'vault passphrase' });
    const p = await terminal(['--vault', vault, 'team', '--file', file, '--non-interactive', 'pull', '--domain', 'dev', '-u', 'raw@example.com', '--team-passphrase-file', passFile(RAW.SEEQRET_TEAM_PASSPHRASE)], []);
    expect(p.out).toContain('seeqret: E_PASSPHRASE_REQUIRED: this vault is passphrase-protected');
    expect(p.out).not.toContain('Vault passphrase');
  });
});
