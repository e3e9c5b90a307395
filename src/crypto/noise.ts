/**
 * Random bytes that are not key material: the noise written over a file before it is deleted and
 * random file names. Node's CSPRNG (OpenSSL), so that `src/util/fs.ts` — imported by modules that
 * must not load the libsodium addon, such as `seeqret/securestore` — does not pull it in.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';

/** `n` random bytes from Node's CSPRNG. */
export function noiseBytes(n: number): Buffer {
  return randomBytes(n);
}
