/** `relay serve`'s option parsing in-process: HOST:PORT, --max-body, and the TLS files. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SeeqretError } from '../src/errors.js';
import { parseListen, parseMaxBody, readTls } from '../src/relay/listen.js';
import { tmpdir } from './helpers.js';

const usage = expect.objectContaining({ code: 'E_USAGE' }) as SeeqretError;

describe('relay serve options', () => {
  it('parses HOST:PORT and [IPv6]:PORT, refusing the rest', () => {
    expect(parseListen('127.0.0.1:8787')).toEqual({ host: '127.0.0.1', port: 8787 });
    expect(parseListen('[::1]:443')).toEqual({ host: '::1', port: 443 });
    for (const bad of ['8787', 'host:', 'host:70000', '::1:80']) expect(() => parseListen(bad)).toThrow(usage);
  });
  it('takes a body limit of at least 1024 bytes', () => {
    expect(parseMaxBody(undefined)).toBeUndefined();
    expect(parseMaxBody('2048')).toBe(2048);
    for (const bad of ['1023', '1536.5', 'big']) expect(() => parseMaxBody(bad)).toThrow(usage);
  });
  it('reads both TLS files, or neither', () => {
    const dir = tmpdir();
    const cert = path.join(dir, 'cert.pem');
    fs.writeFileSync(cert, 'CERT');
    expect(readTls({})).toBeUndefined();
    expect(() => readTls({ tlsCert: cert })).toThrow(usage);
    expect(() => readTls({ tlsCert: cert, tlsKey: path.join(dir, 'missing.pem') })).toThrow(expect.objectContaining({ code: 'E_FILE_NOT_FOUND' }) as SeeqretError);
    fs.writeFileSync(path.join(dir, 'key.pem'), 'KEY');
    expect(readTls({ tlsCert: cert, tlsKey: path.join(dir, 'key.pem') })).toEqual({ cert: Buffer.from('CERT'), key: Buffer.from('KEY') });
  });
});
