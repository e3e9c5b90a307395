/**
 * The `doctor` and `upgrade` use cases: every check of a vault folder (permissions, key file,
 * unlock, schema, SQLite integrity, every value and its history, the audit chain, row MACs and
 * table aggregates) returned as {@link Finding}s, with the one repair (`fix`: permissions, never
 * through a link); and the schema upgrade with its backup copy. The raw SQL lives here, next to
 * the vault; the CLI renders. Nothing here touches `process` (the uid, the clock and the
 * passphrase come in as parameters).
 *
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import { SeeqretError, isSeeqretError } from '../errors.js';
import { PRIVATE_FILE_MODE } from '../util/fs.js';
import { checkPrivate } from '../util/permissions.js';
import { findVcsRoot } from '../util/vcs.js';
import { readKeyFile } from './keyfile.js';
import { permissionText } from './permissions.js';
import { vaultFiles } from './paths.js';
import { SCHEMA_VERSION, schemaVersion } from './schema.js';
import { isServerVault } from './server.js';
import { Vault, secretLabel, vaultNotFound } from './vault.js';
import { vaultDatabase } from './internal.js';

/** One result of {@link diagnose}: a passed check, a warning, a repair made, or a failure with its error. */
export type Finding =
  | { readonly status: 'ok' | 'warn' | 'fixed'; readonly text: string }
  | { readonly status: 'fail'; /** The check that failed. */ readonly text: string; readonly error: SeeqretError };

/** What {@link diagnose} needs from outside. */
export interface DoctorDeps {
  /** Repair permissions (never through a symbolic link). */
  readonly fix?: boolean | undefined;
  /** The vault passphrase, asked only when the key file is passphrase-protected. */
  passphrase(): Promise<Buffer>;
  /** The user running the check (a folder owned by someone else is a warning); omitted: not checked. */
  readonly uid?: number | undefined;
  /** Told of each finding as it is made (progress; the report lists them too). */
  readonly onFinding?: ((f: Finding) => void) | undefined;
}

/** The findings, and whether the checks stopped early (no vault, unreadable key file, no unlock). */
export interface DoctorReport {
  readonly findings: readonly Finding[];
  readonly stopped: boolean;
  /** Failures (warnings do not count). */
  readonly problems: number;
  /** The first failure's error (its exit code is the command's). */
  readonly firstError?: SeeqretError | undefined;
}

/** Check the vault folder `dir` and, with `fix`, repair permissions. */
export async function diagnose(dir: string, deps: DoctorDeps): Promise<DoctorReport> {
  const files = vaultFiles(dir);
  const findings: Finding[] = [];
  let firstError: SeeqretError | undefined;
  let problems = 0;
  const add = (f: Finding): void => {
    findings.push(f);
    deps.onFinding?.(f);
  };
  const ok = (text: string): void => {
    add({ status: 'ok', text });
  };
  const fail = (error: SeeqretError, text: string): void => {
    add({ status: 'fail', text, error });
    problems += 1;
    firstError ??= error;
  };
  const stop = (): DoctorReport => ({ findings, stopped: true, problems, firstError });

  if (!fs.existsSync(files.db)) {
    fail(vaultNotFound(dir), 'vault');
    return stop();
  }
  ok(`vault folder ${dir}`);

  // Permissions
  const perms = checkPrivate(dir, { allowGroupRead: isServerVault(dir) });
  if (perms.length === 0) ok('permissions: folder 0700, files 0600');
  for (const p of perms) {
    if (p.kind === 'symlink') {
      // Never chmod through a link: its target may be anywhere (another user's file, /etc/...).
      fail(new SeeqretError('E_PERMISSIONS', permissionText(p), 'replace the link with a private copy of the file it points to (cp --remove-destination TARGET LINK, then seeqret doctor --fix); --fix never changes a file through a link'), 'permissions');
    } else if (deps.fix) {
      fs.chmodSync(p.path, p.wanted);
      add({ status: 'fixed', text: `${p.path}: ${p.mode.toString(8)} -> ${p.wanted.toString(8)}` });
    } else {
      fail(new SeeqretError('E_PERMISSIONS', `${p.path} is ${p.mode.toString(8)} (want ${p.wanted.toString(8)})`, 'run `seeqret doctor --fix`'), 'permissions');
    }
  }
  const st = fs.statSync(dir);
  if (deps.uid !== undefined && st.uid !== deps.uid) add({ status: 'warn', text: `the vault folder belongs to uid ${st.uid}, not to you (uid ${deps.uid})` });
  const vcs = findVcsRoot(path.dirname(dir));
  if (vcs) add({ status: 'warn', text: `the vault is inside the ${vcs.vcs} work tree ${vcs.root}: make sure it is ignored, or move it` });

  // Key file, unlock
  let protectedKey = false;
  try {
    protectedKey = readKeyFile(files.key).protection === 'passphrase';
    ok(`key file ${files.key} (${protectedKey ? 'passphrase-protected' : 'protected by file permissions only'})`);
  } catch (e) {
    if (!isSeeqretError(e)) throw e;
    fail(e, 'key file');
    return stop();
  }
  let vault: Vault;
  try {
    const passphrase = protectedKey ? await deps.passphrase() : undefined;
    vault = Vault.open({ dir, allowOutdatedSchema: true, ...(passphrase ? { passphrase } : {}) });
    ok('the key file unlocks this vault');
  } catch (e) {
    if (!isSeeqretError(e)) throw e;
    fail(e, 'unlock');
    return stop();
  }
  try {
    checkContents(vault, ok, fail);
  } finally {
    vault.close();
  }
  return { findings, stopped: false, problems, firstError };
}

/** Schema, SQLite integrity, every value with its history, the audit chain, row MACs and aggregates. */
function checkContents(vault: Vault, ok: (text: string) => void, fail: (e: SeeqretError, text: string) => void): void {
  const db = vaultDatabase(vault);
  const version = schemaVersion(db);
  if (version < SCHEMA_VERSION) fail(new SeeqretError('E_SCHEMA_OUTDATED', `schema ${version}, current is ${SCHEMA_VERSION}`, 'run `seeqret upgrade`'), 'schema');
  else ok(`schema version ${version}`);
  const check = db.pragma('quick_check', { simple: true });
  if (check === 'ok') ok('database integrity (quick_check)');
  else fail(new SeeqretError('E_VAULT_CORRUPT', `quick_check: ${String(check)}`, 'restore from a backup'), 'database integrity');
  if (version < SCHEMA_VERSION) return;
  const bad: string[] = [];
  const all = vault.all();
  for (const r of all) {
    for (const h of vault.history(r)) {
      try {
        vault.revealVersion(r, h.version);
      } catch (e) {
        // A changed row (E_TAMPERED) is named by the integrity check below.
        if (isSeeqretError(e, 'E_TAMPERED')) continue;
        if (!isSeeqretError(e, 'E_DECRYPT')) throw e;
        bad.push(`${secretLabel(r)}@${h.version}`);
      }
    }
  }
  if (bad.length === 0) ok(`all ${all.length} secrets (with history) decrypt and authenticate`);
  else fail(new SeeqretError('E_DECRYPT', `${bad.length} value(s) fail authentication: ${bad.slice(0, 10).join(', ')}`, 'restore from a backup or set them again'), 'values');
  const chain = vault.verifyAudit();
  if (chain.problem === null) ok(`audit log: ${chain.entries} entries${chain.folded > 0 ? ` (a checkpoint standing for ${chain.folded} earlier ones)` : ''}, hash chain and head intact`);
  else fail(new SeeqretError('E_TAMPERED', chain.problem, 'restore the vault from a backup to recover the original log'), 'audit log');
  // Every row MAC and every table aggregate (users, secrets, history, shares, loaded bundles, PGP keys).
  const problems = vault.integrityProblems().filter((p) => p !== chain.problem);
  if (problems.length === 0) ok('integrity: every user, secret, history, share, loaded-bundle and PGP key record is as seeqret wrote it');
  for (const p of problems) fail(new SeeqretError('E_TAMPERED', p, 'restore the vault folder from a backup copy'), 'integrity');
}

/** What {@link upgradeVault} did. */
export type UpgradeResult =
  | { readonly upToDate: true; readonly version: number }
  | {
      readonly upToDate: false;
      readonly from: number;
      readonly to: number;
      readonly applied: readonly number[];
      /** The copy of the database made first (0600). */
      readonly backup: string;
      /** The audit log was already altered before the upgrade: the entry, or -1 for lost newest entries; `null` when intact. */
      readonly auditBrokenAt: number | null;
    };

/** Copy the database aside (`VACUUM INTO`, named after `now`), then apply the pending migrations in one transaction. */
export function upgradeVault(v: Vault, now: Date): UpgradeResult {
  const db = vaultDatabase(v);
  const before = schemaVersion(db);
  if (before >= SCHEMA_VERSION) return { upToDate: true, version: before };
  const backup = path.join(v.dir, `vault.db.pre-upgrade-v${before}-${now.toISOString().replace(/[:.]/g, '-')}`);
  db.prepare('VACUUM INTO ?').run(backup);
  fs.chmodSync(backup, PRIVATE_FILE_MODE);
  const { applied, auditBrokenAt } = v.upgradeSchema();
  return { upToDate: false, from: before, to: SCHEMA_VERSION, applied, backup, auditBrokenAt };
}
