/**
 * Opening SQLite databases through better-sqlite3. Its default loader (`bindings`) probes a dozen
 * paths for the native addon on every start; we resolve the addon's standard build location once
 * and pass it as `nativeBinding`, falling back to the default search when it is elsewhere.
 *
 * @module
 */
import { createRequire } from 'node:module';
import Database from 'better-sqlite3';

let binding: string | null | undefined;

function nativeBinding(): string | undefined {
  if (binding === undefined) {
    try {
      binding = createRequire(import.meta.url).resolve('better-sqlite3/build/Release/better_sqlite3.node');
    } catch {
      binding = null;
    }
  }
  return binding ?? undefined;
}

/** Open a database file (see better-sqlite3's options). */
export function openDatabase(file: string, options: Database.Options = {}): Database.Database {
  const nb = nativeBinding();
  return new Database(file, nb ? { ...options, nativeBinding: nb } : options);
}

export type { Database };
