/**
 * Sending e-mail through any SMTP server (nodemailer), for `seeqret send`. The bodies given here
 * are already OpenPGP-encrypted; this module only delivers them.
 *
 * TLS: `tls` is implicit TLS (SMTPS, port 465), `starttls` requires the STARTTLS upgrade (port 587)
 * and fails when the server does not offer it; `none` speaks plain SMTP but still upgrades when the
 * server offers STARTTLS. Certificates are always verified (against the system's CAs, or `ca`).
 * nodemailer is imported only when mail is sent.
 *
 * @module
 */
import { SeeqretError } from '../errors.js';
import { checkEmail } from '../util/email.js';
import { printable } from '../util/text.js';

/** How the connection is protected. */
export type SmtpSecurity = 'tls' | 'starttls' | 'none';

/** Where and how to send. */
export interface SmtpSettings {
  readonly host: string;
  readonly port: number;
  readonly security: SmtpSecurity;
  /** PEM CA certificates to trust instead of the system's (a self-signed relay). */
  readonly ca?: string;
  /** Login, when the server needs one. */
  readonly auth?: { readonly user: string; readonly pass: string };
  /** Connection, greeting and socket timeout (default 30 s). */
  readonly timeoutMs?: number;
}

/** One message: plain text (an armored OpenPGP message). */
export interface OutgoingMail {
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

/** The default port for each kind of security. */
export function defaultSmtpPort(security: SmtpSecurity): number {
  return security === 'tls' ? 465 : security === 'starttls' ? 587 : 25;
}

/** A one-line description of a nodemailer error (never the credentials: nodemailer does not put them in messages). */
function smtpError(e: unknown, s: SmtpSettings): SeeqretError {
  const err = (typeof e === 'object' && e !== null ? e : {}) as { code?: string; responseCode?: number; message?: string };
  const first = printable((String(err.message ?? e).split('\n')[0] ?? '').slice(0, 200));
  const where = `${s.host}:${s.port}`;
  switch (err.code) {
    case 'EAUTH':
      return new SeeqretError('E_SMTP', `${where} refused the login: ${first}`, 'Check the SMTP user name and password secrets (--smtp-user-secret, --smtp-password-secret).', { cause: e });
    case 'ECONNECTION':
    case 'ESOCKET':
    case 'ETIMEDOUT':
    case 'EDNS':
      return new SeeqretError('E_SMTP', `cannot talk to ${where}: ${first}`, 'Check --smtp-host, --smtp-port and --tls/--starttls (and --smtp-ca for a private certificate).', { cause: e });
    case 'ETLS':
      return new SeeqretError('E_SMTP', `TLS with ${where} failed: ${first}`, 'Use --tls for port 465, --starttls for 587; trust a private CA with --smtp-ca FILE.', { cause: e });
    default:
      return new SeeqretError('E_SMTP', `${where}: ${first}`, 'Check the SMTP settings; the server said why above.', { cause: e });
  }
}

/**
 * Send `mails` one after the other over one SMTP connection setup. `onSent` runs after each
 * accepted message (to record it); the first failure stops the rest and is thrown as `E_SMTP`.
 */
export async function sendMails(s: SmtpSettings, mails: readonly OutgoingMail[], onSent: (mail: OutgoingMail, messageId: string) => void): Promise<void> {
  const nodemailer = await import('nodemailer');
  const timeout = s.timeoutMs ?? 30_000;
  const transport = nodemailer.createTransport({
    host: s.host,
    port: s.port,
    secure: s.security === 'tls',
    requireTLS: s.security === 'starttls',
    ...(s.auth ? { auth: { user: s.auth.user, pass: s.auth.pass } } : {}),
    tls: { minVersion: 'TLSv1.2', servername: s.host, ...(s.ca !== undefined ? { ca: s.ca } : {}) },
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  // The last guard: one bare address each way, so a list or a header break can never add a recipient.
  for (const m of mails) {
    checkEmail(m.to, 'the recipient');
    checkEmail(m.from, 'the sender');
  }
  try {
    for (const m of mails) {
      let info: { messageId: string };
      try {
        info = await transport.sendMail({ from: m.from, to: m.to, envelope: { from: m.from, to: [m.to] }, subject: m.subject, text: m.text, disableFileAccess: true, disableUrlAccess: true });
      } catch (e) {
        throw smtpError(e, s);
      }
      onSent(m, info.messageId);
    }
  } finally {
    transport.close();
  }
}
