/**
 * `seeqret run -- CMD ARGS...`: run a program (without a shell) with secrets in its environment,
 * forward signals to it, and exit with its exit status.
 *
 * `--env-file FILE`s (in order) set variables over the environment; a value that is a secret
 * reference (`seeqret://APP/ENV/KEY`, `seeqret://KEY`) there or in the inherited environment is
 * replaced by the secret (src/inject/references.ts).
 *
 * Which secrets: `-f FILTER`s; else `--template FILE`; else, inside a project (`seeqret.yaml`),
 * the variables of its environment (`-e ENV`) under their own names and their Export names; else
 * `./env.template`. psec's options: `--prefix`, `--preserve-existing`, `--umask`, and `--mask`,
 * which replaces secret values in the child's output with `*****` — by default in the output that
 * does not go to a terminal, `--no-mask` never. The use case is in
 * src/inject/run.ts; this handler reads the options and starts the child.
 *
 * @module
 */
import { SeeqretError } from '../../../errors.js';
import { runChild } from '../../../inject/child.js';
import { maskableValues, maskedStreams } from '../../../inject/mask.js';
import { DEFAULT_UMASK, buildRunEnvironment, parseUmask, readEnvFiles, runReferenceDefaults, selectRunEntries } from '../../../inject/run.js';
import { type GlobalOptions, warn, withVault } from '../../context.js';
import { io } from '../../cli-io.js';
import { childIo } from '../../io.js';

export { DEFAULT_UMASK, parseUmask };

/** Options of `seeqret run`. */
export interface RunOptions {
  /** `-e/--env ENV`: the project environment. */
  readonly env?: string;
  /** `-f/--filter FILTER` (repeatable): secrets to export. */
  readonly filter?: string[];
  /** `--template FILE`: env.template to use when no -f is given. */
  readonly template?: string;
  /** `--env-file FILE` (repeatable, in order): variables, plain or secret references, set over the environment. */
  readonly envFile?: string[];
  /** `--prefix PREFIX`: prefix for variable names (default ''). */
  readonly prefix: string;
  /** `--preserve-existing`: keep variables already set (non-empty). */
  readonly preserveExisting?: boolean;
  /** `--umask MODE`: the child's umask, octal with 0o. */
  readonly umask?: string;
  /**
   * `--mask` true, `--no-mask` false; undefined: mask the streams that do not go to a terminal
   * (captured output), see {@link maskedStreams}.
   */
  readonly mask?: boolean;
}

export async function run(g: GlobalOptions, command: string[], o: RunOptions): Promise<number> {
  const [cmd, ...cmdArgs] = command;
  if (!cmd) throw new SeeqretError('E_USAGE', 'no command given', 'Write the command after --, e.g. seeqret run -- node app.js');
  const umask = o.umask === undefined ? DEFAULT_UMASK : parseUmask(o.umask);
  const envFiles = o.envFile ?? [];
  const select = await selectRunEntries({ filters: o.filter ?? [], template: o.template, env: o.env, prefix: o.prefix, cwd: io().cwd, environment: io().env, envFiles });
  const fileValues = readEnvFiles(io().cwd, envFiles);
  const referenceDefaults = await runReferenceDefaults(io().cwd, o.env, io().env);
  const child = await withVault(g, (v) =>
    buildRunEnvironment(v, select, { parentEnvironment: io().env, preserveExisting: o.preserveExisting === true, command: cmd, warn, envFiles: fileValues, referenceDefaults }),
  );
  io().setChildUmask(umask);
  const streams = maskedStreams(o.mask, { stdout: io().stdout.isTTY === true, stderr: io().stderr.isTTY === true });
  return runChild(cmd, cmdArgs, child.env, childIo(), streams.stdout || streams.stderr ? maskableValues(child.secretValues) : null, streams);
}
