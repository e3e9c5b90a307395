/**
 * Sharing: `export`, `load`, `serializers`.
 *
 * @module
 */
import path from 'node:path';
import { SeeqretError } from '../../../errors.js';
import { parseFilter } from '../../../filter/index.js';
import { prepareExport, recordExport } from '../../../sharing/export.js';
import { loadJson, loadText, reportLoad, settleNewNames } from '../../../sharing/received.js';
import { SERIALIZERS } from '../../../sharing/serializers.js';
import { atomicWriteFile } from '../../../util/atomic-write.js';
import { decodeUtf8, readTextFileCapped } from '../../../util/read-capped.js';
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
export function serializers(o: SerializersOptions): number {
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
    const r = loadText(v, text, { sender, serializer, overwrite: o.overwrite === true, force: o.force === true, isCommandValue: value !== undefined }, cliNotes);
    if (o.format === 'text') reportLoad(r, { again }, cliNotes);
    const ask = !fromStdin && stdinIsTTY() ? confirm : undefined;
    const accepted = await settleNewNames(v, r, { accept: o.accept === true, ask }, cliNotes, (...words) => commandLine(g, ...words));
    if (o.format === 'json') writeJson(loadJson(r, accepted));
    return 0;
  });
}

/** Notes of the sharing use cases, on the terminal. */
export const cliNotes = { info, warn, infoLines };

export type { LoadResult } from '../../../sharing/load.js';
