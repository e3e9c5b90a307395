/**
 * Opening SQLite databases through better-sqlite3. Its default loader (`bindings`) probes a dozen
 * paths for the native addon on every start (and cannot run inside our ESM bundle); we resolve the
 * addon's build location once and pass it as `nativeBinding`.
 *
 * @module
 */
import { createRequire } from 'node:module';
import Database from 'better-sqlite3';
import { SeeqretError } from '../errors.js';

let binding: string | undefined;

function nativeBinding(): string {
  if (binding === undefined) {
    const require = createRequire(import.meta.url);
    for (const variant of ['Release', 'Debug']) {
      try {
        binding = require.resolve(`better-sqlite3/build/${variant}/better_sqlite3.node`);
        break;
      } catch {
        /* try the next build variant */
      }
    }
    if (binding === undefined) {
      throw new SeeqretError('E_INTERNAL', 'the SQLite native module (better-sqlite3) is not built', 'Run `npm rebuild better-sqlite3` in the seeqret installation.');
    }
  }
  return binding;
}

/** Open a database file (see better-sqlite3's options). */
export function openDatabase(file: string, options: Database.Options = {}): Database.Database {
  return new Database(file, { ...options, nativeBinding: nativeBinding() });
}

export type { Database };
