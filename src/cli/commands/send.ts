/**
 * `seeqret send --to RECIPIENT... VARS...`: e-mail secrets, encrypted with OpenPGP to each
 * recipient's public key (stored with `add user --pgp-key`), through any SMTP server.
 *
 * Everything is checked before the first message leaves: every recipient has exactly one key, every
 * variable has a value, every message is encrypted. Each recipient gets their own message, encrypted
 * to their key only; its plaintext is a dotenv text (`NAME='value'` lines under two comment lines).
 * Each message sent is recorded (shares and a `send` audit entry, names only).
 *
 * @module
 */
import { formatFingerprint } from '../../crypto/pgp.js';
import { SeeqretError } from '../../errors.js';
import { parseFilter } from '../../filter/index.js';
import { formatDotenv } from '../../formats/dotenv.js';
import { requireProject, resolveEnvironment } from '../../project/project.js';
import { environmentVariables } from '../../project/variables.js';
import type { OutgoingMail, SmtpSecurity } from '../../sharing/mail.js';
import { readTextFileCapped } from '../../util/fs.js';
import { printable } from '../../util/text.js';
import { type PgpKeyRecord, type SecretRecord, type Vault, secretLabel } from '../../vault/vault.js';
import { type GlobalOptions, info, withVault } from '../context.js';

/** Default subject: says nothing about what is inside (the subject is not encrypted). */
export const DEFAULT_SUBJECT = 'Encrypted message from seeqret';
/** Secrets read for the SMTP login unless --smtp-user-secret / --smtp-password-secret say otherwise. */
export const DEFAULT_SMTP_USER_SECRET = 'SMTP_USERNAME';
export const DEFAULT_SMTP_PASSWORD_SECRET = 'SMTP_PASSWORD';

const ADDRESS_RE = /^[^\s@<>(),;:"[\]\\]+@[^\s@<>(),;:"[\]\\]+$/;

/** The addresses in a list of user IDs (`Name <a@b>` or a bare address). */
function uidAddresses(userIds: readonly string[]): string[] {
  return userIds.flatMap((u) => {
    const m = /<([^<>]+)>\s*$/.exec(u);
    const a = (m ? m[1]! : u).trim();
    return ADDRESS_RE.test(a) ? [a.toLowerCase()] : [];
  });
}

/** The one stored key for `to` (an address or a name). */
export function findRecipientKey(keys: readonly PgpKeyRecord[], to: string): PgpKeyRecord {
  const isAddress = to.includes('@') && !keys.some((k) => k.username === to);
  const lower = to.toLowerCase();
  const matches = isAddress ? keys.filter((k) => k.email.toLowerCase() === lower || uidAddresses(k.userIds).includes(lower)) : keys.filter((k) => k.username === to);
  if (matches.length === 0) {
    throw new SeeqretError('E_NO_PGP_KEY', `no PGP key is stored for ${printable(to)}`, 'Import their public key: seeqret add user --username NAME --pgp-key FILE (seeqret users --pgp lists the keys).');
  }
  if (matches.length > 1) {
    throw new SeeqretError('E_AMBIGUOUS', `${printable(to)} matches the PGP keys of ${matches.map((k) => k.username).join(', ')}`, 'Send to one name instead (--to NAME), or remove the key you do not mean.');
  }
  return matches[0]!;
}

function checkHeader(what: string, value: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new SeeqretError('E_USAGE', `${what} contains a control character`, `Give ${what} on one line.`);
  return value;
}

/** The SMTP login from the vault: both secrets, neither (no login), or an error. */
function smtpLogin(v: Vault, userFilter: string, passFilter: string, explicit: { user: boolean; pass: boolean }): { user: string; pass: string; records: SecretRecord[] } | null {
  const one = (filter: string, what: string, given: boolean): SecretRecord | null => {
    const matches = v.find([parseFilter(filter)]);
    if (matches.length === 0) {
      if (given) throw new SeeqretError('E_NOT_FOUND', `no secret matches ${what} '${printable(filter)}'`, 'Add it (seeqret add key) or fix the filter.');
      return null;
    }
    if (matches.length > 1) {
      throw new SeeqretError('E_AMBIGUOUS', `${what} '${printable(filter)}' matches ${matches.length} secrets: ${matches.slice(0, 5).map(secretLabel).join(', ')}`, `Name exactly one, e.g. ${what} myapp:prod:SMTP_PASSWORD.`);
    }
    return matches[0]!;
  };
  const u = one(userFilter, '--smtp-user-secret', explicit.user);
  const p = one(passFilter, '--smtp-password-secret', explicit.pass);
  if (!u && !p) return null;
  if (!u || !p) {
    const missing = u ? `--smtp-password-secret '${passFilter}'` : `--smtp-user-secret '${userFilter}'`;
    throw new SeeqretError('E_NOT_FOUND', `the SMTP login needs both a user name and a password secret; nothing matches ${printable(missing)}`, 'Add the missing secret (seeqret add key), or name it with the option.');
  }
  return { user: v.reveal(u), pass: v.reveal(p), records: [u, p] };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '::1' || host === '[::1]';
}

export async function send(g: GlobalOptions, args: unknown[], o: Record<string, unknown>): Promise<number> {
  const vars = args[0] as string[];
  const recipients = [...new Set(((o['to'] as string[] | undefined) ?? []).flatMap((t) => t.split(',')).map((t) => t.trim()).filter((t) => t !== ''))];
  if (recipients.length === 0) throw new SeeqretError('E_USAGE', 'send needs at least one --to RECIPIENT', 'Name each recipient: --to bob@example.com (repeatable), or --to NAME.');
  if (o['tls'] && o['starttls']) throw new SeeqretError('E_USAGE', '--tls and --starttls exclude each other', 'Use --tls for implicit TLS (port 465) or --starttls for port 587.');
  const security: SmtpSecurity = o['tls'] ? 'tls' : o['starttls'] ? 'starttls' : 'none';
  const host = String(o['smtpHost'] ?? 'localhost');
  if (host === '' || /[\s\u0000-\u001f]/.test(host)) throw new SeeqretError('E_USAGE', `bad --smtp-host ${JSON.stringify(printable(host))}`, 'Give a host name or address.');
  const { defaultSmtpPort } = await import('../../sharing/mail.js');
  let port = defaultSmtpPort(security);
  if (o['smtpPort'] !== undefined) {
    const text = String(o['smtpPort']);
    port = /^[0-9]{1,5}$/.test(text) ? Number(text) : NaN;
    if (!(port >= 1 && port <= 65535)) throw new SeeqretError('E_USAGE', `bad --smtp-port ${JSON.stringify(printable(text))}`, 'Give a port number from 1 to 65535.');
  }
  const ca = o['smtpCa'] === undefined ? undefined : readTextFileCapped(String(o['smtpCa']), 'certificate');
  const subject = checkHeader('--subject', String(o['subject'] ?? DEFAULT_SUBJECT));
  const fromOption = o['from'] === undefined ? undefined : checkHeader('--from', String(o['from']));
  const userSecret = String(o['smtpUserSecret'] ?? DEFAULT_SMTP_USER_SECRET);
  const passSecret = String(o['smtpPasswordSecret'] ?? DEFAULT_SMTP_PASSWORD_SECRET);
  const bare = vars.filter((x) => !x.includes(':'));
  const project = bare.length > 0 || o['env'] !== undefined ? requireProject() : null;
  const env = project ? resolveEnvironment(project, o['env'] as string | undefined).name : null;
  if (ca !== undefined && !ca.includes('-----BEGIN CERTIFICATE-----')) {
    throw new SeeqretError('E_USAGE', `${printable(String(o['smtpCa']))} holds no PEM certificate`, 'Give the PEM file of the CA (or the self-signed certificate) the server uses.');
  }

  return withVault(g, async (v) => {
    // Recipients: exactly one stored key each.
    const keys = v.pgpKeys();
    const byId = new Map<number, PgpKeyRecord>();
    for (const r of recipients) {
      const k = findRecipientKey(keys, r);
      byId.set(k.id, k);
    }
    // Secrets: environment variables by own or Export name, and app:env:key filters.
    const chosen: Array<{ name: string; record: SecretRecord }> = [];
    const add = (name: string, record: SecretRecord): void => {
      const prev = chosen.find((c) => c.name === name);
      if (prev && prev.record.id !== record.id) {
        throw new SeeqretError('E_AMBIGUOUS', `both ${secretLabel(prev.record)} and ${secretLabel(record)} would be sent as ${name}`, 'Narrow the filters so that each name is sent once.');
      }
      if (!prev) chosen.push({ name, record });
    };
    if (project && env && bare.length) {
      const byName = new Map<string, { record: SecretRecord | undefined }>();
      for (const s of environmentVariables(v, project, env)) {
        byName.set(s.variable, { record: s.record });
        if (s.description?.export !== undefined && !byName.has(s.description.export)) byName.set(s.description.export, { record: s.record });
      }
      const unknown = bare.filter((n) => !byName.has(n));
      const unset = bare.filter((n) => byName.has(n) && !byName.get(n)!.record);
      if (unknown.length || unset.length) {
        const parts = [...(unknown.length ? [`not a variable of environment ${env}: ${unknown.join(', ')}`] : []), ...(unset.length ? [`not set in environment ${env}: ${unset.join(', ')}`] : [])];
        throw new SeeqretError('E_NOT_FOUND', printable(parts.join('; ')), 'Check the names (seeqret show) or set the values first.');
      }
      for (const n of bare) add(n, byName.get(n)!.record!);
    }
    for (const f of vars.filter((x) => x.includes(':'))) {
      const matches = v.find([parseFilter(f)]);
      if (matches.length === 0) throw new SeeqretError('E_NOT_FOUND', `no secret matches '${printable(f)}'`, 'Run `seeqret list` to see what exists.');
      for (const m of matches) add(m.key, m);
    }
    const owner = v.owner();
    const from = fromOption ?? owner.email ?? '';
    if (from === '') throw new SeeqretError('E_USAGE', 'no --from address, and the vault owner has no e-mail address', 'Pass --from you@example.com.');
    const login = smtpLogin(v, userSecret, passSecret, { user: o['smtpUserSecret'] !== undefined, pass: o['smtpPasswordSecret'] !== undefined });
    if (login && security === 'none' && !isLoopback(host)) {
      throw new SeeqretError('E_USAGE', `the SMTP password would cross the network unencrypted to ${printable(host)}`, 'Add --starttls (port 587) or --tls (port 465).');
    }

    // The plaintext (dotenv) and one encrypted message per recipient, all before sending anything.
    const records = chosen.map((c) => c.record);
    const body = formatDotenv(chosen.map((c) => ({ key: c.name, value: v.reveal(c.record) })));
    const scopes = [...new Set(records.map((r) => `${r.app}:${r.env}`))];
    const header =
      `# seeqret: ${chosen.length} secret${chosen.length === 1 ? '' : 's'} from ${owner.username}${owner.email ? ` <${owner.email}>` : ''}, ${new Date().toISOString()}\n` +
      `# from ${scopes.join(', ')}. Save it as a .env file, or load it: seeqret importenv FILE --app APP --env ENV\n`;
    const { encryptToPgpKey } = await import('../../crypto/pgp.js');
    const mails: Array<OutgoingMail & { key: PgpKeyRecord }> = [];
    for (const k of byId.values()) {
      mails.push({ key: k, from, to: k.email, subject, text: await encryptToPgpKey(k.armored, header + body, k.username) });
    }
    if (login) v.auditReads(login.records, 'send smtp login');

    const { sendMails } = await import('../../sharing/mail.js');
    const sent: string[] = [];
    try {
      await sendMails({ host, port, security, ...(ca !== undefined ? { ca } : {}), ...(login ? { auth: { user: login.user, pass: login.pass } } : {}) }, mails, (m, messageId) => {
        const k = (m as (typeof mails)[number]).key;
        v.recordSend(k, messageId, records, { smtp: `${host}:${port}` });
        sent.push(k.username);
        info(`Sent ${chosen.length} secret${chosen.length === 1 ? '' : 's'} to ${k.username} <${k.email}> (PGP key ${formatFingerprint(k.fingerprint)})`);
      });
    } catch (e) {
      if (e instanceof SeeqretError && sent.length > 0) {
        const rest = mails.map((m) => m.key.username).filter((n) => !sent.includes(n));
        throw new SeeqretError(e.code, `${e.message} (sent to ${sent.join(', ')}; not sent to ${rest.join(', ')})`, e.fix, { cause: e });
      }
      throw e;
    }
    return 0;
  });
}

