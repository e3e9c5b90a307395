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
import type https from 'node:https';

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

/**
 * Requests to one relay. Node's `https` and `tls` are loaded only for an https relay, when the
 * first request is made: a `sync` over http does not compile them (decision 68).
 */
export class Transport {
  readonly #https: boolean;
  readonly #keepAlive: boolean;
  readonly #ca: string | undefined;
  /** The agent, made by the first request. */
  #agent: Promise<{ agent: http.Agent; mod: typeof http | typeof https }> | undefined;
  /** The agent once made (for {@link Transport.close}). */
  #made: http.Agent | undefined;
  #closed = false;

  constructor(url: string, o: TransportOptions = {}) {
    this.#https = new URL(url).protocol === 'https:';
    this.#keepAlive = o.keepAlive === true;
    this.#ca = o.ca;
  }

  #agentFor(): Promise<{ agent: http.Agent; mod: typeof http | typeof https }> {
    this.#agent ??= (async () => {
      const keepAlive = this.#keepAlive;
      let made: { agent: http.Agent; mod: typeof http | typeof https };
      if (this.#https) {
        const [https, tls] = await Promise.all([import('node:https'), import('node:tls')]);
        const system = systemCertificates();
        const ca = [...tls.rootCertificates, ...(system ? [system] : []), ...(this.#ca !== undefined ? [this.#ca] : [])];
        made = { agent: new https.Agent({ keepAlive, ca }), mod: https };
      } else made = { agent: new http.Agent({ keepAlive }), mod: http };
      this.#made = made.agent;
      if (this.#closed) made.agent.destroy();
      return made;
    })();
    return this.#agent;
  }

  /**
   * Send one request. Rejects with the socket's error (its `code`: ECONNREFUSED, a certificate
   * error …), an `AbortError` when `signal` fires, or `ETIMEDOUT` after `timeoutMs` of silence.
   */
  async request(method: string, url: URL, headers: Record<string, string>, body: Buffer, opts: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<TransportAnswer> {
    const { agent, mod } = await this.#agentFor();
    return new Promise((resolve, reject) => {
      const req = mod.request(url, { method, headers: { ...headers, 'content-length': String(body.length) }, agent, ...(opts.signal ? { signal: opts.signal } : {}) }, (res) => {
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
    this.#closed = true;
    this.#made?.destroy();
  }
}
