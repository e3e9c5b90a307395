/**
 * `team add-domain`, `rm-domain`, `add-owner`, `rm-owner`, `rotate`, `migrate-owner`,
 * `add-secret`, `update-secret`, `rm-secret`, `truncate-audit`: a change under the file's lock
 * (src/team/write.ts), with the acting custodian's credentials where the change needs them.
 *
 * @module
 */
import { SeeqretError } from '../../../errors.js';
import { requireCustodian } from '../../../team/credentials.js';
import { readableBy, readableLines } from '../../../team/custodians.js';
import { checkNotEmpty } from '../../../team/push.js';
import { type PreparedChange, applyAsCustodian, applyTeamChange } from '../../../team/domains.js';
import type { TeamSession } from '../../../team/session.js';
import { type TeamFile, type UnlockedCustodian, checkSecretName } from '../../../team/store.js';
import type { WriteResult } from '../../../team/write.js';
import { readTextFileCapped } from '../../../util/read-capped.js';
import { confirm, info, readValue, stdinIsTTY } from '../../context.js';
import { type TeamOptions, type YesOptions, runTeam, show } from './common.js';

/** Options of `team rm-owner`. */
export interface RmOwnerOptions extends YesOptions {
  rotate?: boolean;
}

/** Options of `team add-secret` and `team update-secret`. */
export interface SecretValueOptions {
  fromFile?: string;
  allowEmpty?: boolean;
}

/** Options of `team migrate-owner`. */
export interface MigrateOwnerOptions {
  domain?: string[];
}

/** A team change ready to write, and what to say once written. */
interface CliChange extends PreparedChange {
  readonly done: (r: WriteResult, tf: TeamFile) => void;
}

function change(g: TeamOptions, prepare: (s: TeamSession, tf: TeamFile) => CliChange | Promise<CliChange>): Promise<number> {
  return runTeam(g, async (s) => {
    const { result, opened, prepared } = await applyTeamChange(s, (tf) => prepare(s, tf));
    show(result.notices);
    prepared.done(result, opened);
    return 0;
  });
}

/** A change signed by (and needing) the acting custodian. */
const asMe = (g: TeamOptions, fn: (f: TeamFile, me: UnlockedCustodian) => TeamFile, done: (r: WriteResult, me: UnlockedCustodian) => void): Promise<number> =>
  runTeam(g, async (s) => {
    const { result, prepared } = await applyAsCustodian(s, fn);
    show(result.notices);
    done(result, prepared.me);
    return 0;
  });

/** `team add-domain DOMAIN`. */
export const addDomain = (g: TeamOptions, domain: string): Promise<number> => asMe(g, (f, me) => f.addDomain(domain, me), (_r, me) => { info(`Added domain ${domain}, owned by ${me.name}`); });

/** `team rm-domain DOMAIN`. */
export const rmDomain = (g: TeamOptions, domain: string): Promise<number> => change(g, () => ({ change: (f) => f.rmDomain(domain), done: () => { info(`Removed domain ${domain}`); } }));

/** `team add-owner DOMAIN OWNER`. */
export const addOwner = (g: TeamOptions, domain: string, owner: string): Promise<number> => asMe(g, (f, me) => f.addOwner(domain, owner, me), () => { info(`${owner} is now an owner of ${domain}`); });

/** `team rotate DOMAIN`. */
export const rotate = (g: TeamOptions, domain: string): Promise<number> => asMe(g, (f, me) => f.rotateDomain(domain, me), () => { info(`Rotated the key of ${domain}: every secret and owner entry re-sealed`); });

/** `team migrate-owner NEW_OWNER [--domain D]...`. */
export const migrateOwner = (g: TeamOptions, owner: string, o: MigrateOwnerOptions): Promise<number> =>
  asMe(g, (f, me) => f.migrateOwner(owner, me, o.domain), (r) => { info(`${owner} now owns: ${r.after.domainsOwnedBy(owner).join(', ')}`); });

/** `team rm-owner DOMAIN OWNER [--rotate] [-y]`: with --rotate (or yes to the question) the domain key is rotated in the same write. */
export function rmOwner(g: TeamOptions, domain: string, owner: string, o: RmOwnerOptions): Promise<number> {
  return change(g, async (s, tf) => {
    tf.rmOwner(domain, owner); // validate before asking anything
    let rotateBy: UnlockedCustodian | undefined;
    let rotate = o.rotate === true;
    if (!rotate && !o.yes && s.prompts.interactive && tf.secretNames(domain).length > 0) {
      rotate = await confirm(`${owner} could read every secret of ${domain}. Rotate the domain key in the same write (needs another owner's credentials)?`);
    }
    if (rotate) rotateBy = await requireCustodian(s, tf);
    return {
      change: (f) => f.rmOwner(domain, owner, rotateBy ? { rotateBy } : {}).file,
      opts: { signer: rotateBy },
      done: (r, t) => {
        info(`Removed ${owner} from the owners of ${domain}${rotateBy ? ` and rotated its key (by ${rotateBy.name})` : ''}`);
        for (const line of readableLines(s, owner, readableBy(r.before ?? t, [domain], rotateBy ? [domain] : []))) info(line);
      },
    };
  });
}

/** The value of a team secret: the argument, `--from-file` (- for stdin), stdin or the prompt. */
async function secretValue(g: TeamOptions, value: string | undefined, o: SecretValueOptions, label: string): Promise<string> {
  const from = o.fromFile;
  // On a terminal the value would be asked for (or typed until Ctrl-D): not with --non-interactive.
  if (g.nonInteractive && stdinIsTTY() && value === undefined && (from === undefined || from === '-')) {
    throw new SeeqretError('E_USAGE', `the value of ${label} is needed and cannot be asked for (--non-interactive)`, 'Give it as an argument, with --from-file FILE, or on stdin (a pipe).');
  }
  let v: string;
  if (from !== undefined) {
    if (value !== undefined) throw new SeeqretError('E_USAGE', 'give the value or --from-file, not both', 'Use one source.');
    v = from === '-' ? await readValue(undefined, { label, multiline: true, allowEmpty: o.allowEmpty === true }) : readTextFileCapped(from, 'value');
  } else v = await readValue(value, { label, allowEmpty: o.allowEmpty === true });
  checkNotEmpty(v, label, o.allowEmpty);
  return v;
}

/** `team add-secret DOMAIN NAME [VALUE]`. */
export function addSecret(g: TeamOptions, domain: string, name: string, value: string | undefined, o: SecretValueOptions): Promise<number> {
  return change(g, async (_s, tf) => {
    checkSecretName(name);
    tf.addSecret(domain, name, 'x'); // E_NOT_FOUND / E_EXISTS before asking for the value
    const v = await secretValue(g, value, o, `${domain}/${name}`);
    return { change: (f) => f.addSecret(domain, name, v), done: () => { info(`Added secret ${name} in ${domain}`); } };
  });
}

/** `team update-secret DOMAIN NAME [VALUE]`. */
export function updateSecret(g: TeamOptions, domain: string, name: string, value: string | undefined, o: SecretValueOptions): Promise<number> {
  return change(g, async (_s, tf) => {
    tf.updateSecret(domain, name, 'x'); // the not-found error, before asking for a value
    const v = await secretValue(g, value, o, `${domain}/${name}`);
    return { change: (f) => f.updateSecret(domain, name, v), done: () => { info(`Updated secret ${name} in ${domain}`); } };
  });
}

/** `team rm-secret DOMAIN NAME`. */
export const rmSecret = (g: TeamOptions, domain: string, name: string): Promise<number> => change(g, () => ({ change: (f) => f.rmSecret(domain, name), done: () => { info(`Removed secret ${name} from ${domain}`); } }));

/** `team truncate-audit N`. */
export function truncateAudit(g: TeamOptions, n: string): Promise<number> {
  if (!/^\d+$/.test(n)) return runTeam(g, () => Promise.reject(new SeeqretError('E_USAGE', `'${n}' is not a number of entries`, 'Give how many of the newest entries to keep, e.g. 100.')));
  return change(g, () => ({
    change: (f) => f.truncateAudit(Number(n)),
    done: (r, tf) => {
      const had = (r.before ?? tf).auditLog().length;
      info(r.written ? `Kept the last ${n} audit entries (${had - Number(n)} removed)` : `The audit log has ${had} entries; nothing to truncate.`);
    },
  }));
}
