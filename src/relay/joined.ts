/**
 * The relay a vault joined: VAULT/relay.json (the URL, the relay's key pinned when joining and an
 * optional private CA — no secret), the client built from it, and the use cases of the relay
 * commands (create, join, members, invite, remove, reject) that need no more than a vault and notes.
 *
 * @module
 */
import path from 'node:path';
import { fingerprint } from '../crypto/index.js';
import { SeeqretError } from '../errors.js';
import type { Notes } from '../notes.js';
import { atomicWriteFile } from '../util/atomic-write.js';
import { readTextFileCapped } from '../util/read-capped.js';
import { vaultIdentitySecretKey } from '../vault/internal.js';
import type { UserRecord, Vault } from '../vault/vault.js';
import { RelayClient, type RelayMember } from './client.js';

/** What VAULT/relay.json holds. */
export interface RelayConfig {
  /** The relay's URL. */
  readonly url: string;
  /** The relay's key, pinned when joining. */
  readonly relayKey: string;
  /** A private CA (PEM file) the relay's https certificate is checked against, besides the system's. */
  readonly ca?: string;
}

const configFile = (v: Vault): string => path.join(v.dir, 'relay.json');

/**
 * The PEM text of a CA file (`--ca`, or `ca` in relay.json).
 *
 * @throws SeeqretError `E_FILE_NOT_FOUND` when it cannot be read, `E_USAGE` when it holds no certificate.
 */
export function readCa(file: string): string {
  let pem: string;
  try {
    pem = readTextFileCapped(file, 'settings');
  } catch (e) {
    throw new SeeqretError('E_FILE_NOT_FOUND', `cannot read the CA file ${file} (${(e as { code?: string }).code ?? 'error'})`, 'Name a PEM file with the certificate of the CA that signed the relay\'s certificate.');
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new SeeqretError('E_USAGE', `${file} holds no PEM certificate`, 'Give the CA certificate in PEM form (-----BEGIN CERTIFICATE-----).');
  return pem;
}

function clientFor(v: Vault, url: string, ca: string | undefined, keepAlive = false): RelayClient {
  return new RelayClient(url, { username: v.owner().username, publicKey: v.publicKey, secretKey: vaultIdentitySecretKey(v) }, { ...(ca !== undefined ? { ca: readCa(ca) } : {}), keepAlive });
}

/**
 * The relay this vault joined (VAULT/relay.json).
 *
 * @throws SeeqretError `E_RELAY_NOT_JOINED` when it joined none.
 */
export function relayConfig(v: Vault): RelayConfig {
  try {
    return JSON.parse(readTextFileCapped(configFile(v), 'settings')) as RelayConfig;
  } catch {
    throw new SeeqretError('E_RELAY_NOT_JOINED', 'this vault has not joined a relay', 'Run `seeqret relay join URL INVITATION` (or `seeqret relay create URL` for a new relay).');
  }
}

/**
 * The client of the relay this vault joined, its relay key checked against the one pinned when
 * joining. `keepAlive` keeps connections open (`watch`; close the client after).
 *
 * @throws SeeqretError `E_RELAY_NOT_JOINED`, `E_RELAY_KEY_CHANGED`.
 */
export async function joinedClient(v: Vault, opts: { keepAlive?: boolean } = {}): Promise<RelayClient> {
  const cfg = relayConfig(v);
  const c = clientFor(v, cfg.url, cfg.ca, opts.keepAlive);
  // The relay's key was pinned when joining: another one is another relay, or a swapped one.
  if ((await c.relayKey()) !== cfg.relayKey) {
    throw new SeeqretError('E_RELAY_KEY_CHANGED', `the relay at ${cfg.url} has another key than when this vault joined`, 'Do not use it: ask its operator; if it was rebuilt, join it again (remove VAULT/relay.json first).');
  }
  return c;
}

function checkUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new SeeqretError('E_USAGE', `${url} is not a URL`, 'Use e.g. http://127.0.0.1:8787 or https://relay.example.com.');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new SeeqretError('E_USAGE', `${url} is not an http(s) URL`, 'Use e.g. https://relay.example.com.');
  return u.href;
}

/** What {@link joinRelay} needs. */
export interface JoinRequest {
  /** The relay's URL (http or https). */
  readonly url: string;
  /** The invitation (`relay join`), or `null` to create the relay space (`relay create`). */
  readonly token: string | null;
  /** An absolute path to a private CA's PEM file, remembered in relay.json. */
  readonly ca?: string;
}

/** What {@link joinRelay} did. */
export interface JoinResult {
  /** The relay's URL as written to relay.json. */
  readonly url: string;
  /** `creator` for a new relay space, else `member`. */
  readonly role: string;
  /** This vault's key id on the relay. */
  readonly keyId: string;
}

/**
 * `relay create` / `relay join`: the invitation checked (form, key, expiry, signature) before the
 * relay is contacted, its signer named through `notes`, the relay joined and relay.json written.
 */
export async function joinRelay(v: Vault, req: JoinRequest, notes: Notes): Promise<JoinResult> {
  const c = clientFor(v, checkUrl(req.url), req.ca);
  if (req.token !== null) {
    const { creator } = c.checkInvitation(req.token);
    const from = v.users().find((u) => u.pubkey === creator.boxKey);
    const fp = fingerprint(Buffer.from(creator.boxKey, 'base64'));
    if (!from) notes.warn(`the invitation is signed by ${creator.username} (fingerprint ${fp}), whose key is not a user of this vault: check it with them`);
    else notes.info(`The invitation is signed by ${from.username} (fingerprint ${fp}${from.verifiedAt === null ? ', NOT verified' : ', verified'}).`);
  }
  const r = await c.join(req.token);
  const cfg: RelayConfig = { url: c.url, relayKey: r.relayKey, ...(req.ca !== undefined ? { ca: req.ca } : {}) };
  atomicWriteFile(configFile(v), `${JSON.stringify(cfg, null, 2)}\n`);
  return { url: c.url, role: r.role, keyId: r.keyId };
}

/** A relay member checked against this vault's users. */
export interface CheckedMember {
  /** The member as the relay lists it. */
  readonly member: RelayMember;
  /** Its key's fingerprint, `-` when its record does not check out. */
  readonly fingerprint: string;
  /** What this vault says of it, for people. */
  readonly status: string;
  /** True when its record does not check out or its key differs from the vault's user's. */
  readonly changed: boolean;
}

function checkMember(users: readonly UserRecord[], m: RelayMember): CheckedMember {
  const user = users.find((u) => u.username === m.username);
  let status: string;
  let changed = false;
  if (!m.record) {
    status = 'RECORD DOES NOT CHECK OUT (altered by the relay?)';
    changed = true;
  } else if (!user) status = 'not a user of this vault';
  else if (user.pubkey !== m.record.boxKey) {
    status = `KEY DIFFERS from ${user.username}'s key in this vault`;
    changed = true;
  } else status = user.verifiedAt !== null || user.isOwner ? 'same key as in this vault, verified' : `same key as in this vault, NOT verified (seeqret users verify ${user.username})`;
  const fp = m.record ? fingerprint(Buffer.from(m.record.boxKey, 'base64')) : '-';
  return { member: m, fingerprint: fp, status, changed };
}

/** `relay members`: each member of the joined relay with its fingerprint, checked against this vault's users. */
export async function relayMembers(v: Vault): Promise<CheckedMember[]> {
  const list = await (await joinedClient(v)).members();
  const users = v.users();
  return list.map((m) => checkMember(users, m));
}

/**
 * `--days N` of `relay invite` as milliseconds.
 *
 * @throws SeeqretError `E_USAGE` unless it is a number of days above 0 and at most 90.
 */
export function invitationLifetime(days: string): number {
  const n = Number(days);
  if (!Number.isFinite(n) || n <= 0 || n > 90) throw new SeeqretError('E_USAGE', `--days ${days} is not a number of days (0 to 90)`, 'Use e.g. --days 7.');
  return Math.round(n * 86_400_000);
}

/** `relay invite USER`: a single-use invitation for USER's key in this vault (a warning through `notes` when it was never verified). */
export async function inviteUser(v: Vault, username: string, lifetimeMs: number, notes: Notes): Promise<string> {
  const user = v.user(username);
  if (user.verifiedAt === null && !user.isOwner) notes.warn(`${user.username}'s key fingerprint was never verified; compare it on a call and run \`seeqret users verify ${user.username}\``);
  return (await joinedClient(v)).invite(user.username, Buffer.from(user.pubkey, 'base64'), lifetimeMs);
}

/**
 * `relay remove USER`: the relay refuses USER everything from now on (creator only); resolves with the removed key id.
 *
 * @throws SeeqretError `E_RELAY_NOT_MEMBER` when USER is not a current member.
 */
export async function removeMember(v: Vault, name: string): Promise<string> {
  const c = await joinedClient(v);
  const m = (await c.members()).find((x) => x.username === name && x.removedAt === null);
  if (!m) throw new SeeqretError('E_RELAY_NOT_MEMBER', `${name} is not a current member of the relay`, 'Run `seeqret relay members`.');
  await c.remove(m.keyId);
  return m.keyId;
}

/**
 * An envelope id as `relay reject` takes it.
 *
 * @throws SeeqretError `E_USAGE` unless it is 32 hex digits.
 */
export function checkEnvelopeId(id: string): string {
  if (!/^[0-9a-f]{32}$/.test(id)) throw new SeeqretError('E_USAGE', `${id} is not an envelope id (32 hex digits)`, 'Copy the id `seeqret sync` printed for the envelope it refused.');
  return id;
}
