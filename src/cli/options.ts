/**
 * Options shared by the command groups' trees: the output formats, repeatable values, and the
 * vocabulary of replacing and asking (docs/cli.md#vocabulary):
 *
 * - `--overwrite` replaces what is there (a value, a file, a key);
 * - `--force` goes past a safety refusal (a replay, a changed file, a git work tree);
 * - `-y/--yes` skips a question.
 *
 * Old spellings stay as hidden aliases ({@link oldSpelling}): they set the new option, so handlers
 * read one typed field.
 *
 * @module
 */
import { type Command, Option } from 'commander';

/** `--format` of the commands that report something: `text` for people, `json` for programs. */
export type ReportFormat = 'text' | 'json';

/** `--format text|json` (default text). */
export const reportFormatOption = (): Option => new Option('--format <format>', 'output format').choices(['text', 'json']).default('text');

/** `--format` of the listings of secrets: table, json, yaml, csv, env or shell (default table). */
export const formatOption = (): Option => new Option('--format <format>', 'output format').choices(['table', 'json', 'yaml', 'csv', 'env', 'shell']).default('table');

/** `--format` of the listings that are no secrets: table, json, yaml or csv (default table). */
export const listFormatOption = (): Option => new Option('--format <format>', 'output format').choices(['table', 'json', 'yaml', 'csv']).default('table');

/** Collect a repeatable option's values. */
export const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/** `-e, --env ENV` of the project commands. */
export const envOption = (): Option => new Option('-e, --env <env>', 'environment (default: SEEQRET_ENV, .seeqret-environment, seeqret.yaml)');

/** `-y, --yes`: do not ask. */
export const yesOption = (): Option => new Option('-y, --yes', 'do not ask');

/** The attribute commander keeps a long flag under (`--dry-run` → `dryRun`). */
function attribute(long: string): string {
  return long.replace(/^--/, '').replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/**
 * Keep `old` (e.g. `--update`) as a hidden spelling of the boolean option `canonical` (e.g.
 * `--overwrite`) of `cmd`: giving it sets the canonical option, which is all handlers read.
 */
export function oldSpelling(cmd: Command, old: string, canonical: string): Command {
  cmd.addOption(new Option(old, `old spelling of ${canonical}`).hideHelp());
  cmd.on(`option:${old.replace(/^--/, '')}`, () => {
    cmd.setOptionValueWithSource(attribute(canonical), true, 'cli');
  });
  return cmd;
}
