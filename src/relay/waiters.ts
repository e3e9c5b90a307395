/**
 * The relay's waiting requests (`GET /v1/envelopes?wait=MS`): each waits for a wake-up for its
 * member's key id from {@link RelayStorage.subscribe} — PostgreSQL `NOTIFY` from any relay
 * process, or this process for SQLite — or for its time to run out. This is the only state a
 * relay process keeps besides its rate limiter, and it is lost harmlessly: a waiter that misses
 * a wake-up answers at its timeout, and the client asks again.
 *
 * @module
 */
import type { RelayStorage } from './storage/types.js';

/** One armed wait: `woken` resolves at a wake-up, the timeout, {@link Waiters.close} or `wake()`. */
export interface Armed {
  readonly woken: Promise<void>;
  /** Resolve now (the request went away, or it has its answer already). */
  wake(): void;
}

/** The waiting requests of one relay process. */
export class Waiters {
  private readonly waiting = new Map<string, Set<() => void>>();
  private closed = false;

  private unsubscribe: (() => Promise<void>) | undefined;

  private constructor() {}

  /** Subscribe to the storage's announcements. */
  static async start(storage: RelayStorage): Promise<Waiters> {
    const self = new Waiters();
    self.unsubscribe = await storage.subscribe((recipient) => {
      self.wakeUp(recipient);
    });
    return self;
  }

  /** How many requests wait now. */
  get size(): number {
    let n = 0;
    for (const s of this.waiting.values()) n += s.size;
    return n;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private wakeUp(recipient: string): void {
    const sets = recipient === '*' ? [...this.waiting.values()] : [this.waiting.get(recipient)];
    for (const set of sets) for (const wake of [...(set ?? [])]) wake();
  }

  /**
   * Arm a wait for `keyId` of at most `ms` before reading the pending envelopes, so that an
   * envelope stored in between wakes it: no wake-up is lost between the read and the wait.
   */
  arm(keyId: string, ms: number): Armed {
    let wake = (): void => undefined;
    const woken = new Promise<void>((resolve) => {
      if (this.closed) {
        resolve();
        return;
      }
      const set = this.waiting.get(keyId) ?? new Set<() => void>();
      this.waiting.set(keyId, set);
      const timer = setTimeout(() => {
        wake();
      }, ms);
      wake = (): void => {
        clearTimeout(timer);
        set.delete(wake);
        if (set.size === 0 && this.waiting.get(keyId) === set) this.waiting.delete(keyId);
        resolve();
      };
      set.add(wake);
    });
    return {
      woken,
      wake: () => {
        wake();
      },
    };
  }

  /** Answer every waiting request now and stop listening (graceful shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    this.wakeUp('*');
    const u = this.unsubscribe;
    this.unsubscribe = undefined;
    await u?.();
  }
}
