/**
 * A relay team built in-process (no child process per step): vaults made by the library, users
 * added from each other's public keys and marked verified (as after a call), the space created,
 * invitations signed and used through the real relay client over HTTP, and each vault's
 * relay.json written as `relay join` writes it — so the real CLI (`sync`, `push`) works in each.
 */
import fs from 'node:fs';
import path from 'node:path';
import { RelayClient } from '../src/relay/client.js';
import { vaultIdentitySecretKey } from '../src/vault/internal.js';
import { Vault } from '../src/vault/vault.js';
import { newVault } from './helpers.js';
import { must } from './must.js';

/** A relay client acting as the vault at `dir` (the vault stays open until `close`). */
export function clientOf(dir: string, url: string): { v: Vault; client: RelayClient; close(): void } {
  const v = Vault.open({ dir });
  const client = new RelayClient(url, { username: v.owner().username, publicKey: v.publicKey, secretKey: vaultIdentitySecretKey(v) });
  return { v, client, close: () => { v.close(); } };
}

/** The team: the creator's vault and each member's, by name. */
export interface RelayTeam {
  readonly creator: string;
  readonly vaults: Readonly<Record<string, string>>;
}

/**
 * Make `creator` and `members` (vault folders), each member a verified user of the creator's
 * vault and the creator one of each member's; join them all to the relay at `url`.
 */
export async function makeTeam(url: string, creator: string, members: readonly string[]): Promise<RelayTeam> {
  const vaults: Record<string, string> = { [creator]: newVault({ user: creator }) };
  for (const m of members) vaults[m] = newVault({ user: m });
  const keyOf = (dir: string): Buffer => {
    const v = Vault.open({ dir, readonly: true });
    try {
      return Buffer.from(v.publicKey);
    } finally {
      v.close();
    }
  };
  const addVerified = (dir: string, username: string, publicKey: Buffer): void => {
    const v = Vault.open({ dir });
    try {
      v.addUser({ username, email: `${username}@example.com`, publicKey });
      v.verifyUser(username);
    } finally {
      v.close();
    }
  };
  const creatorKey = keyOf(must(vaults[creator]));
  for (const m of members) {
    addVerified(must(vaults[creator]), m, keyOf(must(vaults[m])));
    addVerified(must(vaults[m]), creator, creatorKey);
  }
  const join = async (dir: string, token: string | null): Promise<void> => {
    const c = clientOf(dir, url);
    try {
      const r = await c.client.join(token);
      fs.writeFileSync(path.join(dir, 'relay.json'), `${JSON.stringify({ url: c.client.url, relayKey: r.relayKey }, null, 2)}\n`, { mode: 0o600 });
    } finally {
      c.close();
    }
  };
  await join(must(vaults[creator]), null);
  for (const m of members) {
    const c = clientOf(must(vaults[creator]), url);
    let token: string;
    try {
      token = await c.client.invite(m, keyOf(must(vaults[m])), 3_600_000);
    } finally {
      c.close();
    }
    await join(must(vaults[m]), token);
  }
  return { creator: must(vaults[creator]), vaults };
}

/** Add (or update) `n` secrets `app:env:KEY_i` with values `prefix-i` in the vault at `dir`. */
export function addSecrets(dir: string, app: string, env: string, n: number, prefix: string): void {
  const v = Vault.open({ dir });
  try {
    v.setMany(Array.from({ length: n }, (_x, i) => ({ app, env, key: `KEY_${i}`, value: `${prefix}-${i}` })), { update: true });
  } finally {
    v.close();
  }
}

/** The `load` audit entries of a vault: how many times each bundle was loaded. */
export function loadsByBundle(dir: string): Map<string, number> {
  const v = Vault.open({ dir, readonly: true });
  try {
    const counts = new Map<string, number>();
    for (const e of v.auditLog()) {
      if (e.action !== 'load') continue;
      const bundle = String((JSON.parse(e.detail ?? '{}') as { bundle?: unknown }).bundle);
      counts.set(bundle, (counts.get(bundle) ?? 0) + 1);
    }
    return counts;
  } finally {
    v.close();
  }
}
