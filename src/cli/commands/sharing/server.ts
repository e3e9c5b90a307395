/**
 * `seeqret server init [DIR]` (a vault for a deployment server, read by its apps through the
 * library) and `seeqret inbox [DIR]` (load every bundle dropped in a folder, for timers and CI).
 *
 * @module
 */
import os from 'node:os';
import path from 'node:path';

import { createServerVault } from '../../../vault/server-setup.js';
import { checkEmail, isEmailAddress } from '../../../util/email.js';
import { markWatchOnly } from '../../../sharing/watch-only.js';
import { type GlobalOptions, info, out, warn, withVault, writeJson } from '../../context.js';
import type { ReportFormat } from '../../options.js';
import { introductionLine } from '../../../sharing/introduction.js';
import { cliNotes } from './share.js';
import { deliverInbox } from '../../../sharing/received.js';
import { commandLine } from '../../hints.js';
import { io } from '../../cli-io.js';

/** Default folder of a server vault. */
export const SERVER_DIR = '/srv/.seeqret';

/** Options of `seeqret server init`. */
export interface ServerInitOptions {
  /** `--group GROUP`: group whose members may read the vault (default seeqret). */
  readonly group: string;
  /** `--user NAME`: user name of the server (default: host name). */
  readonly user?: string;
  /** `--email ADDR`: contact address. */
  readonly email?: string;
  /** `--watch-only`: the vault receives (watch, sync, inbox, load) and serves its apps, and never sends. */
  readonly watchOnly?: boolean;
}

/** `server init [DIR] [--group G] [--user NAME]`. */
export function serverInit(dirArg: string | undefined, o: ServerInitOptions): number {
  // As `init DIR`: the vault goes in DIR/seeqret; without DIR, in /srv/.seeqret.
  const dir = dirArg !== undefined ? path.join(path.resolve(dirArg), 'seeqret') : SERVER_DIR;
  const group = o.group;
  const user = o.user ?? os.hostname().split('.')[0] ?? 'server';
  // The default address is only a label; a host name that makes no valid address gives none.
  const fallback = `${user}@${os.hostname()}`;
  const email = o.email !== undefined ? checkEmail(o.email, '--email') : isEmailAddress(fallback) ? fallback : '';
  const r = createServerVault({ dir, group, user, email, env: io().env }, { warn });
  if (o.watchOnly === true) markWatchOnly(dir);
  out(introductionLine(r.owner));
  info(`Server vault ${dir} created${r.shared ? `, readable by group ${group}` : ''}; public key (age): ${r.recipient}`);
  if (o.watchOnly === true) {
    info('Watch-only: it receives and serves its apps, and never sends (export, push and send are refused).');
    info('Developers add it with the line above; after `seeqret relay join URL INVITATION`, run `seeqret watch` as a service (docs/relay.md).');
  } else info('Developers add it with the line above and export to it; deliver bundles with `seeqret inbox` (e.g. from a timer).');
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
    const text = o.format === 'text';
    const flags = { overwrite: o.overwrite === true, allowOldFormats: o.allowOldFormats === true, accept: o.accept === true, text };
    const r = await deliverInbox(v, dir, flags, cliNotes, (...words) => commandLine(g, ...words));
    if (!text) writeJson({ dir, tried: r.tried, loaded: r.loaded, failed: r.failed, files: r.files });
    else info(`${String(r.loaded)} of ${String(r.tried)} file${r.tried === 1 ? '' : 's'} loaded${r.failed ? `; ${String(r.failed)} kept in ${dir}` : ''}`);
    return r.firstError ? r.firstError.exitCode : 0;
  });
}
