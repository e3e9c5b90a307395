/**
 * The command tree: the program's global options and the table of command groups. Each group
 * owns its sub-tree in `src/cli/commands/<group>/`; their actions import a handler only when its
 * command runs, so start-up pays for commander and the trees, nothing else.
 *
 * @module
 */
import { Command } from 'commander';
import { VERSION } from '../version.js';
import { registerAgent } from './commands/agent/index.js';
import { registerEnv } from './commands/env/index.js';
import { registerProject } from './commands/project/index.js';
import { registerSecrets } from './commands/secrets/index.js';
import { registerSecureStore } from './commands/securestore/index.js';
import { registerSend } from './commands/send/index.js';
import { registerSharing } from './commands/sharing/index.js';
import { registerTeam } from './commands/team/index.js';
import { registerInit, registerVault } from './commands/vault/index.js';
import { registerRelay } from './commands/relay/index.js';
import { registerScan } from './commands/scan/index.js';
import { registerUi } from './commands/ui/index.js';
import { type CliIo, type OutputSink, io, runIo, withRun } from './cli-io.js';
import { commandWord, refuseAttachedPassword, teamPassphraseFile } from './compat.js';
import { exitProfile, profileNameFor } from './exit-profile.js';
import { misplacedOption } from './misplaced.js';
import { reportError } from './report.js';

/** The command groups, in the order of the help. */
const GROUPS: ReadonlyArray<(program: Command) => void> = [
  registerInit,
  registerSecrets,
  registerSharing,
  registerEnv,
  registerSend,
  registerRelay,
  registerSecureStore,
  registerProject,
  registerTeam,
  registerAgent,
  registerScan,
  registerVault,
  registerUi,
];

/** The width help is wrapped to: a terminal's, else commander's default of 80 columns. */
function helpWidth(sink: OutputSink | undefined): number {
  return sink?.isTTY === true ? (sink.columns ?? 80) : 80;
}

/** Build the full command tree (no command module is loaded here). */
export function buildProgram(): Command {
  const program = new Command('seeqret')
    .description('Encrypted local secrets vault: store, share by public key, inject into processes.')
    .version(VERSION, '-V, --version')
    .option('--vault <dir>', 'vault folder (default: $SEEQRET, else ~/.seeqret)')
    .option('--passphrase-file <file>', 'read the vault passphrase from FILE')
    .option('--debug', 'show stack traces on errors')
    .option('--follow-symlinks', 'write a file named by a symbolic link (default: refuse, E_SYMLINK)')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(true)
    .exitOverride()
    // Help and version go to the run's streams; errors are reported by reportError, once.
    .configureOutput({
      writeOut: (str) => io().stdout.write(str),
      writeErr: (str) => io().stderr.write(str),
      outputError: () => undefined,
      getOutHelpWidth: () => helpWidth(runIo()?.stdout),
      getErrHelpWidth: () => helpWidth(runIo()?.stderr),
      getOutHasColors: () => false,
      getErrHasColors: () => false,
    });
  for (const register of GROUPS) register(program);
  return program;
}

/**
 * Run the CLI with the command-line arguments `args` (without the program name) as one run with
 * `io`, and return its exit status. A fresh command tree is built for the run; the exit-code
 * profile is chosen here from the command word (`team` as pprotect, `securestore` as ssclient);
 * nothing is left behind for the next run. Never exits the process.
 */
export async function main(args: readonly string[], io: CliIo): Promise<number> {
  const argv = ['node', 'seeqret', ...args];
  const end = args.indexOf('--');
  const debug = (end < 0 ? args : args.slice(0, end)).includes('--debug') || io.env['SEEQRET_DEBUG'] === '1';
  const program = buildProgram();
  const run: { io: CliIo; status?: number; profile: ReturnType<typeof exitProfile> } = { io, profile: exitProfile(profileNameFor(commandWord(program, args)), io.env) };
  return withRun(run, async () => {
    try {
      refuseAttachedPassword(program, [...args]);
      await program.parseAsync(teamPassphraseFile(program, argv));
      return run.status ?? 0;
    } catch (e) {
      return reportError(misplacedOption(buildProgram(), e, [...args]) ?? e, debug);
    }
  });
}
