/**
 * The team store: a typed, immutable view of a pocket_protector `protected.yaml`.
 *
 * Every change returns a new {@link TeamFile} (the old one is untouched), with its audit entry
 * appended, as the old tool's `KeyFile` does; {@link TeamFile.write} writes it atomically.
 *
 * ```ts
 * import { TeamFile } from 'seeqret/team';
 * const tf = TeamFile.open('protected.yaml');
 * const me = tf.unlock({ name: 'alice@example.com', passphrase });
 * const secrets = tf.decryptDomain('prod', me);           // Map name → value
 * tf.addSecret('prod', 'API_KEY', 'sk_live_…').write();    // anyone can add: no credentials
 * ```
 *
 * @module
 */
import fs from 'node:fs';
import { constantTimeEqual, randomBytes, wipe } from '../crypto/index.js';
import {
  FAST_COST,
  HARD_COST,
  type KdfCost,
  RAW_PASSPHRASE_RE,
  custodianSigningKey,
  deriveCustodianSecretKey,
  keyPairMatches,
  newBoxKeyPair,
  newCustodianSalt,
  openSealed,
  publicKeyOf,
  sealTo,
  sha512,
  signDetached,
  verifyDetached,
} from '../crypto/team.js';
import { SeeqretError } from '../errors.js';
import { atomicWriteFile } from '../util/atomic-write.js';
import { decodeUtf8, readTextFileCapped } from '../util/read-capped.js';
import { type CustodianEntry, type DomainEntry, type Extension, type ParsedTeamFile, type SignatureEntry, type SourceText, type TeamData, PREV_BYTES, TEAM_ID_BYTES, extensionsOf, sameData, signatureBlock, signatureMessage } from './format.js';
import { codePointCompare } from '../util/compare.js';
import { parseTeamText } from './read.js';
import { serializeTeamData } from './serialize.js';

/** Key types of a passphrase custodian, plus the seeqret identity extension. */
export type KeyType = 'hard' | 'fast' | 'raw';

/** Credentials of a key custodian: a passphrase, or (identity custodians) the local vault's X25519 secret key. */
export type TeamCredentials = { readonly name: string; readonly passphrase: string } | { readonly name: string; readonly identitySecretKey: Buffer };

/** A custodian whose secret key was derived and checked. Wipe `secretKey` (`fill(0)`) when done. */
export interface UnlockedCustodian {
  readonly name: string;
  readonly publicKey: Buffer;
  readonly secretKey: Buffer;
}

/**
 * The chain fields of a version-2 signature: the team id, the sequence number, and SHA-512 of the
 * file the signed version was written over. `null` for a legacy (version 1) signature.
 */
export interface SignatureChain {
  readonly team: Buffer;
  readonly seq: number;
  readonly prev: Buffer;
}

/** What {@link TeamFile.signatureStatus} found. */
export type SignatureStatus =
  | { readonly state: 'unsigned' }
  | { readonly state: 'missing' }
  | { readonly state: 'invalid'; readonly by: string; readonly key: Buffer; readonly chain: SignatureChain | null }
  | { readonly state: 'valid'; readonly by: string; readonly key: Buffer; readonly chain: SignatureChain | null };

/** Where a TeamFile's content came from: the text it was read from, and the signature it had. */
interface Origin {
  readonly source: SourceText | undefined;
  readonly signature: ParsedTeamFile['signature'];
  /** SHA-512 of the bytes it was parsed from (null: created, never read). */
  readonly readHash: Buffer | null;
  /** The team id a signed write uses (from the signature, or new when signing starts). */
  readonly team: Buffer | null;
}
const NEW_ORIGIN: Origin = { source: undefined, signature: null, readHash: null, team: null };

/** Public description of a custodian. */
export interface CustodianInfo {
  readonly name: string;
  /** `hard` (v0, or v1 with the hard cost), `fast` (v1 with the fast cost), `custom` (v1, other cost), `raw` (v2), `identity` (seeqret extension). */
  readonly type: 'hard' | 'fast' | 'custom' | 'raw' | 'identity';
  readonly pwdkmVersion: 0 | 1 | 2 | null;
  readonly publicKey: Buffer;
  readonly cost: KdfCost | null;
  readonly owns: string[];
}

const DOMAIN_RE = /^(?!meta)[A-Za-z0-9][-_.A-Za-z0-9]{0,99}$/;
const SECRET_RE = /^[A-Za-z][-_A-Za-z0-9]{0,119}$/;
// eslint-disable-next-line no-control-regex
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

function costOf(keyType: KeyType | KdfCost): KdfCost | 'raw' {
  if (keyType === 'raw') return 'raw';
  if (keyType === 'hard') return HARD_COST;
  if (keyType === 'fast') return FAST_COST;
  return keyType;
}

/** Create a custodian entry and its secret key from a passphrase. */
function newCustodian(name: string, passphrase: string, keyType: KeyType | KdfCost): { entry: CustodianEntry; secretKey: Buffer } {
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

const notFound = (what: string, name: string, known: Iterable<string>, file: string): SeeqretError =>
  new SeeqretError('E_NOT_FOUND', `no ${what} named ${name} in ${file}`, `Known ${what}s: ${[...known].sort(codePointCompare).join(', ') || '(none)'}.`);

/** A team file: immutable; every change returns a new one. */
export class TeamFile {
  /** The file this was read from (or will be written to). */
  readonly path: string;
  readonly data: TeamData;
  readonly #origin: Origin;

  private constructor(path: string, data: TeamData, origin: Origin) {
    this.path = path;
    this.data = freezeData(data);
    this.#origin = origin;
  }

  /** A new, empty team file (not written yet) whose audit log says `created`. */
  static create(path: string, now = new Date()): TeamFile {
    return new TeamFile(path, { domains: new Map(), custodians: new Map(), audit: [`${auditTimestamp(now)} -- created`], signed: false }, NEW_ORIGIN);
  }

  /** Parse team-file text; `path` is where {@link write} writes. */
  static parse(text: string, path: string): TeamFile {
    const p = parseTeamText(text, path);
    const entry = p.signature?.entry;
    const team = entry?.version === 2 ? entry.team : p.data.signed ? randomBytes(TEAM_ID_BYTES) : null;
    return new TeamFile(path, p.data, { source: p.source, signature: p.signature, readHash: sha512(Buffer.from(text, 'utf8')), team });
  }

  /** Read and parse a team file (E_FILE_NOT_FOUND when it does not exist). */
  static open(path: string): TeamFile {
    return TeamFile.parse(readTextFileCapped(path, 'teamFile'), path);
  }

  #with(data: Partial<TeamData>, ...log: string[]): TeamFile {
    const now = auditTimestamp();
    return new TeamFile(this.path, { ...this.data, ...data, audit: [...(data.audit ?? this.data.audit), ...log.map((m) => `${now} -- ${m}`)] }, this.#origin);
  }

  // -------------------------------------------------------------------------------------------
  // Queries

  /** Domain names, sorted. */
  domainNames(): string[] {
    return [...this.data.domains.keys()].sort(codePointCompare);
  }

  #domain(name: string): DomainEntry {
    const d = this.data.domains.get(name);
    if (!d) throw notFound('domain', name, this.data.domains.keys(), this.path);
    return d;
  }

  #custodian(name: string): CustodianEntry {
    const c = this.data.custodians.get(name);
    if (!c) throw notFound('key custodian', name, this.data.custodians.keys(), this.path);
    return c;
  }

  /** Secret names of a domain, sorted. */
  secretNames(domain: string): string[] {
    return [...this.#domain(domain).secrets.keys()].sort(codePointCompare);
  }

  /** Every secret name with the domains holding it (names sorted, domains sorted). */
  allSecrets(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const d of this.domainNames()) for (const s of this.data.domains.get(d)!.secrets.keys()) out.set(s, [...(out.get(s) ?? []), d]);
    return new Map([...out].sort((a, b) => codePointCompare(a[0], b[0])));
  }

  /** Owners of a domain, sorted. */
  owners(domain: string): string[] {
    return [...this.#domain(domain).owners.keys()].sort(codePointCompare);
  }

  /** Domains `custodian` owns, sorted. */
  domainsOwnedBy(custodian: string): string[] {
    return this.domainNames().filter((d) => this.data.domains.get(d)!.owners.has(custodian));
  }

  /** Custodian names, sorted. */
  custodianNames(): string[] {
    return [...this.data.custodians.keys()].sort(codePointCompare);
  }

  /** What is public about a custodian. */
  custodian(name: string): CustodianInfo {
    const entry = this.#custodian(name);
    const c = { ...entry, publicKey: Buffer.from(entry.publicKey) } as CustodianEntry;
    const owns = this.domainsOwnedBy(name);
    if (c.kind === 'identity') return { name, type: 'identity', pwdkmVersion: null, publicKey: c.publicKey, cost: null, owns };
    if (c.kind === 'raw') return { name, type: 'raw', pwdkmVersion: 2, publicKey: c.publicKey, cost: null, owns };
    if (c.kind === 'v0') return { name, type: 'hard', pwdkmVersion: 0, publicKey: c.publicKey, cost: HARD_COST, owns };
    const cost = { opslimit: c.opslimit, memlimit: c.memlimit };
    const type = cost.opslimit === FAST_COST.opslimit && cost.memlimit === FAST_COST.memlimit ? 'fast' : cost.opslimit === HARD_COST.opslimit && cost.memlimit === HARD_COST.memlimit ? 'hard' : 'custom';
    return { name, type, pwdkmVersion: 1, publicKey: c.publicKey, cost, owns };
  }

  /** The audit log, oldest first. */
  auditLog(): string[] {
    return [...this.data.audit];
  }

  /** seeqret extensions this file uses (empty: the old tool can read it). */
  extensions(): Extension[] {
    return extensionsOf(this.data);
  }

  // -------------------------------------------------------------------------------------------
  // Credentials

  /**
   * Derive and check a custodian's secret key (Argon2id for hard/fast custodians: deliberately
   * slow). A wrong passphrase is `E_TEAM_CREDENTIALS`.
   */
  unlock(creds: TeamCredentials): UnlockedCustodian {
    const c = this.data.custodians.get(creds.name);
    if (!c) throw new SeeqretError('E_TEAM_CREDENTIALS', `${creds.name} is not a key custodian of ${this.path}`, `Check the user name (custodians: ${this.custodianNames().join(', ') || 'none'}).`);
    let sk: Buffer;
    if (c.kind === 'identity') {
      if (!('identitySecretKey' in creds)) throw new SeeqretError('E_TEAM_CREDENTIALS', `${creds.name} is a seeqret identity custodian: it is unlocked with a seeqret vault, not a passphrase`, 'Run the command with --identity (and --vault / SEEQRET pointing at that vault).');
      sk = Buffer.from(creds.identitySecretKey);
    } else {
      if (!('passphrase' in creds)) throw new SeeqretError('E_TEAM_CREDENTIALS', `${creds.name} is a passphrase custodian, not a seeqret identity`, 'Give the passphrase instead of --identity.');
      if (c.kind === 'raw' && !RAW_PASSPHRASE_RE.test(creds.passphrase)) {
        throw new SeeqretError('E_TEAM_CREDENTIALS', `wrong key for raw custodian ${creds.name}`, 'A raw key is P, 64 hex digits, P, as shown when it was created.');
      }
      sk = deriveCustodianSecretKey(creds.passphrase, c.salt, creds.name, c.kind === 'raw' ? 'raw' : c.kind === 'v1' ? { opslimit: c.opslimit, memlimit: c.memlimit } : HARD_COST);
    }
    if (!keyPairMatches(c.publicKey, sk)) {
      wipe(sk);
      throw new SeeqretError(
        'E_TEAM_CREDENTIALS',
        c.kind === 'identity' ? `this vault's key is not the key of identity custodian ${creds.name}` : `wrong passphrase for ${creds.name}`,
        c.kind === 'identity' ? 'Use the vault that was added as this custodian (seeqret public-key shows its key).' : 'Check the passphrase; it is case-sensitive (and so is the user name).',
      );
    }
    return { name: creds.name, publicKey: Buffer.from(c.publicKey), secretKey: sk };
  }

  #domainSecretKey(domain: string, who: UnlockedCustodian): Buffer {
    const d = this.#domain(domain);
    const sealed = d.owners.get(who.name);
    if (!sealed) throw new SeeqretError('E_TEAM_NOT_OWNER', `${who.name} is not an owner of ${domain}`, `Ask an owner (${this.owners(domain).join(', ')}) to run \`seeqret team add-owner ${domain} ${who.name}\`.`);
    const dsk = openSealed(who.publicKey, who.secretKey, sealed);
    if (!dsk || dsk.length !== 32 || !constantTimeEqual(publicKeyOf(dsk), d.publicKey)) {
      if (dsk) wipe(dsk);
      throw new SeeqretError('E_DECRYPT', `the key of domain ${domain} sealed to ${who.name} does not open or does not match the domain`, 'The file was damaged or tampered with; restore it from git.');
    }
    return dsk;
  }

  /** Decrypt every secret of a domain (names sorted). */
  decryptDomain(domain: string, who: UnlockedCustodian): Map<string, string> {
    const d = this.#domain(domain);
    const dsk = this.#domainSecretKey(domain, who);
    try {
      const out = new Map<string, string>();
      for (const name of [...d.secrets.keys()].sort(codePointCompare)) {
        const pt = openSealed(d.publicKey, dsk, d.secrets.get(name)!);
        if (!pt) throw new SeeqretError('E_DECRYPT', `secret ${name} of ${domain} does not decrypt with the domain key`, `It was sealed to another key or damaged; set it again: \`seeqret team update-secret ${domain} ${name}\`.`);
        out.set(name, decodeUtf8(pt, `secret ${name} of ${domain}`));
        wipe(pt);
      }
      return out;
    } finally {
      wipe(dsk);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Changes (each returns a new TeamFile)

  /** Add a passphrase custodian (hard: Argon2id 4 × 256 MiB, fast: 2 × 64 MiB, raw: a generated `P…P` key). */
  addCustodian(name: string, passphrase: string, keyType: KeyType | KdfCost = 'hard'): TeamFile {
    checkCustodianName(name);
    if (this.data.custodians.has(name)) throw new SeeqretError('E_EXISTS', `key custodian ${name} already exists`, 'Choose another name; to change their passphrase, they run `seeqret team set-passphrase`.');
    const { entry, secretKey } = newCustodian(name, passphrase, keyType);
    wipe(secretKey);
    return this.#with({ custodians: new Map([...this.data.custodians, [name, entry]]) }, entry.kind === 'raw' ? `created raw-key custodian ${name}` : `created key custodian ${name}`);
  }

  /** Add a custodian that is a seeqret identity (its vault's X25519 public key): a seeqret extension. */
  addIdentityCustodian(name: string, publicKey: Buffer): TeamFile {
    checkCustodianName(name);
    if (this.data.custodians.has(name)) throw new SeeqretError('E_EXISTS', `key custodian ${name} already exists`, 'Choose another name.');
    if (publicKey.length !== 32) throw new SeeqretError('E_BAD_KEY', 'an identity public key is 32 bytes', 'Paste the key `seeqret public-key` prints.');
    return this.#with({ custodians: new Map([...this.data.custodians, [name, { kind: 'identity', publicKey: Buffer.from(publicKey) }]]) }, `created seeqret-identity custodian ${name}`);
  }

  /** Remove a custodian and its ownerships (refused while it is the last owner of a domain). */
  rmCustodian(name: string): TeamFile {
    this.#custodian(name);
    const owned = this.domainsOwnedBy(name);
    for (const d of owned) {
      if (this.data.domains.get(d)!.owners.size === 1) throw new SeeqretError('E_TEAM_LAST_OWNER', `${name} is the last owner of ${d}`, `Add another owner first (\`seeqret team add-owner ${d} NAME\`), or remove the domain.`);
    }
    const domains = new Map(this.data.domains);
    for (const d of owned) {
      const dom = domains.get(d)!;
      const owners = new Map(dom.owners);
      owners.delete(name);
      domains.set(d, { ...dom, owners });
    }
    const custodians = new Map(this.data.custodians);
    custodians.delete(name);
    return this.#with({ custodians, domains }, `removed key custodian ${name} (was owner of ${owned.join(', ')})`);
  }

  /** Add a domain owned by `owner` (who must be unlocked: the old tool checks the caller's credentials). */
  addDomain(domain: string, owner: UnlockedCustodian): TeamFile {
    checkDomainName(domain);
    if (this.data.domains.has(domain)) throw new SeeqretError('E_EXISTS', `domain ${domain} already exists`, 'Choose another name.');
    const c = this.#custodian(owner.name);
    const kp = newBoxKeyPair();
    const entry: DomainEntry = { publicKey: kp.publicKey, owners: new Map([[owner.name, sealTo(c.publicKey, kp.secretKey)]]), secrets: new Map() };
    wipe(kp.secretKey);
    return this.#with({ domains: new Map([...this.data.domains, [domain, entry]]) }, `created domain ${domain} with owner ${owner.name}`);
  }

  /** Remove a domain and its secrets. */
  rmDomain(domain: string): TeamFile {
    this.#domain(domain);
    const domains = new Map(this.data.domains);
    domains.delete(domain);
    return this.#with({ domains }, `deleted domain ${domain}`);
  }

  /** Make `newOwner` an owner of `domain`; `by` must be an owner. */
  addOwner(domain: string, newOwner: string, by: UnlockedCustodian): TeamFile {
    const d = this.#domain(domain);
    const c = this.#custodian(newOwner);
    if (d.owners.has(newOwner)) throw new SeeqretError('E_EXISTS', `${newOwner} is already an owner of ${domain}`, 'Nothing to do.');
    const dsk = this.#domainSecretKey(domain, by);
    const sealed = sealTo(c.publicKey, dsk);
    wipe(dsk);
    const domains = new Map(this.data.domains);
    domains.set(domain, { ...d, owners: new Map([...d.owners, [newOwner, sealed]]) });
    return this.#with({ domains }, `${by.name} added owner ${newOwner} to ${domain}`);
  }

  /**
   * Remove an owner (never the last one). With `rotateBy` (a remaining owner) the domain key is
   * rotated in the same change, so the file no longer holds anything the removed owner can open.
   * `readable` lists the secrets they could read: change them at their services.
   */
  rmOwner(domain: string, owner: string, opts: { rotateBy?: UnlockedCustodian } = {}): { file: TeamFile; readable: string[] } {
    const d = this.#domain(domain);
    if (!d.owners.has(owner)) throw new SeeqretError('E_NOT_FOUND', `${owner} is not an owner of ${domain}`, `Owners: ${this.owners(domain).join(', ')}.`);
    if (d.owners.size === 1) throw new SeeqretError('E_TEAM_LAST_OWNER', `${owner} is the last owner of ${domain}; its secrets would be lost`, `Add another owner first (\`seeqret team add-owner ${domain} NAME\`), or remove the domain.`);
    if (opts.rotateBy && opts.rotateBy.name === owner) throw new SeeqretError('E_USAGE', 'the rotation must be done by an owner who stays', 'Give the credentials of another owner.');
    const readable = this.secretNames(domain);
    const owners = new Map(d.owners);
    owners.delete(owner);
    const domains = new Map(this.data.domains);
    domains.set(domain, { ...d, owners });
    let file = this.#with({ domains }, `removed owner ${owner} from ${domain}`);
    if (opts.rotateBy) file = file.rotateDomain(domain, opts.rotateBy);
    return { file, readable };
  }

  /** Add a secret (E_EXISTS if it exists). No credentials: it is sealed to the domain's public key. */
  addSecret(domain: string, name: string, value: string): TeamFile {
    checkSecretName(name);
    if (this.#domain(domain).secrets.has(name)) throw new SeeqretError('E_EXISTS', `secret ${name} already exists in ${domain}`, `Use \`seeqret team update-secret ${domain} ${name}\`.`);
    return this.#setSecret(domain, name, value, `added secret ${name} in ${domain}`);
  }

  /** Replace a secret's value (E_NOT_FOUND if it does not exist). */
  updateSecret(domain: string, name: string, value: string): TeamFile {
    if (!this.#domain(domain).secrets.has(name)) throw notFound('secret', name, this.#domain(domain).secrets.keys(), `domain ${domain}`);
    return this.#setSecret(domain, name, value, `updated secret ${name} in ${domain}`);
  }

  /** Add or replace several secrets in one change (one audit entry each). */
  setSecrets(domain: string, entries: ReadonlyArray<{ name: string; value: string }>): TeamFile {
    const d = this.#domain(domain);
    for (const e of entries) checkSecretName(e.name);
    const secrets = new Map(d.secrets);
    const log: string[] = [];
    for (const e of entries) {
      log.push(secrets.has(e.name) ? `updated secret ${e.name} in ${domain}` : `added secret ${e.name} in ${domain}`);
      secrets.set(e.name, sealTo(d.publicKey, valueBytes(e.value)));
    }
    const domains = new Map(this.data.domains);
    domains.set(domain, { ...d, secrets });
    return this.#with({ domains }, ...log);
  }

  #setSecret(domain: string, name: string, value: string, log: string): TeamFile {
    const d = this.#domain(domain);
    const domains = new Map(this.data.domains);
    domains.set(domain, { ...d, secrets: new Map([...d.secrets, [name, sealTo(d.publicKey, valueBytes(value))]]) });
    return this.#with({ domains }, log);
  }

  /** Remove a secret. */
  rmSecret(domain: string, name: string): TeamFile {
    const d = this.#domain(domain);
    if (!d.secrets.has(name)) throw notFound('secret', name, d.secrets.keys(), `domain ${domain}`);
    const secrets = new Map(d.secrets);
    secrets.delete(name);
    const domains = new Map(this.data.domains);
    domains.set(domain, { ...d, secrets });
    return this.#with({ domains }, `removed secret ${name} from ${domain}`);
  }

  /**
   * Give `who` a new key (new salt, new passphrase, optionally another key type) and re-seal the
   * key of every domain they own to it. `how` picks the audit message: `passphrase`
   * (set-key-custodian-passphrase) or `rekey` (rekey-custodian).
   */
  changeCustodianKey(who: UnlockedCustodian, newPassphrase: string, keyType: KeyType = 'hard', how: 'passphrase' | 'rekey' = 'passphrase'): TeamFile {
    const cur = this.#custodian(who.name);
    if (cur.kind === 'identity') throw new SeeqretError('E_USAGE', `${who.name} is a seeqret identity custodian: it has no passphrase`, 'Remove it and add a passphrase custodian instead.');
    const { entry, secretKey } = newCustodian(who.name, newPassphrase, keyType);
    wipe(secretKey);
    const owned = this.domainsOwnedBy(who.name);
    const domains = new Map(this.data.domains);
    for (const name of owned) {
      const d = domains.get(name)!;
      const dsk = this.#domainSecretKey(name, who);
      domains.set(name, { ...d, owners: new Map([...d.owners, [who.name, sealTo(entry.publicKey, dsk)]]) });
      wipe(dsk);
    }
    const custodians = new Map([...this.data.custodians, [who.name, entry]]);
    const msg =
      how === 'rekey'
        ? `rekeyed custodian for ${who.name} (key type ${keyType}, updated domains -> ${owned.join(', ')})`
        : `updated key custodian passphrase for ${who.name} (updated domains -> ${owned.join(', ')})${keyType === 'fast' ? ' (custom KDF params)' : ''}`;
    return this.#with({ custodians, domains }, msg);
  }

  /** New key pair for a domain: every secret and every owner entry re-sealed. `by` must be an owner. */
  rotateDomain(domain: string, by: UnlockedCustodian): TeamFile {
    const values = this.decryptDomain(domain, by);
    const d = this.#domain(domain);
    const kp = newBoxKeyPair();
    const owners = new Map<string, Buffer>();
    for (const o of d.owners.keys()) owners.set(o, sealTo(this.#custodian(o).publicKey, kp.secretKey));
    wipe(kp.secretKey);
    const secrets = new Map<string, Buffer>();
    for (const [name, value] of values) secrets.set(name, sealTo(kp.publicKey, valueBytes(value)));
    const domains = new Map(this.data.domains);
    domains.set(domain, { publicKey: kp.publicKey, owners, secrets });
    return this.#with({ domains }, `rotated key for domain ${domain}`);
  }

  /** Add `newOwner` to every domain `by` owns (or to `domains`). */
  migrateOwner(newOwner: string, by: UnlockedCustodian, domains?: readonly string[]): TeamFile {
    this.#custodian(newOwner);
    const list = domains ?? this.domainsOwnedBy(by.name);
    if (list.length === 0) throw new SeeqretError('E_NOT_FOUND', `${by.name} does not own any domain`, 'Nothing to migrate.');
    let f: TeamFile = this;
    for (const d of list) if (!f.data.domains.get(d)?.owners.has(newOwner)) f = f.addOwner(d, newOwner, by);
    return f;
  }

  /** Keep the last `keep` audit entries, prefixed by an untimestamped `truncated K audit log entries`. */
  truncateAudit(keep: number): TeamFile {
    if (!Number.isSafeInteger(keep) || keep < 0) throw new SeeqretError('E_USAGE', 'the number of entries to keep must be a whole number', 'Give a count such as 100.');
    const log = this.data.audit;
    if (log.length <= keep) return this;
    const dropped = log.length - keep;
    return new TeamFile(this.path, { ...this.data, audit: [`truncated ${dropped} audit log entries`, ...log.slice(log.length - keep)] }, this.#origin);
  }

  /** Turn the signing extension on or off (on: every later write must be signed by a custodian). */
  withSigning(on: boolean): TeamFile {
    if (this.data.signed === on) return this;
    const next = this.#with({ signed: on }, on ? 'enabled signatures (seeqret extension)' : 'disabled signatures (seeqret extension)');
    if (!on || this.#origin.team !== null) return next;
    return new TeamFile(next.path, next.data, { ...this.#origin, team: randomBytes(TEAM_ID_BYTES) });
  }

  // -------------------------------------------------------------------------------------------
  // Signatures and writing

  /** The signature of the file as read: unsigned, missing (declared but absent), invalid or valid. */
  signatureStatus(): SignatureStatus {
    if (!this.data.signed) return { state: 'unsigned' };
    const s = this.#origin.signature;
    if (!s) return { state: 'missing' };
    const e = s.entry;
    const ok = this.data.custodians.has(e.by) && verifyDetached(e.key, signatureMessage(e, sha512(s.content)), e.sig);
    const chain = e.version === 2 ? { team: Buffer.from(e.team), seq: e.seq, prev: Buffer.from(e.prev) } : null;
    return { state: ok ? 'valid' : 'invalid', by: e.by, key: Buffer.from(e.key), chain };
  }

  /** SHA-512 of the exact bytes this file was read from (`null` for a file created here). */
  readHash(): Buffer | null {
    return this.#origin.readHash ? Buffer.from(this.#origin.readHash) : null;
  }

  /** The team id a signed write of this file carries (`null` while it is not signed). */
  teamId(): Buffer | null {
    return this.data.signed && this.#origin.team ? Buffer.from(this.#origin.team) : null;
  }

  /** The sequence number a signed write gets by default: one more than the signature read. */
  nextSeq(): number {
    const e = this.#origin.signature?.entry;
    return (e?.version === 2 ? e.seq : 0) + 1;
  }

  /**
   * The file's text. A signed file needs `signer` (an unlocked custodian), who signs it, with the
   * team id, the sequence number `seq` (default {@link nextSeq}) and the hash of the file this
   * was read from as the predecessor.
   */
  serialize(signer?: UnlockedCustodian, opts: { seq?: number } = {}): string {
    const content = serializeTeamData(this.data, this.#origin.source);
    if (!this.data.signed) return content;
    if (!signer) throw new SeeqretError('E_TEAM_SIGNATURE', `${this.path} is signed: every change must be signed by a key custodian`, 'Give your credentials (-u NAME and a passphrase, or --identity).');
    const seq = opts.seq ?? this.nextSeq();
    if (!Number.isSafeInteger(seq) || seq < 1) throw new SeeqretError('E_INTERNAL', `bad sequence number ${seq}`, 'Report this bug; nothing was written.');
    const sk = custodianSigningKey(signer.secretKey, signer.name);
    try {
      const fields = { version: 2 as const, by: signer.name, key: sk.publicKey, team: this.#origin.team ?? randomBytes(TEAM_ID_BYTES), seq, prev: this.#origin.readHash ?? Buffer.alloc(PREV_BYTES) };
      const entry: SignatureEntry = { ...fields, sig: signDetached(sk.secretKey, signatureMessage(fields, sha512(Buffer.from(content, 'utf8')))) };
      return content + signatureBlock(entry);
    } finally {
      wipe(sk.secretKey);
    }
  }

  /** The signing public key `who` signs with. */
  static signingKeyOf(who: UnlockedCustodian): Buffer {
    const sk = custodianSigningKey(who.secretKey, who.name);
    wipe(sk.secretKey);
    return sk.publicKey;
  }

  /**
   * Write the file atomically (0600), after checking that the text reads back as this content.
   * Returns the text written.
   */
  write(signer?: UnlockedCustodian, opts: { seq?: number } = {}): string {
    const text = this.serialize(signer, opts);
    const back = parseTeamText(text, this.path);
    if (!sameData(back.data, this.data)) throw new SeeqretError('E_INTERNAL', 'the team file would not read back as written', 'Report this bug; nothing was written.');
    atomicWriteFile(this.path, text);
    return text;
  }

  /** True when the file exists on disk. */
  exists(): boolean {
    return fs.existsSync(this.path);
  }
}

const frozen = new WeakSet<object>();

function refuseChange(): never {
  throw new TypeError('a TeamFile is immutable: use its methods, which return a new TeamFile');
}

/** Make a map of the file's content read-only at run time too (set, delete and clear throw). */
function freezeMap<K, V>(m: ReadonlyMap<K, V>): ReadonlyMap<K, V> {
  if (frozen.has(m)) return m;
  for (const method of ['set', 'delete', 'clear']) Object.defineProperty(m, method, { value: refuseChange });
  frozen.add(Object.freeze(m));
  return m;
}

/**
 * Freeze the content of a TeamFile (objects, arrays, maps; Buffers cannot be frozen, so the
 * accessors hand out copies). Parts shared with the file it was derived from are frozen already.
 */
function freezeData(data: TeamData): TeamData {
  if (frozen.has(data)) return data;
  for (const d of data.domains.values()) {
    if (frozen.has(d)) continue;
    freezeMap(d.owners);
    freezeMap(d.secrets);
    frozen.add(Object.freeze(d));
  }
  for (const c of data.custodians.values()) Object.freeze(c);
  freezeMap(data.domains);
  freezeMap(data.custodians);
  Object.freeze(data.audit);
  frozen.add(Object.freeze(data));
  return data;
}

function valueBytes(value: string): Buffer {
  if (typeof value !== 'string' || /[\uD800-\uDFFF]/.test(value.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ''))) {
    throw new SeeqretError('E_BAD_VALUE', 'the value is not valid Unicode text', 'Values must be UTF-8 text; base64-encode binary data first.');
  }
  return Buffer.from(value, 'utf8');
}
