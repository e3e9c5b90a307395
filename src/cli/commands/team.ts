/**
 * `seeqret team …`: the team store, pocket_protector's `protected.yaml` (see docs/team.md).
 *
 * Credentials: `-u/--user`, `--team-passphrase-file`, then `SEEQRET_TEAM_USER` /
 * `SEEQRET_TEAM_PASSPHRASE`, then `{PREFIX}_USER` / `{PREFIX}_PASSPHRASE` (PREFIX from
 * `--env-prefix`, `PPROTECT_ENV_PREFIX`, else `PPROTECT`), then a prompt (never with
 * `--non-interactive`). A wrong passphrase fails; no other source is tried.
 *
 * @module
 */
import fs from 'node:fs';
import { fingerprint, keyFromBase64 } from '../../crypto/index.js';
import { newRawPassphrase } from '../../crypto/team.js';
import { SeeqretError } from '../../errors.js';
import { parseFilter } from '../../filter/index.js';
import { unifiedDiff } from '../../team/diff.js';
import { type KeyType, TeamFile, type UnlockedCustodian, checkSecretName } from '../../team/store.js';
import { checkSigner, readTrust, signerFingerprint, trustSigner } from '../../team/trust.js';
import { readTextFileCapped } from '../../util/fs.js';
import { printable } from '../../util/text.js';
import { resolveVaultDir } from '../../vault/paths.js';
import { Vault } from '../../vault/vault.js';
import { isDangerousVariable } from '../../vault/resolve.js';
import { runChild } from '../child.js';
import { compatProfile, useExitProfile } from '../exit-profile.js';
import { type GlobalOptions, confirm, info, openVault, out, promptHidden, promptNewSecret, promptText, readValue, stdinIsTTY, warn, withVault } from '../context.js';

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
    throw new SeeqretError('E_PASSPHRASE_REQUIRED', 'this vault is passphrase-protected and --non-interactive forbids asking for its passphrase', 'Set SEEQRET_PASSPHRASE or pass --passphrase-file FILE.');
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

/** Read the team file and apply the signature policy. */
function openTeam(g: TeamOptions, opts: { checkSignature?: boolean } = {}): TeamFile {
  const file = fileOf(g);
  if (!fs.existsSync(file)) throw fileError(new SeeqretError('E_FILE_NOT_FOUND', `no team file at ${file}`, 'Create one with `seeqret team init`, or pass --file PATH.'));
  const tf = TeamFile.open(file);
  if (opts.checkSignature !== false) checkSignaturePolicy(g, tf);
  return tf;
}

function requireSignature(g: TeamOptions): boolean {
  return g.requireSignature === true || process.env['SEEQRET_TEAM_REQUIRE_SIGNATURE'] === '1';
}

function checkSignaturePolicy(g: TeamOptions, tf: TeamFile): void {
  const s = tf.signatureStatus();
  const override = 'Look at the change in git (git log -p), then pass --ignore-signature to go on anyway.';
  if (s.state === 'unsigned') {
    if (requireSignature(g)) throw new SeeqretError('E_TEAM_SIGNATURE', `${tf.path} is not signed`, 'Have a custodian sign it (seeqret team sign), or drop --require-signature.');
    return;
  }
  if (g.ignoreSignature) return;
  if (s.state === 'missing') throw new SeeqretError('E_TEAM_SIGNATURE', `${tf.path} declares signatures but has none: it was changed by something that does not sign`, override);
  if (s.state === 'invalid') throw new SeeqretError('E_TEAM_SIGNATURE', `the signature of ${tf.path} (by ${s.by}) does not match its content: it was changed after it was signed`, override);
  const trust = readTrust(resolveVaultDir(g.vault));
  const t = checkSigner(trust, s.by, s.key);
  if (t === 'changed') throw new SeeqretError('E_TEAM_SIGNATURE', `${tf.path} is signed by ${s.by} with a key you did not trust for ${s.by} (fingerprint ${signerFingerprint(s.key)})`, `Ask ${s.by} whether they changed their passphrase; if so, compare the fingerprint and run \`seeqret team trust ${s.by}\`.`);
  if (t === 'unknown') {
    warn(`${tf.path} is signed by ${s.by}, whom you have not trusted yet (key fingerprint ${signerFingerprint(s.key)}); compare it with them, then run \`seeqret team trust ${s.by}\``);
    if (requireSignature(g)) throw new SeeqretError('E_TEAM_SIGNATURE', `the signer ${s.by} is not trusted`, `Compare the fingerprint with ${s.by}, then run \`seeqret team trust ${s.by}\`.`);
  }
}

/** Write `after` (signing it when the file is signed), after showing the diff with --confirm. */
async function commit(g: TeamOptions, before: TeamFile | null, after: TeamFile, signer?: UnlockedCustodian): Promise<void> {
  if (g.confirm && g.nonInteractive) throw cannotAsk('--confirm asks before writing', 'Drop --non-interactive to answer, or drop --confirm.');
  let by = signer;
  if (after.data.signed) {
    if (by && !after.data.custodians.has(by.name)) by = undefined;
    by ??= await mustCredentials(g, after);
  }
  const text = after.serialize(by);
  if (g.confirm) {
    const old = fs.existsSync(after.path) ? readTextFileCapped(after.path, 'teamFile') : '';
    const diff = unifiedDiff(old, text, `${after.path}.old`, `${after.path}.new`);
    process.stderr.write(`Changes to be written:\n\n${diff.split('\n').map((l) => printable(l)).join('\n')}\n`);
    if (!(await confirm('Write changes?'))) throw new SeeqretError('E_ABORTED', 'nothing was written', 'Run the command again and answer y to write.');
  }
  after.write(by);
  const was = before?.extensions() ?? [];
  const now = after.extensions();
  if (now.length > 0 && now.some((e) => !was.includes(e))) {
    info(`${after.path} now uses seeqret extensions (${now.join(', ')}): pocket_protector (pprotect) cannot read it any more.`);
  } else if (now.length === 0 && was.length > 0) {
    info(`${after.path} uses no seeqret extension any more: pocket_protector (pprotect) can read it again.`);
  }
  if (by && after.data.signed) {
    // You know your own key (also after changing your passphrase): trust it, so your own files verify.
    const dir = resolveVaultDir(g.vault);
    if (fs.existsSync(dir)) {
      const key = TeamFile.signingKeyOf(by);
      if (checkSigner(readTrust(dir), by.name, key) !== 'trusted') trustSigner(dir, by.name, key);
    }
  }
}

// -----------------------------------------------------------------------------------------------
// Commands

/** `team init`: create the file with its first custodian. */
export async function init(g: TeamOptions, _a: Args, o: Opts): Promise<number> {
  const file = fileOf(g);
  if (fs.existsSync(file)) throw fileError(new SeeqretError('E_EXISTS', `the team file ${file} already exists`, 'Use it as it is, or pass --file with another path.'));
  let tf = TeamFile.create(file);
  tf = await withNewCustodian(g, tf, o, (await userName(g)).value);
  await commit(g, null, tf);
  info(`Created ${file} with key custodian ${tf.custodianNames()[0]}; next: seeqret team add-domain NAME`);
  return 0;
}

async function withNewCustodian(g: TeamOptions, tf: TeamFile, o: Opts, name: string): Promise<TeamFile> {
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
    info(`identity custodian ${name}: key fingerprint ${fingerprint(key)}`);
    return tf.addIdentityCustodian(name, key);
  }
  const keyType = keyTypeOf(o);
  if (keyType === 'raw') {
    const key = newRawPassphrase();
    const next = tf.addCustodian(name, key, 'raw');
    await showRawKey(g, key);
    return next;
  }
  return tf.addCustodian(name, await newPassphrase(g, true), keyType);
}

/** `team add-custodian [NAME]`. */
export async function addCustodian(g: TeamOptions, a: Args, o: Opts): Promise<number> {
  const tf = openTeam(g);
  const name = (a[0] as string | undefined) ?? (await userName(g, 'New custodian email')).value;
  const next = await withNewCustodian(g, tf, o, name);
  await commit(g, tf, next);
  info(`Added key custodian ${name}`);
  return 0;
}

/** `team rm-custodian NAME [--rotate]`. */
export async function rmCustodian(g: TeamOptions, a: Args, o: Opts): Promise<number> {
  const tf = openTeam(g);
  const name = a[0] as string;
  const owned = tf.domainsOwnedBy(name);
  let next = tf.rmCustodian(name);
  let by: UnlockedCustodian | undefined;
  const rotated: string[] = [];
  if (o['rotate'] && owned.length > 0) {
    by = await mustCredentials(g, tf);
    if (by.name === name) throw new SeeqretError('E_USAGE', 'the rotation must be done by a custodian who stays', 'Give the credentials of another owner.');
    for (const d of owned) if (next.owners(d).includes(by.name)) {
      next = next.rotateDomain(d, by);
      rotated.push(d);
    }
  }
  await commit(g, tf, next, by);
  info(`Removed key custodian ${name}`);
  reportReadable(tf, name, owned, rotated);
  return 0;
}

function reportReadable(tf: TeamFile, who: string, domains: readonly string[], rotated: readonly string[]): void {
  for (const d of domains) {
    const names = tf.secretNames(d);
    info(`${who} could read ${names.length} secret${names.length === 1 ? '' : 's'} of ${d}${names.length ? ': ' + names.join(', ') : ''}`);
    if (names.length) info(`  change them where they are used, then: seeqret team update-secret ${d} NAME`);
    if (!rotated.includes(d)) info(`  the key of ${d} was not rotated: ${who} can still read every value set in it from now on; run: seeqret team rotate ${d}`);
    else info(`  the key of ${d} was rotated: values set from now on are out of ${who}'s reach (the old ones are in git history)`);
  }
}

/** `team add-domain DOMAIN`. */
export async function addDomain(g: TeamOptions, a: Args): Promise<number> {
  const tf = openTeam(g);
  const me = await mustCredentials(g, tf);
  await commit(g, tf, tf.addDomain(a[0] as string, me), me);
  info(`Added domain ${a[0] as string}, owned by ${me.name}`);
  return 0;
}

/** `team rm-domain DOMAIN`. */
export async function rmDomain(g: TeamOptions, a: Args): Promise<number> {
  const tf = openTeam(g);
  await commit(g, tf, tf.rmDomain(a[0] as string));
  info(`Removed domain ${a[0] as string}`);
  return 0;
}

/** `team add-owner DOMAIN OWNER`. */
export async function addOwner(g: TeamOptions, a: Args): Promise<number> {
  const tf = openTeam(g);
  const [domain, owner] = a as [string, string];
  const me = await mustCredentials(g, tf);
  await commit(g, tf, tf.addOwner(domain, owner, me), me);
  info(`${owner} is now an owner of ${domain}`);
  return 0;
}

/** `team rm-owner DOMAIN OWNER [--rotate] [-y]`: with --rotate (or yes to the question) the domain key is rotated in the same write. */
export async function rmOwner(g: TeamOptions, a: Args, o: Opts): Promise<number> {
  const tf = openTeam(g);
  const [domain, owner] = a as [string, string];
  tf.rmOwner(domain, owner); // validate before asking anything
  let rotateBy: UnlockedCustodian | undefined;
  let rotate = o['rotate'] === true;
  if (!rotate && !o['yes'] && interactive(g) && tf.secretNames(domain).length > 0) {
    rotate = await confirm(`${owner} could read every secret of ${domain}. Rotate the domain key in the same write (needs another owner's credentials)?`);
  }
  if (rotate) rotateBy = await mustCredentials(g, tf);
  const { file, readable } = tf.rmOwner(domain, owner, rotateBy ? { rotateBy } : {});
  await commit(g, tf, file, rotateBy);
  info(`Removed ${owner} from the owners of ${domain}${rotateBy ? ` and rotated its key (by ${rotateBy.name})` : ''}`);
  void readable;
  reportReadable(tf, owner, [domain], rotateBy ? [domain] : []);
  return 0;
}

async function secretValue(g: TeamOptions, a: Args, o: Opts, label: string): Promise<string> {
  const from = o['fromFile'] as string | undefined;
  // On a terminal the value would be asked for (or typed until Ctrl-D): not with --non-interactive.
  if (g.nonInteractive && stdinIsTTY() && a[2] === undefined && (from === undefined || from === '-')) {
    throw new SeeqretError('E_USAGE', `the value of ${label} is needed and cannot be asked for (--non-interactive)`, 'Give it as an argument, with --from-file FILE, or on stdin (a pipe).');
  }
  if (from !== undefined) {
    if (a[2] !== undefined) throw new SeeqretError('E_USAGE', 'give the value or --from-file, not both', 'Use one source.');
    if (from === '-') return readValue(undefined, { label, multiline: true, allowEmpty: o['allowEmpty'] === true });
    return readTextFileCapped(from, 'value');
  }
  return readValue(a[2] as string | undefined, { label, allowEmpty: o['allowEmpty'] === true });
}

/** `team add-secret DOMAIN NAME [VALUE]`. */
export async function addSecret(g: TeamOptions, a: Args, o: Opts): Promise<number> {
  const tf = openTeam(g);
  const [domain, name] = a as [string, string];
  checkSecretName(name);
  tf.secretNames(domain);
  const next = tf.addSecret(domain, name, await secretValue(g, a, o, `${domain}/${name}`));
  await commit(g, tf, next);
  info(`Added secret ${name} in ${domain}`);
  return 0;
}

/** `team update-secret DOMAIN NAME [VALUE]`. */
export async function updateSecret(g: TeamOptions, a: Args, o: Opts): Promise<number> {
  const tf = openTeam(g);
  const [domain, name] = a as [string, string];
  if (!tf.secretNames(domain).includes(name)) tf.updateSecret(domain, name, ''); // the not-found error, before asking for a value
  const next = tf.updateSecret(domain, name, await secretValue(g, a, o, `${domain}/${name}`));
  await commit(g, tf, next);
  info(`Updated secret ${name} in ${domain}`);
  return 0;
}

/** `team rm-secret DOMAIN NAME`. */
export async function rmSecret(g: TeamOptions, a: Args): Promise<number> {
  const tf = openTeam(g);
  const [domain, name] = a as [string, string];
  await commit(g, tf, tf.rmSecret(domain, name));
  info(`Removed secret ${name} from ${domain}`);
  return 0;
}

async function changeKey(g: TeamOptions, o: Opts, how: 'passphrase' | 'rekey'): Promise<number> {
  const tf = openTeam(g);
  const me = await mustCredentials(g, tf);
  const keyType = keyTypeOf(o, how === 'rekey' ? ['hard', 'fast', 'raw'] : ['hard', 'fast']);
  let pass: string;
  if (keyType === 'raw') {
    pass = newRawPassphrase();
    await showRawKey(g, pass);
  } else pass = await newPassphrase(g, false);
  const next = tf.changeCustodianKey(me, pass, keyType, how);
  // A signed file is signed with the new key (derived again: the old one no longer belongs to the custodian).
  await commit(g, tf, next, next.data.signed ? next.unlock({ name: me.name, passphrase: pass }) : undefined);
  info(`${how === 'rekey' ? 'Rekeyed' : 'Changed the passphrase of'} ${me.name} (${keyType}); domains re-sealed: ${tf.domainsOwnedBy(me.name).join(', ') || 'none'}`);
  if (tf.data.signed) info('Your signing key changed with your key: teammates will be asked to trust it again.');
  return 0;
}

/** `team set-passphrase [--key-type hard|fast]`. */
export async function setPassphrase(g: TeamOptions, _a: Args, o: Opts): Promise<number> {
  return changeKey(g, o, 'passphrase');
}

/** `team rekey [--key-type hard|fast|raw]`. */
export async function rekey(g: TeamOptions, _a: Args, o: Opts): Promise<number> {
  return changeKey(g, o, 'rekey');
}

/** `team rotate DOMAIN`. */
export async function rotate(g: TeamOptions, a: Args): Promise<number> {
  const tf = openTeam(g);
  const me = await mustCredentials(g, tf);
  await commit(g, tf, tf.rotateDomain(a[0] as string, me), me);
  info(`Rotated the key of ${a[0] as string}: every secret and owner entry re-sealed`);
  return 0;
}

/** `team migrate-owner NEW_OWNER [--domain D]...`. */
export async function migrateOwner(g: TeamOptions, a: Args, o: Opts): Promise<number> {
  const tf = openTeam(g);
  const me = await mustCredentials(g, tf);
  const domains = o['domain'] as string[] | undefined;
  const next = tf.migrateOwner(a[0] as string, me, domains);
  await commit(g, tf, next, me);
  info(`${a[0] as string} now owns: ${next.domainsOwnedBy(a[0] as string).join(', ')}`);
  return 0;
}

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
export async function decrypt(g: TeamOptions, a: Args, o: Opts): Promise<number> {
  const tf = openTeam(g);
  const domain = a[0] as string;
  tf.secretNames(domain);
  const me = await mustCredentials(g, tf);
  const values = tf.decryptDomain(domain, me);
  const secret = o['secret'] as string | undefined;
  const format = o['format'] as string | undefined;
  if (secret !== undefined && !values.has(secret)) throw new SeeqretError('E_NOT_FOUND', `no secret named ${secret} in ${domain}`, `Known: ${[...values.keys()].join(', ') || '(none)'}.`);
  const items: Array<[string, string]> = secret !== undefined ? [[secret, values.get(secret)!]] : [...values];
  if (format === undefined && secret !== undefined) out(values.get(secret)!);
  else if (format === undefined || format === 'json') out(pyJson(items));
  else {
    const prefix = format === 'shell' ? 'export ' : '';
    const lines: string[] = [];
    for (const [name, value] of [...items].sort((x, y) => codePoints(x[0], y[0]))) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new SeeqretError('E_INVALID_NAME', `${name} is not a valid shell variable name; it cannot be written in ${format} format`, 'Use --format json, or rename the secret.');
      lines.push(`${prefix}${name}=${shellQuote(value)}`);
    }
    if (lines.length) out(lines.join('\n'));
  }
  return 0;
}

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
export async function exec(g: TeamOptions, a: Args, o: Opts): Promise<number> {
  const [cmd, ...cmdArgs] = a[0] as string[];
  const domain = o['domain'] as string | undefined;
  if (!domain) throw new SeeqretError('E_USAGE', 'exec needs --domain D', 'e.g. seeqret team exec --domain prod -- ./app');
  if (!cmd) throw new SeeqretError('E_USAGE', 'no command given', 'Write the command after --, e.g. seeqret team exec --domain prod -- ./app');
  const tf = openTeam(g);
  tf.secretNames(domain);
  const me = await mustCredentials(g, tf);
  const env = execEnvironment(tf.decryptDomain(domain, me), { prefix: o['prefix'] as string | undefined, uppercase: o['uppercase'] === true, passthrough: o['passthrough'] !== false, envPrefix: envPrefix(g) });
  return runChild(cmd, cmdArgs, env);
}

/** `team list-domains`. */
export async function listDomains(g: TeamOptions): Promise<number> {
  const tf = openTeam(g);
  const names = tf.domainNames();
  if (names.length) out(names.map((n) => printable(n)).join('\n'));
  else info(`(No domains in ${tf.path})`);
  return 0;
}

/** `team list-secrets [DOMAIN]`: a domain's secret names, or every secret with its domains. */
export async function listSecrets(g: TeamOptions, a: Args): Promise<number> {
  const tf = openTeam(g);
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
}

/** `team list-user-secrets`: the domains the user owns, with their secret names (no passphrase needed). */
export async function listUserSecrets(g: TeamOptions): Promise<number> {
  const tf = openTeam(g);
  const user = (await userName(g)).value;
  const owned = tf.domainsOwnedBy(user);
  if (owned.length === 0) info(`User ${user} does not own any domains.`);
  for (const d of owned) {
    const s = tf.secretNames(d);
    out(printable(`${d}: ${s.length ? s.join(', ') : '(no secrets)'}`));
  }
  return 0;
}

/** `team audit`. */
export async function audit(g: TeamOptions): Promise<number> {
  const tf = openTeam(g);
  const log = tf.auditLog();
  if (log.length) out(log.map((e) => printable(e)).join('\n'));
  return 0;
}

/** `team truncate-audit N`. */
export async function truncateAudit(g: TeamOptions, a: Args): Promise<number> {
  const n = String(a[0]);
  if (!/^\d+$/.test(n)) throw new SeeqretError('E_USAGE', `'${n}' is not a number of entries`, 'Give how many of the newest entries to keep, e.g. 100.');
  const tf = openTeam(g);
  const next = tf.truncateAudit(Number(n));
  if (next === tf) {
    info(`The audit log has ${tf.auditLog().length} entries; nothing to truncate.`);
    return 0;
  }
  await commit(g, tf, next);
  info(`Kept the last ${n} audit entries (${tf.auditLog().length - Number(n)} removed)`);
  return 0;
}

/** `team info`: format, extensions, custodians, domains, signature. */
export async function teamInfo(g: TeamOptions): Promise<number> {
  const tf = openTeam(g, { checkSignature: false });
  const ext = tf.extensions();
  out(`file: ${tf.path}`);
  out(ext.length ? `format: seeqret extensions (${ext.join(', ')}); pocket_protector (pprotect) cannot read this file` : 'format: pocket_protector (readable by pprotect)');
  for (const n of tf.custodianNames()) {
    const c = tf.custodian(n);
    const cost = c.cost ? ` (Argon2id ${c.cost.opslimit} × ${c.cost.memlimit / 2 ** 20} MiB)` : '';
    out(printable(`custodian ${n}: ${c.type}${cost}${c.pwdkmVersion !== null ? `, pwdkm v${c.pwdkmVersion}` : ''}; owns ${c.owns.join(', ') || 'nothing'}`));
  }
  for (const d of tf.domainNames()) out(printable(`domain ${d}: ${tf.secretNames(d).length} secrets; owners ${tf.owners(d).join(', ')}`));
  const s = tf.signatureStatus();
  out(`signature: ${s.state}${'by' in s ? ` (by ${s.by}, key fingerprint ${signerFingerprint(s.key)})` : ''}`);
  return 0;
}

/** `team sign`: turn signatures on (seeqret extension) and sign as the current user. */
export async function sign(g: TeamOptions): Promise<number> {
  const tf = openTeam(g);
  const me = await mustCredentials(g, tf);
  const next = tf.withSigning(true);
  await commit(g, tf, next, me);
  info(`Signed ${tf.path} as ${me.name} (signing key fingerprint ${signerFingerprint(TeamFile.signingKeyOf(me))}); every later change must be signed by a custodian`);
  return 0;
}

/** `team unsign`: turn signatures off (the file becomes readable by pprotect again when it uses no other extension). */
export async function unsign(g: TeamOptions): Promise<number> {
  const tf = openTeam(g);
  await commit(g, tf, tf.withSigning(false));
  info(`${tf.path} is no longer signed`);
  return 0;
}

/** `team verify`: exit 0 only when the file is signed, the signature matches, and you trust the signer. */
export async function verify(g: TeamOptions): Promise<number> {
  const tf = openTeam(g, { checkSignature: false });
  const s = tf.signatureStatus();
  if (s.state === 'unsigned') throw new SeeqretError('E_TEAM_SIGNATURE', `${tf.path} is not signed`, 'A custodian can sign it: seeqret team sign.');
  if (s.state === 'missing') throw new SeeqretError('E_TEAM_SIGNATURE', `${tf.path} declares signatures but has none: it was changed by something that does not sign`, 'Look at the change in git (git log -p).');
  if (s.state === 'invalid') throw new SeeqretError('E_TEAM_SIGNATURE', `the signature of ${tf.path} (by ${s.by}) does not match its content`, 'Look at the change in git (git log -p); restore the last good version.');
  const t = checkSigner(readTrust(resolveVaultDir(g.vault)), s.by, s.key);
  const fp = signerFingerprint(s.key);
  if (t === 'changed') throw new SeeqretError('E_TEAM_SIGNATURE', `${tf.path} is signed by ${s.by} with another key than the one you trusted (fingerprint ${fp})`, `Ask ${s.by}; if they changed their passphrase, compare the fingerprint and run \`seeqret team trust ${s.by}\`.`);
  if (t === 'unknown') throw new SeeqretError('E_TEAM_SIGNATURE', `${tf.path} is signed by ${s.by} (fingerprint ${fp}), whom you have not trusted`, `Compare the fingerprint with ${s.by}, then run \`seeqret team trust ${s.by}\`.`);
  info(`${tf.path}: signed by ${s.by} (trusted, fingerprint ${fp}); content unchanged since`);
  return 0;
}

/** `team trust NAME [--key KEY] [-y]`: remember NAME's signing key (from the file's signature, or --key). */
export async function trust(g: TeamOptions, a: Args, o: Opts): Promise<number> {
  const name = a[0] as string;
  let key: Buffer | null = null;
  if (o['key']) {
    key = Buffer.from(String(o['key']), 'base64');
    if (key.length !== 32 || key.toString('base64') !== String(o['key'])) throw new SeeqretError('E_BAD_KEY', 'a signing key is 44 characters of base64 (32 bytes)', 'Copy it from `seeqret team info` on their side.');
  } else {
    const tf = openTeam(g, { checkSignature: false });
    const s = tf.signatureStatus();
    if (s.state !== 'valid' || s.by !== name) throw new SeeqretError('E_NOT_FOUND', `${tf.path} is not validly signed by ${name}`, `Pass --key KEY (${name} sees it in \`seeqret team info\`), or use a file ${name} signed.`);
    key = s.key;
  }
  const fp = signerFingerprint(key);
  if (!o['yes']) {
    if (g.nonInteractive) throw cannotAsk(`trusting ${name}'s key asks whether you compared its fingerprint (${fp})`, `Compare the fingerprint with ${name}, then pass --yes.`);
    info(`${name}'s signing key fingerprint: ${fp}`);
    if (!(await confirm(`Did ${name} read you the same fingerprint?`))) throw new SeeqretError('E_ABORTED', 'not trusted', `Compare the fingerprint with ${name} first.`);
  }
  trustSigner(resolveVaultDir(g.vault), name, key);
  info(`Trusted ${name}'s signing key (${fp})`);
  return 0;
}

/** `team pull --domain D [--app A] [--env E] [--overwrite]`: copy a domain's secrets into the local vault. */
export async function pull(g: TeamOptions, _a: Args, o: Opts): Promise<number> {
  const domain = o['domain'] as string;
  const tf = openTeam(g);
  tf.secretNames(domain);
  const me = await mustCredentials(g, tf);
  const values = tf.decryptDomain(domain, me);
  const app = (o['app'] as string | undefined) ?? '*';
  const env = (o['env'] as string | undefined) ?? domain;
  return teamWithVault(g, (v) => {
    const s = v.setMany([...values].map(([key, value]) => ({ app, env, key, value })), { update: o['overwrite'] === true, received: `team pull ${domain}` });
    v.audit([{ action: 'team.pull', target: `${tf.path}#${domain}`, detail: { by: me.name, app, env, added: s.added, updated: s.updated, skipped: s.skipped } }]);
    info(`Pulled ${domain} from ${tf.path} into ${app}:${env}: ${s.added} added, ${s.updated} updated, ${s.skipped} skipped, ${s.unchanged} unchanged`);
    for (const x of s.outcomes) {
      if (x.outcome === 'added' || x.outcome === 'updated') info(`  ${x.app}:${x.env}:${x.key}  ${x.outcome}`);
      if (x.outcome === 'skipped') info(`  ${x.app}:${x.env}:${x.key}  skipped: another value is here (--overwrite replaces it; the old value goes to history)`);
    }
    return 0;
  });
}

/** `team push --domain D -f FILTER...`: add or update vault secrets in a domain (the key name is the secret name). */
export async function push(g: TeamOptions, _a: Args, o: Opts): Promise<number> {
  const domain = o['domain'] as string;
  const filters = ((o['filter'] as string[] | undefined) ?? []).map((f) => parseFilter(f));
  if (filters.length === 0) throw new SeeqretError('E_USAGE', 'push needs at least one -f FILTER', "Name the vault secrets, e.g. -f 'myapp:prod:'.");
  const tf = openTeam(g);
  tf.secretNames(domain);
  const picked = await teamWithVault(
    g,
    (v) => {
      const records = v.find(filters);
      if (records.length === 0) throw new SeeqretError('E_NOT_FOUND', `the filters match no secret: ${filters.map((f) => f.text).join(', ')}`, 'Run `seeqret list` to see what exists.');
      const byName = new Map<string, string>();
      for (const r of records) {
        checkSecretName(r.key);
        if (byName.has(r.key)) throw new SeeqretError('E_AMBIGUOUS', `several vault secrets are named ${r.key} (${records.filter((x) => x.key === r.key).map((x) => `${x.app}:${x.env}:${x.key}`).join(', ')})`, 'Narrow the filter to one app and env.');
        byName.set(r.key, v.reveal(r));
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
  const added = entries.filter((e) => !tf.secretNames(domain).includes(e.name)).length;
  await commit(g, tf, tf.setSecrets(domain, entries), me);
  info(`Pushed to ${domain}: ${added} added, ${entries.length - added} updated${current ? `, ${unchanged} unchanged` : ' (no credentials: values not compared, every one re-sealed)'}`);
  for (const e of entries) info(`  ${e.name}`);
  return 0;
}

