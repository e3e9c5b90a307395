/**
 * The unlock agent's wire protocol (version 1): one JSON object per line each way over the Unix
 * socket, one request and one reply per connection.
 *
 * Requests: `{"v":1,"op":"keys"|"status"|"lock","vaultId":"<hex>"}`.
 * Replies: `{"v":1,"ok":true,"vaultId":…,"dir":…,"pid":…,"expiresAt":<unix ms>,"secret"?:"<b64>"}`
 * (`secret`, the key file's unwrapped `identitySecretKey ‖ dataKey`, only for `keys`), or
 * `{"v":1,"ok":false,"error":"<one line>"}`. A request of another version gets an `ok:false`
 * reply naming the versions this agent speaks (docs/agent.md#protocol).
 *
 * @module
 */

/** The protocol version this seeqret speaks. */
export const AGENT_PROTOCOL = 1;

/** The longest line either side accepts (a reply with a key is about 300 bytes). */
export const MAX_LINE = 4096;

/** What a client may ask. */
export type AgentOp = 'keys' | 'status' | 'lock';

/** One request. */
export interface AgentRequest {
  readonly v: number;
  readonly op: AgentOp;
  readonly vaultId: string;
}

/** A successful reply. */
export interface AgentOk {
  readonly v: number;
  readonly ok: true;
  readonly vaultId: string;
  readonly dir: string;
  readonly pid: number;
  /** When the agent ends by itself (unix ms). */
  readonly expiresAt: number;
  /** Base64 of the unwrapped key-file secret (`keys` only). */
  readonly secret?: string;
}

/** A refusal. */
export interface AgentRefusal {
  readonly v: number;
  readonly ok: false;
  readonly error: string;
}

/** Either reply. */
export type AgentReply = AgentOk | AgentRefusal;

/** One line of the protocol. */
export function encodeLine(message: AgentRequest | AgentReply): string {
  return `${JSON.stringify(message)}\n`;
}

function record(line: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(line);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Parse a request line; a string is the reason it was refused. */
export function parseRequest(line: string): AgentRequest | string {
  const r = record(line);
  if (r === undefined) return 'not a JSON object';
  if (r['v'] !== AGENT_PROTOCOL) return `protocol version ${String(r['v'])} is not supported (this agent speaks ${String(AGENT_PROTOCOL)})`;
  const op = r['op'];
  if (op !== 'keys' && op !== 'status' && op !== 'lock') return 'unknown op';
  const vaultId = r['vaultId'];
  if (typeof vaultId !== 'string') return 'no vaultId';
  return { v: AGENT_PROTOCOL, op, vaultId };
}

/** Parse a reply line; `undefined` for anything that is not a version-1 reply. */
export function parseReply(line: string): AgentReply | undefined {
  const r = record(line);
  if (r?.['v'] !== AGENT_PROTOCOL) return undefined;
  if (r['ok'] === false) return { v: AGENT_PROTOCOL, ok: false, error: typeof r['error'] === 'string' ? r['error'] : 'refused' };
  const { vaultId, dir, pid, expiresAt, secret } = r;
  if (r['ok'] !== true || typeof vaultId !== 'string' || typeof dir !== 'string' || typeof pid !== 'number' || typeof expiresAt !== 'number') return undefined;
  if (secret !== undefined && typeof secret !== 'string') return undefined;
  return { v: AGENT_PROTOCOL, ok: true, vaultId, dir, pid, expiresAt, ...(secret !== undefined ? { secret } : {}) };
}

/**
 * Collect one line from a stream of chunks: `push` returns the line once a newline arrives,
 * `null` while more is needed, and throws past {@link MAX_LINE}.
 */
export class LineReader {
  #buf = '';

  /** Add a chunk. */
  push(chunk: Buffer | string): string | null {
    this.#buf += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    const nl = this.#buf.indexOf('\n');
    if (nl >= 0) return this.#buf.slice(0, nl);
    if (this.#buf.length > MAX_LINE) throw new RangeError('line too long');
    return null;
  }
}
