/**
 * Random bytes that are not key material: the noise written over a file before it is deleted and
 * random file names. Node's CSPRNG (OpenSSL), so that `src/util/secure-delete.ts` — imported by modules that
 * must not load the libsodium addon, such as `seeqret/securestore` — does not pull it in.
 *
 * `node:crypto` is loaded on first use, not when this module is imported: loading it costs about
 * 10 ms of CPU, and `seeqret get` (which may import `util/secure-delete.ts` but never needs noise) would pay it
 * on every run (docs/architecture.md, "Start-up time").
 *
 * @module
 */
import { createRequire } from 'node:module';

let nodeCrypto: typeof import('node:crypto') | undefined;

/** `n` random bytes from Node's CSPRNG. */
export function noiseBytes(n: number): Buffer {
  nodeCrypto ??= createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  return nodeCrypto.randomBytes(n);
}
