/**
 * The whole `seeqret get` fast path in one module (bundled into the CommonJS entry dist/bin/seeqret.js,
 * initialised only for a `get`):
 * run the get command and report its error, without commander or the command tree.
 *
 * @module
 */
import { type CliIo, withRun, withSoleRun } from './cli-io.js';
import { get } from './commands/secrets/get.js';
import { type AgentKeySource, agentUnusable } from './context.js';
import { exitProfile } from './exit-profile.js';
import type { KeyFileRead } from './agent-get.js';
import type { FastGet } from './fast.js';
import { writeDataFd1 } from './fd-out.js';
import { reportError } from './report.js';

/** How the fast path treats the unlock agent (src/cli/agent-get.ts asks it first). */
export interface FastGetAgent {
  /** The agent was asked and failed: warn with this reason where the agent would be used, and do not ask again. */
  readonly unusable?: string;
  /** The key source instead of asking the agent (the agent serving a `get` passes its held key). */
  readonly key?: AgentKeySource;
  /** Where the value goes (default: fd 1, src/cli/fd-out.ts). */
  readonly write?: (data: string) => void;
  /**
   * The caller ends the process with `process.exit` as soon as this resolves, so a successful
   * get leaves its audit entry in the write-ahead log (`GetOptions.exitsAfter`, decision 65), and
   * this is the process's only run (`withSoleRun`, decision 69).
   */
  readonly exitsAfter?: boolean;
  /** The vault key file's bytes as src/cli/agent-get.ts read them: the get does not read the file again. */
  readonly keyFile?: KeyFileRead;
}

/** Run a `get` recognised by {@link parseFastGet}; returns the exit code. */
export function runFastGet(fast: FastGet, io: CliIo, agent: FastGetAgent = {}): Promise<number> {
  const agentKey = agent.key ?? (agent.unusable === undefined ? undefined : agentUnusable(agent.unusable));
  // A process that ends after this get runs no other: its run needs no AsyncLocalStorage scope.
  const enter = agent.exitsAfter === true ? withSoleRun : withRun;
  return enter({ io, profile: exitProfile('seeqret', io.env) }, async () => {
    try {
      const o = { newline: fast.newline, exitsAfter: agent.exitsAfter === true, ...(agent.keyFile === undefined ? {} : { keyFile: agent.keyFile }) };
      return await get(fast.g, fast.filter, o, agent.write ?? writeDataFd1, agentKey);
    } catch (e) {
      return reportError(e, fast.g.debug === true || io.env['SEEQRET_DEBUG'] === '1');
    }
  });
}
