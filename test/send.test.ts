/**
 * `seeqret send` end to end: recipients' OpenPGP keys made by the real `gpg`, imported with
 * `add user --pgp-key`; the CLI (a child process) mails through an SMTP server this test runs on
 * loopback (plain, STARTTLS with login, implicit TLS); `gpg` decrypts each message with the
 * recipient's secret key. Also: schema 4 (upgrade from 3), key checks, errors, audit, exposure.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SMTPServer } from 'smtp-server';
import { afterAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../src/vault/schema.js';
import { Vault } from '../src/vault/vault.js';
import { type CliResult, backupIn, cliIn, downgradeToSchema4, errorCode, newVault, tmpdir } from './helpers.js';
import { vaultDatabase } from '../src/vault/internal.js';
import { must } from './must.js';

// ---------------------------------------------------------------------------------------------
// gpg

const homes: string[] = [];
afterAll(() => {
  for (const h of homes) spawnSync('gpgconf', ['--kill', 'gpg-agent'], { env: { ...process.env, GNUPGHOME: h } });
});

function gpg(home: string, args: string[], input?: string | Buffer): { code: number | null; stdout: Buffer; stderr: string } {
  const r = spawnSync('gpg', ['--batch', '--no-tty', '--pinentry-mode', 'loopback', '--passphrase', '', ...args], {
    env: { ...process.env, GNUPGHOME: home },
    input: input ?? '',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

/** A GnuPG home with a new key pair (ed25519 + cv25519) for `uid`; returns the home and files. */
function gpgUser(uid: string, opts: { expire?: string; fakedTime?: string } = {}): { home: string; pub: string; pubBinary: string; secret: string } {
  const home = path.join(tmpdir('sq-gpg-'), 'g');
  fs.mkdirSync(home, { mode: 0o700 });
  homes.push(home);
  const gen = gpg(home, [...(opts.fakedTime ? ['--faked-system-time', opts.fakedTime] : []), '--quick-gen-key', uid, 'future-default', 'default', opts.expire ?? 'never']);
  if (gen.code !== 0) throw new Error(`gpg --quick-gen-key failed: ${gen.stderr}`);
  const pub = path.join(home, 'pub.asc');
  fs.writeFileSync(pub, gpg(home, ['--armor', '--export']).stdout);
  const pubBinary = path.join(home, 'pub.gpg');
  fs.writeFileSync(pubBinary, gpg(home, ['--export']).stdout);
  const secret = path.join(home, 'secret.asc');
  fs.writeFileSync(secret, gpg(home, ['--armor', '--export-secret-keys']).stdout);
  return { home, pub, pubBinary, secret };
}

function fingerprintOf(home: string): string {
  const out = gpg(home, ['--with-colons', '--fingerprint']).stdout.toString();
  return must(must(/^fpr:+([0-9A-F]+):/m.exec(out))[1]);
}

// ---------------------------------------------------------------------------------------------
// SMTP server on loopback

interface Received {
  from: string;
  to: string[];
  raw: string;
  user?: string;
}

async function smtpServer(opts: { tls?: 'implicit' | 'starttls'; login?: { user: string; pass: string }; cert?: { key: string; cert: string } } = {}): Promise<{ port: number; mails: Received[]; close: () => Promise<void> }> {
  const mails: Received[] = [];
  const server = new SMTPServer({
    secure: opts.tls === 'implicit',
    ...(opts.cert ? { key: opts.cert.key, cert: opts.cert.cert } : {}),
    // Plain server: no STARTTLS offered (its built-in certificate has expired).
    ...(opts.tls === undefined ? { disabledCommands: ['STARTTLS', 'AUTH'] } : {}),
    authOptional: opts.login === undefined,
    logger: false,
    onAuth(auth, _session, cb): void {
      if (opts.login && auth.username === opts.login.user && auth.password === opts.login.pass) cb(null, { user: auth.username });
      else cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb): void {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          ...(typeof session.user === 'string' ? { user: session.user } : {}),
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, mails, close: () => new Promise<void>((resolve) => { server.close(() => { resolve(); }); }) };
}

/** A self-signed certificate for localhost / 127.0.0.1 (the real openssl). */
function selfSigned(): { key: string; cert: string; certFile: string } {
  const dir = tmpdir();
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
  return { key: fs.readFileSync(keyFile, 'utf8'), cert: fs.readFileSync(certFile, 'utf8'), certFile };
}

function run(args: string[], opts: { vault: string; cwd?: string; input?: string }): Promise<CliResult> {
  return cliIn(args, opts);
}

function armoredIn(raw: string): string {
  const m = /-----BEGIN PGP MESSAGE-----[\s\S]+?-----END PGP MESSAGE-----/.exec(raw.replace(/\r\n/g, '\n'));
  expect(m, 'the mail holds an armored OpenPGP message').not.toBeNull();
  return must(m)[0];
}

function header(raw: string, name: string): string | undefined {
  const head = must(raw.split(/\r?\n\r?\n/)[0]).replace(/\r?\n[ \t]+/g, ' ');
  return new RegExp(`^${name}: (.*)$`, 'mi').exec(head)?.[1];
}

// ---------------------------------------------------------------------------------------------
// Fixtures shared by the tests (keys are slow-ish to make, so once per file)

const bob = gpgUser('Bob Builder <bob@example.com>');
const carol = gpgUser('Carol <carol@example.org>');

let made: { vault: string; dir: string } | undefined;

/**
 * A vault with a project environment and bob's and carol's keys: made once through the CLI,
 * then each test gets its own copy of the vault and the project folder.
 */
async function setup(): Promise<{ vault: string; dir: string }> {
  made ??= await makeSetup();
  const vault = path.join(tmpdir(), 'seeqret');
  fs.cpSync(made.vault, vault, { recursive: true });
  const dir = tmpdir();
  fs.cpSync(made.dir, dir, { recursive: true });
  return { vault, dir };
}

async function makeSetup(): Promise<{ vault: string; dir: string }> {
  const vault = newVault();
  const dir = tmpdir();
  fs.writeFileSync(path.join(dir, 'seeqret.yaml'), 'app: shop\nenvironment: dev\n');
  const d = path.join(dir, 'secrets', 'dev', 'secrets.d');
  fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(path.join(d, 'db.json'), JSON.stringify([{ Variable: 'db_password', Type: 'password', Export: 'DB_PASSWORD' }, { Variable: 'api_key', Type: 'string' }, { Variable: 'unset_var', Type: 'string' }]));
  const add = async (k: string, v: string, app = 'shop', env = 'dev'): Promise<void> => {
    expect((await cliIn(['add', 'key', k, '--app', app, '--env', env], { vault, input: v })).code).toBe(0);
  };
  await add('db_password', "pa$$ 'w0rd' \"x\"\nsecond line");
  await add('api_key', 'sk_live_123456');
  await add('TOKEN', 'tok-global', '*', '*');
  expect((await cliIn(['add', 'user', '--username', 'bob', '--pgp-key', bob.pub], { vault })).code).toBe(0);
  expect((await cliIn(['add', 'user', '--username', 'carol', '--pgp-key', carol.pubBinary], { vault })).code).toBe(0);
  return { vault, dir };
}

// ---------------------------------------------------------------------------------------------

describe('schema 4: stored PGP keys', () => {
  it('a schema-3 vault is refused until `seeqret upgrade`, which adds the table and keeps everything', async () => {
    expect(SCHEMA_VERSION).toBe(5);
    const vault = newVault();
    expect((await cliIn(['add', 'key', 'K', 'kept-value'], { vault })).code).toBe(0);
    // Take the database back to schema 3 exactly: to schema 4, then drop what migration 4 added (the pgp_keys table).
    downgradeToSchema4(vault);
    const db = new Database(path.join(vault, 'vault.db'));
    db.exec('DROP TABLE pgp_keys; DELETE FROM schema_migrations WHERE version = 4;');
    db.pragma('user_version = 3');
    db.close();
    const refused = await cliIn(['list'], { vault });
    expect(errorCode(refused)).toBe('E_SCHEMA_OUTDATED');
    const up = await cliIn(['upgrade'], { vault });
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain('from schema 3 to 5 (applied 4, 5)');
    expect((await cliIn(['get', 'K'], { vault })).stdout).toBe('kept-value\n');
    expect((await cliIn(['add', 'user', '--username', 'bob', '--pgp-key', bob.pub], { vault })).code).toBe(0);
    const check = new Database(path.join(vault, 'vault.db'), { readonly: true });
    expect(check.prepare('SELECT max(version) FROM schema_migrations').pluck().get()).toBe(5);
    expect(check.prepare('SELECT username, fingerprint FROM pgp_keys').all()).toEqual([{ username: 'bob', fingerprint: fingerprintOf(bob.home).toLowerCase() }]);
    check.close();
  });

  it('add user --pgp-key stores a public key (armored or binary), checks it, and lists it with users --pgp', async () => {
    const vault = newVault();
    const r = await cliIn(['add', 'user', '--username', 'bob', '--pgp-key', bob.pub], { vault });
    expect(r.code, r.stderr).toBe(0);
    const fpr = fingerprintOf(bob.home);
    expect(r.stderr.replace(/ /g, '')).toContain(fpr);
    expect(r.stderr).toContain('mails to bob@example.com');
    expect((await cliIn(['add', 'user', '--username', 'carol', '--pgp-key', carol.pubBinary], { vault })).code).toBe(0);
    const list = JSON.parse((await cliIn(['users', '--pgp', '--format', 'json'], { vault })).stdout) as Array<Record<string, string>>;
    expect(list.map((k) => [k['username'], k['email'], k['user']])).toEqual([
      ['bob', 'bob@example.com', 'no'],
      ['carol', 'carol@example.org', 'no'],
    ]);
    expect(must(must(list[0])['fingerprint']).replace(/ /g, '')).toBe(fpr);
    // The same name again: refused unless --force; the same key under another name: refused.
    expect(errorCode(await cliIn(['add', 'user', '--username', 'bob', '--pgp-key', carol.pub], { vault }))).toBe('E_USER_EXISTS');
    expect(errorCode(await cliIn(['add', 'user', '--username', 'bobby', '--pgp-key', bob.pub], { vault }))).toBe('E_USER_EXISTS');
    // --email other than the key's addresses: stored with a warning.
    const other = await cliIn(['add', 'user', '--username', 'bob', '--pgp-key', bob.pub, '--email', 'b@work.example', '--force'], { vault });
    expect(other.code, other.stderr).toBe(0);
    expect(other.stderr).toContain('do not include b@work.example');
    expect(must((JSON.parse((await cliIn(['users', '--pgp', '--format', 'json'], { vault })).stdout) as Array<Record<string, string>>)[0])['email']).toBe('b@work.example');
    // A vault user (X25519 key) and a PGP key in one command; removing the user removes both.
    const dave = gpgUser('Dave <dave@example.net>');
    const owner = (await cliIn(['public-key'], { vault: newVault({ user: 'dave' }) })).stdout.trim();
    const both = await cliIn(['add', 'user', '--username', 'dave', '--email', 'dave@example.net', '--pubkey', owner, '--pgp-key', dave.pub], { vault });
    expect(both.code, both.stderr).toBe(0);
    expect((await cliIn(['users', '--format', 'json'], { vault })).stdout).toContain('"dave"');
    const keys = JSON.parse((await cliIn(['users', '--pgp', '--format', 'json'], { vault })).stdout) as Array<Record<string, string>>;
    expect(must(keys.find((k) => k['username'] === 'dave'))['user']).toBe('yes');
    expect((await cliIn(['rm', 'user', 'dave', '--yes'], { vault })).stderr).toContain('Removed user dave and their PGP key.');
    expect((await cliIn(['rm', 'user', 'carol', '--yes'], { vault })).stderr).toContain('Removed the PGP key of carol.');
    expect((JSON.parse((await cliIn(['users', '--pgp', '--format', 'json'], { vault })).stdout) as unknown[]).length).toBe(1);
    const audit = (await cliIn(['audit', '--action', 'pgp.add', '--format', 'json'], { vault })).stdout;
    expect(audit).toContain(fpr.toLowerCase());
  });

  it('refuses a secret key, garbage, several keys, an expired key, with nothing stored', async () => {
    const vault = newVault();
    const dir = tmpdir();
    const secret = await cliIn(['add', 'user', '--username', 'bob', '--pgp-key', bob.secret], { vault });
    expect(errorCode(secret)).toBe('E_PGP_KEY');
    expect(secret.code).toBe(10);
    expect(secret.stderr).toContain('is a SECRET key');
    const garbage = path.join(dir, 'garbage.asc');
    fs.writeFileSync(garbage, '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnot base64 at all\n-----END PGP PUBLIC KEY BLOCK-----\n');
    expect(errorCode(await cliIn(['add', 'user', '--username', 'bob', '--pgp-key', garbage], { vault }))).toBe('E_PGP_KEY');
    const random = path.join(dir, 'random.bin');
    fs.writeFileSync(random, Buffer.from('this is not a key at all'));
    expect(errorCode(await cliIn(['add', 'user', '--username', 'bob', '--pgp-key', random], { vault }))).toBe('E_PGP_KEY');
    const two = path.join(dir, 'two.asc');
    fs.writeFileSync(two, fs.readFileSync(bob.pub, 'utf8') + fs.readFileSync(carol.pub, 'utf8'));
    const twoR = await cliIn(['add', 'user', '--username', 'bob', '--pgp-key', two], { vault });
    expect(errorCode(twoR)).toBe('E_PGP_KEY');
    expect(twoR.stderr).toContain('holds 2 armored blocks');
    const oneBlockTwoKeys = path.join(dir, 'both.gpg');
    fs.writeFileSync(oneBlockTwoKeys, Buffer.concat([fs.readFileSync(bob.pubBinary), fs.readFileSync(carol.pubBinary)]));
    const both = await cliIn(['add', 'user', '--username', 'bob', '--pgp-key', oneBlockTwoKeys], { vault });
    expect(errorCode(both)).toBe('E_PGP_KEY');
    expect(both.stderr).toContain('holds 2 keys');
    const old = gpgUser('Old <old@example.com>', { fakedTime: '20200101T000000', expire: '1d' });
    const expired = await cliIn(['add', 'user', '--username', 'old', '--pgp-key', old.pub], { vault });
    expect(errorCode(expired)).toBe('E_PGP_KEY');
    expect(errorCode(await cliIn(['add', 'user', '--username', 'bob', '--pgp-key', path.join(dir, 'missing.asc')], { vault }))).toBe('E_FILE_NOT_FOUND');
    expect((await cliIn(['users', '--pgp', '--format', 'json'], { vault })).stdout.trim()).toBe('[]');
  });
});

describe('send', () => {
  it('mails each recipient a message only their key decrypts (gpg), with the secrets as dotenv lines; audited, names only', async () => {
    const { vault, dir } = await setup();
    const smtp = await smtpServer();
    try {
      const r = await run(
        ['send', '--to', 'bob@example.com', '--to', 'carol', '--smtp-host', '127.0.0.1', '--smtp-port', String(smtp.port), '--from', 'alice@example.com', '--subject', 'for you', 'db_password', 'DB_PASSWORD', 'api_key', '*:*:TOKEN'],
        { vault, cwd: dir },
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain('Sent 4 secrets to bob <bob@example.com>');
      expect(r.stderr).toContain('Sent 4 secrets to carol <carol@example.org>');
      expect(smtp.mails).toHaveLength(2);
      const [toBob, toCarol] = smtp.mails;
      expect(must(toBob).to).toEqual(['bob@example.com']);
      expect(must(toBob).from).toBe('alice@example.com');
      expect(must(toCarol).to).toEqual(['carol@example.org']);
      expect(header(must(toBob).raw, 'Subject')).toBe('for you');
      expect(header(must(toBob).raw, 'To')).toBe('bob@example.com');
      // 7-bit text: the saved e-mail itself is what `gpg -d` reads.
      expect(header(must(toBob).raw, 'Content-Transfer-Encoding')).toBe('7bit');
      const eml = path.join(tmpdir(), 'message.eml');
      fs.writeFileSync(eml, must(toBob).raw);
      expect(gpg(bob.home, ['--decrypt', eml]).stdout.toString()).toContain("api_key='sk_live_123456'");
      for (const m of smtp.mails) {
        expect(m.raw).not.toContain('w0rd');
        expect(m.raw).not.toContain('sk_live');
        expect(m.raw).not.toContain('db_password');
      }
      // bob's message: gpg with bob's key decrypts it; carol's key cannot.
      const plain = gpg(bob.home, ['--decrypt'], armoredIn(must(toBob).raw));
      expect(plain.code, plain.stderr).toBe(0);
      const text = plain.stdout.toString('utf8');
      const lines = text.split('\n');
      expect(lines[0]).toMatch(/^# seeqret: 4 secrets from alice <alice@example.com>, \d{4}-/);
      expect(lines[1]).toContain('# from shop:dev, *:*.');
      expect(lines.slice(2).join('\n')).toBe(`db_password="pa\\$\\$ 'w0rd' \\"x\\"\\nsecond line"\nDB_PASSWORD="pa\\$\\$ 'w0rd' \\"x\\"\\nsecond line"\napi_key='sk_live_123456'\nTOKEN='tok-global'\n`);
      expect(gpg(carol.home, ['--decrypt'], armoredIn(must(toBob).raw)).code).not.toBe(0);
      const carolPlain = gpg(carol.home, ['--decrypt'], armoredIn(must(toCarol).raw));
      expect(carolPlain.code, carolPlain.stderr).toBe(0);
      expect(carolPlain.stdout.toString('utf8').split('\n').slice(2).join('\n')).toBe(lines.slice(2).join('\n'));
      // The dotenv body loads back with importenv, exactly.
      const envFile = path.join(tmpdir(), 'got.env');
      fs.writeFileSync(envFile, text);
      const other = newVault({ user: 'bob' });
      expect((await cliIn(['importenv', envFile, '--app', 'shop', '--env', 'dev'], { vault: other })).code).toBe(0);
      expect((await cliIn(['get', 'shop:dev:db_password'], { vault: other })).stdout).toBe("pa$$ 'w0rd' \"x\"\nsecond line\n");
      // Audit: one send entry per recipient, names but never values.
      const audit = (await cliIn(['audit', '--action', 'send', '--format', 'json'], { vault })).stdout;
      const entries = (JSON.parse(audit) as Array<{ target: string; detail: unknown }>).map((e) => ({ ...e, detail: JSON.stringify(e.detail) }));
      expect(entries.map((e) => e.target)).toEqual(['bob', 'carol']);
      expect(must(entries[0]).detail).toContain('shop:dev:db_password');
      expect(must(entries[0]).detail).toContain(fingerprintOf(bob.home).toLowerCase());
      expect(audit).not.toContain('w0rd');
      // A backup carries the keys and the send records: in the restored vault bob's key is there,
      // and removing him still finds what he was sent. (The backup command's use case at a low
      // scrypt work factor, helpers.backupIn; `restore` runs.)
      const env = { SEEQRET_BACKUP_PASSPHRASE: 'correct horse battery staple' };
      const backupFile = path.join(tmpdir(), 'b.age');
      await backupIn(vault, backupFile, env.SEEQRET_BACKUP_PASSPHRASE);
      const restored = path.join(tmpdir(), 'restored');
      const rs = await cliIn(['restore', backupFile], { vault: restored, env });
      expect(rs.code, rs.stderr).toBe(0);
      const keysThere = JSON.parse((await cliIn(['users', '--pgp', '--format', 'json'], { vault: restored })).stdout) as Array<Record<string, string>>;
      expect(keysThere.map((k) => [k['username'], must(k['fingerprint']).replace(/ /g, '')])).toEqual([
        ['bob', fingerprintOf(bob.home)],
        ['carol', fingerprintOf(carol.home)],
      ]);
      expect((await cliIn(['rm', 'user', 'carol', '--yes'], { vault: restored })).stdout).toContain('carol received 3 secrets');
      // Removing bob lists what he was sent and marks it exposed.
      const rm = await cliIn(['rm', 'user', 'bob', '--yes'], { vault });
      expect(rm.stdout).toContain('bob received 3 secrets');
      expect(rm.stdout).toContain('shop:dev:db_password   EXPOSED');
      expect((await cliIn(['list', '--exposed', '--format', 'json'], { vault })).stdout).toContain('api_key');
    } finally {
      await smtp.close();
    }
  });

  it('STARTTLS and implicit TLS with a login from the vault; the certificate is checked', async () => {
    const { vault, dir } = await setup();
    const tls = selfSigned();
    expect((await cliIn(['add', 'key', 'SMTP_USERNAME', 'mailer'], { vault })).code).toBe(0);
    expect((await cliIn(['add', 'key', 'SMTP_PASSWORD', 'hunter2-smtp'], { vault })).code).toBe(0);
    const starttls = await smtpServer({ tls: 'starttls', login: { user: 'mailer', pass: 'hunter2-smtp' }, cert: tls });
    const implicit = await smtpServer({ tls: 'implicit', login: { user: 'mailer', pass: 'hunter2-smtp' }, cert: tls });
    try {
      const base = ['send', '--to', 'bob', 'api_key', '--smtp-host', 'localhost'];
      const ok = await run([...base, '--smtp-port', String(starttls.port), '--starttls', '--smtp-ca', tls.certFile], { vault, cwd: dir });
      expect(ok.code, ok.stderr).toBe(0);
      expect(starttls.mails).toHaveLength(1);
      expect(must(starttls.mails[0]).user).toBe('mailer');
      expect(must(starttls.mails[0]).from).toBe('alice@example.com'); // the vault owner's address
      expect(header(must(starttls.mails[0]).raw, 'Subject')).toBe('Encrypted message from seeqret');
      expect(gpg(bob.home, ['--decrypt'], armoredIn(must(starttls.mails[0]).raw)).stdout.toString()).toContain("api_key='sk_live_123456'\n");
      const ok2 = await run([...base, '--smtp-port', String(implicit.port), '--tls', '--smtp-ca', tls.certFile], { vault, cwd: dir });
      expect(ok2.code, ok2.stderr).toBe(0);
      expect(implicit.mails).toHaveLength(1);
      // The login was read from the vault and audited.
      expect((await cliIn(['audit', '--action', 'secret.read', '--format', 'json'], { vault })).stdout).toContain('send smtp login');
      // Without the CA the self-signed certificate is refused.
      const untrusted = await run([...base, '--smtp-port', String(starttls.port), '--starttls'], { vault, cwd: dir });
      expect(errorCode(untrusted)).toBe('E_SMTP');
      expect(untrusted.code).toBe(11);
      // A wrong password: E_SMTP, nothing recorded.
      expect((await cliIn(['edit', 'value', 'SMTP_PASSWORD', 'wrong'], { vault })).code).toBe(0);
      const denied = await run([...base, '--smtp-port', String(starttls.port), '--starttls', '--smtp-ca', tls.certFile], { vault, cwd: dir });
      expect(errorCode(denied)).toBe('E_SMTP');
      expect(denied.stderr).toContain('refused the login');
      expect(denied.stderr).not.toContain('wrong');
      expect(starttls.mails).toHaveLength(1);
      expect((JSON.parse((await cliIn(['audit', '--action', 'send', '--format', 'json'], { vault })).stdout) as unknown[]).length).toBe(2);
      // A password never goes over plain SMTP to another host.
      const plain = await run([...base, '--smtp-host', 'mail.example.invalid'], { vault, cwd: dir });
      expect(errorCode(plain)).toBe('E_USAGE');
      expect(plain.stderr).toContain('unencrypted');
    } finally {
      await starttls.close();
      await implicit.close();
    }
  });

  it('checks everything before the first message: recipients, keys, variables, options; a dead server is E_SMTP', async () => {
    const { vault, dir } = await setup();
    const smtp = await smtpServer();
    const port = String(smtp.port);
    try {
      const send = (args: string[], cwd = dir): Promise<CliResult> => run(['send', '--smtp-host', '127.0.0.1', '--smtp-port', port, ...args], { vault, cwd });
      const noKey = await send(['--to', 'bob@example.com,zed@example.com', 'api_key']);
      expect(errorCode(noKey)).toBe('E_NO_PGP_KEY');
      expect(noKey.code).toBe(3);
      expect(noKey.stderr).toContain('zed@example.com');
      const unknown = await send(['--to', 'bob', 'api_key', 'nope', 'unset_var']);
      expect(errorCode(unknown)).toBe('E_NOT_FOUND');
      expect(unknown.stderr).toContain('not a variable of environment dev: nope; not set in environment dev: unset_var');
      expect(errorCode(await send(['api_key']))).toBe('E_USAGE');
      expect(errorCode(await send(['--to', 'bob', '--tls', '--starttls', 'api_key']))).toBe('E_USAGE');
      expect(errorCode(await send(['--to', 'bob', '--smtp-port', '70000', 'api_key']))).toBe('E_USAGE');
      expect(errorCode(await send(['--to', 'bob', '--subject', 'a\nBcc: x@y', 'api_key']))).toBe('E_USAGE');
      expect(errorCode(await send(['--to', 'bob', 'api_key'], tmpdir()))).toBe('E_NO_PROJECT');
      // A second key for bob's address makes the address ambiguous (the name still works).
      const bob2 = gpgUser('Bob Two <bob@example.com>');
      expect((await cliIn(['add', 'user', '--username', 'bob2', '--pgp-key', bob2.pub], { vault })).code).toBe(0);
      const amb = await send(['--to', 'bob@example.com', 'api_key']);
      expect(errorCode(amb)).toBe('E_AMBIGUOUS');
      expect(amb.stderr).toContain('bob, bob2');
      expect(smtp.mails).toHaveLength(0);
      // Outside a project, app:env:key filters work.
      const filters = await send(['--to', 'bob2', 'shop:dev:api_key'], tmpdir());
      expect(filters.code, filters.stderr).toBe(0);
      expect(gpg(bob2.home, ['--decrypt'], armoredIn(must(smtp.mails[0]).raw)).stdout.toString()).toContain("api_key='sk_live_123456'\n");
    } finally {
      await smtp.close();
    }
    const dead = await run(['send', '--smtp-host', '127.0.0.1', '--smtp-port', port, '--to', 'bob', 'api_key'], { vault, cwd: dir });
    expect(errorCode(dead)).toBe('E_SMTP');
    expect(dead.code).toBe(11);
    expect(dead.stderr).toContain('cannot talk to 127.0.0.1');
  });
});

/**
 * What an older seeqret, which stored addresses unchecked, left in a vault: a raw SQL change
 * made through the vault's own writer, so the rows stay authenticated (a plain SQL session would
 * be E_TAMPERED, which is another protection).
 */
function storedByOlderSeeqret(vault: string, sql: string, ...params: string[]): void {
  const v = Vault.open({ dir: vault });
  try {
    v.atomically(() => vaultDatabase(v).prepare(sql).run(...params));
  } finally {
    v.close();
  }
}

describe('e-mail addresses are single addresses (a list or a line break cannot add a recipient)', () => {
  const hostile = ['bob@example.com, eve@evil.example', 'bob@example.com;eve@evil.example', 'bob@example.com\r\nBcc: eve@evil.example', 'Bob <eve@evil.example>', '"bob@example.com" eve@evil.example', 'bob@example.com eve@evil.example'];

  it('add user --pgp-key --email refuses a list or a header break (nothing stored); send never mails a second recipient', async () => {
    const { vault, dir } = await setup();
    for (const email of hostile) {
      const r = await cliIn(['add', 'user', '--username', 'bob', '--pgp-key', bob.pub, '--email', email, '--force'], { vault });
      expect([r.code, errorCode(r)], `${JSON.stringify(email)}: ${r.stderr}`).toEqual([2, 'E_USAGE']);
      expect(r.stderr).not.toContain('\r');
    }
    expect(must((JSON.parse((await cliIn(['users', '--pgp', '--format', 'json'], { vault })).stdout) as Array<Record<string, string>>)[0])['email']).toBe('bob@example.com');
    // A vault written by an older seeqret may hold such an address: send refuses it, mails nothing.
    const smtp = await smtpServer();
    try {
      for (const email of hostile) {
        storedByOlderSeeqret(vault, "UPDATE pgp_keys SET email = ? WHERE username = 'bob'", email);
        const r = await run(['send', '--to', 'bob', '--smtp-host', '127.0.0.1', '--smtp-port', String(smtp.port), 'api_key'], { vault, cwd: dir });
        expect([r.code, errorCode(r)], `${JSON.stringify(email)}: ${r.stderr}`).toEqual([2, 'E_USAGE']);
        expect(r.stderr).not.toContain('Sent');
      }
      // --from gets the same check.
      storedByOlderSeeqret(vault, "UPDATE pgp_keys SET email = 'bob@example.com' WHERE username = 'bob'");
      for (const from of hostile) {
        const r = await run(['send', '--to', 'bob', '--from', from.replace(/\r\n/g, ' '), '--smtp-host', '127.0.0.1', '--smtp-port', String(smtp.port), 'api_key'], { vault, cwd: dir });
        expect(errorCode(r), `${JSON.stringify(from)}: ${r.stderr}`).toBe('E_USAGE');
      }
      expect(smtp.mails).toHaveLength(0);
      const good = await run(['send', '--to', 'bob', '--smtp-host', '127.0.0.1', '--smtp-port', String(smtp.port), 'api_key'], { vault, cwd: dir });
      expect(good.code, good.stderr).toBe(0);
      expect(smtp.mails.map((m) => m.to)).toEqual([['bob@example.com']]);
    } finally {
      await smtp.close();
    }
  });

  it('init, add user --email and restore of a backup refuse such addresses', async () => {
    for (const email of hostile) {
      const parent = tmpdir();
      const r = await cliIn(['init', parent, '--user', 'alice', '--email', email]);
      expect([r.code, errorCode(r)], JSON.stringify(email)).toEqual([2, 'E_USAGE']);
      expect(fs.existsSync(path.join(parent, 'seeqret', 'vault.db'))).toBe(false);
    }
    const vault = newVault();
    const other = (await cliIn(['public-key'], { vault: newVault({ user: 'bob' }) })).stdout.trim();
    for (const email of hostile) expect(errorCode(await cliIn(['add', 'user', '--username', 'bob', '--email', email, '--pubkey', other], { vault })), JSON.stringify(email)).toBe('E_USAGE');
    expect((await cliIn(['users', '--format', 'json'], { vault })).stdout).not.toContain('"bob"');
    // A backup carrying such an address (written by an older seeqret) does not restore it.
    expect((await cliIn(['add', 'user', '--username', 'bob', '--email', 'bob@example.com', '--pubkey', other], { vault })).code).toBe(0);
    storedByOlderSeeqret(vault, "UPDATE users SET email = 'bob@example.com, eve@evil.example' WHERE username = 'bob'");
    const file = path.join(tmpdir(), 'b.age');
    const env = { SEEQRET_BACKUP_PASSPHRASE: 'a long passphrase' };
    await backupIn(vault, file, env.SEEQRET_BACKUP_PASSPHRASE); // the backup use case, low work factor
    const target = path.join(tmpdir(), 'restored');
    const r = await cliIn(['restore', file], { vault: target, env });
    // The backup is malformed: refused where it enters, before anything is created.
    expect(errorCode(r), r.stderr).toBe('E_BACKUP_FORMAT');
    expect(r.stderr).toContain('is not one e-mail address');
    expect(fs.existsSync(path.join(target, 'vault.db'))).toBe(false);
  });
});
