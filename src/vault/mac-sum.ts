/**
 * A running, signed sum of 32-byte MACs read as 256-bit big-endian numbers (the table aggregates
 * of src/vault/integrity.ts), without a bigint per MAC: each MAC's eight 32-bit words are added
 * to (or taken from) eight float64 lanes, exact while a lane stays under 2^53, and the lanes are
 * folded into one bigint every 2^20 MACs and when the sum is asked for.
 *
 * A MAC counted alone is copied aside and summed with the next ones, up to {@link PENDING} at a
 * time, in one loop whose eight running sums are local variables (decision 88): in a short
 * process that loop runs interpreted or as baseline code, where the per-byte loads and the
 * stores into the lanes were most of what a MAC cost.
 *
 * @module
 */
import { SeeqretError } from '../errors.js';

/** MACs held before they are summed (each sign). */
const PENDING = 256;
/** MACs after which the lanes are folded into the bigint (exact below 2^21). */
const FOLD_AT = 1_048_576;

export class MacSum {
  /** MACs added minus MACs taken out. */
  n = 0;
  readonly #lanes = new Float64Array(8);
  #carry = 0n;
  #since = 0;
  readonly #added = Buffer.allocUnsafe(32 * PENDING);
  readonly #removed = Buffer.allocUnsafe(32 * PENDING);
  #addedBytes = 0;
  #removedBytes = 0;

  /** A sum that starts at `n` MACs summing to `sum`. */
  static from(n: number, sum: bigint): MacSum {
    const s = new MacSum();
    s.n = n;
    s.#carry = sum;
    return s;
  }

  /** Count one 32-byte MAC in (`sign` 1) or out (-1). */
  add(mac: Uint8Array, sign: 1 | -1): void {
    if (mac.byteLength !== 32) throw new SeeqretError('E_INTERNAL', 'a row MAC of another length than 32 bytes', 'Report this bug.');
    if (sign === 1) {
      this.#added.set(mac, this.#addedBytes);
      if ((this.#addedBytes += 32) === this.#added.length) this.#sumPending();
    } else {
      this.#removed.set(mac, this.#removedBytes);
      if ((this.#removedBytes += 32) === this.#removed.length) this.#sumPending();
    }
    this.n += sign;
    if (++this.#since >= FOLD_AT) this.#fold();
  }

  /** Count in (`sign` 1) or out (-1) every 32-byte MAC of `macs` (their concatenation; a partial last one is ignored). */
  addAll(macs: Uint8Array, sign: 1 | -1 = 1): void {
    const whole = macs.byteLength - (macs.byteLength % 32);
    for (let at = 0; at < whole; at += 32 * 65_536) {
      const bytes = Math.min(whole - at, 32 * 65_536);
      this.#sum(macs, at, bytes, sign);
      this.n += sign * (bytes / 32);
      if ((this.#since += bytes / 32) >= FOLD_AT) this.#fold();
    }
  }

  /** The signed sum so far (not reduced). */
  sum(): bigint {
    this.#fold();
    return this.#carry;
  }

  /** Add the words of the whole MACs in `macs[from, from + bytes)` to the lanes, times `sign`. */
  #sum(macs: Uint8Array, from: number, bytes: number, sign: number): void {
    const d = new DataView(macs.buffer, macs.byteOffset + from, bytes);
    let w0 = 0, w1 = 0, w2 = 0, w3 = 0, w4 = 0, w5 = 0, w6 = 0, w7 = 0;
    // Big-endian words (DataView's default), as the MAC is read as a 256-bit number.
    for (let o = 0; o < bytes; o += 32) {
      w0 += d.getUint32(o);
      w1 += d.getUint32(o + 4);
      w2 += d.getUint32(o + 8);
      w3 += d.getUint32(o + 12);
      w4 += d.getUint32(o + 16);
      w5 += d.getUint32(o + 20);
      w6 += d.getUint32(o + 24);
      w7 += d.getUint32(o + 28);
    }
    const l = this.#lanes;
    l[0] = (l[0] ?? 0) + sign * w0;
    l[1] = (l[1] ?? 0) + sign * w1;
    l[2] = (l[2] ?? 0) + sign * w2;
    l[3] = (l[3] ?? 0) + sign * w3;
    l[4] = (l[4] ?? 0) + sign * w4;
    l[5] = (l[5] ?? 0) + sign * w5;
    l[6] = (l[6] ?? 0) + sign * w6;
    l[7] = (l[7] ?? 0) + sign * w7;
  }

  #sumPending(): void {
    this.#sum(this.#added, 0, this.#addedBytes, 1);
    this.#sum(this.#removed, 0, this.#removedBytes, -1);
    this.#addedBytes = 0;
    this.#removedBytes = 0;
  }

  #fold(): void {
    this.#sumPending();
    for (let i = 0; i < 8; i++) {
      this.#carry += BigInt(this.#lanes[i] ?? 0) << BigInt(32 * (7 - i));
      this.#lanes[i] = 0;
    }
    this.#since = 0;
  }
}
