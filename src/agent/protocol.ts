/**
 * The unlock agent's wire protocol (version 1): one JSON object per line each way over the Unix
 * socket, one request and one reply per connection.
 *
 * Requests: `{"v":1,"op":"keys"|"status"|"lock","vaultId":"<hex>"}`, and
 * `{"v":1,"op":"get","vaultId":…,"get":{"dir":…,"filter":…,"newline":…,"debug":…,"exitCodes"?:…}}`
 * (the agent runs that `seeqret get` itself, decision 64).
 * Replies: `{"v":1,"ok":true,"vaultId":…,"dir":…,"pid":…,"expiresAt":<unix ms>,"secret"?:"<b64>","run"?:…}`
 * (`secret`, the key file's unwrapped `identitySecretKey ‖ dataKey`, only for `keys`; `run`, the
 * get's exit status and its two outputs in base64, only for `get`), or
 * `{"v":1,"ok":false,"error":"<one line>","retry"?:"keys"}` (`retry`: nothing is wrong, ask for
 * the keys instead). A request of another version gets an `ok:false` reply naming the versions
 * this agent speaks (docs/agent.md#protocol).
 *
 * @module
 */

/** The protocol version this seeqret speaks. */
export const AGENT_PROTOCOL = 1;

/** The longest request line, and reply line but to `get` (a reply with a key is about 300 bytes). */
export const MAX_LINE = 4096;

/** The longest reply to `get`: a value of the largest size seeqret takes (16 MiB) in base64, with room. */
export const MAX_RUN_LINE = 32 * 1024 * 1024;

/** What a client may ask. */
export type AgentOp = 'keys' | 'status' | 'lock' | 'get';

/** The `seeqret get` a client asks the agent to run (op `get`). */
export interface AgentGet {
  /** The vault folder, as the client resolved it (absolute). */
  readonly dir: string;
  /** The filter, as typed. */
  readonly filter: string;
  /** False for `-n`. */
  readonly newline: boolean;
  /** `--debug` or `SEEQRET_DEBUG=1`. */
  readonly debug: boolean;
  /** The client's `SEEQRET_EXIT_CODES`. */
  readonly exitCodes?: string;
}

/** What the agent's run of a `get` printed and returned. */
export interface AgentRun {
  /** The exit status. */
  readonly status: number;
  /** Standard output (the value), base64. */
  readonly stdout: string;
  /** Standard error (warnings, the error line), base64. */
  readonly stderr: string;
}

/** One request. */
export interface AgentRequest {
  readonly v: number;
  readonly op: AgentOp;
  readonly vaultId: string;
  /** Op `get` only. */
  readonly get?: AgentGet;
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
  /** The run of the get (`get` only). */
  readonly run?: AgentRun;
}

/** A refusal. */
export interface AgentRefusal {
  readonly v: number;
  readonly ok: false;
  readonly error: string;
  /** `keys`: this agent does not run this get (another path to the vault, an over-long reply): ask for the keys instead, with no warning. */
  readonly retry?: 'keys';
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
  if (op !== 'keys' && op !== 'status' && op !== 'lock' && op !== 'get') return UNKNOWN_OP;
  const vaultId = r['vaultId'];
  if (typeof vaultId !== 'string') return 'no vaultId';
  if (op !== 'get') return { v: AGENT_PROTOCOL, op, vaultId };
  const g = r['get'];
  if (typeof g !== 'object' || g === null) return 'no get';
  const { dir, filter, newline, debug, exitCodes } = g as Record<string, unknown>;
  if (typeof dir !== 'string' || typeof filter !== 'string' || typeof newline !== 'boolean' || typeof debug !== 'boolean') return 'bad get';
  if (exitCodes !== undefined && typeof exitCodes !== 'string') return 'bad get';
  return { v: AGENT_PROTOCOL, op, vaultId, get: { dir, filter, newline, debug, ...(exitCodes !== undefined ? { exitCodes } : {}) } };
}

/** The refusal of an op the agent does not know (an agent started by an older seeqret, for `get`). */
export const UNKNOWN_OP = 'unknown op';

function parseRun(x: unknown): AgentRun | undefined {
  if (typeof x !== 'object' || x === null) return undefined;
  const { status, stdout, stderr } = x as Record<string, unknown>;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 0 || status > 255 || typeof stdout !== 'string' || typeof stderr !== 'string') return undefined;
  return { status, stdout, stderr };
}

/** Parse a reply line; `undefined` for anything that is not a version-1 reply. */
export function parseReply(line: string): AgentReply | undefined {
  const r = record(line);
  if (r?.['v'] !== AGENT_PROTOCOL) return undefined;
  if (r['ok'] === false) return { v: AGENT_PROTOCOL, ok: false, error: typeof r['error'] === 'string' ? r['error'] : 'refused', ...(r['retry'] === 'keys' ? { retry: 'keys' as const } : {}) };
  const { vaultId, dir, pid, expiresAt, secret } = r;
  if (r['ok'] !== true || typeof vaultId !== 'string' || typeof dir !== 'string' || typeof pid !== 'number' || typeof expiresAt !== 'number') return undefined;
  if (secret !== undefined && typeof secret !== 'string') return undefined;
  const run = r['run'] === undefined ? undefined : parseRun(r['run']);
  if (r['run'] !== undefined && run === undefined) return undefined;
  return { v: AGENT_PROTOCOL, ok: true, vaultId, dir, pid, expiresAt, ...(secret !== undefined ? { secret } : {}), ...(run !== undefined ? { run } : {}) };
}

/**
 * Collect one line from a stream of chunks: `push` returns the line once a newline arrives,
 * `null` while more is needed, and throws past `max` bytes ({@link MAX_LINE} by default). Each
 * chunk is searched once, and the line decoded once, so a long reply costs linear time.
 */
export class LineReader {
  readonly #max: number;
  readonly #chunks: Buffer[] = [];
  #size = 0;

  /** A reader of lines of at most `max` bytes. */
  constructor(max: number = MAX_LINE) {
    this.#max = max;
  }

  /** Add a chunk. */
  push(chunk: Buffer | string): string | null {
    const b = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    const nl = b.indexOf(0x0a);
    const part = nl >= 0 ? b.subarray(0, nl) : b;
    if (this.#size + part.length > this.#max) throw new RangeError('line too long');
    this.#chunks.push(part);
    this.#size += part.length;
    if (nl < 0) return null;
    return Buffer.concat(this.#chunks, this.#size).toString('utf8');
  }
}
