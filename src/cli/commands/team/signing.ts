/**
 * `team sign`, `unsign`, `verify`, `trust`, `accept`.
 *
 * @module
 */
import { SeeqretError } from '../../../errors.js';
import { requireCustodian } from '../../../team/credentials.js';
import { cannotAsk, openTeam } from '../../../team/session.js';
import { applyAccept, applyTrust, planAccept, planTrust, verifyTeam } from '../../../team/signing.js';
import { TeamFile } from '../../../team/store.js';
import { signerFingerprint } from '../../../team/trust.js';
import { writeTeam } from '../../../team/write.js';
import { confirm, info, writeJson } from '../../context.js';
import type { TeamReportOptions } from './read.js';
import { type TeamOptions, type YesOptions, runTeam, show } from './common.js';

/** Options of `team trust`. */
export interface TrustOptions extends YesOptions {
  key?: string;
}

/** Options of `team accept`. */
export interface AcceptOptions extends YesOptions {
  keys?: string;
}

/** `team sign`: turn signatures on (seeqret extension) and sign as the current user. */
export function sign(g: TeamOptions): Promise<number> {
  return runTeam(g, async (s) => {
    const { tf } = openTeam(s, 'write');
    const me = await requireCustodian(s, tf);
    show((await writeTeam(s, tf, (f) => f.withSigning(true), { signer: me, force: true })).notices);
    info(`Signed ${tf.path} as ${me.name} (signing key fingerprint ${signerFingerprint(TeamFile.signingKeyOf(me))}); every later change must be signed by a custodian`);
    return 0;
  });
}

/** `team unsign`: turn signatures off (the file becomes readable by pprotect again when it uses no other extension). */
export function unsign(g: TeamOptions): Promise<number> {
  return runTeam(g, async (s) => {
    const { tf } = openTeam(s, 'write');
    show((await writeTeam(s, tf, (f) => f.withSigning(false), { needsSigner: false })).notices);
    info(`${tf.path} is no longer signed`);
    return 0;
  });
}

/** `team verify`: exit 0 only when the file is signed, the signature matches, you trust the signer, and it is not older than what your vault saw. */
export function verify(g: TeamOptions, o: TeamReportOptions): Promise<number> {
  return runTeam(g, (s) => {
    const v = verifyTeam(s);
    if (o.format === 'json') {
      writeJson({ file: v.file, signedBy: v.by, fingerprint: v.fingerprint, version: v.seq, trusted: true });
      return 0;
    }
    const version = v.seq !== null ? `version ${v.seq}` : 'a legacy signature without a version number';
    info(`${v.file}: signed by ${v.by} (trusted, fingerprint ${v.fingerprint}), ${version}; content unchanged since, and not older than what your vault saw`);
    return 0;
  });
}

/** `team trust NAME [--key KEY] [-y]`: remember NAME's signing key (from the file's signature, or --key). */
export function trust(g: TeamOptions, name: string, o: TrustOptions): Promise<number> {
  return runTeam(g, async (s) => {
    const plan = planTrust(s, name, o.key);
    if (!o.yes) {
      if (g.nonInteractive) throw cannotAsk(`trusting ${name}'s key asks whether you compared its fingerprint (${plan.fingerprint})`, `Compare the fingerprint with ${name}, then pass --yes.`);
      info(`${name}'s signing key fingerprint: ${plan.fingerprint}`);
      if (!(await confirm(`Did ${name} read you the same fingerprint?`))) throw new SeeqretError('E_ABORTED', 'not trusted', `Compare the fingerprint with ${name} first.`);
    }
    applyTrust(s, plan);
    info(`Trusted ${name}'s signing key (${plan.fingerprint})`);
    return 0;
  });
}

/** `team accept [--yes | --keys FINGERPRINT]`: after checking a change, make this exact file the state your vault trusts. */
export function accept(g: TeamOptions, o: AcceptOptions): Promise<number> {
  return runTeam(g, async (s) => {
    const plan = planAccept(s);
    const path = plan.checked.tf.path;
    if (plan.same) {
      info(`${path} is exactly the version your vault verified; nothing to accept`);
      return 0;
    }
    info(`${path} — what your vault would trust from now on:`);
    for (const r of plan.reasons) info(`  ${r}`);
    for (const ch of plan.changes) info(`  ${ch}`);
    if (plan.changes.length === 0) info(`  keys: as your vault verified them${plan.checked.pin ? '' : ' (none yet)'}`);
    info(`  keys fingerprint: ${plan.fingerprint}`);
    if (o.keys === undefined && !o.yes) {
      if (g.nonInteractive) throw cannotAsk('accepting a change asks whether you checked it', `Check the keys above with their owners, then pass --yes (or --keys '${plan.fingerprint}').`);
      if (!(await confirm('Did you check these keys with their owners (and the change in git)? Trust this file from now on?'))) throw new SeeqretError('E_ABORTED', 'nothing was accepted', 'Check the change first.');
    }
    await applyAccept(s, plan, o.keys);
    info(`Accepted ${path} (keys fingerprint ${plan.fingerprint}): your vault trusts this version now`);
    return 0;
  });
}
