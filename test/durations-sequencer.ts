/**
 * The order in which vitest hands test files to its two workers: the longest first, by the
 * durations recorded in test/durations.json (`node scripts/test-durations.mjs` writes them from
 * the last run's JSON report). Vitest's own sequencer orders by its results cache, which a fresh
 * clone (CI) does not have: it then goes by file size, and a long file that happens to be small
 * can start last and run alone on one core while the other idles. A file missing from the table
 * (a new one) goes first, as vitest's own sequencer puts unknown files first.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Seconds per test file (path relative to the project root, `/`-separated), from a previous run. */
function recordedDurations(root: string): ReadonlyMap<string, number> {
  try {
    const table = JSON.parse(fs.readFileSync(path.join(root, 'test', 'durations.json'), 'utf8')) as unknown;
    if (typeof table !== 'object' || table === null) return new Map();
    return new Map(Object.entries(table).filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1])));
  } catch {
    return new Map();
  }
}

export default class DurationsSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const byVitest = await super.sort(files);
    const root = this.ctx.config.root;
    const known = recordedDurations(root);
    const seconds = (f: TestSpecification): number => known.get(path.relative(root, f.moduleId).split(path.sep).join('/')) ?? Number.POSITIVE_INFINITY;
    // A stable sort: files with the same recorded duration (or none) keep vitest's order.
    return byVitest.map((f, i) => ({ f, i, s: seconds(f) })).sort((a, b) => b.s - a.s || a.i - b.i).map((x) => x.f);
  }
}
