/**
 * `seeqret upgrade` (schema migrations, with a backup copy first) and `seeqret doctor`
 * (permissions, keys, integrity, decryptability; `--fix` repairs permissions): the checks and
 * the upgrade are src/vault/doctor.ts; this module renders them.
 *
 * @module
 */
import { type Finding, diagnose, upgradeVault } from '../../../vault/doctor.js';
import { resolveVaultDir } from '../../../vault/paths.js';
import { type GlobalOptions, info, openVault, out, passphraseFor, warn, writeJson } from '../../context.js';
import type { ReportFormat } from '../../options.js';
import { cliFix } from '../../remedies.js';
import { io } from '../../cli-io.js';

/** Options of `doctor`. */
export interface DoctorOptions {
  /** `--fix`: repair permissions. */
  readonly fix?: boolean;
  /** `--format text|json`: the report. */
  readonly format: ReportFormat;
}

/** Options of `upgrade`. */
export interface UpgradeOptions {
  /** `--format text|json`: the report. */
  readonly format: ReportFormat;
}

/** A finding as data: a failure with its code, message and fix. */
function findingJson(f: Finding): Record<string, unknown> {
  return f.status === 'fail' ? { status: f.status, text: f.text, error: { code: f.error.code, message: f.error.message, fix: cliFix(f.error), exitCode: f.error.exitCode } } : { status: f.status, text: f.text };
}

/** `upgrade`: copy the database aside, then apply pending migrations in one transaction. */
export async function upgrade(g: GlobalOptions, o: UpgradeOptions): Promise<number> {
  const v = await openVault(g, { allowOutdatedSchema: true });
  try {
    const r = upgradeVault(v, new Date());
    if (o.format === 'json') {
      writeJson(r.upToDate ? { upToDate: true, version: r.version } : { upToDate: false, from: r.from, to: r.to, applied: r.applied, backup: r.backup, auditBrokenAt: r.auditBrokenAt });
      return 0;
    }
    if (r.upToDate) {
      out(`The vault is up to date (schema ${r.version}).`);
      return 0;
    }
    out(`Upgraded the vault from schema ${r.from} to ${r.to} (applied ${r.applied.join(', ')}); backup: ${r.backup}`);
    if (r.applied.includes(5)) out('The vault as it is now is authenticated with its key (users, secrets, history, shares, loaded bundles, PGP keys, the audit head).');
    if (r.auditBrokenAt !== null) {
      warn(r.auditBrokenAt === -1 ? 'the audit log had already lost its newest entries before this upgrade' : `the audit log had already been altered at entry ${r.auditBrokenAt} before this upgrade; \`seeqret doctor\` keeps reporting it`);
    }
    return 0;
  } finally {
    v.close();
  }
}

/** One finding as a line: `status what`, a failure with its message, code and fix. */
function findingLine(f: Finding): string {
  const what = f.status === 'fail' ? `${f.text}: ${f.error.message} (${f.error.code}; fix: ${cliFix(f.error)})` : f.text;
  return `${f.status.padEnd(5)} ${what}`;
}

/** `doctor [--fix]`: report every check; exit non-zero when a problem remains. */
export async function doctor(g: GlobalOptions, o: DoctorOptions): Promise<number> {
  const report = await diagnose(resolveVaultDir(g.vault, io().env), {
    fix: o.fix === true,
    passphrase: () => passphraseFor(g, 'Vault passphrase'),
    uid: typeof process.getuid === 'function' ? process.getuid() : undefined,
    onFinding: (f) => {
      if (o.format === 'text') out(findingLine(f));
    },
  });
  if (o.format === 'json') {
    writeJson({ findings: report.findings.map(findingJson), problems: report.problems, stopped: report.stopped });
    return report.stopped || report.problems > 0 ? (report.firstError?.exitCode ?? 7) : 0;
  }
  if (report.stopped) return report.firstError?.exitCode ?? 7;
  if (report.problems === 0) {
    info('No problems found.');
    return 0;
  }
  info(`${report.problems} problem${report.problems === 1 ? '' : 's'} found.`);
  return report.firstError?.exitCode ?? 7;
}
