/**
 * The web UI's HTTP server (`seeqret ui`, docs/ui.md, decision 63): Node's `http` on 127.0.0.1
 * only. Every request has its Host checked (the UI's own address, so DNS rebinding is refused),
 * its Origin when it has one (always for a POST), and its local address; every request for data
 * carries the launch's random token in the `X-Seeqret-Token` header (the page reads it from the URL
 * fragment, which no request carries). Answers are `Cache-Control: no-store` with a strict
 * Content-Security-Policy (scripts and styles from this server only, nothing inline). A value is
 * only sent for an explicit POST, recorded in the audit log as `get` records it. The server stops
 * after `idleMs` without a request (`onIdle`).
 *
 * @module
 */
import { constantTimeEqual, randomBytes } from '../crypto/index.js';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SeeqretError, isSeeqretError } from '../errors.js';
import type { Vault } from '../vault/vault.js';
import { APP_CSS, APP_JS, shellPage } from './assets.js';
import { type ActionResult, runAction, renderView } from './views.js';

/** The header the page sends the token in. */
export const TOKEN_HEADER = 'x-seeqret-token';

/** The only address the UI listens on. */
export const UI_HOST = '127.0.0.1';

/** The Content-Security-Policy of every answer. */
export const UI_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const MAX_BODY = 1 << 20;

/** Options of {@link startUiServer}. */
export interface UiServerOptions {
  /** The open vault the UI works on (the server does not close it). */
  readonly vault: Vault;
  /** The address to listen on: only 127.0.0.1 (`E_UI_ADDRESS` otherwise). */
  readonly host?: string | undefined;
  /** The port (0 or absent: a free one). */
  readonly port?: number | undefined;
  /** Stop after this long without a request (ms; default 15 minutes). */
  readonly idleMs?: number | undefined;
  /** How long the page shows a revealed value (ms; default 10 s). */
  readonly revealMs?: number | undefined;
  /** The clock (unix ms). */
  readonly now?: (() => number) | undefined;
  /** One line per request: method, path (never a query or a fragment), status. */
  readonly log?: ((line: string) => void) | undefined;
  /** Called once when the idle timeout ends the server. */
  readonly onIdle?: (() => void) | undefined;
  /** The launch's token (tests); default 32 random bytes, base64url. */
  readonly token?: string | undefined;
}

/** A running UI server. */
export interface UiServer {
  /** The port it listens on. */
  readonly port: number;
  /** `http://127.0.0.1:PORT`. */
  readonly origin: string;
  /** The launch's token. */
  readonly token: string;
  /** The address to open: the origin with the token in the fragment. */
  readonly url: string;
  /** Stop accepting, end the open connections. Idempotent. */
  close(): Promise<void>;
}

/** Refuse an address other than 127.0.0.1 (`E_UI_ADDRESS`). */
export function checkUiHost(host: string): string {
  if (host !== UI_HOST) {
    throw new SeeqretError('E_UI_ADDRESS', `the UI listens on 127.0.0.1 only, not on '${host.slice(0, 60)}'`, 'Leave out --host: the UI is for a browser on this machine.');
  }
  return host;
}

function refused(why: string): SeeqretError {
  return new SeeqretError('E_UI_REFUSED', why, 'Open the address `seeqret ui` printed, in a browser on this machine.');
}

function sameToken(given: string | string[] | undefined, token: Buffer): boolean {
  if (typeof given !== 'string') return false;
  const b = Buffer.from(given);
  return constantTimeEqual(b, token);
}

const LOOPBACK = new Set(['127.0.0.1', '::ffff:127.0.0.1']);

/** Start the UI server on 127.0.0.1. */
export async function startUiServer(o: UiServerOptions): Promise<UiServer> {
  const host = checkUiHost(o.host ?? UI_HOST);
  const now = o.now ?? Date.now;
  const token = o.token ?? randomBytes(32).toString('base64url');
  const tokenBytes = Buffer.from(token);
  const revealMs = o.revealMs ?? 10_000;
  const idleMs = o.idleMs ?? 15 * 60_000;
  let port = 0;
  let idle: NodeJS.Timeout | undefined;
  let closed = false;
  const touch = (): void => {
    if (idle) clearTimeout(idle);
    idle = setTimeout(() => {
      void close().then(() => o.onIdle?.());
    }, idleMs);
    idle.unref();
  };

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split(/[?#]/, 1)[0] ?? '/';
    const send = (status: number, type: string, body: string | Buffer): void => {
      res.writeHead(status, {
        'Content-Type': type,
        'Content-Length': Buffer.byteLength(body),
        'Cache-Control': 'no-store',
        Pragma: 'no-cache',
        'Content-Security-Policy': UI_CSP,
        'X-Content-Type-Options': 'nosniff',
        'X-Frame-Options': 'DENY',
        'Referrer-Policy': 'no-referrer',
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Resource-Policy': 'same-origin',
      });
      res.end(body);
      o.log?.(`${req.method ?? '?'} ${path.slice(0, 100)} ${status}`);
    };
    const sendError = (status: number, e: SeeqretError): void => {
      send(status, 'application/json; charset=utf-8', JSON.stringify({ code: e.code, message: e.message, fix: e.fix }));
    };
    try {
      const origins = [`http://${UI_HOST}:${port}`, `http://localhost:${port}`];
      if (!LOOPBACK.has(req.socket.localAddress ?? '')) throw refused('the request did not arrive on 127.0.0.1');
      if (!origins.includes(`http://${req.headers.host ?? ''}`)) throw refused('the request names another host');
      const origin = req.headers.origin;
      if (origin !== undefined && !origins.includes(origin)) throw refused('the request comes from another site');
      const method = req.method ?? 'GET';
      if (method === 'GET' && !path.startsWith('/api/')) {
        if (path === '/') {
          send(200, 'text/html; charset=utf-8', shellPage());
          return;
        }
        if (path === '/app.js') {
          send(200, 'text/javascript; charset=utf-8', APP_JS);
          return;
        }
        if (path === '/favicon.ico') {
          send(204, 'image/x-icon', '');
          return;
        }
        if (path === '/app.css') {
          send(200, 'text/css; charset=utf-8', APP_CSS);
          return;
        }
        sendError(404, new SeeqretError('E_NOT_FOUND', 'no such page', 'Use the links of the UI.'));
        return;
      }
      if (!sameToken(req.headers[TOKEN_HEADER], tokenBytes)) throw refused('the request does not carry the token of this launch');
      if (method === 'POST' && origin === undefined) throw refused('a change needs the Origin of the UI');
      touch();
      const query = new URL(req.url ?? '/', `http://${UI_HOST}`).searchParams;
      if (method === 'GET' && path === '/api/view') {
        send(200, 'text/html; charset=utf-8', renderView(o.vault, query, now()));
        return;
      }
      if (method !== 'POST') {
        sendError(405, new SeeqretError('E_USAGE', 'method not allowed', 'Use the UI.'));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= MAX_BODY) chunks.push(c);
      });
      req.on('end', () => {
        void (async () => {
          try {
            if (size > MAX_BODY) {
              sendError(413, new SeeqretError('E_TOO_LARGE', 'the request is too large', 'Send less at once.'));
              return;
            }
            let body: unknown;
            try {
              body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
            } catch {
              throw new SeeqretError('E_USAGE', 'the request is not JSON', 'Use the UI.');
            }
            if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new SeeqretError('E_USAGE', 'the request is not a JSON object', 'Use the UI.');
            const fields = new Map<string, string>();
            for (const [k, v] of Object.entries(body)) if (typeof v === 'string') fields.set(k, v);
            const name = path.startsWith('/api/action/') ? path.slice('/api/action/'.length) : '';
            const r: ActionResult = await runAction(o.vault, name, fields);
            send(200, 'application/json; charset=utf-8', JSON.stringify(r.value === undefined ? r : { ...r, hideMs: revealMs }));
          } catch (e) {
            if (isSeeqretError(e)) sendError(e.code === 'E_UI_REFUSED' ? 403 : 400, e);
            else sendError(500, new SeeqretError('E_INTERNAL', 'the request failed', 'Run the command in the CLI with --debug and report it.'));
          }
        })();
      });
    } catch (e) {
      if (isSeeqretError(e)) sendError(e.code === 'E_UI_REFUSED' ? 403 : 400, e);
      else sendError(500, new SeeqretError('E_INTERNAL', 'the request failed', 'Run the command in the CLI with --debug and report it.'));
    }
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    if (idle) clearTimeout(idle);
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
      server.closeAllConnections();
    });
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      reject(new SeeqretError('E_UI_ADDRESS', `cannot listen on ${host}:${o.port ?? 0} (${e.code ?? 'error'})`, 'Choose a free port with --port N, or leave it out.'));
    });
    server.listen(o.port ?? 0, host, () => {
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  touch();
  const originText = `http://${host}:${port}`;
  return { port, origin: originText, token, url: `${originText}/#token=${token}`, close };
}
