/**
 * `seeqret hook install|uninstall` (docs/commands/scan.md#hook): a git pre-commit hook that runs
 * `seeqret scan --staged`, in the folder git runs hooks from (`core.hooksPath` honoured). An
 * existing hook is kept: renamed `pre-commit.seeqret-previous` and run first by seeqret's hook
 * (its failure stops the commit as before); `uninstall` puts it back. Installing twice rewrites
 * seeqret's hook only.
 *
 * @module
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { SeeqretError } from '../errors.js';
import { noiseBytes } from '../crypto/noise.js';
import { readTextFileCapped } from '../util/read-capped.js';
import { shellQuote } from '../util/shlex.js';
import { notARepo } from './scan.js';

/** The line that marks a pre-commit hook as seeqret's. */
export const HOOK_MARK = '# seeqret pre-commit hook';
/** The name an existing hook is kept under while seeqret's is installed. */
export const PREVIOUS_NAME = 'pre-commit.seeqret-previous';

/** Where the hook is: git's hooks folder, the hook file, the kept previous hook. */
export interface HookPaths {
  readonly dir: string;
  readonly hook: string;
  readonly previous: string;
}

/** The hooks folder of the repository around `cwd` (`git rev-parse --git-path hooks`), or `E_NOT_A_REPO`. */
export function hookPaths(cwd: string, environment: Readonly<Record<string, string | undefined>>): HookPaths {
  const r = spawnSync('git', ['rev-parse', '--git-path', 'hooks'], { cwd, encoding: 'utf8', env: environment, stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
  const rel = r.status === 0 ? r.stdout.replace(/\n$/, '') : '';
  if (rel === '') throw notARepo(cwd);
  const dir = path.resolve(cwd, rel);
  return { dir, hook: path.join(dir, 'pre-commit'), previous: path.join(dir, PREVIOUS_NAME) };
}

/** The hook's text: run the kept hook if there is one, then `command scan --staged`. */
export function hookScript(command: readonly string[]): string {
  const words = [...command, 'scan', '--staged'].map((w) => shellQuote(w)).join(' ');
  return [
    '#!/bin/sh',
    `${HOOK_MARK}: refuses a commit that stages a value of the vault.`,
    '# `seeqret hook uninstall` removes it (and puts back the hook it kept).',
    `previous="$(dirname "$0")/${PREVIOUS_NAME}"`,
    'if [ -x "$previous" ]; then',
    '  "$previous" "$@" || exit $?',
    'fi',
    `exec ${words}`,
    '',
  ].join('\n');
}

/** Whether the file at `file` is seeqret's hook (a small text file with the mark). */
function isOurs(file: string): boolean {
  try {
    return readTextFileCapped(file, 'settings').includes(HOOK_MARK);
  } catch {
    return false;
  }
}

/** Whether anything (a file, a link, even a broken one) is at `file`. */
function exists(file: string): boolean {
  try {
    fs.lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

/** What {@link installHook} did. */
export interface HookInstalled extends HookPaths {
  /** The hook was already seeqret's (rewritten). */
  readonly already: boolean;
  /** An existing hook was kept as {@link PREVIOUS_NAME}. */
  readonly keptPrevious: boolean;
}

/**
 * Install the pre-commit hook running `command scan --staged` (`command`: the program and its
 * arguments, e.g. node, the CLI and `--vault DIR`). Written atomically, mode 0755.
 */
export function installHook(cwd: string, environment: Readonly<Record<string, string | undefined>>, command: readonly string[]): HookInstalled {
  const p = hookPaths(cwd, environment);
  fs.mkdirSync(p.dir, { recursive: true });
  const already = exists(p.hook) && isOurs(p.hook);
  let keptPrevious = false;
  if (!already && exists(p.hook)) {
    if (exists(p.previous)) {
      throw new SeeqretError('E_EXISTS', `${p.previous} already exists, and ${p.hook} is not seeqret's hook`, `Move one of them away, then run \`seeqret hook install\` again.`);
    }
    fs.renameSync(p.hook, p.previous);
    keptPrevious = true;
  }
  const tmp = path.join(p.dir, `.pre-commit.${noiseBytes(6).toString('hex')}.tmp`);
  try {
    fs.writeFileSync(tmp, hookScript(command), { mode: 0o755, flag: 'wx' });
    fs.chmodSync(tmp, 0o755); // whatever the umask
    fs.renameSync(tmp, p.hook);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    if (keptPrevious) fs.renameSync(p.previous, p.hook);
    throw e;
  }
  return { ...p, already, keptPrevious };
}

/** What {@link uninstallHook} did. */
export interface HookUninstalled extends HookPaths {
  /** `removed`: seeqret's hook removed; `absent`: there was none; `foreign`: the hook is not seeqret's (left alone). */
  readonly outcome: 'removed' | 'absent' | 'foreign';
  /** The kept hook was put back. */
  readonly restored: boolean;
}

/** Remove seeqret's pre-commit hook and put back the hook it kept. A hook that is not seeqret's is left alone. */
export function uninstallHook(cwd: string, environment: Readonly<Record<string, string | undefined>>): HookUninstalled {
  const p = hookPaths(cwd, environment);
  if (!exists(p.hook)) return { ...p, outcome: 'absent', restored: false };
  if (!isOurs(p.hook)) return { ...p, outcome: 'foreign', restored: false };
  if (exists(p.previous)) {
    fs.renameSync(p.previous, p.hook); // replaces seeqret's hook in one step
    return { ...p, outcome: 'removed', restored: true };
  }
  fs.rmSync(p.hook);
  return { ...p, outcome: 'removed', restored: false };
}
