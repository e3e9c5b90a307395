/**
 * The whole `seeqret get` fast path in one module (bundled into the CommonJS entry dist/bin/seeqret.js,
 * initialised only for a `get`):
 * run the get command and report its error, without commander or the command tree.
 *
 * @module
 */
import { get } from './commands/secrets/get.js';
import type { FastGet } from './fast.js';
import { writeDataFd1 } from './fd-out.js';
import { reportError } from './report.js';

/** Run a `get` recognised by {@link parseFastGet}; returns the exit code. */
export async function runFastGet(fast: FastGet): Promise<number> {
  try {
    return await get(fast.g, fast.filter, { newline: fast.newline }, writeDataFd1);
  } catch (e) {
    return reportError(e, fast.g.debug === true || process.env['SEEQRET_DEBUG'] === '1');
  }
}
