/**
 * `team exec`: a domain's secrets as a child's environment — names mapped (`prefix`,
 * `uppercase`), checked (no code-loading variables, no collisions, no NUL), the team credential
 * variables removed. Running the child is the caller's.
 *
 * @module
 */
import { SeeqretError } from '../errors.js';
import { isDangerousVariable } from '../inject/resolve.js';
import { envPrefixOf, requireCustodian } from './credentials.js';
import { type TeamNotice, type TeamSession, openTeam } from './session.js';

/** How {@link execEnvironment} names and fills the child's environment. */
export interface ExecEnvironmentOptions {
  /** `PREFIX_` before each name. */
  readonly prefix?: string | undefined;
  /** Names upper-cased, characters other than letters and digits as `_`. */
  readonly uppercase?: boolean;
  /** False: only PATH, HOME, TERM, LANG, USER, SHELL and LOGNAME of `base` are kept. */
  readonly passthrough?: boolean;
  /** The credential variables' prefix (`PPROTECT` or `--env-prefix`), whose `_USER`/`_PASSPHRASE` are removed. */
  readonly envPrefix: string;
}

const PASSTHROUGH = ['PATH', 'HOME', 'TERM', 'LANG', 'USER', 'SHELL', 'LOGNAME'];

/**
 * The child environment of `team exec`: `base` (or its pass-through part) without the team
 * credential variables, plus `secrets` under their mapped names.
 *
 * @throws SeeqretError `E_INVALID_NAME`, `E_USAGE` (two secrets, one name), `E_BAD_VALUE` (NUL, code-loading variable).
 */
export function execEnvironment(
  secrets: ReadonlyMap<string, string>,
  opts: ExecEnvironmentOptions,
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

/**
 * Open the team file (its notices go to `show` at once, before any credential is asked for),
 * unlock the acting custodian and build the environment of `domain`'s secrets over `base`
 * ({@link execEnvironment}; the credential prefix is the session's).
 *
 * @throws SeeqretError `E_NOT_FOUND` (no such domain), the credential and trust errors of the session.
 */
export async function domainEnvironment(s: TeamSession, domain: string, opts: Omit<ExecEnvironmentOptions, 'envPrefix'>, base: (envPrefix: string) => NodeJS.ProcessEnv, show: (notices: readonly TeamNotice[]) => void): Promise<NodeJS.ProcessEnv> {
  const { tf, notices } = openTeam(s);
  show(notices);
  tf.secretNames(domain);
  const me = await requireCustodian(s, tf);
  const envPrefix = envPrefixOf(s);
  return execEnvironment(tf.decryptDomain(domain, me), { ...opts, envPrefix }, base(envPrefix));
}
