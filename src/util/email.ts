/**
 * E-mail addresses: exactly one bare address (`local@domain`), never a list, a display name, a
 * comment or a line break. Every address seeqret stores (`init`, `add user`, a PGP key's user ID,
 * restored users and keys) or mails to (`send`) passes {@link checkEmail}: an address such as
 * `bob@example.com, eve@example.net` or one carrying `\r\nBcc:` would otherwise make a mail
 * client deliver to someone else as well.
 *
 * @module
 */
import { SeeqretError } from '../errors.js';
import { printable } from './text.js';

/** The longest address accepted (RFC 5321's path limit less the angle brackets). */
export const MAX_EMAIL_LENGTH = 254;
/** The longest local part (before the `@`). */
const MAX_LOCAL_LENGTH = 64;

/**
 * A dot-atom local part: letters (any script), digits, `!#$%&'*+/=?^_{|}~-` and the backtick, dots
 * between them. No quotes, spaces, commas, semicolons, angle brackets, parentheses, colons, backslashes.
 */
// Made on first use (see src/util/text.ts: a `\p{…}` regular expression is costly to create).
let localRe: RegExp | undefined;
let domainRe: RegExp | undefined;
const LOCAL_RE = (): RegExp => (localRe ??= /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(?:\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*$/u);
/** Host name labels (letters of any script, digits, `-` inside, `_`), separated by dots; no IP literal. */
const LABEL = '[\\p{L}\\p{N}_](?:[\\p{L}\\p{N}_-]{0,61}[\\p{L}\\p{N}_])?';
const DOMAIN_RE = (): RegExp => (domainRe ??= new RegExp(`^${LABEL}(?:\\.${LABEL})*$`, 'u'));

/** True when `text` is exactly one bare e-mail address. */
export function isEmailAddress(text: string): boolean {
  if (text.length > MAX_EMAIL_LENGTH) return false;
  const at = text.lastIndexOf('@');
  if (at <= 0 || at > MAX_LOCAL_LENGTH) return false;
  return LOCAL_RE().test(text.slice(0, at)) && DOMAIN_RE().test(text.slice(at + 1));
}

/**
 * Return `text` when it is exactly one bare e-mail address; else throw `E_USAGE` naming `what`
 * (the option or the source the address came from).
 */
export function checkEmail(text: string, what: string): string {
  if (isEmailAddress(text)) return text;
  const shown = printable(text.length > 80 ? `${text.slice(0, 80)}…` : text);
  throw new SeeqretError(
    'E_USAGE',
    `${what} is not one e-mail address: '${shown}'`,
    'Give a single address such as name@example.com: no name or <>, no list (, or ;), no spaces or line breaks.',
  );
}

/** {@link checkEmail} for an optional address: `null`, `undefined` and `''` mean none. */
export function checkOptionalEmail(text: string | null | undefined, what: string): void {
  if (text !== null && text !== undefined && text !== '') checkEmail(text, what);
}
