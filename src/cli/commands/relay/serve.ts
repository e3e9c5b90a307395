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
import { parseListen, parseMaxBody, readTls } from '../../../relay/listen.js';

export { parseListen } from '../../../relay/listen.js';
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

/** `relay serve`. */
export async function serve(_g: GlobalOptions, _a: unknown[], o: ServeOptions): Promise<number> {
  const { host, port } = parseListen(o.listen);
  const maxBody = parseMaxBody(o.maxBody);
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
