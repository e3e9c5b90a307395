/**
 * The team use cases called in-process (no CLI, no process.env, no terminal): a real team file
 * in a temp folder, real crypto (fast and raw custodian keys), a real vault for pull/push. The
 * environment and the answers a person would type come in through the session.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_TEAM_KDF, tmpdir } from './helpers.js';
import { SeeqretError } from '../src/errors.js';
import { type PassphraseRequest, type PassphraseSource, passphraseChain } from '../src/passphrase.js';
import { NO_PROMPTS, type TeamPrompts, resolveUser, unlockCustodian } from '../src/team/credentials.js';
import { planNewCustodian, removeCustodian } from '../src/team/custodians.js';
import { pullDomain } from '../src/team/pull.js';
import { pushDomain } from '../src/team/push.js';
import { type TeamEnvironment, type TeamSession, isTeamFileError, openTeam, openedVault } from '../src/team/session.js';
import { applyAccept, planAccept } from '../src/team/signing.js';
import { TeamFile } from '../src/team/store.js';
import { writeTeam } from '../src/team/write.js';
import { Vault } from '../src/vault/vault.js';
import { must, rejected } from './must.js';

const ALICE = { SEEQRET_TEAM_USER: 'alice@example.com', SEEQRET_TEAM_PASSPHRASE: 'alice pass' };

const open: Vault[] = [];
afterEach(() => {
  for (const v of open.splice(0)) v.close();
});

function vault(dir: string): Vault {
  const v = Vault.create({ dir, username: 'me', email: 'me@example.com' });
  open.push(v);
  return v;
}

/** Answers a person would give, recorded: the raw keys shown, the passphrase requests (`source`: the person at the end of the passphrase chain). */
function person(answers: { passphrase?: string; confirm?: boolean } = {}): TeamPrompts & { keys: string[]; asked: PassphraseRequest[]; diffs: string[]; source: PassphraseSource } {
  const keys: string[] = [];
  const asked: PassphraseRequest[] = [];
  const diffs: string[] = [];
  return {
    ...NO_PROMPTS,
    nonInteractive: false,
    interactive: answers.passphrase !== undefined,
    keys,
    asked,
    diffs,
    rawKey: (k) => (keys.push(k), Promise.resolve(true)),
    source: {
      passphrase: (r) => (answers.passphrase === undefined ? Promise.resolve(undefined) : (asked.push(r), Promise.resolve(Buffer.from(answers.passphrase)))),
    },
    confirmWrite: (d) => (diffs.push(d), Promise.resolve(answers.confirm === true)),
  };
}

/** A session on `file`, with the pins of `vaultDir` (and that vault's key for identity custodians). */
function session(file: string, vaultDir: string, env: TeamEnvironment, more: Partial<TeamSession> = {}): TeamSession {
  const prompts = more.prompts ?? person();
  return {
    file,
    vaultDir,
    env,
    credentials: {},
    prompts,
    passphrases: 'source' in prompts ? (prompts.source as PassphraseSource) : passphraseChain([]),
    vault: {
      identity: () => Promise.reject(new Error('no identity custodian here')),
      use: () => Promise.reject(new Error('no vault here')),
    },
    ...more,
  };
}

/**
 * alice created the file, owns `dev` with DB=hunter2; bob is a raw custodian. With `fast`, alice
 * is added by the use case (`planNewCustodian`, key type fast); otherwise directly with the lowest
 * Argon2id cost the format records (TEST_TEAM_KDF), for tests about something else.
 */
async function team(aliceKey: 'fast' | 'test' = 'test'): Promise<{ file: string; dir: string; bobKey: string; alice: TeamSession }> {
  const dir = tmpdir();
  const file = path.join(dir, 'protected.yaml');
  const stateDir = path.join(dir, 'seeqret');
  const alice = session(file, stateDir, ALICE);
  const user = (await resolveUser(alice)).value;
  const created = aliceKey === 'fast' ? (await planNewCustodian(alice, user, { keyType: 'fast' })).change(TeamFile.create(file)) : TeamFile.create(file).addCustodian(user, ALICE.SEEQRET_TEAM_PASSPHRASE, TEST_TEAM_KDF);
  await writeTeam(alice, null, () => created, { create: true, pre: created });
  const prompts = person();
  const adding = session(file, stateDir, {}, { prompts });
  const tf = openTeam(adding, 'write').tf;
  await writeTeam(adding, tf, (await planNewCustodian(adding, 'bob@example.com', { keyType: 'raw' }, tf)).change);
  const me = must((await unlockCustodian(alice, openTeam(alice, 'write').tf)));
  await writeTeam(alice, openTeam(alice, 'write').tf, (f) => f.addDomain('dev', me), { signer: me });
  await writeTeam(alice, openTeam(alice, 'write').tf, (f) => f.addSecret('dev', 'DB', 'hunter2'));
  return { file, dir, bobKey: must(prompts.keys[0]), alice };
}

describe('init, custodians, domains, secrets', () => {
  it('creates the file, adds a raw custodian (its key shown once through the prompts), a domain and a secret that decrypts', async () => {
    const { file, bobKey, alice } = await team('fast');
    expect(bobKey).toMatch(/^P[0-9a-f]{64}P$/);
    const tf = TeamFile.open(file);
    expect(tf.custodianNames().sort()).toEqual(['alice@example.com', 'bob@example.com']);
    const me = must((await unlockCustodian(alice, tf)));
    expect(tf.decryptDomain('dev', me)).toEqual(new Map([['DB', 'hunter2']]));
    // A second init is the team file's own error (pprotect exits 2 for it), and writes nothing.
    const before = fs.readFileSync(file, 'utf8');
    const e = await rejected(writeTeam(alice, null, () => tf, { create: true, pre: tf }));
    expect([e.code, isTeamFileError(e)]).toEqual(['E_EXISTS', true]);
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
  });

  it('removing an owner-custodian reports what they could read, with the commands to run, as data', async () => {
    const { file, bobKey, alice } = await team();
    const me = must((await unlockCustodian(alice, TeamFile.open(file))));
    await writeTeam(alice, openTeam(alice, 'write').tf, (f) => f.addOwner('dev', 'bob@example.com', me), { signer: me });
    const bob = session(file, alice.vaultDir, { SEEQRET_TEAM_USER: 'bob@example.com', SEEQRET_TEAM_PASSPHRASE: bobKey });
    expect(TeamFile.open(file).decryptDomain('dev', must((await unlockCustodian(bob, TeamFile.open(file))))).get('DB')).toBe('hunter2');
    const r = await removeCustodian(alice, openTeam(alice, 'write').tf, 'bob@example.com', true);
    expect(r.readable).toEqual([{ domain: 'dev', secrets: ['DB'], rotated: true }]);
    expect(TeamFile.open(file).owners('dev')).toEqual(['alice@example.com']);
  });

  it('--confirm: the diff goes to the prompts under the lock; no answer, nothing written; --non-interactive refuses first', async () => {
    const { file, alice } = await team();
    const before = fs.readFileSync(file, 'utf8');
    const prompts = person({ confirm: false });
    const s = { ...alice, prompts, confirmWrites: true };
    const e = await rejected(writeTeam(s, openTeam(s, 'write').tf, (f) => f.addSecret('dev', 'API', 'k')));
    expect(e.code).toBe('E_ABORTED');
    expect(prompts.diffs[0]).toContain('+');
    expect(prompts.diffs[0]).not.toContain('hunter2');
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
    const quiet = { ...s, prompts: NO_PROMPTS };
    expect((await rejected(writeTeam(quiet, openTeam(quiet, 'write').tf, (f) => f.addSecret('dev', 'API', 'k')))).code).toBe('E_USAGE');
  });
});

describe('trust', () => {
  it('a change this vault did not verify is refused for writes (E_TEAM_UNTRUSTED), warned about for reads, and writable again once accepted', async () => {
    const { file, dir, alice } = await team();
    // Someone else, with pins of their own, adds a custodian: a key change alice's vault never saw.
    const other = session(file, path.join(dir, 'other'), { SEEQRET_TEAM_NEW_PASSPHRASE: 'mallory pass' });
    const tf = openTeam(other, 'write').tf;
    await writeTeam(other, tf, (await planNewCustodian(other, 'mallory@example.com', { keyType: 'fast' }, tf)).change);
    const write = await rejected(Promise.resolve().then(() => openTeam(alice, 'write')));
    expect(write.code).toBe('E_TEAM_UNTRUSTED');
    expect(write.fix).toContain('seeqret team accept');
    expect((await rejected(writeTeam(alice, TeamFile.open(file), (f) => f.addSecret('dev', 'X', 'y')))).code).toBe('E_TEAM_UNTRUSTED');
    const read = openTeam(alice, 'read');
    expect(read.notices).toEqual([expect.objectContaining({ level: 'warning', text: expect.stringContaining('changed since your vault verified it') })]);
    const plan = planAccept(alice);
    expect(plan.same).toBe(false);
    expect(plan.changes.join('\n')).toContain('mallory@example.com');
    await expect(applyAccept(alice, plan, 'not the fingerprint')).rejects.toMatchObject({ code: 'E_FINGERPRINT_MISMATCH' });
    await applyAccept(alice, plan, plan.fingerprint);
    const w = await writeTeam(alice, openTeam(alice, 'write').tf, (f) => f.addSecret('dev', 'X', 'y'));
    expect(w.written).toBe(true);
  });

  it('a missing file is the team file error (E_FILE_NOT_FOUND)', () => {
    const s = session(path.join(tmpdir(), 'none.yaml'), tmpdir(), {});
    let e: unknown;
    try {
      openTeam(s);
    } catch (x) {
      e = x;
    }
    expect([(e as SeeqretError).code, isTeamFileError(e)]).toEqual(['E_FILE_NOT_FOUND', true]);
  });
});

describe('credentials come from the session, in one order', () => {
  it('option, SEEQRET_TEAM_*, {PREFIX}_* (PPROTECT_ENV_PREFIX or envPrefix), then the prompt; ignoreEnv skips the variables', async () => {
    const { file, bobKey, alice } = await team();
    const tf = TeamFile.open(file);
    const bob = { user: 'bob@example.com' };
    const as = async (env: TeamEnvironment, more: Partial<TeamSession> = {}): Promise<string | undefined> => (await unlockCustodian(session(file, alice.vaultDir, env, more), tf))?.name;
    // SEEQRET_TEAM_* before PPROTECT_*.
    expect(await as({ ...ALICE, PPROTECT_USER: 'bob@example.com', PPROTECT_PASSPHRASE: bobKey })).toBe('alice@example.com');
    expect(await as({ PPROTECT_USER: 'bob@example.com', PPROTECT_PASSPHRASE: bobKey })).toBe('bob@example.com');
    // Another prefix: from the environment, or given.
    expect(await as({ PPROTECT_ENV_PREFIX: 'TEAM', TEAM_USER: 'bob@example.com', TEAM_PASSPHRASE: bobKey })).toBe('bob@example.com');
    expect(await as({ X_USER: 'bob@example.com', X_PASSPHRASE: bobKey }, { credentials: { envPrefix: 'X' } })).toBe('bob@example.com');
    // The option names the user; the passphrase file beats the variable.
    const pf = path.join(tmpdir(), 'pass');
    fs.writeFileSync(pf, `${bobKey}\n`);
    expect(await as({ SEEQRET_TEAM_PASSPHRASE: 'wrong' }, { credentials: { ...bob, passphraseFile: pf } })).toBe('bob@example.com');
    // A wrong passphrase says where each part came from; no other source is tried.
    const wrong = await rejected(as({ SEEQRET_TEAM_USER: 'bob@example.com', SEEQRET_TEAM_PASSPHRASE: 'P' + '00'.repeat(32) + 'P', PPROTECT_PASSPHRASE: bobKey }));
    expect([wrong.code, wrong.message]).toEqual(['E_TEAM_CREDENTIALS', expect.stringContaining('user from env var SEEQRET_TEAM_USER, passphrase from env var SEEQRET_TEAM_PASSPHRASE')]);
    // ignoreEnv: the variables are not read; nobody to ask → E_PASSPHRASE_REQUIRED, or the prompt when someone is there.
    expect((await rejected(as(ALICE, { credentials: { ignoreEnv: true }, prompts: NO_PROMPTS }))).code).toBe('E_PASSPHRASE_REQUIRED');
    const prompts = person({ passphrase: bobKey });
    expect(await as(ALICE, { credentials: { ...bob, ignoreEnv: true }, prompts })).toBe('bob@example.com');
    expect(prompts.asked).toEqual([{ kind: 'team', label: 'Passphrase of bob@example.com', target: file }]);
    // optional (push): no credentials at hand → undefined, never a question.
    expect(await unlockCustodian(session(file, alice.vaultDir, {}, { prompts: person({ passphrase: bobKey }) }), tf, { optional: true })).toBeUndefined();
  });
});

describe('pull and push through a real vault', () => {
  it('pull copies a domain into *:DOMAIN (audited); push sends back only the changed values of that app and env', async () => {
    const { file, dir, alice } = await team();
    const v = vault(path.join(dir, 'vault'));
    const s = { ...alice, vault: openedVault(v) };
    const pulled = await pullDomain(s, { domain: 'dev' });
    expect([pulled.summary.added, pulled.by, pulled.app, pulled.env]).toEqual([1, 'alice@example.com', '*', 'dev']);
    expect(v.reveal(must(v.lookup('*', 'dev', 'DB')))).toBe('hunter2');
    expect(v.auditLog().some((e) => e.action === 'team.pull')).toBe(true);
    // Conflicts as in load: another value here is skipped unless overwrite.
    v.set({ app: '*', env: 'dev', key: 'DB', value: 'mine' }, { replace: true });
    expect((await pullDomain(s, { domain: 'dev' })).summary.skipped).toBe(1);
    v.set({ app: '*', env: 'dev', key: 'NEW', value: 'n1' });
    v.set({ app: 'web', env: 'prod', key: 'OTHER', value: 'never pushed' });
    // The domain's other value of DB is kept without overwrite (as pull keeps the vault's).
    const kept = await pushDomain(s, { domain: 'dev' });
    expect([kept.pushed, kept.added, kept.unchanged, kept.skipped]).toEqual([['NEW'], 1, 0, ['DB']]);
    const pushed = await pushDomain(s, { domain: 'dev', overwrite: true });
    expect([pushed.pushed, pushed.added, pushed.unchanged, pushed.compared]).toEqual([['DB'], 0, 1, true]);
    const me = must((await unlockCustodian(alice, TeamFile.open(file))));
    expect(TeamFile.open(file).decryptDomain('dev', me)).toEqual(new Map([['DB', 'mine'], ['NEW', 'n1']]));
    expect((await pushDomain(s, { domain: 'dev' })).write).toBeNull(); // nothing changed
    // Nothing in that app and env matches: the fix names where the matches are.
    const e = await rejected(pushDomain(s, { domain: 'dev', filters: ['OTHER'] }));
    expect([e.code, e.fix]).toEqual(['E_NOT_FOUND', expect.stringContaining("--app web --env prod -f '*:*:OTHER'")]);
  });
});
