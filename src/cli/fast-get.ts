/**
 * The whole `seeqret get` fast path in one module (bundled into the CommonJS entry dist/bin/seeqret.js,
 * initialised only for a `get`):
 * run the get command and report its error, without commander or the command tree.
 *
 * @module
 */
import { type CliIo, withRun } from './cli-io.js';
import { get } from './commands/secrets/get.js';
import { exitProfile } from './exit-profile.js';
import type { FastGet } from './fast.js';
import { writeDataFd1 } from './fd-out.js';
import { reportError } from './report.js';

/**
 * Run a `get` recognised by {@link parseFastGet}; returns the exit code. `exitsAfter`: the caller
 * ends the process with `process.exit` as soon as this resolves (`GetOptions.exitsAfter`).
 */
export function runFastGet(fast: FastGet, io: CliIo, exitsAfter = false): Promise<number> {
  return withRun({ io, profile: exitProfile('seeqret', io.env) }, async () => {
    try {
      return await get(fast.g, fast.filter, { newline: fast.newline, exitsAfter }, writeDataFd1);
    } catch (e) {
      return reportError(e, fast.g.debug === true || io.env['SEEQRET_DEBUG'] === '1');
    }
  });
}
