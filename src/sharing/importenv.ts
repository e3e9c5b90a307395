/**
 * The `importenv` use case: a dotenv file into the vault, all or nothing. The grammar: the
 * dialect asked for, else the dialect named in the first line `seeqret env` writes, else
 * seeqret's own dotenv grammar.
 *
 * A file is streamed (docs/architecture.md, "importenv streams"): {@link planDotenvImport}
 * parses it piece by piece and keeps only each name's last line, so a syntax error anywhere
 * aborts before the vault is touched; {@link applyDotenvImport} reads it again and writes the
 * values in batches inside ONE transaction (all or nothing), refusing a file that changed between
 * the passes. Memory stays bounded by the number of names, not by the size of the file. Text
 * that cannot be read twice (stdin, a pipe) is given whole. Nothing here touches `process`.
 *
 * @module
 */
import fs from 'node:fs';
import { SeeqretError } from '../errors.js';
import { type Dialect, checkDialect, readEnvFileMark } from '../formats/dialects.js';
import { parseDotenvPieces } from '../formats/dotenv-stream.js';
import { CompactStringMap } from '../util/compact-map.js';
import { decodeUtf8, readFileCapped, readTextChunksCapped } from '../util/read-capped.js';
import { ioError } from '../util/fs.js';
import type { SecretInput, Vault } from '../vault/vault.js';

/** Values written per batch (one savepoint each, all inside one transaction). */
const BATCH = 10_000;

/** Repeated names reported one by one; beyond this, counted. */
const MAX_REPEAT_WARNINGS = 100;

/** Empty values named in the report; beyond this, counted. */
const MAX_EMPTY_NAMES = 10;

/** A dotenv source: a file read in pieces (twice), or text given whole (read once). */
export type DotenvSource = { readonly kind: 'file'; readonly file: string } | { readonly kind: 'text'; readonly text: string; readonly label: string };

/** What to import and how. */
export interface ImportDotenvRequest {
  /** Application of the imported keys. */
  readonly app: string;
  /** Environment of the imported keys. */
  readonly env: string;
  /** Replace existing values that differ (else they are skipped). */
  readonly overwrite: boolean;
  /** Work out what would change, write nothing. */
  readonly dryRun: boolean;
  /** The dialect to read the file as (`--dialect`); checked against the file's own mark. */
  readonly dialect?: string | undefined;
}

/** The first pass: the source checked, each name's last line known. */
export interface DotenvImportPlan {
  readonly request: ImportDotenvRequest;
  /** How the source is named in messages (the file, or `<stdin>`). */
  readonly label: string;
  /** The grammar the file is read with (`undefined`: seeqret's own). */
  readonly dialect: Dialect | undefined;
  /** Names repeated in the file (the later value wins), as `file:line` notes. */
  readonly repeats: readonly string[];
  /** Read the source again (pass 2). */
  readonly pieces: () => Iterable<string>;
  readonly lastLine: CompactStringMap;
  /** The file's stamp when planned (empty for text given whole). */
  readonly stamp: string;
}

/** What an import did (or, in a dry run, would do): counts and names, never a value. */
export interface DotenvImportReport {
  readonly file: string;
  readonly app: string;
  readonly env: string;
  readonly dryRun: boolean;
  readonly added: number;
  readonly updated: number;
  readonly skipped: number;
  readonly unchanged: number;
  /** Empty values (`KEY=`) stored or that would be stored. */
  readonly empty: number;
  /** The first of them, by name. */
  readonly emptyNames: readonly string[];
  /** In a dry run, every name that would change. */
  readonly changes: readonly { readonly app: string; readonly env: string; readonly key: string; readonly outcome: string }[];
}

/** The file's identity and size, to notice a change between the two passes. */
function stamp(file: string): string {
  try {
    const st = fs.statSync(file);
    return `${String(st.dev)}:${String(st.ino)}:${String(st.size)}:${String(st.mtimeMs)}:${String(st.ctimeMs)}`;
  } catch (e) {
    throw ioError(e, file);
  }
}

/** A file as a dotenv source: a regular file is read in pieces (twice); a FIFO or device whole, once. */
export function dotenvFileSource(file: string): DotenvSource {
  let regular: boolean;
  try {
    regular = fs.statSync(file).isFile();
  } catch (e) {
    throw ioError(e, file);
  }
  return regular ? { kind: 'file', file } : { kind: 'text', text: decodeUtf8(readFileCapped(file, 'dotenv'), file), label: file };
}

/** The first line of the input (where `seeqret env` writes its dialect mark). */
function firstLine(pieces: Iterable<string>): string {
  let head = '';
  for (const p of pieces) {
    head += p;
    if (head.includes('\n') || head.length > 4096) break;
  }
  return head;
}

function changed(source: string): SeeqretError {
  return new SeeqretError('E_FILE_CHANGED', `${source} changed while it was being imported; nothing was imported`, 'Run the import again once the file no longer changes.');
}

/** Pass 1: parse everything (any syntax error aborts here), keep each name's last line. Writes nothing. */
export function planDotenvImport(src: DotenvSource, request: ImportDotenvRequest): DotenvImportPlan {
  const label = src.kind === 'file' ? src.file : src.label;
  const pieces = (): Iterable<string> => (src.kind === 'text' ? [src.text] : readTextChunksCapped(src.file, 'dotenv'));
  const before = src.kind === 'file' ? stamp(src.file) : '';
  const marked = readEnvFileMark(firstLine(pieces()))?.dialect;
  let dialect: Dialect | undefined = marked;
  if (request.dialect !== undefined) {
    dialect = checkDialect(request.dialect, '--dialect');
    if (marked !== undefined && marked !== dialect) {
      throw new SeeqretError('E_USAGE', `${label} was written by seeqret env for the ${marked} dialect; reading it as ${dialect} would change values`, `Leave out --dialect, or pass --dialect ${marked}.`);
    }
  }
  // A compact map: a million names in tens of MB, not a Map of a million strings.
  const lastLine = new CompactStringMap();
  const repeats: string[] = [];
  let repeated = 0;
  for (const e of parseDotenvPieces(pieces(), dialect, label)) {
    const prev = lastLine.get(e.key);
    if (prev !== undefined && ++repeated <= MAX_REPEAT_WARNINGS) repeats.push(`${label}:${String(e.line)}: ${e.key} repeats line ${String(prev)}; the later value wins`);
    lastLine.set(e.key, e.line);
  }
  if (repeated > MAX_REPEAT_WARNINGS) repeats.push(`${label}: ${String(repeated - MAX_REPEAT_WARNINGS)} more repeated names; the later value wins for each`);
  return { request, label, dialect, repeats, pieces, lastLine, stamp: before };
}

/**
 * Pass 2: the values, in batches, in ONE transaction, recorded as one audit entry with the counts
 * (a million per-secret entries would be held in memory until the commit). A source that changed
 * since {@link planDotenvImport} is refused (`E_FILE_CHANGED`) and nothing is written.
 */
export function applyDotenvImport(v: Vault, plan: DotenvImportPlan): DotenvImportReport {
  const { app, env, overwrite, dryRun } = plan.request;
  const total = { added: 0, updated: 0, skipped: 0, unchanged: 0 };
  // `KEY=` in a file is stated on purpose, so it is imported as an empty value, but never silently.
  let empty = 0;
  const emptyNames: string[] = [];
  const changes: Array<{ app: string; env: string; key: string; outcome: string }> = [];
  const write = (batch: SecretInput[], emptyKeys: Set<string>): void => {
    const s = v.setMany(batch, { update: overwrite, dryRun });
    total.added += s.added;
    total.updated += s.updated;
    total.skipped += s.skipped;
    total.unchanged += s.unchanged;
    for (const x of s.outcomes) {
      if ((x.outcome === 'added' || x.outcome === 'updated') && emptyKeys.has(x.key)) {
        empty += 1;
        if (emptyNames.length < MAX_EMPTY_NAMES) emptyNames.push(x.key);
      }
      if (dryRun && x.outcome !== 'unchanged') changes.push({ app: x.app, env: x.env, key: x.key, outcome: x.outcome });
    }
  };
  v.atomically(
    () => {
      let batch: SecretInput[] = [];
      let emptyKeys = new Set<string>();
      let taken = 0;
      for (const e of parseDotenvPieces(plan.pieces(), plan.dialect, plan.label)) {
        const last = plan.lastLine.get(e.key);
        if (last === undefined) throw changed(plan.label);
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
      if (taken !== plan.lastLine.size || (plan.stamp !== '' && stamp(plan.label) !== plan.stamp)) throw changed(plan.label);
    },
    { summary: { action: 'import', target: plan.label, detail: { from: 'dotenv', app, env } } },
  );
  return { file: plan.label, app, env, dryRun, ...total, empty, emptyNames, changes };
}

/** The import's report as lines for people; `again` is the command that takes the skipped values, if any. */
export function dotenvImportLines(r: DotenvImportReport, again: string): string[] {
  const lines = r.changes.map((x) => `  would be ${x.outcome}: ${x.app}:${x.env}:${x.key}`);
  lines.push(`${String(r.added)} added, ${String(r.updated)} updated, ${String(r.skipped)} skipped, ${String(r.unchanged)} unchanged${r.dryRun ? ' (dry run: nothing written)' : ''}`);
  if (r.skipped > 0 && !r.dryRun) lines.push(`Skipped secrets exist with another value; to replace them (yours go to history), run ${again}.`);
  if (r.empty) {
    lines.push(`${String(r.empty)} empty value${r.empty === 1 ? '' : 's'} (KEY= in ${r.file}) ${r.dryRun ? 'would be' : 'were'} stored as empty: ${r.emptyNames.join(', ')}${r.empty > MAX_EMPTY_NAMES ? ', …' : ''}`);
  }
  return lines;
}

