/**
 * `team pull` and `team push`: between a domain of the team file and the local vault.
 *
 * @module
 */
import { pullDomain } from '../../../team/pull.js';
import { pushDomain } from '../../../team/push.js';
import { quoteArg } from '../../../team/session.js';
import { info } from '../../context.js';
import { type TeamOptions, runTeam, show } from './common.js';

/** Options of `team pull`. */
export interface PullOptions {
  domain: string;
  app: string;
  env?: string;
  overwrite?: boolean;
}

/** Options of `team push`. */
export interface PushOptions {
  domain: string;
  app: string;
  env?: string;
  filter?: string[];
  allowEmpty?: boolean;
  /** `--overwrite`: replace secrets the domain has with another value. */
  overwrite?: boolean;
}

/** `team pull --domain D [--app A] [--env E] [--overwrite]`: copy a domain's secrets into the local vault. */
export function pull(g: TeamOptions, o: PullOptions): Promise<number> {
  return runTeam(g, async (s) => {
    const r = await pullDomain(s, { domain: o.domain, app: o.app, env: o.env, overwrite: o.overwrite });
    const sum = r.summary;
    info(`Pulled ${r.domain} from ${r.file} into ${r.app}:${r.env}: ${sum.added} added, ${sum.updated} updated, ${sum.skipped} skipped, ${sum.unchanged} unchanged`);
    for (const x of sum.outcomes) {
      if (x.outcome === 'added' || x.outcome === 'updated') info(`  ${x.app}:${x.env}:${x.key}  ${x.outcome}`);
      if (x.outcome === 'skipped') info(`  ${x.app}:${x.env}:${x.key}  skipped: another value is here (--overwrite replaces it; the old value goes to history)`);
    }
    return 0;
  });
}

/**
 * `team push --domain D [--app A] [--env E] [-f FILTER...]`: add or update the vault secrets of
 * app A, env E (where `pull` puts the domain) in the domain.
 */
export function push(g: TeamOptions, o: PushOptions): Promise<number> {
  return runTeam(g, async (s) => {
    const vaultCommand = (rest: string): string => `seeqret${g.vault ? ` --vault ${quoteArg(g.vault)}` : ''} ${rest}`;
    const r = await pushDomain(s, { domain: o.domain, app: o.app, env: o.env, filters: o.filter, allowEmpty: o.allowEmpty, overwrite: o.overwrite, vaultCommand });
    const skippedHint = (): void => {
      if (r.skipped.length === 0) return;
      info(`Skipped ${r.skipped.length} the domain already has ${r.compared ? 'with another value' : '(values not compared: no credentials)'}: ${r.skipped.join(', ')}`);
      info(`To replace them, run the same push with --overwrite.`);
    };
    if (!r.write) {
      info(`Nothing to push: ${r.unchanged} unchanged${r.skipped.length ? `, ${r.skipped.length} skipped` : ''}`);
      skippedHint();
      return 0;
    }
    show(r.write.notices);
    info(`Pushed ${r.app}:${r.env} to ${r.domain}: ${r.added} added, ${r.pushed.length - r.added} updated${r.compared ? `, ${r.unchanged} unchanged` : ' (no credentials: values not compared, every one re-sealed)'}`);
    for (const name of r.pushed) info(`  ${name}`);
    skippedHint();
    return 0;
  });
}
