/**
 * `seeqret import-vault PATH [--keep-identity]`: migrate a vault folder of the old seeqret tool.
 *
 * All or nothing: the old vault is read and decrypted whole, every name, value and user is
 * checked, and only then is the vault created (when there is none) and everything — secrets,
 * users, the audit entry — written in one transaction. A failure leaves no vault folder, file or
 * row behind, so the same command can simply be run again once the input is fixed.
 *
 * @module
 */
import { SeeqretError } from '../../errors.js';
import { readV1Vault } from '../../sharing/v1vault.js';
import { keyFromBase64, wipe } from '../../crypto/index.js';
import { printable } from '../../util/text.js';
import { resolveVaultDir } from '../../vault/paths.js';
import { Vault } from '../../vault/vault.js';
import { type GlobalOptions, info, warn, warnPermissions } from '../context.js';
import { commandLine } from '../hints.js';
import { openImportTarget, targetExists } from '../import-target.js';

export async function importVault(g: GlobalOptions, args: unknown[], o: Record<string, unknown>): Promise<number> {
  const source = String(args[0]);
  const old = readV1Vault(source);
  try {
    const dir = resolveVaultDir(g.vault);
    const exists = targetExists(g);
    const keep = o['keepIdentity'] === true;
    if (exists && keep) {
      throw new SeeqretError('E_VAULT_EXISTS', `--keep-identity needs a new vault, and ${dir} already exists`, 'Point --vault at a new folder, or import without --keep-identity.');
    }
    // Everything is checked before anything is created or written.
    const secrets = old.secrets.map((x) => ({ app: x.app, env: x.env, key: x.key, value: x.value, type: x.type }));
    const users: Array<{ username: string; email: string | null; name: string | null; publicKey: Buffer }> = [];
    const seenKeys = new Map<string, string>([[old.identity.publicKey.toString('base64'), old.owner.username]]);
    for (const u of old.users) {
      const alias = seenKeys.get(u.pubkey);
      if (alias !== undefined) {
        warn(`user ${printable(u.username)} of the old vault has the same public key as ${printable(alias)}: not added`);
        continue;
      }
      seenKeys.set(u.pubkey, u.username);
      users.push({ username: u.username, email: u.email, name: u.name ?? null, publicKey: keyFromBase64(u.pubkey)! });
    }
    Vault.validate(secrets, exists ? users : [old.owner, ...users]);
    // Honest about the format: a Fernet token authenticates a value, not the row (name) it is in.
    warn(`the old seeqret vault format does not bind a value to its name: whoever could write ${source} could have swapped values between names undetected; check the imported values`);

    const target = await openImportTarget(g, () => ({
      username: old.owner.username,
      email: old.owner.email ?? '',
      ...(old.owner.name ? { name: old.owner.name } : {}),
      ...(keep ? { identitySecretKey: old.identity.secretKey } : {}),
    }));
    const v = target.vault;
    let ok = false;
    try {
      const { s, added } = v.atomically(() => {
        // The old vault's names count as received: they are exported through filters once accepted.
        const s = v.setMany(secrets, { update: o['overwrite'] === true, received: 'import-vault' });
        const added = v.addMissingUsers(users);
        v.audit([{ action: 'import', target: source, detail: { from: 'seeqret-v1', added: s.added, updated: s.updated, skipped: s.skipped, users: added } }]);
        return { s, added };
      });
      ok = true;
      if (target.created) {
        warnPermissions(dir);
        info(`Created vault ${dir} for ${old.owner.username}${keep ? ' with the old key pair (same public key)' : ' with a new key pair'}`);
      }
      info(`Imported ${source}: ${s.added} added, ${s.updated} updated, ${s.skipped} skipped, ${s.unchanged} unchanged; users added: ${added.length ? added.join(', ') : 'none'}`);
      if (s.skipped) info(`Skipped secrets have another value here; run \`${commandLine(g, 'import-vault', source, '--overwrite')}\` to replace them (the current value goes to history).`);
      if (!keep && target.created) warn('your public key changed: send your new `seeqret introduction` to the people who share with you (to keep the old key pair instead, import into a new vault folder with --keep-identity)');
      return 0;
    } finally {
      target.finish(ok);
    }
  } finally {
    wipe(old.identity.secretKey);
  }
}
