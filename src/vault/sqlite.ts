/**
 * Opening SQLite databases through better-sqlite3. Its default loader (`bindings`) probes a dozen
 * paths for the native addon on every start (and cannot run inside our ESM bundle); we open the
 * addon's build by path once (src/util/addon.ts) and pass the loaded addon as `nativeBinding`.
 *
 * @module
 */
import { createRequire } from 'node:module';
import Database from 'better-sqlite3';
import { SeeqretError } from '../errors.js';
import { dlopenAddon, findInNodeModules } from '../util/addon.js';

/** The addon's file, or the loaded addon itself (better-sqlite3 accepts either). */
let binding: string | object | undefined;

function nativeBinding(): string | object {
  if (binding === undefined) {
    // By path, without the CommonJS loader (src/util/addon.ts); the package's resolution otherwise.
    const file = findInNodeModules('better-sqlite3/build/Release/better_sqlite3.node');
    if (file !== undefined) {
      try {
        binding = dlopenAddon(file) as object; // a native module's exports are an object
        return binding;
      } catch {
        /* resolved below */
      }
    }
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
  // better-sqlite3 takes a loaded addon object too (lib/database.js); its types name only the path.
  return new Database(file, { ...options, nativeBinding: nativeBinding() as string });
}

export type { Database };
