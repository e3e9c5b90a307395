/**
 * Reading and checking a relay request (src/relay/server.ts): the body within a size limit, JSON
 * objects, string fields and query numbers. Every failure is a {@link RelayRefusal} the server
 * answers with, so a malformed request changes nothing.
 *
 * @module
 */
import type http from 'node:http';
import type { SeeqretError } from '../errors.js';
import { RelayRefusal } from './protocol.js';

/** A refusal the server answers with `status` and a one-line error. */
export const refuse = (status: number, code: SeeqretError['code'], message: string, fix: string): RelayRefusal => new RelayRefusal(status, code, message, fix);
/** A malformed request (400). */
export const malformed = (what: string): RelayRefusal => refuse(400, 'E_RELAY_REQUEST', `malformed request: ${what}`, 'Use a seeqret client of the same protocol version (v1).');

/** The request's body, refused (413) past `limit` bytes, declared or sent. */
export function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      reject(refuse(413, 'E_RELAY_TOO_LARGE', `the request body is ${declared} bytes; this relay accepts at most ${limit}`, 'Send fewer secrets per push (several -f filters, several pushes).'));
      return;
    }
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(refuse(413, 'E_RELAY_TOO_LARGE', `the request body is over ${limit} bytes`, 'Send fewer secrets per push (several -f filters, several pushes).'));
        req.destroy();
        return;
      }
      parts.push(c);
    });
    req.on('end', () => {
      resolve(Buffer.concat(parts));
    });
    req.on('error', reject);
  });
}

/** The body as a JSON object (an empty body is `{}`); malformed otherwise. */
export function json(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let o: unknown;
  try {
    o = JSON.parse(body.toString('utf8'));
  } catch {
    throw malformed('the body is not JSON');
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw malformed('the body is not a JSON object');
  return o as Record<string, unknown>;
}

/** A string field of a request object, matching `re` when given; malformed otherwise. */
export function field(o: Record<string, unknown>, name: string, re?: RegExp): string {
  const v = o[name];
  if (typeof v !== 'string' || (re && !re.test(v))) throw malformed(`"${name}" is missing or not well-formed`);
  return v;
}

/** 32 lower-case hex digits (ids). */
export const HEX32 = /^[0-9a-f]{32}$/;

/** A whole number from the query string (`fallback` when absent); malformed outside [0, max]. */
export function queryInt(query: URLSearchParams, name: string, max: number, fallback: number): number {
  const text = query.get(name);
  if (text === null) return fallback;
  const n = /^\d{1,9}$/.test(text) ? Number(text) : NaN;
  if (!(n <= max)) throw malformed(`"${name}" must be a whole number from 0 to ${max}`);
  return n;
}
