/**
 * The environment variables that carry seeqret's own credentials, and the environment a child
 * process gets without them. Every place that starts a process (`run`, `team exec`,
 * `set NAME=!command`, helpers) builds the child's environment with {@link childEnvironment}, and
 * `seeqret/config` removes them from `process.env` once the vault is open.
 *
 * @module
 */

/**
 * Variables holding a passphrase, a password, or the name that goes with one. `SEEQRET_TEAM_USER`
 * and `PPROTECT_USER` are not secret on their own, but a child has no use for half a login.
 */
export const CREDENTIAL_VARIABLES: readonly string[] = Object.freeze([
  'SEEQRET_PASSPHRASE',
  'SEEQRET_BACKUP_PASSPHRASE',
  'SEEQRET_SS_PASSWORD',
  'SEEQRET_TEAM_USER',
  'SEEQRET_TEAM_PASSPHRASE',
  'SEEQRET_TEAM_NEW_PASSPHRASE',
  'PPROTECT_USER',
  'PPROTECT_PASSPHRASE',
  'PPROTECT_NEW_PASSPHRASE',
]);

/** The team commands' custodian variables for an environment-variable prefix (`PPROTECT` by default). */
export function teamCredentialVariables(prefix: string): string[] {
  return [`${prefix}_USER`, `${prefix}_PASSPHRASE`, `${prefix}_NEW_PASSPHRASE`];
}

/**
 * Every credential variable name for `env`: the fixed list, the custodian variables of the
 * prefix `env` names in `PPROTECT_ENV_PREFIX`, and those of `extraPrefixes` (a `--env-prefix`).
 */
export function credentialVariables(env: NodeJS.ProcessEnv, extraPrefixes: readonly string[] = []): Set<string> {
  const names = new Set(CREDENTIAL_VARIABLES);
  const prefixes = [...extraPrefixes];
  const fromEnv = env['PPROTECT_ENV_PREFIX'];
  if (fromEnv) prefixes.push(fromEnv);
  for (const p of prefixes) for (const n of teamCredentialVariables(p)) names.add(n);
  return names;
}

/**
 * A copy of `base` without seeqret's credential variables: the environment a child process
 * starts from. `extraPrefixes` adds the custodian variables of a team `--env-prefix`.
 */
export function childEnvironment(base: NodeJS.ProcessEnv, extraPrefixes: readonly string[] = []): NodeJS.ProcessEnv {
  const drop = credentialVariables(base, extraPrefixes);
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) if (!drop.has(k)) env[k] = v;
  return env;
}

/** Delete seeqret's credential variables from `env` in place (for `seeqret/config`). */
export function removeCredentials(env: NodeJS.ProcessEnv): void {
  for (const k of credentialVariables(env)) Reflect.deleteProperty(env, k);
}
