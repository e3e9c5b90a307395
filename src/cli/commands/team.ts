/**
 * `seeqret team …`: the team store, pocket_protector's `protected.yaml` (see docs/team.md).
 *
 * Credentials: `-u/--user`, `--team-passphrase-file`, then `SEEQRET_TEAM_USER` /
 * `SEEQRET_TEAM_PASSPHRASE`, then `{PREFIX}_USER` / `{PREFIX}_PASSPHRASE` (PREFIX from
 * `--env-prefix`, `PPROTECT_ENV_PREFIX`, else `PPROTECT`), then a prompt (never with
 * `--non-interactive`). A wrong passphrase fails; no other source is tried.
 *
 * Trust: every command checks the file against what this vault verified last (its pin, kept in
 * the vault folder, src/team/state.ts) and the signers it trusts. A write — and `pull` — happens
 * only on a state this vault trusts (a valid signature by a trusted signer, the keys it verified,
 * or the first use); reads of an untrusted or older file warn. Writes lock the file, re-read it,
 * apply the change and write it (src/util/lock.ts), so concurrent writers lose nothing.
 *
 * @module
 */
import fs from 'node:fs';
import { fingerprint, keyFromBase64 } from '../../crypto/index.js';
import { newRawPassphrase, sha512 } from '../../crypto/team.js';
import { SeeqretError } from '../../errors.js';
import { parseFilter } from '../../filter/index.js';
import { unifiedDiff } from '../../team/diff.js';
import { type Observation, type SignatureTrust, type TeamPin, type Verdict, advance, assess, findPin, isTrusted, keyringChanges, keyringFingerprint, observe, pinPath, readTeamState, updateTeamState } from '../../team/state.js';
import { type KeyType, TeamFile, type UnlockedCustodian, checkCustodianName, checkSecretName } from '../../team/store.js';
import { checkSigner, readTrust, signerFingerprint, trustSigner } from '../../team/trust.js';
import { readFileCapped, readTextFileCapped } from '../../util/fs.js';
import { DEFAULT_LOCK_TIMEOUT_MS, lockFileAsync } from '../../util/lock.js';
import { printable } from '../../util/text.js';
import { resolveVaultDir } from '../../vault/paths.js';
import { Vault } from '../../vault/vault.js';
import { isDangerousVariable } from '../../vault/resolve.js';
import { childEnvironment, runChild } from '../child.js';
import { compatProfile, useExitProfile } from '../exit-profile.js';
import { type GlobalOptions, confirm, info, openVault, out, promptHidden, promptNewSecret, promptText, readValue, stdinIsTTY, warn, withVault, writeData } from '../context.js';

/**
 * pprotect's exit codes (the spec's table): 2 when the team file is missing or already exists (the
 * errors marked with `fileError`) and for usage errors, as its argument parser does; 1 for every
 * other error. Ctrl-C is 130 and `exec` passes on the command's status either way. Loading this
 * module (only a `team` command does) selects the profile.
 */
const PPROTECT = compatProfile({ byCode: { E_USAGE: 2 }, marked: 2, otherwise: 1 });
const fileError = PPROTECT.mark;
export const pprotectExitCode = PPROTECT.profile;
useExitProfile(pprotectExitCode);

/** Options of the `team` command group (shared by every subcommand). */
export interface TeamOptions extends GlobalOptions {
  file?: string;
  confirm?: boolean;
  nonInteractive?: boolean;
  user?: string;
  teamPassphraseFile?: string;
  newPassphraseFile?: string;
  identity?: boolean;
  envPrefix?: string;
  ignoreSignature?: boolean;
  requireSignature?: boolean;
  ignoreEnv?: boolean;
}

type Args = unknown[];
type Opts = Record<string, unknown>;

const fileOf = (g: TeamOptions): string => g.file ?? 'protected.yaml';

function envPrefix(g: TeamOptions): string {
  return g.envPrefix ?? process.env['PPROTECT_ENV_PREFIX'] ?? 'PPROTECT';
}

/** A value from the first set variable of `names`, with where it came from. */
function fromEnv(names: string[]): { value: string; source: string } | undefined {
  for (const n of names) {
    const v = process.env[n];
    if (v !== undefined && v !== '') return { value: v, source: `env var ${n}` };
  }
  return undefined;
}

const userVars = (g: TeamOptions): string[] => (g.ignoreEnv ? [] : ['SEEQRET_TEAM_USER', `${envPrefix(g)}_USER`]);
const passVars = (g: TeamOptions): string[] => (g.ignoreEnv ? [] : ['SEEQRET_TEAM_PASSPHRASE', `${envPrefix(g)}_PASSPHRASE`]);

function interactive(g: TeamOptions): boolean {
  return !g.nonInteractive && stdinIsTTY();
}

/** A question that --non-interactive forbids: fail instead of reading an answer. */
function cannotAsk(what: string, fix: string): SeeqretError {
  return new SeeqretError('E_USAGE', `${what}, and --non-interactive forbids asking; nothing was written`, fix);
}

function needCredentials(what: string): SeeqretError {
  return new SeeqretError(
    'E_PASSPHRASE_REQUIRED',
    `${what} is needed and cannot be asked for (--non-interactive or not a terminal)`,
    'Pass -u NAME and --team-passphrase-file FILE, or set SEEQRET_TEAM_USER and SEEQRET_TEAM_PASSPHRASE (or PPROTECT_USER / PPROTECT_PASSPHRASE).',
  );
}

/** Read a passphrase file as the old tool does: UTF-8, surrounding whitespace stripped. */
function readPassphraseFile(file: string): string {
  return readTextFileCapped(file, 'passphrase').trim();
}

async function userName(g: TeamOptions, label = 'User email'): Promise<{ value: string; source: string }> {
  if (g.user) return { value: g.user, source: 'argument' };
  const e = fromEnv(userVars(g));
  if (e) return e;
  if (!interactive(g)) throw needCredentials('a user name');
  return { value: (await promptText(label)).trim(), source: 'prompt' };
}

/**
 * With --non-interactive, refuse before opening a passphrase-protected vault whose passphrase
 * would have to be asked for (openVault prompts on a terminal).
 */
function vaultWithoutPrompt(g: TeamOptions): void {
  if (!g.nonInteractive || g.passphraseFile || process.env['SEEQRET_PASSPHRASE']) return;
  const probe = Vault.probe(resolveVaultDir(g.vault));
  if (probe.exists && probe.passphraseProtected) {
    throw new SeeqretError('E_PASSPHRASE_REQUIRED', 'this vault is passphrase-protected and --non-interactive forbids asking for its passphrase', `Set SEEQRET_PASSPHRASE, or give the vault's passphrase file before the word team: seeqret --passphrase-file FILE team …`);
  }
}

/** {@link withVault}, but never prompting for the vault passphrase under --non-interactive. */
async function teamWithVault<T>(g: TeamOptions, fn: (v: Vault) => T | Promise<T>, opts: { readonly?: boolean } = {}): Promise<T> {
  vaultWithoutPrompt(g);
  return withVault(g, fn, opts);
}

/** Open the local vault and return its identity (for identity custodians). */
async function vaultIdentity(g: TeamOptions): Promise<{ publicKey: Buffer; secretKey: Buffer }> {
  vaultWithoutPrompt(g);
  const v = await openVault(g, { readonly: true });
  try {
    return { publicKey: Buffer.from(v.publicKey), secretKey: Buffer.from(v.identitySecretKey) };
  } finally {
    v.close();
  }
}

/**
 * Unlock the acting custodian. `optional`: return `undefined` instead of prompting when the
 * credentials are not available from flags or the environment.
 */
async function credentials(g: TeamOptions, tf: TeamFile, opts: { optional?: boolean } = {}): Promise<UnlockedCustodian | undefined> {
  if (g.identity) {
    const id = await vaultIdentity(g);
    // -u names the custodian; a user from the environment only when it is an identity custodian
    // (--identity is a flag: a passphrase user in PPROTECT_USER must not override it).
    const envUser = fromEnv(userVars(g))?.value;
    let name = g.user ?? (envUser !== undefined && tf.data.custodians.get(envUser)?.kind === 'identity' ? envUser : undefined);
    if (!name) {
      name = tf.custodianNames().find((n) => {
        const c = tf.custodian(n);
        return c.type === 'identity' && c.publicKey.equals(id.publicKey);
      });
      if (!name) throw new SeeqretError('E_TEAM_CREDENTIALS', `no identity custodian of ${tf.path} has this vault's key`, 'Ask a custodian to add you: seeqret team add-custodian NAME --key-type identity --pubkey KEY (seeqret public-key prints KEY).');
    }
    return tf.unlock({ name, identitySecretKey: id.secretKey });
  }
  let user: { value: string; source: string } | undefined;
  if (g.user) user = { value: g.user, source: 'argument' };
  else user = fromEnv(userVars(g));
  if (!user && opts.optional && !g.teamPassphraseFile) return undefined;
  user ??= await userName(g);
  if (tf.data.custodians.get(user.value)?.kind === 'identity') {
    const id = await vaultIdentity(g);
    return tf.unlock({ name: user.value, identitySecretKey: id.secretKey });
  }
  let pass: { value: string; source: string } | undefined;
  if (g.teamPassphraseFile) pass = { value: readPassphraseFile(g.teamPassphraseFile), source: `passphrase file ${g.teamPassphraseFile}` };
  else pass = fromEnv(passVars(g));
  if (!pass) {
    if (opts.optional) return undefined;
    if (!interactive(g)) throw needCredentials(`the passphrase of ${user.value}`);
    info(`Verify credentials for ${tf.path} (user ${user.value} from ${user.source})`);
    pass = { value: await promptHidden('Passphrase'), source: 'prompt' };
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

async function mustCredentials(g: TeamOptions, tf: TeamFile): Promise<UnlockedCustodian> {
  return (await credentials(g, tf))!;
}

/** A new passphrase: --new-passphrase-file, SEEQRET_TEAM_NEW_PASSPHRASE, (for a new custodian) the usual sources, else asked twice. */
async function newPassphrase(g: TeamOptions, forNewCustodian: boolean): Promise<string> {
  if (g.newPassphraseFile) return readPassphraseFile(g.newPassphraseFile);
  const e = fromEnv(g.ignoreEnv ? [] : ['SEEQRET_TEAM_NEW_PASSPHRASE']);
  if (e) return e.value;
  if (forNewCustodian) {
    if (g.teamPassphraseFile) return readPassphraseFile(g.teamPassphraseFile);
    const p = fromEnv(passVars(g));
    if (p) return p.value;
  }
  if (!interactive(g)) throw needCredentials('a new passphrase');
  return promptNewSecret('New passphrase', { what: 'the new passphrase', repeat: 'Repeat the new passphrase', passphrase: true });
}

function keyTypeOf(o: Opts, allowed: readonly string[] = ['hard', 'fast', 'raw']): KeyType {
  const t = (o['keyType'] as string | undefined) ?? 'hard';
  if (!allowed.includes(t)) throw new SeeqretError('E_USAGE', `--key-type must be one of: ${allowed.join(', ')}`, 'hard (default, Argon2id 4 × 256 MiB), fast (2 × 64 MiB) or raw (a generated key).');
  return t as KeyType;
}

/** Show a generated raw key once; on a terminal, require YES before going on. */
async function showRawKey(g: TeamOptions, key: string): Promise<void> {
  const bar = '='.repeat(72);
  process.stdout.write(`\n${bar}\n  GENERATED RAW KEY (copy it now, it will not be shown again):\n\n  ${key}\n\n  It is this custodian's passphrase. LOSING IT MEANS LOSING THIS CUSTODIAN'S ACCESS.\n${bar}\n\n`);
  if (interactive(g)) {
    const ok = (await promptText('Have you saved the key? Type YES to confirm')).trim() === 'YES';
    if (!ok) throw new SeeqretError('E_ABORTED', 'the key was not confirmed; nothing was written', 'Run the command again and save the key.');
  }
}

// -----------------------------------------------------------------------------------------------
// What this vault trusts: signatures, pins (src/team/state.ts), and how writes are made

/** The vault folder whose trusted signers and pins apply. */
const vaultDirOf = (g: TeamOptions): string => resolveVaultDir(g.vault);

/** How long a writer waits for the team file's lock: `SEEQRET_LOCK_TIMEOUT_MS`, else 10 s. */
function lockTimeout(): number {
  const v = process.env['SEEQRET_LOCK_TIMEOUT_MS'];
  if (v === undefined || v === '') return DEFAULT_LOCK_TIMEOUT_MS;
  if (!/^\d{1,9}$/.test(v)) throw new SeeqretError('E_USAGE', `SEEQRET_LOCK_TIMEOUT_MS must be a number of milliseconds, not ${JSON.stringify(v.slice(0, 20))}`, 'Set it to e.g. 10000, or unset it.');
  return Number(v);
}

const shq = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'"'"'`)}'`);

/** `seeqret [--vault V] team [--file F] REST`: a command to show in a hint, with the options this one was run with. */
function teamCmd(g: TeamOptions, rest: string): string {
  const parts = ['seeqret'];
  if (g.vault) parts.push('--vault', shq(g.vault));
  parts.push('team');
  if (fileOf(g) !== 'protected.yaml') parts.push('--file', shq(fileOf(g)));
  return `${parts.join(' ')} ${rest}`;
}

/**
 * Wrap a command so that the `seeqret team …` commands its error hints name carry the same
 * `--vault` / `--file` (those hints are meant for the user; hints for someone else start "Ask").
 */
function teamCommand<A extends unknown[]>(fn: (g: TeamOptions, ...rest: A) => Promise<number>): (g: TeamOptions, ...rest: A) => Promise<number> {
  return async (g, ...rest) => {
    try {
      return await fn(g, ...rest);
    } catch (e) {
      // Hints built here carry the options already (teamCmd); those from the store layer do not.
      // A hint for someone else ("Ask an owner … to run …") gets the file but not your vault.
      const forOthers = e instanceof SeeqretError && e.fix.startsWith('Ask ');
      if (e instanceof SeeqretError && e.fix.includes('seeqret team ') && ((g.vault && !forOthers) || fileOf(g) !== 'protected.yaml')) {
        const as = forOthers ? { ...g, vault: undefined } : g;
        Object.defineProperty(e, 'fix', { value: e.fix.replace(/seeqret team (?!--file )/g, teamCmd(as, '')) });
      }
      throw e;
    }
  };
}

/** A team file as checked against this vault: its signature's standing, its pin, the verdict. */
interface Checked {
  readonly tf: TeamFile;
  readonly obs: Observation;
  readonly sig: SignatureTrust;
  readonly pin: TeamPin | null;
  readonly realPath: string;
  readonly verdict: Verdict;
}

/** How the file's signature stands with the trusted signers of this vault. */
function signatureTrust(g: TeamOptions, tf: TeamFile): SignatureTrust {
  const s = tf.signatureStatus();
  if (s.state === 'unsigned') return { trusted: false, why: null };
  if (s.state === 'missing') return { trusted: false, why: 'it declares signatures but has none' };
  if (s.state === 'invalid') return { trusted: false, why: `its signature (by ${s.by}) does not match its content` };
  const t = checkSigner(readTrust(vaultDirOf(g)), s.by, s.key);
  if (t === 'trusted') return { trusted: true, by: s.by };
  if (t === 'changed') return { trusted: false, why: `it is signed by ${s.by} with another key than the one you trusted for ${s.by}` };
  return { trusted: false, why: `it is signed by ${s.by}, whom you have not trusted` };
}

/**
 * Read the pins, then the file (in that order: pins only ever move forward to a state that was in
 * the file first, so a file read after them is never older than them unless it was put back).
 */
function check(g: TeamOptions, file: string): Checked {
  const state = readTeamState(vaultDirOf(g));
  const tf = TeamFile.open(file);
  const obs = observe(tf, tf.readHash()!);
  const sig = signatureTrust(g, tf);
  const realPath = pinPath(tf.path);
  const found = findPin(state, realPath, obs);
  return { tf, obs, sig, pin: found?.pin ?? null, realPath, verdict: assess(obs, found?.pin ?? null, sig) };
}

/**
 * Remember `obs` as verified (under the state lock, judged again against the pins as they are
 * then, so a concurrent command never makes them go back). `force`: our own write or `accept`.
 */
function record(g: TeamOptions, realPath: string, obs: Observation, sig: SignatureTrust, force: boolean): void {
  updateTeamState(
    vaultDirOf(g),
    (state) => {
      const found = findPin(state, realPath, obs);
      if (force || isTrusted(assess(obs, found?.pin ?? null, sig))) state.set(realPath, advance(found?.pin ?? null, obs));
    },
    { timeoutMs: lockTimeout() },
  );
}

function firstUseNote(c: Checked): void {
  info(`First use of ${c.tf.path} with this vault: its keys are now pinned (keys fingerprint ${keyringFingerprint(c.obs.keys)}); writes after a change to them that no signature you trust covers will be refused`);
}

const listed = (items: readonly string[], max = 6): string => (items.length > max ? [...items.slice(0, max), `${items.length - max} more`] : items).join('; ');

function rollbackError(g: TeamOptions, c: Checked, what: string): SeeqretError {
  const reasons = c.verdict.kind === 'rollback' ? c.verdict.reasons : [];
  return new SeeqretError(
    'E_TEAM_ROLLBACK',
    `${c.tf.path} is older than what your vault saw (${listed(reasons)}); ${what}`,
    `Bring the file up to date (git pull); if this old version is meant (a deliberate revert), check it, then run \`${teamCmd(g, 'accept')}\`.`,
  );
}

function untrustedError(g: TeamOptions, c: Checked, what: string): SeeqretError {
  const v = c.verdict as Extract<Verdict, { kind: 'untrusted' }>;
  const s = c.tf.signatureStatus();
  const signer = (s.state === 'valid' || s.state === 'invalid') && !c.sig.trusted ? s.by : null;
  const fix =
    signer !== null && v.changes.length === 0 && s.state === 'valid'
      ? `Compare ${signer}'s signing key fingerprint (${signerFingerprint(s.key)}) with them, then run \`${teamCmd(g, `trust ${shq(signer)}`)}\`; or check the change (git log -p) and run \`${teamCmd(g, 'accept')}\`.`
      : `Check the change (git log -p ${shq(c.tf.path)}; \`${teamCmd(g, 'accept')}\` lists the keys with their fingerprints to compare), then run \`${teamCmd(g, 'accept')}\`.`;
  return new SeeqretError('E_TEAM_UNTRUSTED', `${c.tf.path} changed since your vault verified it and no signature you trust covers the change (${listed([...v.reasons, ...v.changes])}); ${what}`, fix);
}

/** The signature policy of reads: errors for a broken signature, a warning for an unknown signer. */
function checkSignaturePolicy(g: TeamOptions, c: Checked, opts: { quiet?: boolean } = {}): void {
  const tf = c.tf;
  const s = tf.signatureStatus();
  if (c.verdict.kind === 'same' && s.state !== 'unsigned') return; // exactly what this vault verified (or accepted)
  const override = `Look at the change in git (git log -p), then pass --ignore-signature to read it anyway, or \`${teamCmd(g, 'accept')}\` it.`;
  if (s.state === 'unsigned') {
    if (requireSignature(g)) throw new SeeqretError('E_TEAM_SIGNATURE', `${tf.path} is not signed`, `Have a custodian sign it (${teamCmd(g, 'sign')}), or drop --require-signature.`);
    return;
  }
  if (g.ignoreSignature) return;
  if (s.state === 'missing') throw new SeeqretError('E_TEAM_SIGNATURE', `${tf.path} declares signatures but has none: it was changed by something that does not sign`, override);
  if (s.state === 'invalid') throw new SeeqretError('E_TEAM_SIGNATURE', `the signature of ${tf.path} (by ${s.by}) does not match its content: it was changed after it was signed`, override);
  if (c.sig.trusted) return;
  const trustCmd = teamCmd(g, `trust ${shq(s.by)}`);
  if (checkSigner(readTrust(vaultDirOf(g)), s.by, s.key) === 'changed') {
    throw new SeeqretError('E_TEAM_SIGNATURE', `${tf.path} is signed by ${s.by} with a key you did not trust for ${s.by} (fingerprint ${signerFingerprint(s.key)})`, `Ask ${s.by} whether they changed their passphrase; if so, compare the fingerprint and run \`${trustCmd}\`.`);
  }
  if (!opts.quiet) warn(`${tf.path} is signed by ${s.by}, whom you have not trusted yet (key fingerprint ${signerFingerprint(s.key)}); compare it with them, then run \`${trustCmd}\``);
  if (requireSignature(g)) throw new SeeqretError('E_TEAM_SIGNATURE', `the signer ${s.by} is not trusted`, `Compare the fingerprint with ${s.by}, then run \`${trustCmd}\`.`);
}

/** Refuse a write (or `pull`) unless the file is a state this vault trusts. */
function requireTrusted(g: TeamOptions, c: Checked, what: string): void {
  checkSignaturePolicy(g, c, { quiet: true });
  if (c.verdict.kind === 'rollback') throw rollbackError(g, c, what);
  if (c.verdict.kind === 'untrusted') throw untrustedError(g, c, what);
}

/**
 * Read the team file and check it against this vault:
 * - `read`: the signature policy, then a clear warning for a rollback or an untrusted change (the
 *   values of your own domains can still be read); a trusted state is remembered;
 * - `write` (also `pull`): the same, but anything this vault does not trust is refused;
 * - `look` (info, verify, accept, trust): nothing enforced, nothing remembered.
 */
function openTeam(g: TeamOptions, mode: 'read' | 'write' | 'look' = 'read'): Checked {
  const file = fileOf(g);
  if (!fs.existsSync(file)) throw fileError(new SeeqretError('E_FILE_NOT_FOUND', `no team file at ${file}`, 'Create one with `seeqret team init`, or pass --file PATH.'));
  const c = check(g, file);
  if (mode === 'look') return c;
  if (mode === 'write') {
    requireTrusted(g, c, 'nothing was written');
    return c;
  }
  checkSignaturePolicy(g, c);
  const v = c.verdict;
  if (v.kind === 'rollback') {
    warn(`${file} is OLDER than what your vault saw: ${listed(v.reasons)}. Values read from it may be ones that were replaced; writes and pull are refused until you bring it up to date or run \`${teamCmd(g, 'accept')}\``);
  } else if (v.kind === 'untrusted') {
    const beyondSignature = [...v.changes, ...v.reasons.filter((r) => c.sig.trusted || r !== c.sig.why)];
    if (beyondSignature.length) warn(`${file} changed since your vault verified it and no signature you trust covers it: ${listed(beyondSignature)}. Writes and pull are refused until you check it and run \`${teamCmd(g, 'accept')}\``);
  } else if (v.kind !== 'same') {
    if (v.kind === 'first-use') firstUseNote(c);
    try {
      record(g, c.realPath, c.obs, c.sig, false);
    } catch (e) {
      if (!(e instanceof SeeqretError)) throw e;
      warn(`could not remember the state of ${file} in ${vaultDirOf(g)}: ${e.message}`);
    }
  }
  return c;
}

function requireSignature(g: TeamOptions): boolean {
  return g.requireSignature === true || process.env['SEEQRET_TEAM_REQUIRE_SIGNATURE'] === '1';
}

/** A change to the team file: the new file, and who signs it (a signed file needs a custodian). */
interface Plan {
  readonly next: TeamFile;
  readonly signer?: UnlockedCustodian | undefined;
}

/**
 * Make a change to the team file without losing a concurrent one: lock the file, re-read it, check
 * it is a state this vault trusts, apply `change`, write it (signed when the file is signed, with
 * the next sequence number), pin what was written, release the lock.
 *
 * `before` is the file as read before the inputs were gathered (credentials, values); `pre` the
 * change applied to it, when the caller computed it already. When the file did not change
 * meanwhile `pre` is written; otherwise `change` is applied again to the file as it is now.
 * `create`: the file must not exist (`init`). `force`: write even when nothing changed (`sign`).
 */
async function mutate(
  g: TeamOptions,
  before: TeamFile | null,
  change: (tf: TeamFile) => TeamFile | Plan,
  opts: { signer?: UnlockedCustodian | undefined; pre?: TeamFile | Plan; create?: boolean; force?: boolean; needsSigner?: boolean } = {},
): Promise<{ before: TeamFile | null; after: TeamFile; written: boolean }> {
  if (g.confirm && g.nonInteractive) throw cannotAsk('--confirm asks before writing', 'Drop --non-interactive to answer, or drop --confirm.');
  const asPlan = (p: TeamFile | Plan): Plan => (p instanceof TeamFile ? { next: p } : p);
  const pre = opts.pre !== undefined ? asPlan(opts.pre) : before ? asPlan(change(before)) : undefined;
  let signer = opts.signer ?? pre?.signer;
  // A signed file is signed by whoever writes it: ask for the credentials before taking the lock.
  if (!signer && before?.data.signed && opts.needsSigner !== false && pre?.next.data.signed !== false) signer = await mustCredentials(g, before);
  const file = fileOf(g);
  // One lock per file, however it is named (relative path, symbolic link): next to its real path.
  const lock = await lockFileAsync(pinPath(file), { what: file, timeoutMs: lockTimeout() });
  try {
    let fresh: TeamFile | null = null;
    let c: Checked | null = null;
    if (opts.create) {
      if (fs.existsSync(file)) throw fileError(new SeeqretError('E_EXISTS', `the team file ${file} already exists`, 'Use it as it is, or pass --file with another path.'));
    } else {
      if (!fs.existsSync(file)) throw fileError(new SeeqretError('E_FILE_NOT_FOUND', `no team file at ${file}`, 'Create one with `seeqret team init`, or pass --file PATH.'));
      c = check(g, file);
      fresh = c.tf;
      requireTrusted(g, c, 'nothing was written');
    }
    const unchanged = before !== null && fresh !== null && before.readHash()!.equals(fresh.readHash()!);
    const plan = pre && (unchanged || opts.create) ? pre : asPlan(change(fresh!));
    const next = plan.next;
    if (fresh && next === fresh && !opts.force) return { before: fresh, after: next, written: false };
    let by = plan.signer ?? signer;
    if (next.data.signed) {
      if (!by) throw new SeeqretError('E_TEAM_SIGNATURE', `${file} is signed: every change must be signed by a key custodian`, 'Give your credentials (-u NAME and a passphrase, or --identity).');
      const mine = next.data.custodians.get(by.name);
      if (!mine || !mine.publicKey.equals(by.publicKey)) {
        throw new SeeqretError('E_TEAM_CREDENTIALS', `the key of ${by.name} in ${file} changed while this command ran; nothing was written`, 'Run the command again.');
      }
    } else by = undefined;
    const team = next.teamId();
    const seenSeq = team && c?.pin ? (c.pin.seqs[team.toString('base64')] ?? 0) : 0;
    const seq = Math.max(next.nextSeq(), seenSeq + 1);
    const text = next.serialize(by, { seq });
    if (g.confirm) {
      const old = fresh ? readTextFileCapped(file, 'teamFile') : '';
      const diff = unifiedDiff(old, text, `${file}.old`, `${file}.new`);
      process.stderr.write(`Changes to be written:\n\n${diff.split('\n').map((l) => printable(l)).join('\n')}\n`);
      if (!(await confirm('Write changes?'))) throw new SeeqretError('E_ABORTED', 'nothing was written', 'Run the command again and answer y to write.');
    }
    next.write(by, { seq });
    if (c?.verdict.kind === 'first-use') firstUseNote(c);
    // Pin what was written: this vault checked the state it changed, and made the change itself.
    const written = TeamFile.parse(text, file);
    const dir = vaultDirOf(g);
    try {
      if (by && next.data.signed && fs.existsSync(dir)) {
        // You know your own key (also after changing your passphrase): trust it, so your own files verify.
        const key = TeamFile.signingKeyOf(by);
        if (checkSigner(readTrust(dir), by.name, key) !== 'trusted') trustSigner(dir, by.name, key);
      }
      record(g, pinPath(file), observe(written, written.readHash()!), by ? { trusted: true, by: by.name } : { trusted: false, why: null }, true);
    } catch (e) {
      if (!(e instanceof SeeqretError)) throw e;
      warn(`${file} was written, but its new state could not be remembered in ${dir}: ${e.message}`);
    }
    const was = fresh?.extensions() ?? [];
    const now = next.extensions();
    if (now.length > 0 && now.some((x) => !was.includes(x))) {
      info(`${file} now uses seeqret extensions (${now.join(', ')}): pocket_protector (pprotect) cannot read it any more.`);
    } else if (now.length === 0 && was.length > 0) {
      info(`${file} uses no seeqret extension any more: pocket_protector (pprotect) can read it again.`);
    }
    return { before: fresh, after: next, written: true };
  } finally {
    lock.release();
  }
}

/** Refuse an empty value unless `--allow-empty`: an empty secret is almost always a mistake (an empty file, a pipe that failed). */
function checkNotEmpty(value: string, what: string, o: Opts): void {
  if (value === '' && o['allowEmpty'] !== true) {
    throw new SeeqretError('E_EMPTY_VALUE', `the value of ${what} is empty; nothing was written`, 'Give the value (argument, --from-file, stdin or the prompt); if it really is empty, add --allow-empty.');
  }
}

// -----------------------------------------------------------------------------------------------
// Commands

/** `team init`: create the file with its first custodian. */
export const init = teamCommand(async (g: TeamOptions, _a: Args, o: Opts): Promise<number> => {
  const file = fileOf(g);
  if (fs.existsSync(file)) throw fileError(new SeeqretError('E_EXISTS', `the team file ${file} already exists`, 'Use it as it is, or pass --file with another path.'));
  const add = await newCustodianChange(g, o, (await userName(g)).value);
  const tf = add(TeamFile.create(file));
  await mutate(g, null, () => tf, { create: true, pre: tf });
  info(`Created ${file} with key custodian ${tf.custodianNames()[0]}; next: ${teamCmd(g, 'add-domain NAME')}`);
  return 0;
});

/** The change that adds custodian `name` as the options say (asks for or generates its key first). */
async function newCustodianChange(g: TeamOptions, o: Opts, name: string, before?: TeamFile): Promise<(tf: TeamFile) => TeamFile> {
  const type = (o['keyType'] as string | undefined) ?? 'hard';
  if (type === 'identity') {
    let key: Buffer | null;
    if (o['pubkey']) {
      const { parsePublicKey } = await import('../../crypto/age.js');
      key = parsePublicKey(String(o['pubkey']));
    } else if (o['vaultUser']) {
      key = await teamWithVault(g, (v) => keyFromBase64(v.user(String(o['vaultUser'])).pubkey), { readonly: true });
    } else key = (await vaultIdentity(g)).publicKey;
    if (!key) throw new SeeqretError('E_BAD_KEY', 'not an X25519 public key (44 characters of base64, or age1…)', 'Paste the key `seeqret public-key` prints.');
    const k = key;
    before?.addIdentityCustodian(name, k); // refuse (an existing name) before printing anything
    info(`identity custodian ${name}: key fingerprint ${fingerprint(k)}`);
    return (tf) => tf.addIdentityCustodian(name, k);
  }
  const keyType = keyTypeOf(o);
  if (keyType === 'raw') {
    const key = newRawPassphrase();
    const add = (tf: TeamFile): TeamFile => tf.addCustodian(name, key, 'raw');
    if (before) add(before); // refuse before showing a key that would not be used
    await showRawKey(g, key);
    return add;
  }
  checkCustodianName(name);
  if (before?.data.custodians.has(name)) before.addCustodian(name, '', keyType); // E_EXISTS before asking for a passphrase
  const pass = await newPassphrase(g, true);
  return (tf) => tf.addCustodian(name, pass, keyType);
}

/** `team add-custodian [NAME]`. */
export const addCustodian = teamCommand(async (g: TeamOptions, a: Args, o: Opts): Promise<number> => {
  const { tf } = openTeam(g, 'write');
  const name = (a[0] as string | undefined) ?? (await userName(g, 'New custodian email')).value;
  const add = await newCustodianChange(g, o, name, tf);
  await mutate(g, tf, add);
  info(`Added key custodian ${name}`);
  return 0;
});

/** `team rm-custodian NAME [--rotate]`. */
export const rmCustodian = teamCommand(async (g: TeamOptions, a: Args, o: Opts): Promise<number> => {
  const { tf } = openTeam(g, 'write');
  const name = a[0] as string;
  tf.rmCustodian(name); // validate before asking for anything
  let by: UnlockedCustodian | undefined;
  if (o['rotate'] && tf.domainsOwnedBy(name).length > 0) {
    by = await mustCredentials(g, tf);
    if (by.name === name) throw new SeeqretError('E_USAGE', 'the rotation must be done by a custodian who stays', 'Give the credentials of another owner.');
  }
  let rotated: string[] = [];
  const change = (f: TeamFile): TeamFile => {
    let next = f.rmCustodian(name);
    rotated = [];
    if (by) {
      for (const d of f.domainsOwnedBy(name)) {
        if (next.owners(d).includes(by.name)) {
          next = next.rotateDomain(d, by);
          rotated.push(d);
        }
      }
    }
    return next;
  };
  const r = await mutate(g, tf, change, { signer: by });
  info(`Removed key custodian ${name}`);
  const was = r.before ?? tf;
  reportReadable(g, was, name, was.domainsOwnedBy(name), rotated);
  return 0;
});

function reportReadable(g: TeamOptions, tf: TeamFile, who: string, domains: readonly string[], rotated: readonly string[]): void {
  for (const d of domains) {
    const names = tf.secretNames(d);
    info(`${who} could read ${names.length} secret${names.length === 1 ? '' : 's'} of ${d}${names.length ? ': ' + names.join(', ') : ''}`);
    if (names.length) info(`  change them where they are used, then: ${teamCmd(g, `update-secret ${shq(d)} NAME`)}`);
    if (!rotated.includes(d)) info(`  the key of ${d} was not rotated: ${who} can still read every value set in it from now on; run: ${teamCmd(g, `rotate ${shq(d)}`)}`);
    else info(`  the key of ${d} was rotated: values set from now on are out of ${who}'s reach (the old ones are in git history)`);
  }
}

/** `team add-domain DOMAIN`. */
export const addDomain = teamCommand(async (g: TeamOptions, a: Args): Promise<number> => {
  const { tf } = openTeam(g, 'write');
  const me = await mustCredentials(g, tf);
  await mutate(g, tf, (f) => f.addDomain(a[0] as string, me), { signer: me });
  info(`Added domain ${a[0] as string}, owned by ${me.name}`);
  return 0;
});

/** `team rm-domain DOMAIN`. */
export const rmDomain = teamCommand(async (g: TeamOptions, a: Args): Promise<number> => {
  const { tf } = openTeam(g, 'write');
  await mutate(g, tf, (f) => f.rmDomain(a[0] as string));
  info(`Removed domain ${a[0] as string}`);
  return 0;
});

/** `team add-owner DOMAIN OWNER`. */
export const addOwner = teamCommand(async (g: TeamOptions, a: Args): Promise<number> => {
  const { tf } = openTeam(g, 'write');
  const [domain, owner] = a as [string, string];
  const me = await mustCredentials(g, tf);
  await mutate(g, tf, (f) => f.addOwner(domain, owner, me), { signer: me });
  info(`${owner} is now an owner of ${domain}`);
  return 0;
});

/** `team rm-owner DOMAIN OWNER [--rotate] [-y]`: with --rotate (or yes to the question) the domain key is rotated in the same write. */
export const rmOwner = teamCommand(async (g: TeamOptions, a: Args, o: Opts): Promise<number> => {
  const { tf } = openTeam(g, 'write');
  const [domain, owner] = a as [string, string];
  tf.rmOwner(domain, owner); // validate before asking anything
  let rotateBy: UnlockedCustodian | undefined;
  let rotate = o['rotate'] === true;
  if (!rotate && !o['yes'] && interactive(g) && tf.secretNames(domain).length > 0) {
    rotate = await confirm(`${owner} could read every secret of ${domain}. Rotate the domain key in the same write (needs another owner's credentials)?`);
  }
  if (rotate) rotateBy = await mustCredentials(g, tf);
  const r = await mutate(g, tf, (f) => f.rmOwner(domain, owner, rotateBy ? { rotateBy } : {}).file, { signer: rotateBy });
  info(`Removed ${owner} from the owners of ${domain}${rotateBy ? ` and rotated its key (by ${rotateBy.name})` : ''}`);
  reportReadable(g, r.before ?? tf, owner, [domain], rotateBy ? [domain] : []);
  return 0;
});

async function secretValue(g: TeamOptions, a: Args, o: Opts, label: string): Promise<string> {
  const from = o['fromFile'] as string | undefined;
  // On a terminal the value would be asked for (or typed until Ctrl-D): not with --non-interactive.
  if (g.nonInteractive && stdinIsTTY() && a[2] === undefined && (from === undefined || from === '-')) {
    throw new SeeqretError('E_USAGE', `the value of ${label} is needed and cannot be asked for (--non-interactive)`, 'Give it as an argument, with --from-file FILE, or on stdin (a pipe).');
  }
  let value: string;
  if (from !== undefined) {
    if (a[2] !== undefined) throw new SeeqretError('E_USAGE', 'give the value or --from-file, not both', 'Use one source.');
    value = from === '-' ? await readValue(undefined, { label, multiline: true, allowEmpty: o['allowEmpty'] === true }) : readTextFileCapped(from, 'value');
  } else value = await readValue(a[2] as string | undefined, { label, allowEmpty: o['allowEmpty'] === true });
  checkNotEmpty(value, label, o);
  return value;
}

/** `team add-secret DOMAIN NAME [VALUE]`. */
export const addSecret = teamCommand(async (g: TeamOptions, a: Args, o: Opts): Promise<number> => {
  const { tf } = openTeam(g, 'write');
  const [domain, name] = a as [string, string];
  checkSecretName(name);
  tf.addSecret(domain, name, 'x'); // E_NOT_FOUND / E_EXISTS before asking for the value
  const value = await secretValue(g, a, o, `${domain}/${name}`);
  await mutate(g, tf, (f) => f.addSecret(domain, name, value));
  info(`Added secret ${name} in ${domain}`);
  return 0;
});

/** `team update-secret DOMAIN NAME [VALUE]`. */
export const updateSecret = teamCommand(async (g: TeamOptions, a: Args, o: Opts): Promise<number> => {
  const { tf } = openTeam(g, 'write');
  const [domain, name] = a as [string, string];
  tf.updateSecret(domain, name, 'x'); // the not-found error, before asking for a value
  const value = await secretValue(g, a, o, `${domain}/${name}`);
  await mutate(g, tf, (f) => f.updateSecret(domain, name, value));
  info(`Updated secret ${name} in ${domain}`);
  return 0;
});

/** `team rm-secret DOMAIN NAME`. */
export const rmSecret = teamCommand(async (g: TeamOptions, a: Args): Promise<number> => {
  const { tf } = openTeam(g, 'write');
  const [domain, name] = a as [string, string];
  await mutate(g, tf, (f) => f.rmSecret(domain, name));
  info(`Removed secret ${name} from ${domain}`);
  return 0;
});

async function changeKey(g: TeamOptions, o: Opts, how: 'passphrase' | 'rekey'): Promise<number> {
  const { tf } = openTeam(g, 'write');
  const me = await mustCredentials(g, tf);
  const keyType = keyTypeOf(o, how === 'rekey' ? ['hard', 'fast', 'raw'] : ['hard', 'fast']);
  let pass: string;
  if (keyType === 'raw') {
    pass = newRawPassphrase();
    await showRawKey(g, pass);
  } else pass = await newPassphrase(g, false);
  // A signed file is signed with the new key (derived again: the old one no longer belongs to the custodian).
  const change = (f: TeamFile): Plan => {
    const next = f.changeCustodianKey(me, pass, keyType, how);
    return { next, signer: next.data.signed ? next.unlock({ name: me.name, passphrase: pass }) : undefined };
  };
  const r = await mutate(g, tf, change, { signer: me });
  info(`${how === 'rekey' ? 'Rekeyed' : 'Changed the passphrase of'} ${me.name} (${keyType}); domains re-sealed: ${(r.before ?? tf).domainsOwnedBy(me.name).join(', ') || 'none'}`);
  if (r.after.data.signed) info('Your signing key changed with your key: teammates will be asked to trust it again.');
  return 0;
}

/** `team set-passphrase [--key-type hard|fast]`. */
export const setPassphrase = teamCommand(async (g: TeamOptions, _a: Args, o: Opts): Promise<number> => changeKey(g, o, 'passphrase'));

/** `team rekey [--key-type hard|fast|raw]`. */
export const rekey = teamCommand(async (g: TeamOptions, _a: Args, o: Opts): Promise<number> => changeKey(g, o, 'rekey'));

/** `team rotate DOMAIN`. */
export const rotate = teamCommand(async (g: TeamOptions, a: Args): Promise<number> => {
  const { tf } = openTeam(g, 'write');
  const me = await mustCredentials(g, tf);
  await mutate(g, tf, (f) => f.rotateDomain(a[0] as string, me), { signer: me });
  info(`Rotated the key of ${a[0] as string}: every secret and owner entry re-sealed`);
  return 0;
});

/** `team migrate-owner NEW_OWNER [--domain D]...`. */
export const migrateOwner = teamCommand(async (g: TeamOptions, a: Args, o: Opts): Promise<number> => {
  const { tf } = openTeam(g, 'write');
  const me = await mustCredentials(g, tf);
  const domains = o['domain'] as string[] | undefined;
  const r = await mutate(g, tf, (f) => f.migrateOwner(a[0] as string, me, domains), { signer: me });
  info(`${a[0] as string} now owns: ${r.after.domainsOwnedBy(a[0] as string).join(', ')}`);
  return 0;
});

/** Python's `json.dumps(obj, indent=2, sort_keys=True)` (ASCII-only output, as the old tool prints). */
function pyJson(entries: ReadonlyArray<[string, string]>): string {
  const sorted = [...entries].sort((x, y) => (x[0] === y[0] ? 0 : codePoints(x[0], y[0])));
  const text = JSON.stringify(Object.fromEntries(sorted), null, 2);
  // Object.fromEntries reorders integer-like keys: rebuild in order when that happened.
  const ordered = sorted.length && sorted.some(([k]) => /^(0|[1-9]\d*)$/.test(k))
    ? '{\n' + sorted.map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(',\n') + '\n}'
    : text;
  return ordered.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function codePoints(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0)!);
  const y = Array.from(b, (c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

/** Python's `shlex.quote`. */
export function shellQuote(s: string): string {
  if (s === '') return "''";
  if (/^[\w@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'"'"'`)}'`;
}

/** `team decrypt DOMAIN [--secret NAME] [--format json|env|shell]`. */
export const decrypt = teamCommand(async (g: TeamOptions, a: Args, o: Opts): Promise<number> => {
  const { tf } = openTeam(g);
  const domain = a[0] as string;
  tf.secretNames(domain);
  const me = await mustCredentials(g, tf);
  const values = tf.decryptDomain(domain, me);
  const secret = o['secret'] as string | undefined;
  const format = o['format'] as string | undefined;
  if (secret !== undefined && !values.has(secret)) throw new SeeqretError('E_NOT_FOUND', `no secret named ${secret} in ${domain}`, `Known: ${[...values.keys()].join(', ') || '(none)'}.`);
  const items: Array<[string, string]> = secret !== undefined ? [[secret, values.get(secret)!]] : [...values];
  // Exact data (writeData): escaped only when stdout is a terminal.
  if (format === undefined && secret !== undefined) writeData(`${values.get(secret)!}\n`);
  else if (format === undefined || format === 'json') writeData(`${pyJson(items)}\n`);
  else {
    const prefix = format === 'shell' ? 'export ' : '';
    const lines: string[] = [];
    for (const [name, value] of [...items].sort((x, y) => codePoints(x[0], y[0]))) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new SeeqretError('E_INVALID_NAME', `${name} is not a valid shell variable name; it cannot be written in ${format} format`, 'Use --format json, or rename the secret.');
      lines.push(`${prefix}${name}=${shellQuote(value)}`);
    }
    if (lines.length) writeData(`${lines.join('\n')}\n`);
  }
  return 0;
});

const PASSTHROUGH = ['PATH', 'HOME', 'TERM', 'LANG', 'USER', 'SHELL', 'LOGNAME'];

/** The child environment of `team exec`. */
export function execEnvironment(
  secrets: ReadonlyMap<string, string>,
  opts: { prefix?: string | undefined; uppercase?: boolean; passthrough?: boolean; envPrefix: string },
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const vars = new Map<string, string>();
  for (const [name, value] of secrets) {
    let v = opts.uppercase ? name.replace(/[^A-Za-z0-9]/g, '_').toUpperCase() : name;
    if (opts.prefix) v = `${opts.prefix}_${v}`;
    if (v === '' || v.includes('=') || v.includes('\0')) throw new SeeqretError('E_INVALID_NAME', `${JSON.stringify(v)} cannot be an environment variable name`, 'Rename the secret, or use --prefix / --uppercase.');
    if (vars.has(v)) throw new SeeqretError('E_USAGE', `two secrets would both be the variable ${v}`, 'Drop --uppercase, or rename one of the secrets.');
    if (value.includes('\0')) throw new SeeqretError('E_BAD_VALUE', `${name} contains a NUL character, which an environment variable cannot hold`, 'Store it base64-encoded.');
    vars.set(v, value);
  }
  const reserved = [...vars.keys()].filter((v) => isDangerousVariable(v) || v.startsWith('GIT_')).sort();
  if (reserved.length) {
    throw new SeeqretError('E_BAD_VALUE', `refusing to set ${reserved.join(', ')}: such variables change how programs load or run code`, 'Use --prefix or --uppercase to give the secrets other names.');
  }
  const env: NodeJS.ProcessEnv = {};
  if (opts.passthrough === false) {
    for (const k of PASSTHROUGH) if (base[k] !== undefined) env[k] = base[k];
  } else Object.assign(env, base);
  for (const k of ['PPROTECT_USER', 'PPROTECT_PASSPHRASE', 'PPROTECT_ENV_PREFIX', 'SEEQRET_TEAM_USER', 'SEEQRET_TEAM_PASSPHRASE', 'SEEQRET_TEAM_NEW_PASSPHRASE', `${opts.envPrefix}_USER`, `${opts.envPrefix}_PASSPHRASE`]) delete env[k];
  for (const [k, v] of vars) env[k] = v;
  return env;
}


/** `team exec --domain D [--prefix P] [--uppercase] [--no-passthrough] -- CMD ARGS...`. */
export const exec = teamCommand(async (g: TeamOptions, a: Args, o: Opts): Promise<number> => {
  const [cmd, ...cmdArgs] = a[0] as string[];
  const domain = o['domain'] as string | undefined;
  if (!domain) throw new SeeqretError('E_USAGE', 'exec needs --domain D', 'e.g. seeqret team exec --domain prod -- ./app');
  if (!cmd) throw new SeeqretError('E_USAGE', 'no command given', 'Write the command after --, e.g. seeqret team exec --domain prod -- ./app');
  const { tf } = openTeam(g);
  tf.secretNames(domain);
  const me = await mustCredentials(g, tf);
  const env = execEnvironment(tf.decryptDomain(domain, me), { prefix: o['prefix'] as string | undefined, uppercase: o['uppercase'] === true, passthrough: o['passthrough'] !== false, envPrefix: envPrefix(g) }, childEnvironment(process.env, [envPrefix(g)]));
  return runChild(cmd, cmdArgs, env);
});

/** `team list-domains`. */
export const listDomains = teamCommand(async (g: TeamOptions): Promise<number> => {
  const { tf } = openTeam(g);
  const names = tf.domainNames();
  if (names.length) out(names.map((n) => printable(n)).join('\n'));
  else info(`(No domains in ${tf.path})`);
  return 0;
});

/** `team list-secrets [DOMAIN]`: a domain's secret names, or every secret with its domains. */
export const listSecrets = teamCommand(async (g: TeamOptions, a: Args): Promise<number> => {
  const { tf } = openTeam(g);
  const domain = a[0] as string | undefined;
  if (domain !== undefined) {
    const names = tf.secretNames(domain);
    if (names.length) out(names.map((n) => printable(n)).join('\n'));
    else info(`(No secrets in domain ${domain} of ${tf.path})`);
    return 0;
  }
  const all = tf.allSecrets();
  if (all.size === 0) info(`(No secrets in ${tf.path})`);
  for (const [name, domains] of all) out(printable(`${name}: ${domains.join(', ')}`));
  return 0;
});

/** `team list-user-secrets`: the domains the user owns, with their secret names (no passphrase needed). */
export const listUserSecrets = teamCommand(async (g: TeamOptions): Promise<number> => {
  const { tf } = openTeam(g);
  const user = (await userName(g)).value;
  const owned = tf.domainsOwnedBy(user);
  if (owned.length === 0) info(`User ${user} does not own any domains.`);
  for (const d of owned) {
    const s = tf.secretNames(d);
    out(printable(`${d}: ${s.length ? s.join(', ') : '(no secrets)'}`));
  }
  return 0;
});

/** `team audit`. */
export const audit = teamCommand(async (g: TeamOptions): Promise<number> => {
  const { tf } = openTeam(g);
  const log = tf.auditLog();
  if (log.length) out(log.map((e) => printable(e)).join('\n'));
  return 0;
});

/** `team truncate-audit N`. */
export const truncateAudit = teamCommand(async (g: TeamOptions, a: Args): Promise<number> => {
  const n = String(a[0]);
  if (!/^\d+$/.test(n)) throw new SeeqretError('E_USAGE', `'${n}' is not a number of entries`, 'Give how many of the newest entries to keep, e.g. 100.');
  const { tf } = openTeam(g, 'write');
  const r = await mutate(g, tf, (f) => f.truncateAudit(Number(n)));
  const had = (r.before ?? tf).auditLog().length;
  if (!r.written) {
    info(`The audit log has ${had} entries; nothing to truncate.`);
    return 0;
  }
  info(`Kept the last ${n} audit entries (${had - Number(n)} removed)`);
  return 0;
});

/** What this vault makes of the file, in one line for `team info`. */
function verdictLine(c: Checked): string {
  const v = c.verdict;
  switch (v.kind) {
    case 'same':
      return 'exactly the version your vault verified';
    case 'first-use':
      return 'not seen by your vault before (its keys are pinned on first use)';
    case 'signed':
      return `signed by ${v.by}, whom you trust; newer than or as new as what your vault saw`;
    case 'unchanged-keys':
      return 'the keys your vault verified (values may have changed)';
    case 'untrusted':
      return `CHANGED since your vault verified it, not covered by a signature you trust: ${listed([...v.reasons, ...v.changes], 20)}; writes are refused`;
    case 'rollback':
      return `OLDER than what your vault saw: ${listed(v.reasons, 20)}; writes and pull are refused`;
  }
}

/** `team info`: format, extensions, custodians, domains, signature, and what this vault makes of it. */
export const teamInfo = teamCommand(async (g: TeamOptions): Promise<number> => {
  const c = openTeam(g, 'look');
  const tf = c.tf;
  const ext = tf.extensions();
  out(`file: ${tf.path}`);
  out(ext.length ? `format: seeqret extensions (${ext.join(', ')}); pocket_protector (pprotect) cannot read this file` : 'format: pocket_protector (readable by pprotect)');
  for (const n of tf.custodianNames()) {
    const cu = tf.custodian(n);
    const cost = cu.cost ? ` (Argon2id ${cu.cost.opslimit} × ${cu.cost.memlimit / 2 ** 20} MiB)` : '';
    out(printable(`custodian ${n}: ${cu.type}${cost}${cu.pwdkmVersion !== null ? `, pwdkm v${cu.pwdkmVersion}` : ''}; owns ${cu.owns.join(', ') || 'nothing'}; key fingerprint ${fingerprint(cu.publicKey)}`));
  }
  for (const d of tf.domainNames()) out(printable(`domain ${d}: ${tf.secretNames(d).length} secrets; owners ${tf.owners(d).join(', ')}; key fingerprint ${fingerprint(tf.data.domains.get(d)!.publicKey)}`));
  const s = tf.signatureStatus();
  const chain = 'chain' in s && s.chain ? `, version ${s.chain.seq}, team ${s.chain.team.toString('base64')}` : 'chain' in s ? ', legacy signature without a version number' : '';
  out(printable(`signature: ${s.state}${'by' in s ? ` (by ${s.by}, key ${s.key.toString('base64')}, key fingerprint ${signerFingerprint(s.key)}${chain})` : ''}`));
  out(`keys fingerprint: ${keyringFingerprint(c.obs.keys)}`);
  out(printable(`this vault (${vaultDirOf(g)}): ${verdictLine(c)}`));
  return 0;
});

/** `team sign`: turn signatures on (seeqret extension) and sign as the current user. */
export const sign = teamCommand(async (g: TeamOptions): Promise<number> => {
  const { tf } = openTeam(g, 'write');
  const me = await mustCredentials(g, tf);
  await mutate(g, tf, (f) => f.withSigning(true), { signer: me, force: true });
  info(`Signed ${tf.path} as ${me.name} (signing key fingerprint ${signerFingerprint(TeamFile.signingKeyOf(me))}); every later change must be signed by a custodian`);
  return 0;
});

/** `team unsign`: turn signatures off (the file becomes readable by pprotect again when it uses no other extension). */
export const unsign = teamCommand(async (g: TeamOptions): Promise<number> => {
  const { tf } = openTeam(g, 'write');
  await mutate(g, tf, (f) => f.withSigning(false), { needsSigner: false });
  info(`${tf.path} is no longer signed`);
  return 0;
});

/** `team verify`: exit 0 only when the file is signed, the signature matches, you trust the signer, and it is not older than what your vault saw. */
export const verify = teamCommand(async (g: TeamOptions): Promise<number> => {
  const c = openTeam(g, 'look');
  const tf = c.tf;
  const s = tf.signatureStatus();
  if (s.state === 'unsigned') throw new SeeqretError('E_TEAM_SIGNATURE', `${tf.path} is not signed`, `A custodian can sign it: ${teamCmd(g, 'sign')}.`);
  if (s.state === 'missing') throw new SeeqretError('E_TEAM_SIGNATURE', `${tf.path} declares signatures but has none: it was changed by something that does not sign`, 'Look at the change in git (git log -p).');
  if (s.state === 'invalid') throw new SeeqretError('E_TEAM_SIGNATURE', `the signature of ${tf.path} (by ${s.by}) does not match its content`, 'Look at the change in git (git log -p); restore the last good version.');
  const t = checkSigner(readTrust(vaultDirOf(g)), s.by, s.key);
  const fp = signerFingerprint(s.key);
  const trustCmd = teamCmd(g, `trust ${shq(s.by)}`);
  if (t === 'changed') throw new SeeqretError('E_TEAM_SIGNATURE', `${tf.path} is signed by ${s.by} with another key than the one you trusted (fingerprint ${fp})`, `Ask ${s.by}; if they changed their passphrase, compare the fingerprint and run \`${trustCmd}\`.`);
  if (t === 'unknown') throw new SeeqretError('E_TEAM_SIGNATURE', `${tf.path} is signed by ${s.by} (fingerprint ${fp}), whom you have not trusted`, `Compare the fingerprint with ${s.by}, then run \`${trustCmd}\`.`);
  if (c.verdict.kind === 'rollback') throw rollbackError(g, c, 'it does not verify');
  if (c.verdict.kind === 'untrusted') throw untrustedError(g, c, 'it does not verify'); // another team's file
  record(g, c.realPath, c.obs, c.sig, false);
  const version = s.chain ? `version ${s.chain.seq}` : 'a legacy signature without a version number';
  info(`${tf.path}: signed by ${s.by} (trusted, fingerprint ${fp}), ${version}; content unchanged since, and not older than what your vault saw`);
  return 0;
});

/** `team trust NAME [--key KEY] [-y]`: remember NAME's signing key (from the file's signature, or --key). */
export const trust = teamCommand(async (g: TeamOptions, a: Args, o: Opts): Promise<number> => {
  const name = a[0] as string;
  let key: Buffer | null = null;
  if (o['key']) {
    key = Buffer.from(String(o['key']), 'base64');
    if (key.length !== 32 || key.toString('base64') !== String(o['key'])) throw new SeeqretError('E_BAD_KEY', 'a signing key is 44 characters of base64 (32 bytes)', 'Copy it from the signature line of `seeqret team info` on a file they signed (key …).');
  } else {
    const { tf } = openTeam(g, 'look');
    const s = tf.signatureStatus();
    if (s.state !== 'valid' || s.by !== name) throw new SeeqretError('E_NOT_FOUND', `${tf.path} is not validly signed by ${name}`, `Pass --key KEY (the key in the signature line of \`seeqret team info\` on a file ${name} signed), or use a file ${name} signed.`);
    key = s.key;
  }
  const fp = signerFingerprint(key);
  if (!o['yes']) {
    if (g.nonInteractive) throw cannotAsk(`trusting ${name}'s key asks whether you compared its fingerprint (${fp})`, `Compare the fingerprint with ${name}, then pass --yes.`);
    info(`${name}'s signing key fingerprint: ${fp}`);
    if (!(await confirm(`Did ${name} read you the same fingerprint?`))) throw new SeeqretError('E_ABORTED', 'not trusted', `Compare the fingerprint with ${name} first.`);
  }
  trustSigner(vaultDirOf(g), name, key);
  info(`Trusted ${name}'s signing key (${fp})`);
  return 0;
});

/** `team accept [--yes | --keys FINGERPRINT]`: after checking a change, make this exact file the state your vault trusts. */
export const accept = teamCommand(async (g: TeamOptions, _a: Args, o: Opts): Promise<number> => {
  const c = openTeam(g, 'look');
  const v = c.verdict;
  const fp = keyringFingerprint(c.obs.keys);
  if (v.kind === 'same') {
    info(`${c.tf.path} is exactly the version your vault verified; nothing to accept`);
    return 0;
  }
  info(`${c.tf.path} — what your vault would trust from now on:`);
  if (v.kind === 'rollback') for (const r of v.reasons) info(`  older: ${r}`);
  if (v.kind === 'untrusted') for (const r of v.reasons) info(`  ${r}`);
  const changes = keyringChanges(c.pin?.keys ?? { custodians: {}, domains: {} }, c.obs.keys);
  for (const ch of changes) info(`  ${ch}`);
  if (changes.length === 0) info(`  keys: as your vault verified them${c.pin ? '' : ' (none yet)'}`);
  info(`  keys fingerprint: ${fp}`);
  const wanted = o['keys'] as string | undefined;
  if (wanted !== undefined) {
    if (wanted.replace(/\s+/g, '') !== fp.replace(/\s+/g, '')) {
      throw new SeeqretError('E_FINGERPRINT_MISMATCH', `the keys of ${c.tf.path} have the fingerprint ${fp}, not ${wanted}; nothing was accepted`, `Look at what changed (${teamCmd(g, 'accept')} lists it) before accepting.`);
    }
  } else if (!o['yes']) {
    if (g.nonInteractive) throw cannotAsk('accepting a change asks whether you checked it', `Check the keys above with their owners, then pass --yes (or --keys '${fp}').`);
    if (!(await confirm('Did you check these keys with their owners (and the change in git)? Trust this file from now on?'))) throw new SeeqretError('E_ABORTED', 'nothing was accepted', 'Check the change first.');
  }
  // Under the file's lock, and only the very bytes shown: a write that landed meanwhile is not accepted unseen.
  const lock = await lockFileAsync(c.realPath, { what: c.tf.path, timeoutMs: lockTimeout() });
  try {
    const now = sha512(readFileCapped(c.tf.path, 'teamFile'));
    if (!now.equals(c.tf.readHash()!)) throw new SeeqretError('E_ABORTED', `${c.tf.path} changed while you were checking it; nothing was accepted`, `Check it again: \`${teamCmd(g, 'accept')}\`.`);
    record(g, c.realPath, c.obs, c.sig, true);
  } finally {
    lock.release();
  }
  info(`Accepted ${c.tf.path} (keys fingerprint ${fp}): your vault trusts this version now`);
  return 0;
});

/** `team pull --domain D [--app A] [--env E] [--overwrite]`: copy a domain's secrets into the local vault. */
export const pull = teamCommand(async (g: TeamOptions, _a: Args, o: Opts): Promise<number> => {
  const domain = o['domain'] as string;
  // Only from a state this vault trusts: an older file must not put replaced values back.
  const c = openTeam(g, 'write');
  const tf = c.tf;
  tf.secretNames(domain);
  const me = await mustCredentials(g, tf);
  const values = tf.decryptDomain(domain, me);
  const app = (o['app'] as string | undefined) ?? '*';
  const env = (o['env'] as string | undefined) ?? domain;
  const code = await teamWithVault(g, (v) => {
    const s = v.setMany([...values].map(([key, value]) => ({ app, env, key, value })), { update: o['overwrite'] === true, received: `team pull ${domain}` });
    v.audit([{ action: 'team.pull', target: `${tf.path}#${domain}`, detail: { by: me.name, app, env, added: s.added, updated: s.updated, skipped: s.skipped } }]);
    info(`Pulled ${domain} from ${tf.path} into ${app}:${env}: ${s.added} added, ${s.updated} updated, ${s.skipped} skipped, ${s.unchanged} unchanged`);
    for (const x of s.outcomes) {
      if (x.outcome === 'added' || x.outcome === 'updated') info(`  ${x.app}:${x.env}:${x.key}  ${x.outcome}`);
      if (x.outcome === 'skipped') info(`  ${x.app}:${x.env}:${x.key}  skipped: another value is here (--overwrite replaces it; the old value goes to history)`);
    }
    return 0;
  });
  if (c.verdict.kind !== 'same') record(g, c.realPath, c.obs, c.sig, false);
  return code;
});

/**
 * `team push --domain D [--app A] [--env E] [-f FILTER...]`: add or update the vault secrets of
 * app A, env E (where `pull` puts the domain: `*` and D by default) in the domain. Filters choose
 * among those keys; a secret of another app or env is never pushed, so a dev value cannot replace
 * prod's.
 */
export const push = teamCommand(async (g: TeamOptions, _a: Args, o: Opts): Promise<number> => {
  const domain = o['domain'] as string;
  const app = (o['app'] as string | undefined) ?? '*';
  const env = (o['env'] as string | undefined) ?? domain;
  const given = ((o['filter'] as string[] | undefined) ?? []).map((f) => parseFilter(f));
  const { tf } = openTeam(g, 'write');
  tf.secretNames(domain);
  const here = (r: { app: string; env: string }): boolean => r.app === app && r.env === env;
  const picked = await teamWithVault(
    g,
    (v) => {
      const matched = v.find(given.length ? given : [parseFilter('')]);
      const records = matched.filter(here);
      if (records.length === 0) {
        const elsewhere = matched.filter((r) => !here(r));
        const places = [...new Set(elsewhere.map((r) => `${r.app}:${r.env}`))];
        const hint =
          places.length === 1
            ? `They are in ${places[0]}; to push those: ${teamCmd(g, `push --domain ${shq(domain)} --app ${shq(elsewhere[0]!.app)} --env ${shq(elsewhere[0]!.env)}${given.map((f) => ` -f ${shq(f.text)}`).join('')}`)}`
            : `Run \`seeqret${g.vault ? ` --vault ${shq(g.vault)}` : ''} list\` to see what exists; pull puts ${domain} in ${app}:${env} (${teamCmd(g, `pull --domain ${shq(domain)}`)}).`;
        throw new SeeqretError(
          'E_NOT_FOUND',
          `no vault secret in ${app}:${env} (where domain ${domain} lives in your vault) matches ${given.length ? given.map((f) => f.text).join(', ') : 'anything'}${elsewhere.length ? `; ${elsewhere.length} in other apps or envs do, and are never pushed to ${domain}` : ''}`,
          hint,
        );
      }
      const byName = new Map<string, string>();
      for (const r of records) {
        checkSecretName(r.key);
        const value = v.reveal(r);
        checkNotEmpty(value, `${r.app}:${r.env}:${r.key}`, o);
        byName.set(r.key, value);
      }
      v.auditReads(records, `team push ${domain}`);
      return byName;
    },
    { readonly: false },
  );
  // With credentials at hand (flags or environment; never a prompt), unchanged values are left as they are.
  let current: Map<string, string> | null = null;
  const me = await credentials(g, tf, { optional: true });
  if (me) {
    try {
      current = tf.decryptDomain(domain, me);
    } catch (e) {
      if (!(e instanceof SeeqretError && e.code === 'E_TEAM_NOT_OWNER')) throw e;
    }
  }
  const entries = [...picked].filter(([name, value]) => current?.get(name) !== value).map(([name, value]) => ({ name, value }));
  const unchanged = picked.size - entries.length;
  if (entries.length === 0) {
    info(`Nothing to push: ${unchanged} unchanged`);
    return 0;
  }
  const r = await mutate(g, tf, (f) => f.setSecrets(domain, entries), { signer: me });
  const had = (r.before ?? tf).secretNames(domain);
  const added = entries.filter((e) => !had.includes(e.name)).length;
  info(`Pushed ${app}:${env} to ${domain}: ${added} added, ${entries.length - added} updated${current ? `, ${unchanged} unchanged` : ' (no credentials: values not compared, every one re-sealed)'}`);
  for (const e of entries) info(`  ${e.name}`);
  return 0;
});
