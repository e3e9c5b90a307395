/**
 * `seeqret relay serve [--database URL] [--listen HOST:PORT]`: run a relay until SIGTERM/SIGINT,
 * then stop accepting, finish the requests in flight and close the database.
 *
 * @module
 */
import fs from 'node:fs';
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
  /** `--tls-cert FILE`: serve https with this certificate chain (PEM). */
  readonly tlsCert?: string;
  /** `--tls-key FILE`: the private key of `--tls-cert` (PEM). */
  readonly tlsKey?: string;
}

/** The certificate and key files of `--tls-cert/--tls-key`, read; undefined for plain http. */
function readTls(o: ServeOptions): { cert: Buffer; key: Buffer } | undefined {
  if (o.tlsCert === undefined && o.tlsKey === undefined) return undefined;
  if (o.tlsCert === undefined || o.tlsKey === undefined) throw new SeeqretError('E_USAGE', '--tls-cert and --tls-key go together', 'Pass both: --tls-cert cert.pem --tls-key key.pem.');
  const read = (file: string, what: string): Buffer => {
    try {
      return fs.readFileSync(file);
    } catch (e) {
      throw new SeeqretError('E_FILE_NOT_FOUND', `cannot read the TLS ${what} ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`, 'Name PEM files this user can read.');
    }
  };
  return { cert: read(o.tlsCert, 'certificate'), key: read(o.tlsKey, 'key') };
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
  const tls = readTls(o);
  const storage = await openRelayStorage(o.database ?? path.resolve(io().cwd, 'seeqret-relay.db'));
  // The server's requests run after this handler awaits: they keep the run's Io from here.
  const run = io();
  let relay;
  try {
    relay = await createRelayServer({ storage, log: (e) => void run.stderr.write(`${JSON.stringify(e)}\n`), now: () => run.now(), ...(maxBody ? { maxBodyBytes: maxBody } : {}), ...(tls ? { tls } : {}) });
  } catch (e) {
    await storage.close();
    // Node's TLS layer refuses a key that does not match, or a file that is not PEM.
    if (tls && !(e instanceof SeeqretError)) throw new SeeqretError('E_USAGE', `--tls-cert/--tls-key are not a usable certificate and key (${(e as { code?: string }).code ?? (e as Error).message.split('\n')[0]})`, 'Give the PEM certificate chain and its matching private key.');
    throw e;
  }
  try {
    await relay.listen(host, port);
  } catch (e) {
    await storage.close();
    throw new SeeqretError('E_RELAY_UNREACHABLE', `cannot listen on ${o.listen} (${(e as NodeJS.ErrnoException).code ?? 'error'})`, 'Choose a free port (--listen 127.0.0.1:PORT).');
  }
  await new Promise<void>((resolve) => {
    const { signals } = run;
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
