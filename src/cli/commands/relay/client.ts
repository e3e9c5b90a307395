/**
 * The relay client commands: `relay create|join|members|invite|remove`, `push` and `sync`
 * (docs/relay.md). The vault remembers its relay in VAULT/relay.json (the URL and the relay's
 * key: no secret).
 *
 * @module
 */
import path from 'node:path';
import { SeeqretError } from '../../../errors.js';
import { parseFilter } from '../../../filter/index.js';
import { checkEnvelopeId, invitationLifetime, inviteUser, joinRelay, joinedClient, relayMembers, removeMember } from '../../../relay/joined.js';
import { pushToRelay, pushUpdates, rejectEnvelope, syncFromRelay } from '../../../relay/usecases.js';
import { type GlobalOptions, info, out, warn, withVault } from '../../context.js';
import { reportLoad, settleNewNames } from '../../../sharing/received.js';
import { cliNotes } from '../sharing/share.js';
import { commandLine } from '../../hints.js';

/** Options of `relay create` and `relay join`. */
export interface JoinOptions {
  /** `--ca FILE`: a private CA to trust for the relay's https certificate (remembered in relay.json). */
  readonly ca?: string;
}

async function joinWith(g: GlobalOptions, url: string, token: string | null, o: JoinOptions): Promise<number> {
  return withVault(g, async (v) => {
    const r = await joinRelay(v, { url, token, ...(o.ca !== undefined ? { ca: path.resolve(o.ca) } : {}) }, cliNotes);
    info(`${r.role === 'creator' ? 'Created the relay space at' : 'Joined the relay at'} ${r.url} as ${v.owner().username} (key id ${r.keyId}).`);
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

/** `relay members`: each member with its fingerprint, checked against this vault's users. */
export async function members(g: GlobalOptions): Promise<number> {
  return withVault(g, async (v) => {
    const list = await relayMembers(v);
    out('username  role  key id  fingerprint  status');
    for (const m of list) out(`${m.member.username}  ${m.member.role}${m.member.removedAt !== null ? ' (removed)' : ''}  ${m.member.keyId}  ${m.fingerprint}  ${m.status}`);
    const changed = list.filter((m) => m.changed).length;
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
  const lifetime = invitationLifetime(o.days);
  return withVault(g, async (v) => {
    const name = args[0] as string;
    out(await inviteUser(v, name, lifetime, cliNotes));
    info(`Give this single-use invitation to ${name}; they run: seeqret relay join URL INVITATION`);
    return 0;
  });
}

/** `relay remove USER`: the relay refuses USER everything from now on (creator only). */
export async function remove(g: GlobalOptions, args: unknown[]): Promise<number> {
  return withVault(g, async (v) => {
    const name = args[0] as string;
    const keyId = await removeMember(v, name);
    info(`Removed ${name} (${keyId}) from the relay: their requests and uploads to them are refused from now on.`);
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
    const outcomes = await syncFromRelay(v, await joinedClient(v), { overwrite: o.overwrite === true, accept: o.accept === true }, async (x) => {
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
  const id = checkEnvelopeId(String(args[0]));
  return withVault(g, async (v) => {
    const r = await rejectEnvelope(v, await joinedClient(v), id);
    info(`Rejected envelope ${r.envelopeId} from ${r.sender ?? 'an unreadable sender'} (key id ${r.from}): acknowledged as refused on the relay and recorded in the audit log; nothing was loaded.`);
    return 0;
  });
}
