/**
 * The options of `relay serve` as the server takes them: `HOST:PORT`, the body limit, and the
 * TLS certificate and key files read.
 *
 * @module
 */
import { readFileCapped } from '../util/read-capped.js';
import { SeeqretError, isSeeqretError } from '../errors.js';

/** Parse `HOST:PORT` (`[::1]:PORT` for IPv6). */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  const host = m?.[1] ?? m?.[2];
  if (!m || host === undefined || port > 65535) throw new SeeqretError('E_USAGE', `--listen ${text} is not HOST:PORT`, 'Use e.g. --listen 127.0.0.1:8787.');
  return { host, port };
}

/** `--max-body BYTES` as a number (undefined: the server's default); at least 1024. */
export function parseMaxBody(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1024) throw new SeeqretError('E_USAGE', `--max-body ${text} is not a size in bytes (at least 1024)`, 'Use e.g. --max-body 1048576.');
  return n;
}

/** The certificate and key files of `--tls-cert/--tls-key`, read; undefined for plain http. */
export function readTls(o: { readonly tlsCert?: string; readonly tlsKey?: string }): { cert: Buffer; key: Buffer } | undefined {
  if (o.tlsCert === undefined && o.tlsKey === undefined) return undefined;
  if (o.tlsCert === undefined || o.tlsKey === undefined) throw new SeeqretError('E_USAGE', '--tls-cert and --tls-key go together', 'Pass both: --tls-cert cert.pem --tls-key key.pem.');
  const read = (file: string, what: string): Buffer => {
    try {
      return readFileCapped(file, 'certificate');
    } catch (e) {
      if (isSeeqretError(e) && e.code === 'E_TOO_LARGE') throw e;
      throw new SeeqretError('E_FILE_NOT_FOUND', `cannot read the TLS ${what} ${file} (${isSeeqretError(e) ? e.message : 'error'})`, 'Name PEM files this user can read.');
    }
  };
  return { cert: read(o.tlsCert, 'certificate'), key: read(o.tlsKey, 'key') };
}
