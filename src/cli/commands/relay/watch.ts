/**
 * `seeqret watch`: stay connected to the relay and load each envelope as it arrives (servers and
 * long-running machines; docs/relay.md has a systemd unit). One line per envelope on stderr —
 * sender, how many secrets and their names, never a value. SIGTERM or SIGINT stop it between
 * envelopes, exit 0.
 *
 * @module
 */
import { SeeqretError } from '../../../errors.js';
import { abortableSleep, loadedLine, watchRelay } from '../../../relay/watch.js';
import { resolveVaultDir } from '../../../vault/paths.js';
import { Vault } from '../../../vault/vault.js';
import { type GlobalOptions, info, passphraseFor, warn, warnPermissions } from '../../context.js';
import { io } from '../../cli-io.js';
import { settleNewNames } from '../../../sharing/received.js';
import { commandLine } from '../../hints.js';
import { cliNotes } from '../sharing/share.js';
import { joinedClient } from '../../../relay/joined.js';

/** Options of `seeqret watch`. */
export interface WatchOptions {
  readonly overwrite?: boolean;
  readonly accept?: boolean;
  /** `--wait SECONDS`: one long poll's length (default 25). */
  readonly wait: string;
}

const stamp = (): string => new Date().toISOString();

/** `watch [--overwrite] [--accept] [--wait SECONDS]`. */
export async function watch(g: GlobalOptions, _a: unknown[], o: WatchOptions): Promise<number> {
  const wait = Number(o.wait);
  if (!Number.isInteger(wait) || wait < 1 || wait > 55) throw new SeeqretError('E_USAGE', `--wait ${o.wait} is not a number of seconds from 1 to 55`, 'Use e.g. --wait 25 (below the timeouts of proxies in front of the relay).');
  const dir = resolveVaultDir(g.vault);
  warnPermissions(dir);
  // Asked once: the vault is opened again for each batch of envelopes.
  const probe = Vault.probe(dir);
  const passphrase = probe.exists && probe.passphraseProtected ? await passphraseFor(g, 'Vault passphrase') : undefined;
  const openVault = (): Vault => Vault.open({ dir, ...(passphrase ? { passphrase } : {}) });
  // Fails now, not at the first envelope, when the vault cannot be opened or joined no relay.
  const first = openVault();
  let who: string;
  try {
    who = first.owner().username;
    (await joinedClient(first)).close();
  } finally {
    first.close();
  }
  const stop = new AbortController();
  const onSignal = (): void => {
    stop.abort();
  };
  io().signals.on('SIGTERM', onSignal);
  io().signals.on('SIGINT', onSignal);
  try {
    const summary = await watchRelay({
      openVault,
      connect: async () => {
        const v = openVault();
        try {
          return await joinedClient(v, { keepAlive: true });
        } finally {
          v.close();
        }
      },
      overwrite: o.overwrite === true,
      accept: o.accept === true,
      waitMs: wait * 1000,
      backoff: { firstMs: 500, maxMs: 60_000 },
      random: Math.random,
      signal: stop.signal,
      sleep: abortableSleep,
      connected: (c) => {
        info(`${stamp()} watching ${c.url} as ${who} (key id ${c.keyId})`);
      },
      retrying: (e, ms, attempt) => {
        warn(`${stamp()} ${e.code}: ${e.message}; trying again in ${(ms / 1000).toFixed(1)} s (attempt ${attempt})`);
      },
      each: async (v, x, e) => {
        const prefix = `${stamp()} envelope ${x.envelopeId}: `;
        if (x.kind === 'loaded') {
          info(`${prefix}${loadedLine(x.result)}`);
          await settleNewNames(v, x.result, { accept: o.accept === true, prefix }, cliNotes, (...words) => commandLine(g, ...words));
        } else if (x.kind === 'replay') info(`${prefix}from key ${e.from}: already loaded; acknowledged`);
        else warn(`${prefix}from key ${e.from}: not loaded, left on the relay: ${x.error.code}: ${x.error.message} (to dispose of it: seeqret relay reject ${x.envelopeId})`);
      },
    });
    info(`${stamp()} stopped: ${summary.loaded} envelope${summary.loaded === 1 ? '' : 's'} loaded${summary.refused ? `, ${summary.refused} refused (left on the relay)` : ''}`);
    return 0;
  } finally {
    io().signals.off('SIGTERM', onSignal);
    io().signals.off('SIGINT', onSignal);
  }
}
