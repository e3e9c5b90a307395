/**
 * The `seeqret sync` and `seeqret push` fast path in one module (its own CommonJS bundle,
 * dist/bin/fast-relay.js, loaded by the entry only for these commands, decision 68): the same
 * handlers the command tree runs, without commander or the tree.
 *
 * @module
 */
import { type CliIo, withSoleRun } from './cli-io.js';
import { push, sync } from './commands/relay/client.js';
import { exitProfile } from './exit-profile.js';
import type { FastRelay } from './fast-relay.js';
import { reportError } from './report.js';

/**
 * Run a command recognised by {@link parseFastRelay} as the process's one run; returns the exit
 * code. Errors are reported as the full CLI reports them.
 */
export function runFastRelay(fast: FastRelay, io: CliIo): Promise<number> {
  return withSoleRun({ io, profile: exitProfile('seeqret', io.env) }, async () => {
    try {
      return await (fast.command === 'sync' ? sync(fast.g, [], fast.options) : push(fast.g, [], fast.options));
    } catch (e) {
      return reportError(e, fast.g.debug === true || io.env['SEEQRET_DEBUG'] === '1');
    }
  });
}
