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
  for (const v of values) if (codePointCount(v) >= minLength) out.add(v);
  return [...out];
}

/** The number of Unicode code points in `s` (what a minimum length counts). */
function codePointCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/**
 * Replaces secret values in a stream of chunks. Feed it with {@link push}, finish with {@link end}.
 *
 * The values are kept in a byte trie, so each position of the stream costs one table lookup when
 * no value starts with its byte, and a short walk otherwise, whatever the number of values.
 */
export class StreamMasker {
  /** Child of the root for each first byte (0: none). */
  readonly #root = new Int32Array(256);
  /** Children of every other node: node → byte → node. */
  readonly #children: Array<Map<number, number> | undefined> = [undefined];
  /** For each node, the length of the value ending there (0: none). */
  readonly #ends: number[] = [0];
  readonly #mask: Buffer;
  #empty = true;
  #pending: Buffer = EMPTY;

  /**
   * @param values - The values to replace (every non-empty string is used as given; filter with
   *   {@link maskableValues} first to apply the minimum length).
   * @param mask - The replacement text.
   */
  constructor(values: Iterable<string>, mask: string = MASK) {
    this.#mask = Buffer.from(mask, 'utf8');
    for (const v of values) {
      if (v === '') continue;
      const b = Buffer.from(v, 'utf8');
      const first = b[0] ?? 0;
      let node = this.#root[first] ?? 0;
      if (node === 0) node = this.#root[first] = this.#newNode();
      for (let k = 1; k < b.length; k++) {
        let kids = this.#children[node];
        if (!kids) kids = this.#children[node] = new Map();
        const byte = b[k] ?? 0;
        let next = kids.get(byte);
        if (next === undefined) {
          next = this.#newNode();
          kids.set(byte, next);
        }
        node = next;
      }
      this.#ends[node] = b.length;
      this.#empty = false;
    }
  }

  #newNode(): number {
    this.#children.push(undefined);
    this.#ends.push(0);
    return this.#ends.length - 1;
  }

  /** True when there is nothing to mask (the stream can be passed through as is). */
  get empty(): boolean {
    return this.#empty;
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
    const root = this.#root;
    let start = 0; // first byte not yet emitted
    let i = 0;
    while (i < len) {
      let node = root[data[i] ?? 0] ?? 0;
      if (node === 0) {
        i++;
        continue;
      }
      // Walk the trie as far as the data matches; remember the longest value ending on the way.
      let best = this.#ends[node] ?? 0;
      let j = i + 1;
      for (;;) {
        if (j === len) {
          // Out of data inside the trie: a longer value may still match once more bytes come.
          if (!final && this.#children[node] !== undefined) {
            if (i > start) parts.push(data.subarray(start, i));
            this.#pending = Buffer.from(data.subarray(i));
            return Buffer.concat(parts);
          }
          break;
        }
        const next = this.#children[node]?.get(data[j] ?? 0);
        if (next === undefined) break;
        node = next;
        j++;
        const end = this.#ends[node] ?? 0;
        if (end > 0) best = end;
      }
      if (best > 0) {
        if (i > start) parts.push(data.subarray(start, i));
        parts.push(this.#mask);
        i += best;
        start = i;
      } else {
        i++;
      }
    }
    if (start < len) parts.push(data.subarray(start, len));
    this.#pending = EMPTY;
    // The parts may point into the caller's chunk: concat copies, so the output never aliases input memory.
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

/** Which of the child's output streams `run` masks. */
export interface MaskedStreams {
  readonly stdout: boolean;
  readonly stderr: boolean;
}

/**
 * Which streams to mask: `--mask` both, `--no-mask` neither; by default (`flag` undefined) each
 * stream that seeqret's own output does not send to a terminal — output that is captured (a pipe,
 * a file, a CI log) — while a terminal stays the child's own (colours, progress bars, prompts).
 */
export function maskedStreams(flag: boolean | undefined, terminal: MaskedStreams): MaskedStreams {
  if (flag !== undefined) return { stdout: flag, stderr: flag };
  return { stdout: !terminal.stdout, stderr: !terminal.stderr };
}
