/**
 * Test helpers: temporary folders and the real CLI run as a child process.
 */
import { type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, expect } from 'vitest';
import { mac256 } from '../src/crypto/index.js';
import { SeeqretError } from '../src/errors.js';
import { Vault } from '../src/index.js';
import { auditKey } from '../src/vault/audit.js';
import { readKeyFile, unlockKeyFile } from '../src/vault/keyfile.js';
import { must } from './must.js';
import { registerTmp } from './tmp-registry.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BIN = path.join(ROOT, 'dist', 'bin', 'seeqret.js');
export const SHARED = path.resolve(ROOT, '..', 'shared');

/** A fresh temporary folder, removed after the test file (by test/setup.ts, test/tmp-registry.ts). */
export function tmpdir(prefix = 'seeqret-test-'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  registerTmp(d);
  return d;
}

/**
 * What {@link cleanEnv} does not pass on from the test process: Node options, and the machine's
 * extra certificate authorities (a CLI child here talks only to relays on 127.0.0.1, given their
 * CA with `--ca` where they use TLS; with NODE_EXTRA_CA_CERTS every Node child parses a CA bundle
 * at start, ~45 ms of CPU — bench/run.mjs leaves it out for the same reason). A test that is about
 * one of them sets it through `extra`.
 */
const NOT_INHERITED = new Set(['NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS']);

/** Environment for CLI children: no inherited SEEQRET_* settings or Node options, a private HOME, no colour. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env = new Map<string, string>();
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('SEEQRET') && !NOT_INHERITED.has(k) && !k.startsWith('VITEST')) env.set(k, v);
  env.set('NO_COLOR', '1');
  env.set('HOME', env.get('HOME_FOR_TESTS') ?? os.tmpdir());
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) env.delete(k);
    else env.set(k, v);
  }
  return Object.fromEntries(env);
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * With TEST_SPAWN_LOG=FILE, each CLI child process appends its test file's name to FILE (to count
 * the processes each file starts: `sort FILE | uniq -c`).
 */
function countSpawn(): void {
  const log = process.env['TEST_SPAWN_LOG'];
  if (log) fs.appendFileSync(log, `${path.basename(expect.getState().testPath ?? '?')}\n`);
}

/** Run `seeqret ARGS` synchronously. */
export function cli(args: string[], opts: CliOptions = {}): CliResult {
  countSpawn();
  const r: SpawnSyncReturns<string> = spawnSync(process.execPath, [BIN, ...(opts.vault ? ['--vault', opts.vault] : []), ...args], {
    encoding: 'utf8',
    input: opts.input ?? '',
    env: cleanEnv(opts.env),
    cwd: opts.cwd ?? ROOT,
    timeout: 60_000,
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Options of {@link cli} and {@link cliIn}: the vault (`--vault`), stdin, extra environment, working folder. */
export interface CliOptions {
  vault?: string;
  input?: string | Buffer;
  env?: Record<string, string | undefined>;
  cwd?: string;
}

/**
 * Run `seeqret ARGS` in this process (src/cli/run-in-process.ts): the same command tree, streams
 * and exit status as {@link cli}, with the same environment ({@link cleanEnv}), without a child
 * process. `signal` is always null.
 */
export async function cliIn(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return cliInWith(args, opts, {});
}

/**
 * {@link cliIn} with more of the run's seam set (`runCli`'s terminal flags, columns,
 * `selfCommand` …): the one place the in-process runs of the tests are made.
 */
export async function cliInWith(args: string[], opts: CliOptions, seam: Omit<import('../src/cli/run-in-process.js').InProcessIo, 'env' | 'cwd' | 'stdin'>): Promise<CliResult> {
  // One macrotask first: a run blocks the event loop while it works (SQLite, crypto), and a test
  // of many runs would otherwise starve the worker's RPC to vitest ("Timeout calling onTaskUpdate").
  await new Promise<void>((resolve) => setImmediate(resolve));
  const { runCli } = await import('../src/cli/run-in-process.js');
  const r = await runCli([...(opts.vault ? ['--vault', opts.vault] : []), ...args], { ...seam, env: cleanEnv(opts.env), cwd: opts.cwd ?? ROOT, stdin: opts.input ?? '' });
  return { code: r.status, signal: null, stdout: r.stdout, stderr: r.stderr };
}

/** Run `seeqret ARGS` asynchronously (for concurrency and signal tests). */
export function cliAsync(args: string[], opts: { vault?: string; input?: string; env?: Record<string, string | undefined>; cwd?: string } = {}): {
  child: ReturnType<typeof spawn>;
  done: Promise<CliResult>;
} {
  countSpawn();
  const child = spawn(process.execPath, [BIN, ...(opts.vault ? ['--vault', opts.vault] : []), ...args], {
    env: cleanEnv(opts.env),
    cwd: opts.cwd ?? ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin.end(opts.input ?? '');
  const done = new Promise<CliResult>((resolve) => child.on('close', (code, signal) => { resolve({ code, signal, stdout, stderr }); }));
  return { child, done };
}

/**
 * Run independent `seeqret` commands at the same time (each a child process, as {@link cliAsync});
 * results in the order given. For checks that change nothing (refusals), so order cannot matter.
 */
export function cliAll(runs: ReadonlyArray<readonly [string[], Parameters<typeof cliAsync>[1]?]>): Promise<CliResult[]> {
  return Promise.all(runs.map(([args, opts]) => cliAsync(args, opts).done));
}

/** {@link cliAll} in this process ({@link cliIn}): the runs are made one after another, results in the order given. */
export function cliAllIn(runs: ReadonlyArray<readonly [string[], CliOptions?]>): Promise<CliResult[]> {
  return Promise.all(runs.map(([args, opts]) => cliIn(args, opts)));
}

/**
 * Argon2id cost for the passphrase vaults tests make in-process: the library option
 * `kdfCost`, recorded in the key file (the CLI reads it from there). The shipped CLI has no way
 * to lower it; `seeqret init --passphrase` itself is tested end to end at the default cost.
 */
export const TEST_KDF = { opslimit: 1, memlimit: 8 * 1024 * 1024 } as const;

/**
 * A new vault in a new temp folder (DIR/seeqret, as `seeqret init DIR` makes it); returns the
 * vault folder. Made in-process by the library's `Vault.create` — what `init` calls — so each
 * vault has its own keys and costs no child process. `init` itself runs through the real CLI
 * in test/cli.test.ts and test/vault.test.ts.
 */
export function newVault(opts: { user?: string; passphrase?: string } = {}): string {
  const dir = path.join(tmpdir(), 'seeqret');
  const user = opts.user ?? 'alice';
  Vault.create({ dir, username: user, email: `${user}@example.com`, ...(opts.passphrase ? { passphrase: opts.passphrase, kdfCost: TEST_KDF } : {}) }).close();
  return dir;
}

/** Assert-friendly: the error code printed by the CLI (`seeqret: E_X: ...`). */
export function errorCode(r: CliResult): string | undefined {
  return /seeqret: (E_[A-Z0-9_]+):/.exec(r.stderr)?.[1];
}

/** The code of the SeeqretError `fn` throws, or `undefined` when it returns (other errors propagate). */
export function thrownCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof SeeqretError) return e.code;
    throw e;
  }
  return undefined;
}

/** Every secret of a vault with its value, by `app:env:key` (the vault opened read-only). */
export function vaultValues(vault: string): Record<string, string> {
  const v = Vault.open({ dir: vault, readonly: true });
  try {
    return Object.fromEntries(v.all().map((r) => [`${r.app}:${r.env}:${r.key}`, v.reveal(r)]));
  } finally {
    v.close();
  }
}

/** Everything a vault holds — secrets with values and history, users, the number of audit entries — to compare before and after. */
export function vaultState(vault: string): string {
  const v = Vault.open({ dir: vault, readonly: true });
  try {
    return JSON.stringify([v.dumpSecrets(), v.users().map((u) => [u.username, u.pubkey]), v.auditLog().length]);
  } finally {
    v.close();
  }
}

/**
 * Take a (passphrase-less) schema-5 vault back to schema 4 exactly as seeqret 1.0 left it: no row
 * MACs, no integrity records, no acceptance columns, the audit head in its old form (a MAC of the
 * last hash and the entry count). For upgrade tests.
 */
export function downgradeToSchema4(vault: string): void {
  const keyFile = path.join(vault, 'vault.key');
  const keys = unlockKeyFile(readKeyFile(keyFile), keyFile, undefined);
  const db = new Database(path.join(vault, 'vault.db'));
  try {
    db.exec(`
      DROP INDEX secrets_listing;
      ALTER TABLE users DROP COLUMN mac;
      ALTER TABLE secrets DROP COLUMN mac;
      ALTER TABLE secrets DROP COLUMN pending;
      ALTER TABLE secrets DROP COLUMN origin;
      ALTER TABLE secret_history DROP COLUMN mac;
      ALTER TABLE shares DROP COLUMN mac;
      ALTER TABLE loaded_bundles DROP COLUMN mac;
      ALTER TABLE pgp_keys DROP COLUMN mac;
      CREATE INDEX secrets_listing ON secrets (app, env, key, type, created_at, updated_at, version, exposed_at, exposed_by);
      DELETE FROM meta WHERE name LIKE 'integrity.%';
      DELETE FROM schema_migrations WHERE version >= 5;
    `);
    const last = db.prepare('SELECT hash FROM audit ORDER BY id DESC LIMIT 1').pluck().get() as Buffer;
    const n = db.prepare('SELECT count(*) FROM audit').pluck().get() as number;
    const head = mac256(auditKey(keys.dataKey), Buffer.from(`seeqret/audit-head/v1\0${n}\0`, 'utf8'), last).toString('base64');
    db.prepare("UPDATE meta SET value = ? WHERE name = 'audit_head'").run(head);
    db.pragma('user_version = 4');
  } finally {
    db.close();
  }
}

/** Run raw SQL on a vault's database, as someone who can write the file but has no key would. */
export function rawDatabase(vault: string, fn: (db: Database.Database) => void): void {
  const db = new Database(path.join(vault, 'vault.db'));
  try {
    fn(db);
  } finally {
    db.close();
  }
}

/**
 * What pasting FROM's `seeqret introduction` line into TO does
 * (`add user --username --email --name --pubkey`), and with `verify` also `users verify NAME --yes`, made in-process with the
 * library (`Vault.addUser`, `Vault.verifyUser`): setup for tests about something else. The paste
 * itself runs through the real CLI in test/sharing.test.ts (identities).
 */
export function introduce(from: string, to: string, opts: { verify?: boolean } = {}): void {
  const a = Vault.open({ dir: from, readonly: true });
  let owner;
  try {
    owner = a.owner();
  } finally {
    a.close();
  }
  const b = Vault.open({ dir: to });
  try {
    b.addUser({ username: owner.username, email: owner.email, name: owner.name, publicKey: Buffer.from(owner.pubkey, 'base64') });
    if (opts.verify) b.verifyUser(owner.username);
  } finally {
    b.close();
  }
}

/**
 * Secrets put into a vault in-process (`Vault.set`, what `add key` calls): setup for tests about
 * something else. `add key` itself runs through the real CLI in test/cli.test.ts and others.
 */
export function addSecrets(vault: string, ...secrets: Array<{ app?: string; env?: string; key: string; value: string }>): void {
  const v = Vault.open({ dir: vault });
  try {
    for (const s of secrets) v.set(s);
  } finally {
    v.close();
  }
}

/** One entry of a SecureStore secrets.json, as the file holds it (base64 fields). */
export type SsEntry = { iv: string; hmac: string; payload: string };
/** A SecureStore secrets.json, parsed (for tests that read or edit the file itself). */
export type SsFile = { version: number; iv: string; sentinel: SsEntry; secrets: Record<string, SsEntry> };
/** `text` (a secrets.json) parsed as {@link SsFile}. */
export function ssFile(text: string): SsFile {
  return JSON.parse(text) as SsFile;
}
/** Entry `name` of `file`, which must have it. */
export function ssEntry(file: SsFile, name: string): SsEntry {
  return must(file.secrets[name], `entry ${name}`);
}

/**
 * A maker of in-process vaults (user `alice` unless named, in a fresh temporary folder) that the
 * calling test file closes after each test. Call it once at the top level of the file.
 */
export function vaultsClosedAfterEach(): (user?: string) => Vault {
  const open: Vault[] = [];
  afterEach(() => {
    for (const v of open.splice(0)) v.close();
  });
  return (user = 'alice') => {
    const v = Vault.create({ dir: path.join(tmpdir(), user), username: user, email: `${user}@example.com` });
    open.push(v);
    return v;
  };
}

/** Make the in-process vaults of alice and bob know and verify each other. */
export function aliceAndBobVerified(alice: Vault, bob: Vault): void {
  alice.addUser({ username: 'bob', publicKey: bob.publicKey });
  alice.verifyUser('bob');
  bob.addUser({ username: 'alice', publicKey: alice.publicKey });
  bob.verifyUser('alice');
}

/**
 * The lowest Argon2id cost a team file's custodian entry accepts (libsodium's minimum: 1 pass,
 * 8 KiB): for custodians tests make through the library (`TeamFile.addCustodian`), recorded in
 * the file, so every process that unlocks them pays it. The CLI offers only `fast` and `hard`.
 */
export const TEST_TEAM_KDF = { opslimit: 1, memlimit: 8192 } as const;

/** The scrypt work factor (log2 N) of the backups {@link backupIn} makes: age's default is 18. */
export const TEST_BACKUP_LOG_N = 10;

/**
 * What `seeqret backup -o FILE` writes — its use case, `writeBackup` (src/sharing/restore.ts):
 * the age file, with `html` the page next to it, and the `backup` audit entry — made in-process
 * at scrypt work factor {@link TEST_BACKUP_LOG_N} instead of age's 18 (about 2.4 s of CPU per
 * encryption or decryption in typage). For tests whose subject is what `restore` does with a
 * backup, not the backup command: the work factor is recorded in the file, so `restore` pays the
 * low one too. `seeqret backup` itself runs at the default work factor as a child process in
 * test/output-paths.test.ts (its file's header checked).
 */
export async function backupIn(vault: string, file: string, passphrase: string, opts: { includeKeys?: boolean; armor?: boolean; html?: boolean } = {}): Promise<void> {
  const { writeBackup } = await import('../src/sharing/restore.js');
  const v = Vault.open({ dir: vault });
  try {
    await writeBackup(v, { file, passphrase, includeKeys: opts.includeKeys === true, armor: opts.armor === true, html: opts.html === true, logN: TEST_BACKUP_LOG_N }, { info: () => undefined, warn: () => undefined });
  } finally {
    v.close();
  }
}

/**
 * {@link cliIn} as if stdin, stdout and stderr were a terminal of `columns` columns (default 80):
 * what a person at a terminal sees (tables with borders, data escaped), through the same seam
 * (`runCli`'s `stdinIsTTY`/`stdoutIsTTY`/`stderrIsTTY`). The real executable on a real
 * pseudo-terminal is test/pty.ts and the `script` transcripts of test/terminal-safety.test.ts.
 */
export async function cliInTerminal(args: string[], opts: CliOptions & { columns?: number } = {}): Promise<CliResult> {
  return cliInWith(args, opts, { stdinIsTTY: true, stdoutIsTTY: true, stderrIsTTY: true, columns: opts.columns ?? 80 });
}
