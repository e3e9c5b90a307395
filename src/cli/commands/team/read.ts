/**
 * Reading the team file: `team decrypt`, `list-domains`, `list-secrets`, `list-user-secrets`,
 * `audit`, `info`.
 *
 * @module
 */
import { silentNotes } from '../../../notes.js';
import { requireCustodian, resolveUser } from '../../../team/credentials.js';
import { type DecryptFormat, decryptedText, teamInfo as teamInfoReport } from '../../../team/report.js';
import { openTeam } from '../../../team/session.js';
import { printable } from '../../../util/text.js';
import { info, out, warn, writeData, writeJson } from '../../context.js';
import type { ReportFormat } from '../../options.js';
import { type TeamOptions, runTeam, show } from './common.js';

/** Options of `team decrypt`. */
export interface DecryptOptions {
  secret?: string;
  format?: DecryptFormat;
}

/** `team decrypt DOMAIN [--secret NAME] [--format json|env|shell]`. */
export function decrypt(g: TeamOptions, domain: string, o: DecryptOptions): Promise<number> {
  return runTeam(g, async (s) => {
    const { tf, notices } = openTeam(s);
    show(notices);
    tf.secretNames(domain);
    const me = await requireCustodian(s, tf);
    // Exact data (writeData): escaped only when stdout is a terminal.
    const text = decryptedText(domain, tf.decryptDomain(domain, me), o.secret, o.format);
    if (text) writeData(text);
    return 0;
  });
}

/** Options of the `team` commands that report: `--format text|json`. */
export interface TeamReportOptions {
  readonly format: ReportFormat;
}

/** `team list-domains`. */
export function listDomains(g: TeamOptions, o: TeamReportOptions): Promise<number> {
  return runTeam(g, (s) => {
    const { tf, notices } = openTeam(s);
    show(notices);
    const names = tf.domainNames();
    if (o.format === 'json') writeJson(names);
    else if (names.length) out(names.map((n) => printable(n)).join('\n'));
    else info(`(No domains in ${tf.path})`);
    return 0;
  });
}

/** `team list-secrets [DOMAIN]`: a domain's secret names, or every secret with its domains. */
export function listSecrets(g: TeamOptions, domain: string | undefined, o: TeamReportOptions): Promise<number> {
  return runTeam(g, (s) => {
    const { tf, notices } = openTeam(s);
    show(notices);
    if (domain !== undefined) {
      const names = tf.secretNames(domain);
      if (o.format === 'json') writeJson(names);
      else if (names.length) out(names.map((n) => printable(n)).join('\n'));
      else info(`(No secrets in domain ${domain} of ${tf.path})`);
      return 0;
    }
    const all = tf.allSecrets();
    if (o.format === 'json') {
      writeJson([...all].map(([name, domains]) => ({ name, domains })));
      return 0;
    }
    if (all.size === 0) info(`(No secrets in ${tf.path})`);
    for (const [name, domains] of all) out(printable(`${name}: ${domains.join(', ')}`));
    return 0;
  });
}

/** `team list-user-secrets`: the domains the user owns, with their secret names (no passphrase needed). */
export function listUserSecrets(g: TeamOptions, o: TeamReportOptions): Promise<number> {
  return runTeam(g, async (s) => {
    const { tf, notices } = openTeam(s);
    show(notices);
    const user = (await resolveUser(s)).value;
    const owned = tf.domainsOwnedBy(user);
    if (o.format === 'json') {
      writeJson({ user, domains: owned.map((d) => ({ domain: d, secrets: tf.secretNames(d) })) });
      return 0;
    }
    if (owned.length === 0) info(`User ${user} does not own any domains.`);
    for (const d of owned) {
      const names = tf.secretNames(d);
      out(printable(`${d}: ${names.length ? names.join(', ') : '(no secrets)'}`));
    }
    return 0;
  });
}

/** `team audit`. */
export function audit(g: TeamOptions, o: TeamReportOptions): Promise<number> {
  return runTeam(g, (s) => {
    const { tf, notices } = openTeam(s);
    show(notices);
    const log = tf.auditLog();
    if (o.format === 'json') writeJson(log);
    else if (log.length) out(log.map((e) => printable(e)).join('\n'));
    return 0;
  });
}

/** `team info`: format, extensions, custodians, domains, signature, and what this vault makes of it. */
export function teamInfo(g: TeamOptions, o: TeamReportOptions): Promise<number> {
  return runTeam(g, (s) => {
    if (o.format === 'json') writeJson(teamInfoReport(s, silentNotes));
    else teamInfoReport(s, { info: out, warn });
    return 0;
  });
}
