/**
 * The `send` use case called in-process with a recording transport (no SMTP server, no CLI):
 * recipients resolved to their one stored PGP key, one message each that only their private key
 * opens, every accepted message recorded, a failure midway saying who got one. Real vault, real
 * OpenPGP keys (OpenPGP.js). The end-to-end path with a real SMTP server and gpg is
 * test/send.test.ts.
 */
import path from 'node:path';
import * as openpgp from 'openpgp';
import { afterEach, describe, expect, it } from 'vitest';
import { tmpdir } from './helpers.js';
import { SeeqretError } from '../src/errors.js';
import { readPgpPublicKey } from '../src/crypto/pgp.js';
import { parseDotenv } from '../src/formats/dotenv.js';
import type { OutgoingMail, SmtpSettings } from '../src/sharing/mail.js';
import { type MailTransport, type SentMessage, recipientsOf, sendSecrets } from '../src/sharing/send.js';
import { Vault } from '../src/vault/vault.js';
import { must } from './must.js';

const open: Vault[] = [];
afterEach(() => {
  for (const v of open.splice(0)) v.close();
});

/** A transport that keeps what it was given; `failAt` refuses that message (0-based) as a server would. */
function recorder(failAt?: number): MailTransport & { settings: SmtpSettings[]; mails: OutgoingMail[] } {
  const settings: SmtpSettings[] = [];
  const mails: OutgoingMail[] = [];
  return {
    settings,
    mails,
    send(s, list, onSent) {
      settings.push(s);
      for (const [i, m] of list.entries()) {
        if (i === failAt) return Promise.reject(new SeeqretError('E_SMTP', `${s.host}:${s.port}: 550 mailbox unavailable`, 'Check the SMTP settings.'));
        mails.push(m);
        onSent(m, `<${i}@test>`);
      }
      return Promise.resolve();
    },
  };
}

async function person(v: Vault, username: string, email: string): Promise<{ privateKey: openpgp.PrivateKey; fingerprint: string }> {
  const k = await openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name: username, email }], format: 'armored' });
  const pub = await readPgpPublicKey(Buffer.from(k.publicKey), `${username}.asc`);
  v.addPgpKey({ username, fingerprint: pub.fingerprint, email, userIds: pub.userIds, armored: pub.armored });
  return { privateKey: await openpgp.readPrivateKey({ armoredKey: k.privateKey }), fingerprint: pub.fingerprint };
}

async function decrypt(text: string, key: openpgp.PrivateKey): Promise<string> {
  const { data } = await openpgp.decrypt({ message: await openpgp.readMessage({ armoredMessage: text }), decryptionKeys: key });
  return String(data);
}

const SMTP: SmtpSettings = { host: 'localhost', port: 2525, security: 'none' };

describe('send (in-process)', () => {
  it('one message per recipient, encrypted to their key only, recorded after delivery; the SMTP login comes from the vault', async () => {
    const v = Vault.create({ dir: path.join(tmpdir(), 'v'), username: 'alice', email: 'alice@example.com' });
    open.push(v);
    v.set({ app: 'web', env: 'prod', key: 'DB_PASSWORD', value: "it's secret" });
    v.set({ app: 'web', env: 'prod', key: 'API_KEY', value: 'k-123' });
    v.set({ app: '*', env: '*', key: 'SMTP_USERNAME', value: 'mailer' });
    v.set({ app: '*', env: '*', key: 'SMTP_PASSWORD', value: 'mailpw' });
    const bob = await person(v, 'bob', 'bob@example.com');
    const carol = await person(v, 'carol', 'carol@example.org');
    const t = recorder();
    const progress: SentMessage[] = [];
    const sent = await sendSecrets(v, { vars: ['web:prod:'], to: ['bob@example.com,carol'], smtp: SMTP }, { transport: t, now: () => new Date('2030-01-02T03:04:05Z'), onSent: (m) => progress.push(m) });
    expect(sent.map((s) => [s.username, s.email, s.count])).toEqual([['bob', 'bob@example.com', 2], ['carol', 'carol@example.org', 2]]);
    expect(progress).toEqual(sent);
    expect(t.settings).toEqual([{ ...SMTP, auth: { user: 'mailer', pass: 'mailpw' } }]);
    expect(t.mails.map((m) => [m.from, m.to, m.subject])).toEqual([
      ['alice@example.com', 'bob@example.com', 'Encrypted message from seeqret'],
      ['alice@example.com', 'carol@example.org', 'Encrypted message from seeqret'],
    ]);
    expect(t.mails.every((m) => !m.text.includes('k-123'))).toBe(true);
    const plain = await decrypt(must(t.mails[0]).text, bob.privateKey);
    expect(plain).toContain('2030-01-02T03:04:05.000Z');
    expect(parseDotenv(plain).map((x) => [x.key, x.value])).toEqual([['API_KEY', 'k-123'], ['DB_PASSWORD', "it's secret"]]);
    await expect(decrypt(must(t.mails[0]).text, carol.privateKey)).rejects.toThrow();
    expect(parseDotenv(await decrypt(must(t.mails[1]).text, carol.privateKey)).map((x) => x.value)).toEqual(['k-123', "it's secret"]);
    // Recorded: one share per secret per recipient, and a send audit entry each.
    expect(v.sharingRecords().shares.filter((s) => s.username === 'bob').length).toBe(2);
    expect(v.auditLog({ action: 'send' }).length).toBe(2);
  });

  it('a failure midway names who got a message; only delivered messages are recorded; nothing leaves when a check fails', async () => {
    const v = Vault.create({ dir: path.join(tmpdir(), 'v'), username: 'alice', email: 'alice@example.com' });
    open.push(v);
    v.set({ app: 'web', env: 'prod', key: 'TOKEN', value: 't1' });
    await person(v, 'bob', 'bob@example.com');
    await person(v, 'carol', 'carol@example.org');
    const t = recorder(1);
    const e = await sendSecrets(v, { vars: ['web:prod:TOKEN'], to: ['bob', 'carol'], smtp: SMTP }, { transport: t }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SeeqretError);
    expect((e as SeeqretError).message).toContain('(sent to bob; not sent to carol)');
    expect(v.auditLog({ action: 'send' }).length).toBe(1);

    const none = recorder();
    const code = async (p: Promise<unknown>): Promise<string | undefined> => p.then(() => undefined, (x: unknown) => (x instanceof SeeqretError ? x.code : String(x)));
    expect(await code(sendSecrets(v, { vars: ['web:prod:TOKEN'], to: ['dave@example.com'], smtp: SMTP }, { transport: none }))).toBe('E_NO_PGP_KEY');
    expect(await code(sendSecrets(v, { vars: ['web:prod:NOPE'], to: ['bob'], smtp: SMTP }, { transport: none }))).toBe('E_NOT_FOUND');
    expect(await code(sendSecrets(v, { vars: ['TOKEN'], to: ['bob'], smtp: SMTP }, { transport: none }))).toBe('E_USAGE'); // a bare name needs a project
    expect(await code(sendSecrets(v, { vars: ['web:prod:TOKEN'], to: ['bob'], subject: 'a\nBcc: x', smtp: SMTP }, { transport: none }))).toBe('E_USAGE');
    v.set({ app: '*', env: '*', key: 'SMTP_USERNAME', value: 'u' });
    v.set({ app: '*', env: '*', key: 'SMTP_PASSWORD', value: 'p' });
    expect(await code(sendSecrets(v, { vars: ['web:prod:TOKEN'], to: ['bob'], smtp: { ...SMTP, host: 'mail.example.com' } }, { transport: none }))).toBe('E_USAGE'); // a password in clear over the network
    expect(none.mails).toEqual([]);
    expect(() => recipientsOf([' , '])).toThrow(/at least one --to/);
  });
});
