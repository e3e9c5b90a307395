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
import { type CliIo, type OutputSink, io, runIo, withRun, withSoleRun } from './cli-io.js';
import { commandWord, refuseAttachedPassword, teamPassphraseFile } from './compat.js';
import { exitProfile, profileNameFor } from './exit-profile.js';
import { misplacedOption } from './misplaced.js';
import { reportError } from './report.js';

/**
 * The command groups, in the order of the help, each with the top-level command words (names and
 * aliases) it registers; test/lazy-tree.test.ts checks the words against the groups' trees.
 */
const GROUPS: ReadonlyArray<readonly [register: (program: Command, args?: readonly string[]) => void, words: readonly string[]]> = [
  [registerInit, ['init']],
  [registerSecrets, ['add', 'get', 'list', 'history', 'edit', 'rm', 'accept']],
  [registerSharing, ['add', 'rm', 'owner', 'whoami', 'public-key', 'introduction', 'users', 'export', 'load', 'serializers', 'audit', 'backup', 'restore', 'import-vault', 'server', 'inbox']],
  [registerEnv, ['importenv', 'env', 'run', 'inject', 'template']],
  [registerSend, ['send']],
  [registerRelay, ['relay', 'push', 'watch', 'sync']],
  [registerSecureStore, ['securestore', 'ss']],
  [registerProject, ['project', 'environments', 'find', 'groups', 'describe', 'show', 'generate', 'rotate', 'set', 'import-psec']],
  [registerTeam, ['team']],
  [registerAgent, ['unlock', 'lock']],
  [registerScan, ['scan', 'hook']],
  [registerVault, ['completion', 'help', 'info', 'upgrade', 'doctor']],
  [registerUi, ['ui']],
];

/** Does a word before `--` ask for help (`help`, `--help`, `-h`, or `-h` among grouped short flags)? */
const asksHelp = (a: string): boolean => a === 'help' || a === '--help' || a.startsWith('--help=') || /^-[^-]*h/.test(a);

/**
 * The groups `args` needs: none when it starts with `-V`/`--version` (commander prints the version
 * as it reads that word), those registering its command word when that word is known and no word
 * asks for help; `undefined` (the whole tree) otherwise. Help, the root's suggestions for an
 * unknown command and the misplaced-option hints read the whole tree.
 */
function groupsFor(root: Command, args: readonly string[]): Array<(program: Command, args?: readonly string[]) => void> | undefined {
  const end = args.indexOf('--');
  if ((end < 0 ? args : args.slice(0, end)).some(asksHelp)) return undefined;
  if (args[0] === '-V' || args[0] === '--version') return [];
  const word = commandWord(root, args);
  if (word === undefined) return undefined;
  const groups = GROUPS.filter(([, words]) => words.includes(word)).map(([register]) => register);
  return groups.length > 0 ? groups : undefined;
}

/** The width help is wrapped to: a terminal's, else commander's default of 80 columns. */
function helpWidth(sink: OutputSink | undefined): number {
  return sink?.isTTY === true ? (sink.columns ?? 80) : 80;
}

/** The whole tree (misplacedOption builds it only for an unknown option). */
const wholeTree = (): Command => buildProgram();

/** The trees built with only some groups. */
const PARTIAL = new WeakSet<Command>();

/** A commander error of the parse that wrote nothing (not help nor the version). */
function parseError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('commander.') && code !== 'commander.helpDisplayed' && code !== 'commander.version' && code !== 'commander.help';
}

/**
 * Build the command tree (no command module is loaded here): the whole tree, or, given the command
 * line's `args`, only the groups of its command word when that is enough (see `groupsFor`).
 */
export function buildProgram(args?: readonly string[]): Command {
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
  const groups = args === undefined ? undefined : groupsFor(program, args);
  if (groups !== undefined) PARTIAL.add(program);
  // A partial tree's groups get the command line, so `team` registers only the sub-command it names.
  if (groups !== undefined) for (const register of groups) register(program, args);
  else for (const [register] of GROUPS) register(program);
  return program;
}

/**
 * Run the CLI with the command-line arguments `args` (without the program name) as one run with
 * `io`, and return its exit status. A fresh command tree is built for the run; the exit-code
 * profile is chosen here from the command word (`team` as pprotect, `securestore` as ssclient);
 * nothing is left behind for the next run. Never exits the process. `sole`: this is the only run of
 * its process (the executable, src/cli/get-main.ts), kept without an `AsyncLocalStorage` scope
 * (`withSoleRun`, decision 93); the in-process runner and tests run several.
 */
export async function main(args: readonly string[], io: CliIo, sole = false): Promise<number> {
  const argv = ['node', 'seeqret', ...args];
  const end = args.indexOf('--');
  const debug = (end < 0 ? args : args.slice(0, end)).includes('--debug') || io.env['SEEQRET_DEBUG'] === '1';
  const program = buildProgram(args);
  const run: { io: CliIo; status?: number; profile: ReturnType<typeof exitProfile> } = { io, profile: exitProfile(profileNameFor(commandWord(program, args)), io.env) };
  const parse = async (tree: Command): Promise<number> => {
    refuseAttachedPassword(tree, [...args]);
    await tree.parseAsync(teamPassphraseFile(tree, argv));
    return run.status ?? 0;
  };
  return (sole ? withSoleRun : withRun)(run, async () => {
    try {
      return await parse(program);
    } catch (e) {
      // A parse error of a partial tree: parsed again with the whole tree (no action has run, and
      // nothing was written), so its message and suggestions are those of the whole tree.
      if (!PARTIAL.has(program) || !parseError(e)) return reportError(misplacedOption(wholeTree, e, [...args]) ?? e, debug);
      try {
        return await parse(buildProgram());
      } catch (e2) {
        return reportError(misplacedOption(wholeTree, e2, [...args]) ?? e2, debug);
      }
    }
  });
}
