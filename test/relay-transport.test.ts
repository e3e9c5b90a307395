/**
 * The one-shot transport of `sync` and `push` (src/relay/transport.ts, decision 88): each request
 * is written and its answer read over `node:net` (`node:tls` for https) instead of Node's HTTP
 * client. The answer's parser against fixed texts and against a model (fast-check, every way an
 * answer can be cut into pieces), and real exchanges with Node's own HTTP server: answers with a
 * length, chunked, ended by the connection, a connection kept open after a whole answer, a
 * connection cut before the answer is whole, silence, an aborted request.
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { Transport, parseAnswer } from '../src/relay/transport.js';

const raw = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('parseAnswer', () => {
  it('reads the status and a body framed by its length, chunked, or by the end of the connection', () => {
    expect(parseAnswer(raw('HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n{"a":1}'), false)).toEqual({ status: 200, text: '{"a":1}' });
    expect(parseAnswer(raw('HTTP/1.1 404 Not Found\r\ntransfer-encoding: chunked\r\n\r\n3\r\n{"a\r\n4;x=y\r\n":1}\r\n0\r\n\r\n'), false)).toEqual({ status: 404, text: '{"a":1}' });
    expect(parseAnswer(raw('HTTP/1.0 503 Busy\r\nX: y\r\n\r\nbye'), true)).toEqual({ status: 503, text: 'bye' });
    expect(parseAnswer(raw('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n\xc3\xa9'), false)).toEqual({ status: 200, text: 'é' });
  });

  it('waits for more while the answer is incomplete, and calls a connection that ended then a hang-up', () => {
    for (const cut of ['HTTP/1.1 200 OK\r\nContent-Le', 'HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n{"a"', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n{"a\r\n', 'HTTP/1.1 200 OK\r\n\r\nno length']) {
      expect(parseAnswer(raw(cut), false)).toBeUndefined();
      if (!cut.endsWith('no length')) expect(() => parseAnswer(raw(cut), true)).toThrow(expect.objectContaining({ code: 'ECONNRESET' }) as Error);
    }
  });

  it('refuses what is not HTTP with a parser code', () => {
    expect(() => parseAnswer(raw('SSH-2.0-OpenSSH\r\n\r\n'), true)).toThrow(expect.objectContaining({ code: 'HPE_INVALID_CONSTANT' }) as Error);
    expect(() => parseAnswer(raw('HTTP/1.1 200 OK\r\nno colon\r\n\r\n'), true)).toThrow(expect.objectContaining({ code: 'HPE_INVALID_HEADER_TOKEN' }) as Error);
    expect(() => parseAnswer(raw('HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n'), true)).toThrow(expect.objectContaining({ code: 'HPE_INVALID_CONTENT_LENGTH' }) as Error);
    expect(() => parseAnswer(raw('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'), true)).toThrow(expect.objectContaining({ code: 'HPE_INVALID_CHUNK_SIZE' }) as Error);
  });

  it('refuses a head over 16 KiB, whole or still coming, as the HTTP client of Node does', () => {
    const long = `HTTP/1.1 200 OK\r\nX: ${'a'.repeat(16 * 1024)}`;
    expect(() => parseAnswer(raw(long), false)).toThrow(expect.objectContaining({ code: 'HPE_HEADER_OVERFLOW' }) as Error);
    expect(() => parseAnswer(raw(`${long}\r\nContent-Length: 0\r\n\r\n`), false)).toThrow(expect.objectContaining({ code: 'HPE_HEADER_OVERFLOW' }) as Error);
    const fits = `HTTP/1.1 200 OK\r\nX: ${'a'.repeat(16_000)}\r\nContent-Length: 2\r\n\r\nok`;
    expect(parseAnswer(raw(fits), false)).toEqual({ status: 200, text: 'ok' });
  });

  it('gives the body that was sent, however it is framed and cut into pieces (fast-check)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.integer({ min: 100, max: 599 }), fc.constantFrom('length', 'chunked', 'end'), fc.array(fc.nat(), { maxLength: 8 }), (text, status, how, cuts) => {
        const body = Buffer.from(text, 'utf8');
        let bytes: Buffer;
        if (how === 'length') bytes = Buffer.concat([raw(`HTTP/1.1 ${status} X\r\nContent-Length: ${body.length}\r\n\r\n`), body]);
        else if (how === 'end') bytes = Buffer.concat([raw(`HTTP/1.1 ${status} X\r\n\r\n`), body]);
        else {
          const chunks: Buffer[] = [raw(`HTTP/1.1 ${status} X\r\nTransfer-Encoding: chunked\r\n\r\n`)];
          for (let at = 0, i = 0; at < body.length; i++) {
            const n = Math.max(1, Math.min(body.length - at, (cuts[i % Math.max(1, cuts.length)] ?? 7) % 50));
            chunks.push(raw(`${n.toString(16)}\r\n`), body.subarray(at, at + n), raw('\r\n'));
            at += n;
          }
          chunks.push(raw('0\r\n\r\n'));
          bytes = Buffer.concat(chunks);
        }
        // Every prefix is incomplete (or, without a length, not yet known to be whole) until the connection ends.
        for (const c of cuts) {
          const at = c % bytes.length;
          if (at > 0) expect(parseAnswer(bytes.subarray(0, at), false)).toBeUndefined();
        }
        const whole = parseAnswer(bytes, how === 'end');
        expect(whole).toEqual({ status, text });
      }),
    );
  });
});

describe('Transport (one connection a request) with a real server', () => {
  const servers: Array<http.Server | net.Server> = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });
  const listen = async (s: http.Server | net.Server): Promise<string> => {
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => { r(); }));
    return `http://127.0.0.1:${String((s.address() as AddressInfo).port)}`;
  };

  it('sends the method, path, headers and body, and reads answers with a length and chunked (Node http server)', async () => {
    const seen: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }> = [];
    const url = await listen(
      http.createServer((req, res) => {
        const parts: Buffer[] = [];
        req.on('data', (c: Buffer) => parts.push(c));
        req.on('end', () => {
          const body = Buffer.concat(parts).toString('utf8');
          seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
          // After a pause (an answer that comes later than the request's end).
          setTimeout(() => {
            if (req.url?.startsWith('/chunked')) {
              res.writeHead(201, { 'content-type': 'application/json' });
              res.write('{"echo":');
              res.write(JSON.stringify(body));
              res.end('}');
            } else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ echo: body, big: 'x'.repeat(300_000) }));
          }, 20);
        });
      }),
    );
    const t = new Transport(url);
    const a = await t.request('POST', new URL('/v1/thing?after=3', url), { 'content-type': 'application/json', 'x-seeqret-key': 'abc' }, Buffer.from('{"é":1}', 'utf8'), { timeoutMs: 5000 });
    expect(a.status).toBe(200);
    expect(JSON.parse(a.text)).toEqual({ echo: '{"é":1}', big: 'x'.repeat(300_000) });
    const b = await t.request('GET', new URL('/chunked', url), {}, Buffer.alloc(0));
    expect(b).toEqual({ status: 201, text: '{"echo":""}' });
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/v1/thing?after=3', body: '{"é":1}' });
    expect(seen[0]?.headers).toMatchObject({ 'content-type': 'application/json', 'x-seeqret-key': 'abc', 'content-length': '8', connection: 'close' });
    expect(seen[1]?.headers['transfer-encoding']).toBeUndefined();
  });

  it('takes a whole answer without waiting for a connection kept open, and reports one cut short, silence and an abort', async () => {
    const url = await listen(
      net.createServer((socket) => {
        socket.once('data', (d: Buffer) => {
          const path = d.toString('latin1').split(' ')[1];
          if (path === '/kept') socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok'); // and never closed
          else if (path === '/cut') socket.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort');
          else if (path === '/garbage') socket.end('hello\r\n\r\n');
          else if (path === '/endless') {
            // A head that never ends, a piece at a time: refused once it passes 16 KiB, not read on.
            socket.write('HTTP/1.1 200 OK\r\n');
            const more = setInterval(() => { if (!socket.destroyed) socket.write(`X: ${'b'.repeat(1000)}\r\n`); }, 1);
            socket.on('close', () => { clearInterval(more); });
          }
          // '/silent': nothing at all
        });
        socket.on('error', () => undefined);
      }),
    );
    const t = new Transport(url);
    await expect(t.request('GET', new URL('/kept', url), {}, Buffer.alloc(0), { timeoutMs: 5000 })).resolves.toEqual({ status: 200, text: 'ok' });
    await expect(t.request('GET', new URL('/cut', url), {}, Buffer.alloc(0))).rejects.toMatchObject({ code: 'ECONNRESET' });
    await expect(t.request('GET', new URL('/garbage', url), {}, Buffer.alloc(0))).rejects.toMatchObject({ code: 'HPE_INVALID_CONSTANT' });
    await expect(t.request('GET', new URL('/endless', url), {}, Buffer.alloc(0), { timeoutMs: 5000 })).rejects.toMatchObject({ code: 'HPE_HEADER_OVERFLOW' });
    await expect(t.request('GET', new URL('/silent', url), {}, Buffer.alloc(0), { timeoutMs: 200 })).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    const ac = new AbortController();
    const pending = t.request('GET', new URL('/silent', url), {}, Buffer.alloc(0), { signal: ac.signal, timeoutMs: 5000 });
    setTimeout(() => { ac.abort(); }, 50);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await expect(t.request('GET', new URL('/silent', url), {}, Buffer.alloc(0), { signal: ac.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('reports a refused connection with its code, and refuses a header with a line break before connecting', async () => {
    const free = await listen(net.createServer());
    await new Promise((r) => (servers.pop() as net.Server).close(r));
    const t = new Transport(free);
    await expect(t.request('GET', new URL('/v1/info', free), {}, Buffer.alloc(0))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await expect(t.request('GET', new URL('/v1/info', free), { 'x-a': 'b\r\nx-b: c' }, Buffer.alloc(0))).rejects.toMatchObject({ code: 'ERR_INVALID_CHAR' });
  });
});
