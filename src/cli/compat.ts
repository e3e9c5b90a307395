/**
 * Command lines of the tools seeqret stands in for. pocket_protector's `pprotect` takes the
 * custodian's passphrase file as `--passphrase-file` after its command word; seeqret's own
 * `--passphrase-file` (before `team`) is the vault's. ssclient's `-p PASSWORD` forms in a
 * `securestore` command line are refused without echoing the password.
 *
 * @module
 */
import type { Command } from 'commander';
import { SeeqretError } from '../errors.js';

/**
 * pprotect's `--passphrase-file FILE` is the custodian's passphrase. After the `team` word (before
 * `--`) it is taken as `--team-passphrase-file`, so pprotect command lines work; before it, it stays
 * seeqret's vault passphrase (which `team pull`/`push` may need). Returns a new argv.
 */
export function teamPassphraseFile(program: Command, argv: string[]): string[] {
  const args = argv.slice(2);
  const end = args.indexOf('--');
  const head = end < 0 ? args.length : end;
  const i = commandIndex(program, args);
  if (args[i] !== 'team') return argv;
  const out = [...args];
  for (let j = i + 1; j < head; j++) {
    const a = out[j];
    if (a === '--passphrase-file') out[j] = '--team-passphrase-file';
    else if (a?.startsWith('--passphrase-file=') === true) out[j] = `--team-passphrase-file=${a.slice('--passphrase-file='.length)}`;
  }
  return [...argv.slice(0, 2), ...out];
}

/** Where the command word is in `args` (the arguments after the program name): after the program's own options and their values. */
function commandIndex(program: Command, args: readonly string[]): number {
  const end = args.indexOf('--');
  const head = end < 0 ? args.length : end;
  let i = 0;
  while (i < head && args[i]?.startsWith('-') === true) {
    const o = program.options.find((x) => x.long === args[i] || x.short === args[i]);
    i += o && (o.required || o.optional) ? 2 : 1;
  }
  return i;
}

/**
 * The sub-command word of `args` under the command `group` (the command word's command): the first
 * word after the command word and the options of `group` and of the program (with their values).
 * `undefined` when there is none before `--`, or an option before it is not one of those, is
 * spelled with its value attached, or takes an optional value: only a word the parser is certain to
 * read as the sub-command is returned.
 */
export function subCommandWord(program: Command, group: Command, args: readonly string[]): string | undefined {
  const end = args.indexOf('--');
  const head = end < 0 ? args.length : end;
  let i = commandIndex(program, args) + 1;
  while (i < head && args[i]?.startsWith('-') === true) {
    const o = [...group.options, ...program.options].find((x) => x.long === args[i] || x.short === args[i]);
    if (o === undefined || o.optional) return undefined;
    i += o.required ? 2 : 1;
  }
  return i < head ? args[i] : undefined;
}

/** The command word of `args` (the arguments after the program name), if there is one before `--`. */
export function commandWord(program: Command, args: readonly string[]): string | undefined {
  const i = commandIndex(program, args);
  const end = args.indexOf('--');
  return end >= 0 && i >= end ? undefined : args[i];
}

/** The fix of every refused `securestore` password form: how the password is given instead. */
export const SS_PASSWORD_FIX =
  '-p takes no value: the password comes from a prompt, SEEQRET_SS_PASSWORD or --password-file; commands: create, get, set, delete, keys, export-key, import, export.';

/**
 * `ssclient`'s attached password forms, `--password=PW` and `-pPW`, anywhere in a `securestore`
 * command line (before `--`): refused before commander could quote them in an "unknown option"
 * error. The command word is found by skipping the program's own options (and their values).
 */
export function refuseAttachedPassword(program: Command, args: string[]): void {
  const end = args.indexOf('--');
  const head = end < 0 ? args : args.slice(0, end);
  const i = commandIndex(program, head);
  if (head[i] !== 'securestore' && head[i] !== 'ss') return;
  if (head.slice(i + 1).some((a) => a.startsWith('--password=') || /^-p./.test(a))) {
    throw new SeeqretError('E_USAGE', 'a password was given on the command line (not shown)', SS_PASSWORD_FIX);
  }
  // `-p` after the command word is refused too: in `ss set -p PW KEY` the password would become a
  // secret's name (written to a file kept in git), in `ss get -p PW` part of an error message.
  let j = i + 1;
  for (let a = head[j]; j < head.length && a?.startsWith('-') === true; a = head[j]) j += SS_VALUE_OPTIONS.has(a) ? 2 : 1;
  if (head.slice(j + 1).some((a) => a === '-p' || a === '--password')) {
    throw new SeeqretError('E_USAGE', '-p/--password after the securestore command', 'Put -p before the command (seeqret ss -p get KEY); it takes no value, the password comes from a prompt, SEEQRET_SS_PASSWORD or --password-file.');
  }
}

/** The `securestore` group's options that take a value. */
const SS_VALUE_OPTIONS: ReadonlySet<string> = new Set(['-s', '--store', '-k', '--key', '--keyfile', '--key-file', '--password-file']);
