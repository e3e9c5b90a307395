/**
 * The row MAC as it was first defined (before decisions 73 and 74 rewrote how `rowMac` builds
 * its bytes): `JSON.stringify` of the list, then the blobs concatenated after it, hashed with
 * keyed BLAKE2b-256. Every way of computing `rowMac` must give these bytes, or MACs stored in
 * existing vaults stop verifying.
 */
import sodium from 'sodium-native';

/** The MAC of `values` in `table` under `key`, as first defined. */
export function referenceRowMac(key: Buffer, table: string, values: readonly unknown[]): Buffer {
  const blobs: Buffer[] = [];
  const fields = values.map((v) => {
    if (v instanceof Uint8Array) {
      blobs.push(Buffer.from(v));
      return { blob: v.byteLength };
    }
    if (typeof v === 'bigint') return { int: v.toString() };
    return v ?? null;
  });
  const out = Buffer.alloc(32);
  sodium.crypto_generichash(out, Buffer.concat([Buffer.from(JSON.stringify(['seeqret/row/v1', table, fields]), 'utf8'), ...blobs]), key);
  return out;
}
