/**
 * The use cases of `seeqret scan` (docs/commands/scan.md): search files and folders
 * ({@link scanPaths}) or the blobs staged in the git index ({@link scanStaged}) for the vault's
 * values with a {@link ScanMatcher}, reporting each occurrence through `onFound` — file, line (or
 * byte offset in a binary file), the secret's name and the encoding, never the value.
 *
 * Files are read in blocks (`readBlocksCapped`), never whole; nothing is written. `.git` folders,
 * symbolic links (never followed, so a scan cannot leave the tree), and anything that is not a
 * regular file are skipped; files over the `scanFile` cap are skipped with a note.
 *
 * @module
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { SeeqretError } from '../errors.js';
import { ioError } from '../util/fs.js';
import { LIMITS, sizeText } from '../util/limits.js';
import { readBlocksCapped } from '../util/read-capped.js';
import { type Found, InputScanner, type ScanMatcher } from './matcher.js';

/** New bytes per block (each block also repeats the previous block's last `overlap` bytes). */
export const BLOCK_BYTES = 1024 * 1024;

/** One occurrence, with the file (or staged path) it is in. */
export interface ScanFinding extends Found {
  /** The path as given (joined with the path inside a folder), or the staged path from the repository's top. */
  readonly file: string;
}

/** What a scan reports as it goes. */
export interface ScanEvents {
  /** One occurrence (called as soon as it is found). */
  onFound(f: ScanFinding): void;
  /** A file skipped or not readable (a line for people: the path escaped by the caller). */
  onNote(note: ScanNote): void;
}

/** A file left out, and why. */
export interface ScanNote {
  readonly file: string;
  readonly reason: 'too-large' | 'unreadable' | 'symlink' | 'not-a-file';
  /** For `unreadable`: the error's message (names the file, never content). */
  readonly detail?: string;
}

/** The totals of a scan. */
export interface ScanTotals {
  /** Files (or staged blobs) searched. */
  files: number;
  /** Bytes searched. */
  bytes: number;
  /** Occurrences reported. */
  found: number;
  /** Files that could not be read. */
  unreadable: number;
}

/** Options of {@link scanPaths} and {@link scanStaged}. */
export interface ScanOptions {
  /** The folder relative paths are read from. */
  readonly cwd: string;
  /** Blocks of this many new bytes (tests use small blocks). */
  readonly blockBytes?: number;
}

/** Scan one file with `matcher`; returns its size in bytes. */
function scanFile(matcher: ScanMatcher, file: string, shown: string, events: ScanEvents, blockBytes: number, scratch: Buffer): number {
  const scanner = new InputScanner(matcher, (f) => {
    events.onFound({ ...f, file: shown });
  });
  let bytes = 0;
  for (const block of readBlocksCapped(file, 'scanFile', blockBytes, scanner.overlap, scratch)) {
    scanner.block(block.bytes, block.last);
    bytes = block.start + block.bytes.length;
  }
  return bytes;
}

/**
 * Search `paths` (files and folders, default the working folder) for the values of `matcher`.
 * Folders are walked in name order; `.git` is skipped, symbolic links are not followed (noted
 * only when given by name), other non-regular files are skipped.
 */
export function scanPaths(matcher: ScanMatcher, paths: readonly string[], events: ScanEvents, opts: ScanOptions): ScanTotals {
  const totals: ScanTotals = { files: 0, bytes: 0, found: 0, unreadable: 0 };
  const blockBytes = opts.blockBytes ?? BLOCK_BYTES;
  const scratch = Buffer.allocUnsafe(blockBytes + Math.max(0, matcher.maxLength - 1)); // shared by the files (each wipes what it used)
  const counted: ScanEvents = {
    onFound: (f) => {
      totals.found++;
      events.onFound(f);
    },
    onNote: (n) => {
      if (n.reason === 'unreadable') totals.unreadable++;
      events.onNote(n);
    },
  };
  const visit = (abs: string, shown: string, named: boolean): void => {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(abs);
    } catch (e) {
      if (named) throw ioError(e, shown);
      counted.onNote({ file: shown, reason: 'unreadable', detail: ioError(e, shown).message });
      return;
    }
    if (st.isSymbolicLink()) {
      if (named) counted.onNote({ file: shown, reason: 'symlink' });
      return;
    }
    if (st.isDirectory()) {
      let names: string[];
      try {
        names = fs.readdirSync(abs);
      } catch (e) {
        counted.onNote({ file: shown, reason: 'unreadable', detail: ioError(e, shown).message });
        return;
      }
      for (const name of names.sort()) {
        if (name === '.git') continue;
        visit(path.join(abs, name), path.join(shown, name), false);
      }
      return;
    }
    if (!st.isFile()) {
      if (named) counted.onNote({ file: shown, reason: 'not-a-file' });
      return;
    }
    if (st.size > LIMITS.scanFile.bytes) {
      counted.onNote({ file: shown, reason: 'too-large', detail: `larger than ${sizeText(LIMITS.scanFile.bytes)}` });
      return;
    }
    try {
      totals.bytes += scanFile(matcher, abs, shown, counted, blockBytes, scratch);
      totals.files++;
    } catch (e) {
      if (!(e instanceof SeeqretError)) throw e;
      counted.onNote({ file: shown, reason: e.code === 'E_TOO_LARGE' ? 'too-large' : 'unreadable', detail: e.message });
    }
  };
  for (const p of paths.length > 0 ? paths : ['.']) visit(path.resolve(opts.cwd, p), p, true);
  return totals;
}

/** The top folder of the git work tree around `cwd`, or `E_NOT_A_REPO`. */
export function gitTopLevel(cwd: string, environment: Readonly<Record<string, string | undefined>>): string {
  const r = spawnSync('git', ['rev-parse', '--show-toplevel'], { cwd, encoding: 'utf8', env: environment, stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
  const top = r.status === 0 ? r.stdout.replace(/\n$/, '') : '';
  if (top === '') throw notARepo(cwd);
  return top;
}

/** `E_NOT_A_REPO` for `cwd`. */
export function notARepo(cwd: string): SeeqretError {
  return new SeeqretError('E_NOT_A_REPO', `${cwd} is not inside a git work tree (or git is not installed)`, 'Run it inside the repository, or scan files: `seeqret scan PATH`.');
}

/** One entry of the index: a regular file's blob and its path from the top. */
interface StagedBlob {
  readonly object: string;
  readonly path: string;
}

/** The regular files of the index (`git ls-files -s -z`, stage 0 and conflict stages alike). */
function stagedBlobs(top: string, environment: Readonly<Record<string, string | undefined>>): StagedBlob[] {
  const r = spawnSync('git', ['ls-files', '-s', '-z'], { cwd: top, env: environment, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30, timeout: 120_000 });
  if (r.status !== 0) throw new SeeqretError('E_IO', `git ls-files failed in ${top}: ${r.stderr.toString('utf8').split('\n')[0] ?? ''}`, 'Check the repository with `git status`.');
  const out: StagedBlob[] = [];
  for (const entry of r.stdout.toString('utf8').split('\0')) {
    // "<mode> <object> <stage>\t<path>"
    const tab = entry.indexOf('\t');
    if (tab < 0) continue;
    const [mode, object] = entry.slice(0, tab).split(' ');
    if ((mode === '100644' || mode === '100755') && object !== undefined) out.push({ object, path: entry.slice(tab + 1) });
  }
  return out;
}

/**
 * Search the blobs staged in the git index of the work tree around `opts.cwd` (what `git commit`
 * would record; the work tree is not read): `git ls-files -s` names them, one
 * `git cat-file --batch` streams them, each searched in blocks as it comes. `environment` is git's (a hook's
 * `GIT_INDEX_FILE` is honoured). Blobs over the `scanFile` cap are skipped with a note.
 */
export async function scanStaged(matcher: ScanMatcher, events: ScanEvents, opts: ScanOptions & { readonly environment: Readonly<Record<string, string | undefined>> }): Promise<ScanTotals> {
  const top = gitTopLevel(opts.cwd, opts.environment);
  const blobs = stagedBlobs(top, opts.environment);
  const totals: ScanTotals = { files: 0, bytes: 0, found: 0, unreadable: 0 };
  if (blobs.length === 0) return totals;
  const blockBytes = opts.blockBytes ?? BLOCK_BYTES;
  const child = spawn('git', ['cat-file', '--batch'], { cwd: top, env: opts.environment, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    if (stderr.length < 4096) stderr += d;
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', (e) => {
      reject(ioError(e, 'git cat-file'));
    });
    child.on('close', resolve);
  });
  child.stdin.on('error', () => undefined); // git gone: reported by its exit status
  child.stdin.end(blobs.map((b) => b.object).join('\n') + '\n');

  const overlap = Math.max(0, matcher.maxLength - 1);
  const buf = Buffer.alloc(blockBytes + overlap);
  let header = Buffer.alloc(0); // a header line split between chunks
  let index = 0; // the blob being read
  let remaining = -1; // bytes of the current blob still to come; -1: reading a header
  // (in an object: changed by startBlob and endBlob)
  const st = { skip: false, trailer: false }; // skip: the blob is over the cap (consumed, not searched); trailer: its newline is still to come
  let filled = 0;
  const cur: { scanner: InputScanner | null } = { scanner: null }; // (set by startBlob)
  const startBlob = (size: number): void => {
    const blob = blobs[index];
    if (blob === undefined) throw new SeeqretError('E_IO', 'git cat-file sent more objects than asked for', 'Check the repository with `git fsck`.');
    remaining = size;
    filled = 0;
    st.skip = size > LIMITS.scanFile.bytes;
    if (st.skip) {
      events.onNote({ file: blob.path, reason: 'too-large', detail: `larger than ${sizeText(LIMITS.scanFile.bytes)}` });
      cur.scanner = null;
      return;
    }
    const shown = blob.path;
    cur.scanner = new InputScanner(matcher, (f) => {
      totals.found++;
      events.onFound({ ...f, file: shown });
    });
  };
  const endBlob = (): void => {
    if (cur.scanner) {
      cur.scanner.block(buf.subarray(0, filled), true);
      totals.files++;
    }
    totals.bytes += st.skip ? 0 : Math.max(0, filled);
    cur.scanner = null;
    index++;
    remaining = -1;
    st.trailer = true;
  };
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      let at = 0;
      while (at < chunk.length) {
        if (st.trailer) {
          at++; // the newline after the content
          st.trailer = false;
          continue;
        }
        if (remaining < 0) {
          const nl = chunk.indexOf(10, at);
          if (nl < 0) {
            header = Buffer.concat([header, chunk.subarray(at)]);
            break;
          }
          const line = Buffer.concat([header, chunk.subarray(at, nl)]).toString('utf8');
          header = Buffer.alloc(0);
          at = nl + 1;
          const [, type, size] = line.split(' ');
          if (type !== 'blob' || size === undefined) {
            const blob = blobs[index];
            events.onNote({ file: blob?.path ?? '?', reason: 'unreadable', detail: `git cat-file: ${line.slice(0, 200)}` });
            totals.unreadable++;
            index++;
            continue;
          }
          startBlob(Number(size));
          if (remaining === 0) endBlob();
          continue;
        }
        const take = Math.min(remaining, chunk.length - at);
        if (!st.skip) {
          // Fill the block; a full block is searched and its last `overlap` bytes kept.
          let from = at;
          const until = at + take;
          while (from < until) {
            const n = Math.min(buf.length - filled, until - from);
            chunk.copy(buf, filled, from, from + n);
            filled += n;
            from += n;
            if (filled === buf.length) {
              cur.scanner?.block(buf, false);
              totals.bytes += filled - overlap;
              buf.copyWithin(0, filled - overlap, filled);
              filled = overlap;
            }
          }
        }
        at += take;
        remaining -= take;
        if (remaining === 0) endBlob();
      }
      chunk.fill(0);
    }
  } finally {
    buf.fill(0);
    if (child.exitCode === null) child.kill();
  }
  const code = await exited;
  if (code !== 0) throw new SeeqretError('E_IO', `git cat-file failed in ${top}: ${stderr.split('\n')[0] ?? ''}`, 'Check the repository with `git status` and `git fsck`.');
  return totals;
}
