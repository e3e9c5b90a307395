/**
 * Parse a dotenv text that arrives in pieces (a file read in chunks), holding only about one
 * segment of it at a time, with exactly the result of parsing the whole text at once.
 *
 * The text is cut only after a line end (never after a line ending in `\`, which a shell reads as
 * a continuation), and each segment is parsed by the same parser with its first line number (and,
 * for the dialects that expand `${NAME}`, the variables defined above). A cut inside a quoted
 * value that spans lines makes that segment fail to parse (the quote is unterminated): the
 * segment then grows with more input and is parsed again, so a statement is never split. A real
 * syntax error is reported when the segment holding it reaches the end of the text, with its
 * true line number.
 *
 * @module
 */
import type { Dialect } from './dialects.js';
import { parseDotenvAs } from './dialect-read.js';
import type { DotenvEntry } from './dotenv.js';

/** Characters parsed at a time (when the input allows it). */
const SEGMENT_CHARS = 1 << 20;

/** A map that remembers what was set, to undo a failed parse of a segment. */
class JournalMap extends Map<string, string> {
  journal: Array<[string, string | undefined]> = [];
  override set(k: string, v: string): this {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- Map's constructor calls set() before this field exists
    this.journal?.push([k, super.get(k)]);
    return super.set(k, v);
  }
  undo(): void {
    for (const [k, prev] of this.journal.toReversed()) {
      if (prev === undefined) this.delete(k);
      else super.set(k, prev);
    }
    this.journal = [];
  }
}

/** Where the last whole line of `s` ends (after its `\n`), not after a line ending in `\`; 0 if none. */
function safeCut(s: string): number {
  let at = s.lastIndexOf('\n');
  while (at > 0) {
    let back = at - 1;
    if (s.charCodeAt(back) === 13) back -= 1; // CR LF
    if (back < 0 || s.charCodeAt(back) !== 0x5c) return at + 1;
    at = s.lastIndexOf('\n', at - 1);
  }
  return at === 0 ? 1 : 0;
}

/** Lines in a segment as the parser of `dialect` counts them. */
function countLines(s: string, dialect: Dialect | undefined): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) n++;
  if (dialect === 'python') {
    // Python reads a lone CR as a line end too.
    for (let i = s.indexOf('\r'); i !== -1; i = s.indexOf('\r', i + 1)) if (s.charCodeAt(i + 1) !== 10) n++;
  }
  return n;
}

/**
 * The assignments of the dotenv text made of `pieces`, in file order, as
 * {@link parseDotenvAs}`(pieces.join(''), dialect, source)` returns them, one segment of about
 * `segmentChars` characters at a time.
 *
 * @throws SeeqretError `E_DOTENV_SYNTAX` (as {@link parseDotenvAs}), once the entries before the
 *   error have been yielded.
 */
export function* parseDotenvPieces(pieces: Iterable<string>, dialect: Dialect | undefined, source?: string, segmentChars: number = SEGMENT_CHARS): Generator<DotenvEntry> {
  const vars = new JournalMap();
  let pending = '';
  let firstLine = 1;
  let want = segmentChars;
  const parse = (seg: string): DotenvEntry[] => {
    vars.journal = [];
    try {
      return parseDotenvAs(seg, dialect, source, { firstLine, vars });
    } catch (e) {
      vars.undo();
      throw e;
    }
  };
  for (const piece of pieces) {
    pending += piece;
    if (pending.length < want) continue;
    const cut = safeCut(pending);
    if (cut === 0) {
      want = pending.length * 2;
      continue;
    }
    const seg = pending.slice(0, cut);
    let entries: DotenvEntry[];
    try {
      entries = parse(seg);
    } catch {
      // Most likely a quoted value continues past the cut: parse again with more of the text.
      want = pending.length * 2;
      continue;
    }
    yield* entries;
    firstLine += countLines(seg, dialect);
    pending = pending.slice(cut);
    want = segmentChars;
  }
  if (pending.length > 0 || firstLine === 1) yield* parse(pending);
}
