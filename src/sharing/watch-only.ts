/**
 * Watch-only vaults (`seeqret server init --watch-only`): a server's vault that receives — through
 * the relay (`watch`, `sync`), its inbox or `load` — and serves its apps, but never sends. Every
 * bundle is sealed by {@link prepareExport}, which refuses in such a vault (`E_WATCH_ONLY`): a
 * compromised app account or a mistaken command cannot re-export what the server holds to
 * anyone, even a known user. The marker is a file in the vault folder, written by the owner.
 *
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import { SeeqretError } from '../errors.js';

/** The marker file of a watch-only vault. */
export const WATCH_ONLY_MARKER = 'watch-only';

/** Is the vault in `dir` watch-only? */
export function isWatchOnly(dir: string): boolean {
  return fs.existsSync(path.join(dir, WATCH_ONLY_MARKER));
}

/** Make the vault in `dir` watch-only (0600, the owner's). */
export function markWatchOnly(dir: string): void {
  fs.writeFileSync(path.join(dir, WATCH_ONLY_MARKER), 'This vault only receives: export and push are refused (seeqret server init --watch-only).\n', { mode: 0o600 });
}

/** `E_WATCH_ONLY` when the vault in `dir` is watch-only. */
export function refuseIfWatchOnly(dir: string): void {
  if (isWatchOnly(dir)) {
    throw new SeeqretError('E_WATCH_ONLY', `the vault ${dir} is watch-only: it receives secrets and never sends them`, 'Send from a person\'s vault; this one only receives (watch, sync, inbox, load).');
  }
}
