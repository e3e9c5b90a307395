/**
 * Secret references: `seeqret://APP/ENV/KEY`, or `seeqret://KEY` for the project's app and
 * environment, written as the value of an environment variable (in a `.env` file or the
 * environment) or inside `{{ … }}` in a file `seeqret inject` fills (docs/commands/env.md#references).
 *
 * The grammar is strict, so a reference reads one way and a typo is an error, never a value:
 *
 * ```
 * reference = "seeqret://" ( segment / segment "/" segment "/" segment )
 * segment   = 1*( char / "%" HEXDIG HEXDIG )   ; percent-escapes are UTF-8 bytes
 * char      = any character except "%" and "/" (and those no name may hold)
 * ```
 *
 * Each decoded segment must be a valid name (src/vault/names.ts); `*` alone is the global app or
 * environment. `%` and `/` are always escaped (`%25`, `%2F`); {@link formatReference} also
 * escapes `{` and `}` so that a reference can stand inside `{{ … }}`.
 *
 * @module
 */
import { SeeqretError } from '../errors.js';
import { printable } from '../util/text.js';
import { nameProblem } from '../vault/names.js';

/** The scheme every reference starts with (lower case). */
export const REFERENCE_SCHEME = 'seeqret://';

/** Longest reference text accepted (three names of 255 characters, each fully escaped). */
export const MAX_REFERENCE_LENGTH = 3 * 255 * 12 + REFERENCE_SCHEME.length + 2;

/** A parsed reference. `app` and `env` are absent for the short form `seeqret://KEY`. */
export interface SecretReference {
  /** The app (`*` for global), absent in the short form. */
  readonly app?: string;
  /** The environment (`*` for global), absent in the short form. */
  readonly env?: string;
  /** The key. */
  readonly key: string;
}

/**
 * True when `text` is meant as a reference: it starts with `seeqret://` in any letter case. A
 * value that starts so but does not parse is an error ({@link parseReference}), never a plain value.
 */
export function isReference(text: string): boolean {
  return text.length >= REFERENCE_SCHEME.length && text.slice(0, REFERENCE_SCHEME.length).toLowerCase() === REFERENCE_SCHEME;
}

/** The reference as shown in messages: printable, at most 80 characters. */
export function shownReference(text: string): string {
  const shown = printable(text.slice(0, 80));
  return text.length > 80 ? `${shown}…` : shown;
}

const HEX = /^[0-9A-Fa-f]{2}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function bad(text: string, why: string): SeeqretError {
  return new SeeqretError('E_REFERENCE_SYNTAX', `${shownReference(text)} is not a secret reference: ${why}`, 'Write seeqret://APP/ENV/KEY or seeqret://KEY (escape % as %25 and / as %2F).');
}

/** Decode one segment's percent-escapes (UTF-8), or explain why it cannot be. */
function decodeSegment(segment: string): string | { problem: string } {
  if (!segment.includes('%')) return segment;
  const bytes: number[] = [];
  let out = '';
  const flush = (): string | null => {
    if (bytes.length === 0) return null;
    try {
      out += utf8.decode(Uint8Array.from(bytes));
    } catch {
      return 'a %-escape is not UTF-8';
    }
    bytes.length = 0;
    return null;
  };
  for (let i = 0; i < segment.length; ) {
    if (segment[i] === '%') {
      const hex = segment.slice(i + 1, i + 3);
      if (!HEX.test(hex)) return { problem: "'%' is not followed by two hex digits" };
      bytes.push(parseInt(hex, 16));
      i += 3;
    } else {
      const problem = flush();
      if (problem !== null) return { problem };
      const cp = segment.codePointAt(i) ?? 0;
      const ch = String.fromCodePoint(cp);
      out += ch;
      i += ch.length;
    }
  }
  const problem = flush();
  return problem === null ? out : { problem };
}

/**
 * Parse a reference.
 *
 * @throws SeeqretError `E_REFERENCE_SYNTAX` for anything that is not exactly one reference (the
 *   message shows at most 80 printable characters of the text).
 */
export function parseReference(text: string): SecretReference {
  if (!text.startsWith(REFERENCE_SCHEME)) {
    throw bad(text, isReference(text) ? 'the scheme is written seeqret:// in lower case' : 'it does not start with seeqret://');
  }
  if (text.length > MAX_REFERENCE_LENGTH) throw bad(text, `it is longer than ${MAX_REFERENCE_LENGTH} characters`);
  const segments = text.slice(REFERENCE_SCHEME.length).split('/');
  if (segments.length !== 1 && segments.length !== 3) throw bad(text, `it has ${segments.length} parts; write KEY or APP/ENV/KEY`);
  const kinds = segments.length === 1 ? (['key'] as const) : (['app', 'env', 'key'] as const);
  const names: string[] = [];
  for (const [i, kind] of kinds.entries()) {
    const decoded = decodeSegment(segments[i] ?? '');
    if (typeof decoded !== 'string') throw bad(text, decoded.problem);
    const problem = nameProblem(kind, decoded);
    if (problem !== null) throw bad(text, problem);
    names.push(decoded);
  }
  const [a, b, c] = names;
  return c === undefined ? { key: a ?? '' } : { app: a ?? '', env: b ?? '', key: c };
}

/** Escape one name for a reference: `%`, `/`, `{` and `}` as %-escapes, everything else as is. */
function encodeSegment(name: string): string {
  return name.replace(/[%/{}]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Write a reference (the inverse of {@link parseReference} for valid names). */
export function formatReference(ref: SecretReference): string {
  if (ref.app === undefined || ref.env === undefined) return REFERENCE_SCHEME + encodeSegment(ref.key);
  return REFERENCE_SCHEME + [ref.app, ref.env, ref.key].map(encodeSegment).join('/');
}
