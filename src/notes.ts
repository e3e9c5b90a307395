/**
 * What a use case says while it works, injected by its caller: the CLI prints `info` on stdout
 * and `warn` on stderr; a relay client or a UI shows them its own way, or collects them. Use
 * cases never write to a stream themselves.
 *
 * @module
 */

/** Lines for people: progress and outcomes (`info`), things to look at (`warn`). Never a value. */
export interface Notes {
  /** A line about what was done. */
  info(line: string): void;
  /** A line about something that needs attention. */
  warn(line: string): void;
  /** Many {@link Notes.info} lines at once (one write for a load's 1,000 names); absent: each goes to `info`. */
  infoLines?(lines: readonly string[]): void;
}

/** Ask a yes/no question; resolves to the answer. */
export type Confirm = (question: string) => Promise<boolean>;

/** Notes that go nowhere (a caller that only wants the typed result). */
export const silentNotes: Notes = {
  info: () => undefined,
  warn: () => undefined,
};
