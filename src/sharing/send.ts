/**
 * The `send` use case: e-mail secrets, encrypted with OpenPGP to each recipient's public key
 * (stored with `add user --pgp-key`), through an SMTP server.
 *
 * Everything is checked before the first message leaves: every recipient has exactly one key,
 * every variable has a value, every message is encrypted. Each recipient gets their own message,
 * encrypted to their key only; its plaintext is a dotenv text (`NAME='value'` lines under two
 * comment lines). Each message sent is recorded (shares and a `send` audit entry, names only).
 *
 * The delivery is an injected {@link MailTransport} (the CLI's is `sendMails` of mail.ts, over
 * SMTP), the clock is a parameter; nothing here touches `process`.
 *
 * @module
 */
import { SeeqretError } from '../errors.js';
import { parseFilter } from '../filter/index.js';
import { formatDotenv } from '../formats/dotenv.js';
import type { Project } from '../project/project.js';
import { environmentVariables } from '../project/variables.js';
import { checkEmail, isEmailAddress } from '../util/email.js';
import { printable } from '../util/text.js';
import { type PgpKeyRecord, type SecretRecord, type Vault, secretLabel } from '../vault/vault.js';
import type { OutgoingMail, SmtpSettings } from './mail.js';
import { refuseIfWatchOnly } from './watch-only.js';

/** Default subject: says nothing about what is inside (the subject is not encrypted). */
export const DEFAULT_SUBJECT = 'Encrypted message from seeqret';
/** Secret read for the SMTP user name unless another is named. */
export const DEFAULT_SMTP_USER_SECRET = 'SMTP_USERNAME';
/** Secret read for the SMTP password unless another is named. */
export const DEFAULT_SMTP_PASSWORD_SECRET = 'SMTP_PASSWORD';

/** Delivers messages (SMTP in the CLI; a recording transport in tests; a relay later). */
export interface MailTransport {
  /**
   * Send `mails` in order with the settings `s`; call `onSent` after each accepted message; the
   * first failure stops the rest and is thrown (`E_SMTP`). `onSent` is given the very object of
   * `mails` that was sent.
   */
  send(s: SmtpSettings, mails: readonly OutgoingMail[], onSent: (mail: OutgoingMail, messageId: string) => void): Promise<void>;
}

/** What to send to whom, and how. */
export interface SendRequest {
  /** Variables of the project environment (own or Export name) and `app:env:key` filters. */
  readonly vars: readonly string[];
  /** E-mail addresses or names of stored PGP keys (see {@link recipientsOf}). */
  readonly to: readonly string[];
  /** The project and environment the bare variable names belong to (needed when there are any). */
  readonly project?: { readonly project: Project; readonly env: string } | undefined;
  /** The SMTP server (a login, when the vault holds one, is added here). */
  readonly smtp: SmtpSettings;
  /** Sender address (default: the vault owner's). */
  readonly from?: string | undefined;
  /** Default {@link DEFAULT_SUBJECT}. */
  readonly subject?: string | undefined;
  /** The secret holding the SMTP user name; naming one makes it required. */
  readonly smtpUserSecret?: string | undefined;
  /** The secret holding the SMTP password; naming one makes it required. */
  readonly smtpPasswordSecret?: string | undefined;
}

/** One message sent. */
export interface SentMessage {
  readonly username: string;
  readonly email: string;
  /** The recipient's PGP key fingerprint (hex). */
  readonly fingerprint: string;
  /** How many secrets it carried. */
  readonly count: number;
}

/** What the use case needs from outside. */
export interface SendDeps {
  readonly transport: MailTransport;
  /** The time written into the message (default: now). */
  readonly now?: (() => Date) | undefined;
  /** Told after each message is accepted and recorded (progress; the result lists them too). */
  readonly onSent?: ((m: SentMessage) => void) | undefined;
}

/** The recipients of `--to` options: comma-separated lists split, blanks dropped, duplicates removed; none is `E_USAGE`. */
export function recipientsOf(to: readonly string[]): string[] {
  const recipients = [...new Set(to.flatMap((t) => t.split(',')).map((t) => t.trim()).filter((t) => t !== ''))];
  if (recipients.length === 0) throw new SeeqretError('E_USAGE', 'send needs at least one --to RECIPIENT', 'Name each recipient: --to bob@example.com (repeatable), or --to NAME.');
  return recipients;
}

/** `value` if it holds no control character (a header line), else `E_USAGE` naming `what`. */
export function checkHeader(what: string, value: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new SeeqretError('E_USAGE', `${what} contains a control character`, `Give ${what} on one line.`);
  return value;
}

/** The addresses in a list of user IDs (`Name <a@b>` or a bare address). */
function uidAddresses(userIds: readonly string[]): string[] {
  return userIds.flatMap((u) => {
    const m = /<([^<>]+)>\s*$/.exec(u);
    const a = (m?.[1] ?? u).trim();
    return isEmailAddress(a) ? [a.toLowerCase()] : [];
  });
}

/** The one stored key for `to` (an address or a name). */
export function findRecipientKey(keys: readonly PgpKeyRecord[], to: string): PgpKeyRecord {
  const isAddress = to.includes('@') && !keys.some((k) => k.username === to);
  const lower = to.toLowerCase();
  const matches = isAddress ? keys.filter((k) => k.email.toLowerCase() === lower || uidAddresses(k.userIds).includes(lower)) : keys.filter((k) => k.username === to);
  const first = matches[0];
  if (first === undefined) {
    throw new SeeqretError('E_NO_PGP_KEY', `no PGP key is stored for ${printable(to)}`, 'Import their public key: seeqret add user --username NAME --pgp-key FILE (seeqret users --pgp lists the keys).');
  }
  if (matches.length > 1) {
    throw new SeeqretError('E_AMBIGUOUS', `${printable(to)} matches the PGP keys of ${matches.map((k) => k.username).join(', ')}`, 'Send to one name instead (--to NAME), or remove the key you do not mean.');
  }
  return first;
}

/** The SMTP login from the vault: both secrets, neither (no login), or an error. */
function smtpLogin(v: Vault, userFilter: string, passFilter: string, explicit: { user: boolean; pass: boolean }): { user: string; pass: string; records: SecretRecord[] } | null {
  const one = (filter: string, what: string, given: boolean): SecretRecord | null => {
    const matches = v.find([parseFilter(filter)]);
    const first = matches[0];
    if (first === undefined) {
      if (given) throw new SeeqretError('E_NOT_FOUND', `no secret matches ${what} '${printable(filter)}'`, 'Add it (seeqret add key) or fix the filter.');
      return null;
    }
    if (matches.length > 1) {
      throw new SeeqretError('E_AMBIGUOUS', `${what} '${printable(filter)}' matches ${matches.length} secrets: ${matches.slice(0, 5).map(secretLabel).join(', ')}`, `Name exactly one, e.g. ${what} myapp:prod:SMTP_PASSWORD.`);
    }
    return first;
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

/** Does `host` name this machine (a password may then travel unencrypted)? */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '::1' || host === '[::1]';
}

/** The secrets to send, by the name each is sent under. */
function chooseSecrets(v: Vault, r: SendRequest): Array<{ name: string; record: SecretRecord }> {
  const bare = r.vars.filter((x) => !x.includes(':'));
  const chosen: Array<{ name: string; record: SecretRecord }> = [];
  const add = (name: string, record: SecretRecord): void => {
    const prev = chosen.find((c) => c.name === name);
    if (prev && prev.record.id !== record.id) {
      throw new SeeqretError('E_AMBIGUOUS', `both ${secretLabel(prev.record)} and ${secretLabel(record)} would be sent as ${name}`, 'Narrow the filters so that each name is sent once.');
    }
    if (!prev) chosen.push({ name, record });
  };
  if (bare.length > 0) {
    if (!r.project) throw new SeeqretError('E_USAGE', `variable names (${printable(bare.join(', '))}) need a project environment`, 'Run it inside a project (seeqret.yaml), or give app:env:key filters.');
    const { project, env } = r.project;
    const byName = new Map<string, { record: SecretRecord | undefined }>();
    for (const s of environmentVariables(v, project, env)) {
      byName.set(s.variable, { record: s.record });
      if (s.description?.export !== undefined && !byName.has(s.description.export)) byName.set(s.description.export, { record: s.record });
    }
    const unknown = bare.filter((n) => !byName.has(n));
    const unset = bare.filter((n) => byName.has(n) && !byName.get(n)?.record);
    if (unknown.length || unset.length) {
      const parts = [...(unknown.length ? [`not a variable of environment ${env}: ${unknown.join(', ')}`] : []), ...(unset.length ? [`not set in environment ${env}: ${unset.join(', ')}`] : [])];
      throw new SeeqretError('E_NOT_FOUND', printable(parts.join('; ')), 'Check the names (seeqret show) or set the values first.');
    }
    for (const n of bare) {
      const record = byName.get(n)?.record;
      if (record) add(n, record); // every name has one: the unknown and unset ones were refused above
    }
  }
  for (const f of r.vars.filter((x) => x.includes(':'))) {
    const matches = v.find([parseFilter(f)]);
    if (matches.length === 0) throw new SeeqretError('E_NOT_FOUND', `no secret matches '${printable(f)}'`, 'Run `seeqret list` to see what exists.');
    for (const m of matches) add(m.key, m);
  }
  return chosen;
}

/**
 * Send the secrets `r` names to each recipient, one OpenPGP-encrypted message each, and record
 * every message the transport accepted. A failure after some were sent says who got one.
 */
export async function sendSecrets(v: Vault, r: SendRequest, deps: SendDeps): Promise<SentMessage[]> {
  refuseIfWatchOnly(v.dir);
  const recipients = recipientsOf(r.to);
  const subject = checkHeader('--subject', r.subject ?? DEFAULT_SUBJECT);
  const fromOption = r.from === undefined ? undefined : checkHeader('--from', r.from);
  // Recipients: exactly one stored key each.
  const keys = v.pgpKeys();
  const byId = new Map<number, PgpKeyRecord>();
  for (const to of recipients) {
    const k = findRecipientKey(keys, to);
    byId.set(k.id, k);
  }
  const chosen = chooseSecrets(v, r);
  const owner = v.owner();
  const from = fromOption ?? owner.email ?? '';
  if (from === '') throw new SeeqretError('E_USAGE', 'no --from address, and the vault owner has no e-mail address', 'Pass --from you@example.com.');
  checkEmail(from, fromOption === undefined ? "the vault owner's e-mail address" : '--from');
  // Each message goes to the one address stored with the key, checked again here (a vault
  // written by an older seeqret may hold a list or a line break there).
  for (const k of byId.values()) checkEmail(k.email, `the address stored for ${k.username}`);
  const login = smtpLogin(v, r.smtpUserSecret ?? DEFAULT_SMTP_USER_SECRET, r.smtpPasswordSecret ?? DEFAULT_SMTP_PASSWORD_SECRET, {
    user: r.smtpUserSecret !== undefined,
    pass: r.smtpPasswordSecret !== undefined,
  });
  const { host, port, security } = r.smtp;
  if (login && security === 'none' && !isLoopback(host)) {
    throw new SeeqretError('E_USAGE', `the SMTP password would cross the network unencrypted to ${printable(host)}`, 'Add --starttls (port 587) or --tls (port 465).');
  }

  // The plaintext (dotenv) and one encrypted message per recipient, all before sending anything.
  const records = chosen.map((c) => c.record);
  const body = formatDotenv(chosen.map((c) => ({ key: c.name, value: v.reveal(c.record) })));
  const scopes = [...new Set(records.map((rec) => `${rec.app}:${rec.env}`))];
  const header =
    `# seeqret: ${chosen.length} secret${chosen.length === 1 ? '' : 's'} from ${owner.username}${owner.email ? ` <${owner.email}>` : ''}, ${(deps.now ?? (() => new Date()))().toISOString()}\n` +
    `# from ${scopes.join(', ')}. Save it as a .env file, or load it: seeqret importenv FILE --app APP --env ENV\n`;
  const { encryptToPgpKey } = await import('../crypto/pgp.js');
  const mails: Array<OutgoingMail & { key: PgpKeyRecord }> = [];
  for (const k of byId.values()) {
    mails.push({ key: k, from, to: k.email, subject, text: await encryptToPgpKey(k.armored, header + body, k.username) });
  }
  if (login) v.auditReads(login.records, 'send smtp login');

  const sent: SentMessage[] = [];
  try {
    await deps.transport.send({ ...r.smtp, ...(login ? { auth: { user: login.user, pass: login.pass } } : {}) }, mails, (m, messageId) => {
      const k = mails.find((x) => x === m)?.key;
      if (!k) return;
      v.recordSend(k, messageId, records, { smtp: `${host}:${port}` });
      const message: SentMessage = { username: k.username, email: k.email, fingerprint: k.fingerprint, count: chosen.length };
      sent.push(message);
      deps.onSent?.(message);
    });
  } catch (e) {
    if (e instanceof SeeqretError && sent.length > 0) {
      const names = sent.map((s) => s.username);
      const rest = mails.map((m) => m.key.username).filter((n) => !names.includes(n));
      throw new SeeqretError(e.code, `${e.message} (sent to ${names.join(', ')}; not sent to ${rest.join(', ')})`, e.fix, { cause: e, ...(e.remedy ? { remedy: e.remedy } : {}) });
    }
    throw e;
  }
  return sent;
}
