/**
 * Making text safe to print in diagnostics: names and user names that arrive in bundles or files
 * could carry terminal escape sequences (ESC, CR, C1 controls) or bidi overrides that forge or
 * hide output. Values the user asked for are never passed through this.
 *
 * @module
 */

const UNSAFE = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;

/** Replace control, format (bidi, zero-width) and line-separator characters with `\u{…}` escapes. */
export function printable(text: string): string {
  return text.replace(UNSAFE, (c) => (c === '\n' ? '\\n' : `\\u{${c.codePointAt(0)!.toString(16)}}`));
}
