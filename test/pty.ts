/**
 * The real `seeqret` executable on a pseudo-terminal (util-linux `script`), answering each prompt
 * as soon as it appears instead of after fixed pauses: the child-process side of the tests that
 * need a terminal (prompts, hidden input, escaping on a TTY).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { BIN, ROOT, cleanEnv } from './helpers.js';

/** Whether util-linux `script` is there (the pty tests are skipped, with a reason, without it). */
export const hasScript = fs.existsSync('/usr/bin/script') || fs.existsSync('/bin/script');

/** What {@link onTerminal} runs: the arguments, the folder, extra environment, the answers. */
export interface TerminalRun {
  /** `seeqret` arguments (without the program). */
  readonly args: readonly string[];
  /** Working folder (default: the repository). */
  readonly cwd?: string;
  /** Extra environment on top of {@link cleanEnv} (`TERM` is `dumb` unless given). */
  readonly env?: Record<string, string | undefined>;
  /**
   * Prompts and what to type at each, in order: when the output since the last answer matches
   * the pattern, the text is typed (no line end is added). The run is killed after 30 s.
   */
  readonly answers?: ReadonlyArray<readonly [RegExp, string]>;
}

/** The outcome of {@link onTerminal}: exit status, the transcript, and the answers never asked for. */
export interface TerminalResult {
  readonly code: number | null;
  readonly output: string;
  readonly unanswered: number;
}

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Run `seeqret ARGS` on a pseudo-terminal, typing each answer when its prompt appears. */
export function onTerminal(run: TerminalRun): Promise<TerminalResult> {
  const command = [process.execPath, BIN, ...run.args].map(quote).join(' ');
  const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: run.cwd ?? ROOT, env: cleanEnv({ TERM: 'dumb', ...run.env }), stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  let seen = 0;
  const pending = [...(run.answers ?? [])];
  const onData = (d: Buffer): void => {
    output += d.toString('utf8');
    const next = pending[0];
    if (next && next[0].test(output.slice(seen))) {
      pending.shift();
      seen = output.length;
      child.stdin.write(next[1]);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output: output.replace(/\r\n/g, '\n'), unanswered: pending.length });
    }),
  );
}
