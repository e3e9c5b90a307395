/**
 * `seeqret send --to RECIPIENT... VARS...`: parse the options, call the `send` use case
 * (src/sharing/send.ts) with the SMTP transport of src/sharing/mail.ts, print each message sent.
 *
 * @module
 */
import { formatFingerprint } from '../../../crypto/pgp.js';
import { SeeqretError } from '../../../errors.js';
import { requireProject, resolveEnvironment } from '../../../project/project.js';
import type { SmtpSecurity } from '../../../sharing/mail.js';
import { DEFAULT_SUBJECT, checkHeader, recipientsOf, sendSecrets } from '../../../sharing/send.js';
import { readTextFileCapped } from '../../../util/read-capped.js';
import { printable } from '../../../util/text.js';
import { type GlobalOptions, info, withVault } from '../../context.js';
import { io } from '../../cli-io.js';

/** Options of `send`. */
export interface SendOptions {
  to?: string[];
  env?: string;
  smtpHost: string;
  smtpPort?: string;
  tls?: boolean;
  starttls?: boolean;
  smtpCa?: string;
  smtpUserSecret?: string;
  smtpPasswordSecret?: string;
  from?: string;
  subject?: string;
}

/** `send VARS... --to R [--smtp-… options]`. */
export async function send(g: GlobalOptions, vars: string[], o: SendOptions): Promise<number> {
  const to = recipientsOf(o.to ?? []);
  if (o.tls && o.starttls) throw new SeeqretError('E_USAGE', '--tls and --starttls exclude each other', 'Use --tls for implicit TLS (port 465) or --starttls for port 587.');
  const security: SmtpSecurity = o.tls ? 'tls' : o.starttls ? 'starttls' : 'none';
  const host = o.smtpHost;
  // eslint-disable-next-line no-control-regex
  if (host === '' || /[\s\u0000-\u001f]/.test(host)) throw new SeeqretError('E_USAGE', `bad --smtp-host ${JSON.stringify(printable(host))}`, 'Give a host name or address.');
  const { defaultSmtpPort, sendMails } = await import('../../../sharing/mail.js');
  let port = defaultSmtpPort(security);
  if (o.smtpPort !== undefined) {
    port = /^[0-9]{1,5}$/.test(o.smtpPort) ? Number(o.smtpPort) : NaN;
    if (!(port >= 1 && port <= 65535)) throw new SeeqretError('E_USAGE', `bad --smtp-port ${JSON.stringify(printable(o.smtpPort))}`, 'Give a port number from 1 to 65535.');
  }
  const ca = o.smtpCa === undefined ? undefined : readTextFileCapped(o.smtpCa, 'certificate');
  const subject = checkHeader('--subject', o.subject ?? DEFAULT_SUBJECT);
  const from = o.from === undefined ? undefined : checkHeader('--from', o.from);
  const bare = vars.filter((x) => !x.includes(':'));
  const project = bare.length > 0 || o.env !== undefined ? requireProject(io().cwd) : null;
  const env = project ? resolveEnvironment(project, o.env, io().env).name : null;
  if (ca !== undefined && !ca.includes('-----BEGIN CERTIFICATE-----')) {
    throw new SeeqretError('E_USAGE', `${printable(o.smtpCa ?? '')} holds no PEM certificate`, 'Give the PEM file of the CA (or the self-signed certificate) the server uses.');
  }
  return withVault(g, async (v) => {
    await sendSecrets(
      v,
      {
        vars,
        to,
        project: project && env !== null ? { project, env } : undefined,
        smtp: { host, port, security, ...(ca !== undefined ? { ca } : {}) },
        from,
        subject,
        smtpUserSecret: o.smtpUserSecret,
        smtpPasswordSecret: o.smtpPasswordSecret,
      },
      {
        transport: { send: sendMails },
        onSent: (m) => {
          info(`Sent ${m.count} secret${m.count === 1 ? '' : 's'} to ${m.username} <${m.email}> (PGP key ${formatFingerprint(m.fingerprint)})`);
        },
      },
    );
    return 0;
  });
}
