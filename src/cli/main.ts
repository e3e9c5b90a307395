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
import { refuseAttachedPassword, teamPassphraseFile } from './compat.js';
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
  registerVault,
];

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
    .configureOutput({ outputError: () => undefined });
  for (const register of GROUPS) register(program);
  return program;
}

/** Run the CLI with `argv` (as process.argv). */
export async function main(argv: string[]): Promise<number> {
  const end = argv.indexOf('--');
  const debug = (end < 0 ? argv : argv.slice(0, end)).includes('--debug') || process.env['SEEQRET_DEBUG'] === '1';
  try {
    const program = buildProgram();
    refuseAttachedPassword(program, argv.slice(2));
    await program.parseAsync(teamPassphraseFile(program, argv));
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    return reportError(misplacedOption(buildProgram(), e, argv.slice(2)) ?? e, debug);
  }
}
