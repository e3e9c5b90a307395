/**
 * Running the person's editor on a scratch file for `seeqret edit -f`. The environment, the
 * working folder and where signals arrive are given by the caller; nothing here reads `process`.
 *
 * @module
 */
import { SeeqretError } from '../errors.js';

/** Where the run hears Ctrl-C, SIGTERM and SIGHUP (the CLI gives its signal source). */
export interface EditorSignals {
  /** Call `handler` on each `signal`. */
  on(signal: NodeJS.Signals, handler: () => void): unknown;
  /** Stop calling `handler`. */
  off(signal: NodeJS.Signals, handler: () => void): unknown;
}

/** What {@link runEditor} runs in. */
export interface EditorContext {
  /** The environment: `$VISUAL`, else `$EDITOR`, else `vi`; also the editor's own environment. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The editor's working folder. */
  readonly cwd: string;
  /** Where signals arrive while the editor runs. */
  readonly signals: EditorSignals;
}

/**
 * Run `$VISUAL`, else `$EDITOR`, else `vi` on `file` (through `sh -c`, so `EDITOR="code --wait"`
 * works). Ctrl-C, SIGTERM and SIGHUP while it runs are held until it has ended, so the caller
 * can always destroy the scratch file; then they end the command with `E_INTERRUPTED`.
 *
 * @throws SeeqretError `E_INTERRUPTED` (a signal), `E_COMMAND_FAILED` (the editor's status was not 0).
 */
export async function runEditor(file: string, ctx: EditorContext): Promise<void> {
  const editor = ctx.env['VISUAL'] || ctx.env['EDITOR'] || 'vi';
  const { spawn } = await import('node:child_process');
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  let caught: NodeJS.Signals | undefined;
  const holders = signals.map((sig) => [sig, (): void => { caught = sig; }] as const);
  for (const [s, h] of holders) ctx.signals.on(s, h);
  try {
    const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', `${editor} "$1"`, 'sh', file], { stdio: 'inherit', env: ctx.env, cwd: ctx.cwd });
      child.on('error', reject);
      child.on('exit', (c, s) => { resolve({ code: c, signal: s }); });
    });
    if (caught !== undefined || signal !== null) {
      throw new SeeqretError('E_INTERRUPTED', `interrupted (${caught ?? signal ?? ''}) while the editor was open; nothing was changed`, 'Run `seeqret edit` again.');
    }
    if (code !== 0) {
      throw new SeeqretError('E_COMMAND_FAILED', `the editor (${editor}) exited with status ${String(code)}; nothing was changed`, 'Check $VISUAL / $EDITOR, and save and quit normally to apply the changes.');
    }
  } finally {
    for (const [s, h] of holders) ctx.signals.off(s, h);
  }
}
