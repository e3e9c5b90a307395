/**
 * Sharing between real vaults through the real CLI: introductions, export/load in every format,
 * tampering, replay, revocation, audit, backup/restore, migration, server inbox.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { keyFromBase64 } from '../src/crypto/index.js';
import { SeeqretError } from '../src/errors.js';
import { createBundle, openBundle } from '../src/sharing/bundle.js';
import { Vault } from '../src/vault/vault.js';
import { SHARED, TEST_BACKUP_LOG_N, addSecrets, backupIn, cliAllIn, cliIn, cliInWith, errorCode, introduce, newVault, tmpdir, vaultValues } from './helpers.js';
import { vaultIdentitySecretKey } from '../src/vault/internal.js';
import { flip, must } from './must.js';

const V1 = path.join(SHARED, 'fixtures', 'seeqret-v1');
const UNICODE = 'pä$$ "wörd" ✓ 😀 \\n\nline2';

/**
 * alice and bob, each knowing the other. With `paste`, each pastes the other's `introduction`
 * line through the real CLI; otherwise the same users are added in-process (helpers.introduce).
 */
async function pair(opts: { paste?: boolean } = {}): Promise<{ alice: string; bob: string }> {
  const alice = newVault({ user: 'alice' });
  const bob = newVault({ user: 'bob' });
  const meet = opts.paste ? pasteIntroduction : (from: string, to: string): Promise<void> => {
    introduce(from, to);
    return Promise.resolve();
  };
  await meet(alice, bob);
  await meet(bob, alice);
  return { alice, bob };
}

/** Paste FROM's introduction into TO's vault, as a person would, through the real CLI. */
async function pasteIntroduction(from: string, to: string): Promise<void> {
  const line = must((await cliIn(['introduction'], { vault: from })).stdout.split('\n')[0]);
  const args = [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? must(m[2])).slice(1); // drop "seeqret"
  const r = await cliIn(args, { vault: to });
  if (r.code !== 0) throw new Error(r.stderr);
}

const values = vaultValues;

describe('identities', () => {
  it('owner, whoami, public-key (base64 and age), introduction, users --export', async () => {
    const { alice, bob } = await pair({ paste: true });
    expect((await cliIn(['whoami'], { vault: alice })).stdout).toBe('alice <alice@example.com>\n');
    const b64 = (await cliIn(['public-key'], { vault: alice })).stdout.trim();
    expect(keyFromBase64(b64)).not.toBeNull();
    expect((await cliIn(['public-key', '--age'], { vault: alice })).stdout).toMatch(/^age1[a-z0-9]{58}\n$/);
    const users = JSON.parse((await cliIn(['users', '--format', 'json'], { vault: bob })).stdout) as Array<{ username: string; pubkey: string; fingerprint: string; verified: string }>;
    expect(users.map((u) => [u.username, u.verified])).toEqual([
      ['bob', 'owner'],
      ['alice', 'no'],
    ]);
    expect(must(users[1]).pubkey).toBe(b64);
    expect(must(users[1]).fingerprint).toMatch(/^\d{5}( \d{5}){5}$/);
    expect((await cliIn(['users', '--export'], { vault: bob })).stdout).toContain(`--pubkey ${b64}`);
    expect((await cliIn(['owner', '--format', 'json'], { vault: alice })).stdout).toContain(must(users[1]).fingerprint);
  });

  it('add user accepts base64 or age1 keys, rejects anything else; rm user never removes the owner', async () => {
    const v = newVault();
    const other = newVault({ user: 'carol' });
    const age = (await cliIn(['public-key', '--age'], { vault: other })).stdout.trim();
    expect((await cliIn(['add', 'user', '--username', 'carol', '--email', 'c@x', '--pubkey', age], { vault: v })).code).toBe(0);
    expect(errorCode(await cliIn(['add', 'user', '--username', 'carol2', '--pubkey', age], { vault: v }))).toBe('E_USER_EXISTS');
    const badKeys = ['nope', Buffer.alloc(32).toString('base64'), 'age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq', Buffer.alloc(31, 1).toString('base64')];
    const refused = await cliAllIn(badKeys.map((bad) => [['add', 'user', '--username', 'x', '--pubkey', bad], { vault: v }] as const));
    refused.forEach((r, i) => { expect(errorCode(r), badKeys[i]).toBe('E_BAD_KEY'); });
    expect(errorCode(await cliIn(['rm', 'user', 'alice', '--yes'], { vault: v }))).toBe('E_USAGE');
    expect(errorCode(await cliIn(['rm', 'user', 'nobody', '--yes'], { vault: v }))).toBe('E_UNKNOWN_USER');
  });

  it('users verify records a checked fingerprint; exporting to an unverified user warns', async () => {
    const { alice } = await pair();
    addSecrets(alice, { key: 'K', value: 'v' });
    const out = path.join(tmpdir(), 'b.json');
    expect((await cliIn(['export', '--to', 'bob', '-f', '::K', '-o', out], { vault: alice })).stderr).toContain('never verified');
    const fp = must((JSON.parse((await cliIn(['users', '--format', 'json'], { vault: alice })).stdout) as Array<{ username: string; fingerprint: string }>).find((u) => u.username === 'bob')).fingerprint;
    expect(errorCode(await cliIn(['users', 'verify', 'bob', '--fingerprint', '00000 00000 00000 00000 00000 00000'], { vault: alice }))).toBe('E_FINGERPRINT_MISMATCH');
    expect(errorCode(await cliIn(['users', 'verify', 'bob'], { vault: alice, input: 'n\n' }))).toBe('E_ABORTED');
    expect((await cliIn(['users', 'verify', 'bob', '--fingerprint', fp.replace(/ /g, '-')], { vault: alice })).code).toBe(0);
    expect((await cliIn(['export', '--to', 'bob', '-f', '::K', '-o', out], { vault: alice })).stderr).not.toContain('never verified');
  });
});

describe('export and load', () => {
  it('alice and bob exchange secrets in every format, with full UTF-8 values', async () => {
    const { alice, bob } = await pair();
    addSecrets(alice, { key: 'FOO', value: 'bar', env: 'dev' });
    addSecrets(alice, { key: 'UNI', value: UNICODE, app: 'web', env: 'prod' });
    const dir = tmpdir();
    for (const s of ['bundle', 'json-crypt', 'command']) {
      const file = path.join(dir, `out.${s}`);
      const e = await cliIn(['export', '--to', 'bob', '-f', ':dev:', '-f', 'web::', '-s', s, '-o', file], { vault: alice });
      expect(e.code, e.stderr).toBe(0);
      // bob's vault gets the secrets; a fresh copy of bob's keys is not needed: load into bob itself.
      const l = await cliIn(['load', '-f', file, '--force', ...(s === 'bundle' ? [] : ['-u', 'alice'])], { vault: bob });
      expect(l.code, `${s}: ${l.stderr}`).toBe(0);
      expect(values(bob)).toEqual({ '*:dev:FOO': 'bar', 'web:prod:UNI': UNICODE });
      if (s !== 'bundle') expect(l.stderr).toContain('does not authenticate');
      // Clean bob for the next format.
      await cliIn(['rm', 'key', '::', '--yes', '--all'], { vault: bob });
    }
    // The command format also loads line by line with -v, as pasted into a terminal.
    const lines = (await cliIn(['export', '--to', 'bob', '-f', 'web::UNI', '-s', 'command'], { vault: alice })).stdout.split('\n').filter((l) => l.startsWith('seeqret load'));
    expect(lines).toHaveLength(1);
    const value = must(must(/-v(\S+)$/.exec(must(lines[0])))[1]).replace(/^'|'$/g, '');
    expect((await cliIn(['load', '-u', 'alice', '-s', 'command', '-v', value], { vault: bob })).code).toBe(0);
    expect(values(bob)).toEqual({ 'web:prod:UNI': UNICODE });
    // And the other way round: bob to alice.
    addSecrets(bob, { key: 'FROM_BOB', value: 'hello ✓', env: 'dev' });
    const back = path.join(dir, 'back.json');
    await cliIn(['export', '--to', 'alice', '-f', '::FROM_BOB', '-o', back], { vault: bob });
    expect((await cliIn(['load', '-f', back], { vault: alice })).code).toBe(0);
    expect(values(alice)['*:dev:FROM_BOB']).toBe('hello ✓');
  });

  it('load reads stdin, refuses a replayed bundle unless --force, and skips differing values unless --overwrite', async () => {
    const { alice, bob } = await pair();
    addSecrets(alice, { key: 'K', value: 'new-value' });
    await cliIn(['add', 'key', 'K', 'bobs-own'], { vault: bob }); // later than alice's value
    const bundle = (await cliIn(['export', '--to', 'bob', '-f', '::K'], { vault: alice })).stdout;
    const first = await cliIn(['load'], { vault: bob, input: bundle });
    expect(first.code).toBe(0);
    expect(first.stderr).toContain('0 added, 0 updated, 1 skipped');
    expect(first.stderr).toContain('*:*:K');
    expect(values(bob)['*:*:K']).toBe('bobs-own');
    expect(errorCode(await cliIn(['load'], { vault: bob, input: bundle }))).toBe('E_BUNDLE_REPLAY');
    const forced = await cliIn(['load', '--force', '--overwrite'], { vault: bob, input: bundle });
    expect(forced.stderr).toContain('0 added, 1 updated');
    expect(values(bob)['*:*:K']).toBe('new-value');
    expect((await cliIn(['history', 'K', '--reveal', '--format', 'json'], { vault: bob })).stdout).toContain('bobs-own');
  });

  it('export needs a filter and a recipient; several recipients with -o keep one file each', async () => {
    const { alice } = await pair();
    const carol = newVault({ user: 'carol' });
    introduce(carol, alice);
    introduce(alice, carol);
    addSecrets(alice, { key: 'K', value: 'v' });
    expect(errorCode(await cliIn(['export', '--to', 'bob'], { vault: alice }))).toBe('E_USAGE');
    expect(errorCode(await cliIn(['export', '-f', '::'], { vault: alice }))).toBe('E_USAGE');
    expect(errorCode(await cliIn(['export', '--to', 'bob', '-f', '::NOPE'], { vault: alice }))).toBe('E_NOT_FOUND');
    expect(errorCode(await cliIn(['export', '--to', 'all', '-f', '::'], { vault: alice }))).toBe('E_USAGE');
    const dir = tmpdir();
    expect((await cliIn(['export', '--to', 'all', '--to', 'self', '-f', '::', '-o', path.join(dir, 'x.json')], { vault: alice })).code).toBe(0);
    expect(fs.readdirSync(dir).sort()).toEqual(['x.alice.json', 'x.bob.json', 'x.carol.json']);
    expect((await cliIn(['load', '-f', path.join(dir, 'x.carol.json')], { vault: carol })).code).toBe(0);
    expect((await cliIn(['load', '-f', path.join(dir, 'x.alice.json')], { vault: alice })).stderr).toContain('1 unchanged');
    expect((await cliIn(['serializers'])).stdout).toMatch(/bundle[\s\S]*json-crypt[\s\S]*command/);
  });

  it('a bundle for bob cannot be loaded by carol, nor from an unknown sender', async () => {
    const { alice, bob } = await pair();
    const carol = newVault({ user: 'carol' });
    introduce(alice, carol);
    addSecrets(alice, { key: 'K', value: 'for-bob-only' });
    const bundle = (await cliIn(['export', '--to', 'bob', '-f', '::K'], { vault: alice })).stdout;
    const r = await cliIn(['load'], { vault: carol, input: bundle });
    expect(errorCode(r)).toBe('E_BUNDLE_RECIPIENT');
    expect(r.stderr).not.toContain('for-bob-only');
    expect(values(carol)).toEqual({});
    const stranger = newVault({ user: 'mallory' });
    introduce(bob, stranger);
    addSecrets(stranger, { key: 'K', value: 'x' });
    const fromStranger = (await cliIn(['export', '--to', 'bob', '-f', '::K'], { vault: stranger })).stdout;
    expect(errorCode(await cliIn(['load'], { vault: bob, input: fromStranger }))).toBe('E_UNKNOWN_USER');
    expect(errorCode(await cliIn(['load', '-u', 'alice'], { vault: bob, input: bundle.replace('"alice"', '"alice"') }))).toBeUndefined();
  });

  it('any flipped byte anywhere in a bundle is refused and nothing is imported', async () => {
    const { alice, bob } = await pair();
    addSecrets(alice, ...Array.from({ length: 5 }, (_, i) => ({ key: `K${i}`, value: `value-${i}` })));
    const text = (await cliIn(['export', '--to', 'bob', '-f', '::'], { vault: alice })).stdout;
    const bobVault = Vault.open({ dir: bob, readonly: true });
    const identity = { publicKey: bobVault.publicKey, secretKey: Buffer.from(vaultIdentitySecretKey(bobVault)) };
    bobVault.close();
    expect(openBundle(text, identity).secrets).toHaveLength(5);
    const bytes = Buffer.from(text, 'utf8');
    let refused = 0;
    for (let i = 0; i < bytes.length; i++) {
      for (const bit of [0x01, 0x20]) {
        const t = Buffer.from(bytes);
        flip(t, i, bit);
        try {
          openBundle(t.toString('latin1'), identity);
        } catch (e) {
          expect(e).toBeInstanceOf(SeeqretError);
          expect(['E_BUNDLE_FORMAT', 'E_BUNDLE_AUTH', 'E_BUNDLE_RECIPIENT']).toContain((e as SeeqretError).code);
          refused += 1;
          continue;
        }
        throw new Error(`flipping bit ${bit} of byte ${i} (${JSON.stringify(text[i])}) was not detected`);
      }
    }
    expect(refused).toBe(bytes.length * 2);
    // Through the CLI, a few positions: header, ciphertext, and the vault stays empty.
    for (const pos of [20, Math.floor(text.length / 2), text.length - 10]) {
      const t = Buffer.from(text);
      flip(t, pos, 0x01);
      const r = await cliIn(['load'], { vault: bob, input: t });
      expect(r.code).not.toBe(0);
    }
    expect(values(bob)).toEqual({});
  });

  it('a relabelled bundle (header fields or entries changed by someone without the keys) is refused', async () => {
    const { alice, bob } = await pair();
    addSecrets(alice, { key: 'DB_PASSWORD', value: 'secret-1', app: 'web', env: 'prod' });
    const text = (await cliIn(['export', '--to', 'bob', '-f', 'web::'], { vault: alice })).stdout;
    const o = JSON.parse(text) as Record<string, unknown> & { sender: { username: string; email: string }; recipient: { username: string } };
    const variants = [
      { ...o, sender: { ...o.sender, username: 'bob' } },
      { ...o, sender: { ...o.sender, email: 'evil@example.com' } },
      { ...o, recipient: { ...o.recipient, username: 'mallory' } },
      { ...o, created: (o['created'] as number) + 1 },
      { ...o, id: '0'.repeat(32) },
      { ...o, extra: 1 },
    ];
    for (const r of await cliAllIn(variants.map((v) => [['load'], { vault: bob, input: JSON.stringify(v) }] as const))) {
      expect(['E_BUNDLE_AUTH', 'E_BUNDLE_FORMAT']).toContain(errorCode(r));
    }
    // An attacker who knows only public keys re-encrypts the entry under a new name: refused.
    const mallory = Vault.open({ dir: newVault({ user: 'mallory' }) });
    const forged = createBundle(
      { username: 'alice', email: 'alice@example.com', pubkey: must(keyFromBase64(o.sender['pubkey' as keyof typeof o.sender])) },
      vaultIdentitySecretKey(mallory),
      { username: 'bob', pubkey: must(keyFromBase64((o.recipient as unknown as { pubkey: string }).pubkey)) },
      [{ app: 'web', env: 'prod', key: 'RENAMED', type: 'str', value: 'secret-1', updated: Date.now() }],
    );
    mallory.close();
    expect(errorCode(await cliIn(['load'], { vault: bob, input: forged.text }))).toBe('E_BUNDLE_AUTH');
    // In json-crypt, swapping two values between keys is caught by the (unkeyed) signature.
    addSecrets(alice, { key: 'OTHER', value: 'secret-2', app: 'web', env: 'prod' });
    const jc = JSON.parse((await cliIn(['export', '--to', 'bob', '-f', 'web::', '-s', 'json-crypt'], { vault: alice })).stdout) as { secrets: Array<{ value: string }> };
    [must(jc.secrets[0]).value, must(jc.secrets[1]).value] = [must(jc.secrets[1]).value, must(jc.secrets[0]).value];
    expect(errorCode(await cliIn(['load', '-u', 'alice'], { vault: bob, input: JSON.stringify(jc) }))).toBe('E_BUNDLE_AUTH');
    expect(values(bob)).toEqual({});
  });

  it("the old tool's fixtures load with bob's key, alice as sender, in both formats", async () => {
    const dir = path.join(tmpdir(), 'bob');
    const r = await cliIn(['import-vault', path.join(V1, 'bob', 'seeqret'), '--keep-identity'], { vault: dir });
    expect(r.code, r.stderr).toBe(0);
    await cliIn(['rm', 'key', '::', '--yes', '--all'], { vault: dir });
    const want = { '*:dev:FOO': 'bar', 'myapp:prod:DB_PASSWORD': 's3cr3t with spaces & "quotes"', 'myapp:dev:API_KEY': 'sk_test_123' };
    const j = await cliIn(['load', '-u', 'alice', '-f', path.join(V1, 'alice-to-bob.json')], { vault: dir });
    expect(j.code, j.stderr).toBe(0);
    expect(values(dir)).toEqual(want);
    await cliIn(['rm', 'key', '::', '--yes', '--all'], { vault: dir });
    const c = await cliIn(['load', '-f', path.join(V1, 'alice-to-bob.command.txt')], { vault: dir });
    expect(c.code, c.stderr).toBe(0);
    expect(values(dir)).toEqual(want);
  });
});

describe('revocation and audit', () => {
  it('rm user lists what they received and marks still-current values exposed; changing a value clears it', async () => {
    const { alice } = await pair();
    addSecrets(alice, { key: 'A', value: '1' });
    addSecrets(alice, { key: 'B', value: '2' });
    addSecrets(alice, { key: 'C', value: '3' });
    const out = path.join(tmpdir(), 'x.json');
    await cliIn(['export', '--to', 'bob', '-f', '::A,B', '-o', out], { vault: alice });
    await cliIn(['edit', 'value', 'B', 'changed-after-sharing'], { vault: alice });
    // The share records survive a backup and restore: revocation works on the restored vault too.
    // (The backup is the command's use case at a low work factor, helpers.backupIn; `restore` runs.)
    const env = { SEEQRET_BACKUP_PASSPHRASE: 'correct horse battery staple' };
    const backupFile = path.join(tmpdir(), 'a.age');
    await backupIn(alice, backupFile, env.SEEQRET_BACKUP_PASSPHRASE);
    const restored = path.join(tmpdir(), 'restored');
    expect((await cliIn(['restore', backupFile], { vault: restored, env })).code).toBe(0);
    const rr = await cliIn(['rm', 'user', 'bob', '--yes'], { vault: restored });
    expect(rr.stdout).toMatch(/\*:\*:A +EXPOSED/);
    const r = await cliIn(['rm', 'user', 'bob', '--yes'], { vault: alice });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\*:\*:A +EXPOSED/);
    expect(r.stdout).toMatch(/\*:\*:B +\(changed since\)/);
    expect(r.stdout).not.toContain('*:*:C');
    const exposed = async (): Promise<string[]> => (JSON.parse((await cliIn(['list', '--exposed', '--format', 'json'], { vault: alice })).stdout) as Array<{ key: string }>).map((x) => x.key);
    expect(await exposed()).toEqual(['A']);
    await cliIn(['edit', 'value', 'A', 'rotated'], { vault: alice });
    expect(await exposed()).toEqual([]);
    // A new user who reuses the name does not inherit the old one's record.
    const bob2 = newVault({ user: 'bob' });
    introduce(bob2, alice);
    const again = await cliIn(['rm', 'user', 'bob', '--yes'], { vault: alice });
    expect(again.stderr).toContain('never received secrets');
    const ages = JSON.parse((await cliIn(['list', '--age', '--format', 'json'], { vault: alice })).stdout) as Array<{ key: string }>;
    expect(ages).toHaveLength(3);
  });

  it('records changes, exports, loads and CLI reads in a hash-chained, append-only audit log', async () => {
    const { alice, bob } = await pair();
    await cliIn(['add', 'key', 'K', 'audit-me'], { vault: alice });
    await cliIn(['get', 'K'], { vault: alice });
    const out = path.join(tmpdir(), 'x.json');
    await cliIn(['export', '--to', 'bob', '-f', '::K', '-o', out], { vault: alice });
    await cliIn(['load', '-f', out], { vault: bob });
    const log = (JSON.parse((await cliIn(['audit', '--format', 'json'], { vault: alice })).stdout) as Array<{ action: string; target: string; detail: unknown }>).map((e) => ({ ...e, detail: JSON.stringify(e.detail) }));
    expect(log.map((e) => e.action)).toEqual(['vault.create', 'user.add', 'secret.add', 'secret.read', 'export']);
    expect(must(log[4]).target).toBe('bob');
    expect(must(log[4]).detail).toContain('*:*:K');
    expect(JSON.stringify(log)).not.toContain('audit-me');
    expect((JSON.parse((await cliIn(['audit', '--format', 'json', '--user', 'bob'], { vault: alice })).stdout) as unknown[]).length).toBe(2);
    expect((JSON.parse((await cliIn(['audit', '--format', 'json', '--action', 'export', '--since', '1h'], { vault: alice })).stdout) as unknown[]).length).toBe(1);
    expect((JSON.parse((await cliIn(['audit', '--format', 'json'], { vault: bob })).stdout) as Array<{ action: string }>).map((e) => e.action)).toContain('load');
    expect((await cliIn(['audit', '--verify'], { vault: alice })).code).toBe(0);
    // The log refuses edits; an edit with the triggers removed breaks the chain.
    const db = new Database(path.join(alice, 'vault.db'));
    expect(() => db.prepare("UPDATE audit SET target = 'nobody' WHERE action = 'export'").run()).toThrow(/append-only/);
    db.exec('DROP TRIGGER audit_no_update');
    db.prepare("UPDATE audit SET target = 'nobody' WHERE action = 'export'").run();
    db.close();
    const v = await cliIn(['audit', '--verify'], { vault: alice });
    expect(errorCode(v)).toBe('E_TAMPERED');
    // Removing the newest entries (keeping the chain before them intact) is detected too.
    const other = (await pair()).alice;
    addSecrets(other, { key: 'K', value: 'v' });
    await cliIn(['rm', 'key', 'K', '--yes'], { vault: other });
    const db2 = new Database(path.join(other, 'vault.db'));
    db2.exec('DROP TRIGGER audit_no_delete');
    db2.prepare('DELETE FROM audit WHERE id = (SELECT max(id) FROM audit)').run();
    db2.close();
    const t = await cliIn(['audit', '--verify'], { vault: other });
    expect(errorCode(t)).toBe('E_TAMPERED');
    expect(t.stderr).toContain('newest entries were removed');
  });
});

describe('backup and restore', () => {
  const env = { SEEQRET_BACKUP_PASSPHRASE: 'correct horse battery staple' };

  it('round-trips 10,000 secrets with history, users, audit and keys; age -d-compatible; wrong passphrase and damage change nothing', async () => {
    const src = newVault();
    introduce(newVault({ user: 'bob' }), src);
    const v = Vault.open({ dir: src });
    v.setMany(Array.from({ length: 10_000 }, (_, i) => ({ app: `app${i % 7}`, env: i % 2 ? 'dev' : 'prod', key: `KEY_${i}`, value: `v${i} ✓ "${i}"` })));
    v.set({ app: 'app0', env: 'prod', key: 'KEY_0', value: 'second version' }, { replace: true });
    v.close();
    const dir = tmpdir();
    const file = path.join(dir, 'b.age');
    // The 10,000 secrets' round trip is the subject, not age's work factor: the in-process
    // `backup` writes scrypt work factor TEST_BACKUP_LOG_N (recorded in the file, so `restore`
    // pays it too); age's default 18 is what the executable's `backup` writes (and `age -d` reads)
    // in test/output-paths.test.ts, and what typage reads in age's files in test/backup-crypto.test.ts.
    const b = await cliInWith(['backup', '-o', file, '--include-keys', '--html'], { vault: src, env }, { backupWorkFactor: TEST_BACKUP_LOG_N });
    expect(b.code, b.stderr).toBe(0);
    expect(fs.readFileSync(file).subarray(0, 21).toString()).toBe('age-encryption.org/v1');
    expect(fs.readFileSync(file, 'latin1')).toMatch(new RegExp(`^-> scrypt \\S{22} ${String(TEST_BACKUP_LOG_N)}$`, 'm'));
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.existsSync(path.join(dir, 'b.html'))).toBe(true);
    expect(fs.readFileSync(file).includes(Buffer.from('second version'))).toBe(false);
    const target = path.join(tmpdir(), 'restored');
    const r = await cliIn(['restore', file], { vault: target, env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('10000 added');
    const a = Vault.open({ dir: src, readonly: true });
    const c = Vault.open({ dir: target, readonly: true });
    expect(c.publicKey.equals(a.publicKey)).toBe(true);
    expect(c.count()).toBe(10_000);
    const [k0] = c.find([{ app: { any: false, literals: ['app0'], test: (x: string) => x === 'app0' }, env: { any: false, literals: ['prod'], test: (x: string) => x === 'prod' }, key: { any: false, literals: ['KEY_0'], test: (x: string) => x === 'KEY_0' }, text: 'app0:prod:KEY_0' }]);
    expect(c.history(must(k0)).map((h) => c.revealVersion(must(k0), h.version))).toEqual(['second version', 'v0 ✓ "0"']);
    for (const i of [1, 4999, 9999]) expect(c.get(`KEY_${i}`)).toBe(a.get(`KEY_${i}`));
    expect(c.users().map((u) => u.username)).toEqual(['alice', 'bob']);
    expect(c.auditLog().length).toBeGreaterThan(a.auditLog().length);
    a.close();
    c.close();
    // The HTML page decrypts too.
    const other = path.join(tmpdir(), 'from-html');
    const fromHtml = await cliIn(['restore', path.join(dir, 'b.html')], { vault: other, env });
    expect(fromHtml.code, fromHtml.stderr).toBe(0);
    // Wrong passphrase, corrupted file: clear errors, nothing created or changed.
    const nothing = path.join(tmpdir(), 'nothing');
    expect(errorCode(await cliIn(['restore', file], { vault: nothing, env: { SEEQRET_BACKUP_PASSPHRASE: 'wrong' } }))).toBe('E_BACKUP_PASSPHRASE');
    const bad = Buffer.from(fs.readFileSync(file));
    flip(bad, bad.length - 100, 0x01);
    fs.writeFileSync(path.join(dir, 'bad.age'), bad);
    expect(errorCode(await cliIn(['restore', path.join(dir, 'bad.age')], { vault: nothing, env }))).toBe('E_BACKUP_FORMAT');
    expect(fs.existsSync(nothing)).toBe(false);
    const before = values(target)['app3:dev:KEY_3'];
    expect(errorCode(await cliIn(['restore', path.join(dir, 'bad.age')], { vault: target, env }))).toBe('E_BACKUP_FORMAT');
    expect(values(target)['app3:dev:KEY_3']).toBe(before);
  });
});

describe('migration and server', () => {
  it('import-vault migrates both fixture vaults: every secret and user, values byte-identical', async () => {
    const want = { '*:dev:FOO': 'bar', 'myapp:prod:DB_PASSWORD': 's3cr3t with spaces & "quotes"', 'myapp:dev:API_KEY': 'sk_test_123' };
    for (const [who, other] of [
      ['alice', 'bob'],
      ['bob', 'alice'],
    ] as const) {
      const keep = path.join(tmpdir(), who);
      const r = await cliIn(['import-vault', path.join(V1, who, 'seeqret'), '--keep-identity'], { vault: keep });
      expect(r.code, r.stderr).toBe(0);
      expect(values(keep)).toEqual(want);
      expect((await cliIn(['public-key'], { vault: keep })).stdout.trim()).toBe(fs.readFileSync(path.join(V1, who, 'seeqret', 'public.key'), 'utf8').trim());
      const users = (JSON.parse((await cliIn(['users', '--format', 'json'], { vault: keep })).stdout) as Array<{ username: string }>).map((u) => u.username);
      expect(users).toEqual([who, other]);
      // Into an existing vault (new identity kept), and --keep-identity refused there.
      const existing = newVault({ user: 'someone' });
      expect((await cliIn(['import-vault', path.join(V1, who)], { vault: existing })).code).toBe(0);
      expect(values(existing)).toEqual(want);
      expect(errorCode(await cliIn(['import-vault', path.join(V1, who), '--keep-identity'], { vault: existing }))).toBe('E_VAULT_EXISTS');
    }
  });

  it('server init makes a vault the library reads; inbox loads dropped bundles, removes them, keeps failures', async () => {
    const dev = newVault({ user: 'dev' });
    const srvParent = tmpdir();
    const srvDir = path.join(srvParent, 'seeqret');
    const s = await cliIn(['server', 'init', srvParent, '--user', 'web1']);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stderr).toContain(`Server vault ${srvDir} created`);
    // Pointing at DIR rather than DIR/seeqret: the error names the vault folder.
    const wrong = await cliIn(['list'], { vault: srvParent });
    expect(errorCode(wrong)).toBe('E_VAULT_NOT_FOUND');
    expect(wrong.stderr).toContain(`there is one in ${srvDir}`);
    expect(wrong.stderr).toContain(`Fix: Point --vault / SEEQRET at the vault folder itself: ${srvDir}`);
    const addLine = must(s.stdout.split('\n')[0]);
    expect(addLine).toMatch(/^seeqret add user --username 'web1'/);
    const args = [...addLine.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? must(m[2])).slice(1);
    expect((await cliIn(args, { vault: dev })).code).toBe(0);
    introduce(dev, srvDir);
    addSecrets(dev, { key: 'DB_URL', value: 'postgres://prod', app: 'web', env: 'prod' });
    const inbox = path.join(srvDir, 'inbox');
    expect((await cliIn(['export', '--to', 'web1', '-f', 'web:prod:', '-o', path.join(inbox, '1-good.json')], { vault: dev })).code).toBe(0);
    fs.writeFileSync(path.join(inbox, '2-garbage.json'), '{"not": "a bundle"}');
    const r = await cliIn(['inbox'], { vault: srvDir });
    expect(r.code).toBe(10);
    expect(r.stderr).toContain('1 of 2 files loaded');
    expect(fs.readdirSync(inbox)).toEqual(['2-garbage.json']);
    const lib = Vault.open({ dir: srvDir, readonly: true });
    expect(lib.get('DB_URL', { app: 'web', env: 'prod' })).toBe('postgres://prod');
    lib.close();
    expect((await cliIn(['doctor'], { vault: srvDir })).code).toBe(0);
  });
});

describe('hardening (security review)', () => {
  it('inbox loads only bundles unless --allow-old-formats', async () => {
    const { alice, bob } = await pair();
    addSecrets(alice, { key: 'K', value: 'v' });
    const inbox = path.join(tmpdir(), 'inbox');
    fs.mkdirSync(inbox);
    await cliIn(['export', '--to', 'bob', '-f', '::K', '-s', 'json-crypt', '-o', path.join(inbox, 'old.json')], { vault: alice });
    const r = await cliIn(['inbox', inbox], { vault: bob });
    expect(r.code).not.toBe(0);
    expect(fs.readdirSync(inbox)).toEqual(['old.json']);
    expect(values(bob)).toEqual({});
    expect((await cliIn(['inbox', inbox, '--allow-old-formats'], { vault: bob })).code).toBe(0);
    expect(values(bob)).toEqual({ '*:*:K': 'v' });
  });

  it('an older bundle loaded after a newer one does not roll the value back', async () => {
    const { alice, bob } = await pair();
    addSecrets(alice, { key: 'K', value: 'old-value' });
    const dir = tmpdir();
    await cliIn(['export', '--to', 'bob', '-f', '::K', '-o', path.join(dir, 'b1.json')], { vault: alice });
    await cliIn(['edit', 'value', 'K', 'rotated-value'], { vault: alice });
    await cliIn(['export', '--to', 'bob', '-f', '::K', '-o', path.join(dir, 'b2.json')], { vault: alice });
    expect((await cliIn(['load', '-f', path.join(dir, 'b2.json')], { vault: bob })).code).toBe(0);
    const r = await cliIn(['load', '-f', path.join(dir, 'b1.json'), '--overwrite'], { vault: bob });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('1 older than here');
    expect(values(bob)['*:*:K']).toBe('rotated-value');
  });

  it('run and env never export loader variables through a filter; an explicit template line does', async () => {
    const v = newVault();
    expect((await cliIn(['add', 'key', 'NODE_OPTIONS', '--app', 'web', '--env', 'dev'], { vault: v, input: '--require=/tmp/evil.js\n' })).code).toBe(0);
    addSecrets(v, { key: 'API', value: 'x', app: 'web', env: 'dev' });
    const r = await cliIn(['run', '-f', 'web:dev:', '--', process.execPath, '-e', '0'], { vault: v });
    expect(errorCode(r)).toBe('E_BAD_VALUE');
    expect(r.stderr).toContain('NODE_OPTIONS=web:dev:NODE_OPTIONS');
    const dir = tmpdir();
    fs.writeFileSync(path.join(dir, 'env.template'), 'web:dev:\n');
    expect(errorCode(await cliIn(['env', '--stdout'], { vault: v, cwd: dir }))).toBe('E_BAD_VALUE');
    fs.writeFileSync(path.join(dir, 'env.template'), 'web:dev:API\nNODE_OPTIONS=web:dev:NODE_OPTIONS\n');
    expect((await cliIn(['env', '--stdout'], { vault: v, cwd: dir })).stdout).toContain('NODE_OPTIONS=--require=/tmp/evil.js\n');
    // A prefix cannot turn a harmless filter match into a loader variable either.
    addSecrets(v, { key: 'PRELOAD', value: '/tmp/evil.so', app: 'lib', env: 'dev' });
    fs.writeFileSync(path.join(dir, 'env.template'), 'lib:dev:\n');
    expect(errorCode(await cliIn(['run', '--prefix', 'LD_', '--', process.execPath, '-e', '0'], { vault: v, cwd: dir }))).toBe('E_BAD_VALUE');
  });

  it('names with zero-width, bidi or C1 characters, and odd user names, are refused; diagnostics escape control characters', async () => {
    const v = newVault();
    const badNames = ['DB\u200b', 'A\u202eB', 'X\u009b31m'];
    (await cliAllIn(badNames.map((bad) => [['add', 'key', bad, 'x'], { vault: v }] as const))).forEach((r, i) => { expect(errorCode(r), JSON.stringify(badNames[i])).toBe('E_INVALID_NAME'); });
    const other = (await cliIn(['public-key'], { vault: newVault({ user: 'x' }) })).stdout.trim();
    const badUsers = ['a/b', '../x', 'a b', 'evil\u001b[2K'];
    (await cliAllIn(badUsers.map((bad) => [['add', 'user', '--username', bad, '--pubkey', other], { vault: v }] as const))).forEach((r, i) => { expect(errorCode(r), badUsers[i]).toBe('E_USAGE'); });
    const r = await cliIn(['get', 'A\u001b[2KB'], { vault: v });
    expect(r.stderr).not.toContain('\u001b');
  });

  it('secrets received from a user are marked exposed when that user is removed', async () => {
    const { alice, bob } = await pair();
    addSecrets(bob, { key: 'DEPLOY_TOKEN', value: 'from-bob', app: 'ci', env: 'prod' });
    const out = path.join(tmpdir(), 'x.json');
    await cliIn(['export', '--to', 'alice', '-f', 'ci::', '-o', out], { vault: bob });
    expect((await cliIn(['load', '-f', out], { vault: alice })).code).toBe(0);
    const r = await cliIn(['rm', 'user', 'bob', '--yes'], { vault: alice });
    expect(r.stdout).toMatch(/ci:prod:DEPLOY_TOKEN +EXPOSED/);
    // A change of type alone is not a new value: still exposed.
    await cliIn(['add', 'key', 'DEPLOY_TOKEN', 'from-bob', '--app', 'ci', '--env', 'prod', '--type', 'text', '--force'], { vault: alice });
    expect((JSON.parse((await cliIn(['list', '--exposed', '--format', 'json'], { vault: alice })).stdout) as unknown[]).length).toBe(1);
  });
});
