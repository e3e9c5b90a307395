/**
 * The hosting process as the library's defaults: the one module outside the CLI's entry that
 * reads `process`. The library's public entry points (`openVault`, `get`, `Vault.open`,
 * `Vault.probe`, `seeqret/config`) take an environment, a folder and a warning sink as options
 * and fall back to these; every other module takes them as parameters (docs/architecture.md,
 * decision 50).
 *
 * @module
 */
import { createRequire } from 'node:module';

/** An environment as seeqret reads it: variable names to values. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** The process's environment (`process.env`), which `seeqret/config` also fills. */
export function hostEnvironment(): NodeJS.ProcessEnv {
  return process.env;
}

/** The process's working folder. */
export function hostCwd(): string {
  return process.cwd();
}

/** Report `text` as a process warning (`SeeqretWarning`), as Node libraries do. */
export function hostWarning(text: string): void {
  process.emitWarning(text, 'SeeqretWarning');
}

/** This process's effective uid (-1 where the platform has none), without a user-database lookup. */
export function hostUid(): number {
  return process.geteuid?.() ?? -1;
}

let osModule: typeof import('node:os') | undefined;

/**
 * Node's `os` module, loaded on first use (`process.getBuiltinModule`, Node 20.16 and later; a
 * CommonJS `require` before): a `get` whose vault folder, account name and agent folder need no
 * lookup never loads it, which is ~1 M instructions of a start (decision 71).
 */
export function hostOs(): typeof import('node:os') {
  if (osModule === undefined) {
    const builtin = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
    osModule = (builtin === undefined ? createRequire(import.meta.url)('node:os') : builtin('node:os')) as typeof import('node:os');
  }
  return osModule;
}

/** This process's id (recorded in lock files). */
export function hostPid(): number {
  return process.pid;
}

/** Is there a process `pid` on this host? (One of another user's counts.) */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * The process's end, as the file locks hook it to release what they hold: its exit, and the
 * signals that end it (after which the signal is raised again when no one else handles it).
 */
export const hostLifecycle = {
  onExit: (handler: () => void): void => void process.on('exit', handler),
  offExit: (handler: () => void): void => void process.off('exit', handler),
  onSignal: (signal: NodeJS.Signals, handler: () => void): void => void process.on(signal, handler),
  offSignal: (signal: NodeJS.Signals, handler: () => void): void => void process.off(signal, handler),
  /** How many handlers `signal` has. */
  listenerCount: (signal: NodeJS.Signals): number => process.listenerCount(signal),
  /** End the process with `signal`, as it would have without handlers. */
  raise: (signal: NodeJS.Signals): void => void process.kill(process.pid, signal),
} as const;
