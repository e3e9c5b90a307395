/**
 * Custodian use cases: create the file with its first custodian, add or remove one (with the
 * report of what they could read), change one's passphrase or key.
 *
 * Each returns its result as data; a step that must be seen before anything is written (a
 * generated raw key, an identity key's fingerprint) goes through the session's prompts or comes
 * back from a `plan…` function that the caller shows before calling {@link writeTeam}.
 *
 * @module
 */
import { fingerprint, keyFromBase64 } from '../crypto/index.js';
import { newRawPassphrase } from '../crypto/team.js';
import { SeeqretError } from '../errors.js';
import { keyTypeOf, newPassphrase, requireCustodian } from './credentials.js';
import { type TeamNotice, type TeamSession, quoteArg, teamHint } from './session.js';
import { type KeyType, TeamFile, type UnlockedCustodian, checkCustodianName } from './store.js';
import { type TeamPlan, type WriteResult, writeTeam } from './write.js';

/** The key of a new custodian, as the person chose it. */
export interface NewCustodianKey {
  /** `hard` (default), `fast`, `raw` or `identity`. */
  readonly keyType?: string | undefined;
  /** Identity custodian: this public key (base64 or age1…). */
  readonly pubkey?: string | undefined;
  /** Identity custodian: the public key of this user of the local vault. */
  readonly vaultUser?: string | undefined;
}

/** {@link planNewCustodian}'s result: the change to write and what to tell first. */
export interface CustodianPlan {
  readonly name: string;
  readonly change: (tf: TeamFile) => TeamFile;
  readonly notices: readonly TeamNotice[];
}

async function rawKey(s: TeamSession, key: string): Promise<void> {
  if (!(await s.prompts.rawKey(key))) throw new SeeqretError('E_ABORTED', 'the key was not confirmed; nothing was written', 'Run the command again and save the key.');
}

/**
 * The change that adds custodian `name` as `key` says: asks for (or generates and shows) its key
 * first. `before`: the file it goes into, checked before anything is asked (an existing name).
 */
export async function planNewCustodian(s: TeamSession, name: string, key: NewCustodianKey, before?: TeamFile): Promise<CustodianPlan> {
  const type = key.keyType ?? 'hard';
  if (type === 'identity') {
    let pub: Buffer | null;
    if (key.pubkey) {
      const { parsePublicKey } = await import('../crypto/age.js');
      pub = parsePublicKey(key.pubkey);
    } else if (key.vaultUser) {
      const user = key.vaultUser;
      pub = await s.vault.use((v) => keyFromBase64(v.user(user).pubkey), { readonly: true });
    } else pub = (await s.vault.identity()).publicKey;
    if (!pub) throw new SeeqretError('E_BAD_KEY', 'not an X25519 public key (44 characters of base64, or age1…)', 'Paste the key `seeqret public-key` prints.');
    const k = pub;
    before?.addIdentityCustodian(name, k); // refuse (an existing name) before printing anything
    return { name, change: (tf) => tf.addIdentityCustodian(name, k), notices: [{ level: 'info', text: `identity custodian ${name}: key fingerprint ${fingerprint(k)}` }] };
  }
  const keyType = keyTypeOf(type);
  if (keyType === 'raw') {
    const raw = newRawPassphrase();
    const add = (tf: TeamFile): TeamFile => tf.addCustodian(name, raw, 'raw');
    if (before) add(before); // refuse before showing a key that would not be used
    await rawKey(s, raw);
    return { name, change: add, notices: [] };
  }
  checkCustodianName(name);
  if (before?.data.custodians.has(name)) before.addCustodian(name, '', keyType); // E_EXISTS before asking for a passphrase
  const pass = await newPassphrase(s, true);
  return { name, change: (tf) => tf.addCustodian(name, pass, keyType), notices: [] };
}

/** What a removed custodian or owner could read, domain by domain. */
export interface ReadableDomain {
  readonly domain: string;
  /** The names of its secrets. */
  readonly secrets: readonly string[];
  /** Whether its key was rotated in the same write. */
  readonly rotated: boolean;
}

/** What `who` could read in `domains` of `tf`. */
export function readableBy(tf: TeamFile, domains: readonly string[], rotated: readonly string[]): ReadableDomain[] {
  return domains.map((d) => ({ domain: d, secrets: tf.secretNames(d), rotated: rotated.includes(d) }));
}

/** The report of {@link readableBy} as lines for the person (with the commands to run next). */
export function readableLines(s: TeamSession, who: string, readable: readonly ReadableDomain[]): string[] {
  const lines: string[] = [];
  for (const { domain: d, secrets: names, rotated } of readable) {
    lines.push(`${who} could read ${names.length} secret${names.length === 1 ? '' : 's'} of ${d}${names.length ? ': ' + names.join(', ') : ''}`);
    if (names.length) lines.push(`  change them where they are used, then: ${teamHint(s, `update-secret ${quoteArg(d)} NAME`)}`);
    if (!rotated) lines.push(`  the key of ${d} was not rotated: ${who} can still read every value set in it from now on; run: ${teamHint(s, `rotate ${quoteArg(d)}`)}`);
    else lines.push(`  the key of ${d} was rotated: values set from now on are out of ${who}'s reach (the old ones are in git history)`);
  }
  return lines;
}

/** {@link removeCustodian}'s result. */
export interface RemovedCustodian {
  readonly write: WriteResult;
  /** What they could read (from the file as it was). */
  readonly readable: readonly ReadableDomain[];
}

/**
 * Remove custodian `name` and its ownerships. `rotate`: rotate the key of every domain they
 * owned that the acting custodian (asked for) owns too, in the same write.
 */
export async function removeCustodian(s: TeamSession, tf: TeamFile, name: string, rotate: boolean): Promise<RemovedCustodian> {
  tf.rmCustodian(name); // validate before asking for anything
  let by: UnlockedCustodian | undefined;
  if (rotate && tf.domainsOwnedBy(name).length > 0) {
    by = await requireCustodian(s, tf);
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
  const write = await writeTeam(s, tf, change, { signer: by });
  const was = write.before ?? tf;
  return { write, readable: readableBy(was, was.domainsOwnedBy(name), rotated) };
}

/** {@link changeCustodianKey}'s result. */
export interface KeyChange {
  readonly write: WriteResult;
  readonly custodian: string;
  readonly keyType: KeyType;
  /** The domains whose keys were re-sealed to the new key. */
  readonly domains: readonly string[];
}

/**
 * Give the acting custodian a new passphrase (`passphrase`: hard or fast) or a new key of any
 * type (`rekey`); a raw key is generated and shown through the prompts. A signed file is signed
 * with the new key.
 */
export async function changeCustodianKey(s: TeamSession, tf: TeamFile, how: 'passphrase' | 'rekey', keyType?: string): Promise<KeyChange> {
  const me = await requireCustodian(s, tf);
  const type = keyTypeOf(keyType, how === 'rekey' ? ['hard', 'fast', 'raw'] : ['hard', 'fast']);
  let pass: string;
  if (type === 'raw') {
    pass = newRawPassphrase();
    await rawKey(s, pass);
  } else pass = await newPassphrase(s, false);
  // A signed file is signed with the new key (derived again: the old one no longer belongs to the custodian).
  const change = (f: TeamFile): TeamPlan => {
    const next = f.changeCustodianKey(me, pass, type, how);
    return { next, signer: next.data.signed ? next.unlock({ name: me.name, passphrase: pass }) : undefined };
  };
  const write = await writeTeam(s, tf, change, { signer: me });
  return { write, custodian: me.name, keyType: type, domains: (write.before ?? tf).domainsOwnedBy(me.name) };
}
