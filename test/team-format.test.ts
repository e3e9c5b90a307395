/**
 * The team store as a library: the pocket_protector fixture (read, decrypt with every custodian
 * type, byte-identical re-serialization), the KDF vector, files we create, every change, the
 * reader's checks (with property tests), unchanged entries kept byte for byte, the seeqret
 * extensions (identity custodians, signatures), and, where python3 has ruamel.yaml and PyNaCl,
 * an independent reader that does what the old tool does.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { generateIdentity } from '../src/crypto/index.js';
import { FAST_COST, type KdfCost, custodianSigningKey, deriveCustodianSecretKey, newRawPassphrase, publicKeyOf, sha512, signDetached } from '../src/crypto/team.js';
import { SeeqretError } from '../src/errors.js';
import { type CustodianEntry, type DomainEntry, type ParsedTeamFile, type TeamData, sameData, signatureBlock, signatureMessage } from '../src/team/format.js';
import { parseCanonical } from '../src/team/canonical.js';
import { parseTeamText, parseTeamTextFull } from '../src/team/read.js';
import { serializeTeamData } from '../src/team/serialize.js';
import { TeamFile, type UnlockedCustodian } from '../src/team/store.js';
import type { KeyType } from '../src/team/rules.js';
import { emitItem, emitPair } from '../src/team/yaml.js';
import { SHARED, TEST_TEAM_KDF, tmpdir, thrownCode } from './helpers.js';
import { must } from './must.js';

const FIXTURE = path.join(SHARED, 'fixtures', 'pocket-protector', 'protected.yaml');
const FIXTURE_TEXT = fs.readFileSync(FIXTURE, 'utf8');
const FAST = { name: 'fast@example.com', passphrase: 'fast-passphrasë' };
const HARD = { name: 'hard@example.com', passphrase: 'hard-passphrase' };
const RAW = { name: 'raw@example.com', passphrase: `P${'11'.repeat(32)}P` };


function fixtureCopy(): string {
  const file = path.join(tmpdir(), 'protected.yaml');
  fs.copyFileSync(FIXTURE, file);
  return file;
}

/**
 * A file we create: alice and bob (raw), domain dev owned by alice with two secrets. Alice's
 * Argon2id cost is `aliceCost`: by default the lowest the format records (TEST_TEAM_KDF), as tests
 * that do not test the KDF need no more; the KDF itself is checked against the fixture's vectors
 * (fast, hard) above, and the layout test makes alice `fast`.
 */
function made(aliceCost: KeyType | KdfCost = TEST_TEAM_KDF): { tf: TeamFile; alice: UnlockedCustodian; bobKey: string } {
  const bobKey = newRawPassphrase();
  let tf = TeamFile.create(path.join(tmpdir(), 'protected.yaml')).addCustodian('alice@example.com', 'alice pass', aliceCost).addCustodian('bob@example.com', bobKey, 'raw');
  const alice = tf.unlock({ name: 'alice@example.com', passphrase: 'alice pass' });
  tf = tf.addDomain('dev', alice).addSecret('dev', 'DB_PASSWORD', 'hunter2').addSecret('dev', 'API_KEY', 'sk_ünï 😀');
  return { tf, alice, bobKey };
}

function expectSameParse(a: ParsedTeamFile, b: ParsedTeamFile): void {
  expect(sameData(a.data, b.data)).toBe(true);
  expect(a.extensions).toEqual(b.extensions);
  expect(a.signature?.entry).toEqual(b.signature?.entry);
  expect(a.format).toBe(b.format);
  expect(a.signature === null ? b.signature === null : b.signature !== null && a.signature.content.equals(b.signature.content)).toBe(true);
}

const python = spawnSync('/usr/bin/python3', ['-c', 'import ruamel.yaml, nacl.public'], { encoding: 'utf8' }).status === 0;

/** What the independent Python reader made of one file. */
type PythonRead = { redump_identical: boolean; domains: Record<string, Record<string, string>> };

/**
 * Read files, each with its credentials, with the independent Python reader (ruamel.yaml + PyNaCl,
 * as pocket_protector does): one Python process for them all (`--many`), results in order.
 */
function readWithPython(reads: ReadonlyArray<readonly [string, Record<string, string>]>): PythonRead[] {
  const r = spawnSync('/usr/bin/python3', [path.join(__dirname, 'vectors', 'pp-read.py'), '--many'], { input: JSON.stringify(reads), encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(r.stderr);
  const out = JSON.parse(r.stdout) as PythonRead[];
  expect(out).toHaveLength(reads.length);
  return out;
}

describe('the pocket_protector fixture', () => {
  it('parses and re-serializes to identical bytes', () => {
    const tf = TeamFile.parse(FIXTURE_TEXT, FIXTURE);
    expect(tf.serialize()).toBe(FIXTURE_TEXT);
    expect(serializeTeamData(tf.data)).toBe(FIXTURE_TEXT); // without any kept text, too
    expect(parseCanonical(FIXTURE_TEXT, FIXTURE)).not.toBeNull(); // the fast line scanner reads it
    expect(tf.domainNames()).toEqual(['dev', 'prod']);
    expect(tf.custodianNames()).toEqual(['fast@example.com', 'hard@example.com', 'raw@example.com']);
    expect(tf.owners('dev')).toEqual(['fast@example.com', 'hard@example.com', 'raw@example.com']);
    expect(tf.owners('prod')).toEqual(['fast@example.com']);
    expect(tf.extensions()).toEqual([]);
    expect(tf.auditLog()).toHaveLength(11);
    expect([...tf.allSecrets()]).toEqual([
      ['API_KEY', ['dev']],
      ['db-password', ['dev', 'prod']],
    ]);
    expect(tf.custodian('hard@example.com')).toMatchObject({ type: 'hard', pwdkmVersion: 0 });
    expect(tf.custodian('fast@example.com')).toMatchObject({ type: 'fast', pwdkmVersion: 1, cost: FAST_COST });
    expect(tf.custodian('raw@example.com')).toMatchObject({ type: 'raw', pwdkmVersion: 2 });
  });

  it('matches the KDF vector of fast@example.com', () => {
    const salt = Buffer.from('7eb4d675ba17e0ae', 'hex');
    expect(sha512(salt, Buffer.from('fast@example.com')).subarray(0, 16).toString('hex')).toBe('6b8657209ca0a81dfe90657398202dc2');
    const sk = deriveCustodianSecretKey('fast-passphrasë', salt, 'fast@example.com', FAST_COST);
    expect(sk.toString('hex')).toBe('b694a2b2f8aa3d115920ba56126339a72c8f35e999afdd02a79f0964ef88b2e4');
    const tf = TeamFile.parse(FIXTURE_TEXT, FIXTURE);
    expect(tf.custodian('fast@example.com').publicKey.equals(publicKeyOf(sk))).toBe(true);
  });

  it('decrypts with the fast (v1) and raw (v2) custodians', () => {
    const tf = TeamFile.parse(FIXTURE_TEXT, FIXTURE);
    const fast = tf.unlock(FAST);
    expect(Object.fromEntries(tf.decryptDomain('dev', fast))).toEqual({ API_KEY: 'sk_live_ünïcode', 'db-password': 'hunter2' });
    expect(Object.fromEntries(tf.decryptDomain('prod', fast))).toEqual({ 'db-password': 'prod-pw' });
    expect(Object.fromEntries(tf.decryptDomain('dev', tf.unlock(RAW)))).toEqual({ API_KEY: 'sk_live_ünïcode', 'db-password': 'hunter2' });
    expect(thrownCode(() => tf.decryptDomain('prod', tf.unlock(RAW)))).toBe('E_TEAM_NOT_OWNER');
  });

  it('decrypts with the hard (v0: Argon2id 4 × 256 MiB) custodian', () => {
    const tf = TeamFile.parse(FIXTURE_TEXT, FIXTURE);
    expect(Object.fromEntries(tf.decryptDomain('dev', tf.unlock(HARD)))).toEqual({ API_KEY: 'sk_live_ünïcode', 'db-password': 'hunter2' });
  });

  it('refuses wrong credentials and never returns a key for them', () => {
    const tf = TeamFile.parse(FIXTURE_TEXT, FIXTURE);
    expect(thrownCode(() => tf.unlock({ name: 'fast@example.com', passphrase: 'fast-passphrase' }))).toBe('E_TEAM_CREDENTIALS');
    expect(thrownCode(() => tf.unlock({ name: 'FAST@example.com', passphrase: FAST.passphrase }))).toBe('E_TEAM_CREDENTIALS');
    expect(thrownCode(() => tf.unlock({ name: RAW.name, passphrase: `P${'12'.repeat(32)}P` }))).toBe('E_TEAM_CREDENTIALS');
    expect(thrownCode(() => tf.unlock({ name: RAW.name, passphrase: 'not a raw key' }))).toBe('E_TEAM_CREDENTIALS');
    expect(thrownCode(() => tf.unlock({ name: FAST.name, identitySecretKey: generateIdentity().secretKey }))).toBe('E_TEAM_CREDENTIALS');
  });

  it('an unrelated change leaves every other line byte-identical', () => {
    const tf = TeamFile.parse(FIXTURE_TEXT, FIXTURE).addSecret('prod', 'NEW', 'value');
    const before = FIXTURE_TEXT.split('\n');
    const after = tf.serialize().split('\n');
    const added = after.filter((l) => !before.includes(l));
    expect(added).toHaveLength(2);
    expect(added[0]).toMatch(/^ {2}secret-NEW: A[A-Za-z0-9+/=]+$/);
    expect(added[1]).toMatch(/^- \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ -- added secret NEW in prod$/);
    expect(before.every((l) => after.includes(l))).toBe(true);
  });
});

describe('files we create', () => {
  it('every change returns a new file and leaves the old one as it was', () => {
    const { tf, alice } = made();
    const before = tf.serialize();
    const next = tf.updateSecret('dev', 'DB_PASSWORD', 'n3w');
    expect(tf.serialize()).toBe(before);
    expect(next.decryptDomain('dev', alice).get('DB_PASSWORD')).toBe('n3w');
    expect(tf.decryptDomain('dev', alice).get('DB_PASSWORD')).toBe('hunter2');
  });

  it('nothing handed out can change the file: wiping an unlocked key, keys from custodian(), the content itself', () => {
    const tf = TeamFile.parse(FIXTURE_TEXT, fixtureCopy());
    const me = tf.unlock(RAW);
    me.publicKey.fill(0);
    me.secretKey.fill(0);
    tf.custodian('fast@example.com').publicKey.fill(1);
    expect(tf.serialize()).toBe(FIXTURE_TEXT);
    const domains = tf.data.domains as Map<string, DomainEntry>;
    expect(() => domains.delete('prod')).toThrow(TypeError);
    expect(() => (must(tf.data.domains.get('dev')).secrets as Map<string, Buffer>).set('X', Buffer.alloc(1))).toThrow(TypeError);
    expect(() => (tf.data.audit as string[]).push('x')).toThrow(TypeError);
    expect(() => ((tf.data as { signed: boolean }).signed = true)).toThrow(TypeError);
    expect(tf.serialize()).toBe(FIXTURE_TEXT);
    // Changes still work, and share nothing mutable with the file they came from.
    const next = tf.addSecret('prod', 'NEW', 'v');
    expect(next.secretNames('prod')).toEqual(['NEW', 'db-password']);
    expect(tf.secretNames('prod')).toEqual(['db-password']);
    expect(() => { (must(next.data.domains.get('prod')).secrets as Map<string, Buffer>).clear(); }).toThrow(TypeError);
  });

  it('writes the old layout, reads back, and keeps the audit messages of the old tool', () => {
    const { tf, alice } = made('fast'); // the pwdkm below is the fast cost's
    const text = tf.write();
    expect(fs.statSync(tf.path).mode & 0o777).toBe(0o600);
    const back = TeamFile.open(tf.path);
    expect(back.serialize()).toBe(text);
    expect(Object.fromEntries(back.decryptDomain('dev', back.unlock({ name: 'alice@example.com', passphrase: 'alice pass' })))).toEqual({ API_KEY: 'sk_ünï 😀', DB_PASSWORD: 'hunter2' });
    expect(back.auditLog().map((e) => e.replace(/^\S+ -- /, ''))).toEqual([
      'created',
      'created key custodian alice@example.com',
      'created raw-key custodian bob@example.com',
      'created domain dev with owner alice@example.com',
      'added secret DB_PASSWORD in dev',
      'added secret API_KEY in dev',
    ]);
    // The layout: sections in order, secrets sorted before meta, two-space indentation.
    expect(text).toMatch(/^dev:\n {2}secret-API_KEY: \S+\n {2}secret-DB_PASSWORD: \S+\n {2}meta:\n {4}public-key: \S+\n {4}owners:\n {6}alice@example\.com: \S+\nkey-custodians:\n {2}alice@example\.com:\n {4}pwdkm: AQIAAAAAAAAE\S+\n {2}bob@example\.com:\n {4}pwdkm: A[g-v]\S+\naudit-log:\n(- .*\n){6}$/);
    expect(alice.name).toBe('alice@example.com');
  });

  it('owners: add, remove (never the last), rotate in the same change, list what they could read', () => {
    const { tf, alice, bobKey } = made();
    const withBob = tf.addOwner('dev', 'bob@example.com', alice);
    const bob = withBob.unlock({ name: 'bob@example.com', passphrase: bobKey });
    expect(withBob.decryptDomain('dev', bob).get('DB_PASSWORD')).toBe('hunter2');
    expect(thrownCode(() => withBob.addOwner('dev', 'bob@example.com', alice))).toBe('E_EXISTS');
    expect(thrownCode(() => tf.addOwner('dev', 'bob@example.com', tf.unlock({ name: 'bob@example.com', passphrase: bobKey })))).toBe('E_TEAM_NOT_OWNER');
    expect(thrownCode(() => tf.rmOwner('dev', 'alice@example.com'))).toBe('E_TEAM_LAST_OWNER');
    const oldKey = must(withBob.data.domains.get('dev')).publicKey;
    const { file, readable } = withBob.rmOwner('dev', 'bob@example.com', { rotateBy: alice });
    expect(readable).toEqual(['API_KEY', 'DB_PASSWORD']);
    expect(file.owners('dev')).toEqual(['alice@example.com']);
    expect(must(file.data.domains.get('dev')).publicKey.equals(oldKey)).toBe(false);
    expect(file.decryptDomain('dev', alice).get('API_KEY')).toBe('sk_ünï 😀');
    expect(file.auditLog().slice(-2).map((e) => e.replace(/^\S+ -- /, ''))).toEqual(['removed owner bob@example.com from dev', 'rotated key for domain dev']);
    // The removed owner's old sealed domain key no longer opens anything in the new file.
    const bobEntry = must(must(withBob.data.domains.get('dev')).owners.get('bob@example.com'));
    const forged = TeamFile.parse(file.serialize().replace(/( {6}alice@example\.com: )\S+/, `$1${Buffer.concat([Buffer.of(0), bobEntry]).toString('base64')}`).replace('      alice@example.com', '      bob@example.com'), file.path);
    expect(thrownCode(() => forged.decryptDomain('dev', bob))).toBe('E_DECRYPT');
    // Without rotation the key stays (and the caller is told what they could read).
    const plain = withBob.rmOwner('dev', 'bob@example.com');
    expect(must(plain.file.data.domains.get('dev')).publicKey.equals(oldKey)).toBe(true);
    expect(thrownCode(() => withBob.rmOwner('dev', 'bob@example.com', { rotateBy: bob }))).toBe('E_USAGE');
  });

  it('secrets: add (no credentials), update, remove, names checked', () => {
    const { tf, alice } = made();
    expect(thrownCode(() => tf.addSecret('dev', 'DB_PASSWORD', 'x'))).toBe('E_EXISTS');
    expect(thrownCode(() => tf.updateSecret('dev', 'NOPE', 'x'))).toBe('E_NOT_FOUND');
    expect(thrownCode(() => tf.addSecret('nope', 'X', 'x'))).toBe('E_NOT_FOUND');
    for (const bad of ['1abc', 'a b', 'a.b', '', 'é', '_x']) expect(thrownCode(() => tf.addSecret('dev', bad, 'x')), bad).toBe('E_INVALID_NAME');
    const next = tf.rmSecret('dev', 'API_KEY').setSecrets('dev', [
      { name: 'DB_PASSWORD', value: 'two' },
      { name: 'NEW', value: '' },
    ]);
    expect(Object.fromEntries(next.decryptDomain('dev', alice))).toEqual({ DB_PASSWORD: 'two', NEW: '' });
    expect(thrownCode(() => tf.rmSecret('dev', 'NOPE'))).toBe('E_NOT_FOUND');
  });

  it('domains: names checked (no meta…), add needs an unlocked custodian, remove', () => {
    const { tf, alice } = made();
    for (const bad of ['meta', 'metadata', 'a b', '', '-x', 'x:y']) expect(thrownCode(() => tf.addDomain(bad, alice)), bad).toBe('E_INVALID_NAME');
    expect(thrownCode(() => tf.addDomain('dev', alice))).toBe('E_EXISTS');
    const next = tf.addDomain('prod', alice).rmDomain('dev');
    expect(next.domainNames()).toEqual(['prod']);
    expect(thrownCode(() => next.rmDomain('dev'))).toBe('E_NOT_FOUND');
  });

  it('custodians: duplicate refused, raw keys must look raw, passphrase change re-seals owned domains', () => {
    const { tf, alice } = made();
    expect(thrownCode(() => tf.addCustodian('alice@example.com', 'x', 'fast'))).toBe('E_EXISTS');
    expect(thrownCode(() => tf.addCustodian('carol@example.com', 'not raw', 'raw'))).toBe('E_USAGE');
    expect(thrownCode(() => tf.addCustodian('carol example', 'x', 'fast'))).toBe('E_INVALID_NAME');
    const next = tf.changeCustodianKey(alice, 'new pass', 'fast');
    expect(thrownCode(() => next.unlock({ name: 'alice@example.com', passphrase: 'alice pass' }))).toBe('E_TEAM_CREDENTIALS');
    const again = next.unlock({ name: 'alice@example.com', passphrase: 'new pass' });
    expect(next.decryptDomain('dev', again).get('DB_PASSWORD')).toBe('hunter2');
    expect(next.auditLog().at(-1)).toMatch(/ -- updated key custodian passphrase for alice@example\.com \(updated domains -> dev\) \(custom KDF params\)$/);
    const raw = newRawPassphrase();
    const rekeyed = next.changeCustodianKey(again, raw, 'raw', 'rekey');
    expect(rekeyed.custodian('alice@example.com').type).toBe('raw');
    expect(rekeyed.decryptDomain('dev', rekeyed.unlock({ name: 'alice@example.com', passphrase: raw })).get('DB_PASSWORD')).toBe('hunter2');
    expect(rekeyed.auditLog().at(-1)).toMatch(/ -- rekeyed custodian for alice@example\.com \(key type raw, updated domains -> dev\)$/);
  });

  it('migrate-owner, rm-custodian (refused for a last owner), truncate-audit', () => {
    const { tf, alice, bobKey } = made();
    const two = tf.addDomain('prod', alice).migrateOwner('bob@example.com', alice);
    expect(two.domainsOwnedBy('bob@example.com')).toEqual(['dev', 'prod']);
    expect(two.auditLog().slice(-2).map((e) => e.replace(/^\S+ -- /, ''))).toEqual(['alice@example.com added owner bob@example.com to dev', 'alice@example.com added owner bob@example.com to prod']);
    expect(thrownCode(() => tf.rmCustodian('alice@example.com'))).toBe('E_TEAM_LAST_OWNER');
    const gone = two.rmCustodian('alice@example.com');
    expect(gone.custodianNames()).toEqual(['bob@example.com']);
    expect(gone.owners('prod')).toEqual(['bob@example.com']);
    expect(gone.auditLog().at(-1)).toMatch(/ -- removed key custodian alice@example\.com \(was owner of dev, prod\)$/);
    expect(gone.decryptDomain('dev', gone.unlock({ name: 'bob@example.com', passphrase: bobKey })).size).toBe(2);
    const n = gone.auditLog().length;
    const cut = gone.truncateAudit(3);
    expect(cut.auditLog()).toEqual([`truncated ${n - 3} audit log entries`, ...gone.auditLog().slice(-3)]);
    expect(gone.truncateAudit(n)).toBe(gone);
    expect(thrownCode(() => gone.truncateAudit(-1))).toBe('E_USAGE');
  });

  it('a domain of 1,000 secrets decrypts and round-trips', () => {
    const { tf, alice } = made();
    const big = tf.setSecrets('dev', Array.from({ length: 1000 }, (_, i) => ({ name: `K${i}`, value: `value ${i}` })));
    const back = TeamFile.parse(big.serialize(), big.path);
    expect(sameData(back.data, big.data)).toBe(true);
    expect(back.decryptDomain('dev', alice).get('K999')).toBe('value 999');
  });
});

describe('the reader', () => {
  const mutate = (from: string, to: string): string => {
    expect(FIXTURE_TEXT).toContain(from);
    return FIXTURE_TEXT.replace(from, to);
  };
  it('refuses what the old tool cannot read, with E_TEAM_FORMAT / E_TEAM_VERSION', () => {
    const cases: Array<[string, string]> = [
      [mutate('audit-log:\n', 'nope:\n'), 'E_TEAM_FORMAT'],
      [mutate('key-custodians:', 'key-custodianz:'), 'E_TEAM_FORMAT'],
      [mutate('prod:\n', 'metaprod:\n'), 'E_TEAM_FORMAT'],
      [mutate('secret-db-password: AGE1', 'secret-db-password: AWE1'), 'E_TEAM_VERSION'],
      [mutate('pwdkm: AmZF', 'pwdkm: BmZF'), 'E_TEAM_VERSION'],
      [mutate('pwdkm: AmZFUTgl/K6cPTzK4rq4jxgmRFeTrCkHWVklN9hP4ubhjufFH/YanXU=', 'pwdkm: AmZF'), 'E_TEAM_FORMAT'],
      [mutate('- 2026-11-24T07:11:01Z -- created', '- 2026'), 'E_TEAM_FORMAT'],
      [mutate('- 2026-11-24T07:11:01Z -- created', '- [a]'), 'E_TEAM_FORMAT'],
      [mutate('    public-key: AKLo', '    public-kee: AKLo'), 'E_TEAM_FORMAT'],
      [mutate('  secret-db-password: AGE1', '  secret-db-password: !!binary AGE1'), 'E_TEAM_FORMAT'],
      [mutate('  secret-db-password: AGE1', '  secret-db-password: %%%AGE1'), 'E_TEAM_FORMAT'],
      ['', 'E_TEAM_FORMAT'],
      ['- a\n', 'E_TEAM_FORMAT'],
      ['a: [unclosed\n', 'E_TEAM_FORMAT'],
      ['key-custodians: {}\naudit-log: []\nkey-custodians: {}\n', 'E_TEAM_FORMAT'],
      ['meta-seeqret:\n  format: seeqret-team/9\n  extensions: []\nkey-custodians: {}\naudit-log: []\n', 'E_TEAM_VERSION'],
      ['meta-seeqret:\n  format: seeqret-team/1\n  extensions:\n  - time-travel\nkey-custodians: {}\naudit-log: []\n', 'E_TEAM_VERSION'],
    ];
    for (const [text, want] of cases) expect(thrownCode(() => parseTeamText(text, 'x.yaml')), text.slice(0, 80)).toBe(want);
  });

  it('accepts any valid YAML for the same content: flow style, quotes, folding, comments', () => {
    const tf = TeamFile.parse(FIXTURE_TEXT, FIXTURE);
    const flow = JSON.stringify(parseYaml(FIXTURE_TEXT)); // JSON is YAML
    const other = TeamFile.parse(flow, 'x.yaml');
    expect(sameData(other.data, tf.data)).toBe(true);
    // Re-serialized in the old layout.
    expect(other.serialize()).toBe(FIXTURE_TEXT);
  });

  it('keeps the text of unchanged entries that another writer laid out differently', () => {
    // Audit entries folded at 80 columns (older pocket_protector), a quoted value, a comment.
    const long = '2026-11-24T07:11:04Z -- ' + 'word '.repeat(20).trim();
    const cut = long.lastIndexOf(' ', 70);
    const folded = `- ${long.slice(0, cut)}\n  ${long.slice(cut + 1)}\n`;
    const text = FIXTURE_TEXT.replace('  secret-API_KEY: AE0L', "  secret-API_KEY: 'AE0L").replace('Lw28L2i8bGDlMTAO\n', "Lw28L2i8bGDlMTAO'  # the key\n") + folded;
    const tf = TeamFile.parse(text, 'x.yaml');
    expect(tf.auditLog().at(-1)).toBe(long);
    const out = tf.addSecret('prod', 'NEW', 'v').serialize();
    expect(out).toContain(folded);
    expect(out).toContain("  secret-API_KEY: 'AE0L");
    expect(out).not.toContain('# the key');
    expect(out.split('\n').length).toBe(text.split('\n').length + 2);
    // A changed entry is written in the old tool's layout.
    const upd = tf.updateSecret('dev', 'API_KEY', 'x').serialize();
    expect(upd).toMatch(/\n {2}secret-API_KEY: A[^'\n]+\n/);
  });

  it('property: any content serializes to text that parses back to the same content', () => {
    const name = fc.stringMatching(/^[A-Za-z][-_A-Za-z0-9]{0,20}$/);
    const owner = fc.oneof(fc.emailAddress(), fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !/[\s\p{Cc}\p{Cf}\u2028\u2029]/u.test(s)));
    const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((a) => Buffer.from(a));
    const custodian: fc.Arbitrary<CustodianEntry> = fc.oneof(
      fc.record({ kind: fc.constant('v0' as const), salt: bytes(8), publicKey: bytes(32) }),
      fc.record({ kind: fc.constant('v1' as const), opslimit: fc.integer({ min: 1, max: 10 }), memlimit: fc.integer({ min: 8192, max: 2 ** 30 }), salt: bytes(8), publicKey: bytes(32) }),
      fc.record({ kind: fc.constant('raw' as const), salt: bytes(8), publicKey: bytes(32) }),
      fc.record({ kind: fc.constant('identity' as const), publicKey: bytes(32) }),
    );
    const domain: fc.Arbitrary<DomainEntry> = fc.record({
      publicKey: bytes(32),
      owners: fc.dictionary(owner, bytes(80), { maxKeys: 3 }).map((d) => new Map(Object.entries(d))),
      secrets: fc.dictionary(name, fc.integer({ min: 48, max: 200 }).chain((n) => bytes(n)), { maxKeys: 4 }).map((d) => new Map(Object.entries(d))),
    });
    const data: fc.Arbitrary<TeamData> = fc.record({
      domains: fc.dictionary(fc.stringMatching(/^[A-Za-z0-9][-_.A-Za-z0-9]{0,15}$/).filter((n) => !n.startsWith('meta')), domain, { maxKeys: 3 }).map((d) => new Map(Object.entries(d))),
      custodians: fc.dictionary(owner, custodian, { maxKeys: 3 }).map((d) => new Map(Object.entries(d))),
      audit: fc.array(fc.string({ maxLength: 140 }).filter((s) => !/[\uD800-\uDFFF]/.test(s)), { maxLength: 5 }),
      signed: fc.constant(false),
    });
    let taken = 0;
    const sig = fc.option(
      fc.record({ version: fc.constant(2 as const), by: owner, key: bytes(32), team: bytes(16), seq: fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER })), prev: bytes(64), sig: bytes(64) }),
      { nil: undefined },
    );
    fc.assert(
      fc.property(data, fc.boolean(), sig, (d0, signed, s) => {
        const d = { ...d0, signed };
        const text = serializeTeamData(d) + (signed && s ? signatureBlock(s) : '');
        const full = parseTeamTextFull(text, 'x.yaml');
        expect(sameData(full.data, d)).toBe(true);
        expect(serializeTeamData(full.data, full.source) + (signed && s ? signatureBlock(s) : '')).toBe(text);
        // The line scanner reads it exactly as the full parser does, or leaves it to the full parser
        // (only for names the emitter has to quote).
        const fast = parseCanonical(text, 'x.yaml');
        if (fast) {
          taken++;
          expectSameParse(fast, full);
        } else {
          // It declines only a file where the emitter had to quote a name (one YAML cannot carry
          // plain) or write a double-quoted value; every other file is read by the line scanner.
          expect(text).toMatch(/^ *(- )?['"]|: "/m);
        }
      }),
      { numRuns: 300 },
    );
    // The fast path is exercised, not skipped by every run (a plain name is the common case).
    expect(taken).toBeGreaterThan(0);
  });

  it('property: on any edited file the line scanner either declines or agrees with the full parser', () => {
    const { tf, alice } = made();
    const base = tf.addIdentityCustodian('carol@example.com', generateIdentity().publicKey).withSigning(true).serialize(alice);
    const lines = base.split('\n');
    const edit = fc.record({ at: fc.nat(lines.length - 1), how: fc.constantFrom('drop', 'dup', 'indent', 'dedent', 'char', 'swap'), pos: fc.nat(200), ch: fc.constantFrom(' ', ':', "'", '#', '-', 'A', '\u00e9', '"', '{') });
    const outcome = (fn: () => ParsedTeamFile | null): ParsedTeamFile | null | string => {
      try {
        return fn();
      } catch (e) {
        if (e instanceof SeeqretError) return e.code;
        throw e;
      }
    };
    let changedButTaken = 0;
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), (edits) => {
        const ls = [...lines];
        for (const e of edits) {
          const k = e.at % ls.length;
          const l = must(ls[k]);
          if (e.how === 'drop') ls.splice(k, 1);
          else if (e.how === 'dup') ls.splice(k, 0, l);
          else if (e.how === 'indent') ls[k] = ' ' + l;
          else if (e.how === 'dedent') ls[k] = l.replace(/^ /, '');
          else if (e.how === 'swap' && k + 1 < ls.length) [ls[k], ls[k + 1]] = [must(ls[k + 1]), l];
          else if (e.how === 'char') ls[k] = l.slice(0, e.pos % (l.length + 1)) + e.ch + l.slice(e.pos % (l.length + 1));
        }
        const text = ls.join('\n');
        const fast = outcome(() => parseCanonical(text, 'x.yaml'));
        if (fast === null) return;
        changedButTaken++;
        const full = outcome(() => parseTeamTextFull(text, 'x.yaml'));
        if (typeof fast === 'string' || typeof full === 'string') expect(typeof fast === 'string' ? fast : 'parsed').toBe(typeof full === 'string' ? full : 'parsed');
        else expectSameParse(fast, must(full));
      }),
      { numRuns: 400 },
    );
    expect(changedButTaken).toBeGreaterThan(0); // some edits keep the layout (e.g. a changed value): those were compared
  });

  it('property: every string is written so that a YAML parser reads the same string back', () => {
    // YAML 1.2 core numbers ruamel's resolvers do not know (found by this property): quoted too.
    for (const t of ['+.0', '-.5', '+.5e3', '.5', '0o17', '+.inf']) expect((parseYaml(emitPair('k', t, 0)) as { k: string }).k).toBe(t);
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 160 }), fc.string({ maxLength: 60 }), (s, t) => {
        expect((parseYaml(`a:\n${emitItem(s)}`) as { a: string[] }).a[0]).toBe(s);
        expect((parseYaml(emitPair('k', t, 0)) as { k: string }).k).toBe(t);
      }),
      { numRuns: 500 },
    );
  });
});

describe('seeqret extensions', () => {
  it('identity custodians: unlocked with a vault identity key; the file says pprotect cannot read it', () => {
    const { tf, alice } = made();
    const id = generateIdentity();
    const next = tf.addIdentityCustodian('carol@example.com', id.publicKey).addOwner('dev', 'carol@example.com', alice);
    const text = next.serialize();
    expect(text).toMatch(/^meta-seeqret:\n {2}format: seeqret-team\/1\n {2}extensions:\n {2}- identity-custodians\n {2}note: .*pocket_protector \(pprotect\) cannot read it\n/);
    expect(text).toContain(`  carol@example.com:\n    seeqret-identity: ${id.publicKey.toString('base64')}\n`);
    const back = TeamFile.parse(text, next.path);
    expect(back.extensions()).toEqual(['identity-custodians']);
    const carol = back.unlock({ name: 'carol@example.com', identitySecretKey: id.secretKey });
    expect(back.decryptDomain('dev', carol).get('DB_PASSWORD')).toBe('hunter2');
    expect(thrownCode(() => back.unlock({ name: 'carol@example.com', passphrase: 'x' }))).toBe('E_TEAM_CREDENTIALS');
    expect(thrownCode(() => back.unlock({ name: 'carol@example.com', identitySecretKey: generateIdentity().secretKey }))).toBe('E_TEAM_CREDENTIALS');
    // Removing the identity custodian makes it an old-format file again.
    const old = back.rmCustodian('carol@example.com').serialize();
    expect(old.startsWith('dev:\n')).toBe(true);
  });

  it('signatures: a signed file verifies; any change to its bytes, or a missing signature, is detected', () => {
    const { tf, alice } = made();
    const signed = tf.withSigning(true);
    expect(thrownCode(() => signed.serialize())).toBe('E_TEAM_SIGNATURE');
    const text = signed.serialize(alice);
    expect(text).toMatch(/^meta-seeqret:\n {2}format: seeqret-team\/2\n/);
    expect(text).toMatch(/\nmeta-seeqret-signature:\n {2}by: alice@example\.com\n {2}key: \S{44}\n {2}team: \S{24}\n {2}seq: '1'\n {2}prev: A{86}==\n {2}sig: \S{88}\n$/);
    const ok = TeamFile.parse(text, 'x.yaml').signatureStatus();
    expect(ok).toMatchObject({ state: 'valid', by: 'alice@example.com', chain: { seq: 1 } });
    expect(TeamFile.signingKeyOf(alice).equals((ok as { key: Buffer }).key)).toBe(true);
    // Anyone who can write the file could add a secret; without re-signing it is caught.
    const tampered = TeamFile.parse(text, 'x.yaml').addSecret('dev', 'EVIL', 'x');
    const noSig = serializeTeamData(tampered.data) + text.slice(text.indexOf('meta-seeqret-signature:'));
    expect(TeamFile.parse(noSig, 'x.yaml').signatureStatus().state).toBe('invalid');
    expect(TeamFile.parse(text.replace('hunter', 'hunter'), 'x.yaml').signatureStatus().state).toBe('valid');
    const oneByte = text.replace(/(\n {2}secret-API_KEY: \S{20})/, (m) => m.slice(0, -1) + (m.endsWith('A') ? 'B' : 'A'));
    expect(TeamFile.parse(oneByte, 'x.yaml').signatureStatus().state).toBe('invalid');
    const stripped = text.slice(0, text.indexOf('meta-seeqret-signature:'));
    expect(TeamFile.parse(stripped, 'x.yaml').signatureStatus().state).toBe('missing');
    // A signature by someone who is not a custodian is not valid.
    const fake = text.replace('  by: alice@example.com', '  by: mallory@example.com');
    expect(TeamFile.parse(fake, 'x.yaml').signatureStatus().state).toBe('invalid');
    expect(signed.withSigning(false).serialize().includes('meta-seeqret')).toBe(false);
    // Every field of the block is signed: the team id, the sequence number, the predecessor.
    const field = (name: string, value: string): string => text.replace(new RegExp(`\n  ${name}: .*\n`), `\n  ${name}: ${value}\n`);
    expect(TeamFile.parse(field('seq', "'2'"), 'x.yaml').signatureStatus().state).toBe('invalid');
    expect(TeamFile.parse(field('team', Buffer.alloc(16, 1).toString('base64')), 'x.yaml').signatureStatus().state).toBe('invalid');
    expect(TeamFile.parse(field('prev', Buffer.alloc(64, 1).toString('base64')), 'x.yaml').signatureStatus().state).toBe('invalid');
    expect(thrownCode(() => TeamFile.parse(field('seq', "'0'"), 'x.yaml'))).toBe('E_TEAM_FORMAT');
    expect(thrownCode(() => TeamFile.parse(field('seq', "'x'"), 'x.yaml'))).toBe('E_TEAM_FORMAT');
    expect(thrownCode(() => TeamFile.parse(field('team', 'AAAA'), 'x.yaml'))).toBe('E_TEAM_FORMAT');
    expect(thrownCode(() => TeamFile.parse(text.replace(/\n {2}team: .*\n/, '\n'), 'x.yaml'))).toBe('E_TEAM_FORMAT');
  });

  it('signatures chain: the next write keeps the team id, counts up and names the bytes it replaced', () => {
    const { tf, alice } = made();
    const first = tf.withSigning(true).serialize(alice);
    const one = TeamFile.parse(first, 'x.yaml');
    const s1 = one.signatureStatus() as { chain: { team: Buffer; seq: number; prev: Buffer } };
    expect(one.nextSeq()).toBe(2);
    const second = one.addSecret('dev', 'NEXT', 'v').serialize(alice);
    const s2 = TeamFile.parse(second, 'x.yaml').signatureStatus() as { state: string; chain: { team: Buffer; seq: number; prev: Buffer } };
    expect(s2.state).toBe('valid');
    expect(s2.chain.team.equals(s1.chain.team)).toBe(true);
    expect(s2.chain.seq).toBe(2);
    expect(s2.chain.prev.equals(sha512(Buffer.from(first, 'utf8')))).toBe(true);
    expect(must(one.readHash()).equals(s2.chain.prev)).toBe(true);
    // A caller that saw a higher number (another clone) asks for one above it.
    expect((TeamFile.parse(one.addSecret('dev', 'N2', 'v').serialize(alice, { seq: 9 }), 'x.yaml').signatureStatus() as typeof s2).chain.seq).toBe(9);
  });

  it('legacy (version 1) signatures, from before sequence numbers, still verify', () => {
    const { tf, alice } = made();
    const content = serializeTeamData(tf.withSigning(true).data).replace('format: seeqret-team/2', 'format: seeqret-team/1');
    const sk = custodianSigningKey(alice.secretKey, alice.name);
    const fields = { version: 1 as const, by: alice.name, key: sk.publicKey };
    const legacy = content + signatureBlock({ ...fields, sig: signDetached(sk.secretKey, signatureMessage(fields, sha512(Buffer.from(content, 'utf8')))) });
    expect(legacy).toMatch(/\nmeta-seeqret-signature:\n {2}by: alice@example\.com\n {2}key: \S{44}\n {2}sig: \S{88}\n$/);
    const back = TeamFile.parse(legacy, 'x.yaml');
    expect(back.signatureStatus()).toMatchObject({ state: 'valid', by: 'alice@example.com', chain: null });
    expect(parseCanonical(legacy, 'x.yaml')?.signature?.entry.version).toBe(1);
    // The next write is a numbered (version 2) signature, version 1 of a new chain.
    const next = TeamFile.parse(back.addSecret('dev', 'N', 'v').serialize(alice), 'x.yaml');
    expect(next.signatureStatus()).toMatchObject({ state: 'valid', chain: { seq: 1 } });
    // A version-1 block under the version-2 format (or the reverse) is not a valid file.
    expect(thrownCode(() => TeamFile.parse(legacy.replace('format: seeqret-team/1', 'format: seeqret-team/2'), 'x.yaml'))).toBe('E_TEAM_FORMAT');
    expect(thrownCode(() => TeamFile.parse(legacy.replace('format: seeqret-team/1', 'format: seeqret-team/3'), 'x.yaml'))).toBe('E_TEAM_VERSION');
  });
});

describe.runIf(python)('read by an independent implementation of the old tool (ruamel.yaml + PyNaCl)', () => {
  it('reads the fixture as given, and files we write byte-identically to its own re-dump', () => {
    const file = fixtureCopy();
    const { tf, alice, bobKey } = made();
    tf.addOwner('dev', 'bob@example.com', alice).write();
    const f = TeamFile.open(file);
    const fast = f.unlock(FAST);
    f.addSecret('prod', 'LONG', 'x'.repeat(500))
      .rotateDomain('prod', fast)
      .rmOwner('dev', 'hard@example.com').file.write();
    // The three files read by one Python process.
    const [r0, r, r2] = readWithPython([
      [FIXTURE, { [FAST.name]: FAST.passphrase }],
      [tf.path, { 'bob@example.com': bobKey }],
      [file, { [FAST.name]: FAST.passphrase }],
    ]);
    expect(must(r0).redump_identical).toBe(true);
    expect(r).toEqual({ redump_identical: true, domains: { dev: { API_KEY: 'sk_ünï 😀', DB_PASSWORD: 'hunter2' } } });
    expect(r2).toEqual({ redump_identical: true, domains: { dev: { API_KEY: 'sk_live_ünïcode', 'db-password': 'hunter2' }, prod: { LONG: 'x'.repeat(500), 'db-password': 'prod-pw' } } });
  });
});

describe("the package entry point 'seeqret/team'", () => {
  it('opens, decrypts and changes a file through the exports map', () => {
    const file = fixtureCopy();
    const script = `
      import { TeamFile, isSeeqretError } from 'seeqret/team';
      const tf = TeamFile.open(${JSON.stringify(file)});
      const me = tf.unlock({ name: 'raw@example.com', passphrase: process.env.RAW_KEY });
      const next = tf.addSecret('dev', 'FROM_LIB', 'ok');
      next.write();
      let err = '';
      try { tf.unlock({ name: 'raw@example.com', passphrase: 'P' + '0'.repeat(64) + 'P' }); } catch (e) { err = isSeeqretError(e) ? e.code : 'other'; }
      console.log(JSON.stringify({ before: [...tf.decryptDomain('dev', me).keys()], after: Object.fromEntries(TeamFile.open(${JSON.stringify(file)}).decryptDomain('dev', me)), err }));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: path.resolve(__dirname, '..'), env: { ...process.env, RAW_KEY: RAW.passphrase }, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ before: ['API_KEY', 'db-password'], after: { API_KEY: 'sk_live_ünïcode', FROM_LIB: 'ok', 'db-password': 'hunter2' }, err: 'E_TEAM_CREDENTIALS' });
  });
});
