/**
 * The team store's types and rules: names it accepts, custodian key types and creation,
 * the public view of a custodian. Split from store.ts (decision 43).
 *
 * @module
 */
import { wipe } from '../crypto/index.js';
import { FAST_COST, HARD_COST, type KdfCost, RAW_PASSPHRASE_RE, custodianSigningKey, deriveCustodianSecretKey, newCustodianSalt, publicKeyOf } from '../crypto/team.js';
import { SeeqretError } from '../errors.js';
import { codePointCompare } from '../util/compare.js';
import type { CustodianEntry } from './format.js';

/** Key types of a passphrase custodian, plus the seeqret identity extension. */
export type KeyType = 'hard' | 'fast' | 'raw';

/** Credentials of a key custodian: a passphrase, or (identity custodians) the local vault's X25519 secret key. */
export type TeamCredentials = { readonly name: string; readonly passphrase: string } | { readonly name: string; readonly identitySecretKey: Buffer };

/** A custodian whose secret key was derived and checked. Wipe `secretKey` (`fill(0)`) when done. */
export interface UnlockedCustodian {
  /** The custodian's name. */
  readonly name: string;
  /** The custodian's X25519 public key. */
  readonly publicKey: Buffer;
  /** The custodian's X25519 secret key, unlocked (wipe it when done). */
  readonly secretKey: Buffer;
}

/**
 * The chain fields of a version-2 signature: the team id, the sequence number, and SHA-512 of the
 * file the signed version was written over. `null` for a legacy (version 1) signature.
 */
export interface SignatureChain {
  /** The team id. */
  readonly team: Buffer;
  /** The sequence number of the signed version. */
  readonly seq: number;
  /** SHA-512 of the file this version was written over. */
  readonly prev: Buffer;
}

/** What {@link TeamFile.signatureStatus} found. */
export type SignatureStatus =
  | { readonly state: 'unsigned' }
  | { readonly state: 'missing' }
  | { readonly state: 'invalid'; readonly by: string; readonly key: Buffer; readonly chain: SignatureChain | null }
  | { readonly state: 'valid'; readonly by: string; readonly key: Buffer; readonly chain: SignatureChain | null };

/** Public description of a custodian. */
export interface CustodianInfo {
  /** The custodian's name. */
  readonly name: string;
  /** `hard` (v0, or v1 with the hard cost), `fast` (v1 with the fast cost), `custom` (v1, other cost), `raw` (v2), `identity` (seeqret extension). */
  readonly type: 'hard' | 'fast' | 'custom' | 'raw' | 'identity';
  /** The key derivation version of a passphrase custodian (`null` for an identity custodian). */
  readonly pwdkmVersion: 0 | 1 | 2 | null;
  /** The custodian's X25519 public key. */
  readonly publicKey: Buffer;
  /** The Argon2id cost of a passphrase custodian (`null` when it has none). */
  readonly cost: KdfCost | null;
  /** The domains this custodian owns. */
  readonly owns: string[];
}

const DOMAIN_RE = /^(?!meta)[A-Za-z0-9][-_.A-Za-z0-9]{0,99}$/;
const SECRET_RE = /^[A-Za-z][-_A-Za-z0-9]{0,119}$/;
const CUSTODIAN_RE = /^[^\s\p{Cc}\p{Cf}\u2028\u2029]{1,120}$/u;

/** Throw E_INVALID_NAME unless `name` is a domain name this tool creates. */
export function checkDomainName(name: string): string {
  if (name.startsWith('meta')) throw new SeeqretError('E_INVALID_NAME', `domain names may not start with 'meta' (${name})`, 'pocket_protector reserves them; choose another name.');
  if (!DOMAIN_RE.test(name)) throw new SeeqretError('E_INVALID_NAME', `bad domain name ${JSON.stringify(name)}`, "Use letters, digits and '-', '_', '.' (up to 100), starting with a letter or digit.");
  return name;
}

/** Throw E_INVALID_NAME unless `name` is a valid secret name (`^[A-Za-z][-_A-Za-z0-9]*$`). */
export function checkSecretName(name: string): string {
  if (!SECRET_RE.test(name)) throw new SeeqretError('E_INVALID_NAME', `bad secret name ${JSON.stringify(name)}`, "Start with a letter; then letters, digits, '-' and '_' (up to 120).");
  return name;
}

/** Throw E_INVALID_NAME unless `name` is a valid custodian name (usually an e-mail address). */
export function checkCustodianName(name: string): string {
  if (!CUSTODIAN_RE.test(name)) throw new SeeqretError('E_INVALID_NAME', `bad key custodian name ${JSON.stringify(name)}`, 'Use an e-mail address: no spaces or control characters, up to 120 characters.');
  return name;
}

/** The old tool's timestamp: UTC, whole seconds, `Z`. */
export function auditTimestamp(now: Date = new Date()): string {
  return now.toISOString().slice(0, 19) + 'Z';
}

export function costOf(keyType: KeyType | KdfCost): KdfCost | 'raw' {
  if (keyType === 'raw') return 'raw';
  if (keyType === 'hard') return HARD_COST;
  if (keyType === 'fast') return FAST_COST;
  return keyType;
}

/** Create a custodian entry and its secret key from a passphrase. */
export function newCustodian(name: string, passphrase: string, keyType: KeyType | KdfCost): { entry: CustodianEntry; secretKey: Buffer } {
  const cost = costOf(keyType);
  if (cost === 'raw' && !RAW_PASSPHRASE_RE.test(passphrase)) {
    throw new SeeqretError('E_USAGE', 'a raw custodian key must be P, 64 lower-case hex digits, P', 'Let seeqret generate it: `seeqret team add-custodian NAME --key-type raw`.');
  }
  if (cost !== 'raw' && passphrase.length === 0) throw new SeeqretError('E_USAGE', 'the passphrase is empty', 'Choose a passphrase.');
  const salt = newCustodianSalt();
  const secretKey = deriveCustodianSecretKey(passphrase, salt, name, cost);
  const publicKey = publicKeyOf(secretKey);
  // The old tool writes v0 (no stored cost) for its default and v1 when a cost is given.
  const entry: CustodianEntry =
    cost === 'raw'
      ? { kind: 'raw', salt, publicKey }
      : keyType === 'hard'
        ? { kind: 'v0', salt, publicKey }
        : { kind: 'v1', opslimit: cost.opslimit, memlimit: cost.memlimit, salt, publicKey };
  return { entry, secretKey };
}

export const notFound = (what: string, name: string, known: Iterable<string>, file: string): SeeqretError =>
  new SeeqretError('E_NOT_FOUND', `no ${what} named ${name} in ${file}`, `Known ${what}s: ${[...known].sort(codePointCompare).join(', ') || '(none)'}.`);

/** The public description of custodian `name` whose entry is `entry` and who owns `owns`. */
export function custodianInfo(name: string, entry: CustodianEntry, owns: string[]): CustodianInfo {
  const c = { ...entry, publicKey: Buffer.from(entry.publicKey) } as CustodianEntry;
  if (c.kind === 'identity') return { name, type: 'identity', pwdkmVersion: null, publicKey: c.publicKey, cost: null, owns };
  if (c.kind === 'raw') return { name, type: 'raw', pwdkmVersion: 2, publicKey: c.publicKey, cost: null, owns };
  if (c.kind === 'v0') return { name, type: 'hard', pwdkmVersion: 0, publicKey: c.publicKey, cost: HARD_COST, owns };
  const cost = { opslimit: c.opslimit, memlimit: c.memlimit };
  const type = cost.opslimit === FAST_COST.opslimit && cost.memlimit === FAST_COST.memlimit ? 'fast' : cost.opslimit === HARD_COST.opslimit && cost.memlimit === HARD_COST.memlimit ? 'hard' : 'custom';
  return { name, type, pwdkmVersion: 1, publicKey: c.publicKey, cost, owns };
}

/** A value as UTF-8 bytes; E_BAD_VALUE when it is not valid Unicode text (a lone surrogate). */
export function valueBytes(value: string): Buffer {
  if (typeof value !== 'string' || /[\uD800-\uDFFF]/.test(value.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ''))) {
    throw new SeeqretError('E_BAD_VALUE', 'the value is not valid Unicode text', 'Values must be UTF-8 text; base64-encode binary data first.');
  }
  return Buffer.from(value, 'utf8');
}

/**
 * The secret key `creds` give for custodian entry `c` (Argon2id for hard/fast custodians:
 * deliberately slow; a copy of the identity key for identity custodians), not yet checked
 * against the custodian's public key. E_TEAM_CREDENTIALS when the kind of credentials is wrong.
 */
export function secretKeyFromCredentials(c: CustodianEntry, creds: TeamCredentials): Buffer {
  if (c.kind === 'identity') {
    if (!('identitySecretKey' in creds)) throw new SeeqretError('E_TEAM_CREDENTIALS', `${creds.name} is a seeqret identity custodian: it is unlocked with a seeqret vault, not a passphrase`, 'Run the command with --identity (and --vault / SEEQRET pointing at that vault).');
    return Buffer.from(creds.identitySecretKey);
  }
  if (!('passphrase' in creds)) throw new SeeqretError('E_TEAM_CREDENTIALS', `${creds.name} is a passphrase custodian, not a seeqret identity`, 'Give the passphrase instead of --identity.');
  if (c.kind === 'raw' && !RAW_PASSPHRASE_RE.test(creds.passphrase)) {
    throw new SeeqretError('E_TEAM_CREDENTIALS', `wrong key for raw custodian ${creds.name}`, 'A raw key is P, 64 hex digits, P, as shown when it was created.');
  }
  return deriveCustodianSecretKey(creds.passphrase, c.salt, creds.name, c.kind === 'raw' ? 'raw' : c.kind === 'v1' ? { opslimit: c.opslimit, memlimit: c.memlimit } : HARD_COST);
}

/** The signing public key `who` signs with (its secret half wiped at once). */
export function signingKeyOf(who: UnlockedCustodian): Buffer {
  const sk = custodianSigningKey(who.secretKey, who.name);
  wipe(sk.secretKey);
  return sk.publicKey;
}
