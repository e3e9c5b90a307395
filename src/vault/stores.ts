/**
 * The stores of one open vault, wired to its session: what the {@link Vault} facade delegates to.
 *
 * @module
 */
import { DumpStore } from './dump.js';
import { PgpKeyStore } from './pgp-keys.js';
import { SecretWriter } from './secret-writer.js';
import { SecretStore } from './secrets.js';
import type { VaultSession } from './session.js';
import { ShareStore } from './shares.js';
import { UserStore } from './users.js';
import { ValueIndex } from './value-index.js';

/** Every store of one open vault. */
export interface Stores {
  readonly secrets: SecretStore;
  readonly writer: SecretWriter;
  readonly users: UserStore;
  readonly pgp: PgpKeyStore;
  readonly shares: ShareStore;
  readonly dump: DumpStore;
  readonly index: ValueIndex;
}

/** Make the stores of `session`; its value index is dropped on every write and wiped on close. */
export function openStores(session: VaultSession): Stores {
  const secrets = new SecretStore(session);
  const writer = new SecretWriter(session);
  const pgp = new PgpKeyStore(session);
  const users = new UserStore(session, secrets, pgp);
  const index = new ValueIndex(session);
  session.onWrite = () => {
    index.refresh();
  };
  session.onClose = () => {
    index.wipe();
  };
  return { secrets, writer, users, pgp, shares: new ShareStore(session), dump: new DumpStore(session, secrets, writer, users), index };
}
