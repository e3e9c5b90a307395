/**
 * Operations on a team file's content that need no private state of the TeamFile: opening a
 * domain's key and secrets, and changes that take the content and return the new parts (the
 * TeamFile validates, applies and audits them). Split from
 * store.ts (decision 43).
 *
 * @module
 */
import { constantTimeEqual, wipe } from '../crypto/index.js';
import { newBoxKeyPair, openSealed, publicKeyOf, sealTo } from '../crypto/team.js';
import { SeeqretError } from '../errors.js';
import type { CustodianEntry, DomainEntry, TeamData } from './format.js';
import { codePointCompare } from '../util/compare.js';
import { type UnlockedCustodian, valueBytes } from './rules.js';
import { decodeUtf8 } from '../util/read-capped.js';
import { present } from '../util/maps.js';

/** The custodians and domains without custodian `name` and its ownerships (refused while it is a domain's last owner). */
export function withoutCustodian(data: TeamData, name: string): { custodians: Map<string, CustodianEntry>; domains: Map<string, DomainEntry>; owned: string[] } {
  const ownedEntries = [...data.domains].filter(([, d]) => d.owners.has(name)).sort(([a], [b]) => codePointCompare(a, b));
  for (const [d, entry] of ownedEntries) {
    if (entry.owners.size === 1) throw new SeeqretError('E_TEAM_LAST_OWNER', `${name} is the last owner of ${d}`, `Add another owner first (\`seeqret team add-owner ${d} NAME\`), or remove the domain.`);
  }
  const domains = new Map(data.domains);
  for (const [d, entry] of ownedEntries) domains.set(d, withoutOwner(entry, name));
  const owned = ownedEntries.map(([d]) => d);
  const custodians = new Map(data.custodians);
  custodians.delete(name);
  return { custodians, domains, owned };
}

/** Domain `d` under a new key pair: every owner entry and every value (`values`, decrypted) re-sealed. */
export function rotatedDomain(data: TeamData, d: DomainEntry, values: ReadonlyMap<string, string>): DomainEntry {
  const kp = newBoxKeyPair();
  const owners = new Map<string, Buffer>();
  try {
    for (const o of d.owners.keys()) owners.set(o, sealTo(present(data.custodians, o, `custodian ${o}`).publicKey, kp.secretKey));
  } finally {
    wipe(kp.secretKey);
  }
  const secrets = new Map<string, Buffer>();
  for (const [name, value] of values) secrets.set(name, sealTo(kp.publicKey, valueBytes(value)));
  return { publicKey: kp.publicKey, owners, secrets };
}

/** Domain `d` with `entries` added or replaced (sealed to its public key), and one audit message each. */
export function withSecrets(d: DomainEntry, domain: string, entries: ReadonlyArray<{ name: string; value: string }>): { entry: DomainEntry; log: string[] } {
  const secrets = new Map(d.secrets);
  const log: string[] = [];
  for (const e of entries) {
    log.push(secrets.has(e.name) ? `updated secret ${e.name} in ${domain}` : `added secret ${e.name} in ${domain}`);
    secrets.set(e.name, sealTo(d.publicKey, valueBytes(e.value)));
  }
  return { entry: { ...d, secrets }, log };
}

/** The domains with custodian `name`'s entry in each of `owned` re-sealed to `publicKey` (`domainKey` opens a domain's key; it is wiped after use). */
export function withOwnerResealed(data: TeamData, name: string, owned: readonly string[], publicKey: Buffer, domainKey: (domain: string) => Buffer): Map<string, DomainEntry> {
  const domains = new Map(data.domains);
  for (const d of owned) {
    const entry = present(domains, d, `domain ${d}`);
    const dsk = domainKey(d);
    try {
      domains.set(d, { ...entry, owners: new Map([...entry.owners, [name, sealTo(publicKey, dsk)]]) });
    } finally {
      wipe(dsk);
    }
  }
  return domains;
}

/** Domain `d` without owner `owner`. */
export function withoutOwner(d: DomainEntry, owner: string): DomainEntry {
  const owners = new Map(d.owners);
  owners.delete(owner);
  return { ...d, owners };
}

/** Domain `d` without secret `name`. */
export function withoutSecret(d: DomainEntry, name: string): DomainEntry {
  const secrets = new Map(d.secrets);
  secrets.delete(name);
  return { ...d, secrets };
}

/** Open the key of domain `d` sealed to `who` (E_TEAM_NOT_OWNER, or E_DECRYPT when it does not open or match). Wipe it after use. */
export function openDomainKey(d: DomainEntry, domain: string, who: UnlockedCustodian): Buffer {
  const sealed = d.owners.get(who.name);
  if (!sealed) throw new SeeqretError('E_TEAM_NOT_OWNER', `${who.name} is not an owner of ${domain}`, `Ask an owner (${[...d.owners.keys()].sort(codePointCompare).join(', ')}) to run \`seeqret team add-owner ${domain} ${who.name}\`.`);
  const dsk = openSealed(who.publicKey, who.secretKey, sealed);
  if (!dsk || dsk.length !== 32 || !constantTimeEqual(publicKeyOf(dsk), d.publicKey)) {
    if (dsk) wipe(dsk);
    throw new SeeqretError('E_DECRYPT', `the key of domain ${domain} sealed to ${who.name} does not open or does not match the domain`, 'The file was damaged or tampered with; restore it from git.');
  }
  return dsk;
}

/** Every secret of domain `d` decrypted with its key `dsk` (names sorted); `dsk` is wiped. */
export function openDomainSecrets(d: DomainEntry, domain: string, dsk: Buffer): Map<string, string> {
  try {
    const out = new Map<string, string>();
    for (const [name, sealed] of [...d.secrets].sort(([a], [b]) => codePointCompare(a, b))) {
      const pt = openSealed(d.publicKey, dsk, sealed);
      if (!pt) throw new SeeqretError('E_DECRYPT', `secret ${name} of ${domain} does not decrypt with the domain key`, `It was sealed to another key or damaged; set it again: \`seeqret team update-secret ${domain} ${name}\`.`);
      out.set(name, decodeUtf8(pt, `secret ${name} of ${domain}`));
      wipe(pt);
    }
    return out;
  } finally {
    wipe(dsk);
  }
}
