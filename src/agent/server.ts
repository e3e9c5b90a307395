/**
 * The unlock agent itself: holds one vault's unwrapped key in locked memory (src/crypto/held-key.ts)
 * and hands a copy to commands of the same user over a 0600 Unix socket in a 0700 folder, or runs
 * their `seeqret get` itself with it (decision 64). It ends —
 * removing its socket and zeroing the key, with one log line saying why — on `seeqret lock`, at
 * its timeout, on SIGTERM/SIGINT, and as soon as its vault folder or key file is removed or the
 * key file changes (another key or another passphrase), or its socket or folder stops being private.
 *
 * @module
 */
import fs from 'node:fs';
import net from 'node:net';
import type { HeldKey } from '../crypto/held-key.js';
import { readKeyFile } from '../vault/keyfile.js';
import { vaultFiles } from '../vault/paths.js';
import { type AgentFiles, notPrivate } from './paths.js';
import { type AgentGet, type AgentReply, type AgentRequest, type AgentRun, AGENT_PROTOCOL, LineReader, MAX_RUN_LINE, encodeLine, parseRequest } from './protocol.js';

/** How often the agent looks at its vault and its socket. */
const WATCH_MS = 500;
/** How long one connection may take to send its request. */
const REQUEST_TIMEOUT_MS = 2000;

/** What the agent needs. */
export interface AgentOptions {
  /** The vault folder. */
  readonly vaultDir: string;
  /** The vault's id (from its key file). */
  readonly vaultId: string;
  /** Socket, log and runtime folder. */
  readonly files: AgentFiles;
  /** The unwrapped key-file secret. */
  readonly key: HeldKey;
  /** When to end by itself (unix ms). */
  readonly expiresAt: number;
  /** This process's id (reported by `status`). */
  readonly pid: number;
  /** The user the folder and socket must belong to. */
  readonly uid: number;
  /** One line to the agent's log. */
  readonly log: (line: string) => void;
  /**
   * Run a client's `seeqret get` on the vault with `key` (a copy of the held key, which the run
   * wipes) and return what it printed; without it the agent refuses op `get` (the client then asks
   * for the keys). The CLI gives its get command (src/cli/agent-main.ts).
   */
  readonly runGet?: (get: AgentGet, key: () => Buffer) => Promise<AgentRun>;
}

/** The key file's identity: what must not change while the agent runs. */
function keyFileIdentity(vaultDir: string): string {
  const f = vaultFiles(vaultDir);
  if (!fs.existsSync(f.db)) throw new Error(`the vault ${vaultDir} was removed`);
  const k = readKeyFile(f.key);
  return `${k.vaultId}\0${k.publicKey}\0${k.secret}`;
}

/** A running agent. */
export class AgentServer {
  readonly #o: AgentOptions;
  readonly #server: net.Server;
  readonly #identity: string;
  #watch: NodeJS.Timeout | undefined;
  #expiry: NodeJS.Timeout | undefined;
  #socketIno = -1;
  #done: ((why: string) => void) | undefined;
  /** Settles with the reason once the agent has ended. */
  readonly ended: Promise<string>;

  /** Prepare (not yet listen); throws when the vault is already unusable. */
  constructor(o: AgentOptions) {
    this.#o = o;
    this.#identity = keyFileIdentity(o.vaultDir);
    this.#server = net.createServer((c) => {
      this.#serve(c);
    });
    this.ended = new Promise((resolve) => {
      this.#done = resolve;
    });
  }

  /** Listen on the socket (0600); resolves once commands can reach the agent. */
  async listen(): Promise<void> {
    const { socket } = this.#o.files;
    fs.rmSync(socket, { force: true }); // the caller found no live agent on it
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(socket, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    fs.chmodSync(socket, 0o600);
    this.#socketIno = fs.lstatSync(socket).ino;
    this.#watch = setInterval(() => {
      const why = this.#problem();
      if (why !== undefined) this.stop(why);
    }, WATCH_MS);
    this.#expiry = setTimeout(() => {
      this.stop('timeout reached');
    }, Math.max(0, this.#o.expiresAt - Date.now()));
    this.#o.log(`started for vault ${this.#o.vaultDir} (socket ${socket}), until ${new Date(this.#o.expiresAt).toISOString()}`);
  }

  /** Why the agent must end now, or `undefined`. */
  #problem(): string | undefined {
    let identity: string;
    try {
      identity = keyFileIdentity(this.#o.vaultDir);
    } catch (e) {
      return (e as Error).message.replace(/^the vault key file is missing: .*/, 'the vault key file was removed');
    }
    if (identity !== this.#identity) return 'the vault key file changed (new key or passphrase)';
    const folder = notPrivate(this.#o.files.dir, 'folder', this.#o.uid);
    if (folder !== undefined) return `the agent folder is no longer private: ${folder}`;
    const socket = notPrivate(this.#o.files.socket, 'socket', this.#o.uid);
    if (socket !== undefined) return `the socket is gone or no longer private: ${socket}`;
    return undefined;
  }

  async #reply(req: AgentRequest): Promise<AgentReply> {
    const o = this.#o;
    if (req.vaultId !== o.vaultId) return { v: AGENT_PROTOCOL, ok: false, error: 'this agent serves another vault' };
    const base = { v: AGENT_PROTOCOL, ok: true as const, vaultId: o.vaultId, dir: o.vaultDir, pid: o.pid, expiresAt: o.expiresAt };
    if (req.op !== 'keys' && req.op !== 'get') return base;
    // A get of the vault by another path (a link to its folder) is left to the client, which names
    // the path it was given in its messages.
    if (req.op === 'get' && (req.get?.dir !== o.vaultDir || o.runGet === undefined)) return { v: AGENT_PROTOCOL, ok: false, error: 'not this vault path', retry: 'keys' };
    const why = this.#problem();
    if (why !== undefined || !o.key.held) {
      setImmediate(() => {
        this.stop(why ?? 'the key was released');
      });
      return { v: AGENT_PROTOCOL, ok: false, error: why ?? 'the agent is ending' };
    }
    if (req.op === 'get' && req.get !== undefined && o.runGet !== undefined) {
      const run = await o.runGet(req.get, () => o.key.copy());
      // The reply must fit the client's reader (a value near the 16 MiB cap with many warnings).
      if (run.stdout.length + run.stderr.length > MAX_RUN_LINE - 4096) return { v: AGENT_PROTOCOL, ok: false, error: 'the answer is too long', retry: 'keys' };
      return { ...base, run };
    }
    const secret = o.key.copy();
    try {
      return { ...base, secret: secret.toString('base64') };
    } finally {
      secret.fill(0);
    }
  }

  #serve(c: net.Socket): void {
    const reader = new LineReader();
    c.setTimeout(REQUEST_TIMEOUT_MS, () => c.destroy());
    c.on('error', () => c.destroy());
    c.on('data', (chunk: Buffer) => {
      let line: string | null;
      try {
        line = reader.push(chunk);
      } catch {
        c.destroy();
        return;
      }
      if (line === null) return;
      c.removeAllListeners('data');
      c.setTimeout(0); // running a get may take longer than the request's time
      const req = parseRequest(line);
      void (typeof req === 'string' ? Promise.resolve<AgentReply>({ v: AGENT_PROTOCOL, ok: false, error: req }) : this.#reply(req)).then(
        (reply) => {
          c.end(encodeLine(reply));
          if (typeof req !== 'string' && req.op === 'lock' && reply.ok) {
            c.on('close', () => {
              this.stop('locked (seeqret lock)');
            });
          }
        },
        (e: unknown) => {
          // runGet reports every failure of the get in its output: this is the agent's own.
          this.#o.log(`a request failed: ${e instanceof Error ? e.name : 'error'}`);
          c.end(encodeLine({ v: AGENT_PROTOCOL, ok: false, error: 'the agent failed to answer' }));
        },
      );
    });
  }

  /** End the agent: zero the key, close and remove the socket, log why. Idempotent. */
  stop(why: string): void {
    const done = this.#done;
    if (done === undefined) return;
    this.#done = undefined;
    clearInterval(this.#watch);
    clearTimeout(this.#expiry);
    this.#o.key.release();
    try {
      // Remove the socket only if it is still ours (not one a new agent has put in its place).
      if (fs.lstatSync(this.#o.files.socket).ino === this.#socketIno) fs.rmSync(this.#o.files.socket, { force: true });
    } catch {
      /* already gone */
    }
    this.#server.close();
    this.#o.log(`exiting: ${why}`);
    done(why);
  }
}
