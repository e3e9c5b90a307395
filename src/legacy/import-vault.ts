/**
 * The `import-vault` use case: migrate a vault folder of the old seeqret tool. All or nothing:
 * {@link readOldVault} reads and decrypts it whole and checks every name, value and user, before
 * the caller creates a vault; {@link importOldVault} writes secrets, users and one audit entry
 * in one transaction. Nothing here touches `process`, a terminal or the target folder.
 *
 * @module
 */
import { keyFromBase64, wipe } from '../crypto/index.js';
import { SeeqretError } from '../errors.js';
import { printable } from '../util/text.js';
import type { InternalCreateOptions } from '../vault/internal.js';
import { type ImportSummary, type SecretInput, Vault } from '../vault/vault.js';
import { readV1Vault } from './v1vault.js';

/** An old vault read, checked and held in memory (call {@link OldVault.dispose} when done). */
export interface OldVault {
  /** The folder it was read from. */
  readonly source: string;
  readonly secrets: readonly SecretInput[];
  /** Its users other than the owner, one per public key. */
  readonly users: ReadonlyArray<{ username: string; email: string | null; name: string | null; publicKey: Buffer }>;
  /** Things the person should know (a format that binds less, users left out); never a value. */
  readonly warnings: readonly string[];
  /** How to create a new vault for it; `keepIdentity` keeps the old key pair (same public key). */
  vaultOptions(keepIdentity: boolean): Omit<InternalCreateOptions, 'dir' | 'passphrase'>;
  /** Wipe the old secret key from memory. */
  dispose(): void;
}

/**
 * Read the old vault in `source` and check everything as the writers would. `intoNew`: its
 * owner becomes the new vault's owner, so it is checked too.
 *
 * @throws SeeqretError `E_V1_VAULT` (unreadable or damaged folder), `E_INVALID_NAME`,
 *   `E_USAGE` (a user name), `E_BAD_VALUE` — nothing has been written anywhere.
 */
export function readOldVault(source: string, intoNew: boolean): OldVault {
  const old = readV1Vault(source);
  try {
    const secrets = old.secrets.map((x) => ({ app: x.app, env: x.env, key: x.key, value: x.value, type: x.type }));
    const users: Array<{ username: string; email: string | null; name: string | null; publicKey: Buffer }> = [];
    const warnings: string[] = [];
    const seenKeys = new Map<string, string>([[old.identity.publicKey.toString('base64'), old.owner.username]]);
    for (const u of old.users) {
      const alias = seenKeys.get(u.pubkey);
      if (alias !== undefined) {
        warnings.push(`user ${printable(u.username)} of the old vault has the same public key as ${printable(alias)}: not added`);
        continue;
      }
      const publicKey = keyFromBase64(u.pubkey);
      if (!publicKey) throw new SeeqretError('E_V1_VAULT', `user ${printable(u.username)} has a malformed public key`, 'Check that the folder is an intact seeqret 1.x vault.');
      seenKeys.set(u.pubkey, u.username);
      users.push({ username: u.username, email: u.email, name: u.name ?? null, publicKey });
    }
    Vault.validate(secrets, intoNew ? [old.owner, ...users] : users);
    // Honest about the format: a Fernet token authenticates a value, not the row (name) it is in.
    warnings.push(`the old seeqret vault format does not bind a value to its name: whoever could write ${source} could have swapped values between names undetected; check the imported values`);
    return {
      source,
      secrets,
      users,
      warnings,
      vaultOptions: (keepIdentity) => ({
        username: old.owner.username,
        email: old.owner.email ?? '',
        ...(old.owner.name ? { name: old.owner.name } : {}),
        ...(keepIdentity ? { identitySecretKey: old.identity.secretKey } : {}),
      }),
      dispose: () => {
        wipe(old.identity.secretKey);
      },
    };
  } catch (e) {
    wipe(old.identity.secretKey);
    throw e;
  }
}

/** What {@link importOldVault} did. */
export interface OldVaultImport {
  readonly summary: ImportSummary;
  readonly usersAdded: readonly string[];
}

/**
 * Write the old vault's secrets (as received names: exported through filters once accepted) and
 * users into `v`, with one `import` audit entry, in one transaction.
 */
export function importOldVault(v: Vault, old: OldVault, o: { overwrite: boolean }): OldVaultImport {
  return v.atomically(() => {
    const summary = v.setMany(old.secrets, { update: o.overwrite, received: 'import-vault' });
    const usersAdded = v.addMissingUsers(old.users);
    v.audit([{ action: 'import', target: old.source, detail: { from: 'seeqret-v1', added: summary.added, updated: summary.updated, skipped: summary.skipped, users: usersAdded } }]);
    return { summary, usersAdded };
  });
}
