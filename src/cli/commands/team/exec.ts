/**
 * `team exec --domain D [--prefix P] [--uppercase] [--no-passthrough] -- CMD ARGS...`: run a
 * program with a domain's secrets in its environment (the credential variables removed).
 *
 * @module
 */
import { SeeqretError } from '../../../errors.js';
import { envPrefixOf, requireCustodian } from '../../../team/credentials.js';
import { openTeam } from '../../../team/session.js';
import { isDangerousVariable } from '../../../inject/resolve.js';
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

const PASSTHROUGH = ['PATH', 'HOME', 'TERM', 'LANG', 'USER', 'SHELL', 'LOGNAME'];

/** The child environment of `team exec`. */
export function execEnvironment(
  secrets: ReadonlyMap<string, string>,
  opts: { prefix?: string | undefined; uppercase?: boolean; passthrough?: boolean; envPrefix: string },
  base: NodeJS.ProcessEnv,
): NodeJS.ProcessEnv {
  const vars = new Map<string, string>();
  for (const [name, value] of secrets) {
    let v = opts.uppercase ? name.replace(/[^A-Za-z0-9]/g, '_').toUpperCase() : name;
    if (opts.prefix) v = `${opts.prefix}_${v}`;
    if (v === '' || v.includes('=') || v.includes('\0')) throw new SeeqretError('E_INVALID_NAME', `${JSON.stringify(v)} cannot be an environment variable name`, 'Rename the secret, or use --prefix / --uppercase.');
    if (vars.has(v)) throw new SeeqretError('E_USAGE', `two secrets would both be the variable ${v}`, 'Drop --uppercase, or rename one of the secrets.');
    if (value.includes('\0')) throw new SeeqretError('E_BAD_VALUE', `${name} contains a NUL character, which an environment variable cannot hold`, 'Store it base64-encoded.');
    vars.set(v, value);
  }
  const reserved = [...vars.keys()].filter((v) => isDangerousVariable(v) || v.startsWith('GIT_')).sort();
  if (reserved.length) {
    throw new SeeqretError('E_BAD_VALUE', `refusing to set ${reserved.join(', ')}: such variables change how programs load or run code`, 'Use --prefix or --uppercase to give the secrets other names.');
  }
  const env: NodeJS.ProcessEnv = {};
  if (opts.passthrough === false) {
    for (const k of PASSTHROUGH) if (base[k] !== undefined) env[k] = base[k];
  } else Object.assign(env, base);
  const credentials = new Set(['PPROTECT_USER', 'PPROTECT_PASSPHRASE', 'PPROTECT_ENV_PREFIX', 'SEEQRET_TEAM_USER', 'SEEQRET_TEAM_PASSPHRASE', 'SEEQRET_TEAM_NEW_PASSPHRASE', `${opts.envPrefix}_USER`, `${opts.envPrefix}_PASSPHRASE`]);
  const clean: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(env).filter(([k]) => !credentials.has(k)));
  for (const [k, v] of vars) clean[k] = v;
  return clean;
}

/** `team exec`. */
export function exec(g: TeamOptions, command: readonly string[], o: ExecOptions): Promise<number> {
  return runTeam(g, async (s) => {
    const [cmd, ...cmdArgs] = command;
    const domain = o.domain;
    if (!domain) throw new SeeqretError('E_USAGE', 'exec needs --domain D', 'e.g. seeqret team exec --domain prod -- ./app');
    if (!cmd) throw new SeeqretError('E_USAGE', 'no command given', 'Write the command after --, e.g. seeqret team exec --domain prod -- ./app');
    const { tf, notices } = openTeam(s);
    show(notices);
    tf.secretNames(domain);
    const me = await requireCustodian(s, tf);
    const prefix = envPrefixOf(s);
    const env = execEnvironment(tf.decryptDomain(domain, me), { prefix: o.prefix, uppercase: o.uppercase === true, passthrough: o.passthrough !== false, envPrefix: prefix }, childEnvironment(io().env, [prefix]));
    return runChild(cmd, cmdArgs, env, childIo());
  });
}
