/**
 * Request and answer bodies written as JSON text by hand where `JSON.stringify` would scan every
 * character of a large string for the few it escapes: an upload's envelopes, and the relay's
 * listing of pending ones, are bundle texts (~135 KB each for 1,000 secrets, nearly all base64),
 * whose only characters to escape are the quotes, backslashes and newlines of their header. The
 * text is the same, byte for byte.
 *
 * @module
 */

/** A request or answer body already written as JSON text (sent as it is). */
export class JsonText {
  constructor(readonly text: string) {}
}

/**
 * A character `JSON.stringify` may escape other than `"`, `\` and a newline: a control character
 * (anything but a newline, U+0020–U+D7FF and U+E000–U+FFFF) or a surrogate (escaped when alone).
 */
const OTHER_ESCAPES = /[^\n\u0020-\ud7ff\ue000-\uffff]/;

/**
 * `JSON.stringify(s)`, the same text: a string whose only characters to escape are `"`, `\` and
 * newlines has just those replaced (a search for each, not a scan of every character in
 * JavaScript); any other string goes through `JSON.stringify`.
 */
export function jsonString(s: string): string {
  if (OTHER_ESCAPES.test(s)) return JSON.stringify(s);
  return `"${s.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')}"`;
}

/** The body of an upload of several envelopes: `JSON.stringify({ envelopes })`, the same text. */
export function envelopesBody(envelopes: ReadonlyArray<{ readonly to: string; readonly envelope: string }>): JsonText {
  return new JsonText(`{"envelopes":[${envelopes.map((e) => `{"to":${jsonString(e.to)},"envelope":${jsonString(e.envelope)}}`).join(',')}]}`);
}

/** The relay's listing of pending envelopes: `JSON.stringify({ envelopes })`, the same text. */
export function envelopeListing(envelopes: ReadonlyArray<{ readonly id: string; readonly from: string; readonly created: number; readonly envelope: string }>): JsonText {
  const items = envelopes.map((e) => `{"id":${jsonString(e.id)},"from":${jsonString(e.from)},"created":${JSON.stringify(e.created)},"envelope":${jsonString(e.envelope)}}`);
  return new JsonText(`{"envelopes":[${items.join(',')}]}`);
}
