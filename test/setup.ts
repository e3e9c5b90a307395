/**
 * Run before every test file (vitest `setupFiles`), also when files share a worker process
 * (`isolate: false`): the hooks registered here belong to the file about to run.
 *
 * Many tests run the real CLI with spawnSync, which blocks the worker's event loop. Vitest awaits
 * synchronous tests with microtasks only, so a file of such tests can keep the loop busy for
 * minutes and the worker's RPC to the runner times out ("Timeout calling onTaskUpdate"). Yielding
 * one macrotask before each test lets those messages through.
 *
 * After the file, the temporary folders it made (test/helpers.ts `tmpdir`) are removed.
 */
import { afterAll, beforeEach } from 'vitest';
import { removeRegisteredTmp } from './tmp-registry.js';

beforeEach(async () => {
  await new Promise<void>((resolve) => setImmediate(resolve));
});

afterAll(() => {
  removeRegisteredTmp();
});
