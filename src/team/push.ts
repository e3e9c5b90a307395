/**
 * `push`: add or update the vault secrets of one app and environment (where `pull` puts the
 * domain: `*` and the domain's name by default) in a domain of the team file. Filters choose
 * among those keys; a secret of another app or env is never pushed, so a dev value cannot replace
 * prod's. With credentials at hand (options or environment, never a prompt), values that did not
 * change are left as they are.
 *
 * @module
 */
import { SeeqretError } from '../errors.js';
import { parseFilter } from '../filter/index.js';
import { unlockCustodian } from './credentials.js';
import { type TeamSession, openTeam, quoteArg, teamHint } from './session.js';
import { checkSecretName } from './store.js';
import { type WriteResult, writeTeam } from './write.js';

/** What to push. */
export interface PushInput {
  readonly domain: string;
  /** The vault app (default `*`). */
  readonly app?: string | undefined;
  /** The vault environment (default: the domain's name). */
  readonly env?: string | undefined;
  /** Filters (`app:env:key` texts) choosing among the keys of that app and env; none: all. */
  readonly filters?: readonly string[] | undefined;
  /** Push empty values too (refused otherwise: `E_EMPTY_VALUE`). */
  readonly allowEmpty?: boolean | undefined;
  /**
   * Replace secrets the domain already has with another value (or, without credentials to
   * compare them, any it already has); without it they are skipped, as `pull` and `load` skip.
   */
  readonly overwrite?: boolean | undefined;
  /** How a fix names a command of the vault (`REST` e.g. `list`); default `seeqret REST`. */
  readonly vaultCommand?: ((rest: string) => string) | undefined;
}

/** What {@link pushDomain} did. */
export interface PushResult {
  readonly domain: string;
  readonly app: string;
  readonly env: string;
  /** The names written (added or updated), in vault order. */
  readonly pushed: readonly string[];
  /** How many of {@link pushed} were new in the domain. */
  readonly added: number;
  /** Values equal to the domain's (left as they are). */
  readonly unchanged: number;
  /** Names the domain has with another value (or, not compared, at all): left as they are without `overwrite`. */
  readonly skipped: readonly string[];
  /** Whether values were compared (credentials were at hand); else every one was re-sealed. */
  readonly compared: boolean;
  /** The write (null when there was nothing to push). */
  readonly write: WriteResult | null;
}

/** Refuse an empty value unless allowed: an empty secret is almost always a mistake. */
export function checkNotEmpty(value: string, what: string, allowEmpty: boolean | undefined): void {
  if (value === '' && allowEmpty !== true) {
    throw new SeeqretError('E_EMPTY_VALUE', `the value of ${what} is empty; nothing was written`, 'Give the value (argument, --from-file, stdin or the prompt); if it really is empty, add --allow-empty.');
  }
}

/**
 * Read the chosen vault secrets (recorded as reads in the vault's audit log) and seal them into
 * `domain`, under the team file's lock.
 *
 * @throws SeeqretError `E_NOT_FOUND` (no such domain, or nothing in that app and env matches —
 *   the fix names where matching secrets are), `E_EMPTY_VALUE`, `E_TEAM_*` from the write.
 */
export async function pushDomain(s: TeamSession, input: PushInput): Promise<PushResult> {
  const { domain } = input;
  const app = input.app ?? '*';
  const env = input.env ?? domain;
  const given = (input.filters ?? []).map((f) => parseFilter(f));
  const vaultCommand = input.vaultCommand ?? ((rest: string) => `seeqret ${rest}`);
  const { tf } = openTeam(s, 'write');
  tf.secretNames(domain);
  const here = (r: { app: string; env: string }): boolean => r.app === app && r.env === env;
  const picked = await s.vault.use(
    (v) => {
      const matched = v.find(given.length ? given : [parseFilter('')]);
      const records = matched.filter(here);
      if (records.length === 0) {
        const elsewhere = matched.filter((r) => !here(r));
        const places = [...new Set(elsewhere.map((r) => `${r.app}:${r.env}`))];
        const other = elsewhere[0];
        const hint =
          places.length === 1 && other !== undefined
            ? `They are in ${places[0]}; to push those: ${teamHint(s, `push --domain ${quoteArg(domain)} --app ${quoteArg(other.app)} --env ${quoteArg(other.env)}${given.map((f) => ` -f ${quoteArg(f.text)}`).join('')}`)}`
            : `Run \`${vaultCommand('list')}\` to see what exists; pull puts ${domain} in ${app}:${env} (${teamHint(s, `pull --domain ${quoteArg(domain)}`)}).`;
        throw new SeeqretError(
          'E_NOT_FOUND',
          `no vault secret in ${app}:${env} (where domain ${domain} lives in your vault) matches ${given.length ? given.map((f) => f.text).join(', ') : 'anything'}${elsewhere.length ? `; ${elsewhere.length} in other apps or envs do, and are never pushed to ${domain}` : ''}`,
          hint,
        );
      }
      const byName = new Map<string, string>();
      for (const r of records) {
        checkSecretName(r.key);
        const value = v.reveal(r);
        checkNotEmpty(value, `${r.app}:${r.env}:${r.key}`, input.allowEmpty);
        byName.set(r.key, value);
      }
      v.auditReads(records, `team push ${domain}`);
      return byName;
    },
    { readonly: false },
  );
  let current: Map<string, string> | null = null;
  const me = await unlockCustodian(s, tf, { optional: true });
  if (me) {
    try {
      current = tf.decryptDomain(domain, me);
    } catch (e) {
      if (!(e instanceof SeeqretError && e.code === 'E_TEAM_NOT_OWNER')) throw e;
    }
  }
  const existing = new Set(tf.secretNames(domain));
  const differ = [...picked].filter(([name, value]) => current?.get(name) !== value);
  const unchanged = picked.size - differ.length;
  const skipped = input.overwrite === true ? [] : differ.filter(([name]) => existing.has(name)).map(([name]) => name);
  const entries = differ.filter(([name]) => !skipped.includes(name)).map(([name, value]) => ({ name, value }));
  const base = { domain, app, env, unchanged, skipped, compared: current !== null };
  if (entries.length === 0) return { ...base, pushed: [], added: 0, write: null };
  const write = await writeTeam(s, tf, (f) => f.setSecrets(domain, entries), { signer: me });
  const had = (write.before ?? tf).secretNames(domain);
  return { ...base, pushed: entries.map((e) => e.name), added: entries.filter((e) => !had.includes(e.name)).length, write };
}
