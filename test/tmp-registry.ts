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
 * child may still be writing into (Chromium's profile: its crash handler and utility processes
 * outlive the browser process by a moment) makes a removal fail with `ENOTEMPTY`, so it is retried.
 */
export function removeRegisteredTmp(): void {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
}
