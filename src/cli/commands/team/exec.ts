/**
 * `team exec --domain D [--prefix P] [--uppercase] [--no-passthrough] -- CMD ARGS...`: run a
 * program with a domain's secrets in its environment (the credential variables removed).
 *
 * @module
 */
import { SeeqretError } from '../../../errors.js';
import { domainEnvironment } from '../../../team/exec.js';
import { childEnvironment, runChild } from '../../../inject/child.js';
import { type TeamOptions, runTeam, show } from './common.js';
import { io } from '../../cli-io.js';
import { childIo } from '../../io.js';

/** Options of `team exec`. */
export interface ExecOptions {
  domain?: string;
  prefix?: string;
  uppercase?: boolean;
  /** False with `--no-passthrough`. */
  passthrough?: boolean;
}

/** `team exec`. */
export function exec(g: TeamOptions, command: readonly string[], o: ExecOptions): Promise<number> {
  return runTeam(g, async (s) => {
    const [cmd, ...cmdArgs] = command;
    const domain = o.domain;
    if (!domain) throw new SeeqretError('E_USAGE', 'exec needs --domain D', 'e.g. seeqret team exec --domain prod -- ./app');
    if (!cmd) throw new SeeqretError('E_USAGE', 'no command given', 'Write the command after --, e.g. seeqret team exec --domain prod -- ./app');
    const env = await domainEnvironment(s, domain, { prefix: o.prefix, uppercase: o.uppercase === true, passthrough: o.passthrough !== false }, (prefix) => childEnvironment(io().env, [prefix]), show);
    return runChild(cmd, cmdArgs, env, childIo());
  });
}
