/**
 * The child program of an in-process `run` / `team exec` whose subject is the environment it is
 * given: `env -0` (coreutils) prints it NUL-separated (values may hold newlines). Starting `env`
 * costs about a millisecond of CPU, `node -e` about a hundred; the program is still a real child
 * process started by the command.
 */
export const ENV_DUMP: readonly string[] = ['env', '-0'];

/** The environment `env -0` printed, by name. */
export function parseEnvDump(stdout: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of stdout.split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}
