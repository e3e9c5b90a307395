/**
 * Streaming secret masking for `seeqret run --mask`: every occurrence of a secret value in a byte
 * stream is replaced by `*****`, also when a value is split between two chunks.
 *
 * Matching is on the UTF-8 bytes of the values, so a multi-byte character split between chunks is
 * handled like any other byte. At every position the longest value that matches there wins (a
 * value that contains another is masked whole); scanning then resumes after the match. The result
 * is exactly that of a whole-string, left-to-right replacement of the values sorted longest first
 * (`test/mask.test.ts` checks this property against a regular-expression replace).
 *
 * Bytes are held back only while they could still be the start of a value: the end of a chunk is
 * kept until the next chunk only when some value starts with exactly those bytes. Everything else
 * is written at once, so interactive output (a prompt without a newline) is not delayed.
 *
 * @module
 */
import { Transform } from 'node:stream';

/** What replaces each value. */
export const MASK = '*****';
/**
 * Values shorter than this many characters are not masked: masking `5432`, `true` or `dev` would
 * hide ordinary output everywhere while protecting nothing that is hard to guess.
 */
export const MIN_MASK_LENGTH = 6;

const EMPTY = Buffer.alloc(0);

/** The values worth masking: at least `minLength` characters, without duplicates. */
export function maskableValues(values: Iterable<string>, minLength: number = MIN_MASK_LENGTH): string[] {
  const out = new Set<string>();
  for (const v of values) if ([...v].length >= minLength) out.add(v);
  return [...out];
}

/** Replaces secret values in a stream of chunks. Feed it with {@link push}, finish with {@link end}. */
export class StreamMasker {
  /** Candidate values by first byte, longest first. */
  readonly #byFirst: Array<Buffer[] | undefined> = new Array<Buffer[] | undefined>(256);
  readonly #mask: Buffer;
  #pending: Buffer = EMPTY;

  /**
   * @param values - The values to replace (every non-empty string is used as given; filter with
   *   {@link maskableValues} first to apply the minimum length).
   * @param mask - The replacement text.
   */
  constructor(values: Iterable<string>, mask: string = MASK) {
    this.#mask = Buffer.from(mask, 'utf8');
    const seen = new Set<string>();
    for (const v of values) {
      if (v === '' || seen.has(v)) continue;
      seen.add(v);
      const b = Buffer.from(v, 'utf8');
      const list = (this.#byFirst[b[0]!] ??= []);
      list.push(b);
    }
    for (const list of this.#byFirst) list?.sort((a, b) => b.length - a.length);
  }

  /** True when there is nothing to mask (the stream can be passed through as is). */
  get empty(): boolean {
    return this.#byFirst.every((l) => l === undefined);
  }

  /** Mask `chunk`; returns what can be written now (possibly nothing). */
  push(chunk: Uint8Array): Buffer {
    const data = this.#pending.length === 0 ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength) : Buffer.concat([this.#pending, chunk]);
    return this.#scan(data, false);
  }

  /** The end of the stream: returns whatever was held back, masked. */
  end(): Buffer {
    const data = this.#pending;
    this.#pending = EMPTY;
    return this.#scan(data, true);
  }

  #scan(data: Buffer, final: boolean): Buffer {
    const parts: Buffer[] = [];
    const len = data.length;
    let start = 0; // first byte not yet emitted
    let i = 0;
    scanning: while (i < len) {
      const candidates = this.#byFirst[data[i]!];
      if (candidates !== undefined) {
        for (const c of candidates) {
          if (i + c.length > len) {
            // Not all of it is here yet: if what is here matches, wait for more bytes.
            if (!final && data.compare(c, 0, len - i, i, len) === 0) {
              if (i > start) parts.push(data.subarray(start, i));
              this.#pending = Buffer.from(data.subarray(i));
              return Buffer.concat(parts);
            }
          } else if (data.compare(c, 0, c.length, i, i + c.length) === 0) {
            if (i > start) parts.push(data.subarray(start, i));
            parts.push(this.#mask);
            i += c.length;
            start = i;
            continue scanning;
          }
        }
      }
      i++;
    }
    if (start < len) parts.push(data.subarray(start, len));
    this.#pending = EMPTY;
    // The parts may point into the caller's chunk: copy so the output never aliases input memory.
    return Buffer.concat(parts);
  }
}

/** A Transform stream that masks `values` (see {@link StreamMasker}). */
export function maskingStream(values: Iterable<string>, mask: string = MASK): Transform {
  const masker = new StreamMasker(values, mask);
  return new Transform({
    transform(chunk: Buffer, _enc, cb): void {
      const out = masker.push(chunk);
      if (out.length > 0) this.push(out);
      cb();
    },
    flush(cb): void {
      const out = masker.end();
      if (out.length > 0) this.push(out);
      cb();
    },
  });
}
