/**
 * Command lines of the tools seeqret stands in for. pocket_protector's `pprotect` takes the
 * custodian's passphrase file as `--passphrase-file` after its command word; seeqret's own
 * `--passphrase-file` (before `team`) is the vault's.
 *
 * @module
 */
import type { Command } from 'commander';

/**
 * pprotect's `--passphrase-file FILE` is the custodian's passphrase. After the `team` word (before
 * `--`) it is taken as `--team-passphrase-file`, so pprotect command lines work; before it, it stays
 * seeqret's vault passphrase (which `team pull`/`push` may need). Returns a new argv.
 */
export function teamPassphraseFile(program: Command, argv: string[]): string[] {
  const args = argv.slice(2);
  const end = args.indexOf('--');
  const head = end < 0 ? args.length : end;
  let i = 0;
  while (i < head && args[i]!.startsWith('-')) {
    const o = program.options.find((x) => x.long === args[i] || x.short === args[i]);
    i += o && (o.required || o.optional) ? 2 : 1;
  }
  if (args[i] !== 'team') return argv;
  const out = [...args];
  for (let j = i + 1; j < head; j++) {
    if (out[j] === '--passphrase-file') out[j] = '--team-passphrase-file';
    else if (out[j]!.startsWith('--passphrase-file=')) out[j] = `--team-passphrase-file=${out[j]!.slice('--passphrase-file='.length)}`;
  }
  return [...argv.slice(0, 2), ...out];
}
