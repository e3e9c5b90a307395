import fs from 'node:fs';
import { defineConfig } from 'vitest/config';
import DurationsSequencer from './test/durations-sequencer.js';

/** The free space /dev/shm must have to hold the tests' temporary folders (the largest suite run peaks well under it). */
const MIN_SHM_BYTES = 2 * 1024 ** 3;

/**
 * Where the tests' temporary folders go (TMPDIR of the workers and, through it, of every child
 * process they start): the memory filesystem /dev/shm when the machine has a writable one with
 * at least {@link MIN_SHM_BYTES} free, else the system's. The code under test is the same —
 * SQLite and the atomic writes still call fsync — but on the disk each fsync waits ~9 ms and
 * costs the kernel ~0.4 ms of CPU (ext4 on this machine), on tmpfs neither. `SEEQRET_TEST_TMPDIR` names another folder (or the system's, when empty).
 */
function testTmpdir(): string | undefined {
  const chosen = process.env['SEEQRET_TEST_TMPDIR'];
  if (chosen !== undefined) return chosen === '' ? undefined : chosen;
  try {
    fs.accessSync('/dev/shm', fs.constants.W_OK | fs.constants.X_OK);
    if (!fs.statSync('/dev/shm').isDirectory()) return undefined;
    // A small /dev/shm (a container's default is 64 MiB) would fill up: only when it has room.
    const { bavail, bsize } = fs.statfsSync('/dev/shm');
    return bavail * bsize >= MIN_SHM_BYTES ? '/dev/shm' : undefined;
  } catch {
    return undefined;
  }
}
const tmp = testTmpdir();

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    env: tmp === undefined ? {} : { TMPDIR: tmp },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two workers for two cores (vitest's default is cores - 1, one worker here). Most tests wait
    // on a CLI child process or on SQLite, so two files at a time keep both cores busy.
    maxWorkers: 2,
    minWorkers: 1,
    // The longest files first, by test/durations.json, also on a fresh clone without vitest's
    // results cache (test/durations-sequencer.ts).
    sequence: { sequencer: DurationsSequencer },
    // Test files share their worker's module cache instead of each loading vitest's runtime, the
    // setup file and the command tree again: the whole suite's CPU 471 → 382 s (decision 58).
    // Safe because no file mocks modules, every file restores what it changes in process.env and
    // the umask, and test/setup.ts removes each file's temporary folders after it.
    isolate: false,
    // The JSON report lets .ci/run print a plain "N passed, N failed" summary line.
    reporters: ['default', ['json', { outputFile: '.tmp/vitest-report.json' }]],
    // `npm run coverage`: line coverage of src/ measured in the test workers (code run by a CLI
    // child process is not counted), summarised on the terminal and in .tmp/coverage/.
    coverage: {
      provider: 'v8',
      include: ['src/**'],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: '.tmp/coverage',
    },
  },
});
