/**
 * Use case `scan` over a vault: every current value (and its encodings) put into one matcher,
 * the files or the git index searched ({@link scanPaths}, {@link scanStaged}), the matcher wiped,
 * and one `scan` audit entry naming what was found (never a value). Finds and notes go to the
 * caller's events as they come; the report, and its JSON shape, come back.
 *
 * @module
 */
import type { Vault } from '../vault/vault.js';
import { ScanMatcher, type ScanSecret } from './matcher.js';
import { type ScanEvents, type ScanFinding, type ScanNote, type ScanTotals, scanPaths, scanStaged } from './scan.js';

/** What {@link scanVault} searches. */
export interface VaultScanRequest {
  /** Search the git index (the staged blobs) instead of `paths`. */
  readonly staged: boolean;
  /** Files and folders to search (none: the working folder). */
  readonly paths: readonly string[];
  /** The folder relative paths are read from (and git runs in). */
  readonly cwd: string;
  /** The environment git runs with (`staged`). */
  readonly environment: Readonly<Record<string, string | undefined>>;
}

/** What a scan found. */
export interface VaultScanReport {
  /** Every occurrence, in the order found. */
  readonly found: readonly ScanFinding[];
  /** The names (`app:env:key`) of the secrets found, sorted, each once. */
  readonly names: readonly string[];
  /** The files left out, and why. */
  readonly notes: readonly ScanNote[];
  /** Files and bytes searched, files not readable. */
  readonly totals: ScanTotals;
  /** How many secrets were looked for. */
  readonly secretCount: number;
  /** The secrets too short to look for (their names). */
  readonly skipped: readonly string[];
}

/** Search for `v`'s values as `request` says; `events` hears each find and note as it comes. */
export async function scanVault(v: Vault, request: VaultScanRequest, events: ScanEvents): Promise<VaultScanReport> {
  const records = v.all();
  const values = v.revealMany(records);
  const secrets: ScanSecret[] = records.map((r, i) => ({ name: `${r.app}:${r.env}:${r.key}`, value: values[i] ?? '' }));
  values.length = 0;
  const matcher = new ScanMatcher(secrets);
  secrets.length = 0; // the values live on in the matcher only
  const found: ScanFinding[] = [];
  const notes: ScanNote[] = [];
  let totals: ScanTotals;
  try {
    const collect: ScanEvents = {
      onFound: (f) => {
        found.push(f);
        events.onFound(f);
      },
      onNote: (n) => {
        notes.push(n);
        events.onNote(n);
      },
    };
    totals = request.staged ? await scanStaged(matcher, collect, { cwd: request.cwd, environment: request.environment }) : scanPaths(matcher, request.paths, collect, { cwd: request.cwd });
  } finally {
    matcher.dispose();
  }
  const names = [...new Set(found.map((f) => f.name))].sort();
  v.audit([{ action: 'scan', target: request.staged ? 'staged' : null, detail: { found: names, files: totals.files, bytes: totals.bytes, skipped: notes.length } }]);
  return { found, names, notes, totals, secretCount: matcher.secretCount, skipped: matcher.skipped };
}

/** The JSON `seeqret scan --format json` writes: `listSkipped` names the short secrets, else counts them. */
export function scanReportJson(r: VaultScanReport, listSkipped: boolean): Record<string, unknown> {
  return {
    found: r.found.map((f) => ({ file: f.file, line: f.line, offset: f.offset, name: f.name, encoding: f.encoding })),
    files: r.totals.files,
    bytes: r.totals.bytes,
    secrets: r.secretCount,
    skipped: r.notes.map((n) => ({ file: n.file, reason: n.reason })),
    shortSecrets: listSkipped ? r.skipped : r.skipped.length,
  };
}
