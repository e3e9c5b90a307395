/**
 * Nothing another person wrote can control your terminal (issue 11, item 4), through the real CLI.
 *
 * Every text of a hostile corpus (test/fixtures/hostile-text.json: ESC, CSI, OSC 52, OSC 8 and
 * DCS sequences, C1 controls, CR and backspace overwrites, bidi overrides and isolates, zero-width
 * and other format characters, U+2028/2029, NUL, DEL, tags…) is injected through each way text
 * from others enters: a bundle from another vault (crafted at the crypto level, since the CLI
 * refuses to make it), `add user`, a restored backup (decrypted, edited, encrypted again), an
 * OpenPGP key's user ID, a protected.yaml edited by hand, a SecureStore secrets.json, a psec
 * description file, seeqret.yaml and env.template, an old (v1) vault. Then the commands that
 * print it run (in-process, through `cliIn`: the same command tree and streams as the executable),
 * and their stdout and stderr may not hold one of those characters raw. `get` and
 * `--format csv|env|shell` keep the exact data through a pipe; on a terminal they are checked
 * too: in-process as on a terminal (`cliInTerminal`), and on a real pseudo-terminal (util-linux
 * `script`, the real executable as a child) once for each family of commands with its own
 * executable path or exit profile: `get` (its fast path), `team` and `ss`. `--format json|yaml` must give the
 * exact data back to a parser while escaping.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { binaryString } from './fc-helpers.js';
import * as openpgp from 'openpgp';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { generateIdentity, keyToBase64 } from '../src/crypto/index.js';
import { KeySource, SecretsManager } from '../src/securestore/manager.js';
import { decryptBackup, encryptDump } from '../src/sharing/backup.js';
import { makeBackup } from '../src/sharing/restore.js';
import { TeamFile } from '../src/team/store.js';
import { type BundleSecret, createBundle } from '../src/sharing/bundle.js';
import { printable } from '../src/util/text.js';
import { Vault } from '../src/vault/vault.js';
import { BIN, type CliResult, ROOT, SHARED, cleanEnv, cliIn, cliInTerminal, errorCode, newVault, tmpdir } from './helpers.js';
import { vaultIdentitySecretKey } from '../src/vault/internal.js';
import { must } from './must.js';

const CORPUS = (JSON.parse(fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'hostile-text.json'), 'utf8')) as { corpus: Array<{ name: string; text: string }> }).corpus;
const TEXTS = CORPUS.map((c) => c.text);
/**
 * For paths that take one text per command run: the corpus in groups of four, joined (short enough
 * that no message cuts one off), so that every text is tried in a few runs.
 */
const CHUNKS = Array.from({ length: Math.ceil(TEXTS.length / 4) }, (_, k) => ({
  name: CORPUS.slice(k * 4, k * 4 + 4).map((c) => c.name).join(', '),
  text: TEXTS.slice(k * 4, k * 4 + 4).join(''),
}));
/** The same without NUL, which no command-line argument can hold. */
const ARG_CHUNKS = CHUNKS.map((c) => ({ ...c, text: c.text.replace(/\0/g, '') }));

/** What may never reach a terminal raw: controls but LF, format characters, separators, surrogates; U+FFFD would hide a raw C1 byte. */
const FORBIDDEN = /(?!\n)[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\uFFFD]/u;

function where(text: string): string | null {
  const m = FORBIDDEN.exec(text);
  if (!m) return null;
  return `U+${must(m[0].codePointAt(0)).toString(16).toUpperCase().padStart(4, '0')} at ${m.index}: ${JSON.stringify(text.slice(Math.max(0, m.index - 50), m.index + 30))}`;
}

/** Assert that nothing the command printed can control a terminal. */
function safe(r: CliResult, what: string): CliResult {
  expect(where(r.stdout), `${what}: stdout`).toBeNull();
  expect(where(r.stderr), `${what}: stderr`).toBeNull();
  return r;
}

function ok(r: CliResult): CliResult {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
  return r;
}

const hasScript = fs.existsSync('/usr/bin/script') || fs.existsSync('/bin/script');
if (!hasScript) console.log('terminal-safety: util-linux `script` is missing; the pseudo-terminal checks are skipped');

const sh = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Run `seeqret ARGS` on a pseudo-terminal; the transcript (stdout and stderr, LF line ends). */
function tty(args: string[], opts: { vault?: string; cwd?: string; env?: Record<string, string> } = {}): string {
  const command = [process.execPath, BIN, ...(opts.vault ? ['--vault', opts.vault] : []), ...args].map(sh).join(' ');
  const r = spawnSync('script', ['-qec', `stty cols 100; ${command}`, '/dev/null'], { cwd: opts.cwd ?? ROOT, env: cleanEnv({ TERM: 'dumb', ...opts.env }), encoding: 'utf8', input: '', timeout: 60_000 });
  return r.stdout.replace(/\r\n/g, '\n');
}

function ttySafe(args: string[], opts: { vault?: string; cwd?: string; env?: Record<string, string> } = {}): string {
  const t = tty(args, opts);
  expect(where(t), `on a terminal: seeqret ${args.join(' ')}`).toBeNull();
  return t;
}

/**
 * `seeqret ARGS` in-process as if on a terminal of 100 columns (`cliInTerminal`): the rendering a
 * terminal gets, through the same seam. `get`, `team decrypt` and `ss get` also run as the
 * executable on a pseudo-terminal (`ttySafe`), so the process's own terminal detection is
 * checked too.
 */
async function terminalSafe(args: string[], opts: { vault?: string; cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  return safe(await cliInTerminal(args, { ...opts, env: { TERM: 'dumb', ...opts.env }, columns: 100 }), `on a terminal (in-process): seeqret ${args.join(' ')}`);
}

/** Add the owner of vault FROM as a user of vault TO. */
async function know(from: string, to: string): Promise<void> {
  const v = Vault.open({ dir: from, readonly: true });
  const pub = keyToBase64(v.publicKey);
  const name = v.owner().username;
  v.close();
  ok(await cliIn(['add', 'user', '--username', name, '--email', `${name}@example.com`, '--pubkey', pub], { vault: to }));
}

/** alice and bob, each knowing the other. */
async function pair(): Promise<{ alice: string; bob: string }> {
  const alice = newVault({ user: 'alice' });
  const bob = newVault({ user: 'bob' });
  await know(alice, bob);
  await know(bob, alice);
  return { alice, bob };
}

/** A bundle from alice's vault to bob's, made with the library (the CLI refuses such names). */
function craftBundle(alice: string, bob: string, sender: { username: string; email: string | null }, secrets: BundleSecret[]): string {
  const a = Vault.open({ dir: alice, readonly: true });
  const b = Vault.open({ dir: bob, readonly: true });
  try {
    const { text } = createBundle({ ...sender, pubkey: a.publicKey }, vaultIdentitySecretKey(a), { username: 'bob', pubkey: b.publicKey }, secrets);
    const file = path.join(tmpdir(), 'bundle.json');
    fs.writeFileSync(file, text);
    return file;
  } finally {
    a.close();
    b.close();
  }
}

const valueKeys = TEXTS.map((_, i) => `V${i}`);
/** These tests run a hundred CLI commands each: generous under a loaded machine. */
const SLOW = 300_000;

describe('printable', () => {
  it('never leaves a forbidden character, is idempotent, and is injective on text without a backslash', () => {
    fc.assert(
      fc.property(binaryString({ maxLength: 60 }), (s) => {
        const p = printable(s);
        expect(where(p)).toBeNull();
        expect(printable(p)).toBe(p);
      }),
      { numRuns: 2000 },
    );
    const noBackslash = binaryString({ maxLength: 12 }).filter((s) => !s.includes('\\'));
    fc.assert(
      fc.property(noBackslash, noBackslash, (a, b) => {
        if (a !== b) expect(printable(a)).not.toBe(printable(b));
      }),
      { numRuns: 2000 },
    );
    // The documented collision: text that already spells an escape prints like what it names.
    expect(printable('\u001b')).toBe('\\u{1b}');
    expect(printable('\\u{1b}')).toBe('\\u{1b}');
    for (const t of TEXTS) expect(where(printable(t)), JSON.stringify(t)).toBeNull();
    expect(printable('invoice\u202efdp.exe')).toBe('invoice\\u{202e}fdp.exe');
    expect(printable('\ud800x\udc00')).toBe('\\u{d800}x\\u{dc00}');
    expect(printable('日本 ✓ 😀 é')).toBe('日本 ✓ 😀 é');
  });
});

describe('a bundle from another vault', () => {
  it('hostile header names, secret names and values: every error and listing is escaped; json and yaml give the exact values back', async () => {
    const { alice, bob } = await pair();
    const carol = newVault({ user: 'carol' });
    await know(alice, carol);
    for (const { name, text: t } of CHUNKS) {
      // Header names that are not the key's: the sender, and a recipient (another vault's key).
      const forged = craftBundle(alice, bob, { username: `alice${t}`, email: `a${t}@example.com` }, [{ app: '*', env: '*', key: 'K', type: 'str', value: 'v', updated: Date.now() }]);
      expect(errorCode(safe(await cliIn(['load', '-f', forged], { vault: bob }), `load (sender ${name})`))).toBe('E_BUNDLE_FORMAT');
      fs.writeFileSync(forged, fs.readFileSync(forged, 'utf8').replace('"username": "bob"', `"username": ${JSON.stringify(`bob${t}`)}`));
      expect(errorCode(safe(await cliIn(['--debug', 'load', '-f', forged], { vault: carol }), `load --debug (recipient ${name})`))).toBe('E_BUNDLE_FORMAT');
      // Secret names no vault accepts.
      for (const s of [{ app: `web${t}`, env: 'dev', key: 'KEY' }, { app: 'web', env: `dev${t}`, key: 'KEY' }, { app: 'web', env: 'dev', key: `KEY${t}` }]) {
        const badName = craftBundle(alice, bob, { username: 'alice', email: null }, [{ ...s, type: 'str', value: 'v', updated: Date.now() }]);
        expect(errorCode(safe(await cliIn(['load', '-f', badName], { vault: bob }), `load (secret name ${name})`))).toBe('E_BUNDLE_FORMAT');
      }
    }
    // Values (and the sender's e-mail) are accepted as they are.
    const good = craftBundle(alice, bob, { username: 'alice', email: `a${TEXTS.join('')}@example.com` }, TEXTS.map((t, i) => ({ app: 'web', env: 'dev', key: must(valueKeys[i]), type: 'str', value: t, updated: Date.now() })));
    safe(ok(await cliIn(['load', '-f', good], { vault: bob })), 'load');
    for (const args of [['list'], ['list', '--reveal'], ['list', '--exposed'], ['history', 'V1', '--reveal'], ['audit'], ['users'], ['list', '--reveal', '--format', 'json'], ['list', '--reveal', '--format', 'yaml'], ['audit', '--format', 'yaml']]) {
      safe(ok(await cliIn(args, { vault: bob })), args.join(' '));
    }
    const json = JSON.parse((await cliIn(['list', 'web:dev:', '--reveal', '--format', 'json'], { vault: bob })).stdout) as Array<{ key: string; value: string }>;
    const yaml = parseYaml((await cliIn(['list', 'web:dev:', '--reveal', '--format', 'yaml'], { vault: bob })).stdout) as Array<{ key: string; value: string }>;
    for (const rows of [json, yaml]) expect(Object.fromEntries(rows.map((r) => [r.key, r.value]))).toEqual(Object.fromEntries(TEXTS.map((t, i) => [valueKeys[i], t])));
    // Exact through a pipe: get, csv.
    expect((await cliIn(['get', 'V0'], { vault: bob })).stdout).toBe(`${TEXTS[0]}\n`);
    expect((await cliIn(['list', '--reveal', '-f', 'web:dev:V1', '--format', 'csv'], { vault: bob })).stdout).toContain(TEXTS[1]);
    for (const args of [['get', 'V4'], ['list', '--reveal'], ['list', '--reveal', '--format', 'csv'], ['list', '--reveal', '-f', 'web:dev:', '--format', 'shell'], ['history', 'V7', '--reveal', '--format', 'csv']]) {
      await terminalSafe(args, { vault: bob });
    }
    // `env --stdout` (NUL cannot be in an environment: that one is left out)
    const proj = tmpdir();
    fs.writeFileSync(path.join(proj, 'env.template'), TEXTS.map((t, i) => (t.includes('\0') ? '' : `web:dev:${valueKeys[i]}\n`)).join(''));
    await terminalSafe(['env', '--stdout'], { vault: bob, cwd: proj });
    if (!hasScript) return;
    // The real executable (and its fast `get` path) on a pseudo-terminal.
    const shown = ttySafe(['get', 'V1'], { vault: bob });
    expect(shown).toContain(printable(must(TEXTS[1])));
    expect(shown).toContain('redirect it to a file or a pipe for the exact data');
  }, SLOW);
});

describe('add user', () => {
  it('refuses a hostile user name with an escaped error; a hostile e-mail or display name never reaches the terminal raw', async () => {
    const v = newVault();
    for (const [i, { name, text: t }] of ARG_CHUNKS.entries()) {
      const pub = keyToBase64(generateIdentity().publicKey);
      const bad = safe(await cliIn(['--debug', 'add', 'user', '--username', `u${t}`, '--pubkey', pub], { vault: v }), `--debug add user --username (${name})`);
      expect(bad.stderr).toMatch(/bad user name[^]*\n\S*Error: bad user name/); // in the message and in the --debug stack
      expect(bad.code).not.toBe(0);
      safe(await cliIn(['add', 'user', '--username', `u${i}`, '--email', `e${t}@example.com`, '--name', `N${t}`, '--pubkey', pub], { vault: v }), `add user --email/--name (${name})`);
    }
    ok(await cliIn(['add', 'key', 'K', 'v'], { vault: v }));
    for (const args of [['users'], ['users', '--export'], ['users', '--format', 'json'], ['users', '--format', 'yaml'], ['audit'], ['owner'], ['introduction']]) safe(ok(await cliIn(args, { vault: v })), args.join(' '));
    const users = JSON.parse((await cliIn(['users', '--format', 'json'], { vault: v })).stdout) as Array<{ username: string; email: string | null }>;
    for (const u of users.filter((x) => /^u\d+$/.test(x.username))) expect(u.email).toBe(`e${must(ARG_CHUNKS[Number(u.username.slice(1))]).text}@example.com`);
    const known = users.map((u) => u.username).filter((n) => n !== 'alice');
    if (known.length > 0) {
      safe(await cliIn(['export', '--to', must(known[0]), '-f', 'K'], { vault: v }), 'export --to');
      safe(await cliIn(['rm', 'user', must(known[0]), '--yes'], { vault: v }), 'rm user');
    }
    await terminalSafe(['users', '--format', 'csv'], { vault: v });
    await terminalSafe(['users'], { vault: v });
  }, SLOW);

  it('a PGP key whose user IDs carry escape sequences: add user --pgp-key, users --pgp', async () => {
    const v = newVault();
    for (const [i, { name, text: t }] of CHUNKS.entries()) {
      const { publicKey } = await openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name: `Mallory ${t}`, email: `m${i}@example.com` }], format: 'armored' });
      const file = path.join(tmpdir(), 'key.asc');
      fs.writeFileSync(file, publicKey);
      safe(await cliIn(['add', 'user', '--username', `m${i}`, '--pgp-key', file, '--email', `other${i}@example.com`], { vault: v }), `add user --pgp-key (${name})`);
    }
    for (const args of [['users', '--pgp'], ['users', '--pgp', '--format', 'json'], ['audit']]) safe(ok(await cliIn(args, { vault: v })), args.join(' '));
    const keys = JSON.parse((await cliIn(['users', '--pgp', '--format', 'json'], { vault: v })).stdout) as Array<{ username: string; userIds: string }>;
    expect(keys.find((k) => k.username === 'm1')?.userIds).toBe(`Mallory ${must(CHUNKS[1]).text} <m1@example.com>`);
    await terminalSafe(['users', '--pgp', '--format', 'csv'], { vault: v });
  }, SLOW);
});

describe('a restored backup', () => {
  const env = { SEEQRET_BACKUP_PASSPHRASE: 'correct horse battery staple' };

  it('hostile e-mails, display names, PGP user IDs, audit entries and values (decrypted, edited, encrypted again)', async () => {
    const src = newVault();
    ok(await cliIn(['add', 'key', 'K', 'v'], { vault: src }));
    // The backup to edit, made with the library at a low scrypt cost (what `backup --include-keys`
    // writes; `backup` itself runs through the CLI in test/sharing.test.ts): at the CLI's
    // cost, making it and decrypting it took 5 s of CPU.
    const made = Vault.open({ dir: src });
    let bytes: Uint8Array;
    try {
      bytes = (await makeBackup(made, { passphrase: env.SEEQRET_BACKUP_PASSPHRASE, includeKeys: true, armor: false, logN: 10 })).bytes;
    } finally {
      made.close();
    }
    const dump = await decryptBackup(bytes, env.SEEQRET_BACKUP_PASSPHRASE);
    const { publicKey: armored } = await openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name: 'P', email: 'p@example.com' }], format: 'armored' });
    const fpr = (await openpgp.readKey({ armoredKey: armored })).getFingerprint();
    const now = Date.now();
    const edited = {
      ...dump,
      owner: { ...dump.owner, name: TEXTS.join('|') },
      users: TEXTS.map((t, i) => ({ username: `r${i}`, email: `r${i}@example.com`, name: `R${t}`, pubkey: keyToBase64(generateIdentity().publicKey), verifiedAt: null })),
      pgpKeys: [{ username: 'r0', fingerprint: fpr, email: 'p@example.com', userIds: TEXTS.map((t) => `P ${t}`), armored, createdAt: now }],
      audit: [...dump.audit, ...TEXTS.map((t) => ({ at: now, actor: `a${t}`, action: 'secret.add', target: `t${t}`, detail: JSON.stringify({ email: t }) }))],
      secrets: [
        ...dump.secrets,
        ...TEXTS.map((t, i) => ({ app: 'web', env: 'prod', key: `B${i}`, value: t, type: 'str', version: 2, createdAt: now, updatedAt: now, exposedAt: null, exposedBy: null, history: [{ version: 1, type: 'str', setAt: now - 1000, replacedAt: now, value: `old ${t}` }] })),
      ],
    };
    const hostile = path.join(tmpdir(), 'hostile.age');
    fs.writeFileSync(hostile, await encryptDump(edited as typeof dump, env.SEEQRET_BACKUP_PASSPHRASE, { logN: 10 }));
    const target = path.join(tmpdir(), 'restored');
    safe(ok(await cliIn(['restore', hostile], { vault: target, env })), 'restore');
    for (const args of [['users'], ['users', '--pgp'], ['users', '--export'], ['audit'], ['audit', '--format', 'json'], ['whoami'], ['owner'], ['introduction'], ['list', '--reveal'], ['history', 'B2', '--reveal'], ['history', 'B2', '--reveal', '--format', 'yaml']]) {
      safe(ok(await cliIn(args, { vault: target })), args.join(' '));
    }
    const hist = parseYaml((await cliIn(['history', 'B3', '--reveal', '--format', 'yaml'], { vault: target })).stdout) as Array<{ value: string }>;
    expect(hist.map((h) => h.value)).toEqual([TEXTS[3], `old ${TEXTS[3]}`]);
    // A user name that is not one is refused; the error is escaped.
    for (const { text: t } of CHUNKS) {
      const bad = path.join(tmpdir(), 'bad.age');
      fs.writeFileSync(bad, await encryptDump({ ...dump, users: [{ username: `x${t}`, email: null, name: null, pubkey: keyToBase64(generateIdentity().publicKey), verifiedAt: null }] }, env.SEEQRET_BACKUP_PASSPHRASE, { logN: 10 }));
      expect(errorCode(safe(await cliIn(['restore', bad], { vault: path.join(tmpdir(), 'r'), env }), 'restore (bad user name)'))).toBe('E_BACKUP_FORMAT');
    }
    // An e-mail address that is not one (of the owner, a user or a PGP key) is refused where it
    // enters — the backup is malformed — and the error shows it escaped.
    const hostileEmails: Array<Partial<typeof dump>> = [
      { owner: { ...dump.owner, email: `o${TEXTS.join('')}@example.com` } },
      { users: [{ username: 'r1', email: `r${TEXTS.join('')}@example.com`, name: null, pubkey: keyToBase64(generateIdentity().publicKey), verifiedAt: null }] },
      { pgpKeys: [{ username: 'r0', fingerprint: fpr, email: `p${TEXTS.join('')}@example.com`, userIds: ['P'], armored, createdAt: now }] },
    ];
    for (const part of hostileEmails) {
      const bad = path.join(tmpdir(), 'bad-email.age');
      fs.writeFileSync(bad, await encryptDump({ ...dump, ...part }, env.SEEQRET_BACKUP_PASSPHRASE, { logN: 10 }));
      const r = safe(await cliIn(['restore', bad], { vault: path.join(tmpdir(), 'r-email'), env }), 'restore (hostile e-mail)');
      expect(errorCode(r)).toBe('E_BACKUP_FORMAT');
      expect(r.stderr).toContain('is not one e-mail address');
      expect(fs.existsSync(path.join(tmpdir(), 'r-email'))).toBe(false);
    }
    for (const args of [['users', '--format', 'csv'], ['whoami']]) await terminalSafe(args, { vault: target });
    await terminalSafe(['audit', '--format', 'csv'], { vault: target });
  }, SLOW);
});

describe('an old (v1) vault', () => {
  it('import-vault of a vault whose users carry hostile e-mails and names, and a hostile secret name', async () => {
    const dir = path.join(tmpdir(), 'v1');
    fs.cpSync(path.join(SHARED, 'fixtures', 'seeqret-v1', 'alice', 'seeqret'), dir, { recursive: true });
    for (const f of fs.readdirSync(dir)) fs.chmodSync(path.join(dir, f), 0o600);
    fs.chmodSync(dir, 0o700);
    const db = new Database(path.join(dir, 'seeqrets.db'));
    db.prepare('UPDATE users SET name = ? WHERE username = ?').run(TEXTS.join('|'), 'bob');
    db.close();
    // An e-mail address that is not one address is refused where it enters, escaped in the error.
    const badMail = path.join(tmpdir(), 'v1mail');
    fs.cpSync(dir, badMail, { recursive: true });
    const db3 = new Database(path.join(badMail, 'seeqrets.db'));
    db3.prepare('UPDATE users SET email = ? WHERE username = ?').run(`b${TEXTS.join('')}@example.com`, 'bob');
    db3.close();
    const rm = safe(await cliIn(['import-vault', badMail, '--keep-identity'], { vault: path.join(tmpdir(), 'new3') }), 'import-vault (hostile e-mail)');
    expect(errorCode(rm), rm.stderr).toBe('E_V1_VAULT');
    expect(fs.existsSync(path.join(tmpdir(), 'new3'))).toBe(false);
    const target = path.join(tmpdir(), 'new');
    safe(ok(await cliIn(['import-vault', dir, '--keep-identity'], { vault: target })), 'import-vault');
    for (const args of [['users'], ['users', '--export'], ['audit']]) safe(ok(await cliIn(args, { vault: target })), args.join(' '));
    const bad = path.join(tmpdir(), 'v1bad');
    fs.cpSync(dir, bad, { recursive: true });
    const db2 = new Database(path.join(bad, 'seeqrets.db'));
    db2.prepare('UPDATE secrets SET key = ? WHERE id = (SELECT min(id) FROM secrets)').run(`K${TEXTS.join('')}`);
    db2.close();
    const r = safe(await cliIn(['import-vault', bad, '--keep-identity'], { vault: path.join(tmpdir(), 'new2') }), 'import-vault (bad name)');
    expect(r.code).not.toBe(0);
  }, SLOW);
});

describe('a protected.yaml edited by hand', () => {
  const FIXTURE = path.join(SHARED, 'fixtures', 'pocket-protector', 'protected.yaml');
  const RAW = { SEEQRET_TEAM_USER: 'raw@example.com', SEEQRET_TEAM_PASSPHRASE: `P${'11'.repeat(32)}P` };
  const q = (s: string): string => JSON.stringify(s); // a YAML double-quoted scalar
  const base = fs.readFileSync(FIXTURE, 'utf8');
  const devBlock = must(must(/^dev:\n((?: {2}.*\n)+)/m.exec(base))[1]);
  const rawPwdkm = must(must(/raw@example\.com:\n {4}pwdkm: (\S+)/.exec(base))[1]);
  const sealed = must(must(/secret-API_KEY: (\S+)/.exec(base))[1]);
  const variants: Record<string, string> = {
    'audit lines': base.replace(/\n*$/, '\n') + TEXTS.map((t) => `- ${q(`2026-11-25T00:00:00Z -- added secret ${t} in dev`)}\n`).join(''),
    'domain names': TEXTS.map((t) => `${q(`d${t}`)}:\n${devBlock}`).join('') + base,
    'custodian names': base.replace('key-custodians:\n', `key-custodians:\n${TEXTS.map((t) => `  ${q(`c${t}@example.com`)}:\n    pwdkm: ${rawPwdkm}\n`).join('')}`),
    'secret names': base.replace('dev:\n', `dev:\n${TEXTS.map((t) => `  ${q(`secret-S${t}`)}: ${sealed}\n`).join('')}`),
  };
  for (const [what, text] of Object.entries(variants)) {
    it(`hostile ${what}: team info, list-*, audit, decrypt`, async () => {
      const file = path.join(tmpdir(), 'protected.yaml');
      fs.writeFileSync(file, text);
      for (const args of [['info'], ['list-domains'], ['list-secrets'], ['list-secrets', 'dev'], ['list-user-secrets', '-u', 'raw@example.com'], ['audit'], ['decrypt', 'dev'], ['decrypt', 'dev', '--format', 'env'], ['add-secret', 'dev', 'NEW', 'v']]) {
        safe(await cliIn(['team', '--file', file, ...args], { env: RAW }), `team ${args.join(' ')}`);
      }
      // (the real transcript of a team decrypt is in the next test)
      await terminalSafe(['team', '--file', file, 'decrypt', 'dev'], { env: RAW });
    }, SLOW);
  }
  it('hostile values in a domain: decrypt keeps them exact through a pipe and escapes them on a terminal', async () => {
    const file = path.join(tmpdir(), 'protected.yaml');
    fs.copyFileSync(FIXTURE, file);
    // Set-up through the library (`team add-secret` itself runs through the CLI in the tests above
    // and in test/team-cli.test.ts): one write instead of 26 runs.
    let tf = TeamFile.open(file);
    for (const [i, t] of TEXTS.entries()) if (!t.includes('\0')) tf = tf.addSecret('dev', `S${i}`, t);
    tf.write();
    const json = JSON.parse(safe(ok(await cliIn(['team', '--file', file, 'decrypt', 'dev'], { env: RAW })), 'team decrypt').stdout) as Record<string, string>;
    expect(json['S1']).toBe(TEXTS[1]);
    expect((await cliIn(['team', '--file', file, 'decrypt', 'dev', '--secret', 'S0'], { env: RAW })).stdout).toBe(`${TEXTS[0]}\n`);
    await terminalSafe(['team', '--file', file, 'decrypt', 'dev', '--format', 'shell'], { env: RAW });
    if (hasScript) ttySafe(['team', '--file', file, 'decrypt', 'dev', '--secret', 'S0'], { env: RAW });
  }, SLOW);
});

describe('a SecureStore secrets.json', () => {
  it('entry names and values from someone else: keys, get --all (json, text), import, errors', async () => {
    const dir = tmpdir('ss-');
    const store = path.join(dir, 'secrets.json');
    // A key file rather than a password: the entries are what is tested, and a key file skips
    // SecureStore's 256,000 PBKDF2 rounds on each of these runs.
    const s = SecretsManager.create(KeySource.generate(), { path: store });
    s.exportKey(path.join(dir, 'secrets.key'));
    for (const [i, t] of TEXTS.entries()) s.set(`n${i}:${t}`, `v${t}`);
    s.save();
    const env = {};
    const k = ['-k', 'secrets.key'];
    for (const args of [['keys'], ['get', '--all'], ['get', 'nope'], ['delete', 'nope']]) safe(await cliIn(['ss', ...k, ...args], { cwd: dir, env }), `ss ${args.join(' ')}`);
    const all = JSON.parse((await cliIn(['ss', ...k, 'get', '--all'], { cwd: dir, env })).stdout) as Array<{ key: string; value: string }>;
    expect(all.find((e) => e.key.startsWith('n1:'))).toEqual({ key: `n1:${TEXTS[1]}`, value: `v${TEXTS[1]}` });
    safe(await cliIn(['ss', ...k, 'import', '--app', 'web', '--env', 'dev', '--colon', '_'], { cwd: dir, env, vault: newVault() }), 'ss import');
    for (const args of [['get', `n1:${TEXTS[1]}`], ['keys']]) await terminalSafe(['ss', ...k, ...args], { cwd: dir, env });
    if (hasScript) ttySafe(['ss', ...k, 'get', '--all', '--format', 'text'], { cwd: dir, env });
  }, SLOW);
});

describe('project files from someone else', () => {
  async function project(): Promise<{ vault: string; dir: string; run: (args: string[]) => Promise<CliResult> }> {
    const vault = newVault();
    const dir = path.join(tmpdir(), 'shop');
    fs.mkdirSync(dir);
    const run = (args: string[]): Promise<CliResult> => cliIn(args, { vault, cwd: dir });
    ok(await run(['project', 'init']));
    return { vault, dir, run };
  }

  it('a psec description file with hostile prompts, help, options and names', async () => {
    const p = await project();
    const groups = path.join(p.dir, 'secrets', 'dev', 'secrets.d');
    fs.writeFileSync(path.join(groups, 'evil.json'), JSON.stringify(TEXTS.map((t, i) => ({ Variable: `var_${i}`, Type: 'string', Prompt: `Prompt ${t}`, Help: `Help ${t}`, Options: `a${t.replace(/,/g, '')},*` }))));
    for (const args of [['describe'], ['describe', '--format', 'yaml'], ['show'], ['groups', 'list'], ['groups', 'show'], ['find', 'var'], ['environments', 'list']]) safe(await p.run(args), args.join(' '));
    ok(await p.run(['set', `var_1=${TEXTS[1]}`]));
    safe(ok(await p.run(['show', '--reveal'])), 'show --reveal');
    await terminalSafe(['show', '--reveal', '--format', 'csv'], { vault: p.vault, cwd: p.dir });
    // Entries that are refused (a name, a type, an attribute, an option): the error is escaped.
    const kinds = [
      (t: string): object => ({ Variable: `v${t}`, Type: 'string' }),
      (t: string): object => ({ Variable: 'ok_var', Type: `string${t}` }),
      (t: string): object => ({ Variable: 'ok_var', Type: 'string', [`Extra${t}`]: 'x' }),
      (t: string): object => ({ Variable: 'ok_var', Type: 'boolean', Options: `true,${t}` }),
    ];
    for (const { name, text: t } of CHUNKS) {
      for (const [k, kind] of kinds.entries()) {
        fs.writeFileSync(path.join(groups, 'evil.json'), JSON.stringify([kind(t)]));
        safe(await p.run(['describe']), `describe (${name}, entry kind ${k})`);
      }
    }
    safe(await p.run(['generate']), 'generate');
    // Group files whose names are hostile.
    fs.rmSync(path.join(groups, 'evil.json'));
    for (const [i, { text: t }] of ARG_CHUNKS.entries()) fs.writeFileSync(path.join(groups, `g${t.replace(/\//g, '')}.json`), JSON.stringify([{ Variable: `w_${i}`, Type: 'string' }]));
    for (const args of [['groups', 'list'], ['environments', 'tree', 'dev'], ['describe'], ['groups', 'show']]) safe(await p.run(args), `${args.join(' ')} (group file names)`);
  }, SLOW);

  it('seeqret.yaml and env.template with hostile names', async () => {
    const p = await project();
    const yamlFile = path.join(p.dir, 'seeqret.yaml');
    const original = fs.readFileSync(yamlFile, 'utf8');
    for (const { name, text: t } of CHUNKS) {
      fs.writeFileSync(yamlFile, `app: ${JSON.stringify(`shop${t}`)}\nenvironment: ${JSON.stringify(`dev${t}`)}\n`);
      for (const args of [['project', 'show'], ['show']]) safe(await p.run(args), `${args.join(' ')} (seeqret.yaml: ${name})`);
      fs.writeFileSync(yamlFile, `${original}${JSON.stringify(`x${t}`)}: 1\n`);
      safe(await p.run(['project', 'show']), `project show (unknown setting: ${name})`);
      fs.writeFileSync(yamlFile, original);
      fs.writeFileSync(path.join(p.dir, 'env.template'), `web:dev:K${t}\nNAME${t}=value\n${t}\n`);
      safe(await p.run(['env', '--stdout']), `env --stdout (env.template: ${name})`);
    }
  }, SLOW);
});
