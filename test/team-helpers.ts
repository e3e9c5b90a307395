/**
 * Helpers shared by the `seeqret team` CLI tests: the real CLI on a team file, a file made from
 * scratch, credentials of its custodians.
 */
import fs from 'node:fs';
import path from 'node:path';
import { NO_PROMPTS, requireCustodian, resolveUser } from '../src/team/credentials.js';
import { passphraseChain } from '../src/passphrase.js';
import { planNewCustodian } from '../src/team/custodians.js';
import { type TeamSession, openTeam } from '../src/team/session.js';
import { TeamFile } from '../src/team/store.js';
import { writeTeam } from '../src/team/write.js';
import { type CliResult, SHARED, TEST_TEAM_KDF, cli, cliAsync, cliIn, tmpdir } from './helpers.js';
import { must } from './must.js';

export const FIXTURE = path.join(SHARED, 'fixtures', 'pocket-protector', 'protected.yaml');
export const FAST = { SEEQRET_TEAM_USER: 'fast@example.com', SEEQRET_TEAM_PASSPHRASE: 'fast-passphrasë' };
export const RAW = { SEEQRET_TEAM_USER: 'raw@example.com', SEEQRET_TEAM_PASSPHRASE: `P${'11'.repeat(32)}P` };
export const ALICE = { SEEQRET_TEAM_USER: 'alice@example.com', SEEQRET_TEAM_PASSPHRASE: 'alice pass' };

export type Env = Record<string, string | undefined>;

export function fixtureCopy(): string {
  const file = path.join(tmpdir(), 'protected.yaml');
  fs.copyFileSync(FIXTURE, file);
  return file;
}

/**
 * The folder whose pins (team-state.json) a command without `vault` uses: one per team file, so
 * that tests on copies of the same fixture do not see each other's pins (a copy of a file your
 * vault saw change is, rightly, an older version of it).
 */
const stateDirs = new Map<string, string>();
export function stateDirOf(file: string): string {
  let d = stateDirs.get(file);
  if (!d) stateDirs.set(file, (d = path.join(tmpdir(), 'seeqret')));
  return d;
}

function teamArgs(file: string, args: string[], vault: string | undefined): string[] {
  return [...(vault ? ['--vault', vault] : []), 'team', '--file', file, ...args];
}

function teamEnv(file: string, opts: { env?: Env; vault?: string }): Env {
  return { ...(opts.vault ? {} : { SEEQRET: stateDirOf(file) }), ...(opts.env ?? {}) };
}

/** `seeqret [--vault V] team --file FILE ARGS` (pins in a folder of that file's own unless `vault`). */
export function team(file: string, args: string[], opts: { env?: Env; input?: string; vault?: string } = {}): CliResult {
  return cli(teamArgs(file, args, opts.vault), { env: teamEnv(file, opts), ...(opts.input !== undefined ? { input: opts.input } : {}) });
}

/** {@link team}, run in this process ({@link cliIn}, the in-process runner): for tests of logic and output. */
export function teamIn(file: string, args: string[], opts: { env?: Env; input?: string; vault?: string } = {}): Promise<CliResult> {
  return cliIn(teamArgs(file, args, opts.vault), { env: teamEnv(file, opts), ...(opts.input !== undefined ? { input: opts.input } : {}) });
}

/** {@link team}, asynchronously (for concurrent writers). */
export function teamAsync(file: string, args: string[], opts: { env?: Env; input?: string; vault?: string } = {}): Promise<CliResult> {
  return cliAsync(teamArgs(file, args, opts.vault), { env: teamEnv(file, opts), ...(opts.input !== undefined ? { input: opts.input } : {}) }).done;
}

export function ok(r: CliResult): CliResult {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
  return r;
}

/**
 * A new file: alice (Argon2id at {@link TEST_TEAM_KDF}) owns dev with DB_PASSWORD and API_KEY; bob is a raw custodian. Returns
 * bob's key. Made in-process by the team use cases the CLI calls (`init`, `add-custodian`,
 * `add-domain`, `add-secret`), with the pins in the same folder the CLI would use; these commands
 * run through the real CLI in {@link freshCli} (test/team-cli.test.ts).
 */
export async function fresh(opts: { vault?: string } = {}): Promise<{ file: string; bobKey: string }> {
  const file = path.join(tmpdir(), 'protected.yaml');
  const vaultDir = opts.vault ?? stateDirOf(file);
  const keys: string[] = [];
  const session = (env: Env): TeamSession => ({
    file,
    vaultDir,
    env,
    credentials: {},
    prompts: { ...NO_PROMPTS, rawKey: (k) => (keys.push(k), Promise.resolve(true)) },
    passphrases: passphraseChain([]),
    vault: { identity: () => Promise.reject(new Error('no identity custodian here')), use: () => Promise.reject(new Error('no vault here')) },
  });
  const alice = session(ALICE);
  // Alice's Argon2id cost is recorded in her custodian entry: the lowest the format accepts
  // (TEST_TEAM_KDF), as the library allows and the CLI does not; the KDF at the `fast` and `hard`
  // costs is tested in test/team-cli.test.ts (freshCli, the fixture) and test/team-format.test.ts.
  const created = TeamFile.create(file).addCustodian((await resolveUser(alice)).value, ALICE.SEEQRET_TEAM_PASSPHRASE, TEST_TEAM_KDF);
  await writeTeam(alice, null, () => created, { create: true, pre: created });
  const anyone = session({});
  const tf = openTeam(anyone, 'write').tf;
  await writeTeam(anyone, tf, (await planNewCustodian(anyone, 'bob@example.com', { keyType: 'raw' }, tf)).change);
  const me = await requireCustodian(alice, openTeam(alice, 'write').tf);
  await writeTeam(alice, openTeam(alice, 'write').tf, (f) => f.addDomain('dev', me), { signer: me });
  await writeTeam(anyone, openTeam(anyone, 'write').tf, (f) => f.addSecret('dev', 'DB_PASSWORD', 'hunter2'));
  await writeTeam(anyone, openTeam(anyone, 'write').tf, (f) => f.addSecret('dev', 'API_KEY', "it's ünï"));
  return { file, bobKey: must(keys[0]) };
}

/** {@link fresh} through the CLI (in-process, {@link teamIn}): `team init`, `add-custodian`, `add-domain`, `add-secret` (stdin and argument). */
export async function freshCli(opts: { vault?: string } = {}): Promise<{ file: string; bobKey: string }> {
  const file = path.join(tmpdir(), 'protected.yaml');
  const v = opts.vault ? { vault: opts.vault } : {};
  ok(await teamIn(file, ['init', '--key-type', 'fast'], { env: ALICE, ...v }));
  const r = ok(await teamIn(file, ['add-custodian', 'bob@example.com', '--key-type', 'raw'], v));
  const bobKey = must(/P[0-9a-f]{64}P/.exec(r.stdout))[0];
  ok(await teamIn(file, ['add-domain', 'dev'], { env: ALICE, ...v }));
  ok(await teamIn(file, ['add-secret', 'dev', 'DB_PASSWORD'], { input: 'hunter2\n', ...v }));
  ok(await teamIn(file, ['add-secret', 'dev', 'API_KEY', "it's ünï"], v));
  return { file, bobKey };
}

/** A file holding `passphrase`. */
export function passFile(passphrase: string): string {
  const f = path.join(tmpdir(), 'pass');
  fs.writeFileSync(f, passphrase);
  return f;
}

export const bobEnv = (key: string): Env => ({ SEEQRET_TEAM_USER: 'bob@example.com', SEEQRET_TEAM_PASSPHRASE: key });
