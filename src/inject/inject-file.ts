/**
 * The use case behind `seeqret inject`: fill `{{ seeqret://… }}` references in any text (as
 * `op inject` does). Every reference is resolved before any value is placed, and every one that
 * cannot be is named (file:line and the reference, never a value) in one error, so nothing is
 * written. Typed inputs, no `process`.
 *
 * @module
 */
import { SeeqretError } from '../errors.js';
import type { SecretRecord, Vault } from '../vault/vault.js';
import { type DefaultsSource, type ReferenceUse, resolveReferences } from './references.js';
import { shownReference } from './reference.js';

/**
 * A reference in a file: `{{`, optional spaces or tabs, the reference (no whitespace, `{` or `}`),
 * optional spaces or tabs, `}}`. The scheme is matched in any letter case so that a mistyped one is
 * reported rather than left in the output.
 */
const PLACEHOLDER = /\{\{[ \t]*(seeqret:\/\/[^\s{}]*)[ \t]*\}\}/giu;
/** The start of anything meant as a reference, to report those {@link PLACEHOLDER} does not match. */
const OPENING = /\{\{[ \t]*seeqret:/giu;

/** One placeholder found in a text. */
export interface Placeholder {
  /** Offset of `{{`. */
  readonly start: number;
  /** Offset just after `}}`. */
  readonly end: number;
  /** The reference's text. */
  readonly reference: string;
  /** 1-based line of `{{`. */
  readonly line: number;
}

/** Line numbers of offsets, counted once over the text. */
function lineAt(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

/**
 * The `{{ seeqret://… }}` placeholders of `text`, in order, and the places (`{{ seeqret:` that do
 * not form a placeholder) that are malformed.
 */
export function findPlaceholders(text: string): { placeholders: Placeholder[]; malformed: number[] } {
  const line = lineAt(text);
  const placeholders: Placeholder[] = [];
  const covered = new Set<number>();
  for (const m of text.matchAll(PLACEHOLDER)) {
    placeholders.push({ start: m.index, end: m.index + m[0].length, reference: m[1] ?? '', line: line(m.index) });
    covered.add(m.index);
  }
  const malformed: number[] = [];
  for (const m of text.matchAll(OPENING)) if (!covered.has(m.index)) malformed.push(line(m.index));
  return { placeholders, malformed };
}

/** Input of {@link injectReferences}. */
export interface InjectInput {
  /** The template's text. */
  readonly text: string;
  /** Its name in messages. */
  readonly source: string;
  /** Where short references point. */
  readonly defaults: DefaultsSource;
}

/** The filled text and the secrets read (for the audit log). */
export interface Injected {
  /** The text with every placeholder replaced by its secret's value. */
  readonly text: string;
  /** The secrets read, each once. */
  readonly records: SecretRecord[];
  /** How many placeholders were filled. */
  readonly placeholders: number;
}

/**
 * Fill every placeholder of `input.text` from `vault`; the rest of the text is copied unchanged.
 *
 * @throws SeeqretError `E_REFERENCE_UNRESOLVED` naming every malformed or unresolved reference.
 */
export function injectReferences(vault: Vault, input: InjectInput): Injected {
  const { placeholders, malformed } = findPlaceholders(input.text);
  const problems = [...new Set(malformed)].map((line) => `${input.source}:${line}: {{ seeqret:… }} is not a reference in braces (no spaces inside; escape { and } as %7B and %7D)`);
  const uses: ReferenceUse[] = placeholders.map((p) => ({ text: p.reference, where: `${input.source}:${p.line}` }));
  const { values, records } = resolveReferences(vault, uses, input.defaults, problems);
  const parts: string[] = [];
  let at = 0;
  for (const p of placeholders) {
    const value = values.get(p.reference);
    if (value === undefined) throw new SeeqretError('E_INTERNAL', `${input.source}:${p.line}: ${shownReference(p.reference)} was not resolved`, 'Report this bug.');
    parts.push(input.text.slice(at, p.start), value);
    at = p.end;
  }
  parts.push(input.text.slice(at));
  return { text: parts.join(''), records, placeholders: placeholders.length };
}
