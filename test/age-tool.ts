/**
 * The real `age` tool (Debian package `age`), for the interop checks of backups: whether it is
 * installed, and a run of it with input typed at its terminal. CI installs `age`; `script` comes
 * from `bsdutils` (essential, always present).
 */
import { spawnSync } from 'node:child_process';

/** Whether `age` and util-linux `script` are both there (the interop checks are skipped without them). */
export const hasAgeOnTty =
  spawnSync('age', ['--version'], { encoding: 'utf8' }).status === 0 && spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

const shq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Run `age` with `input` typed at its terminal. age reads passphrases only from the terminal
 * (/dev/tty), never from stdin or the environment, so it runs under util-linux `script`, which
 * gives it a pseudo-terminal and forwards our stdin there; `-e` returns age's exit status.
 * Output goes to files (`-o`), since the terminal's output mixes in the prompts.
 */
export function ageOnTty(args: string[], input: string, cwd: string): { status: number | null; out: string } {
  const r = spawnSync('script', ['-qec', ['age', ...args].map(shq).join(' '), '/dev/null'], {
    cwd,
    input,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}
