/**
 * The team use cases' session: a team file as one vault sees it, and the trust policy.
 *
 * Every team use case takes a {@link TeamSession}: which file, which vault folder's pins and
 * trusted signers apply (src/team/state.ts, src/team/trust.ts), the environment, the credential
 * options, and the small interfaces through which it asks the person something
 * ({@link TeamPrompts}) or opens the local vault ({@link TeamVaultAccess}). Nothing here touches
 * `process`: the CLI builds the session from its options and `process.env`; a relay client, the
 * UI or a test builds its own.
 *
 * {@link openTeam} reads the file and judges it against the vault's pin and trusted signers:
 * `read` warns about a rollback or an untrusted change (returned as {@link TeamNotice}s),
 * `write` (also `pull`) refuses anything this vault does not trust, `look` only reports.
 *
 * @module
 */
import fs from 'node:fs';
import { SeeqretError } from '../errors.js';
import { lockTimeoutFromEnv } from '../util/lock.js';
import type { Vault } from '../vault/vault.js';
import type { PassphraseSource } from '../passphrase.js';
import type { CredentialOptions, TeamPrompts } from './credentials.js';
import { type Observation, type SignatureTrust, type TeamPin, type Verdict, advance, assess, isTrusted, keyringFingerprint, observe } from './state.js';
import { findPin, pinPath, readTeamState, updateTeamState } from './state-file.js';
import { TeamFile } from './store.js';
import { checkSigner, readTrust, signerFingerprint } from './trust.js';
import { vaultIdentitySecretKey } from '../vault/internal.js';

/** Environment variables as the use cases read them (the CLI passes `process.env`). */
export type TeamEnvironment = Readonly<Record<string, string | undefined>>;

/** Something the person should be told (never a secret value); the caller renders it. */
export interface TeamNotice {
  readonly level: 'info' | 'warning';
  readonly text: string;
}

/** The local seeqret vault, opened only when a use case needs it (identity custodians, pull, push). */
export interface TeamVaultAccess {
  /** The vault's X25519 key pair (an identity custodian is unlocked with it). */
  identity(): Promise<{ publicKey: Buffer; secretKey: Buffer }>;
  /** Run `fn` with the vault open (and closed after). */
  use<T>(fn: (v: Vault) => T | Promise<T>, opts?: { readonly?: boolean }): Promise<T>;
}

/** {@link TeamVaultAccess} over a vault the caller opened (and closes): a library caller's, a test's. */
export function openedVault(v: Vault): TeamVaultAccess {
  return {
    identity: () => Promise.resolve({ publicKey: Buffer.from(v.publicKey), secretKey: Buffer.from(vaultIdentitySecretKey(v)) }),
    use: async (fn) => fn(v),
  };
}

/** Everything a team use case needs from outside. */
export interface TeamSession {
  /** The team file's path. */
  readonly file: string;
  /** The vault folder whose pins and trusted signers apply. */
  readonly vaultDir: string;
  /** Read for the credential variables, `SEEQRET_LOCK_TIMEOUT_MS`, `SEEQRET_TEAM_REQUIRE_SIGNATURE`. */
  readonly env: TeamEnvironment;
  /** Where the acting custodian's name and passphrase come from. */
  readonly credentials: CredentialOptions;
  /** How the person is asked (names, confirmations; passphrases come from `passphrases`). */
  readonly prompts: TeamPrompts;
  /**
   * Where custodian passphrases come from after the credential options and variables
   * (`teamPassphrases`): requests of kinds `team` and `team-new` (the CLI: a hidden prompt on a
   * terminal, none under `--non-interactive`). Give `passphraseChain([])` for none.
   */
  readonly passphrases: PassphraseSource;
  /** The local vault. */
  readonly vault: TeamVaultAccess;
  /** Go on although the signature is missing, wrong or by an untrusted key. */
  readonly ignoreSignature?: boolean | undefined;
  /** Refuse files not signed by a trusted custodian (also `SEEQRET_TEAM_REQUIRE_SIGNATURE=1`). */
  readonly requireSignature?: boolean | undefined;
  /** Show the change and ask ({@link TeamPrompts.confirmWrite}) before every write. */
  readonly confirmWrites?: boolean | undefined;
  /** How a fix names a team command (`REST` is e.g. `accept`); default `seeqret team REST`. */
  readonly command?: ((rest: string) => string) | undefined;
}

/** A command line for a fix: `seeqret team REST`, or as the session spells it. */
export const teamHint = (s: TeamSession, rest: string): string => (s.command ? s.command(rest) : `seeqret team ${rest}`);

/** One shell word as pocket_protector's hints quote it (`shlex.quote`). */
export const quoteArg = (w: string): string => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'"'"'`)}'`);

/** Up to `max` items joined with `; `, then how many more. */
export const listed = (items: readonly string[], max = 6): string => (items.length > max ? [...items.slice(0, max), `${items.length - max} more`] : items).join('; ');

const fileErrors = new WeakSet<SeeqretError>();

/** Is `e` "the team file is missing" or "already exists" (pprotect exits 2 for those)? */
export function isTeamFileError(e: unknown): e is SeeqretError {
  return e instanceof SeeqretError && fileErrors.has(e);
}

/** `E_FILE_NOT_FOUND` for a missing team file. */
export function teamFileMissing(file: string): SeeqretError {
  const e = new SeeqretError('E_FILE_NOT_FOUND', `no team file at ${file}`, 'Create one with `seeqret team init`, or pass --file PATH.');
  fileErrors.add(e);
  return e;
}

/** `E_EXISTS` for a team file that should not exist yet. */
export function teamFileExists(file: string): SeeqretError {
  const e = new SeeqretError('E_EXISTS', `the team file ${file} already exists`, 'Use it as it is, or pass --file with another path.');
  fileErrors.add(e);
  return e;
}

const noticesOfErrors = new WeakMap<SeeqretError, readonly TeamNotice[]>();

/** What the person should be told before the error `e` (a warning that led to it), if anything. */
export function noticesBefore(e: unknown): readonly TeamNotice[] {
  return (e instanceof SeeqretError && noticesOfErrors.get(e)) || [];
}

function withNotices(e: SeeqretError, notices: readonly TeamNotice[]): SeeqretError {
  noticesOfErrors.set(e, notices);
  return e;
}

/** A question that `--non-interactive` forbids: fail instead of reading an answer. */
export function cannotAsk(what: string, fix: string): SeeqretError {
  return new SeeqretError('E_USAGE', `${what}, and --non-interactive forbids asking; nothing was written`, fix);
}

/** How long a writer waits for the team file's lock: `SEEQRET_LOCK_TIMEOUT_MS`, else 10 s. */
export function lockTimeout(env: TeamEnvironment): number {
  return lockTimeoutFromEnv(env);
}

const requireSignature = (s: TeamSession): boolean => s.requireSignature === true || s.env['SEEQRET_TEAM_REQUIRE_SIGNATURE'] === '1';

/** A team file as checked against this vault: its signature's standing, its pin, the verdict. */
export interface CheckedTeam {
  readonly tf: TeamFile;
  readonly obs: Observation;
  readonly sig: SignatureTrust;
  readonly pin: TeamPin | null;
  /** The file's real path: the key of its pin and its lock. */
  readonly realPath: string;
  readonly verdict: Verdict;
}

/** {@link openTeam}'s result: the checked file and what the person should be told. */
export interface OpenedTeam extends CheckedTeam {
  readonly notices: readonly TeamNotice[];
}

/** How the file's signature stands with the trusted signers of this vault. */
function signatureTrust(s: TeamSession, tf: TeamFile): SignatureTrust {
  const st = tf.signatureStatus();
  if (st.state === 'unsigned') return { trusted: false, why: null };
  if (st.state === 'missing') return { trusted: false, why: 'it declares signatures but has none' };
  if (st.state === 'invalid') return { trusted: false, why: `its signature (by ${st.by}) does not match its content` };
  const t = checkSigner(readTrust(s.vaultDir), st.by, st.key);
  if (t === 'trusted') return { trusted: true, by: st.by };
  if (t === 'changed') return { trusted: false, why: `it is signed by ${st.by} with another key than the one you trusted for ${st.by}` };
  return { trusted: false, why: `it is signed by ${st.by}, whom you have not trusted` };
}

/**
 * Read the pins, then the file (in that order: pins only ever move forward to a state that was in
 * the file first, so a file read after them is never older than them unless it was put back).
 */
export function checkTeam(s: TeamSession, file: string = s.file): CheckedTeam {
  const state = readTeamState(s.vaultDir);
  const tf = TeamFile.open(file);
  const obs = observe(tf, tf.sourceHash());
  const sig = signatureTrust(s, tf);
  const realPath = pinPath(tf.path);
  const found = findPin(state, realPath, obs);
  return { tf, obs, sig, pin: found?.pin ?? null, realPath, verdict: assess(obs, found?.pin ?? null, sig) };
}

/**
 * Remember `obs` as verified (under the state lock, judged again against the pins as they are
 * then, so a concurrent command never makes them go back). `force`: our own write or `accept`.
 */
export function recordPin(s: TeamSession, realPath: string, obs: Observation, sig: SignatureTrust, force: boolean): void {
  updateTeamState(
    s.vaultDir,
    (state) => {
      const found = findPin(state, realPath, obs);
      if (force || isTrusted(assess(obs, found?.pin ?? null, sig))) state.set(realPath, advance(found?.pin ?? null, obs));
    },
    { timeoutMs: lockTimeout(s.env) },
  );
}

/** The note shown when a vault pins a file's keys for the first time. */
export function firstUseNote(c: CheckedTeam): TeamNotice {
  return { level: 'info', text: `First use of ${c.tf.path} with this vault: its keys are now pinned (keys fingerprint ${keyringFingerprint(c.obs.keys)}); writes after a change to them that no signature you trust covers will be refused` };
}

/** `E_TEAM_ROLLBACK`: the file is older than what this vault saw. */
export function rollbackError(s: TeamSession, c: CheckedTeam, what: string): SeeqretError {
  const reasons = c.verdict.kind === 'rollback' ? c.verdict.reasons : [];
  return new SeeqretError(
    'E_TEAM_ROLLBACK',
    `${c.tf.path} is older than what your vault saw (${listed(reasons)}); ${what}`,
    `Bring the file up to date (git pull); if this old version is meant (a deliberate revert), check it, then run \`${teamHint(s, 'accept')}\`.`,
  );
}

/** `E_TEAM_UNTRUSTED`: the file changed and no signature this vault trusts covers the change. */
export function untrustedError(s: TeamSession, c: CheckedTeam, what: string): SeeqretError {
  const v = c.verdict.kind === 'untrusted' ? c.verdict : { reasons: [], changes: [] };
  const st = c.tf.signatureStatus();
  const signer = (st.state === 'valid' || st.state === 'invalid') && !c.sig.trusted ? st.by : null;
  const fix =
    signer !== null && v.changes.length === 0 && st.state === 'valid'
      ? `Compare ${signer}'s signing key fingerprint (${signerFingerprint(st.key)}) with them, then run \`${teamHint(s, `trust ${quoteArg(signer)}`)}\`; or check the change (git log -p) and run \`${teamHint(s, 'accept')}\`.`
      : `Check the change (git log -p ${quoteArg(c.tf.path)}; \`${teamHint(s, 'accept')}\` lists the keys with their fingerprints to compare), then run \`${teamHint(s, 'accept')}\`.`;
  return new SeeqretError('E_TEAM_UNTRUSTED', `${c.tf.path} changed since your vault verified it and no signature you trust covers the change (${listed([...v.reasons, ...v.changes])}); ${what}`, fix);
}

/** The signature policy of reads: errors for a broken signature; a warning (returned) for an unknown signer. */
function checkSignaturePolicy(s: TeamSession, c: CheckedTeam, quiet = false): TeamNotice[] {
  const tf = c.tf;
  const st = tf.signatureStatus();
  if (c.verdict.kind === 'same' && st.state !== 'unsigned') return []; // exactly what this vault verified (or accepted)
  const override = `Look at the change in git (git log -p), then pass --ignore-signature to read it anyway, or \`${teamHint(s, 'accept')}\` it.`;
  if (st.state === 'unsigned') {
    if (requireSignature(s)) throw new SeeqretError('E_TEAM_SIGNATURE', `${tf.path} is not signed`, `Have a custodian sign it (${teamHint(s, 'sign')}), or drop --require-signature.`);
    return [];
  }
  if (s.ignoreSignature) return [];
  if (st.state === 'missing') throw new SeeqretError('E_TEAM_SIGNATURE', `${tf.path} declares signatures but has none: it was changed by something that does not sign`, override);
  if (st.state === 'invalid') throw new SeeqretError('E_TEAM_SIGNATURE', `the signature of ${tf.path} (by ${st.by}) does not match its content: it was changed after it was signed`, override);
  if (c.sig.trusted) return [];
  const trustCmd = teamHint(s, `trust ${quoteArg(st.by)}`);
  if (checkSigner(readTrust(s.vaultDir), st.by, st.key) === 'changed') {
    throw new SeeqretError('E_TEAM_SIGNATURE', `${tf.path} is signed by ${st.by} with a key you did not trust for ${st.by} (fingerprint ${signerFingerprint(st.key)})`, `Ask ${st.by} whether they changed their passphrase; if so, compare the fingerprint and run \`${trustCmd}\`.`);
  }
  const notice: TeamNotice = { level: 'warning', text: `${tf.path} is signed by ${st.by}, whom you have not trusted yet (key fingerprint ${signerFingerprint(st.key)}); compare it with them, then run \`${trustCmd}\`` };
  if (requireSignature(s)) throw withNotices(new SeeqretError('E_TEAM_SIGNATURE', `the signer ${st.by} is not trusted`, `Compare the fingerprint with ${st.by}, then run \`${trustCmd}\`.`), quiet ? [] : [notice]);
  return [notice];
}

/** Refuse a write (or `pull`) unless the file is a state this vault trusts. */
export function requireTrusted(s: TeamSession, c: CheckedTeam, what: string): void {
  checkSignaturePolicy(s, c, true);
  if (c.verdict.kind === 'rollback') throw rollbackError(s, c, what);
  if (c.verdict.kind === 'untrusted') throw untrustedError(s, c, what);
}

/**
 * Read the team file and check it against this vault:
 * - `read`: the signature policy, then a warning for a rollback or an untrusted change (the
 *   values of your own domains can still be read); a trusted state is remembered;
 * - `write` (also `pull`): the same, but anything this vault does not trust is refused;
 * - `look` (info, verify, accept, trust): nothing enforced, nothing remembered.
 *
 * @throws SeeqretError `E_FILE_NOT_FOUND` (see {@link isTeamFileError}), `E_TEAM_SIGNATURE`,
 *   and for `write` `E_TEAM_ROLLBACK` / `E_TEAM_UNTRUSTED`.
 */
export function openTeam(s: TeamSession, mode: 'read' | 'write' | 'look' = 'read'): OpenedTeam {
  const file = s.file;
  if (!fs.existsSync(file)) throw teamFileMissing(file);
  const c = checkTeam(s, file);
  if (mode === 'look') return { ...c, notices: [] };
  if (mode === 'write') {
    requireTrusted(s, c, 'nothing was written');
    return { ...c, notices: [] };
  }
  const notices = checkSignaturePolicy(s, c);
  const v = c.verdict;
  if (v.kind === 'rollback') {
    notices.push({ level: 'warning', text: `${file} is OLDER than what your vault saw: ${listed(v.reasons)}. Values read from it may be ones that were replaced; writes and pull are refused until you bring it up to date or run \`${teamHint(s, 'accept')}\`` });
  } else if (v.kind === 'untrusted') {
    const beyondSignature = [...v.changes, ...v.reasons.filter((r) => c.sig.trusted || r !== c.sig.why)];
    if (beyondSignature.length) notices.push({ level: 'warning', text: `${file} changed since your vault verified it and no signature you trust covers it: ${listed(beyondSignature)}. Writes and pull are refused until you check it and run \`${teamHint(s, 'accept')}\`` });
  } else if (v.kind !== 'same') {
    if (v.kind === 'first-use') notices.push(firstUseNote(c));
    try {
      recordPin(s, c.realPath, c.obs, c.sig, false);
    } catch (e) {
      if (!(e instanceof SeeqretError)) throw e;
      notices.push({ level: 'warning', text: `could not remember the state of ${file} in ${s.vaultDir}: ${e.message}` });
    }
  }
  return { ...c, notices };
}
