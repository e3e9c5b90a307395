/**
 * What this vault last verified about each team file: its **pin**, kept next to the vault in
 * `team-state.json` (0600, see docs/team.md#what-your-vault-remembers).
 *
 * A pin holds the keys a write may seal to (custodians and their key entries, domains with
 * their public keys and owners), a hash of every secret's sealed value, the exact hash of the
 * file verified, its signature's team id and sequence number, the highest sequence number seen
 * per team id, and the keys and values this vault saw **retired** (replaced or removed): a
 * rotated-away domain key, a custodian's old key entry, a superseded sealed value. A file that
 * holds a retired item, or a signed version older than one seen, is a **rollback**; a file whose
 * keys differ from the pin and that no trusted signature covers is an **untrusted change**.
 *
 * Pins are keyed by the file's real path. A file at a path this vault has not seen is matched to
 * the pin of a file it shares a domain key, a passphrase custodian's key entry or a team id with
 * (a clone, a move, another worktree), so it is not a "first use" just because it moved.
 *
 * @module
 */
import { fingerprint } from '../crypto/index.js';
import { sha512 } from '../crypto/team.js';
import { codePointCompare } from '../util/compare.js';
import { encodeCustodian, sortedEntries } from './format.js';
import type { TeamFile } from './store.js';

/** File name of the pins inside the vault folder. */
export const STATE_FILE = 'team-state.json';
export const STATE_FORMAT = 'seeqret-team-state/1';

/** How many retired items of each kind a pin keeps (the oldest are forgotten first). */
export const RETIRED_LIMITS = { domainKeys: 500, custodianKeys: 500, values: 5000 } as const;

/** The keys a write may seal to. */
export interface Keyring {
  /** Custodian name → its whole entry: `pwdkm:BASE64` or `seeqret-identity:BASE64`. */
  readonly custodians: Readonly<Record<string, string>>;
  /** Domain → its public key (base64) and its owners (sorted). */
  readonly domains: Readonly<Record<string, { readonly key: string; readonly owners: readonly string[] }>>;
}

/** Retired (replaced or removed) items: they never come back in a newer version. */
export interface Retired {
  readonly domainKeys: readonly string[];
  readonly custodianKeys: readonly string[];
  readonly values: readonly string[];
}

/** What this vault verified about one team file. */
export interface TeamPin {
  /** When (unix ms). */
  readonly seen: number;
  /** SHA-512 (base64) of the exact bytes verified. */
  readonly hash: string;
  /** The file declared signatures. */
  readonly signed: boolean;
  /** Team id (base64) of its signature, when it had a version-2 signature. */
  readonly team: string | null;
  /** Its sequence number, when it had a version-2 signature. */
  readonly seq: number | null;
  /** The highest sequence number seen (or written) for each team id at this path. */
  readonly seqs: Readonly<Record<string, number>>;
  /** The keys seen in the file (see {@link Observation.keys}). */
  readonly keys: Keyring;
  /** Domain → secret → hash of its sealed value (12 bytes of SHA-512, base64). */
  readonly values: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Keys seen earlier and no longer in the file. */
  readonly retired: Retired;
}

/** What a team file holds, in the terms of a pin. */
export interface Observation {
  /** SHA-512 (base64) of the exact bytes read. */
  readonly hash: string;
  /** The file declares signatures. */
  readonly signed: boolean;
  /** Team id and sequence number of a cryptographically valid version-2 signature (else null). */
  readonly team: string | null;
  /** Its sequence number (with `team`), else `null`. */
  readonly seq: number | null;
  /** The file has a valid legacy (version 1) signature: no sequence number. */
  readonly legacy: boolean;
  /** The public keys the file holds: domains and custodians. */
  readonly keys: Keyring;
  /** Domain → secret → hash of its sealed value (12 bytes of SHA-512, base64). */
  readonly values: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** How a file's signature stands with this vault's trusted signers. */
export type SignatureTrust = { readonly trusted: true; readonly by: string } | { readonly trusted: false; readonly why: string | null };

/** The outcome of {@link assess}. */
export type Verdict =
  /** Exactly the bytes this vault verified last. */
  | { readonly kind: 'same' }
  /** This vault has no pin for the file (nor for a copy of it): trust on first use. */
  | { readonly kind: 'first-use' }
  /** Signed by a trusted signer, not older than what this vault saw. */
  | { readonly kind: 'signed'; readonly by: string }
  /** Not signed (as when last verified), and its keys are the ones verified: values may differ. */
  | { readonly kind: 'unchanged-keys' }
  /** Keys (or the signing) changed and no trusted signature covers it. */
  | { readonly kind: 'untrusted'; readonly reasons: readonly string[]; readonly changes: readonly string[] }
  /** Older than what this vault saw. */
  | { readonly kind: 'rollback'; readonly reasons: readonly string[] };

/** True when a verdict allows a write (and `team pull`). */
export function isTrusted(v: Verdict): boolean {
  return v.kind === 'same' || v.kind === 'first-use' || v.kind === 'signed' || v.kind === 'unchanged-keys';
}

const b64 = (b: Buffer): string => b.toString('base64');
/**
 * `o[k]` when `o` has its own property `k`: names come from files anyone may write, and a name
 * such as `__proto__` or `constructor` must be data, never something inherited.
 */
export function own<T>(o: Readonly<Record<string, T>>, k: string): T | undefined {
  return Object.hasOwn(o, k) ? o[k] : undefined;
}
const valueHash = (sealed: Buffer): string => b64(sha512(sealed).subarray(0, 12));
/** The own properties of `o` sorted by name (code points). */
const sortedOwn = <T>(o: Readonly<Record<string, T>>): [string, T][] => Object.entries(o).sort(([a], [b]) => codePointCompare(a, b));

/** The keyring of a team file. */
export function keyringOf(tf: TeamFile): Keyring {
  // Object.fromEntries defines own properties, whatever the names are.
  const custodians = Object.fromEntries(
    sortedEntries(tf.data.custodians).map(([name, c]) => {
      const { field, text } = encodeCustodian(c);
      return [name, `${field}:${text}`];
    }),
  );
  const domains = Object.fromEntries(sortedEntries(tf.data.domains).map(([d, e]) => [d, { key: b64(e.publicKey), owners: tf.owners(d) }]));
  return { custodians, domains };
}

/** What `tf`, read from bytes whose SHA-512 is `hash`, holds. */
export function observe(tf: TeamFile, hash: Buffer): Observation {
  const s = tf.signatureStatus();
  const chain = s.state === 'valid' ? s.chain : null;
  const values = Object.fromEntries(
    sortedEntries(tf.data.domains).map(([d, { secrets }]) => [d, Object.fromEntries(sortedEntries(secrets).map(([n, sealed]) => [n, valueHash(sealed)]))]),
  );
  return {
    hash: b64(hash),
    signed: tf.data.signed,
    team: chain ? b64(chain.team) : null,
    seq: chain ? chain.seq : null,
    legacy: s.state === 'valid' && s.chain === null,
    keys: keyringOf(tf),
    values,
  };
}

/** One canonical text of a keyring (sorted), for its fingerprint. */
function keyringText(k: Keyring): string {
  const lines: string[] = [];
  for (const [n, c] of sortedOwn(k.custodians)) lines.push(`c\0${n}\0${c}`);
  for (const [d, e] of sortedOwn(k.domains)) {
    lines.push(`d\0${d}\0${e.key}\0${[...e.owners].sort(codePointCompare).join('\0')}`);
  }
  return lines.join('\n');
}

/** The fingerprint of a keyring (six groups of five digits, as user fingerprints): what `team accept --keys` checks. */
export function keyringFingerprint(k: Keyring): string {
  return fingerprint(Buffer.from(`seeqret/team/keys/v1\n${keyringText(k)}`, 'utf8'));
}

/** The fingerprint of a custodian entry (`pwdkm:…` / `seeqret-identity:…`): that of its public key. */
export function custodianEntryFingerprint(entry: string): string {
  const raw = Buffer.from(entry.slice(entry.indexOf(':') + 1), 'base64');
  return fingerprint(raw.subarray(Math.max(0, raw.length - 32)));
}

const keyFp = (key: string): string => fingerprint(Buffer.from(key, 'base64'));

/** The differences between two keyrings, one readable line each (most important first). */
export function keyringChanges(before: Keyring, after: Keyring): string[] {
  const out: string[] = [];
  for (const [d, a] of sortedOwn(after.domains)) {
    const b = own(before.domains, d);
    if (!b) out.push(`new domain ${d} (key ${keyFp(a.key)}, owners ${a.owners.join(', ') || 'none'})`);
    else if (a.key !== b.key) out.push(`domain ${d} has another public key (${keyFp(a.key)}, was ${keyFp(b.key)})`);
  }
  for (const [c, a] of sortedOwn(after.custodians)) {
    const b = own(before.custodians, c);
    if (b === undefined) out.push(`new custodian ${c} (key ${custodianEntryFingerprint(a)})`);
    else if (a !== b) out.push(`custodian ${c} has another key (${custodianEntryFingerprint(a)}, was ${custodianEntryFingerprint(b)})`);
  }
  for (const [d, a] of sortedOwn(after.domains)) {
    const b = own(before.domains, d);
    if (!b) continue;
    for (const o of a.owners) if (!b.owners.includes(o)) out.push(`new owner ${o} of ${d}`);
    for (const o of b.owners) if (!a.owners.includes(o)) out.push(`${o} is no longer an owner of ${d}`);
  }
  for (const [d] of sortedOwn(before.domains)) if (!own(after.domains, d)) out.push(`domain ${d} was removed`);
  for (const [c] of sortedOwn(before.custodians)) if (own(after.custodians, c) === undefined) out.push(`custodian ${c} was removed`);
  return out;
}

/** Why `obs` is older than what `pin` saw (empty: it is not). */
export function regressions(pin: TeamPin, obs: Observation): string[] {
  const out: string[] = [];
  if (obs.team !== null && obs.seq !== null) {
    const seen = own(pin.seqs, obs.team);
    if (seen !== undefined && obs.seq < seen) out.push(`it is version ${obs.seq}, older than version ${seen} your vault saw`);
  }
  if (obs.legacy && Object.keys(pin.seqs).length > 0) out.push('its signature has no sequence number (an older seeqret signed it), yet your vault saw numbered versions');
  const dk = new Set(pin.retired.domainKeys);
  for (const [d, e] of Object.entries(obs.keys.domains)) if (dk.has(e.key)) out.push(`domain ${d} has a key your vault saw rotated away`);
  const ck = new Set(pin.retired.custodianKeys);
  for (const [c, e] of Object.entries(obs.keys.custodians)) if (ck.has(e)) out.push(`custodian ${c} has a key your vault saw replaced`);
  const vs = new Set(pin.retired.values);
  for (const [d, m] of Object.entries(obs.values)) for (const [n, h] of Object.entries(m)) if (vs.has(h)) out.push(`secret ${n} of ${d} has a value your vault saw replaced`);
  return out;
}

/**
 * Judge a file against this vault's pin and its signature's standing:
 *
 * 1. exactly the bytes pinned → `same`;
 * 2. older than what the pin saw (a smaller sequence number, or a retired key or value) →
 *    `rollback`, whatever signs it;
 * 3. a valid signature by a trusted signer → `signed` (it covers every key), unless it carries
 *    another team id than the pinned version's → `untrusted`;
 * 4. no pin: a signed file whose signature is not trusted → `untrusted`; an unsigned one →
 *    `first-use`;
 * 5. a file that declares signatures (its signature is not trusted), or one that was signed
 *    when pinned and is not now, or whose keys differ from the pin → `untrusted`;
 * 6. otherwise → `unchanged-keys` (values may change freely, as in pocket_protector).
 */
export function assess(obs: Observation, pin: TeamPin | null, sig: SignatureTrust): Verdict {
  if (pin && pin.hash === obs.hash) return { kind: 'same' };
  if (pin) {
    const r = regressions(pin, obs);
    if (r.length) return { kind: 'rollback', reasons: r };
  }
  // A signature vouches for a file, not for where it is: another team's file (signed by someone
  // you trust) put in this one's place is not this team's.
  if (sig.trusted && pin?.team && obs.team && obs.team !== pin.team) {
    return { kind: 'untrusted', reasons: [`it is another team's file (team id ${obs.team}; your vault verified team ${pin.team} here)`], changes: keyringChanges(pin.keys, obs.keys) };
  }
  if (sig.trusted) return { kind: 'signed', by: sig.by };
  const why = sig.why ? [sig.why] : [];
  if (!pin) {
    if (obs.signed) return { kind: 'untrusted', reasons: [...why, 'your vault has not verified this file before'], changes: [] };
    return { kind: 'first-use' };
  }
  const changes = keyringChanges(pin.keys, obs.keys);
  if (obs.signed) return { kind: 'untrusted', reasons: why, changes };
  if (pin.signed) return { kind: 'untrusted', reasons: ['it was signed when your vault verified it, and is not signed now', ...why], changes };
  if (changes.length) return { kind: 'untrusted', reasons: why, changes };
  return { kind: 'unchanged-keys' };
}

function capped(list: readonly string[], limit: number): string[] {
  const unique = [...new Set(list)];
  return unique.length > limit ? unique.slice(unique.length - limit) : unique;
}

/**
 * The pin after verifying (or writing, or accepting) `obs`: everything the old pin had that `obs`
 * no longer has is retired; anything `obs` has is not (an accepted rollback brings it back).
 */
export function advance(pin: TeamPin | null, obs: Observation, now = Date.now()): TeamPin {
  const retired = { domainKeys: [...(pin?.retired.domainKeys ?? [])], custodianKeys: [...(pin?.retired.custodianKeys ?? [])], values: [...(pin?.retired.values ?? [])] };
  if (pin) {
    for (const [d, e] of Object.entries(pin.keys.domains)) if (own(obs.keys.domains, d)?.key !== e.key) retired.domainKeys.push(e.key);
    for (const [c, e] of Object.entries(pin.keys.custodians)) if (e.startsWith('pwdkm:') && own(obs.keys.custodians, c) !== e) retired.custodianKeys.push(e);
    for (const [d, m] of Object.entries(pin.values)) {
      const now = own(obs.values, d);
      for (const [n, h] of Object.entries(m)) if ((now ? own(now, n) : undefined) !== h) retired.values.push(h);
    }
  }
  const present = new Set<string>([
    ...Object.values(obs.keys.domains).map((e) => e.key),
    ...Object.values(obs.keys.custodians),
    ...Object.values(obs.values).flatMap((m) => Object.values(m)),
  ]);
  const seqs = Object.fromEntries(Object.entries(pin?.seqs ?? {}));
  if (obs.team !== null && obs.seq !== null) Object.defineProperty(seqs, obs.team, { value: Math.max(own(seqs, obs.team) ?? 0, obs.seq), enumerable: true, writable: true, configurable: true });
  return {
    seen: now,
    hash: obs.hash,
    signed: obs.signed,
    team: obs.team,
    seq: obs.seq,
    seqs,
    keys: obs.keys,
    values: obs.values,
    retired: {
      domainKeys: capped(retired.domainKeys.filter((k) => !present.has(k)), RETIRED_LIMITS.domainKeys),
      custodianKeys: capped(retired.custodianKeys.filter((k) => !present.has(k)), RETIRED_LIMITS.custodianKeys),
      values: capped(retired.values.filter((k) => !present.has(k)), RETIRED_LIMITS.values),
    },
  };
}
