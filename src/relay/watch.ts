/**
 * The `watch` use case: stay connected to the relay and load each envelope as it arrives, with
 * exactly `sync`'s rules ({@link receiveEnvelope}: load rules, acknowledged only after the load
 * committed). It waits with the relay's long poll (`GET /v1/envelopes?wait=MS`), reconnects with
 * exponential backoff and jitter after a lost connection, and stops between envelopes when its
 * signal fires: an envelope is either loaded and acknowledged, or left on the relay.
 *
 * The vault is opened for each batch of envelopes and closed after it (which publishes a server
 * vault's copy for its apps), so other commands use it meanwhile. Nothing here touches `process`.
 *
 * @module
 */
import { SeeqretError, isSeeqretError } from '../errors.js';
import type { LoadResult } from '../sharing/load.js';
import { type Vault, secretLabel } from '../vault/vault.js';
import type { RelayClient, RelayEnvelope } from './client.js';
import { type SyncOutcome, receiveEnvelope } from './usecases.js';

/** Errors after which `watch` waits and tries again; any other one ends it. */
const TRANSIENT = new Set(['E_RELAY_UNREACHABLE', 'E_RELAY_STORAGE', 'E_RELAY_RATE', 'E_RELAY_STALE', 'E_RELAY_REPLAY', 'E_LOCKED']);

/** Is `e` worth another try (a lost connection, a relay or database restarting, a busy vault)? */
export function isTransient(e: unknown): e is SeeqretError {
  return isSeeqretError(e) && TRANSIENT.has(e.code);
}

/** The delay before try `attempt` (1, 2, …): exponential, capped, with "equal jitter" (half fixed, half random). */
export function backoffDelay(attempt: number, firstMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, firstMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

/** What `watch` needs from its caller. */
export interface WatchRequest {
  /** Open the vault (closed after each batch). */
  readonly openVault: () => Vault;
  /** A client of the vault's relay, its relay key checked; called again after every failure. */
  readonly connect: () => Promise<RelayClient>;
  readonly overwrite: boolean;
  /** Add new names accepted, in each load's transaction (`--accept`). */
  readonly accept?: boolean | undefined;
  /** How long one long poll waits (ms). */
  readonly waitMs: number;
  /** Backoff: first delay and cap (ms). */
  readonly backoff: { readonly firstMs: number; readonly maxMs: number };
  /** A number in [0, 1) for the jitter. */
  readonly random: () => number;
  /** Stops the watch between envelopes. */
  readonly signal: AbortSignal;
  /** After each envelope, the vault still open (report it, settle its new names). */
  readonly each: (v: Vault, o: SyncOutcome, e: RelayEnvelope) => Promise<void> | void;
  /** The connection was made (again). */
  readonly connected: (client: RelayClient) => void;
  /** A transient failure, and how long until the next try. */
  readonly retrying: (error: SeeqretError, delayMs: number, attempt: number) => void;
  /** Sleep `ms`, or less when the signal fires. */
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** What a watch did until it stopped. */
export interface WatchSummary {
  readonly loaded: number;
  readonly replays: number;
  readonly refused: number;
}

/** Load the envelopes of one answer; refused ones are remembered (they stay on the relay). */
async function applyBatch(r: WatchRequest, client: RelayClient, batch: readonly RelayEnvelope[], count: { loaded: number; replays: number; refused: Set<string> }): Promise<void> {
  const fresh = batch.filter((e) => !count.refused.has(e.id));
  if (fresh.length === 0) return;
  const v = r.openVault();
  try {
    for (const e of fresh) {
      // Stop between envelopes only: each one is loaded and acknowledged, or left untouched.
      if (r.signal.aborted) return;
      const o = await receiveEnvelope(v, client, e, { overwrite: r.overwrite, accept: r.accept });
      if (o.kind === 'loaded') count.loaded += 1;
      else if (o.kind === 'replay') count.replays += 1;
      else count.refused.add(e.id);
      await r.each(v, o, e);
    }
  } finally {
    v.close();
  }
}

/** Has `signal` fired (read again after an await)? */
const stopped = (signal: AbortSignal): boolean => signal.aborted;

/** Watch until the signal fires (resolves) or a failure that is not transient (rejects). */
export async function watchRelay(r: WatchRequest): Promise<WatchSummary> {
  const count = { loaded: 0, replays: 0, refused: new Set<string>() };
  let client: RelayClient | undefined;
  let attempt = 0;
  try {
    while (!r.signal.aborted) {
      try {
        if (!client) {
          client = await r.connect();
          r.connected(client);
        }
        // The relay answers when more envelopes wait than those refused here, or at the timeout.
        const batch = await client.pending({ waitMs: r.waitMs, skip: Math.min(count.refused.size, 100), signal: r.signal });
        attempt = 0;
        await applyBatch(r, client, batch, count);
      } catch (e) {
        if (stopped(r.signal)) break;
        if (!isTransient(e)) throw e;
        client?.close();
        client = undefined;
        attempt += 1;
        const delay = backoffDelay(attempt, r.backoff.firstMs, r.backoff.maxMs, r.random);
        r.retrying(e, delay, attempt);
        await r.sleep(delay, r.signal);
      }
    }
  } finally {
    client?.close();
  }
  return { loaded: count.loaded, replays: count.replays, refused: count.refused.size };
}

/** How many names a watch log line shows before "+N more". */
const NAMES_SHOWN = 20;

/**
 * The log line of a loaded envelope (after `prefix`): sender, counts and the secrets' names —
 * never a value.
 */
export function loadedLine(result: LoadResult): string {
  const s = result.summary;
  const names = s.outcomes.map(secretLabel);
  const shown = names.slice(0, NAMES_SHOWN).join(', ') + (names.length > NAMES_SHOWN ? `, +${String(names.length - NAMES_SHOWN)} more` : '');
  return `from ${result.sender}: ${String(names.length)} secret${names.length === 1 ? '' : 's'} (${String(s.added)} added, ${String(s.updated)} updated, ${String(s.unchanged)} unchanged, ${String(s.skipped)} skipped, ${String(s.older)} older): ${shown}`;
}

/** An abortable sleep: resolves after `ms`, or at once when `signal` aborts. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}
