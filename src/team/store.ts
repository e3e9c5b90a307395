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
import { randomBytes, wipe } from '../crypto/index.js';
import { type KdfCost, keyPairMatches, newBoxKeyPair, sealTo, sha512 } from '../crypto/team.js';
import { SeeqretError } from '../errors.js';
import { atomicWriteFile } from '../util/atomic-write.js';
import { codePointCompare } from '../util/compare.js';
import { readTextFileCapped } from '../util/read-capped.js';
import { openDomainKey, openDomainSecrets, rotatedDomain, withOwnerResealed, withSecrets, withoutCustodian, withoutOwner, withoutSecret } from './changes.js';
import { type CustodianEntry, type DomainEntry, type Extension, type TeamData, TEAM_ID_BYTES, extensionsOf, sameData, sortedEntries } from './format.js';
import { freezeData } from './frozen.js';
import { NEW_ORIGIN, type Origin, serializeSigned, signatureStatusOf } from './origin.js';
import { parseTeamText } from './read.js';
import { type CustodianInfo, type KeyType, type SignatureStatus, type TeamCredentials, type UnlockedCustodian, auditTimestamp, checkCustodianName, checkDomainName, checkSecretName, custodianInfo, newCustodian, notFound, secretKeyFromCredentials, signingKeyOf, valueBytes } from './rules.js';

export { type CustodianInfo, type KeyType, type SignatureChain, type SignatureStatus, type TeamCredentials, type UnlockedCustodian, auditTimestamp, checkCustodianName, checkDomainName, checkSecretName } from './rules.js';

/** A team file: immutable; every change returns a new one. */
export class TeamFile {
  /** The file this was read from (or will be written to). */
  readonly path: string;
  /** The file's content (frozen). */
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
    for (const [d, { secrets }] of sortedEntries(this.data.domains)) for (const s of secrets.keys()) out.set(s, [...(out.get(s) ?? []), d]);
    return new Map([...out].sort((a, b) => codePointCompare(a[0], b[0])));
  }

  /** Owners of a domain, sorted. */
  owners(domain: string): string[] {
    return [...this.#domain(domain).owners.keys()].sort(codePointCompare);
  }

  /** Domains `custodian` owns, sorted. */
  domainsOwnedBy(custodian: string): string[] {
    return sortedEntries(this.data.domains).filter(([, e]) => e.owners.has(custodian)).map(([d]) => d);
  }

  /** Custodian names, sorted. */
  custodianNames(): string[] {
    return [...this.data.custodians.keys()].sort(codePointCompare);
  }

  /** What is public about a custodian. */
  custodian(name: string): CustodianInfo {
    return custodianInfo(name, this.#custodian(name), this.domainsOwnedBy(name));
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
    const sk = secretKeyFromCredentials(c, creds);
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
    return openDomainKey(d, domain, who);
  }

  /** Decrypt every secret of a domain (names sorted). */
  decryptDomain(domain: string, who: UnlockedCustodian): Map<string, string> {
    const d = this.#domain(domain);
    return openDomainSecrets(d, domain, this.#domainSecretKey(domain, who));
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
    const { custodians, domains, owned } = withoutCustodian(this.data, name);
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
    const domains = new Map(this.data.domains);
    domains.set(domain, withoutOwner(d, owner));
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
    const { entry, log } = withSecrets(d, domain, entries);
    const domains = new Map(this.data.domains);
    domains.set(domain, entry);
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
    const domains = new Map(this.data.domains);
    domains.set(domain, withoutSecret(d, name));
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
    const domains = withOwnerResealed(this.data, who.name, owned, entry.publicKey, (name) => this.#domainSecretKey(name, who));
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
    const domains = new Map(this.data.domains);
    domains.set(domain, rotatedDomain(this.data, this.#domain(domain), values));
    return this.#with({ domains }, `rotated key for domain ${domain}`);
  }


  /** Add `newOwner` to every domain `by` owns (or to `domains`). */
  migrateOwner(newOwner: string, by: UnlockedCustodian, domains?: readonly string[]): TeamFile {
    this.#custodian(newOwner);
    const list = domains ?? this.domainsOwnedBy(by.name);
    if (list.length === 0) throw new SeeqretError('E_NOT_FOUND', `${by.name} does not own any domain`, 'Nothing to migrate.');
    return list.reduce<TeamFile>((f, d) => (f.data.domains.get(d)?.owners.has(newOwner) ? f : f.addOwner(d, newOwner, by)), this);
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
    return signatureStatusOf(this.data, this.#origin);
  }

  /** SHA-512 of the exact bytes this file was read from (`null` for a file created here). */
  readHash(): Buffer | null {
    return this.#origin.readHash ? Buffer.from(this.#origin.readHash) : null;
  }

  /** {@link TeamFile.readHash} of a file read from bytes; `E_INTERNAL` for one created here (a caller's bug). */
  sourceHash(): Buffer {
    const hash = this.readHash();
    if (hash === null) throw new SeeqretError('E_INTERNAL', `${this.path} was not read from a file`, 'Report this bug.');
    return hash;
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
    return serializeSigned(this.data, this.#origin, this.path, signer, opts.seq ?? this.nextSeq());
  }

  /** The signing public key `who` signs with. */
  static readonly signingKeyOf: (who: UnlockedCustodian) => Buffer = signingKeyOf;

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
