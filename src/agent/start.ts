/**
 * Starting the unlock agent's process: detached, with an empty environment, the vault's key on
 * its standard input, its standard error appended to its log file. The caller says which program
 * to run (the CLI passes Node and its own script), so nothing here reads `process`.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { SeeqretError } from '../errors.js';
import type { AgentStart } from './unlock.js';

/** How to run the agent program. */
export interface AgentProgram {
  /** The executable (the CLI gives Node's). */
  readonly command: string;
  /** Its arguments (the CLI gives its script and the agent marker argument). */
  readonly args: readonly string[];
  /** The agent's log file (opened for appending, mode 0600). */
  readonly logFile: string;
  /** How long to wait for the agent to say `ready` (default 15 s). */
  readonly timeoutMs?: number;
}

/**
 * Start the agent process and send it `start`; resolves with its pid once it says `ready`.
 *
 * @throws SeeqretError `E_IO` when it does not start, exits, or says nothing in time.
 */
export function spawnAgent(start: AgentStart, program: AgentProgram): Promise<number> {
  const timeoutMs = program.timeoutMs ?? 15_000;
  const logFd = fs.openSync(program.logFile, 'a', 0o600);
  // An empty environment: the agent needs none, and must not keep SEEQRET_PASSPHRASE in its own.
  try {
    const child = spawn(program.command, [...program.args], { detached: true, stdio: ['pipe', 'pipe', logFd], cwd: '/', env: {} });
    return new Promise<number>((resolve, reject) => {
      let said = '';
      const fail = (why: string): void => {
        clearTimeout(timer);
        reject(new SeeqretError('E_IO', `the unlock agent did not start: ${why}`, `See its log, ${program.logFile}.`));
      };
      const timer = setTimeout(() => {
        child.kill();
        fail(`no answer within ${String(timeoutMs / 1000)} s`);
      }, timeoutMs);
      child.on('error', (e) => {
        fail(e.message);
      });
      child.on('exit', (code) => {
        fail(`it exited with status ${String(code)}`);
      });
      child.stdout?.on('data', (chunk: Buffer) => {
        said += chunk.toString('utf8');
        if (said.includes('ready\n')) {
          clearTimeout(timer);
          child.removeAllListeners('exit');
          child.stdout?.destroy();
          child.unref();
          resolve(child.pid ?? 0);
        }
      });
      child.stdin?.end(`${JSON.stringify(start)}\n`);
    });
  } finally {
    fs.closeSync(logFd);
  }
}
