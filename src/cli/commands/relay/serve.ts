/**
 * `seeqret relay serve [--database URL] [--listen HOST:PORT]`: run a relay until SIGTERM/SIGINT,
 * then stop accepting, finish the requests in flight and close the database.
 *
 * @module
 */
import path from 'node:path';
import { SeeqretError } from '../../../errors.js';
import { openRelayStorage } from '../../../relay/storage/index.js';
import { createRelayServer } from '../../../relay/server.js';
import type { GlobalOptions } from '../../context.js';
import { io } from '../../cli-io.js';

/** Options of `seeqret relay serve`. */
export interface ServeOptions {
  /** `--database URL`: postgres://… or a SQLite file (default ./seeqret-relay.db). */
  readonly database?: string;
  /** `--listen HOST:PORT` (default 127.0.0.1:8787). */
  readonly listen: string;
  /** `--max-body BYTES` (default 1 MiB). */
  readonly maxBody?: string;
}

/** Parse `HOST:PORT` (`[::1]:PORT` for IPv6). */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new SeeqretError('E_USAGE', `--listen ${text} is not HOST:PORT`, 'Use e.g. --listen 127.0.0.1:8787.');
  return { host: (m[1] ?? m[2])!, port };
}

/** `relay serve`. */
export async function serve(_g: GlobalOptions, _a: unknown[], o: ServeOptions): Promise<number> {
  const { host, port } = parseListen(o.listen);
  const maxBody = o.maxBody === undefined ? undefined : Number(o.maxBody);
  if (maxBody !== undefined && (!Number.isSafeInteger(maxBody) || maxBody < 1024)) throw new SeeqretError('E_USAGE', `--max-body ${o.maxBody} is not a size in bytes (at least 1024)`, 'Use e.g. --max-body 1048576.');
  const storage = await openRelayStorage(o.database ?? path.resolve(io().cwd, 'seeqret-relay.db'));
  const relay = await createRelayServer({ storage, log: (e) => void io().stderr.write(`${JSON.stringify(e)}\n`), now: () => io().now(), ...(maxBody ? { maxBodyBytes: maxBody } : {}) });
  try {
    await relay.listen(host, port);
  } catch (e) {
    await storage.close();
    throw new SeeqretError('E_RELAY_UNREACHABLE', `cannot listen on ${o.listen} (${(e as NodeJS.ErrnoException).code ?? 'error'})`, 'Choose a free port (--listen 127.0.0.1:PORT).');
  }
  await new Promise<void>((resolve) => {
    const { signals } = io();
    const stop = (): void => {
      signals.off('SIGTERM', stop);
      signals.off('SIGINT', stop);
      resolve();
    };
    signals.on('SIGTERM', stop);
    signals.on('SIGINT', stop);
  });
  await relay.close();
  return 0;
}
