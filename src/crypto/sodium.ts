/**
 * Loading libsodium (sodium-native). The package entry runs `node-gyp-build`, which searches the
 * package for a matching binary on every start (about 6 ms here); we first open the prebuilt binary
 * for this platform directly (by path, with `process.dlopen`: src/util/addon.ts) and fall back to the package entry (which also finds a binary built
 * from source). Either way the same audited addon is loaded.
 *
 * @module
 */
import { createRequire } from 'node:module';
import { dlopenAddon, findInNodeModules } from '../util/addon.js';

type Sodium = typeof import('sodium-native');

function load(): Sodium {
  const prebuilt = `sodium-native/prebuilds/${process.platform}-${process.arch}/sodium-native.node`;
  const file = findInNodeModules(prebuilt);
  if (file !== undefined) {
    try {
      return dlopenAddon(file) as Sodium; // the prebuilt sodium-native addon's exports
    } catch {
      /* the package's own loader below */
    }
  }
  const require = createRequire(import.meta.url);
  try {
    return require(prebuilt) as Sodium;
  } catch {
    return require('sodium-native') as Sodium;
  }
}

/** The libsodium binding. Only `src/crypto/` may use it. */
export const sodium: Sodium = load();
