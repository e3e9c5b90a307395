/**
 * Attacks on the team file through the real CLI, by someone who can write the repository but
 * holds no credentials: laundering a change of keys through the next owner's write, rolling the
 * file back to an older version; and the data-safety rules of team writes: concurrent writers,
 * push by app, env and key, empty values, and hints that lead to working commands.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { newBoxKeyPair, openSealed, sealTo } from '../src/crypto/team.js';
import { type DomainEntry } from '../src/team/format.js';
import { passphraseChain } from '../src/passphrase.js';
import { NO_PROMPTS, resolveUser } from '../src/team/credentials.js';
import { serializeTeamData } from '../src/team/serialize.js';
import { TeamFile } from '../src/team/store.js';
import { writeTeam } from '../src/team/write.js';
import { Vault } from '../src/vault/vault.js';
import { splitCommandLine } from '../src/util/shlex.js';
import { type CliResult, TEST_TEAM_KDF, cliIn, errorCode, newVault, tmpdir } from './helpers.js';
import { ALICE, type Env, bobEnv, fresh, ok, teamAsync, teamIn } from './team-helpers.js';
import { must } from './must.js';

/**
 * The attacker's custodian. Their entries (and the forged ones below) are made through the library
 * at TEST_TEAM_KDF: who holds which key is what these tests check, not the Argon2id cost.
 */
const MALLORY = { name: 'mallory@evil.example', passphrase: 'mallory pass' };

/** The attacker's domain key pair, and whether any sealed value in `file` opens with it or with their custodian key. */
function attackerKeys(): { publicKey: Buffer; secretKey: Buffer } {
  return newBoxKeyPair();
}

/** True when anything sealed in the file (secrets, owner entries) opens with one of `keys`. */
function anythingOpensWith(file: string, keys: ReadonlyArray<{ publicKey: Buffer; secretKey: Buffer }>): boolean {
  const tf = TeamFile.parse(fs.readFileSync(file, 'utf8'), file);
  for (const d of tf.data.domains.values()) {
    for (const sealed of [...d.secrets.values(), ...d.owners.values()]) {
      for (const k of keys) if (openSealed(k.publicKey, k.secretKey, sealed)) return true;
    }
  }
  return false;
}

/** Replace a domain of `tf` (the attacker edits the YAML; this writes what they would write). */
function withDomain(tf: TeamFile, name: string, d: DomainEntry): string {
  const domains = new Map(tf.data.domains);
  domains.set(name, d);
  return serializeTeamData({ ...tf.data, domains });
}

/** The exact command a hint names between backquotes, run as-is (with the same environment). */
function runHint(stderr: string, opts: { env?: Env; input?: string } = {}): Promise<CliResult> {
  const m = /Fix: .*?`(seeqret [^`]+)`/.exec(stderr);
  if (!m) throw new Error(`no command in: ${stderr}`);
  const words = splitCommandLine(must(m[1]));
  return cliIn(words.slice(1), { ...(opts.env ? { env: opts.env } : {}), ...(opts.input !== undefined ? { input: opts.input } : {}) });
}

/**
 * What `team init` run by alice makes (the `init` use case, `writeTeam` with `create`, pinning
 * the new file in `vaultDir`), with alice's Argon2id cost at {@link TEST_TEAM_KDF} instead of the
 * CLI's `fast` (2 × 64 MiB), which every later unlock of alice would pay. `team init` itself runs
 * through the CLI in test/team-cli.test.ts, and below where a hint names it.
 */
async function initAsAlice(file: string, vaultDir: string): Promise<void> {
  const alice = {
    file,
    vaultDir,
    env: ALICE,
    credentials: {},
    prompts: NO_PROMPTS,
    passphrases: passphraseChain([]),
    vault: { identity: () => Promise.reject(new Error('no identity custodian here')), use: () => Promise.reject(new Error('no vault here')) },
  };
  const created = TeamFile.create(file).addCustodian((await resolveUser(alice)).value, ALICE.SEEQRET_TEAM_PASSPHRASE, TEST_TEAM_KDF);
  await writeTeam(alice, null, () => created, { create: true, pre: created });
}

const unchangedBy = (file: string, r: CliResult, before: string, code: string): void => {
  expect([r.code, errorCode(r)]).toEqual([1, code]);
  expect(fs.readFileSync(file, 'utf8')).toBe(before);
};

describe('laundering: a repository writer without credentials cannot make the next write seal to their keys', () => {
  it('strip the signature, add yourself as a custodian, replace a domain key, sign as yourself: add-secret refuses and seals nothing', async () => {
    const aliceVault = newVault({ user: 'alice' });
    const { file } = await fresh({ vault: aliceVault });
    ok(await teamIn(file, ['sign'], { env: ALICE, vault: aliceVault }));
    ok(await teamIn(file, ['verify'], { vault: aliceVault }));
    // The attacker, with write access to the repository only.
    const attacker = attackerKeys();
    let tf = TeamFile.parse(fs.readFileSync(file, 'utf8'), file).withSigning(false).addCustodian(MALLORY.name, MALLORY.passphrase, TEST_TEAM_KDF);
    const dev = must(tf.data.domains.get('dev'));
    const owners = new Map([...dev.owners.keys()].map((o) => [o, sealTo(must(tf.data.custodians.get(o)).publicKey, attacker.secretKey)])); // owners notice nothing
    tf = TeamFile.parse(withDomain(tf, 'dev', { publicKey: attacker.publicKey, owners, secrets: new Map() }), file);
    const mallory = tf.unlock(MALLORY);
    tf.withSigning(true).write(mallory);
    expect(TeamFile.parse(fs.readFileSync(file, 'utf8'), file).signatureStatus()).toMatchObject({ state: 'valid', by: MALLORY.name });
    const planted = fs.readFileSync(file, 'utf8');
    // The next owner adds a secret, with their credentials (the file is signed).
    const r = await teamIn(file, ['add-secret', 'dev', 'NEW_TOKEN', 'the-new-secret'], { env: ALICE, vault: aliceVault });
    unchangedBy(file, r, planted, 'E_TEAM_UNTRUSTED');
    expect(r.stderr).toContain('new custodian mallory@evil.example');
    expect(r.stderr).toContain('domain dev has another public key');
    expect(anythingOpensWith(file, [attacker])).toBe(false);
    // --ignore-signature is for reading: it never lets a write through.
    unchangedBy(file, await teamIn(file, ['--ignore-signature', 'add-secret', 'dev', 'NEW_TOKEN', 'x'], { env: ALICE, vault: aliceVault }), planted, 'E_TEAM_UNTRUSTED');
    // Nor can the attacker's state be laundered by re-signing it, by a push, or by a rotation.
    unchangedBy(file, await teamIn(file, ['sign'], { env: ALICE, vault: aliceVault }), planted, 'E_TEAM_UNTRUSTED');
    unchangedBy(file, await teamIn(file, ['rotate', 'dev'], { env: ALICE, vault: aliceVault }), planted, 'E_TEAM_UNTRUSTED');
    // Reading your own domain still works, with a clear warning.
    const read = await teamIn(file, ['list-secrets', 'dev'], { vault: aliceVault });
    expect(read.code).toBe(0);
    expect(read.stderr).toMatch(/warning: .*changed since your vault verified it/);
    expect(ok(await teamIn(file, ['info'], { vault: aliceVault })).stdout).toMatch(/this vault .*: CHANGED since your vault verified it/);
  });

  it('an unsigned file whose domain key was swapped: add-secret (no credentials needed) refuses', async () => {
    const { file } = await fresh();
    const attacker = attackerKeys();
    const tf = TeamFile.parse(fs.readFileSync(file, 'utf8'), file);
    const dev = must(tf.data.domains.get('dev'));
    fs.writeFileSync(file, withDomain(tf, 'dev', { ...dev, publicKey: attacker.publicKey }));
    const planted = fs.readFileSync(file, 'utf8');
    const r = await teamIn(file, ['add-secret', 'dev', 'NEW_TOKEN', 'the-new-secret']);
    unchangedBy(file, r, planted, 'E_TEAM_UNTRUSTED');
    expect(anythingOpensWith(file, [attacker])).toBe(false);
    // So does push, and update-secret.
    unchangedBy(file, await teamIn(file, ['update-secret', 'dev', 'API_KEY', 'x']), planted, 'E_TEAM_UNTRUSTED');
  });

  it("replacing an owner's custodian key (same name): a rotation by another owner refuses to seal to it", async () => {
    const { file } = await fresh();
    ok(await teamIn(file, ['add-owner', 'dev', 'bob@example.com'], { env: ALICE }));
    // The attacker puts their own raw key under bob's name.
    const text = fs.readFileSync(file, 'utf8');
    const fakeBob = `P${'ab'.repeat(32)}P`;
    const tf = TeamFile.parse(text, file);
    const forged = must(TeamFile.create(file).addCustodian('bob@example.com', fakeBob, 'raw').data.custodians.get('bob@example.com'));
    fs.writeFileSync(file, serializeTeamData({ ...tf.data, custodians: new Map([...tf.data.custodians, ['bob@example.com', forged]]) }));
    const planted = fs.readFileSync(file, 'utf8');
    const fakeKey = TeamFile.parse(planted, file).unlock({ name: 'bob@example.com', passphrase: fakeBob });
    const r = await teamIn(file, ['rotate', 'dev'], { env: ALICE });
    unchangedBy(file, r, planted, 'E_TEAM_UNTRUSTED');
    expect(r.stderr).toContain('custodian bob@example.com has another key');
    expect(anythingOpensWith(file, [fakeKey])).toBe(false);
    // The real bob still reads; alice's add-owner and migrate-owner refuse too.
    unchangedBy(file, await teamIn(file, ['migrate-owner', 'bob@example.com'], { env: ALICE }), planted, 'E_TEAM_UNTRUSTED');
  });

  it('adding an owner entry (and a custodian) by hand: rm-owner --rotate refuses to seal the new key to it', async () => {
    const { file } = await fresh();
    ok(await teamIn(file, ['add-owner', 'dev', 'bob@example.com'], { env: ALICE }));
    let tf = TeamFile.parse(fs.readFileSync(file, 'utf8'), file).addCustodian(MALLORY.name, MALLORY.passphrase, TEST_TEAM_KDF);
    const dev = must(tf.data.domains.get('dev'));
    tf = TeamFile.parse(withDomain(tf, 'dev', { ...dev, owners: new Map([...dev.owners, [MALLORY.name, Buffer.alloc(80, 7)]]) }), file);
    fs.writeFileSync(file, tf.serialize());
    const planted = fs.readFileSync(file, 'utf8');
    const mallory = tf.unlock(MALLORY);
    const r = await teamIn(file, ['rm-owner', 'dev', 'bob@example.com', '--rotate'], { env: ALICE });
    unchangedBy(file, r, planted, 'E_TEAM_UNTRUSTED');
    expect(r.stderr).toContain('new owner mallory@evil.example of dev');
    expect(anythingOpensWith(file, [mallory])).toBe(false);
  });

  it("a new key under a trusted signer's name: refused for writes even with --ignore-signature", async () => {
    const aliceVault = newVault({ user: 'alice' });
    const bobVault = newVault({ user: 'bob' });
    const { file, bobKey } = await fresh({ vault: aliceVault });
    ok(await teamIn(file, ['add-owner', 'dev', 'bob@example.com'], { env: ALICE, vault: aliceVault }));
    ok(await teamIn(file, ['sign'], { env: ALICE, vault: aliceVault }));
    ok(await teamIn(file, ['trust', 'alice@example.com', '--yes'], { vault: bobVault }));
    ok(await teamIn(file, ['verify'], { vault: bobVault }));
    // The attacker replaces alice's key entry with their own (same name) and signs as "alice".
    const tf = TeamFile.parse(fs.readFileSync(file, 'utf8'), file);
    const forgedPass = 'forged';
    const forged = must(TeamFile.create(file).addCustodian('alice@example.com', forgedPass, TEST_TEAM_KDF).data.custodians.get('alice@example.com'));
    const swapped = TeamFile.parse(serializeTeamData({ ...tf.data, custodians: new Map([...tf.data.custodians, ['alice@example.com', forged]]) }), file);
    const fakeAlice = swapped.unlock({ name: 'alice@example.com', passphrase: forgedPass });
    swapped.write(fakeAlice);
    const planted = fs.readFileSync(file, 'utf8');
    // Bob rotates the domain key: it would be sealed to every owner, the forged "alice" too.
    unchangedBy(file, await teamIn(file, ['rotate', 'dev'], { env: bobEnv(bobKey), vault: bobVault }), planted, 'E_TEAM_SIGNATURE');
    const forcedWrite = await teamIn(file, ['--ignore-signature', 'rotate', 'dev'], { env: bobEnv(bobKey), vault: bobVault });
    unchangedBy(file, forcedWrite, planted, 'E_TEAM_UNTRUSTED');
    expect(anythingOpensWith(file, [fakeAlice])).toBe(false);
    expect(errorCode(await teamIn(file, ['verify'], { vault: bobVault }))).toBe('E_TEAM_SIGNATURE');
  });

  it('a change checked and accepted (team accept --keys FINGERPRINT) allows writes again; a wrong fingerprint does not', async () => {
    const { file } = await fresh();
    // A teammate adds themselves as a custodian in their clone (no credentials needed) and it is merged.
    // A raw key (the CLI's cheapest key type): what is checked is the acceptance of her entry, not its KDF.
    const carolKey = must(/P[0-9a-f]{64}P/.exec(ok(await teamIn(file, ['add-custodian', 'carol@example.com', '--key-type', 'raw'], { vault: newVault({ user: 'carol' }) })).stdout))[0];
    const before = fs.readFileSync(file, 'utf8');
    const r = await teamIn(file, ['add-owner', 'dev', 'carol@example.com'], { env: ALICE });
    unchangedBy(file, r, before, 'E_TEAM_UNTRUSTED');
    const info = ok(await teamIn(file, ['info'])).stdout;
    const carolFp = must(/custodian carol@example\.com: .*key fingerprint ([\d ]+)/.exec(info))[1];
    const keysFp = must(must(/keys fingerprint: ([\d ]+)/.exec(info))[1]);
    const shown = await teamIn(file, ['accept', '--keys', '00000 00000 00000 00000 00000 00000']);
    expect([shown.code, errorCode(shown)]).toEqual([1, 'E_FINGERPRINT_MISMATCH']);
    expect(shown.stderr).toContain(`new custodian carol@example.com (key ${carolFp})`);
    unchangedBy(file, await teamIn(file, ['add-owner', 'dev', 'carol@example.com'], { env: ALICE }), before, 'E_TEAM_UNTRUSTED');
    const nonInteractive = await teamIn(file, ['--non-interactive', 'accept'], { input: 'y\n' });
    expect(errorCode(nonInteractive)).toBe('E_USAGE');
    ok(await teamIn(file, ['accept', '--keys', keysFp]));
    ok(await teamIn(file, ['add-owner', 'dev', 'carol@example.com'], { env: ALICE }));
    expect(ok(await teamIn(file, ['decrypt', 'dev', '--secret', 'DB_PASSWORD'], { env: { SEEQRET_TEAM_USER: 'carol@example.com', SEEQRET_TEAM_PASSPHRASE: carolKey } })).stdout).toBe('hunter2\n');
  });

  it('removing the signature alone (a downgrade) is an untrusted change; accepting it is deliberate', async () => {
    const aliceVault = newVault({ user: 'alice' });
    const { file } = await fresh({ vault: aliceVault });
    ok(await teamIn(file, ['sign'], { env: ALICE, vault: aliceVault }));
    const tf = TeamFile.parse(fs.readFileSync(file, 'utf8'), file);
    fs.writeFileSync(file, serializeTeamData({ ...tf.data, signed: false }));
    const planted = fs.readFileSync(file, 'utf8');
    const r = await teamIn(file, ['add-secret', 'dev', 'X', 'x'], { vault: aliceVault });
    unchangedBy(file, r, planted, 'E_TEAM_UNTRUSTED');
    expect(r.stderr).toContain('it was signed when your vault verified it, and is not signed now');
    // A moved copy of the file is recognised by its keys: no fresh "first use" for it.
    const moved = path.join(tmpdir(), 'protected.yaml');
    fs.copyFileSync(file, moved);
    unchangedBy(moved, await teamIn(moved, ['add-secret', 'dev', 'X', 'x'], { vault: aliceVault }), planted, 'E_TEAM_UNTRUSTED');
  });
});

describe('a case the issue does not name', () => {
  it("another team's file, signed by someone you trust, put in this one's place: not this team's keys", async () => {
    const aliceVault = newVault({ user: 'alice' });
    const a = await fresh({ vault: aliceVault });
    const b = await fresh({ vault: aliceVault });
    ok(await teamIn(a.file, ['sign'], { env: ALICE, vault: aliceVault }));
    ok(await teamIn(b.file, ['sign'], { env: ALICE, vault: aliceVault }));
    fs.copyFileSync(b.file, a.file);
    const planted = fs.readFileSync(a.file, 'utf8');
    const r = await teamIn(a.file, ['add-secret', 'dev', 'FOR_TEAM_A', 'x'], { env: ALICE, vault: aliceVault });
    unchangedBy(a.file, r, planted, 'E_TEAM_UNTRUSTED');
    expect(r.stderr).toContain("it is another team's file");
    expect(errorCode(await teamIn(a.file, ['verify'], { vault: aliceVault }))).toBe('E_TEAM_UNTRUSTED');
  });
});

describe('rollback: an older version of the file is refused', () => {
  it('a signed file put back to before rm-owner --rotate: verify, pull and add-secret refuse; pull never puts a replaced value back', async () => {
    const aliceVault = newVault({ user: 'alice' });
    const { file, bobKey } = await fresh({ vault: aliceVault });
    ok(await teamIn(file, ['add-owner', 'dev', 'bob@example.com'], { env: ALICE, vault: aliceVault }));
    ok(await teamIn(file, ['sign'], { env: ALICE, vault: aliceVault }));
    const old = fs.readFileSync(file, 'utf8'); // version 1: bob owns dev, the old domain key
    ok(await teamIn(file, ['rm-owner', 'dev', 'bob@example.com', '--rotate'], { env: ALICE, vault: aliceVault }));
    ok(await teamIn(file, ['update-secret', 'dev', 'DB_PASSWORD', 'changed-after-bob-left'], { env: ALICE, vault: aliceVault }));
    ok(await teamIn(file, ['pull', '--domain', 'dev'], { env: ALICE, vault: aliceVault }));
    expect(ok(await cliIn(['get', '*:dev:DB_PASSWORD'], { vault: aliceVault })).stdout).toBe('changed-after-bob-left\n');
    const newest = fs.readFileSync(file, 'utf8');
    // The attacker puts the old signed version back (its signature is valid: alice made it).
    fs.writeFileSync(file, old);
    const v = await teamIn(file, ['verify'], { vault: aliceVault });
    expect([v.code, errorCode(v)]).toEqual([1, 'E_TEAM_ROLLBACK']);
    expect(v.stderr).toContain('it is version 1, older than version 3 your vault saw');
    unchangedBy(file, await teamIn(file, ['pull', '--domain', 'dev', '--overwrite'], { env: ALICE, vault: aliceVault }), old, 'E_TEAM_ROLLBACK');
    expect(ok(await cliIn(['get', '*:dev:DB_PASSWORD'], { vault: aliceVault })).stdout).toBe('changed-after-bob-left\n');
    const add = await teamIn(file, ['add-secret', 'dev', 'NEW_TOKEN', 'for-the-team-only'], { env: ALICE, vault: aliceVault });
    unchangedBy(file, add, old, 'E_TEAM_ROLLBACK');
    // bob, who was removed, still holds the old domain key: nothing new is sealed to it.
    TeamFile.parse(old, file).unlock({ name: 'bob@example.com', passphrase: bobKey });
    expect(JSON.parse(ok(await teamIn(file, ['decrypt', 'dev'], { env: bobEnv(bobKey), vault: newVault({ user: 'bob' }) })).stdout)).not.toHaveProperty('NEW_TOKEN');
    // Reading it warns clearly.
    expect((await teamIn(file, ['list-secrets', 'dev'], { vault: aliceVault })).stderr).toMatch(/warning: .* is OLDER than what your vault saw/);
    expect(ok(await teamIn(file, ['info'], { vault: aliceVault })).stdout).toMatch(/signature: valid \(by alice@example\.com, .*, version 1, team .*\n.*\nthis vault .*: OLDER than what your vault saw/);
    fs.writeFileSync(file, newest);
    expect(ok(await teamIn(file, ['info'], { vault: aliceVault })).stdout).toContain(', version 3, team ');
  });

  it('an unsigned file put back to before a rotation or an update: refused by the retired key and value', async () => {
    const { file } = await fresh();
    ok(await teamIn(file, ['add-owner', 'dev', 'bob@example.com'], { env: ALICE }));
    const vault = newVault({ user: 'alice' });
    ok(await teamIn(file, ['pull', '--domain', 'dev'], { env: ALICE, vault }));
    const old = fs.readFileSync(file, 'utf8');
    ok(await teamIn(file, ['rm-owner', 'dev', 'bob@example.com', '--rotate'], { env: ALICE, vault }));
    ok(await teamIn(file, ['update-secret', 'dev', 'DB_PASSWORD', 'new-pw'], { vault }));
    ok(await teamIn(file, ['pull', '--domain', 'dev', '--overwrite'], { env: ALICE, vault }));
    const afterRotation = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, old);
    const p = await teamIn(file, ['pull', '--domain', 'dev', '--overwrite'], { env: ALICE, vault });
    unchangedBy(file, p, old, 'E_TEAM_ROLLBACK');
    expect(p.stderr).toContain('domain dev has a key your vault saw rotated away');
    expect(ok(await cliIn(['get', '*:dev:DB_PASSWORD'], { vault })).stdout).toBe('new-pw\n');
    unchangedBy(file, await teamIn(file, ['add-secret', 'dev', 'X', 'x'], { vault }), old, 'E_TEAM_ROLLBACK');
    // A value-only revert (no key change) is caught too: the old sealed value was retired.
    fs.writeFileSync(file, afterRotation);
    ok(await teamIn(file, ['update-secret', 'dev', 'API_KEY', 'rotated-api-key'], { vault }));
    fs.writeFileSync(file, afterRotation);
    const v = await teamIn(file, ['pull', '--domain', 'dev', '--overwrite'], { env: ALICE, vault });
    unchangedBy(file, v, afterRotation, 'E_TEAM_ROLLBACK');
    expect(v.stderr).toContain('secret API_KEY of dev has a value your vault saw replaced');
  });
});

describe('concurrent writers lose nothing', () => {
  it('20 concurrent add-secret on an unsigned file: every acknowledged write is there', async () => {
    const { file } = await fresh();
    // A generous wait for the lock: on a loaded machine 20 node processes queue for a while.
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => teamAsync(file, ['add-secret', 'dev', `K${i}`, `v${i}`], { env: { SEEQRET_LOCK_TIMEOUT_MS: '60000' } })));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const names = ok(await teamIn(file, ['list-secrets', 'dev'])).stdout.trim().split('\n');
    for (let i = 0; i < 20; i++) expect(names).toContain(`K${i}`);
    const values = JSON.parse(ok(await teamIn(file, ['decrypt', 'dev'], { env: ALICE })).stdout) as Record<string, string>;
    for (let i = 0; i < 20; i++) expect(values[`K${i}`]).toBe(`v${i}`);
    expect(fs.readdirSync(path.dirname(file)).filter((n) => n.includes('.lock'))).toEqual([]);
  });

  it('20 concurrent add-secret on a signed file: all there, numbered one after another, and it verifies', async () => {
    const vault = newVault({ user: 'bob' });
    const { file, bobKey } = await fresh({ vault });
    ok(await teamIn(file, ['sign'], { env: bobEnv(bobKey), vault }));
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => teamAsync(file, ['add-secret', 'dev', `K${i}`, `v${i}`], { env: { ...bobEnv(bobKey), SEEQRET_LOCK_TIMEOUT_MS: '60000' }, vault })));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const names = ok(await teamIn(file, ['list-secrets', 'dev'], { vault })).stdout.trim().split('\n');
    for (let i = 0; i < 20; i++) expect(names).toContain(`K${i}`);
    expect(ok(await teamIn(file, ['info'], { vault })).stdout).toContain(', version 21, team ');
    ok(await teamIn(file, ['verify'], { vault }));
  });

  it('a writer that cannot get the lock fails clearly (E_LOCKED); a lock left by a dead process is taken over', async () => {
    const { file } = await fresh();
    const before = fs.readFileSync(file, 'utf8');
    const holder = spawn('sleep', ['60']);
    try {
      fs.writeFileSync(`${file}.lock`, JSON.stringify({ pid: holder.pid, host: os.hostname(), start: '', at: Date.now(), nonce: 'held' }));
      const r = await teamIn(file, ['add-secret', 'dev', 'X', 'x'], { env: { SEEQRET_LOCK_TIMEOUT_MS: '300' } });
      unchangedBy(file, r, before, 'E_LOCKED');
      expect(r.stderr).toContain(`is being changed by process ${holder.pid}`);
      const native = await teamIn(file, ['add-secret', 'dev', 'X', 'x'], { env: { SEEQRET_LOCK_TIMEOUT_MS: '300', SEEQRET_EXIT_CODES: 'native' } });
      expect([native.code, errorCode(native)]).toEqual([7, 'E_LOCKED']);
    } finally {
      holder.kill('SIGKILL');
      await new Promise((resolve) => holder.once('exit', resolve));
    }
    ok(await teamIn(file, ['add-secret', 'dev', 'X', 'x'], { env: { SEEQRET_LOCK_TIMEOUT_MS: '5000' } }));
    expect(fs.existsSync(`${file}.lock`)).toBe(false);
  });
});

describe('team push matches app, env and key', () => {
  it('the same key in two environments: each domain gets its own environment\'s value; a dev value never replaces prod\'s', async () => {
    const { file } = await fresh();
    ok(await teamIn(file, ['add-domain', 'prod'], { env: ALICE }));
    ok(await teamIn(file, ['add-secret', 'prod', 'API_KEY', 'prod-original']));
    const vault = newVault({ user: 'alice' });
    ok(await cliIn(['add', 'key', 'API_KEY', 'dev-value', '--env', 'dev'], { vault }));
    // Only the dev value is in the vault: pushing "API_KEY" to prod must not take it.
    const r = await teamIn(file, ['push', '--domain', 'prod', '-f', '::API_KEY'], { vault });
    expect([r.code, errorCode(r)]).toEqual([1, 'E_NOT_FOUND']);
    expect(r.stderr).toContain('1 in other apps or envs do, and are never pushed to prod');
    expect(ok(await teamIn(file, ['decrypt', 'prod', '--secret', 'API_KEY'], { env: ALICE })).stdout).toBe('prod-original\n');
    // Both in the vault: each goes to its own domain.
    ok(await cliIn(['add', 'key', 'API_KEY', 'prod-value', '--env', 'prod'], { vault }));
    // Without credentials the domain's value cannot be compared: it is replaced only with --overwrite.
    expect(ok(await teamIn(file, ['push', '--domain', 'prod', '-f', '::API_KEY'], { vault })).stderr).toContain('To replace them, run the same push with --overwrite.');
    expect(ok(await teamIn(file, ['decrypt', 'prod', '--secret', 'API_KEY'], { env: ALICE })).stdout).toBe('prod-original\n');
    ok(await teamIn(file, ['push', '--domain', 'prod', '-f', '::API_KEY', '--overwrite'], { vault }));
    ok(await teamIn(file, ['push', '--domain', 'dev', '-f', '::API_KEY', '--overwrite'], { vault }));
    expect(ok(await teamIn(file, ['decrypt', 'prod', '--secret', 'API_KEY'], { env: ALICE })).stdout).toBe('prod-value\n');
    expect(ok(await teamIn(file, ['decrypt', 'dev', '--secret', 'API_KEY'], { env: ALICE })).stdout).toBe('dev-value\n');
    // Another app's secret of the same env and key is not taken either.
    ok(await cliIn(['add', 'key', 'API_KEY', 'other-app', '--app', 'billing', '--env', 'prod'], { vault }));
    ok(await teamIn(file, ['push', '--domain', 'prod', '-f', '*:*:API_KEY', '--overwrite'], { vault }));
    expect(ok(await teamIn(file, ['decrypt', 'prod', '--secret', 'API_KEY'], { env: ALICE })).stdout).toBe('prod-value\n');
  });
});

describe('empty values are never stored by accident', () => {
  it('add-secret / update-secret / push refuse an empty value (E_EMPTY_VALUE) unless --allow-empty', async () => {
    const { file } = await fresh();
    const before = fs.readFileSync(file, 'utf8');
    const emptyFile = path.join(tmpdir(), 'empty');
    fs.writeFileSync(emptyFile, '');
    unchangedBy(file, await teamIn(file, ['add-secret', 'dev', 'E1', '']), before, 'E_EMPTY_VALUE');
    unchangedBy(file, await teamIn(file, ['add-secret', 'dev', 'E1'], { input: '\n' }), before, 'E_EMPTY_VALUE');
    unchangedBy(file, await teamIn(file, ['add-secret', 'dev', 'E1', '--from-file', emptyFile]), before, 'E_EMPTY_VALUE');
    unchangedBy(file, await teamIn(file, ['update-secret', 'dev', 'API_KEY', '']), before, 'E_EMPTY_VALUE');
    const native = await teamIn(file, ['add-secret', 'dev', 'E1', ''], { env: { SEEQRET_EXIT_CODES: 'native' } });
    expect([native.code, errorCode(native)]).toEqual([10, 'E_EMPTY_VALUE']);
    ok(await teamIn(file, ['add-secret', 'dev', 'E1', '', '--allow-empty']));
    ok(await teamIn(file, ['update-secret', 'dev', 'API_KEY', '--allow-empty'], { input: '' }));
    expect(JSON.parse(ok(await teamIn(file, ['decrypt', 'dev'], { env: ALICE })).stdout)).toMatchObject({ E1: '', API_KEY: '' });
    const vault = newVault({ user: 'alice' });
    const v = Vault.open({ dir: vault }); // an empty value already in the vault (however it got there)
    v.set({ env: 'dev', key: 'BLANK', value: '' });
    v.close();
    const after = fs.readFileSync(file, 'utf8');
    unchangedBy(file, await teamIn(file, ['push', '--domain', 'dev'], { vault }), after, 'E_EMPTY_VALUE');
  });
});

describe('every hint the team commands print leads to a command that works', () => {
  it('accept, trust, rotate, update-secret, push --app/--env, add-owner, and the lock file', async () => {
    const aliceVault = newVault({ user: 'alice' });
    const bobVault = newVault({ user: 'bob' });
    const dir = tmpdir();
    const file = path.join(dir, 'team file.yaml'); // a path that needs quoting, not the default name
    const v = { vault: aliceVault };
    await initAsAlice(file, aliceVault);
    const bobKey = must(/P[0-9a-f]{64}P/.exec(ok(await teamIn(file, ['add-custodian', 'bob@example.com', '--key-type', 'raw'], v)).stdout))[0];
    ok(await teamIn(file, ['add-domain', 'dev'], { env: ALICE, ...v }));
    ok(await teamIn(file, ['add-secret', 'dev', 'A', 'a'], v));
    // E_EXISTS → update-secret
    const exists = await teamIn(file, ['add-secret', 'dev', 'A', 'b'], v);
    expect(errorCode(exists)).toBe('E_EXISTS');
    ok(await runHint(exists.stderr, { input: 'b\n' }));
    // E_TEAM_NOT_OWNER → add-owner, run by an owner
    const notOwner = await teamIn(file, ['decrypt', 'dev'], { env: bobEnv(bobKey), ...v });
    expect(errorCode(notOwner)).toBe('E_TEAM_NOT_OWNER');
    ok(await runHint(notOwner.stderr, { env: { ...ALICE, SEEQRET: aliceVault } })); // for an owner, on their machine
    expect(ok(await teamIn(file, ['decrypt', 'dev', '--secret', 'A'], { env: bobEnv(bobKey), ...v })).stdout).toBe('b\n');
    // rm-owner without rotation → "run: seeqret … rotate dev"
    const rm = ok(await teamIn(file, ['rm-owner', 'dev', 'bob@example.com', '-y'], v));
    const rotateCmd = must(must(/run: (seeqret .*rotate dev)$/m.exec(rm.stderr))[1]);
    ok(await cliIn(splitCommandLine(rotateCmd).slice(1), { env: ALICE }));
    // Someone else's change → accept
    ok(await teamIn(file, ['add-custodian', 'carol@example.com', '--key-type', 'raw'], { vault: bobVault }));
    const untrusted = await teamIn(file, ['add-owner', 'dev', 'carol@example.com'], { env: ALICE, ...v });
    expect(errorCode(untrusted)).toBe('E_TEAM_UNTRUSTED');
    ok(await runHint(untrusted.stderr, { input: 'y\n' }));
    ok(await teamIn(file, ['add-owner', 'dev', 'carol@example.com'], { env: ALICE, ...v }));
    // An older version → accept
    const now = fs.readFileSync(file, 'utf8');
    ok(await teamIn(file, ['update-secret', 'dev', 'A', 'c'], v));
    const newer = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, now);
    const rollback = await teamIn(file, ['add-secret', 'dev', 'B', 'b'], v);
    expect(errorCode(rollback)).toBe('E_TEAM_ROLLBACK');
    ok(await runHint(rollback.stderr, { input: 'y\n' }));
    ok(await teamIn(file, ['add-secret', 'dev', 'B', 'b'], v));
    // Having accepted the revert, the version it undid is now the older one.
    fs.writeFileSync(file, newer);
    expect(errorCode(await teamIn(file, ['add-secret', 'dev', 'B2', 'b'], v))).toBe('E_TEAM_ROLLBACK');
    fs.writeFileSync(file, now);
    ok(await teamIn(file, ['accept', '--yes'], v));
    // Signed by someone not trusted yet → trust
    ok(await teamIn(file, ['add-owner', 'dev', 'bob@example.com'], { env: ALICE, ...v }));
    ok(await teamIn(file, ['sign'], { env: ALICE, ...v }));
    ok(await teamIn(file, ['accept', '--yes'], { vault: bobVault }));
    ok(await teamIn(file, ['add-secret', 'dev', 'FROM_BOB', 'x'], { env: bobEnv(bobKey), vault: bobVault }));
    const unknown = await teamIn(file, ['add-secret', 'dev', 'C', 'c'], { env: ALICE, ...v });
    expect(errorCode(unknown)).toBe('E_TEAM_UNTRUSTED');
    ok(await runHint(unknown.stderr, { input: 'y\n' }));
    ok(await teamIn(file, ['add-secret', 'dev', 'C', 'c'], { env: ALICE, ...v }));
    // push from another app/env → the hint names --app/--env
    ok(await cliIn(['add', 'key', 'PUSHED', 'p', '--app', 'web', '--env', 'staging'], v));
    const elsewhere = await teamIn(file, ['push', '--domain', 'dev', '-f', '::PUSHED'], { env: ALICE, ...v });
    expect(errorCode(elsewhere)).toBe('E_NOT_FOUND');
    ok(await runHint(elsewhere.stderr.replace(/Fix: They are in [^;]*; to push those: (.*)$/m, 'Fix: `$1`'), { env: ALICE }));
    expect(ok(await teamIn(file, ['decrypt', 'dev', '--secret', 'PUSHED'], { env: ALICE, ...v })).stdout).toBe('p\n');
    // A lock left by a process on another host → the rm in the hint
    fs.writeFileSync(`${file}.lock`, JSON.stringify({ pid: 1, host: 'elsewhere.example', start: '', at: Date.now(), nonce: 'n' }));
    const locked = await teamIn(file, ['add-secret', 'dev', 'D', 'd'], { env: { ...ALICE, SEEQRET_LOCK_TIMEOUT_MS: '200' }, ...v });
    expect(errorCode(locked)).toBe('E_LOCKED');
    const rmCmd = must(must(/remove the lock: (rm .*)$/m.exec(locked.stderr))[1]);
    const words = splitCommandLine(rmCmd);
    fs.rmSync(must(words[1]));
    expect(words.length).toBe(2);
    ok(await teamIn(file, ['add-secret', 'dev', 'D', 'd'], { env: ALICE, ...v }));
    // A key copied from the signature line of `team info` is what `trust --key` takes.
    const key = must(must(/signature: valid \(by alice@example\.com, key (\S+),/.exec(ok(await teamIn(file, ['info'], v)).stdout))[1]);
    const carolVault = newVault({ user: 'carol' });
    ok(await teamIn(file, ['trust', 'alice@example.com', '--key', key, '--yes'], { vault: carolVault }));
    expect(ok(await teamIn(file, ['verify'], { vault: carolVault })).stderr).toContain('signed by alice@example.com (trusted');
    // No team file here → init, as the hint says.
    const missing = path.join(dir, 'new team.yaml');
    const none = await teamIn(missing, ['list-domains'], v);
    expect([none.code, errorCode(none)]).toEqual([2, 'E_FILE_NOT_FOUND']);
    ok(await runHint(none.stderr, { env: { ...ALICE, SEEQRET_TEAM_NEW_PASSPHRASE: 'pw' } }));
    expect(ok(await teamIn(missing, ['list-domains'], v)).stderr).toContain('No domains');
    // A damaged or too open state file → the mv / chmod the message gives.
    const stateFile = path.join(aliceVault, 'team-state.json');
    fs.chmodSync(stateFile, 0o666);
    const open = await teamIn(file, ['list-domains'], v);
    expect(errorCode(open)).toBe('E_PERMISSIONS');
    const chmod = splitCommandLine(must(must(/; otherwise make it yours and private: (chmod .*)\.$/m.exec(open.stderr))[1]));
    expect(spawnSync(must(chmod[0]), chmod.slice(1)).status).toBe(0);
    ok(await teamIn(file, ['list-domains'], v));
    fs.writeFileSync(stateFile, '{');
    const damaged = await teamIn(file, ['list-domains'], v);
    expect(errorCode(damaged)).toBe('E_TEAM_FORMAT');
    const mv = splitCommandLine(must(must(/Fix: Move it aside \((mv [^)]*)\)/.exec(damaged.stderr))[1]));
    expect(spawnSync(must(mv[0]), mv.slice(1)).status).toBe(0);
    ok(await teamIn(file, ['list-domains'], v));
  });
});
