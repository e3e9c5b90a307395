/**
 * The relay client's HTTP(S) transport: `fetch` in Node 20 cannot be told which certificate
 * authorities to trust. Over https it trusts Node's bundled roots, the system's CA bundle (where
 * the usual distributions keep it) and, when given, a private CA (a PEM file named by `--ca` or
 * `ca` in VAULT/relay.json).
 *
 * A one-shot command (`sync`, `push`) makes each request on a connection of its own, written and
 * read here over `node:net` / `node:tls` (HTTP/1.1, `Connection: close`): Node's HTTP client
 * (`node:http`'s request, agent, outgoing and incoming message streams) was about a third of an
 * empty `sync`'s work above `node -e 0`, compiled afresh by each of the ten processes of issue
 * 14 (decision 88). The same requests go out, and a status line, headers and a body (whole,
 * chunked or up to the end) are read back; a connection that ends before its answer is
 * `ECONNRESET`, as Node's client reports it. A long-running client (`watch`, `keepAlive`) keeps
 * Node's agent, which reuses connections.
 *
 * @module
 */
import { readTextFileCapped } from '../util/read-capped.js';
import type http from 'node:http';
import type https from 'node:https';
import net from 'node:net';

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

/** A header value that would end its line (never one of the client's: they are hex, base64 and JSON's type). */
const LINE_BREAK = /[\r\n]/;

/** An error with a `code`, as a socket's errors are. */
function codeError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

const hangUp = (): Error => codeError('socket hang up', 'ECONNRESET');

/** Longest status line and headers of an answer (Node's own client's default limit, 16 KiB). */
const MAX_HEAD = 16 * 1024;

/** Where the head of `raw` ends (its blank line), or -1 while it may still come; a head longer than {@link MAX_HEAD} is refused. */
function headEndOf(raw: Buffer): number {
  const end = raw.indexOf('\r\n\r\n');
  if (end > MAX_HEAD || (end < 0 && raw.length > MAX_HEAD + 3)) throw codeError('the headers of the answer are too long', 'HPE_HEADER_OVERFLOW');
  return end;
}

/** The status and headers (names in lower case) of an answer whose head ends at `headEnd` (its blank line). */
function readHead(raw: Buffer, headEnd: number): { status: number; headers: Map<string, string> } {
  const lines = raw.toString('latin1', 0, headEnd).split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(lines[0] ?? '');
  if (!status) throw codeError('the answer is not HTTP/1.1', 'HPE_INVALID_CONSTANT');
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw codeError('a header line of the answer is malformed', 'HPE_INVALID_HEADER_TOKEN');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers.set(name, headers.has(name) ? `${headers.get(name) ?? ''}, ${value}` : value);
  }
  return { status: Number(status[1]), headers };
}

/** How an answer's body is framed: its length, chunks, or the end of the connection. */
function framing(headers: ReadonlyMap<string, string>): number | 'chunked' | 'end' {
  if (/(?:^|,)\s*chunked\s*$/i.test(headers.get('transfer-encoding') ?? '')) return 'chunked';
  const length = headers.get('content-length');
  if (length === undefined) return 'end';
  if (!/^\d{1,15}$/.test(length)) throw codeError('the Content-Length of the answer is malformed', 'HPE_INVALID_CONTENT_LENGTH');
  return Number(length);
}

/**
 * The HTTP/1.1 answer in `raw`, the bytes read so far: `undefined` while it is incomplete and the
 * connection has not `ended` (an answer without a length ends with its connection); once it
 * ended, an incomplete answer is `ECONNRESET`. Not HTTP: a code of Node's parser (`HPE_…`).
 */
export function parseAnswer(raw: Buffer, ended: boolean): TransportAnswer | undefined {
  const more = (): undefined => {
    if (ended) throw hangUp();
    return undefined;
  };
  const headEnd = headEndOf(raw);
  if (headEnd < 0) { more(); return; }
  const { status, headers } = readHead(raw, headEnd);
  const frame = framing(headers);
  let at = headEnd + 4;
  let body: Buffer;
  if (frame === 'chunked') {
    const parts: Buffer[] = [];
    for (;;) {
      const eol = raw.indexOf('\r\n', at);
      if (eol < 0) { more(); return; }
      const size = /^([0-9a-fA-F]{1,8})(?:[;\s]|$)/.exec(raw.toString('latin1', at, eol));
      if (!size) throw codeError('a chunk of the answer is malformed', 'HPE_INVALID_CHUNK_SIZE');
      const n = parseInt(size[1] ?? '', 16);
      at = eol + 2;
      if (n === 0) {
        // The last chunk, then trailer lines (none from a relay) up to an empty line.
        for (let line = raw.indexOf('\r\n', at); line !== at; line = raw.indexOf('\r\n', at)) {
          if (line < 0) { more(); return; }
          at = line + 2;
        }
        break;
      }
      if (raw.length < at + n + 2) { more(); return; }
      parts.push(raw.subarray(at, at + n));
      at += n + 2;
    }
    body = Buffer.concat(parts);
  } else if (frame === 'end') {
    if (!ended) return undefined;
    body = raw.subarray(at);
  } else {
    if (raw.length < at + frame) { more(); return; }
    body = raw.subarray(at, at + frame);
  }
  return { status, text: body.toString('utf8') };
}

/**
 * Collects an answer's bytes and says when they may be whole, without reading them again for
 * every piece: with a length, once that many arrived; chunked, once a piece ends as the last
 * chunk does; otherwise at the end of the connection.
 */
class AnswerBytes {
  #parts: Buffer[] = [];
  #total = 0;
  /** The answer's whole length, `null` when its framing does not say, `undefined` before its head. */
  #need: number | null | undefined;

  /** Add `piece`; true when the answer may now be whole. */
  add(piece: Buffer): boolean {
    this.#parts.push(piece);
    this.#total += piece.length;
    if (this.#need === undefined) {
      const raw = this.bytes();
      const headEnd = headEndOf(raw);
      if (headEnd < 0) return false;
      const frame = framing(readHead(raw, headEnd).headers);
      this.#need = typeof frame === 'number' ? headEnd + 4 + frame : null;
    }
    return this.#need !== null ? this.#total >= this.#need : piece.subarray(-5).toString('latin1') === '0\r\n\r\n';
  }

  /** Everything read so far, in one buffer. */
  bytes(): Buffer {
    if (this.#parts.length !== 1) this.#parts = [Buffer.concat(this.#parts)];
    return this.#parts[0] as Buffer;
  }
}

/**
 * Requests to one relay. `node:tls` is loaded only for an https relay, when the first request is
 * made: a `sync` over http does not compile it (decision 68); Node's `http`/`https` clients only
 * for a `keepAlive` client.
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

  /** The certificate authorities an https request trusts: Node's roots, the system's and the private one. */
  #trusted(tls: typeof import('node:tls')): string[] {
    const system = systemCertificates();
    return [...tls.rootCertificates, ...(system ? [system] : []), ...(this.#ca !== undefined ? [this.#ca] : [])];
  }

  #agentFor(): Promise<{ agent: http.Agent; mod: typeof http | typeof https }> {
    this.#agent ??= (async () => {
      const keepAlive = this.#keepAlive;
      let made: { agent: http.Agent; mod: typeof http | typeof https };
      if (this.#https) {
        const [https, tls] = await Promise.all([import('node:https'), import('node:tls')]);
        made = { agent: new https.Agent({ keepAlive, ca: this.#trusted(tls) }), mod: https };
      } else {
        const http = await import('node:http');
        made = { agent: new http.Agent({ keepAlive }), mod: http };
      }
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
    if (!this.#keepAlive) return this.#exchange(method, url, headers, body, opts);
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

  /** One request on a connection of its own, written and read here (see the module's note). */
  async #exchange(method: string, url: URL, headers: Record<string, string>, body: Buffer, opts: { signal?: AbortSignal; timeoutMs?: number }): Promise<TransportAnswer> {
    const lines = [`${method} ${url.pathname}${url.search} HTTP/1.1`, `host: ${url.host}`];
    for (const [name, value] of Object.entries({ ...headers, 'content-length': String(body.length), connection: 'close' })) {
      if (LINE_BREAK.test(name) || LINE_BREAK.test(value)) throw codeError(`the request header ${name} has a line break`, 'ERR_INVALID_CHAR');
      lines.push(`${name}: ${value}`);
    }
    const request = Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const tls = this.#https ? await import('node:tls') : undefined;
    const signal = opts.signal;
    if (signal?.aborted) throw Object.assign(new Error('The operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR' });
    return new Promise((resolve, reject) => {
      const socket = tls
        ? tls.connect({ host, port: Number(url.port || 443), ca: this.#trusted(tls), ...(net.isIP(host) === 0 ? { servername: host } : {}) })
        : net.connect({ host, port: Number(url.port || 80) });
      const bytes = new AnswerBytes();
      let settled = false;
      const settle = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        socket.destroy();
        fn();
      };
      const fail = (e: Error): void => { settle(() => { reject(e); }); };
      const onAbort = (): void => { fail(Object.assign(new Error('The operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR' })); };
      signal?.addEventListener('abort', onAbort, { once: true });
      // The answer is taken once its framing says it is whole (or its connection ended).
      const read = (piece: Buffer | null): void => {
        try {
          if (piece !== null && !bytes.add(piece)) return;
          const answer = parseAnswer(bytes.bytes(), piece === null);
          if (answer) settle(() => { resolve(answer); });
        } catch (e) {
          fail(e as Error);
        }
      };
      socket.on('data', read);
      socket.on('end', () => { read(null); });
      socket.on('error', fail);
      socket.on('close', () => { fail(hangUp()); });
      if (opts.timeoutMs !== undefined) socket.setTimeout(opts.timeoutMs, () => { fail(codeError('the relay did not answer in time', 'ETIMEDOUT')); });
      // Not `end`: a server that sees the request's side closed may drop the request (Node's does).
      socket.write(request);
    });
  }

  /** Close kept-alive connections. */
  close(): void {
    this.#closed = true;
    this.#made?.destroy();
  }
}
