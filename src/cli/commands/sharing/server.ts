/**
 * `seeqret server init [DIR]` (a vault for a deployment server, read by its apps through the
 * library) and `seeqret inbox [DIR]` (load every bundle dropped in a folder, for timers and CI).
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { toAgeRecipient } from '../../../crypto/age.js';
import { SeeqretError, isSeeqretError } from '../../../errors.js';
import { checkEmail, isEmailAddress } from '../../../util/email.js';
import { SERVER_MARKER, vaultFiles } from '../../../vault/paths.js';
import { Vault } from '../../../vault/vault.js';
import { childEnvironment } from '../../../inject/child.js';
import { type GlobalOptions, info, out, warn, withVault, writeJson } from '../../context.js';
import type { ReportFormat } from '../../options.js';
import { addUserLine } from './users.js';
import { loadJson, loadText, readTransferFile, reportLoad, settleNewNames } from './share.js';
import { io } from '../../cli-io.js';

/** Default folder of a server vault. */
export const SERVER_DIR = '/srv/.seeqret';

function groupId(name: string): number | undefined {
  try {
    const line = execFileSync('getent', ['group', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], env: childEnvironment(io().env) });
    const gid = Number(line.split(':')[2]);
    return Number.isInteger(gid) ? gid : undefined;
  } catch {
    return undefined;
  }
}

/** Options of `seeqret server init`. */
export interface ServerInitOptions {
  /** `--group GROUP`: group whose members may read the vault (default seeqret). */
  readonly group: string;
  /** `--user NAME`: user name of the server (default: host name). */
  readonly user?: string;
  /** `--email ADDR`: contact address. */
  readonly email?: string;
}

/** `server init [DIR] [--group G] [--user NAME]`. */
export async function serverInit(dirArg: string | undefined, o: ServerInitOptions): Promise<number> {
  // As `init DIR`: the vault goes in DIR/seeqret; without DIR, in /srv/.seeqret.
  const dir = dirArg !== undefined ? path.join(path.resolve(dirArg), 'seeqret') : SERVER_DIR;
  const group = o.group ?? 'seeqret';
  const user = o.user ?? os.hostname().split('.')[0] ?? 'server';
  // The default address is only a label; a host name that makes no valid address gives none.
  const fallback = `${user}@${os.hostname()}`;
  const email = o.email !== undefined ? checkEmail(o.email, '--email') : isEmailAddress(fallback) ? fallback : '';
  const v = Vault.create({ dir, username: user, email, serverGroup: group });
  const recipient = toAgeRecipient(v.publicKey);
  try {
    out(addUserLine(v.owner()));
  } finally {
    v.close();
  }
  const files = vaultFiles(dir);
  const gid = groupId(group);
  let shared = false;
  if (gid === undefined) warn(`there is no group '${group}' (create it with: groupadd ${group}); the vault stays private to you`);
  else {
    try {
      // The group reads the key file and a published copy of the database (vault.shared.db,
      // src/vault/server.ts); vault.db itself stays private to the owner.
      for (const p of [dir, files.key]) fs.chownSync(p, -1, gid);
      fs.chmodSync(dir, 0o750);
      fs.chmodSync(files.key, 0o640);
      // The marker tells permission checks that group read access is intended here.
      fs.writeFileSync(path.join(dir, SERVER_MARKER), `${group}\n`, { mode: 0o640 });
      fs.chmodSync(path.join(dir, SERVER_MARKER), 0o640);
      fs.chownSync(path.join(dir, SERVER_MARKER), -1, gid);
      fs.mkdirSync(path.join(dir, 'inbox'), { mode: 0o700 });
      Vault.open({ dir }).close(); // publishes the group's copy
      shared = true;
    } catch (e) {
      warn(`could not give group '${group}' read access (${(e as NodeJS.ErrnoException).code ?? e}); run as root, or do it by hand: chgrp -R ${group} ${dir} && chmod 750 ${dir} && chmod 640 ${dir}/*`);
    }
  }
  if (!shared) fs.mkdirSync(path.join(dir, 'inbox'), { recursive: true, mode: 0o700 });
  info(`Server vault ${dir} created${shared ? `, readable by group ${group}` : ''}; public key (age): ${recipient}`);
  info('Developers add it with the line above and export to it; deliver bundles with `seeqret inbox` (e.g. from a timer).');
  return 0;
}

/** Options of `seeqret inbox`. */
export interface InboxOptions {
  /** `--overwrite`: replace existing secrets that have another value. */
  readonly overwrite?: boolean;
  /** `--allow-old-formats`: also load the old tool's json-crypt/command files. */
  readonly allowOldFormats?: boolean;
  /** `--accept`: accept the new names the bundles bring. */
  readonly accept?: boolean;
  /** `--format text|json`: the report. */
  readonly format: ReportFormat;
}

/** `inbox [DIR] [--overwrite]`: load every file in DIR; loaded files are removed, failures kept. */
export async function inbox(g: GlobalOptions, dirArg: string | undefined, o: InboxOptions): Promise<number> {
  return withVault(g, async (v) => {
    const dir = path.resolve(dirArg ?? path.join(v.dir, 'inbox'));
    if (!fs.existsSync(dir)) throw new SeeqretError('E_FILE_NOT_FOUND', `no inbox folder ${dir}`, `Create it (mkdir -m 700 ${dir}) or name another folder.`);
    const files = fs.readdirSync(dir).filter((f) => !f.startsWith('.')).sort().map((f) => path.join(dir, f));
    let failed = 0;
    let tried = 0;
    let firstError: SeeqretError | undefined;
    const report: Array<Record<string, unknown>> = [];
    const text = o.format === 'text';
    // Unattended: only authenticated, replay-checked bundles, unless old formats are allowed.
    const serializer = o.allowOldFormats ? undefined : 'bundle';
    for (const f of files) {
      try {
        const st = fs.lstatSync(f);
        if (!st.isFile()) continue; // symlinks and folders are never followed
        tried += 1;
        const r = loadText(v, readTransferFile(f), { overwrite: o.overwrite === true, force: false, serializer });
        try {
          fs.unlinkSync(f);
        } catch (e) {
          warn(`${path.basename(f)}: loaded, but could not be removed (${(e as NodeJS.ErrnoException).code ?? e}); it will be refused as a replay next time`);
        }
        if (text) reportLoad(r, { prefix: `${path.basename(f)}: `, again: null });
        // Unattended: new names stay pending unless --accept (the names arrived from someone else).
        const accepted = await settleNewNames(g, v, r, { accept: o.accept === true, ask: false }, `${path.basename(f)}: `);
        report.push({ file: path.basename(f), loaded: true, ...loadJson(r, accepted) });
      } catch (e) {
        const err = isSeeqretError(e) ? e : new SeeqretError('E_IO', `cannot read it (${(e as NodeJS.ErrnoException).code ?? 'error'})`, 'Check the file.');
        failed += 1;
        firstError ??= err;
        warn(`${path.basename(f)}: kept, not loaded: ${err.code}: ${err.message}`);
        report.push({ file: path.basename(f), loaded: false, error: { code: err.code, message: err.message, fix: err.fix } });
      }
    }
    if (!text) writeJson({ dir, tried, loaded: tried - failed, failed, files: report });
    else info(`${tried - failed} of ${tried} file${tried === 1 ? '' : 's'} loaded${failed ? `; ${failed} kept in ${dir}` : ''}`);
    return failed ? firstError!.exitCode : 0;
  });
}
