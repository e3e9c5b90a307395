/**
 * `seeqret scan [PATHS…] [--staged]` and `seeqret hook install|uninstall`: the handlers. The use
 * cases are in src/scan/ (src/scan/vault-scan.ts searches for the vault's values and audits the
 * scan); this module prints each find as `file:line: NAME (encoding)` (never the value), the notes
 * and the totals, and returns the exit status: 1 when something was found, 0 when clean.
 *
 * @module
 */
import path from 'node:path';
import { SeeqretError } from '../../../errors.js';
import { installHook, uninstallHook } from '../../../scan/hook.js';
import { MIN_SCAN_LENGTH } from '../../../scan/matcher.js';
import type { ScanFinding, ScanNote } from '../../../scan/scan.js';
import { scanReportJson, scanVault } from '../../../scan/vault-scan.js';
import { io, selfCommand } from '../../cli-io.js';
import { type GlobalOptions, info, infoLines, out, warn, withVault, writeJson } from '../../context.js';

/** Options of `seeqret scan`. */
export interface ScanCommandOptions {
  /** `--staged`: search the git index instead of the files. */
  readonly staged?: boolean;
  /** `--list-skipped`: name the secrets too short to look for. */
  readonly listSkipped?: boolean;
  /** `--format text|json`. */
  readonly format: 'text' | 'json';
}

/** `file:line:` or, in a binary file, `file:@offset:`. */
function where(f: ScanFinding): string {
  return f.line === null ? `${f.file}:@${String(f.offset)}` : `${f.file}:${String(f.line)}`;
}

/** A note for people about a file left out. */
function noteText(n: ScanNote): string {
  switch (n.reason) {
    case 'too-large':
      return `${n.file}: skipped, ${n.detail ?? 'too large'} (the limit for a file to scan)`;
    case 'symlink':
      return `${n.file}: skipped, a symbolic link (scan does not follow links)`;
    case 'not-a-file':
      return `${n.file}: skipped, not a regular file`;
    case 'unreadable':
      return `${n.file}: not searched: ${n.detail ?? 'unreadable'}`;
  }
}

export async function scanCommand(g: GlobalOptions, paths: string[], o: ScanCommandOptions): Promise<number> {
  if (o.staged === true && paths.length > 0) throw new SeeqretError('E_USAGE', '--staged searches the whole index: give no PATHS with it', 'Run `seeqret scan --staged`, or `seeqret scan PATHS` for files.');
  const json = o.format === 'json';
  return withVault(g, async (v) => {
    const r = await scanVault(v, { staged: o.staged === true, paths, cwd: io().cwd, environment: io().env }, {
      onFound: (f) => {
        if (!json) out(`${where(f)}: ${f.name} (${f.encoding})`);
      },
      onNote: (n) => {
        if (!json) warn(noteText(n));
      },
    });
    const { found, names, totals } = r;
    if (json) writeJson(scanReportJson(r, o.listSkipped === true));
    else {
      if (o.listSkipped === true) infoLines(r.skipped.map((n) => `not looked for (shorter than ${String(MIN_SCAN_LENGTH)} characters): ${n}`));
      const short = r.skipped.length > 0 && o.listSkipped !== true ? `; ${String(r.skipped.length)} secrets shorter than ${String(MIN_SCAN_LENGTH)} characters not looked for (--list-skipped names them)` : '';
      const what = o.staged === true ? 'staged files' : 'files';
      if (found.length > 0) info(`${String(found.length)} occurrences of ${String(names.length)} secrets in ${String(new Set(found.map((f) => f.file)).size)} of ${String(totals.files)} ${what}${short}`);
      else info(`no secret found in ${String(totals.files)} ${what} (${String(r.secretCount)} secrets looked for${short})`);
    }
    if (found.length > 0) return 1;
    if (totals.unreadable > 0) throw new SeeqretError('E_IO', `${String(totals.unreadable)} files could not be read, and nothing was found in the others`, 'See the notes above; fix the permissions or scan the other files by name.');
    return 0;
  });
}

export function hookCommand(g: GlobalOptions, action: 'install' | 'uninstall'): number {
  const cwd = io().cwd;
  if (action === 'install') {
    const command = selfCommand().map((word, i) => (i === 0 ? word : path.resolve(word)));
    if (g.vault !== undefined) command.push('--vault', path.resolve(cwd, g.vault));
    if (g.passphraseFile !== undefined) command.push('--passphrase-file', path.resolve(cwd, g.passphraseFile));
    const r = installHook(cwd, io().env, command);
    if (r.already) info(`${r.hook}: seeqret's pre-commit hook was there, rewritten`);
    else info(`${r.hook}: installed; every commit runs \`seeqret scan --staged\` first${r.keptPrevious ? ` (the hook that was there is kept as ${r.previous} and still runs first)` : ''}`);
    return 0;
  }
  const r = uninstallHook(cwd, io().env);
  if (r.outcome === 'absent') info(`${r.hook}: no pre-commit hook, nothing to remove`);
  else if (r.outcome === 'foreign') warn(`${r.hook} is not seeqret's hook: left as it is`);
  else info(`${r.hook}: seeqret's hook removed${r.restored ? ', the hook it kept put back' : ''}`);
  return 0;
}
