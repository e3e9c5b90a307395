/**
 * The temporary folders a test file made ({@link tmpdir} in test/helpers.ts), removed by
 * test/setup.ts after each file. A module of its own so that setup.ts (run again for every file,
 * even when files share a worker) can clean up without importing helpers.ts and the library.
 */
import fs from 'node:fs';

const made: string[] = [];

/** Remember `dir` to remove after the current test file. */
export function registerTmp(dir: string): void {
  made.push(dir);
}

/**
 * Remove every folder registered since the last call. A folder a helper process of a finished
 * child may still be writing into makes a removal fail with `ENOTEMPTY`, so it is retried; a
 * folder still left after that is named on stderr, not made a failure of the file's tests (the
 * tests that start such children wait for them: see `startChromium` in backup-crypto.test.ts).
 */
export function removeRegisteredTmp(): void {
  for (const d of made.splice(0)) {
    try {
      fs.rmSync(d, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    } catch (e) {
      process.stderr.write(`test cleanup: could not remove ${d}: ${e instanceof Error ? e.message : String(e)}\n`);
    }
  }
}
