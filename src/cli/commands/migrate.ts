/**
 * `seeqret import-vault PATH [--keep-identity]`: migrate a vault folder of the old seeqret tool.
 *
 * @module
 */
import { SeeqretError } from '../../errors.js';
import { readV1Vault } from '../../sharing/v1vault.js';
import { keyFromBase64, wipe } from '../../crypto/index.js';
import { resolveVaultDir } from '../../vault/paths.js';
import { Vault } from '../../vault/vault.js';
import { type GlobalOptions, info, openVault, warn, warnPermissions } from '../context.js';

export async function importVault(g: GlobalOptions, args: unknown[], o: Record<string, unknown>): Promise<number> {
  const old = readV1Vault(args[0] as string);
  const dir = resolveVaultDir(g.vault);
  const exists = Vault.probe(dir).exists;
  const keep = o['keepIdentity'] === true;
  if (exists && keep) {
    wipe(old.identity.secretKey);
    throw new SeeqretError('E_VAULT_EXISTS', `--keep-identity needs a new vault, and ${dir} already exists`, 'Point --vault at a new folder, or import without --keep-identity.');
  }
  let v: Vault;
  if (exists) v = await openVault(g);
  else {
    v = Vault.create({
      dir,
      username: old.owner.username,
      email: old.owner.email ?? '',
      ...(old.owner.name ? { name: old.owner.name } : {}),
      ...(keep ? { identitySecretKey: old.identity.secretKey } : {}),
    });
    warnPermissions(dir);
    info(`Created vault ${dir} for ${old.owner.username}${keep ? ' with the old key pair (same public key)' : ' with a new key pair'}`);
  }
  wipe(old.identity.secretKey);
  try {
    const s = v.setMany(
      old.secrets.map((x) => ({ app: x.app, env: x.env, key: x.key, value: x.value, type: x.type })),
      // The old vault's names count as received: they are exported through filters once accepted.
      { update: o['overwrite'] === true, received: 'import-vault' },
    );
    const users = v.addMissingUsers(old.users.map((u) => ({ username: u.username, email: u.email, name: u.name ?? null, publicKey: keyFromBase64(u.pubkey)! })));
    v.audit([{ action: 'import', target: String(args[0]), detail: { from: 'seeqret-v1', added: s.added, updated: s.updated, skipped: s.skipped, users } }]);
    info(`Imported ${args[0] as string}: ${s.added} added, ${s.updated} updated, ${s.skipped} skipped, ${s.unchanged} unchanged; users added: ${users.length ? users.join(', ') : 'none'}`);
    if (!keep && !exists) warn('your public key changed: send your new `seeqret introduction` to the people who share with you, or re-run with --keep-identity');
    return 0;
  } finally {
    v.close();
  }
}
