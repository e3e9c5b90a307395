/**
 * Open the relay storage a `--database` value names: `postgres://…` / `postgresql://…` for
 * PostgreSQL, else a SQLite file path (`sqlite:PATH` or a plain path). Migrations are applied.
 *
 * @module
 */
import { SeeqretError } from '../../errors.js';
import type { RelayStorage } from './types.js';

export type * from './types.js';

/** Open and migrate the storage `database` names. */
export async function openRelayStorage(database: string): Promise<RelayStorage> {
  let storage: RelayStorage;
  if (/^postgres(ql)?:\/\//.test(database)) {
    const { openPostgresRelayStorage } = await import('./postgres.js');
    storage = openPostgresRelayStorage(database);
  } else {
    const file = database.startsWith('sqlite:') ? database.slice('sqlite:'.length) : database;
    if (file === '') throw new SeeqretError('E_USAGE', '--database names no file', 'Pass --database postgres://… or a SQLite file path.');
    const { openSqliteRelayStorage } = await import('./sqlite.js');
    storage = openSqliteRelayStorage(file);
  }
  try {
    await storage.migrate();
  } catch (e) {
    await storage.close().catch(() => undefined);
    if (e instanceof SeeqretError) throw e;
    throw new SeeqretError('E_RELAY_STORAGE', `cannot open the relay database (${(e as { code?: string }).code ?? (e as { message?: string }).message?.split('\n')[0] ?? 'error'})`, 'Check --database (the URL, the server, the credentials or the file).', { cause: e });
  }
  return storage;
}
