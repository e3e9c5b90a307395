/**
 * The `{{ VAR }}` template format of `seeqret template` (a small, safe subset of the Jinja syntax
 * psec's templates use).
 *
 * - `{{ NAME }}` is replaced by the value of variable `NAME`; the spaces inside the braces are
 *   optional (`{{NAME}}`), and may be tabs or line breaks. `NAME` is any run of characters other
 *   than white space, `{`, `}`, `'`, `"` and `|`.
 * - `{{ 'text' }}` or `{{ "text" }}` is replaced by `text` as written (no escapes inside; the text
 *   cannot contain its own quote or a line break). This is how a literal `{{` is written:
 *   `{{ '{{' }}` gives `{{` (Jinja reads it the same way).
 * - Everything else is copied unchanged: single braces, a `}}` outside a placeholder, Jinja's
 *   `{% ... %}` and `{# ... #}`.
 * - Anything else after `{{` (an unterminated placeholder, `{{ }}`, a Jinja filter such as
 *   `{{ X | upper }}`) is an error naming the line and column.
 *
 * @module
 */
import { SeeqretError } from '../errors.js';
import { printable } from '../util/text.js';

/** A piece of a parsed template. */
export type Segment =
  /** Text copied as is (a quoted literal included). */
  | { readonly kind: 'text'; readonly text: string }
  /** A `{{ NAME }}` placeholder, with the position of its `{{` (both from 1). */
  | { readonly kind: 'var'; readonly name: string; readonly line: number; readonly column: number };

const SPACE = /[ \t\r\n]*/y;
const NAME = /[^\s{}'"|]+/uy;
const FIX = "Write placeholders as {{ NAME }}; a literal {{ is written {{ '{{' }} (see docs/commands/env.md#template).";

function syntaxError(source: string, line: number, column: number, what: string): SeeqretError {
  return new SeeqretError('E_TEMPLATE_SYNTAX', `${printable(source)}:${line}:${column}: ${what}`, FIX);
}

/**
 * Parse a template into text and placeholders (adjacent text merged).
 *
 * @param source - Named in messages as `source:line:column`.
 * @throws SeeqretError `E_TEMPLATE_SYNTAX` for a `{{` that does not start a placeholder.
 */
export function parsePlaceholders(text: string, source = 'template'): Segment[] {
  const out: Segment[] = [];
  let buf = '';
  let i = 0;
  let line = 1;
  let lineStart = 0; // index of the first character of `line`
  /** Advance the line count over text[from, to). */
  const track = (from: number, to: number): void => {
    for (let k = text.indexOf('\n', from); k !== -1 && k < to; k = text.indexOf('\n', k + 1)) {
      line++;
      lineStart = k + 1;
    }
  };
  for (;;) {
    const open = text.indexOf('{{', i);
    if (open === -1) {
      buf += text.slice(i);
      break;
    }
    buf += text.slice(i, open);
    track(i, open);
    const at = { line, column: open - lineStart + 1 };
    const err = (what: string): SeeqretError => syntaxError(source, at.line, at.column, what);
    let k = open + 2;
    SPACE.lastIndex = k;
    SPACE.exec(text);
    k = SPACE.lastIndex;
    const q = text[k];
    let literal: string | undefined;
    let name: string | undefined;
    if (q === "'" || q === '"') {
      const close = text.indexOf(q, k + 1);
      const nl = text.indexOf('\n', k + 1);
      if (close === -1 || (nl !== -1 && nl < close)) throw err(`the quoted text after {{ has no closing ${q} on its line`);
      literal = text.slice(k + 1, close);
      k = close + 1;
    } else {
      NAME.lastIndex = k;
      const m = NAME.exec(text);
      if (!m) throw err(k >= text.length ? 'unterminated {{ (no closing }})' : 'expected a variable name or a quoted text after {{');
      name = m[0];
      k = NAME.lastIndex;
    }
    SPACE.lastIndex = k;
    SPACE.exec(text);
    k = SPACE.lastIndex;
    if (!text.startsWith('}}', k)) {
      if (k >= text.length) throw err('unterminated {{ (no closing }})');
      throw err(`expected }} after ${name !== undefined ? JSON.stringify(printable(name.slice(0, 60))) : 'the quoted text'} (only {{ NAME }} and {{ 'text' }} are supported)`);
    }
    k += 2;
    if (literal !== undefined) {
      buf += literal;
    } else if (name !== undefined) {
      if (buf !== '') out.push({ kind: 'text', text: buf });
      buf = '';
      out.push({ kind: 'var', name, line: at.line, column: at.column });
    }
    track(open, k);
    i = k;
  }
  if (buf !== '') out.push({ kind: 'text', text: buf });
  return out;
}

/** The variable names a parsed template uses, each once, in order of first use. */
export function placeholderNames(segments: readonly Segment[]): string[] {
  return [...new Set(segments.flatMap((s) => (s.kind === 'var' ? [s.name] : [])))];
}

/** Substitute every placeholder with `values.get(name)` (all must be present). */
export function renderPlaceholders(segments: readonly Segment[], values: ReadonlyMap<string, string>): string {
  let s = '';
  for (const seg of segments) {
    if (seg.kind === 'text') s += seg.text;
    else {
      const v = values.get(seg.name);
      if (v === undefined) throw new SeeqretError('E_INTERNAL', `no value for ${seg.name}`, 'Report this bug.');
      s += v;
    }
  }
  return s;
}

/**
 * Write `text` so that a template reads it back literally, whatever follows it: each `{{` as
 * `{{ '{{' }}`, and a final `{` (which would join a following placeholder's braces) as `{{ '{' }}`.
 */
export function escapeTemplateText(text: string): string {
  const s = text.replaceAll('{{', "{{ '{{' }}");
  return s.endsWith('{') ? `${s.slice(0, -1)}{{ '{' }}` : s;
}
