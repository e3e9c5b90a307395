/**
 * The `server init` use case: create a server vault (src/vault/server.ts) and give its group
 * read access — the key file and the published copy of the database — or, when the group does
 * not exist or cannot be given access, leave it private to its owner with a note saying what to
 * do by hand. Nothing here touches `process`: the environment `getent` runs with is injected.
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { toAgeRecipient } from '../crypto/age.js';
import { childEnvironment } from '../inject/child.js';
import type { Notes } from '../notes.js';
import { SERVER_MARKER, vaultFiles } from './paths.js';
import type { UserRecord } from './types.js';
import { Vault } from './vault.js';

/** The server vault to create. */
export interface ServerVaultRequest {
  /** Its folder. */
  readonly dir: string;
  /** The group whose members (the server's apps) read it. */
  readonly group: string;
  /** The server's user name, and its contact address (may be empty). */
  readonly user: string;
  readonly email: string;
  /** The caller's environment, for `getent` (seeqret's own secrets are left out). */
  readonly env: NodeJS.ProcessEnv;
}

/** What `server init` made. */
export interface ServerVaultResult {
  /** The server's user record (for the `seeqret add user` line developers paste). */
  readonly owner: UserRecord;
  /** Its public key as an age recipient. */
  readonly recipient: string;
  /** The group was given read access. */
  readonly shared: boolean;
}

/** The id of group `name` (through `getent`, so NSS groups count), or `undefined`. */
function groupId(name: string, env: NodeJS.ProcessEnv): number | undefined {
  try {
    const line = execFileSync('getent', ['group', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], env: childEnvironment(env) });
    const gid = Number(line.split(':')[2]);
    return Number.isInteger(gid) ? gid : undefined;
  } catch {
    return undefined;
  }
}

/** Create the server vault of `req` with its inbox folder; a group that cannot be given access is a note, not an error. */
export function createServerVault(req: ServerVaultRequest, notes: Pick<Notes, 'warn'>): ServerVaultResult {
  const { dir, group } = req;
  const v = Vault.create({ dir, username: req.user, email: req.email, serverGroup: group });
  let owner: UserRecord;
  let recipient: string;
  try {
    owner = v.owner();
    recipient = toAgeRecipient(v.publicKey);
  } finally {
    v.close();
  }
  const files = vaultFiles(dir);
  const gid = groupId(group, req.env);
  let shared = false;
  if (gid === undefined) notes.warn(`there is no group '${group}' (create it with: groupadd ${group}); the vault stays private to you`);
  else {
    try {
      // The group reads the key file and a published copy of the database (vault.shared.db,
      // src/vault/server.ts); vault.db itself stays private to the owner.
      for (const p of [dir, files.key]) fs.chownSync(p, -1, gid);
      fs.chmodSync(dir, 0o750);
      fs.chmodSync(files.key, 0o640);
      // The marker tells permission checks that group read access is intended here.
      const marker = path.join(dir, SERVER_MARKER);
      fs.writeFileSync(marker, `${group}\n`, { mode: 0o640 });
      fs.chmodSync(marker, 0o640);
      fs.chownSync(marker, -1, gid);
      fs.mkdirSync(path.join(dir, 'inbox'), { mode: 0o700 });
      Vault.open({ dir }).close(); // publishes the group's copy
      shared = true;
    } catch (e) {
      notes.warn(`could not give group '${group}' read access (${(e as NodeJS.ErrnoException).code ?? String(e)}); run as root, or do it by hand: chgrp -R ${group} ${dir} && chmod 750 ${dir} && chmod 640 ${dir}/*`);
    }
  }
  if (!shared) fs.mkdirSync(path.join(dir, 'inbox'), { recursive: true, mode: 0o700 });
  return { owner, recipient, shared };
}
