/**
 * What happens to text someone sent, around the `load` use case (src/sharing/load.ts): load it
 * (plan, then apply, with the plan's warnings as notes), settle the new names it brought
 * (accept them, ask, or leave them pending), report it for people or as data, and deliver a
 * whole inbox folder. Shared by `load`, `inbox` and the relay's `sync`. Output and questions go
 * through the injected {@link Notes} and {@link Confirm}; commands named in notes are written by
 * the caller's `command` (the CLI adds the `--vault` it was run with). Nothing here touches
 * `process`.
 *
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import { SeeqretError, isSeeqretError } from '../errors.js';
import type { Confirm, Notes } from '../notes.js';
import { type SecretRecord, type Vault, secretLabel } from '../vault/vault.js';
import { isDangerousVariable } from '../inject/resolve.js';
import { type LoadResult, applyLoad, planLoad } from './load.js';
import { loadInboxFile } from './inbox-files.js';

/** Writes a `seeqret …` command line, for notes that tell people what to run. */
export type CommandWriter = (...words: string[]) => string;

/** How a load decides conflicts, and what was said about the text. */
export interface LoadTextOptions {
  /** The sender (`-u`), for the formats that do not carry it. */
  readonly sender?: string | undefined;
  /** The format (`-s`); else detected. */
  readonly serializer?: string | undefined;
  /** Replace existing secrets that have another value. */
  readonly overwrite: boolean;
  /** Load a bundle loaded before, and sent values older than ours. */
  readonly force: boolean;
  /** The text is one old-tool command value (`load -v`). */
  readonly isCommandValue?: boolean | undefined;
}

/** Load transfer text of any supported format into the vault, all or nothing (plan, then apply); the plan's warnings go to `notes`. */
export function loadText(v: Vault, text: string, o: LoadTextOptions, notes: Pick<Notes, 'warn'>): LoadResult {
  const plan = planLoad(v, { text, sender: o.sender, serializer: o.serializer, isCommandValue: o.isCommandValue }, { overwrite: o.overwrite, force: o.force });
  for (const w of plan.warnings) notes.warn(w);
  return applyLoad(v, plan);
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
    accepted: [...r.accepted, ...(accepted ? r.pending : [])].map(secretLabel),
  };
}

const plural = (n: number, one: string, many: string): string => (n === 1 ? one : many);

/**
 * The names a load added are someone else's choice: list the ones that load code and accept them
 * when told to (`accept`) or when `ask` says yes; otherwise they stay pending (exported only by
 * a filter that names them exactly) and a note says how to accept them. True when accepted.
 */
export async function settleNewNames(v: Vault, r: LoadResult, o: { accept: boolean; ask?: Confirm | undefined; prefix?: string }, notes: Notes, command: CommandWriter): Promise<boolean> {
  const prefix = o.prefix ?? '';
  const warnLoaders = (records: readonly SecretRecord[]): void => {
    const loaders = records.filter((p) => isDangerousVariable(p.key)).map(secretLabel);
    if (loaders.length) notes.warn(`${prefix}${loaders.join(', ')} ${plural(loaders.length, 'is a variable', 'are variables')} that make programs load or run code: never exported through a filter, even once accepted`);
  };
  // Accepted with the load itself (the person said --accept beforehand): say so, as below.
  if (r.accepted.length > 0) {
    warnLoaders(r.accepted);
    notes.info(`${prefix}Accepted ${String(r.accepted.length)} name${plural(r.accepted.length, '', 's')} from ${r.sender}.`);
  }
  if (r.pending.length === 0) return r.accepted.length > 0;
  const names = r.pending.map(secretLabel);
  const n = names.length;
  warnLoaders(r.pending);
  let accept = o.accept;
  if (!accept && o.ask) accept = await o.ask(`${prefix}Accept ${n === 1 ? 'this name' : `these ${String(n)} names`} from ${r.sender} (filters such as -f app:env: will export ${plural(n, 'it', 'them')})?`);
  if (accept) {
    const done = v.accept(r.pending);
    notes.info(`${prefix}Accepted ${String(done.length)} name${plural(done.length, '', 's')} from ${r.sender}.`);
    return true;
  }
  // The exact names (a few), or one filter per app:env they are in: a command that works as printed.
  const places = [...new Set(r.pending.map((p) => `${p.app}:${p.env}:`))];
  const what = n <= 3 ? names : places.flatMap((p) => ['-f', p]);
  notes.info(
    `${prefix}${String(n)} new name${plural(n, ' is', 's are')} pending: not exported by a filter that does not name ${plural(n, 'it', 'them')} exactly until you run \`${command('accept', ...what)}\` (see \`${command('list', '--pending')}\`).`,
  );
  return false;
}

/**
 * Say what a load did: counts, every name that changed or was kept out (never values), and —
 * when values were skipped or kept — the command that takes them: `again(options)` describes
 * the same load with those options, `null` when the input cannot be loaded again (`inbox`
 * removed the file).
 */
export function reportLoad(r: LoadResult, opts: { prefix?: string; again: ((extra: string[]) => string) | null }, notes: Pick<Notes, 'info' | 'infoLines'>): void {
  const prefix = opts.prefix ?? '';
  const pending = new Set(r.pending.map(secretLabel));
  const s = r.summary;
  const counts = `${String(s.added)} added, ${String(s.updated)} updated, ${String(s.skipped)} skipped, ${String(s.unchanged)} unchanged${s.older ? `, ${String(s.older)} older than here` : ''}`;
  notes.info(`${prefix}Loaded from ${r.sender} (${r.format}${r.bundleId ? `, bundle ${r.bundleId}` : ''}): ${counts}`);
  const label: Record<string, string> = {
    added: 'added',
    updated: 'updated',
    skipped: 'skipped: another value is here',
    older: 'kept ours: the sent value is older than the one here',
  };
  const lines: string[] = [];
  for (const x of s.outcomes) {
    if (x.outcome !== 'unchanged') lines.push(`${prefix}  ${secretLabel(x)}  ${label[x.outcome] ?? x.outcome}${pending.has(secretLabel(x)) ? ' (new name, pending)' : ''}`);
  }
  if (notes.infoLines) notes.infoLines(lines);
  else for (const line of lines) notes.info(line);
  // Taking them needs --overwrite and --force: --force because a bundle now counts as loaded (a
  // replay), and because a sent value older than yours is otherwise kept out.
  if (s.skipped || s.older) {
    const what = s.skipped && s.older ? 'the skipped and older values' : s.skipped ? 'the skipped values' : 'the older values';
    notes.info(
      opts.again
        ? `${prefix}To take ${what} (yours go to history), run ${opts.again(['--overwrite', '--force'])} (--force: ${r.bundleId !== null ? 'this bundle now counts as loaded, and ' : ''}it takes sent values older than yours too).`
        : `${prefix}To take ${what}, ask ${r.sender} to export them again and load that file with \`seeqret load -f FILE --overwrite --force\` (this file was loaded and removed).`,
    );
  }
}

/** What delivering an inbox did, per file and in all. */
export interface InboxReport {
  readonly dir: string;
  readonly tried: number;
  readonly loaded: number;
  readonly failed: number;
  /** Per file: its load as {@link loadJson} gives it, or the error that kept it. */
  readonly files: readonly Record<string, unknown>[];
  /** The first error, when a file was kept. */
  readonly firstError?: SeeqretError;
}

/**
 * Load every file of the inbox folder `dir` (sorted; hidden files, folders and symbolic links
 * skipped): each loaded file is removed, each refused one kept with a note. Unattended: only
 * authenticated, replay-checked bundles unless `allowOldFormats`, and new names stay pending
 * unless `accept`. With `text`, each load is reported in notes.
 */
export async function deliverInbox(
  v: Vault,
  dir: string,
  o: { overwrite: boolean; allowOldFormats: boolean; accept: boolean; text: boolean },
  notes: Notes,
  command: CommandWriter,
): Promise<InboxReport> {
  if (!fs.existsSync(dir)) throw new SeeqretError('E_FILE_NOT_FOUND', `no inbox folder ${dir}`, `Create it (mkdir -m 700 ${dir}) or name another folder.`);
  const files = fs.readdirSync(dir).filter((f) => !f.startsWith('.')).sort().map((f) => path.join(dir, f));
  let failed = 0;
  let tried = 0;
  let firstError: SeeqretError | undefined;
  const report: Array<Record<string, unknown>> = [];
  for (const f of files) {
    const prefix = `${path.basename(f)}: `;
    try {
      if (!fs.lstatSync(f).isFile()) continue; // symlinks and folders are never followed
      tried += 1;
      const r = loadInboxFile(v, f, { overwrite: o.overwrite, allowOldFormats: o.allowOldFormats }, notes);
      if (!r) continue; // replaced by a link or a folder since it was listed
      if (o.text) reportLoad(r, { prefix, again: null }, notes);
      const accepted = await settleNewNames(v, r, { accept: o.accept, prefix }, notes, command);
      report.push({ file: path.basename(f), loaded: true, ...loadJson(r, accepted) });
    } catch (e) {
      const err = isSeeqretError(e) ? e : new SeeqretError('E_IO', `cannot read it (${(e as NodeJS.ErrnoException).code ?? 'error'})`, 'Check the file.');
      failed += 1;
      firstError ??= err;
      notes.warn(`${prefix}kept, not loaded: ${err.code}: ${err.message}`);
      report.push({ file: path.basename(f), loaded: false, error: { code: err.code, message: err.message, fix: err.fix } });
    }
  }
  return { dir, tried, loaded: tried - failed, failed, files: report, ...(firstError ? { firstError } : {}) };
}
