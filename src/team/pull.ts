/**
 * `pull`: copy a domain's secrets from the team file into the local vault, with the conflicts
 * of `load` (a secret that has another value here is skipped unless `overwrite`; the old value
 * goes to history). Only from a state this vault trusts: an older file must not put replaced
 * values back.
 *
 * @module
 */
import type { ImportSummary } from '../vault/vault.js';
import { requireCustodian } from './credentials.js';
import { type TeamSession, openTeam, recordPin } from './session.js';

/** What to pull, and where it goes. */
export interface PullInput {
  readonly domain: string;
  /** The vault app (default `*`). */
  readonly app?: string | undefined;
  /** The vault environment (default: the domain's name). */
  readonly env?: string | undefined;
  /** Replace vault secrets that have another value. */
  readonly overwrite?: boolean | undefined;
}

/** What {@link pullDomain} did. */
export interface PullResult {
  /** The team file's path. */
  readonly file: string;
  readonly domain: string;
  readonly app: string;
  readonly env: string;
  /** The custodian whose key opened the domain. */
  readonly by: string;
  /** Per secret: added, updated, skipped, unchanged. */
  readonly summary: ImportSummary;
}

/**
 * Decrypt `domain` with the acting custodian's key and write its secrets into the vault in one
 * transaction, with one audit entry (`team.pull`); then remember the file's state as verified.
 *
 * @throws SeeqretError `E_TEAM_ROLLBACK` / `E_TEAM_UNTRUSTED` (nothing read), `E_NOT_FOUND` (no
 *   such domain), `E_TEAM_NOT_OWNER`, `E_TEAM_CREDENTIALS`.
 */
export async function pullDomain(s: TeamSession, input: PullInput): Promise<PullResult> {
  const { domain } = input;
  const c = openTeam(s, 'write');
  const tf = c.tf;
  tf.secretNames(domain);
  const me = await requireCustodian(s, tf);
  const values = tf.decryptDomain(domain, me);
  const app = input.app ?? '*';
  const env = input.env ?? domain;
  const summary = await s.vault.use((v) => {
    const r = v.setMany([...values].map(([key, value]) => ({ app, env, key, value })), { update: input.overwrite === true, received: `team pull ${domain}` });
    v.audit([{ action: 'team.pull', target: `${tf.path}#${domain}`, detail: { by: me.name, app, env, added: r.added, updated: r.updated, skipped: r.skipped } }]);
    return r;
  });
  if (c.verdict.kind !== 'same') recordPin(s, c.realPath, c.obs, c.sig, false);
  return { file: tf.path, domain, app, env, by: me.name, summary };
}
