/**
 * The project commands' tree (docs/project.md): `project init|show`, `environments …`, `find`,
 * `groups …`, `describe`, `show`, `generate`, `rotate`, `set`, `import-psec`. Only commander
 * calls; each action imports its handler when that command runs.
 *
 * @module
 */
import { type Command, Option } from 'commander';
import { run } from '../../action.js';
import { collect, envOption, formatOption, listFormatOption, oldSpelling } from '../../options.js';
import type { EnvironmentsCreateOptions, EnvironmentsDefaultOptions, EnvironmentsDeleteOptions, EnvironmentsListOptions, EnvironmentsPathOptions, EnvironmentsTreeOptions, FindOptions } from './environments.js';
import type { GenerateOptions, RotateOptions } from './generate.js';
import type { GroupsCreateOptions, GroupsDeleteOptions, GroupsListOptions, GroupsPathOptions, GroupsShowOptions } from './groups.js';
import type { ImportPsecOptions } from './importpsec.js';
import type { ProjectInitOptions, ProjectShowOptions } from './project.js';
import type { SetOptions } from './set.js';
import type { DescribeOptions, ShowOptions } from './variables.js';

const project = () => import('./project.js');
const environments = () => import('./environments.js');
const groups = () => import('./groups.js');
const variables = () => import('./variables.js');
const generate = () => import('./generate.js');

/** Add the project commands to `program`. */
export function registerProject(program: Command): void {
  const generationOptions = (c: Command): Command =>
    c
      .option('-U, --unique', 'a value per variable (default: one value per type, shared)')
      .option('-g, --group <group>', 'only variables of this group (repeatable)', collect)
      .option('--words <n>', 'password: number of words (default 6)')
      .option('--acrostic', "password: initials spell a word (psec's style)")
      .option('--no-acrostic', 'password: free initials (default)')
      .option('--psec', "password: psec's style, 4 words spelling a word (35.4 bits)")
      .addOption(new Option('--case <style>', 'password: case of the words').choices(['alternate', 'lower', 'upper', 'capitalize']))
      .option('--delimiter <text>', 'password: text between words (default .)')
      .option('--min-word-length <n>', 'password: shortest word (default 3)')
      .option('--max-word-length <n>', 'password: longest word (default 6)')
      .option('--length <n>', 'tokens and random_base64: bytes; random: characters')
      .option('--min <n>', 'int: smallest value (default 0)')
      .option('--max <n>', 'int: largest value (default 65535)')
      .option('--user <name>', 'sha256_digest: the user name')
      .option('--from <var>', 'crypt_6/sha256_digest: hash the stored value of VAR')
      .option('--rounds <n>', 'crypt_6: rounds (default 5000)')
      .option('--dry-run', 'show what would be generated, write nothing')
      .addOption(envOption());

  const projectCmd = program.command('project').description('The project file (seeqret.yaml): app, default environment, descriptions');
  const projectInit = projectCmd
    .command('init')
    .description('Create seeqret.yaml here (app = folder name, environment dev) and the environment folder')
    .option('--app <app>', 'vault app of the project (default: this folder name)')
    .option('--env <env>', 'default environment (default dev)')
    .option('--descriptions <dir>', 'folder of environment folders, relative (default secrets)')
    .option('--template <file>', 'env template, relative (default env.template)')
    .option('--overwrite', 'replace an existing seeqret.yaml (old spelling --force)')
    .action((o: ProjectInitOptions, cmd: Command) => run(cmd, async () => (await project()).projectInit(o)));
  oldSpelling(projectInit, '--force', '--overwrite');
  projectCmd
    .command('show')
    .description('Show the project file, the selected environment (and why) and its folders')
    .addOption(envOption())
    .addOption(listFormatOption())
    .action((o: ProjectShowOptions, cmd: Command) => run(cmd, async (g) => (await project()).projectShow(g, o)));

  const environmentsCmd = program.command('environments').description('Environments of the project (descriptions folders and vault values)');
  environmentsCmd
    .command('create')
    .description('Create environments; --clone-from copies descriptions (never values) from a *.d folder, a group file or an environment')
    .argument('[env...]', 'environment names (default: the selected environment)')
    .option('--clone-from <src>', 'a secrets.d folder, a .json/.yaml group file, or an environment name')
    .addOption(envOption())
    .action((names: string[], o: EnvironmentsCreateOptions, cmd: Command) => run(cmd, async (g) => (await environments()).create(g, names, o)));
  environmentsCmd
    .command('list')
    .description('List environments: Environment, Default, Described, Values')
    .addOption(listFormatOption())
    .action((o: EnvironmentsListOptions, cmd: Command) => run(cmd, async (g) => (await environments()).list(g, o)));
  environmentsCmd
    .command('default')
    .description('Show, set (ENV or --set ENV) or --unset the per-checkout default environment')
    .argument('[env]', 'environment to make the default')
    .option('--set', 'set ENV as the default')
    .option('--unset', 'remove the per-checkout default')
    .action((env: string | undefined, o: EnvironmentsDefaultOptions, cmd: Command) => run(cmd, async (g) => (await environments()).defaultCmd(g, env, o)));
  const envDelete = environmentsCmd
    .command('delete')
    .description("Delete an environment: its descriptions folder, its vault values (with history) and its tmp folder")
    .argument('<env>', 'environment')
    .option('-y, --yes', 'do not ask (required when not on a terminal; old spelling --force)')
    .action((env: string, o: EnvironmentsDeleteOptions, cmd: Command) => run(cmd, async (g) => (await environments()).del(g, env, o)));
  oldSpelling(envDelete, '--force', '--yes');
  environmentsCmd
    .command('rename')
    .description('Rename an environment: descriptions folder, vault values (re-sealed, with history) and tmp folder')
    .argument('<from>', 'current name')
    .argument('<to>', 'new name')
    .action((from: string, to: string, _o: object, cmd: Command) => run(cmd, async (g) => (await environments()).rename(g, from, to)));
  environmentsCmd
    .command('path')
    .description("Print the environment's descriptions folder (or its private tmp folder)")
    .option('--tmpdir', 'the per-environment tmp folder for rendered secrets (created 0700)')
    .option('--create', 'create the folder if missing')
    .option('--exists', 'print nothing; exit 0 if the folder exists, 3 if not')
    .addOption(envOption())
    .action((o: EnvironmentsPathOptions, cmd: Command) => run(cmd, async (g) => (await environments()).pathCmd(g, o)));
  environmentsCmd
    .command('tree')
    .description("Draw the environment's descriptions folder as a tree")
    .argument('[env]', 'environment (default: the selected one)')
    .option('--no-files', 'folders only')
    .addOption(envOption())
    .action((env: string | undefined, o: EnvironmentsTreeOptions, cmd: Command) => run(cmd, async (g) => (await environments()).tree(g, env, o)));
  program
    .command('find')
    .description('Find variables whose name contains TERM, in every environment')
    .argument('<term>', 'part of a variable name (case-sensitive)')
    .addOption(listFormatOption())
    .action((term: string, o: FindOptions, cmd: Command) => run(cmd, async (g) => (await environments()).find(g, term, o)));

  const groupsCmd = program.command('groups').description("Groups: the description files of an environment's secrets.d");
  groupsCmd
    .command('list')
    .description('List groups: Group, Items, File')
    .addOption(envOption())
    .addOption(listFormatOption())
    .action((o: GroupsListOptions, cmd: Command) => run(cmd, async (g) => (await groups()).list(g, o)));
  groupsCmd
    .command('show')
    .description('Show the variables of groups (all when none named)')
    .argument('[group...]', 'group names')
    .addOption(envOption())
    .addOption(listFormatOption())
    .action((names: string[], o: GroupsShowOptions, cmd: Command) => run(cmd, async (g) => (await groups()).show(g, names, o)));
  groupsCmd
    .command('create')
    .description('Create a group (empty, or with the descriptions of a group file)')
    .argument('<name>', 'group name')
    .option('--clone-from <file>', 'a psec .json (or .yaml) group file')
    .addOption(envOption())
    .action((name: string, o: GroupsCreateOptions, cmd: Command) => run(cmd, async (g) => (await groups()).create(g, name, o)));
  const groupDelete = groupsCmd
    .command('delete')
    .description("Delete a group's description file (values stay in the vault)")
    .argument('<name>', 'group name')
    .option('-y, --yes', 'do not ask (required when not on a terminal; old spelling --force)')
    .addOption(envOption())
    .action((name: string, o: GroupsDeleteOptions, cmd: Command) => run(cmd, async (g) => (await groups()).del(g, name, o)));
  oldSpelling(groupDelete, '--force', '--yes');
  groupsCmd
    .command('path')
    .description("Print the environment's secrets.d folder")
    .addOption(envOption())
    .action((o: GroupsPathOptions, cmd: Command) => run(cmd, async (g) => (await groups()).pathCmd(g, o)));

  program
    .command('describe')
    .description('Describe variables (Variable, Group, Type, Prompt, Options, Export, Help), or the types with --types')
    .argument('[vars...]', 'variables (default: all)')
    .option('-g, --group <group>', 'only this group (repeatable)', collect)
    .option('--types', 'list the secret types instead')
    .addOption(envOption())
    .addOption(listFormatOption())
    .action((names: string[], o: DescribeOptions, cmd: Command) => run(cmd, async (g) => (await variables()).describe(g, names, o)));
  program
    .command('show')
    .description("Show an environment's variables: Variable, Type, Value (REDACTED unless --reveal), Export, Set")
    .argument('[vars...]', 'variables (default: all)')
    .option('-g, --group <group>', 'only this group (repeatable)', collect)
    .option('-t, --type <type>', 'only this type (repeatable)', collect)
    .option('--reveal', 'show values (also SEEQRET_NO_REDACT=1); recorded in the audit log')
    .option('--undefined', 'only variables without a value')
    .addOption(envOption())
    .addOption(formatOption())
    .action((names: string[], o: ShowOptions, cmd: Command) => run(cmd, async (g) => (await variables()).show(g, names, o)));
  generationOptions(
    program
      .command('generate')
      .description('Generate values for generable variables (never string/boolean); old values kept in history')
      .argument('[vars...]', 'variables (default: every generable variable)')
      .option('--undefined', 'only variables without a value'),
  ).action((names: string[], o: GenerateOptions, cmd: Command) => run(cmd, async (g) => (await generate()).generate(g, names, o)));
  generationOptions(
    program
      .command('rotate')
      .description('Regenerate named, exposed (--exposed) or old (--older-than 90d) values')
      .argument('[vars...]', 'variables to rotate')
      .option('--exposed', 'values marked exposed (a removed user had them)')
      .option('--older-than <age>', 'values set before AGE ago (90d, 12w, 24h) or before a date')
      .option('--all', 'every generable variable'),
  ).action((names: string[], o: RotateOptions, cmd: Command) => run(cmd, async (g) => (await generate()).rotate(g, names, o)));
  program
    .command('set')
    .description('Set variables: VAR=VALUE, VAR=@FILE, VAR=@-, VAR=\'!command\', or VAR (prompt); all or nothing')
    .argument('[assignments...]', 'VAR=VALUE or VAR')
    .option('--undefined', 'only variables without a value (all of them when none are named)')
    .option('--from-options', "set variables to their description's default option")
    .option('--from-env <env>', 'copy values from another environment (VAR, or VAR=OTHER_VAR)')
    .option('--ignore-missing', 'skip variables without a description (and, with --from-env, without a source value)')
    .option('--literal', 'take values as written (no @file, !command)')
    .option('--allow-empty', 'store empty values (VAR=, an empty @FILE, @- or !command output; refused otherwise: E_EMPTY_VALUE)')
    .addOption(envOption())
    .action((words: string[], o: SetOptions, cmd: Command) => run(cmd, async (g) => (await import('./set.js')).set(g, words, o)));
  program
    .command('import-psec')
    .description('Import a psec environment folder (secrets.json values, secrets.d descriptions); all or nothing')
    .argument('<path>', 'the psec environment folder (e.g. ~/.secrets/myenv)')
    .option('-e, --env <env>', 'environment to import into (default: the folder name)')
    .option('--overwrite', 'replace values that differ here (old ones kept in history)')
    .action((folder: string, o: ImportPsecOptions, cmd: Command) => run(cmd, async (g) => (await import('./importpsec.js')).importPsec(g, folder, o)));
}
