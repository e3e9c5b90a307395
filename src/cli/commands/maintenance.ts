/**
 * `seeqret upgrade` (schema migrations, with a backup copy first) and `seeqret doctor`
 * (permissions, keys, integrity, decryptability; `--fix` repairs permissions).
 *
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import { SeeqretError, isSeeqretError } from '../../errors.js';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, checkPrivate, findVcsRoot } from '../../util/fs.js';
import { readKeyFile } from '../../vault/keyfile.js';
import { resolveVaultDir, vaultFiles } from '../../vault/paths.js';
import { SCHEMA_VERSION, schemaVersion } from '../../vault/schema.js';
import { Vault, secretLabel, vaultNotFound } from '../../vault/vault.js';
import { type GlobalOptions, info, isServerVault, openVault, out, passphraseFor, permissionText, warn } from '../context.js';

/** `upgrade`: copy the database aside, then apply pending migrations in one transaction. */
export async function upgrade(g: GlobalOptions): Promise<number> {
  const v = await openVault(g, { allowOutdatedSchema: true });
  try {
    const db = v.database;
    const before = schemaVersion(db);
    if (before >= SCHEMA_VERSION) {
      out(`The vault is up to date (schema ${before}).`);
      return 0;
    }
    const backup = path.join(v.dir, `vault.db.pre-upgrade-v${before}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
    db.prepare('VACUUM INTO ?').run(backup);
    fs.chmodSync(backup, PRIVATE_FILE_MODE);
    const { applied, auditBrokenAt } = v.upgradeSchema();
    out(`Upgraded the vault from schema ${before} to ${SCHEMA_VERSION} (applied ${applied.join(', ')}); backup: ${backup}`);
    if (applied.includes(5)) out('The vault as it is now is authenticated with its key (users, secrets, history, shares, loaded bundles, PGP keys, the audit head).');
    if (auditBrokenAt !== null) {
      warn(auditBrokenAt === -1 ? 'the audit log had already lost its newest entries before this upgrade' : `the audit log had already been altered at entry ${auditBrokenAt} before this upgrade; \`seeqret doctor\` keeps reporting it`);
    }
    return 0;
  } finally {
    v.close();
  }
}

type Status = 'ok' | 'warn' | 'fail' | 'fixed';

/** `doctor [--fix]`: report every check; exit non-zero when a problem remains. */
export async function doctor(g: GlobalOptions, _args: unknown[], o: Record<string, unknown>): Promise<number> {
  const fix = o['fix'] === true;
  const dir = resolveVaultDir(g.vault);
  const files = vaultFiles(dir);
  let failed: SeeqretError | undefined;
  let problems = 0;
  const report = (status: Status, what: string): void => {
    out(`${status.padEnd(5)} ${what}`);
    if (status === 'fail' || status === 'warn') problems += status === 'fail' ? 1 : 0;
  };
  const fail = (e: SeeqretError, what: string): void => {
    report('fail', `${what}: ${e.message} (${e.code}; fix: ${e.fix})`);
    failed ??= e;
  };

  if (!fs.existsSync(files.db)) {
    fail(vaultNotFound(dir), 'vault');
    return failed!.exitCode;
  }
  report('ok', `vault folder ${dir}`);

  // Permissions
  const perms = checkPrivate(dir, { allowGroupRead: isServerVault(dir) });
  if (perms.length === 0) report('ok', 'permissions: folder 0700, files 0600');
  for (const p of perms) {
    if (p.kind === 'symlink') {
      // Never chmod through a link: its target may be anywhere (another user's file, /etc/...).
      fail(new SeeqretError('E_PERMISSIONS', permissionText(p), 'replace the link with a private copy of the file it points to (cp --remove-destination TARGET LINK, then seeqret doctor --fix); --fix never changes a file through a link'), 'permissions');
    } else if (fix) {
      fs.chmodSync(p.path, p.wanted);
      report('fixed', `${p.path}: ${p.mode.toString(8)} -> ${p.wanted.toString(8)}`);
    } else {
      fail(new SeeqretError('E_PERMISSIONS', `${p.path} is ${p.mode.toString(8)} (want ${p.wanted.toString(8)})`, 'run `seeqret doctor --fix`'), 'permissions');
    }
  }
  const st = fs.statSync(dir);
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) report('warn', `the vault folder belongs to uid ${st.uid}, not to you (uid ${process.getuid()})`);
  const vcs = findVcsRoot(path.dirname(dir));
  if (vcs) report('warn', `the vault is inside the ${vcs.vcs} work tree ${vcs.root}: make sure it is ignored, or move it`);

  // Key file, schema, unlock
  let protectedKey = false;
  try {
    protectedKey = readKeyFile(files.key).protection === 'passphrase';
    report('ok', `key file ${files.key} (${protectedKey ? 'passphrase-protected' : 'protected by file permissions only'})`);
  } catch (e) {
    if (!isSeeqretError(e)) throw e;
    fail(e, 'key file');
    return failed!.exitCode;
  }
  let vault: Vault | undefined;
  try {
    const passphrase = protectedKey ? await passphraseFor(g, 'Vault passphrase') : undefined;
    vault = Vault.open({ dir, allowOutdatedSchema: true, ...(passphrase ? { passphrase } : {}) });
    report('ok', 'the key file unlocks this vault');
  } catch (e) {
    if (!isSeeqretError(e)) throw e;
    fail(e, 'unlock');
    return failed!.exitCode;
  }
  try {
    const db = vault.database;
    const version = schemaVersion(db);
    if (version < SCHEMA_VERSION) fail(new SeeqretError('E_SCHEMA_OUTDATED', `schema ${version}, current is ${SCHEMA_VERSION}`, 'run `seeqret upgrade`'), 'schema');
    else report('ok', `schema version ${version}`);
    const check = db.pragma('quick_check', { simple: true }) as string;
    if (check === 'ok') report('ok', 'database integrity (quick_check)');
    else fail(new SeeqretError('E_VAULT_CORRUPT', `quick_check: ${check}`, 'restore from a backup'), 'database integrity');
    if (version >= SCHEMA_VERSION) {
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
      if (bad.length === 0) report('ok', `all ${all.length} secrets (with history) decrypt and authenticate`);
      else fail(new SeeqretError('E_DECRYPT', `${bad.length} value(s) fail authentication: ${bad.slice(0, 10).join(', ')}`, 'restore from a backup or set them again'), 'values');
      const chain = vault.verifyAudit();
      if (chain.problem === null) report('ok', `audit log: ${chain.entries} entries${chain.folded > 0 ? ` (a checkpoint standing for ${chain.folded} earlier ones)` : ''}, hash chain and head intact`);
      else fail(new SeeqretError('E_TAMPERED', chain.problem, 'restore the vault from a backup to recover the original log'), 'audit log');
      // Every row MAC and every table aggregate (users, secrets, history, shares, loaded bundles, PGP keys).
      const problems = vault.integrityProblems().filter((p) => p !== chain.problem);
      if (problems.length === 0) report('ok', 'integrity: every user, secret, history, share, loaded-bundle and PGP key record is as seeqret wrote it');
      for (const p of problems) fail(new SeeqretError('E_TAMPERED', p, 'restore the vault folder from a backup copy'), 'integrity');
    }
  } finally {
    vault.close();
  }
  if (problems === 0) {
    info('No problems found.');
    return 0;
  }
  info(`${problems} problem${problems === 1 ? '' : 's'} found.`);
  return failed?.exitCode ?? 7;
}
