/**
 * `seeqret ui [--port N] [--no-open] [--timeout D]`: open the vault, serve the web UI on
 * 127.0.0.1 until Ctrl-C, SIGTERM, the terminal closing (SIGHUP) or the idle timeout, then close
 * the server and the vault.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { parseTimeout } from '../../../agent/unlock.js';
import { SeeqretError } from '../../../errors.js';
import { startUiServer } from '../../../ui/server.js';
import { io } from '../../cli-io.js';
import { type GlobalOptions, info, openVault, out } from '../../context.js';

/** Options of `seeqret ui`. */
export interface UiOptions {
  /** `--port N`. */
  readonly port?: string;
  /** `--host ADDR`: 127.0.0.1 only. */
  readonly host?: string;
  /** `--no-open`: false. */
  readonly open: boolean;
  /** `--timeout DURATION`: idle timeout. */
  readonly timeout?: string;
}

function parsePort(text: string | undefined): number {
  if (text === undefined) return 0;
  const n = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= 65535)) throw new SeeqretError('E_USAGE', `--port '${text.slice(0, 20)}' is not a port number`, 'Use a number from 1024 to 65535, or leave --port out.');
  return n;
}

/** Open `url` in the browser (xdg-open, or open on macOS), without waiting and without a shell. */
function openBrowser(url: string): void {
  const cmd = process.platform === 'darwin' ? 'open' : 'xdg-open';
  const child = spawn(cmd, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => {
    info(`could not run ${cmd}; open the address above in your browser`);
  });
  child.unref();
}

/** `ui`. */
export async function ui(g: GlobalOptions, o: UiOptions): Promise<number> {
  const port = parsePort(o.port);
  const idleMs = o.timeout === undefined ? undefined : parseTimeout(o.timeout);
  const run = io();
  const vault = await openVault(g);
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  try {
    const server = await startUiServer({
      vault,
      host: o.host,
      port,
      idleMs,
      now: () => run.now(),
      log: g.debug === true ? (line) => void run.stderr.write(`ui: ${line}\n`) : undefined,
      onIdle: () => {
        info('seeqret ui: stopped after the idle timeout');
        stop();
      },
    });
    out(`seeqret ui is serving ${server.origin} (Ctrl-C stops it)`);
    out(`Open: ${server.url}`);
    if (o.open) openBrowser(server.url);
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
    const onSignal = (): void => {
      stop();
    };
    for (const s of signals) run.signals.on(s, onSignal);
    await stopped;
    for (const s of signals) run.signals.off(s, onSignal);
    await server.close();
  } finally {
    vault.close();
  }
  return 0;
}
