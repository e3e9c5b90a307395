/**
 * The person an introduction names: the `seeqret add user …` line `seeqret introduction` prints,
 * or the same fields given one by one (the `add user` options). Checked here once for the CLI and
 * the web UI: the key is an X25519 public key (base64 or `age1…`), the address one bare e-mail.
 *
 * @module
 */
import { parsePublicKey } from '../crypto/age.js';
import { SeeqretError } from '../errors.js';
import { checkEmail } from '../util/email.js';
import { shellQuote, splitCommandLine } from '../util/shlex.js';

/** The fields of an introduction, as given (text). */
export interface IntroductionFields {
  /** Their user name. */
  readonly username?: string | undefined;
  /** Their e-mail address. */
  readonly email?: string | undefined;
  /** Their full name. */
  readonly name?: string | undefined;
  /** Their X25519 public key: base64 or `age1…`. */
  readonly pubkey?: string | undefined;
}

/** A person to add, checked. */
export interface Introduced {
  /** Their user name. */
  readonly username: string;
  /** Their e-mail address, or `null`. */
  readonly email: string | null;
  /** Their full name, or `null`. */
  readonly name: string | null;
  /** Their X25519 public key (32 bytes), when one was given. */
  readonly publicKey: Buffer | undefined;
}

/**
 * Check the fields of an introduction: the key (when given) must be an X25519 public key
 * (`E_BAD_KEY`), the address a bare e-mail address (`E_USAGE`).
 */
export function checkIntroduction(f: IntroductionFields, where = '--email'): Introduced {
  if (!f.username) throw new SeeqretError('E_USAGE', 'an introduction needs a user name', 'Paste the line the other person printed with `seeqret introduction`.');
  const publicKey = f.pubkey === undefined ? undefined : parsePublicKey(f.pubkey);
  if (f.pubkey !== undefined && !publicKey) {
    throw new SeeqretError('E_BAD_KEY', `'${f.pubkey.slice(0, 60)}' is not an X25519 public key`, 'Use the base64 key (44 characters) or the age1… key printed by `seeqret public-key`.');
  }
  return { username: f.username, email: f.email === undefined ? null : checkEmail(f.email, where), name: f.name ?? null, publicKey: publicKey ?? undefined };
}

/** The `seeqret add user …` line that introduces `u` to someone else's vault (what {@link parseIntroduction} reads). */
export function introductionLine(u: { readonly username: string; readonly email: string | null; readonly name: string | null; readonly pubkey: string }): string {
  return ['seeqret add user', '--username', shellQuote(u.username, { always: true }), ...(u.email ? ['--email', shellQuote(u.email, { always: true })] : []), ...(u.name ? ['--name', shellQuote(u.name, { always: true })] : []), '--pubkey', u.pubkey].join(' ');
}

const FIELDS: Readonly<Record<string, keyof IntroductionFields>> = { '--username': 'username', '--email': 'email', '--name': 'name', '--pubkey': 'pubkey' };

/**
 * Parse the line `seeqret introduction` prints (`seeqret add user --username … --pubkey …`, the
 * `# fingerprint` comment line after it ignored), words split as a POSIX shell would.
 *
 * @throws SeeqretError `E_USAGE` for anything else than that line, `E_BAD_KEY` for a key that is
 *   not one.
 */
export function parseIntroduction(text: string): Introduced {
  const line = text.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== '' && !l.startsWith('#')) ?? '';
  const words = splitCommandLine(line);
  const bad = (): SeeqretError => new SeeqretError('E_USAGE', 'this is not a `seeqret add user` line', 'Paste the whole line the other person printed with `seeqret introduction`.');
  if (words[0] !== 'seeqret' || words[1] !== 'add' || words[2] !== 'user') throw bad();
  const f: Record<string, string> = {};
  for (let i = 3; i < words.length; i += 2) {
    const opt = words[i] ?? '';
    const eq = opt.indexOf('=');
    const [flag, value] = eq > 0 ? [opt.slice(0, eq), opt.slice(eq + 1)] : [opt, words[i + 1]];
    if (eq > 0) i -= 1;
    const field = FIELDS[flag];
    if (!field || value === undefined || field in f) throw bad();
    f[field] = value;
  }
  if (f.pubkey === undefined) throw new SeeqretError('E_USAGE', 'the line has no --pubkey', 'Paste the whole line the other person printed with `seeqret introduction`.');
  return checkIntroduction(f, 'the --email of the line');
}
