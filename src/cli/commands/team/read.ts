/**
 * Reading the team file: `team decrypt`, `list-domains`, `list-secrets`, `list-user-secrets`,
 * `audit`, `info`.
 *
 * @module
 */
import { fingerprint } from '../../../crypto/index.js';
import { SeeqretError } from '../../../errors.js';
import { pythonJsonDumps } from '../../../formats/python-json.js';
import { requireCustodian, resolveUser } from '../../../team/credentials.js';
import { openTeam } from '../../../team/session.js';
import { describeVerdict } from '../../../team/signing.js';
import { keyringFingerprint } from '../../../team/state.js';
import { signerFingerprint } from '../../../team/trust.js';
import { codePointCompare } from '../../../util/compare.js';
import { shellQuote } from '../../../util/shlex.js';
import { printable } from '../../../util/text.js';
import { info, out, writeData, writeJson } from '../../context.js';
import type { ReportFormat } from '../../options.js';
import { type TeamOptions, runTeam, show } from './common.js';

/** Options of `team decrypt`. */
export interface DecryptOptions {
  secret?: string;
  format?: 'json' | 'env' | 'shell';
}

/** `team decrypt DOMAIN [--secret NAME] [--format json|env|shell]`. */
export function decrypt(g: TeamOptions, domain: string, o: DecryptOptions): Promise<number> {
  return runTeam(g, async (s) => {
    const { tf, notices } = openTeam(s);
    show(notices);
    tf.secretNames(domain);
    const me = await requireCustodian(s, tf);
    const values = tf.decryptDomain(domain, me);
    const { secret, format } = o;
    if (secret !== undefined && !values.has(secret)) throw new SeeqretError('E_NOT_FOUND', `no secret named ${secret} in ${domain}`, `Known: ${[...values.keys()].join(', ') || '(none)'}.`);
    const items: Array<[string, string]> = secret !== undefined ? [[secret, values.get(secret)!]] : [...values];
    // Exact data (writeData): escaped only when stdout is a terminal.
    if (format === undefined && secret !== undefined) writeData(`${values.get(secret)!}\n`);
    else if (format === undefined || format === 'json') writeData(`${pythonJsonDumps(new Map(items), { indent: 2, sortKeys: true })}\n`);
    else {
      const prefix = format === 'shell' ? 'export ' : '';
      const lines: string[] = [];
      for (const [name, value] of [...items].sort((x, y) => codePointCompare(x[0], y[0]))) {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new SeeqretError('E_INVALID_NAME', `${name} is not a valid shell variable name; it cannot be written in ${format} format`, 'Use --format json, or rename the secret.');
        lines.push(`${prefix}${name}=${shellQuote(value, { pythonEscape: true })}`);
      }
      if (lines.length) writeData(`${lines.join('\n')}\n`);
    }
    return 0;
  });
}

/** Options of the `team` commands that report: `--format text|json`. */
export interface TeamReportOptions {
  readonly format: ReportFormat;
}

/** `team list-domains`. */
export function listDomains(g: TeamOptions, o: TeamReportOptions): Promise<number> {
  return runTeam(g, async (s) => {
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
  return runTeam(g, async (s) => {
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
  return runTeam(g, async (s) => {
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
  return runTeam(g, async (s) => {
    const c = openTeam(s, 'look');
    const tf = c.tf;
    const ext = tf.extensions();
    if (o.format === 'json') {
      const st = tf.signatureStatus();
      writeJson({
        file: tf.path,
        extensions: ext,
        pprotectReadable: ext.length === 0,
        custodians: tf.custodianNames().map((n) => {
          const cu = tf.custodian(n);
          return { name: n, type: cu.type, cost: cu.cost ?? null, pwdkmVersion: cu.pwdkmVersion, owns: cu.owns, fingerprint: fingerprint(cu.publicKey) };
        }),
        domains: tf.domainNames().map((d) => ({ name: d, secrets: tf.secretNames(d).length, owners: tf.owners(d), fingerprint: fingerprint(tf.data.domains.get(d)!.publicKey) })),
        signature: {
          state: st.state,
          ...('by' in st ? { by: st.by, key: st.key.toString('base64'), fingerprint: signerFingerprint(st.key) } : {}),
          ...('chain' in st ? { version: st.chain ? st.chain.seq : null, team: st.chain ? st.chain.team.toString('base64') : null } : {}),
        },
        keysFingerprint: keyringFingerprint(c.obs.keys),
        vault: { dir: s.vaultDir, verdict: describeVerdict(c) },
      });
      return 0;
    }
    out(`file: ${tf.path}`);
    out(ext.length ? `format: seeqret extensions (${ext.join(', ')}); pocket_protector (pprotect) cannot read this file` : 'format: pocket_protector (readable by pprotect)');
    for (const n of tf.custodianNames()) {
      const cu = tf.custodian(n);
      const cost = cu.cost ? ` (Argon2id ${cu.cost.opslimit} × ${cu.cost.memlimit / 2 ** 20} MiB)` : '';
      out(printable(`custodian ${n}: ${cu.type}${cost}${cu.pwdkmVersion !== null ? `, pwdkm v${cu.pwdkmVersion}` : ''}; owns ${cu.owns.join(', ') || 'nothing'}; key fingerprint ${fingerprint(cu.publicKey)}`));
    }
    for (const d of tf.domainNames()) out(printable(`domain ${d}: ${tf.secretNames(d).length} secrets; owners ${tf.owners(d).join(', ')}; key fingerprint ${fingerprint(tf.data.domains.get(d)!.publicKey)}`));
    const st = tf.signatureStatus();
    const chain = 'chain' in st && st.chain ? `, version ${st.chain.seq}, team ${st.chain.team.toString('base64')}` : 'chain' in st ? ', legacy signature without a version number' : '';
    out(printable(`signature: ${st.state}${'by' in st ? ` (by ${st.by}, key ${st.key.toString('base64')}, key fingerprint ${signerFingerprint(st.key)}${chain})` : ''}`));
    out(`keys fingerprint: ${keyringFingerprint(c.obs.keys)}`);
    out(printable(`this vault (${s.vaultDir}): ${describeVerdict(c)}`));
    return 0;
  });
}
