/**
 * `seeqret importenv FILE`: import a dotenv file, all or nothing. The grammar: `--dialect`, else
 * the dialect named in the first line `seeqret env` writes, else seeqret's own dotenv grammar.
 *
 * A file is streamed (docs/architecture.md, "importenv streams"): a first pass parses it piece by
 * piece and keeps only each name's last line, so a syntax error anywhere aborts before the vault is
 * touched; a second pass reads it again and writes the values in batches inside ONE transaction
 * (all or nothing), refusing a file that changed between the passes. Memory stays bounded by the
 * number of names, not by the size of the file. Stdin is read whole (it cannot be read twice).
 *
 * @module
 */
import fs from 'node:fs';
import { SeeqretError } from '../../../errors.js';
import { type Dialect, checkDialect, readEnvFileMark } from '../../../formats/dialects.js';
import { parseDotenvPieces } from '../../../formats/dotenv-stream.js';
import { CompactStringMap } from '../../../util/compact-map.js';
import { decodeUtf8, readFileCapped, readTextChunksCapped } from '../../../util/read-capped.js';
import { ioError } from '../../../util/fs.js';
import type { SecretInput } from '../../../vault/vault.js';
import { type GlobalOptions, info, readStdin, warn, withVault, writeJson } from '../../context.js';
import type { ReportFormat } from '../../options.js';
import { commandLine } from '../../hints.js';

/** Values written per batch (one savepoint each, all inside one transaction). */
const BATCH = 10_000;

/** The file's identity and size, to notice a change between the two passes. */
function stamp(file: string): string {
  try {
    const st = fs.statSync(file);
    return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
  } catch (e) {
    throw ioError(e, file);
  }
}

function isRegularFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch (e) {
    throw ioError(e, file);
  }
}

/** Repeated names reported one by one; beyond this, counted. */
const MAX_REPEAT_WARNINGS = 100;

/** The first line of the input (where `seeqret env` writes its dialect mark). */
function firstLine(pieces: Iterable<string>): string {
  let head = '';
  for (const p of pieces) {
    head += p;
    if (head.includes('\n') || head.length > 4096) break;
  }
  return head;
}

/** Options of `seeqret importenv`. */
export interface ImportenvOptions {
  /** `--app APP`: application of the imported keys (default `*`). */
  readonly app: string;
  /** `--env ENV`: environment of the imported keys (default `*`). */
  readonly env: string;
  /** `--overwrite` (old spelling `--update`): replace existing values that differ. */
  readonly overwrite?: boolean;
  /** `--dry-run`: show what would change, write nothing. */
  readonly dryRun?: boolean;
  /** `--dialect D`: read the file as this program does. */
  readonly dialect?: string;
  /** `--format text|json`: the report. */
  readonly format: ReportFormat;
}

/** `importenv FILE [--app A] [--env E] [--overwrite] [--dry-run] [--dialect D] [--format text|json]`. */
export async function importenv(g: GlobalOptions, file: string, o: ImportenvOptions): Promise<number> {
  const source = file === '-' ? '<stdin>' : file;
  // A regular file: read in pieces, twice. Stdin, a pipe or a FIFO (which cannot be read twice): whole, once.
  const stdinText = file === '-' ? decodeUtf8(await readStdin('dotenv'), source) : isRegularFile(file) ? undefined : decodeUtf8(readFileCapped(file, 'dotenv'), source);
  const pieces = (): Iterable<string> => (stdinText !== undefined ? [stdinText] : readTextChunksCapped(file, 'dotenv'));
  const before = stdinText === undefined ? stamp(file) : '';
  const marked = readEnvFileMark(firstLine(pieces()))?.dialect;
  let dialect: Dialect | undefined = marked;
  if (o.dialect !== undefined) {
    dialect = checkDialect(o.dialect, '--dialect');
    if (marked !== undefined && marked !== dialect) {
      throw new SeeqretError('E_USAGE', `${source} was written by seeqret env for the ${marked} dialect; reading it as ${dialect} would change values`, `Leave out --dialect, or pass --dialect ${marked}.`);
    }
  }
  // Pass 1: parse everything (any syntax error aborts here), keep each name's last line (in a
  // compact map: a million names in tens of MB, not a Map of a million strings).
  const lastLine = new CompactStringMap();
  const repeats: string[] = [];
  let repeated = 0;
  for (const e of parseDotenvPieces(pieces(), dialect, source)) {
    const prev = lastLine.get(e.key);
    if (prev !== undefined && ++repeated <= MAX_REPEAT_WARNINGS) repeats.push(`${source}:${e.line}: ${e.key} repeats line ${prev}; the later value wins`);
    lastLine.set(e.key, e.line);
  }
  for (const w of repeats) warn(w);
  if (repeated > MAX_REPEAT_WARNINGS) warn(`${source}: ${repeated - MAX_REPEAT_WARNINGS} more repeated names; the later value wins for each`);
  const { app, env } = o;
  const dryRun = o.dryRun === true;
  return withVault(g, (v) => {
    const total = { added: 0, updated: 0, skipped: 0, unchanged: 0 };
    // `KEY=` in a file is stated on purpose, so it is imported as an empty value, but never silently.
    let emptyCount = 0;
    const emptyNames: string[] = [];
    const wouldBe: Array<{ app: string; env: string; key: string; outcome: string }> = [];
    const write = (batch: SecretInput[], emptyKeys: Set<string>): void => {
      const s = v.setMany(batch, { update: o.overwrite === true, dryRun });
      total.added += s.added;
      total.updated += s.updated;
      total.skipped += s.skipped;
      total.unchanged += s.unchanged;
      for (const x of s.outcomes) {
        if ((x.outcome === 'added' || x.outcome === 'updated') && emptyKeys.has(x.key)) {
          emptyCount += 1;
          if (emptyNames.length < 10) emptyNames.push(x.key);
        }
        if (dryRun && x.outcome !== 'unchanged') wouldBe.push({ app: x.app, env: x.env, key: x.key, outcome: x.outcome });
      }
    };
    // Pass 2: the values, in batches, in one transaction, recorded as ONE audit entry with the
    // counts (a million per-secret entries would be held in memory until the commit).
    v.atomically(() => {
      let batch: SecretInput[] = [];
      let emptyKeys = new Set<string>();
      let taken = 0;
      for (const e of parseDotenvPieces(pieces(), dialect, source)) {
        const last = lastLine.get(e.key);
        if (last === undefined) throw changed(source);
        if (last !== e.line) continue;
        batch.push({ app, env, key: e.key, value: e.value });
        if (e.value === '') emptyKeys.add(e.key);
        taken += 1;
        if (batch.length >= BATCH) {
          write(batch, emptyKeys);
          batch = [];
          emptyKeys = new Set();
        }
      }
      if (batch.length > 0) write(batch, emptyKeys);
      if (taken !== lastLine.size || (stdinText === undefined && stamp(file) !== before)) throw changed(source);
    }, { summary: { action: 'import', target: source, detail: { from: 'dotenv', app, env } } });
    if (o.format === 'json') {
      writeJson({ file: source, app, env, dryRun, ...total, empty: emptyCount, ...(dryRun ? { changes: wouldBe } : {}) });
      return 0;
    }
    for (const x of wouldBe) info(`  would be ${x.outcome}: ${x.app}:${x.env}:${x.key}`);
    info(`${total.added} added, ${total.updated} updated, ${total.skipped} skipped, ${total.unchanged} unchanged${dryRun ? ' (dry run: nothing written)' : ''}`);
    if (total.skipped > 0 && !dryRun) {
      const cmd = commandLine(g, 'importenv', file, '--app', app, '--env', env, '--overwrite');
      info(`Skipped secrets exist with another value; to replace them (yours go to history), run ${file === '-' ? `the same input piped into \`${cmd}\`` : `\`${cmd}\``}.`);
    }
    if (emptyCount) info(`${emptyCount} empty value${emptyCount === 1 ? '' : 's'} (KEY= in ${source}) ${dryRun ? 'would be' : 'were'} stored as empty: ${emptyNames.join(', ')}${emptyCount > 10 ? ', …' : ''}`);
    return 0;
  });
}

function changed(source: string): SeeqretError {
  return new SeeqretError('E_FILE_CHANGED', `${source} changed while it was being imported; nothing was imported`, 'Run the import again once the file no longer changes.');
}
