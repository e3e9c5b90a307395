/**
 * The relay over https: `relay serve --tls-cert F --tls-key F` with a certificate the test makes
 * with the `openssl` CLI (signed by a private CA it also makes); clients trust it only with
 * `--ca` (remembered in relay.json), and then create, join, push, sync and watch over https (the
 * relay and the watcher are child processes; the other commands run in-process, cliIn).
 * Skipped, with the reason printed, when `openssl` is missing.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliIn, errorCode, introduce, newVault, tmpdir, vaultValues } from './helpers.js';
import { freePort } from './relay-helpers.js';
import { type Child, relayAt, spawnCli, until } from './relay-watch-helpers.js';

/** Run openssl; the reason it cannot, or undefined. */
function openssl(args: string[], cwd: string): string | undefined {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.error) return `openssl is not available (${(r.error as NodeJS.ErrnoException).code ?? r.error.message})`;
  return r.status === 0 ? undefined : `openssl ${args[0]} failed: ${r.stderr.split('\n')[0]}`;
}

/** A private CA and a certificate for 127.0.0.1 signed by it (PEM files in `dir`). */
function makeCertificates(dir: string): string | undefined {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  fs.writeFileSync(path.join(dir, 'san.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  return (
    openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/CN=seeqret test CA', '-days', '2'], dir) ??
    openssl(['req', ...ec, '-keyout', 'relay.key', '-out', 'relay.csr', '-subj', '/CN=127.0.0.1'], dir) ??
    openssl(['x509', '-req', '-in', 'relay.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'relay.pem', '-days', '2', '-extfile', 'san.cnf'], dir)
  );
}

/** `seeqret ARGS` in-process (cliIn) against the real relay process; throws on failure. */
async function ok(args: string[], vault: string): Promise<string> {
  const r = await cliIn(args, { vault });
  if (r.code !== 0) throw new Error(`seeqret ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

describe('relay over https', () => {
  let skip: string | undefined;
  let relay: (Child & { url: string }) | undefined;
  let dir = '';
  beforeAll(async () => {
    dir = tmpdir();
    skip = makeCertificates(dir);
    if (skip) {
      console.log(`relay tls: skipped: ${skip}`);
      return;
    }
    const f = (n: string): string => path.join(dir, n);
    relay = await relayAt(path.join(dir, 'relay.db'), await freePort(), { tls: { cert: f('relay.pem'), key: f('relay.key'), ca: fs.readFileSync(f('ca.pem'), 'utf8') } });
  }, 120_000);
  afterAll(async () => {
    await relay?.stop();
  });

  it('refuses an untrusted certificate, then works end to end with --ca (push, sync, watch)', async (ctx) => {
    if (!relay) return ctx.skip(skip);
    const url = relay.url;
    expect(url).toMatch(/^https:/);
    const ca = path.join(dir, 'ca.pem');
    const alice = newVault({ user: 'alice' });
    const server = newVault({ user: 'server' });
    introduce(server, alice, { verify: true });
    introduce(alice, server, { verify: true });
    // Not signed by a CA the system trusts: refused, and the fix names --ca.
    const refused = await cliIn(['relay', 'create', url], { vault: alice });
    expect(errorCode(refused)).toBe('E_RELAY_UNREACHABLE');
    expect(refused.stderr).toMatch(/--ca/);
    await ok(['relay', 'create', url, '--ca', ca], alice);
    expect(JSON.parse(fs.readFileSync(path.join(alice, 'relay.json'), 'utf8'))).toMatchObject({ ca });
    await ok(['relay', 'join', url, (await ok(['relay', 'invite', 'server'], alice)).trim(), '--ca', ca], server);
    await ok(['add', 'key', 'TLS_KEY', 'tls-value-1', '--app', 'web', '--env', 'prod'], alice);
    await ok(['push', '--to', 'server', '-f', 'web:prod:'], alice);
    expect(await ok(['relay', 'members'], server)).toMatch(/alice {2}creator/);
    expect((await cliIn(['sync', '--accept'], { vault: server })).stderr).toMatch(/1 envelope loaded/);
    expect(vaultValues(server)['web:prod:TLS_KEY']).toBe('tls-value-1');

    const watcher = spawnCli(['watch', '--overwrite'], server);
    try {
      await until(() => watcher.stderr().includes('watching https://'), 30_000, () => watcher.stderr());
      await ok(['edit', 'value', 'web:prod:TLS_KEY', 'tls-value-2'], alice);
      await ok(['push', '--updates'], alice);
      // The watcher's log line of the load (written after its commit), then the value once.
      await until(() => /envelope \w+: from alice: 1 secret/.test(watcher.stderr()), 30_000, () => watcher.stderr());
      expect(vaultValues(server)['web:prod:TLS_KEY']).toBe('tls-value-2');
    } finally {
      expect(await watcher.stop()).toBe(0);
    }
  }, 180_000);

  it('--tls-cert needs --tls-key, and a key that is not PEM is refused', async (ctx) => {
    if (!relay) return ctx.skip(skip);
    const only = await cliIn(['relay', 'serve', '--database', path.join(dir, 'x.db'), '--listen', '127.0.0.1:1', '--tls-cert', path.join(dir, 'relay.pem')]);
    expect(errorCode(only)).toBe('E_USAGE');
    const bad = await cliIn(['relay', 'serve', '--database', path.join(dir, 'x.db'), '--listen', '127.0.0.1:1', '--tls-cert', path.join(dir, 'relay.pem'), '--tls-key', path.join(dir, 'san.cnf')]);
    expect(errorCode(bad)).toBe('E_USAGE');
  });
});
