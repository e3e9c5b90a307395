/**
 * The environment commands' tree: `importenv`, `env`, `run`, `inject`, `template` (docs/commands/env.md).
 * Only commander calls; each action imports its handler when that command runs.
 *
 * @module
 */
import { type Command, Option } from 'commander';
import { run } from '../../action.js';
import { collect, oldSpelling, reportFormatOption } from '../../options.js';
import type { EnvOptions } from './env.js';
import type { ImportenvOptions } from './importenv.js';
import type { InjectOptions } from './inject.js';
import type { RunOptions } from './run.js';
import type { TemplateOptions } from './template.js';

const dialects = ['node', 'python', 'compose', 'shell'];

/** Add the environment commands to `program`. */
export function registerEnv(program: Command): void {
  const importenv = program
    .command('importenv')
    .description('Import a .env file (all or nothing)')
    .argument('<file>', 'dotenv file, or - for stdin')
    .option('--app <app>', 'application for the imported keys', '*')
    .option('--env <env>', 'environment for the imported keys', '*')
    .option('--overwrite', 'replace existing values that differ (old spelling --update)')
    .option('--dry-run', 'show what would change, write nothing')
    .addOption(reportFormatOption())
    .addOption(new Option('--dialect <dialect>', "read the file as this program does (default: the dialect seeqret env wrote it for, else seeqret's dotenv grammar)").choices(dialects))
    .action((file: string, o: ImportenvOptions, cmd: Command) => run(cmd, async (g) => (await import('./importenv.js')).importenv(g, file, o)));
  oldSpelling(importenv, '--update', '--overwrite');

  program
    .command('env')
    .description('Write a .env file from env.template')
    .option('--template <file>', 'template file', 'env.template')
    .option('--out <file>', 'output file', '.env')
    .option('--stdout', 'print to stdout instead of writing a file')
    .addOption(new Option('--dialect <dialect>', 'the program that reads the file (default: @dialect in the template, seeqret.yaml, node)').choices(dialects))
    .option('--force', 'go past the refusal to write over a file that changed since seeqret env wrote it, or that it did not write')
    .action((o: EnvOptions, cmd: Command) => run(cmd, async (g) => (await import('./env.js')).env(g, o)));

  program
    .command('run')
    .description('Run CMD with secrets in its environment (no shell)')
    .argument('<command...>', 'command and arguments, after --')
    .option('-e, --env <env>', 'project environment (default: SEEQRET_ENV, the checkout default, seeqret.yaml)')
    .option('-f, --filter <filter>', 'secrets to export (repeatable; default: the project environment, else env.template)', collect)
    .option('--template <file>', 'env.template to use when no -f is given (default: env.template; inside a project only when given)')
    .option('--env-file <file>', 'set the variables of a .env file (repeatable, later wins); seeqret:// references are resolved', collect)
    .option('--prefix <prefix>', 'prefix for variable names', '')
    .option('--preserve-existing', 'keep variables that are already set (non-empty) in the environment')
    .option('--umask <mode>', "the child's umask, octal written with 0o (default 0o077)")
    .option('--mask', "replace secret values in the command's output with ***** (default: in output that is not a terminal)")
    .option('--no-mask', "never mask: the command's output is its own")
    .action((command: string[], o: RunOptions, cmd: Command) => run(cmd, async (g) => (await import('./run.js')).run(g, command, o)));

  program
    .command('inject')
    .description('Fill {{ seeqret://APP/ENV/KEY }} references in a file (all or nothing; output 0600)')
    .option('-i, --in <file>', 'template file (default: stdin)')
    .option('-o, --out <file>', 'output file, written atomically with mode 0600, or - for stdout (the default)')
    .option('-e, --env <env>', 'project environment of seeqret://KEY references (default: SEEQRET_ENV, the checkout default, seeqret.yaml)')
    .action((o: InjectOptions, cmd: Command) => run(cmd, async (g) => (await import('./inject.js')).inject(g, o)));

  program
    .command('template')
    .description("Render {{ VAR }} placeholders in SRC with the project environment's secrets")
    .argument('<src>', 'template file')
    .argument('<dest>', 'output file (written atomically, mode 0600), or - for stdout')
    .option('-e, --env <env>', 'project environment (default: SEEQRET_ENV, the checkout default, seeqret.yaml)')
    .action((src: string, dest: string, o: TemplateOptions, cmd: Command) => run(cmd, async (g) => (await import('./template.js')).template(g, src, dest, o)));
}
