/**
 * Test helpers for `seeqret watch` and the https relay: a relay process on a chosen port (so a
 * restarted relay comes back where its watchers look), health checked over http or https with a
 * private CA, and a long-running CLI child whose stderr is read while it runs.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import https from 'node:https';
import { afterAll, beforeAll } from 'vitest';
import { BIN, cleanEnv } from './helpers.js';
import { type TestPostgres, startPostgres } from './relay-helpers.js';

/** GET `url`/v1/health; true when it answers 200 (with `ca` trusted for https). */
function healthy(url: string, ca?: string): Promise<boolean> {
  if (!url.startsWith('https:')) {
    return fetch(`${url}/v1/health`).then(
      (r) => r.ok,
      () => false,
    );
  }
  return new Promise((resolve) => {
    const req = https.get(`${url}/v1/health`, { ...(ca ? { ca } : {}) }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => {
      resolve(false);
    });
  });
}

/** A long-running seeqret child (a relay, a watcher) with its stderr so far. */
export interface Child {
  readonly child: ChildProcess;
  stderr(): string;
  /** Send `signal` (default SIGTERM) and wait for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  readonly exited: Promise<number | null>;
}

/** Spawn `seeqret ARGS` (with `--vault VAULT` when given). */
export function spawnCli(args: string[], vault?: string): Child {
  const child = spawn(process.execPath, [BIN, ...(vault ? ['--vault', vault] : []), ...args], { env: cleanEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => {
    resolve(code);
  }));
  return {
    child,
    stderr: () => stderr,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Poll `test` every 20 ms until it is true; throws after `ms` with `what`. */
export async function until(test: () => boolean | Promise<boolean>, ms: number, what: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** `seeqret relay serve` on 127.0.0.1:PORT, waited for until healthy. */
export async function relayAt(database: string, port: number, opts: { tls?: { cert: string; key: string; ca: string } } = {}): Promise<Child & { url: string }> {
  const tls = opts.tls ? ['--tls-cert', opts.tls.cert, '--tls-key', opts.tls.key] : [];
  const c = spawnCli(['relay', 'serve', '--database', database, '--listen', `127.0.0.1:${port}`, ...tls]);
  const url = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  await until(async () => (c.child.exitCode === null ? healthy(url, opts.tls?.ca) : true), 20_000, () => `the relay did not start: ${c.stderr()}`);
  if (c.child.exitCode !== null) throw new Error(`the relay exited: ${c.stderr()}`);
  return { ...c, url };
}

/**
 * Start PostgreSQL for a test file (beforeAll) and stop it (afterAll); the server, or why it
 * could not start (printed once, with `label`).
 */
export function postgresForFile(label: string): { server: () => TestPostgres | undefined; skip: () => string | undefined } {
  let server: TestPostgres | undefined;
  let skip: string | undefined;
  beforeAll(async () => {
    const r = await startPostgres();
    if ('skip' in r) {
      skip = r.skip;
      console.log(`${label}: PostgreSQL runs skipped: ${r.skip}`);
    } else server = r;
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });
  return { server: () => server, skip: () => skip };
}
