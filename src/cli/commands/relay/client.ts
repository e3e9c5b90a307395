/**
 * The relay client commands: `relay create|join|members|invite|remove`, `push` and `sync`
 * (docs/relay.md). The vault remembers its relay in VAULT/relay.json (the URL and the relay's
 * key: no secret).
 *
 * @module
 */
import path from 'node:path';
import { fingerprint } from '../../../crypto/index.js';
import { SeeqretError } from '../../../errors.js';
import { parseFilter } from '../../../filter/index.js';
import { RelayClient, type RelayMember } from '../../../relay/client.js';
import { pushToRelay, pushUpdates, rejectEnvelope, syncFromRelay } from '../../../relay/usecases.js';
import { atomicWriteFile } from '../../../util/atomic-write.js';
import { readTextFileCapped } from '../../../util/read-capped.js';
import { vaultIdentitySecretKey } from '../../../vault/internal.js';
import type { Vault } from '../../../vault/vault.js';
import { type GlobalOptions, info, out, warn, withVault } from '../../context.js';
import { reportLoad, settleNewNames } from '../../../sharing/received.js';
import { cliNotes } from '../sharing/share.js';
import { commandLine } from '../../hints.js';

interface RelayConfig {
  readonly url: string;
  readonly relayKey: string;
  /** A private CA (PEM file) the relay's https certificate is checked against, besides the system's. */
  readonly ca?: string;
}

const configFile = (v: Vault): string => path.join(v.dir, 'relay.json');

/** The PEM text of a CA file (`--ca`, or `ca` in relay.json). */
function readCa(file: string): string {
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

/** The relay this vault joined (VAULT/relay.json); `E_RELAY_NOT_JOINED` when none. */
function relayConfig(v: Vault): RelayConfig {
  try {
    return JSON.parse(readTextFileCapped(configFile(v), 'settings')) as RelayConfig;
  } catch {
    throw new SeeqretError('E_RELAY_NOT_JOINED', 'this vault has not joined a relay', 'Run `seeqret relay join URL INVITATION` (or `seeqret relay create URL` for a new relay).');
  }
}

/**
 * The client of the relay this vault joined, its relay key checked against the one pinned when
 * joining. `keepAlive` keeps connections open (`watch`; close the client after).
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

/** Options of `relay create` and `relay join`. */
export interface JoinOptions {
  /** `--ca FILE`: a private CA to trust for the relay's https certificate (remembered in relay.json). */
  readonly ca?: string;
}

async function joinWith(g: GlobalOptions, url: string, token: string | null, o: JoinOptions): Promise<number> {
  return withVault(g, async (v) => {
    const ca = o.ca === undefined ? undefined : path.resolve(o.ca);
    const c = clientFor(v, checkUrl(url), ca);
    if (token !== null) {
      // Form, key, expiry and signature are checked before the relay is contacted.
      const { creator } = c.checkInvitation(token);
      const from = v.users().find((u) => u.pubkey === creator.boxKey);
      const fp = fingerprint(Buffer.from(creator.boxKey, 'base64'));
      if (!from) warn(`the invitation is signed by ${creator.username} (fingerprint ${fp}), whose key is not a user of this vault: check it with them`);
      else info(`The invitation is signed by ${from.username} (fingerprint ${fp}${from.verifiedAt === null ? ', NOT verified' : ', verified'}).`);
    }
    const r = await c.join(token);
    const cfg: RelayConfig = { url: c.url, relayKey: r.relayKey, ...(ca !== undefined ? { ca } : {}) };
    atomicWriteFile(configFile(v), `${JSON.stringify(cfg, null, 2)}\n`);
    info(`${r.role === 'creator' ? 'Created the relay space at' : 'Joined the relay at'} ${c.url} as ${v.owner().username} (key id ${r.keyId}).`);
    return 0;
  });
}

/** `relay create URL`: the first member of an empty relay, who then invites the others. */
export async function create(g: GlobalOptions, args: unknown[], o: JoinOptions = {}): Promise<number> {
  return joinWith(g, args[0] as string, null, o);
}

/** `relay join URL INVITATION`. */
export async function join(g: GlobalOptions, args: unknown[], o: JoinOptions = {}): Promise<number> {
  return joinWith(g, args[0] as string, (args[1] as string).trim(), o);
}

function memberLine(v: Vault, m: RelayMember): { line: string; changed: boolean } {
  const user = v.users().find((u) => u.username === m.username);
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
  return { line: `${m.username}  ${m.role}${m.removedAt !== null ? ' (removed)' : ''}  ${m.keyId}  ${fp}  ${status}`, changed };
}

/** `relay members`: each member with its fingerprint, checked against this vault's users. */
export async function members(g: GlobalOptions): Promise<number> {
  return withVault(g, async (v) => {
    const list = await (await joinedClient(v)).members();
    out('username  role  key id  fingerprint  status');
    let changed = 0;
    for (const m of list) {
      const r = memberLine(v, m);
      out(r.line);
      if (r.changed) changed += 1;
    }
    if (changed) throw new SeeqretError('E_RELAY_KEY_CHANGED', `${changed} member${changed === 1 ? '' : 's'} of the relay ${changed === 1 ? 'has' : 'have'} another key than this vault holds, or a record that does not check out`, 'Send them nothing; compare fingerprints on a call before anything else.');
    return 0;
  }, { readonly: true });
}

/** Options of `relay invite`. */
export interface InviteOptions {
  /** `--days N`: how long the invitation is valid (default 7). */
  readonly days: string;
}

/** `relay invite USER`: a single-use invitation for USER's key (from this vault), printed on stdout. */
export async function invite(g: GlobalOptions, args: unknown[], o: InviteOptions): Promise<number> {
  const days = Number(o.days);
  if (!Number.isFinite(days) || days <= 0 || days > 90) throw new SeeqretError('E_USAGE', `--days ${o.days} is not a number of days (0 to 90)`, 'Use e.g. --days 7.');
  return withVault(g, async (v) => {
    const user = v.user(args[0] as string);
    if (user.verifiedAt === null && !user.isOwner) warn(`${user.username}'s key fingerprint was never verified; compare it on a call and run \`seeqret users verify ${user.username}\``);
    const token = await (await joinedClient(v)).invite(user.username, Buffer.from(user.pubkey, 'base64'), Math.round(days * 86_400_000));
    out(token);
    info(`Give this single-use invitation to ${user.username}; they run: seeqret relay join URL INVITATION`);
    return 0;
  });
}

/** `relay remove USER`: the relay refuses USER everything from now on (creator only). */
export async function remove(g: GlobalOptions, args: unknown[]): Promise<number> {
  return withVault(g, async (v) => {
    const c = await joinedClient(v);
    const name = args[0] as string;
    const m = (await c.members()).find((x) => x.username === name && x.removedAt === null);
    if (!m) throw new SeeqretError('E_RELAY_NOT_MEMBER', `${name} is not a current member of the relay`, 'Run `seeqret relay members`.');
    await c.remove(m.keyId);
    info(`Removed ${name} (${m.keyId}) from the relay: their requests and uploads to them are refused from now on.`);
    return 0;
  });
}

/** Options of `push`. */
export interface PushOptions {
  readonly to?: string[];
  readonly filter?: string[];
  /** `--updates`: every changed secret to everyone who holds an older version. */
  readonly updates?: boolean;
}

/** `push --to PEOPLE -f FILTER`: the export bundles, uploaded through the relay. */
export async function push(g: GlobalOptions, _a: unknown[], o: PushOptions): Promise<number> {
  const filters = (o.filter ?? []).map((f) => parseFilter(f));
  if (o.updates && (filters.length > 0 || (o.to ?? []).length > 0)) throw new SeeqretError('E_USAGE', '--updates chooses the people and the secrets itself', 'Use either --updates alone, or --to PEOPLE -f FILTER.');
  return withVault(g, async (v) => {
    const client = await joinedClient(v);
    const u = o.updates ? await pushUpdates(v, client) : { results: [await pushToRelay(v, client, { to: o.to ?? [], filters })], skipped: [] };
    const results = u.results;
    for (const s of u.skipped) info(`Skipped ${s.username}: not a member of the relay (${s.secrets} changed secret${s.secrets === 1 ? '' : 's'} not sent; the creator can invite them: seeqret relay invite ${s.username})`);
    for (const r of results) {
      for (const w of r.plan.warnings) warn(w);
      const n = r.plan.records.length;
      for (const s of r.sent) info(`Sent ${n} secret${n === 1 ? '' : 's'} to ${s.recipient} through the relay (envelope ${s.envelopeId})`);
    }
    if (results.length === 0 && u.skipped.length === 0) info('Everyone has the current version of everything they hold: nothing to send.');
    return 0;
  });
}

/** Options of `sync`. */
export interface SyncOptions {
  readonly overwrite?: boolean;
  readonly accept?: boolean;
}

/** `sync`: load every pending envelope with `load`'s rules; each is acknowledged after its load committed. */
export async function sync(g: GlobalOptions, _a: unknown[], o: SyncOptions): Promise<number> {
  return withVault(g, async (v) => {
    let firstError: SeeqretError | undefined;
    const outcomes = await syncFromRelay(v, await joinedClient(v), { overwrite: o.overwrite === true }, async (x) => {
      const prefix = `envelope ${x.envelopeId}: `;
      if (x.kind === 'loaded') {
        reportLoad(x.result, { prefix, again: null }, cliNotes);
        await settleNewNames(v, x.result, { accept: o.accept === true, prefix }, cliNotes, (...words) => commandLine(g, ...words));
      } else if (x.kind === 'replay') info(`${prefix}already loaded (${x.error.message}); acknowledged`);
      else {
        firstError ??= x.error;
        warn(`${prefix}not loaded, left on the relay: ${x.error.code}: ${x.error.message} (to dispose of it: seeqret relay reject ${x.envelopeId})`);
      }
    });
    const loaded = outcomes.filter((x) => x.kind === 'loaded').length;
    const refused = outcomes.filter((x) => x.kind === 'refused').length;
    info(`${loaded} envelope${loaded === 1 ? '' : 's'} loaded${refused ? `, ${refused} refused` : ''}`);
    return firstError ? firstError.exitCode : 0;
  });
}



/** `relay reject ID`: dispose of an envelope `sync` refuses — acknowledged as rejected, audited, never loaded. */
export async function reject(g: GlobalOptions, args: unknown[]): Promise<number> {
  const id = String(args[0]);
  if (!/^[0-9a-f]{32}$/.test(id)) throw new SeeqretError('E_USAGE', `${id} is not an envelope id (32 hex digits)`, 'Copy the id `seeqret sync` printed for the envelope it refused.');
  return withVault(g, async (v) => {
    const r = await rejectEnvelope(v, await joinedClient(v), id);
    info(`Rejected envelope ${r.envelopeId} from ${r.sender ?? 'an unreadable sender'} (key id ${r.from}): acknowledged as refused on the relay and recorded in the audit log; nothing was loaded.`);
    return 0;
  });
}
