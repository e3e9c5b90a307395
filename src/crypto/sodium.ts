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

/**
 * What sodium-native 4 provides that `@types/sodium-native` does not declare: the IETF
 * ChaCha20-Poly1305 AEAD (RFC 8439) used by `./memory-seal.ts`. Any typed array is read as its
 * bytes, so the 12-byte nonce may be a `Uint32Array` of three words.
 */
interface SodiumIetfAead {
  readonly crypto_aead_chacha20poly1305_ietf_KEYBYTES: number;
  readonly crypto_aead_chacha20poly1305_ietf_NPUBBYTES: number;
  readonly crypto_aead_chacha20poly1305_ietf_ABYTES: number;
  /** Encrypt `m` into `c` (`m.length` + ABYTES bytes); returns the bytes written. */
  crypto_aead_chacha20poly1305_ietf_encrypt(c: Uint8Array, m: Uint8Array, ad: Uint8Array | null, nsec: null, npub: NodeJS.TypedArray, k: Uint8Array): number;
  /** Verify and decrypt `c` into `m` (`c.length` − ABYTES bytes); throws when it does not verify. */
  crypto_aead_chacha20poly1305_ietf_decrypt(m: Uint8Array, nsec: null, c: Uint8Array, ad: Uint8Array | null, npub: NodeJS.TypedArray, k: Uint8Array): number;
}

type Sodium = typeof import('sodium-native') & SodiumIetfAead;

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
