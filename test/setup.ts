/**
 * Many tests run the real CLI with spawnSync, which blocks the worker's event loop. Vitest awaits
 * synchronous tests with microtasks only, so a file of such tests can keep the loop busy for
 * minutes and the worker's RPC to the runner times out ("Timeout calling onTaskUpdate"). Yielding
 * one macrotask before each test lets those messages through.
 */
import { beforeEach } from 'vitest';

beforeEach(async () => {
  await new Promise<void>((resolve) => setImmediate(resolve));
});
