/**
 * `team init`, `add-custodian`, `rm-custodian`, `set-passphrase`, `rekey`.
 *
 * @module
 */
import { resolveUser } from '../../../team/credentials.js';
import { changeCustodianKey, planNewCustodian, readableLines, removeCustodian } from '../../../team/custodians.js';
import { openTeam, teamFileExists } from '../../../team/session.js';
import { TeamFile } from '../../../team/store.js';
import { writeTeam } from '../../../team/write.js';
import fs from 'node:fs';
import { info } from '../../context.js';
import { type TeamOptions, runTeam, show, teamCmd } from './common.js';

/** Options of `team init`. */
export interface InitOptions {
  keyType?: string;
  pubkey?: string;
}

/** Options of `team add-custodian`. */
export interface AddCustodianOptions extends InitOptions {
  vaultUser?: string;
}

/** Options of `team rm-custodian`. */
export interface RmCustodianOptions {
  rotate?: boolean;
}

/** Options of `team set-passphrase` and `team rekey`. */
export interface KeyTypeOptions {
  keyType?: string;
}

/** `team init`: create the file with its first custodian. */
export function init(g: TeamOptions, o: InitOptions): Promise<number> {
  return runTeam(g, async (s) => {
    if (fs.existsSync(s.file)) throw teamFileExists(s.file);
    const plan = await planNewCustodian(s, (await resolveUser(s)).value, o);
    show(plan.notices);
    const tf = plan.change(TeamFile.create(s.file));
    show((await writeTeam(s, null, () => tf, { create: true, pre: tf })).notices);
    info(`Created ${s.file} with key custodian ${tf.custodianNames()[0]}; next: ${teamCmd(g, 'add-domain NAME')}`);
    return 0;
  });
}

/** `team add-custodian [NAME]`. */
export function addCustodian(g: TeamOptions, name: string | undefined, o: AddCustodianOptions): Promise<number> {
  return runTeam(g, async (s) => {
    const { tf } = openTeam(s, 'write');
    const who = name ?? (await resolveUser(s, 'New custodian email')).value;
    const plan = await planNewCustodian(s, who, o, tf);
    show(plan.notices);
    show((await writeTeam(s, tf, plan.change)).notices);
    info(`Added key custodian ${who}`);
    return 0;
  });
}

/** `team rm-custodian NAME [--rotate]`. */
export function rmCustodian(g: TeamOptions, name: string, o: RmCustodianOptions): Promise<number> {
  return runTeam(g, async (s) => {
    const { tf } = openTeam(s, 'write');
    const r = await removeCustodian(s, tf, name, o.rotate === true);
    show(r.write.notices);
    info(`Removed key custodian ${name}`);
    for (const line of readableLines(s, name, r.readable)) info(line);
    return 0;
  });
}

function changeKey(g: TeamOptions, o: KeyTypeOptions, how: 'passphrase' | 'rekey'): Promise<number> {
  return runTeam(g, async (s) => {
    const { tf } = openTeam(s, 'write');
    const r = await changeCustodianKey(s, tf, how, o.keyType);
    show(r.write.notices);
    info(`${how === 'rekey' ? 'Rekeyed' : 'Changed the passphrase of'} ${r.custodian} (${r.keyType}); domains re-sealed: ${r.domains.join(', ') || 'none'}`);
    if (r.write.after.data.signed) info('Your signing key changed with your key: teammates will be asked to trust it again.');
    return 0;
  });
}

/** `team set-passphrase [--key-type hard|fast]`. */
export const setPassphrase = (g: TeamOptions, o: KeyTypeOptions): Promise<number> => changeKey(g, o, 'passphrase');

/** `team rekey [--key-type hard|fast|raw]`. */
export const rekey = (g: TeamOptions, o: KeyTypeOptions): Promise<number> => changeKey(g, o, 'rekey');
