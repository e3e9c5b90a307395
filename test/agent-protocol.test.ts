/**
 * The unlock agent's wire protocol (src/agent/protocol.ts), in-process: requests and replies
 * written by `encodeLine` parse back to themselves (op `get` and its `run` included), anything
 * else is refused without throwing, and a line read in chunks split anywhere is the same line.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AgentGet, type AgentReply, type AgentRequest, AGENT_PROTOCOL, LineReader, encodeLine, parseReply, parseRequest } from '../src/agent/protocol.js';

const hex = fc.stringMatching(/^[0-9a-f]{8,64}$/);
const get: fc.Arbitrary<AgentGet> = fc.record(
  { dir: fc.string(), filter: fc.string(), newline: fc.boolean(), debug: fc.boolean(), exitCodes: fc.string() },
  { requiredKeys: ['dir', 'filter', 'newline', 'debug'] },
);
const request: fc.Arbitrary<AgentRequest> = fc.oneof(
  fc.record({ v: fc.constant(AGENT_PROTOCOL), op: fc.constantFrom('keys' as const, 'status' as const, 'lock' as const), vaultId: hex }),
  fc.record({ v: fc.constant(AGENT_PROTOCOL), op: fc.constant('get' as const), vaultId: hex, get }),
);
const b64 = fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('base64'));
const reply: fc.Arbitrary<AgentReply> = fc.oneof(
  fc.record(
    {
      v: fc.constant(AGENT_PROTOCOL),
      ok: fc.constant(true as const),
      vaultId: hex,
      dir: fc.string(),
      pid: fc.nat(),
      expiresAt: fc.nat(),
      secret: b64,
      run: fc.record({ status: fc.integer({ min: 0, max: 255 }), stdout: b64, stderr: b64 }),
    },
    { requiredKeys: ['v', 'ok', 'vaultId', 'dir', 'pid', 'expiresAt'] },
  ),
  fc.record({ v: fc.constant(AGENT_PROTOCOL), ok: fc.constant(false as const), error: fc.string(), retry: fc.constant('keys' as const) }, { requiredKeys: ['v', 'ok', 'error'] }),
);

describe('agent protocol', () => {
  it('a request or reply written by encodeLine parses back to itself', () => {
    fc.assert(
      fc.property(request, (r) => {
        expect(parseRequest(encodeLine(r).slice(0, -1))).toEqual(r);
      }),
    );
    fc.assert(
      fc.property(reply, (r) => {
        expect(parseReply(encodeLine(r).slice(0, -1))).toEqual(r);
      }),
    );
  });

  it('refuses any other line without throwing', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (line) => {
        const q = parseRequest(line);
        if (typeof q !== 'string') expect(['keys', 'status', 'lock', 'get']).toContain(q.op);
        parseReply(line);
      }),
    );
    expect(parseRequest('{"v":1,"op":"get","vaultId":"abcdef01"}')).toBe('no get');
    expect(parseRequest('{"v":1,"op":"get","vaultId":"abcdef01","get":{"dir":"/v","filter":"K","newline":"yes","debug":false}}')).toBe('bad get');
    expect(parseRequest('{"v":1,"op":"sign","vaultId":"abcdef01"}')).toBe('unknown op');
    expect(parseReply('{"v":1,"ok":true,"vaultId":"a","dir":"/","pid":1,"expiresAt":2,"run":{"status":256,"stdout":"","stderr":""}}')).toBeUndefined();
  });

  it('reads the same line whatever the chunks, and refuses one past its limit', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }).map((s) => s.replace(/\n/g, ' ')), fc.array(fc.nat(), { maxLength: 10 }), (text, cuts) => {
        const bytes = Buffer.from(`${text}\nrest`, 'utf8');
        const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const reader = new LineReader();
        let line: string | null = null;
        let from = 0;
        for (const c of [...at, bytes.length]) {
          if (line === null && c > from) line = reader.push(bytes.subarray(from, c));
          from = Math.max(from, c);
        }
        expect(line).toBe(text);
      }),
    );
    const small = new LineReader(10);
    expect(small.push('0123456789')).toBeNull();
    expect(() => small.push('x')).toThrow(RangeError);
  });
});
