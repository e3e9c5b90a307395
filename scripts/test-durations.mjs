// Writes test/durations.json (seconds per test file) from the last run's JSON report
// (.tmp/vitest-report.json, written by every `vitest run`): test/durations-sequencer.ts starts the
// longest files first. Run it after a full, passing `npm test` when files were added or changed a lot.
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const report = JSON.parse(fs.readFileSync(path.join(root, '.tmp', 'vitest-report.json'), 'utf8'));
const table = {};
for (const r of report.testResults.map((t) => ({ file: path.relative(root, t.name).split(path.sep).join('/'), s: (t.endTime - t.startTime) / 1000 })).sort((a, b) => b.s - a.s || (a.file < b.file ? -1 : 1))) {
  table[r.file] = Math.round(r.s * 10) / 10;
}
fs.writeFileSync(path.join(root, 'test', 'durations.json'), `${JSON.stringify(table, null, 2)}\n`);
console.log(`test/durations.json: ${Object.keys(table).length} files`);
