/**
 * Who acts on a team file: the custodian's name and passphrase (or the local vault's key).
 *
 * One order, whatever calls it. The name: the option (`user`), then `SEEQRET_TEAM_USER`, then
 * `{PREFIX}_USER` (PREFIX from `envPrefix`, `PPROTECT_ENV_PREFIX`, else `PPROTECT`), then a
 * question through {@link TeamPrompts}. The passphrase is one {@link PassphraseSource} chain
 * (src/passphrase.ts, kinds `team` and `team-new`): {@link teamPassphrases} — the option's file,
 * then `SEEQRET_TEAM_PASSPHRASE`, then `{PREFIX}_PASSPHRASE` — then the session's own
 * `passphrases` (the CLI's hidden prompt on a terminal, a program's keychain). A wrong passphrase
 * fails; no other source is tried. The environment is the session's, never `process.env`.
 *
 * @module
 */
import { SeeqretError } from '../errors.js';
import type { PassphraseRequest, PassphraseSource } from '../passphrase.js';
import { readTextFileCapped } from '../util/read-capped.js';
import type { TeamSession } from './session.js';
import { type KeyType, type TeamFile, type UnlockedCustodian } from './store.js';

/** Where the acting custodian's credentials come from, before the environment and a prompt. */
export interface CredentialOptions {
  /** The custodian's name (`-u`). */
  readonly user?: string | undefined;
  /** A file holding the custodian's passphrase (`--team-passphrase-file`). */
  readonly passphraseFile?: string | undefined;
  /** A file holding a new passphrase (`--new-passphrase-file`). */
  readonly newPassphraseFile?: string | undefined;
  /** Act as an identity custodian, unlocked with the local vault's key. */
  readonly identity?: boolean | undefined;
  /** Prefix of the old credential variables (default `PPROTECT_ENV_PREFIX`, else `PPROTECT`). */
  readonly envPrefix?: string | undefined;
  /** Ignore the credential variables: options or a prompt only. */
  readonly ignoreEnv?: boolean | undefined;
}

/** How a use case asks the person something; the CLI builds it from its terminal helpers. */
export interface TeamPrompts {
  /** Asking is forbidden (`--non-interactive`): what would need an answer fails instead. */
  readonly nonInteractive: boolean;
  /** Someone can answer now (not {@link nonInteractive}, and a terminal is there). */
  readonly interactive: boolean;
  /** A line of text (a custodian's name). */
  text(label: string): Promise<string>;
  /** A yes/no question. */
  confirm(question: string): Promise<boolean>;
  /** Show a generated raw key once; true when the person confirmed they saved it (or cannot be asked). */
  rawKey(key: string): Promise<boolean>;
  /** Show the change about to be written (a unified diff); true to write it. */
  confirmWrite(diff: string): Promise<boolean>;
}

/** Prompts for callers where nobody can answer: every question fails as under `--non-interactive`. */
export const NO_PROMPTS: TeamPrompts = {
  nonInteractive: true,
  interactive: false,
  text: () => Promise.reject(needCredentials('a user name')),
  confirm: () => Promise.resolve(false),
  rawKey: () => Promise.resolve(true),
  confirmWrite: () => Promise.resolve(false),
};

/** A value and where it came from (for error messages). */
export interface Sourced {
  readonly value: string;
  readonly source: string;
}

/** The prefix of the old credential variables. */
export function envPrefixOf(s: TeamSession): string {
  return s.credentials.envPrefix ?? s.env['PPROTECT_ENV_PREFIX'] ?? 'PPROTECT';
}

/** A value from the first set variable of `names`, with where it came from. */
function fromEnv(s: TeamSession, names: readonly string[]): Sourced | undefined {
  for (const n of names) {
    const v = s.env[n];
    if (v !== undefined && v !== '') return { value: v, source: `env var ${n}` };
  }
  return undefined;
}

const userVars = (s: TeamSession): string[] => (s.credentials.ignoreEnv ? [] : ['SEEQRET_TEAM_USER', `${envPrefixOf(s)}_USER`]);
const passVars = (s: TeamSession): string[] => (s.credentials.ignoreEnv ? [] : ['SEEQRET_TEAM_PASSPHRASE', `${envPrefixOf(s)}_PASSPHRASE`]);

/** The first answer of the options and variables to `request` (a team kind), with where it came from. */
function fromOptions(s: TeamSession, request: PassphraseRequest): Sourced | undefined {
  const o = s.credentials;
  const file = (f: string): Sourced => ({ value: readPassphraseFile(f), source: `passphrase file ${f}` });
  if (request.kind === 'team-new' || (request.kind === 'team' && request.isNew)) {
    if (o.newPassphraseFile) return file(o.newPassphraseFile);
    const e = fromEnv(s, o.ignoreEnv ? [] : ['SEEQRET_TEAM_NEW_PASSPHRASE']);
    if (e || request.kind === 'team-new') return e;
  }
  if (request.kind !== 'team') return undefined;
  return o.passphraseFile ? file(o.passphraseFile) : fromEnv(s, passVars(s));
}

/**
 * The session's options and credential variables as a passphrase source (kinds `team`,
 * `team-new`): for a custodian's passphrase `passphraseFile` › `SEEQRET_TEAM_PASSPHRASE` ›
 * `{PREFIX}_PASSPHRASE`; for a new passphrase first `newPassphraseFile` ›
 * `SEEQRET_TEAM_NEW_PASSPHRASE` (a replacement, kind `team-new`, takes only these). The variables
 * are skipped with `ignoreEnv`. The use cases ask it before the session's `passphrases`.
 */
export function teamPassphrases(s: TeamSession): PassphraseSource {
  return { passphrase: (request) => Promise.resolve(((v) => (v === undefined ? undefined : Buffer.from(v.value, 'utf8')))(fromOptions(s, request))) };
}

/** The passphrase for `request`: the options and variables, then the session's `passphrases` (described as `prompt`). */
async function passphraseFor(s: TeamSession, request: PassphraseRequest, optional: boolean): Promise<Sourced | undefined> {
  const own = fromOptions(s, request);
  if (own !== undefined || optional) return own;
  const b = await s.passphrases.passphrase(request);
  if (b === undefined) return undefined;
  const value = b.toString('utf8');
  b.fill(0);
  return { value, source: 'prompt' };
}

function needCredentials(what: string): SeeqretError {
  return new SeeqretError(
    'E_PASSPHRASE_REQUIRED',
    `${what} is needed and cannot be asked for (--non-interactive or not a terminal)`,
    'Pass -u NAME and --team-passphrase-file FILE, or set SEEQRET_TEAM_USER and SEEQRET_TEAM_PASSPHRASE (or PPROTECT_USER / PPROTECT_PASSPHRASE).',
  );
}

/** Read a passphrase file as the old tool does: UTF-8, surrounding whitespace stripped. */
export function readPassphraseFile(file: string): string {
  return readTextFileCapped(file, 'passphrase').trim();
}

/** The acting custodian's name: the option, the environment, else asked (`label`). */
export async function resolveUser(s: TeamSession, label = 'User email'): Promise<Sourced> {
  if (s.credentials.user) return { value: s.credentials.user, source: 'argument' };
  const e = fromEnv(s, userVars(s));
  if (e) return e;
  if (!s.prompts.interactive) throw needCredentials('a user name');
  return { value: (await s.prompts.text(label)).trim(), source: 'prompt' };
}

/**
 * Unlock the acting custodian. `optional`: return `undefined` instead of asking when the
 * credentials are not available from the options or the environment.
 *
 * @throws SeeqretError `E_TEAM_CREDENTIALS` (wrong passphrase, saying where each part came from),
 *   `E_PASSPHRASE_REQUIRED` when something is missing and cannot be asked.
 */
export async function unlockCustodian(s: TeamSession, tf: TeamFile, opts: { optional?: boolean } = {}): Promise<UnlockedCustodian | undefined> {
  const o = s.credentials;
  if (o.identity) {
    const id = await s.vault.identity();
    // `user` names the custodian; a user from the environment only when it is an identity custodian
    // (identity is a flag: a passphrase user in PPROTECT_USER must not override it).
    const envUser = fromEnv(s, userVars(s))?.value;
    let name = o.user ?? (envUser !== undefined && tf.data.custodians.get(envUser)?.kind === 'identity' ? envUser : undefined);
    if (!name) {
      name = tf.custodianNames().find((n) => {
        const c = tf.custodian(n);
        return c.type === 'identity' && c.publicKey.equals(id.publicKey);
      });
      if (!name) throw new SeeqretError('E_TEAM_CREDENTIALS', `no identity custodian of ${tf.path} has this vault's key`, 'Ask a custodian to add you: seeqret team add-custodian NAME --key-type identity --pubkey KEY (seeqret public-key prints KEY).');
    }
    return tf.unlock({ name, identitySecretKey: id.secretKey });
  }
  let user: Sourced | undefined = o.user ? { value: o.user, source: 'argument' } : fromEnv(s, userVars(s));
  if (!user && opts.optional && !o.passphraseFile) return undefined;
  user ??= await resolveUser(s);
  if (tf.data.custodians.get(user.value)?.kind === 'identity') {
    const id = await s.vault.identity();
    return tf.unlock({ name: user.value, identitySecretKey: id.secretKey });
  }
  const pass = await passphraseFor(s, { kind: 'team', label: `Passphrase of ${user.value}`, target: tf.path }, opts.optional === true);
  if (!pass) {
    if (opts.optional) return undefined;
    throw needCredentials(`the passphrase of ${user.value}`);
  }
  try {
    return tf.unlock({ name: user.value, passphrase: pass.value });
  } catch (e) {
    if (e instanceof SeeqretError && e.code === 'E_TEAM_CREDENTIALS') {
      const empty = pass.value === '' ? ' (the passphrase is empty)' : '';
      throw new SeeqretError('E_TEAM_CREDENTIALS', `${e.message} (user from ${user.source}, passphrase from ${pass.source})${empty}`, e.fix);
    }
    throw e;
  }
}

/** {@link unlockCustodian}, asking when needed: the acting custodian, always. */
export async function requireCustodian(s: TeamSession, tf: TeamFile): Promise<UnlockedCustodian> {
  const c = await unlockCustodian(s, tf);
  if (c === undefined) throw new SeeqretError('E_INTERNAL', 'a custodian was not unlocked although asking was allowed', 'Report this bug.');
  return c;
}

/**
 * A new passphrase: `newPassphraseFile`, `SEEQRET_TEAM_NEW_PASSPHRASE`, (for a new custodian)
 * the usual passphrase sources, else the session's `passphrases` (a prompt asks twice).
 *
 * @throws SeeqretError `E_PASSPHRASE_REQUIRED` when no source gives one.
 */
export async function newPassphrase(s: TeamSession, forNewCustodian: boolean): Promise<string> {
  const request: PassphraseRequest = forNewCustodian
    ? { kind: 'team', label: 'New passphrase', target: s.file, isNew: true, repeat: 'Repeat the new passphrase' }
    : { kind: 'team-new', label: 'New passphrase', target: s.file, isNew: true, repeat: 'Repeat the new passphrase' };
  const p = await passphraseFor(s, request, false);
  if (!p) throw needCredentials('a new passphrase');
  return p.value;
}

/** Check a `--key-type` among `allowed` (default `hard`). */
export function keyTypeOf(given: string | undefined, allowed: readonly string[] = ['hard', 'fast', 'raw']): KeyType {
  const t = given ?? 'hard';
  if (!isKeyType(t) || !allowed.includes(t)) throw new SeeqretError('E_USAGE', `--key-type must be one of: ${allowed.join(', ')}`, 'hard (default, Argon2id 4 × 256 MiB), fast (2 × 64 MiB) or raw (a generated key).');
  return t;
}

const isKeyType = (t: string): t is KeyType => t === 'hard' || t === 'fast' || t === 'raw';
