/**
 * An exclusive lock on a file, for read-modify-write cycles of files several processes may change
 * at once (the team file and seeqret's state files next to the vault; usable for any file).
 *
 * ```ts
 * import { withFileLock } from '../util/lock.js';
 * withFileLock('protected.yaml', () => {
 *   const text = readTextFileCapped('protected.yaml', 'teamFile'); // re-read under the lock
 *   atomicWriteFile('protected.yaml', change(text));         // apply, write
 * }, { timeoutMs: 10_000 });
 * ```
 *
 * The lock is a file `TARGET.lock` next to the target. It is made complete first (a private
 * temporary file holding the holder's pid, host, process start time, time and a random nonce)
 * and then linked to its name with `link(2)`, which fails when the name exists: taking the lock
 * is atomic and a lock file is never seen half-written. (Where hard links are not supported the
 * lock file is created with `O_CREAT | O_EXCL` and then written.)
 *
 * A lock is **stale** when its holder is gone: on the same host, when no process has its pid, or
 * the process with that pid started at another time (the pid was reused; Linux `/proc`); from
 * another host (a shared folder), when it is older than `staleMs`. A stale lock is renamed away
 * (atomic, so two waiters cannot both break it and then remove each other's fresh lock) and
 * removed. A waiter polls (10 ms growing to 100 ms) until `timeoutMs`, then fails with
 * `E_LOCKED`, naming the holder and the lock file.
 *
 * Locks are released by {@link FileLock.release}, on process exit, and on SIGINT / SIGTERM /
 * SIGHUP (the signal is raised again afterwards, so the process still ends as it would have). A
 * holder killed with SIGKILL leaves a lock that the next waiter finds stale.
 *
 * @module
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleepAsync } from 'node:timers/promises';
import { noiseBytes } from '../crypto/noise.js';
import { SeeqretError } from '../errors.js';
import { readTextFileCapped } from './read-capped.js';
import { hostLifecycle, hostPid, processExists } from '../host.js';

/** Options of {@link lockFile} and {@link withFileLock}. */
export interface LockOptions {
  /** How long to wait for a lock held by another process before `E_LOCKED` (ms; default 10,000). */
  readonly timeoutMs?: number;
  /** A lock taken on another host counts as stale after this long (ms; default 10 minutes). */
  readonly staleMs?: number;
  /** What is locked, for the error message (default: the target path). */
  readonly what?: string;
}

/** A held lock. */
export interface FileLock {
  /** The lock file (`TARGET.lock`). */
  readonly path: string;
  /** Release the lock (idempotent). */
  release(): void;
}

/** Default wait before `E_LOCKED`. */
export const DEFAULT_LOCK_TIMEOUT_MS = 10_000;
const DEFAULT_STALE_MS = 10 * 60_000;

interface Holder {
  pid: number;
  host: string;
  start: string;
  at: number;
  nonce: string;
}

/** The lock file of `target`. */
export function lockPathOf(target: string): string {
  return `${path.resolve(target)}.lock`;
}

/** Start time of process `pid` (Linux: field 22 of /proc/PID/stat, in clock ticks since boot), or '' where unknown. */
function processStart(pid: number | 'self'): string {
  try {
    const stat = readTextFileCapped(`/proc/${pid}/stat`, 'settings');
    // The command name (field 2) is in parentheses and may hold spaces: count after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? '';
  } catch {
    return '';
  }
}

let ownStart: string | undefined;

function readHolder(file: string): Holder | null {
  try {
    const h = JSON.parse(readTextFileCapped(file, 'settings')) as Partial<Holder>;
    if (typeof h.pid !== 'number' || typeof h.host !== 'string' || typeof h.nonce !== 'string' || typeof h.at !== 'number') return null;
    return { pid: h.pid, host: h.host, start: typeof h.start === 'string' ? h.start : '', at: h.at, nonce: h.nonce };
  } catch {
    return null;
  }
}

/** True when the process that took `h` is gone (or, from another host, when the lock is old). */
function isStale(h: Holder | null, file: string, staleMs: number): boolean {
  if (h === null) {
    // Unreadable or not a lock of ours: stale only when old (it may be being written by O_EXCL fallback).
    try {
      return Date.now() - fs.statSync(file).mtimeMs > 5_000;
    } catch {
      return false;
    }
  }
  if (h.host !== os.hostname()) return Date.now() - h.at > staleMs;
  if (h.pid === hostPid()) return !held.has(file) || held.get(file)!.nonce !== h.nonce;
  if (!processExists(h.pid)) return true;
  if (h.start !== '') {
    const now = processStart(h.pid);
    if (now !== '' && now !== h.start) return true; // the pid now belongs to another process
  }
  return false;
}

/** Locks this process holds: lock file → holder record. */
const held = new Map<string, Holder>();
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let hooked = false;

function releaseAll(): void {
  for (const file of [...held.keys()]) removeIfOurs(file);
}

function onSignal(sig: NodeJS.Signals): void {
  releaseAll();
  unhook();
  // End as the signal would have, unless someone else handles it.
  if (hostLifecycle.listenerCount(sig) === 0) hostLifecycle.raise(sig);
}

const signalHandlers = new Map<NodeJS.Signals, () => void>(SIGNALS.map((s) => [s, () => onSignal(s)]));

function hook(): void {
  if (hooked) return;
  hooked = true;
  hostLifecycle.onExit(releaseAll);
  for (const [s, h] of signalHandlers) hostLifecycle.onSignal(s, h);
}

function unhook(): void {
  if (!hooked) return;
  hooked = false;
  hostLifecycle.offExit(releaseAll);
  for (const [s, h] of signalHandlers) hostLifecycle.offSignal(s, h);
}

function removeIfOurs(file: string): void {
  const mine = held.get(file);
  held.delete(file);
  if (held.size === 0) unhook();
  if (!mine) return;
  const now = readHolder(file);
  if (now?.nonce !== mine.nonce) return; // broken as stale by someone else meanwhile: not ours any more
  try {
    fs.unlinkSync(file);
  } catch {
    /* already gone */
  }
}

function lockError(e: unknown, file: string): SeeqretError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new SeeqretError('E_PERMISSIONS', `cannot create the lock file ${file} (${code})`, `Make the folder ${path.dirname(file)} writable for you.`, { cause: e });
  }
  if (code === 'ENOENT') return new SeeqretError('E_FILE_NOT_FOUND', `no such folder: ${path.dirname(file)}`, 'Check the path.', { cause: e });
  return new SeeqretError('E_IO', `cannot create the lock file ${file}: ${code ?? String(e)}`, 'Check the disk and the path, then retry.', { cause: e });
}

/** Try once to take the lock; true when taken. */
function tryTake(file: string, staleMs: number): boolean {
  ownStart ??= processStart('self');
  const me: Holder = { pid: hostPid(), host: os.hostname(), start: ownStart, at: Date.now(), nonce: noiseBytes(12).toString('hex') };
  const body = JSON.stringify(me) + '\n';
  const tmp = `${file}.${me.nonce}.tmp`;
  try {
    fs.writeFileSync(tmp, body, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    throw lockError(e, file);
  }
  let taken = false;
  try {
    fs.linkSync(tmp, file);
    taken = true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST') {
      // No hard links here (some network or FAT file systems): O_EXCL instead.
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') {
        fs.rmSync(tmp, { force: true });
        throw lockError(e, file);
      }
      try {
        fs.writeFileSync(file, body, { mode: 0o600, flag: 'wx' });
        taken = true;
      } catch (e2) {
        if ((e2 as NodeJS.ErrnoException).code !== 'EEXIST') {
          fs.rmSync(tmp, { force: true });
          throw lockError(e2, file);
        }
      }
    }
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  if (taken) {
    held.set(file, me);
    hook();
    return true;
  }
  const h = readHolder(file);
  if (isStale(h, file, staleMs)) breakStale(file, h);
  return false;
}

/** Remove a stale lock without ever removing a fresh one another waiter just took. */
function breakStale(file: string, stale: Holder | null): void {
  const aside = `${file}.${noiseBytes(8).toString('hex')}.stale`;
  try {
    fs.renameSync(file, aside);
  } catch {
    return; // gone already: someone else broke it
  }
  const got = readHolder(aside);
  if (stale === null ? got === null : got?.nonce === stale.nonce) {
    fs.rmSync(aside, { force: true });
    return;
  }
  // We moved a fresh lock (taken between our look and our rename): put it back if the name is free.
  try {
    fs.linkSync(aside, file);
  } catch {
    /* the name was taken again: that holder's release checks its nonce */
  }
  fs.rmSync(aside, { force: true });
}

function busyError(target: string, file: string, what: string | undefined, waited: number): SeeqretError {
  const h = readHolder(file);
  const by = h ? `process ${h.pid}${h.host !== os.hostname() ? ` on ${h.host}` : ''} since ${new Date(h.at).toISOString()}` : 'another process';
  return new SeeqretError(
    'E_LOCKED',
    `${what ?? target} is being changed by ${by}; waited ${(waited / 1000).toFixed(1)} s for its lock`,
    `Retry in a moment; if no seeqret process is running${h && h.host !== os.hostname() ? ` on ${h.host}` : ''}, remove the lock: rm '${file.replace(/'/g, `'"'"'`)}'`,
  );
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

const backoff = (attempt: number): number => Math.min(100, 10 * 2 ** Math.min(attempt, 4)) * (0.5 + Math.random() / 2);

/**
 * Take the exclusive lock of `target`, waiting (blocking) up to `timeoutMs`. A lock this process
 * already holds is an error here (waiting would block its own release): use {@link lockFileAsync}.
 *
 * @throws SeeqretError `E_LOCKED` when another process holds it longer; `E_PERMISSIONS` /
 *   `E_IO` / `E_FILE_NOT_FOUND` when the lock file cannot be created.
 */
export function lockFile(target: string, opts: LockOptions = {}): FileLock {
  const file = lockPathOf(target);
  if (held.has(file)) throw new SeeqretError('E_INTERNAL', `${target} is already locked by this process`, 'Report this bug.');
  const start = Date.now();
  for (let attempt = 0; ; attempt++) {
    const got = step(target, file, opts, start, attempt);
    if (typeof got !== 'number') return got;
    sleepSync(got);
  }
}

/**
 * {@link lockFile} without blocking the event loop while waiting (so it also waits for a lock
 * another task of this process holds).
 */
export async function lockFileAsync(target: string, opts: LockOptions = {}): Promise<FileLock> {
  const file = lockPathOf(target);
  const start = Date.now();
  for (let attempt = 0; ; attempt++) {
    const got = step(target, file, opts, start, attempt);
    if (typeof got !== 'number') return got;
    await sleepAsync(got);
  }
}

/** One try: the lock, or how long to wait before the next try; `E_LOCKED` once the time is up. */
function step(target: string, file: string, opts: LockOptions, start: number, attempt: number): FileLock | number {
  if (tryTake(file, opts.staleMs ?? DEFAULT_STALE_MS)) return { path: file, release: () => removeIfOurs(file) };
  const timeout = opts.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const waited = Date.now() - start;
  if (waited >= timeout) throw busyError(target, file, opts.what, waited);
  return Math.min(backoff(attempt), timeout - waited);
}

/**
 * How long a CLI writer waits for a lock: the environment variable `SEEQRET_LOCK_TIMEOUT_MS`
 * (milliseconds), else {@link DEFAULT_LOCK_TIMEOUT_MS}.
 *
 * @throws SeeqretError `E_USAGE` when the variable is not a number of milliseconds.
 */
export function lockTimeoutFromEnv(env: Readonly<Record<string, string | undefined>>): number {
  const v = env['SEEQRET_LOCK_TIMEOUT_MS'];
  if (v === undefined || v === '') return DEFAULT_LOCK_TIMEOUT_MS;
  if (!/^\d{1,9}$/.test(v)) throw new SeeqretError('E_USAGE', `SEEQRET_LOCK_TIMEOUT_MS must be a number of milliseconds, not ${JSON.stringify(v.slice(0, 20))}`, 'Set it to e.g. 10000, or unset it.');
  return Number(v);
}

/** Run `fn` holding the lock of `target`; the lock is released when `fn` returns or throws. */
export function withFileLock<T>(target: string, fn: () => T, opts: LockOptions = {}): T {
  const lock = lockFile(target, opts);
  try {
    return fn();
  } finally {
    lock.release();
  }
}

/** Run async `fn` holding the lock of `target` (waiting without blocking); released when it settles. */
export async function withFileLockAsync<T>(target: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const lock = await lockFileAsync(target, opts);
  try {
    return await fn();
  } finally {
    lock.release();
  }
}
