/**
 * The files of an inbox folder, one at a time: what each would bring (a preview: sender and the
 * names with what loading would do, nothing written), and loading one (authenticated bundle,
 * removed once loaded). `seeqret inbox` loads them all with {@link loadInboxFile}; the web UI
 * previews them and loads the one a person picks.
 *
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import { SeeqretError, isSeeqretError } from '../errors.js';
import type { Notes } from '../notes.js';
import { readTextFileCapped } from '../util/read-capped.js';
import type { Vault, WriteOutcome } from '../vault/vault.js';
import { type LoadResult, applyLoad, planLoad, previewLoad } from './load.js';

/** One file of the inbox, previewed. */
export interface InboxFile {
  /** The file's name in the folder. */
  readonly file: string;
  /** Who sent it (when it opened). */
  readonly sender?: string;
  /** Each name it holds and what loading it would do (when it opened). */
  readonly names?: ReadonlyArray<{ app: string; env: string; key: string; outcome: WriteOutcome }>;
  /** Why it would be refused (when it does not open). */
  readonly error?: { readonly code: string; readonly message: string };
}

/** The names of the regular, not hidden files of `dir`, sorted. */
export function inboxFileNames(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => !f.startsWith('.') && fs.lstatSync(path.join(dir, f)).isFile()).sort();
}

/** Preview every file of `dir` (nothing written; `serializer` `bundle` unless old formats are allowed). */
export function previewInbox(v: Vault, dir: string, o: { allowOldFormats: boolean }): InboxFile[] {
  return inboxFileNames(dir).map((file) => {
    try {
      const plan = planLoad(v, { text: readTextFileCapped(path.join(dir, file), 'bundle'), sender: undefined, serializer: o.allowOldFormats ? undefined : 'bundle', isCommandValue: false }, { overwrite: false, force: false });
      const s = previewLoad(v, plan);
      return { file, sender: plan.sender.username, names: s.outcomes.map((x) => ({ app: x.app, env: x.env, key: x.key, outcome: x.outcome })) };
    } catch (e) {
      if (!isSeeqretError(e)) throw e;
      return { file, error: { code: e.code, message: e.message } };
    }
  });
}

/**
 * Load the file `f` (a regular file: links and folders are skipped, `null`) all or nothing, then
 * remove it; a file that cannot be removed is noted (a replay next time).
 */
export function loadInboxFile(v: Vault, f: string, o: { overwrite: boolean; allowOldFormats: boolean }, notes: Pick<Notes, 'warn'>): LoadResult | null {
  const st = fs.lstatSync(f);
  if (!st.isFile()) return null; // symlinks and folders are never followed
  const plan = planLoad(v, { text: readTextFileCapped(f, 'bundle'), sender: undefined, serializer: o.allowOldFormats ? undefined : 'bundle', isCommandValue: false }, { overwrite: o.overwrite, force: false });
  for (const w of plan.warnings) notes.warn(w);
  const r = applyLoad(v, plan);
  try {
    fs.unlinkSync(f);
  } catch (e) {
    notes.warn(`${path.basename(f)}: loaded, but could not be removed (${(e as NodeJS.ErrnoException).code ?? String(e)}); it will be refused as a replay next time`);
  }
  return r;
}

/** The file `name` of the inbox `dir`: a plain name of a file there (`E_FILE_NOT_FOUND` otherwise). */
export function inboxFile(dir: string, name: string): string {
  if (!inboxFileNames(dir).includes(name)) throw new SeeqretError('E_FILE_NOT_FOUND', `no file ${name.slice(0, 80)} in the inbox`, 'Reload the inbox view.');
  return path.join(dir, name);
}
