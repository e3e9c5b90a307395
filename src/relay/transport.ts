/**
 * The relay client's HTTP(S) transport (Node's `http`/`https`): `fetch` in Node 20 cannot be told
 * which certificate authorities to trust. Over https it trusts Node's bundled roots, the
 * system's CA bundle (where the usual distributions keep it) and, when given, a private CA (a
 * PEM file named by `--ca` or `ca` in VAULT/relay.json).
 *
 * @module
 */
import { readTextFileCapped } from '../util/read-capped.js';
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';

/** Where Linux distributions, the BSDs and macOS keep the system's CA bundle. */
const SYSTEM_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/ca-bundle.pem', '/etc/ssl/cert.pem'];

let systemCache: string | null | undefined;

/** The system's CA bundle (PEM), or null when none of the usual files exists. */
export function systemCertificates(): string | null {
  if (systemCache !== undefined) return systemCache;
  systemCache = null;
  for (const f of SYSTEM_BUNDLES) {
    try {
      systemCache = readTextFileCapped(f, 'certificate');
      break;
    } catch {
      /* the next place */
    }
  }
  return systemCache;
}

/** How a {@link Transport} connects. */
export interface TransportOptions {
  /** A private CA (PEM text) to trust besides the public and the system's ones. */
  readonly ca?: string;
  /** Keep connections open between requests (a long-running `watch`); {@link Transport.close} ends them. */
  readonly keepAlive?: boolean;
}

/** One request's answer. */
export interface TransportAnswer {
  readonly status: number;
  readonly text: string;
}

/** Does `code` (a socket error's) say the relay's certificate was not trusted? */
export function isCertificateError(code: string | undefined): boolean {
  return code !== undefined && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(code);
}

/** Requests to one relay. */
export class Transport {
  private readonly agent: http.Agent;

  constructor(url: string, o: TransportOptions = {}) {
    const keepAlive = o.keepAlive === true;
    if (new URL(url).protocol === 'https:') {
      const system = systemCertificates();
      const ca = [...tls.rootCertificates, ...(system ? [system] : []), ...(o.ca ? [o.ca] : [])];
      this.agent = new https.Agent({ keepAlive, ca });
    } else this.agent = new http.Agent({ keepAlive });
  }

  /**
   * Send one request. Rejects with the socket's error (its `code`: ECONNREFUSED, a certificate
   * error …), an `AbortError` when `signal` fires, or `ETIMEDOUT` after `timeoutMs` of silence.
   */
  request(method: string, url: URL, headers: Record<string, string>, body: Buffer, opts: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<TransportAnswer> {
    const mod = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = mod.request(url, { method, headers: { ...headers, 'content-length': String(body.length) }, agent: this.agent, ...(opts.signal ? { signal: opts.signal } : {}) }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString('utf8') });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      if (opts.timeoutMs !== undefined) {
        req.setTimeout(opts.timeoutMs, () => {
          req.destroy(Object.assign(new Error('the relay did not answer in time'), { code: 'ETIMEDOUT' }));
        });
      }
      req.end(body);
    });
  }

  /** Close kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }
}
