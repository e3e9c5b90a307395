/**
 * Sharing: `export`, `load`, `serializers`.
 *
 * @module
 */
import path from 'node:path';
import { SeeqretError } from '../../../errors.js';
import { parseFilter } from '../../../filter/index.js';
import { prepareExport, recordExport } from '../../../sharing/export.js';
import { type LoadResult, applyLoad, planLoad } from '../../../sharing/load.js';
import { SERIALIZERS } from '../../../sharing/serializers.js';
import { atomicWriteFile } from '../../../util/atomic-write.js';
import { decodeUtf8, readTextFileCapped } from '../../../util/read-capped.js';
import { type Vault, secretLabel } from '../../../vault/vault.js';
import { isDangerousVariable } from '../../../inject/resolve.js';
import { type GlobalOptions, confirm, info, infoLines, readStdin, stdinIsTTY, warn, withVault, writeData, writeJson } from '../../context.js';
import type { ReportFormat } from '../../options.js';
import { commandLine } from '../../hints.js';
import { io } from '../../cli-io.js';

export { SERIALIZERS, type Serializer } from '../../../sharing/serializers.js';

/** Options of `serializers`. */
export interface SerializersOptions {
  /** `--format text|json`. */
  readonly format: ReportFormat;
}

/** `serializers`. */
export async function serializers(o: SerializersOptions): Promise<number> {
  if (o.format === 'json') {
    writeJson(Object.entries(SERIALIZERS).map(([name, description]) => ({ name, description })));
    return 0;
  }
  for (const [name, what] of Object.entries(SERIALIZERS)) io().stdout.write(`${name.padEnd(12)} ${what}\n`);
  return 0;
}

/** The file for one recipient: FILE itself for a single recipient, else FILE with `.NAME` before the extension. */
export function outputFileFor(file: string, recipient: string, several: boolean): string {
  if (!several) return file;
  const ext = path.extname(file);
  return `${file.slice(0, file.length - ext.length)}.${recipient}${ext}`;
}

/** Options of `seeqret export`. */
export interface ExportOptions {
  /** `--to USER` (repeatable): recipients (a user name, self or all). */
  readonly to?: string[];
  /** `-f/--filter FILTER` (repeatable): secrets to export (union). */
  readonly filter?: string[];
  /** `-s/--serializer NAME`: bundle, json-crypt or command (default bundle). */
  readonly serializer: string;
  /** `-o/--out FILE`: output file. */
  readonly out?: string;
  /** `--format text|json`: the report of the files written (with `-o`). */
  readonly format: ReportFormat;
}

/** `export --to USER... -f FILTER... [-s SERIALIZER] [-o FILE]`. */
export async function exportCmd(g: GlobalOptions, o: ExportOptions): Promise<number> {
  const filters = (o.filter ?? []).map((f) => parseFilter(f));
  const outFile = o.out;
  const to = o.to ?? [];
  const serializer = o.serializer;
  if (o.format === 'json' && !outFile) throw new SeeqretError('E_USAGE', '--format json reports the files export writes, and no -o FILE was given', 'Add -o FILE (the export goes there; the report to stdout), or leave out --format json.');
  const written: Array<{ recipient: string; file: string; secrets: number; serializer: string }> = [];
  return withVault(g, (v) => {
    const plan = prepareExport(v, { to, filters, serializer, destination: outFile ? 'files' : 'stream' });
    for (const w of plan.warnings) warn(w);
    const n = plan.records.length;
    for (const item of plan.items) {
      if (outFile) {
        const file = outputFileFor(outFile, item.recipient.username, plan.items.length > 1);
        atomicWriteFile(file, item.text);
        written.push({ recipient: item.recipient.username, file, secrets: n, serializer: plan.serializer });
        if (o.format === 'text') info(`Wrote ${n} secret${n === 1 ? '' : 's'} for ${item.recipient.username} to ${file} (${plan.serializer})`);
      } else {
        writeData(item.text);
      }
      recordExport(v, plan, item);
    }
    if (o.format === 'json') writeJson({ files: written });
    return 0;
  });
}

/** Options of `seeqret load`. */
export interface LoadOptions {
  /** `-u/--user SENDER`: who sent it (required for the old formats). */
  readonly user?: string;
  /** `-f/--file FILE`: read from FILE (default stdin). */
  readonly file?: string;
  /** `-v/--value VALUE`: a `command` serializer value. */
  readonly value?: string;
  /** `-s/--serializer NAME`: bundle, json-crypt or command (default: detected). */
  readonly serializer?: string;
  /** `--overwrite`: replace existing secrets that have another value. */
  readonly overwrite?: boolean;
  /** `--force`: load a bundle that was loaded before. */
  readonly force?: boolean;
  /** `--accept`: accept the new names without asking. */
  readonly accept?: boolean;
  /** `--format text|json`: the report. */
  readonly format: ReportFormat;
}

/** What a load did, as data (`--format json`): counts, each name's outcome, the pending names; never a value. */
export function loadJson(r: LoadResult, accepted: boolean): Record<string, unknown> {
  const s = r.summary;
  return {
    sender: r.sender,
    format: r.format,
    bundleId: r.bundleId,
    added: s.added,
    updated: s.updated,
    skipped: s.skipped,
    unchanged: s.unchanged,
    older: s.older,
    outcomes: s.outcomes.map((x) => ({ app: x.app, env: x.env, key: x.key, outcome: x.outcome })),
    pending: accepted ? [] : r.pending.map(secretLabel),
    accepted: accepted ? r.pending.map(secretLabel) : [],
  };
}

/** `load [-u SENDER] (-f FILE | -v VALUE | stdin) [-s SERIALIZER] [--overwrite] [--force]`. */
export async function load(g: GlobalOptions, o: LoadOptions): Promise<number> {
  const file = o.file;
  const value = o.value;
  if (file && value !== undefined) throw new SeeqretError('E_USAGE', 'give either -f FILE or -v VALUE, not both', 'Use one source.');
  let text: string;
  if (value !== undefined) text = value;
  else if (file && file !== '-') text = readTextFileCapped(file, 'bundle');
  else text = decodeUtf8(await readStdin('bundle'), 'stdin');
  const sender = o.user;
  const serializer = o.serializer;
  // The same load again with more options, for the hints of the summary.
  const again = (extra: string[]): string => {
    const words = ['load', ...(sender ? ['-u', sender] : []), ...(serializer ? ['-s', serializer] : [])];
    if (value !== undefined) return `the same \`seeqret load … -v …\` command with ${extra.join(' ')}`;
    if (file && file !== '-') return `\`${commandLine(g, ...words, '-f', file, ...extra)}\``;
    return `the same input piped into \`${commandLine(g, ...words, ...extra)}\``;
  };
  const fromStdin = value === undefined && (!file || file === '-');
  return withVault(g, async (v) => {
    const r = loadText(v, text, { sender, serializer, overwrite: o.overwrite === true, force: o.force === true, isCommandValue: value !== undefined });
    if (o.format === 'text') reportLoad(r, { again });
    const accepted = await settleNewNames(g, v, r, { accept: o.accept === true, ask: !fromStdin && stdinIsTTY() });
    if (o.format === 'json') writeJson(loadJson(r, accepted));
    return 0;
  });
}

/**
 * The names a load added are someone else's choice: list them and, on a terminal, ask whether to
 * accept them; `--accept` accepts them without asking; otherwise they stay pending (exported only
 * by a filter that names them exactly) and the command says how to accept them.
 */
export async function settleNewNames(g: GlobalOptions, v: Vault, r: LoadResult, o: { accept: boolean; ask: boolean }, prefix = ''): Promise<boolean> {
  if (r.pending.length === 0) return false;
  const names = r.pending.map(secretLabel);
  const loaders = r.pending.filter((p) => isDangerousVariable(p.key)).map(secretLabel);
  if (loaders.length) warn(`${prefix}${loaders.join(', ')} ${loaders.length === 1 ? 'is a variable' : 'are variables'} that make programs load or run code: never exported through a filter, even once accepted`);
  let accept = o.accept;
  if (!accept && o.ask) accept = await confirm(`${prefix}Accept ${names.length === 1 ? 'this name' : `these ${names.length} names`} from ${r.sender} (filters such as -f app:env: will export ${names.length === 1 ? 'it' : 'them'})?`);
  if (accept) {
    const done = v.accept(r.pending);
    info(`${prefix}Accepted ${done.length} name${done.length === 1 ? '' : 's'} from ${r.sender}.`);
    return true;
  } else {
    // The exact names (a few), or one filter per app:env they are in: a command that works as printed.
    const places = [...new Set(r.pending.map((p) => `${p.app}:${p.env}:`))];
    const what = names.length <= 3 ? names : places.flatMap((p) => ['-f', p]);
    info(
      `${prefix}${names.length} new name${names.length === 1 ? ' is' : 's are'} pending: not exported by a filter that does not name ${names.length === 1 ? 'it' : 'them'} exactly until you run \`${commandLine(g, 'accept', ...what)}\` (see \`${commandLine(g, 'list', '--pending')}\`).`,
    );
  }
  return false;
}

/**
 * Print what a load did: counts, every name that changed or was kept out (never values), and —
 * when values were skipped or kept — the command that takes them: `again(options)` describes
 * the same load with those options, `null` when the input cannot be loaded again (`inbox`
 * removed the file).
 */
export function reportLoad(r: LoadResult, opts: { prefix?: string; again: ((extra: string[]) => string) | null }): void {
  const prefix = opts.prefix ?? '';
  const pending = new Set(r.pending.map(secretLabel));
  const s = r.summary;
  info(`${prefix}Loaded from ${r.sender} (${r.format}${r.bundleId ? `, bundle ${r.bundleId}` : ''}): ${s.added} added, ${s.updated} updated, ${s.skipped} skipped, ${s.unchanged} unchanged${s.older ? `, ${s.older} older than here` : ''}`);
  const label: Record<string, string> = {
    added: 'added',
    updated: 'updated',
    skipped: 'skipped: another value is here',
    older: 'kept ours: the sent value is older than the one here',
  };
  infoLines(s.outcomes.filter((x) => x.outcome !== 'unchanged').map((x) => `${prefix}  ${secretLabel(x)}  ${label[x.outcome]}${pending.has(secretLabel(x)) ? ' (new name, pending)' : ''}`));
  // Taking them needs --overwrite and --force: --force because a bundle now counts as loaded (a
  // replay), and because a sent value older than yours is otherwise kept out.
  if (s.skipped || s.older) {
    const what = s.skipped && s.older ? 'the skipped and older values' : s.skipped ? 'the skipped values' : 'the older values';
    info(
      opts.again
        ? `${prefix}To take ${what} (yours go to history), run ${opts.again(['--overwrite', '--force'])} (--force: ${r.bundleId !== null ? 'this bundle now counts as loaded, and ' : ''}it takes sent values older than yours too).`
        : `${prefix}To take ${what}, ask ${r.sender} to export them again and load that file with \`seeqret load -f FILE --overwrite --force\` (this file was loaded and removed).`,
    );
  }
}

export type { LoadResult } from '../../../sharing/load.js';

/**
 * Load transfer text of any supported format into the vault, all or nothing (the `load` use
 * case: plan, then apply), printing its warnings. Shared by `load` and `inbox`.
 */
export function loadText(
  v: Vault,
  text: string,
  o: { sender?: string | undefined; serializer?: string | undefined; overwrite: boolean; force: boolean; isCommandValue?: boolean },
): LoadResult {
  const plan = planLoad(v, { text, sender: o.sender, serializer: o.serializer, isCommandValue: o.isCommandValue }, { overwrite: o.overwrite, force: o.force });
  for (const w of plan.warnings) warn(w);
  return applyLoad(v, plan);
}

/** Read a file of transfer text (for `inbox`). */
export function readTransferFile(file: string): string {
  return readTextFileCapped(file, 'bundle');
}
