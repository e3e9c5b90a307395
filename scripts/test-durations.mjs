// Writes test/durations.json (seconds per test file) from the last run's JSON report
// (.tmp/vitest-report.json, written by every `vitest run`, or the report named as its argument): test/durations-sequencer.ts starts the
// longest files first. Run it after a full, passing `npm test` when files were added or changed a lot.
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const report = JSON.parse(fs.readFileSync(process.argv[2] ?? path.join(root, '.tmp', 'vitest-report.json'), 'utf8'));
const table = {};
/** A test file's path from the project root (a report made in another clone names files in that clone). */
const fromRoot = (name) => {
  const rel = path.relative(root, name).split(path.sep).join('/');
  if (!rel.startsWith('../')) return rel;
  const posix = name.split(path.sep).join('/');
  return posix.slice(posix.lastIndexOf('/test/') + 1);
};
for (const r of report.testResults.map((t) => ({ file: fromRoot(t.name), s: (t.endTime - t.startTime) / 1000 })).sort((a, b) => b.s - a.s || (a.file < b.file ? -1 : 1))) {
  table[r.file] = Math.round(r.s * 10) / 10;
}
fs.writeFileSync(path.join(root, 'test', 'durations.json'), `${JSON.stringify(table, null, 2)}\n`);
console.log(`test/durations.json: ${Object.keys(table).length} files`);
