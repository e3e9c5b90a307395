// seeqret benchmarks: `npm run bench`. Writes docs/benchmarks.md.
// BENCH_ONLY=team (or vault, sharing; comma-separated) runs only those sections and prints the
// rows without writing docs/benchmarks.md.
// Goals (issue 3): library get >= 300,000 calls/s after open (10,000 secrets); `seeqret get KEY`
// <= 1.5 x `node -e 0` (median of 10); importenv of 10,000 lines < 1 s; list -f over 100,000
// secrets < 1 s; env with 1,000 keys < 0.5 s.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'dist', 'bin', 'seeqret.js');
const { Vault } = await import(path.join(ROOT, 'dist', 'index.js'));
const { generateIdentity } = await import(path.join(ROOT, 'dist', 'crypto', 'index.js'));

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'seeqret-bench-'));
const env = { ...process.env, NO_COLOR: '1' };
for (const k of Object.keys(env)) if (k.startsWith('SEEQRET')) delete env[k];

function time(cmd, args, opts = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, encoding: 'utf8', maxBuffer: 1 << 30, ...opts });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return ms;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const runs = (n, fn) => Array.from({ length: n }, fn);
function makeVault(name, n, shape) {
  const dir = path.join(scratch, name);
  const v = Vault.create({ dir, username: 'bench', email: 'bench@example.com' });
  const batch = [];
  for (let i = 0; i < n; i++) batch.push(shape(i));
  v.setMany(batch);
  v.close();
  return dir;
}
const results = [];
const row = (what, value, goal, pass) => {
  results.push({ what, value, goal, pass });
  console.log(`${pass ? 'PASS' : 'FAIL'}  ${what}: ${value}  (goal ${goal})`);
};

// Baseline
for (let i = 0; i < 3; i++) time(process.execPath, ['-e', '0']); // warm the page cache
const base = median(runs(10, () => time(process.execPath, ['-e', '0'])));
console.log(`node -e 0: ${base.toFixed(1)} ms`);
const ONLY = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',') : null;
const want = (section) => !ONLY || ONLY.includes(section);
let baseline = base;
const hr = () => process.hrtime.bigint();
const since = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

if (want('vault')) {

// 10,000-secret vault
const v10k = makeVault('v10k', 10_000, (i) => ({ app: `app${i % 10}`, env: i % 2 ? 'dev' : 'prod', key: `KEY_${i}`, value: `value-${i}-${'x'.repeat(24)}` }));

// seeqret get KEY (CLI)
for (let i = 0; i < 3; i++) time(process.execPath, [BIN, '--vault', v10k, 'get', 'KEY_4242']);
const cliGet = median(runs(10, () => time(process.execPath, [BIN, '--vault', v10k, 'get', 'KEY_4242'])));
const base2 = median(runs(10, () => time(process.execPath, ['-e', '0'])));
baseline = Math.min(base, base2);
row('`seeqret get KEY` wall time, median of 10 (10,000 secrets)', `${cliGet.toFixed(1)} ms = ${(cliGet / baseline).toFixed(2)} x node -e 0`, '<= 1.5 x', cliGet / baseline <= 1.5);

// Library get
{
  const t0 = process.hrtime.bigint();
  const v = Vault.open({ dir: v10k, readonly: true });
  v.get('KEY_0', { app: 'app0', env: 'prod' }); // builds the index
  const openMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const keys = Array.from({ length: 10_000 }, (_, i) => [`KEY_${i}`, { app: `app${i % 10}`, env: i % 2 ? 'dev' : 'prod' }]);
  const N = 1_000_000;
  for (let i = 0; i < 100_000; i++) v.get(...keys[i % 10_000]);
  const t1 = process.hrtime.bigint();
  let len = 0;
  for (let i = 0; i < N; i++) len += v.get(...keys[i % 10_000]).length;
  const s = Number(process.hrtime.bigint() - t1) / 1e9;
  v.close();
  const rate = N / s;
  row('library `get` after open (10,000 secrets, random keys with app+env)', `${Math.round(rate).toLocaleString('en-US')} calls/s (${((s / N) * 1e6).toFixed(2)} µs/call; open + index ${openMs.toFixed(1)} ms)`, '>= 300,000 calls/s', rate >= 300_000 && len > 0);
}

// importenv of a 10,000-line file
{
  const dir = makeVault('imp', 0, () => ({}));
  const file = path.join(scratch, 'big.env');
  fs.writeFileSync(file, Array.from({ length: 10_000 }, (_, i) => `IMPORT_${i}="value ${i} with \\"quotes\\" and spaces"`).join('\n') + '\n');
  const ms = time(process.execPath, [BIN, '--vault', dir, 'importenv', file, '--env', 'dev']);
  row('`seeqret importenv` of a 10,000-line file (whole process)', `${ms.toFixed(0)} ms`, '< 1,000 ms', ms < 1000);
}

// list -f over 100,000 secrets
{
  const dir = makeVault('v100k', 100_000, (i) => ({ app: `app${i % 100}`, env: ['dev', 'test', 'prod'][i % 3], key: `KEY_${i}`, value: `v${i}` }));
  time(process.execPath, [BIN, '--vault', dir, 'list', '-f', 'app1*:dev:KEY_1*', '--format', 'json']);
  const ms = median(runs(5, () => time(process.execPath, [BIN, '--vault', dir, 'list', '-f', 'app1*:dev:KEY_1*', '--format', 'json'])));
  const msAll = median(runs(3, () => time(process.execPath, [BIN, '--vault', dir, 'list', '-f', ':dev:', '--format', 'json'])));
  row('`seeqret list -f app1*:dev:KEY_1*` over 100,000 secrets (median of 5)', `${ms.toFixed(0)} ms`, '< 1,000 ms', ms < 1000);
  row('`seeqret list -f :dev:` over 100,000 secrets, 33,334 rows printed (median of 3)', `${msAll.toFixed(0)} ms`, '< 1,000 ms', msAll < 1000);
}

// env with 1,000 keys
{
  const dir = makeVault('env1k', 1000, (i) => ({ app: 'web', env: 'dev', key: `VAR_${i}`, value: `value "${i}" $x\nline2` }));
  const cwd = path.join(scratch, 'proj');
  fs.mkdirSync(cwd);
  fs.writeFileSync(path.join(cwd, 'env.template'), 'web:dev:\n');
  time(process.execPath, [BIN, '--vault', dir, 'env'], { cwd });
  const ms = median(runs(5, () => time(process.execPath, [BIN, '--vault', dir, 'env'], { cwd })));
  row('`seeqret env` with 1,000 keys (median of 5)', `${ms.toFixed(0)} ms`, '< 500 ms', ms < 500);
}

}

// Sharing: export 1,000 secrets to 10 recipients; load a 10,000-secret bundle.
if (want('sharing')) {
{
  const dir = makeVault('share', 1000, (i) => ({ app: 'web', env: 'prod', key: `SECRET_${i}`, value: `value-${i}-${'s'.repeat(30)}` }));
  const v = Vault.open({ dir });
  for (let i = 0; i < 10; i++) v.addUser({ username: `dev${i}`, email: `dev${i}@example.com`, publicKey: generateIdentity().publicKey });
  v.close();
  const out = path.join(scratch, 'exp', 'b.json');
  fs.mkdirSync(path.dirname(out));
  time(process.execPath, [BIN, '--vault', dir, 'export', '--to', 'all', '-f', 'web:prod:', '-o', out]);
  const ms = median(runs(5, () => time(process.execPath, [BIN, '--vault', dir, 'export', '--to', 'all', '-f', 'web:prod:', '-o', out])));
  row('`seeqret export` of 1,000 secrets to 10 recipients (whole process, median of 5)', `${ms.toFixed(0)} ms`, '< 1,000 ms', ms < 1000);
}
{
  const sender = makeVault('sender', 10_000, (i) => ({ app: `app${i % 10}`, env: 'prod', key: `K_${i}`, value: `value-${i}-${'v'.repeat(30)}` }));
  const recipients = Array.from({ length: 6 }, (_, i) => makeVault(`recv${i}`, 0, () => ({})));
  const s = Vault.open({ dir: sender });
  const senderKey = s.publicKey;
  recipients.forEach((r, i) => {
    const rv = Vault.open({ dir: r });
    rv.addUser({ username: 'sender', publicKey: senderKey });
    s.addUser({ username: `r${i}`, publicKey: rv.publicKey });
    rv.close();
  });
  s.close();
  const bundles = recipients.map((_, i) => {
    const file = path.join(scratch, `big-${i}.json`);
    time(process.execPath, [BIN, '--vault', sender, 'export', '--to', `r${i}`, '-f', '::', '-o', file]);
    return file;
  });
  const ms = median(recipients.slice(1).map((r, i) => time(process.execPath, [BIN, '--vault', r, 'load', '-f', bundles[i + 1]])));
  time(process.execPath, [BIN, '--vault', recipients[0], 'load', '-f', bundles[0]]);
  row('`seeqret load` of a 10,000-secret bundle into an empty vault (whole process, median of 5)', `${ms.toFixed(0)} ms`, '< 1,000 ms', ms < 1000);
}
}

// Team store (protected.yaml): the KDF cost of each key type, then decrypting a domain of 1,000
// secrets beyond it (goal: < 0.2 s), and a one-secret change to that file.
if (want('team')) {
  const { TeamFile, HARD_COST, FAST_COST, newRawPassphrase } = await import(path.join(ROOT, 'dist', 'team', 'index.js'));
  const { deriveCustodianSecretKey } = await import(path.join(ROOT, 'dist', 'crypto', 'team.js'));
  const salt = Buffer.alloc(8, 7);
  const kdf = (cost, n) => median(runs(n, () => {
    const t0 = hr();
    deriveCustodianSecretKey('correct horse battery staple', salt, 'bench@example.com', cost);
    return since(t0);
  }));
  const kdfHard = kdf(HARD_COST, 5);
  const kdfFast = kdf(FAST_COST, 9);
  const kdfRaw = kdf('raw', 1001);
  row('team custodian key derivation, the deliberate KDF cost (median)', `hard (Argon2id 4 passes × 256 MiB) ${kdfHard.toFixed(0)} ms; fast (2 × 64 MiB) ${kdfFast.toFixed(0)} ms; raw (SHA-512 only) ${(kdfRaw * 1000).toFixed(1)} µs`, 'reported', true);

  const dir = path.join(scratch, 'team');
  fs.mkdirSync(dir);
  const file = path.join(dir, 'protected.yaml');
  const rawKey = newRawPassphrase();
  let tf = TeamFile.create(file).addCustodian('raw@example.com', rawKey, 'raw').addCustodian('fast@example.com', 'bench passphrase', 'fast');
  const raw = tf.unlock({ name: 'raw@example.com', passphrase: rawKey });
  tf = tf.addDomain('prod', raw).addOwner('prod', 'fast@example.com', raw);
  tf = tf.setSecrets('prod', Array.from({ length: 1000 }, (_, i) => ({ name: `SECRET_${i}`, value: `value-${i}-${'s'.repeat(30)}` })));
  tf.write();
  const lib = median(runs(11, () => {
    const t0 = hr();
    const f = TeamFile.open(file);
    const n = f.decryptDomain('prod', f.unlock({ name: 'raw@example.com', passphrase: rawKey })).size;
    if (n !== 1000) throw new Error('team bench: wrong count');
    return since(t0);
  }));
  row('team: open a file and decrypt a domain of 1,000 secrets, library, raw custodian (no KDF), median of 11', `${lib.toFixed(0)} ms`, '< 200 ms', lib < 200);
  const rawEnv = { ...env, SEEQRET_TEAM_USER: 'raw@example.com', SEEQRET_TEAM_PASSPHRASE: rawKey };
  const fastEnv = { ...env, SEEQRET_TEAM_USER: 'fast@example.com', SEEQRET_TEAM_PASSPHRASE: 'bench passphrase' };
  const decrypt = [BIN, 'team', '--file', file, 'decrypt', 'prod'];
  time(process.execPath, decrypt, { env: rawEnv });
  const cliRaw = median(runs(7, () => time(process.execPath, decrypt, { env: rawEnv })));
  row('`seeqret team decrypt` of a domain of 1,000 secrets, whole process, raw custodian (no KDF), median of 7', `${cliRaw.toFixed(0)} ms (node -e 0 alone: ${baseline.toFixed(0)} ms)`, '< 200 ms', cliRaw < 200);
  const cliFast = median(runs(7, () => time(process.execPath, decrypt, { env: fastEnv })));
  row('`seeqret team decrypt` of the same domain, fast custodian, whole process minus the KDF, median of 7', `${(cliFast - kdfFast).toFixed(0)} ms (${cliFast.toFixed(0)} ms in all)`, '< 200 ms beyond the KDF', cliFast - kdfFast < 200);
  const add = median(runs(7, (_, i) => time(process.execPath, [BIN, 'team', '--file', file, 'add-secret', 'prod', `NEW_${i}`, 'v'])));
  row('`seeqret team add-secret` into that file (read, seal one value, write; the 1,000 other lines unchanged), whole process, median of 7', `${add.toFixed(0)} ms`, 'reported', true);
}

fs.rmSync(scratch, { recursive: true, force: true });

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const md = `# Benchmarks

Produced by \`npm run bench\` (bench/run.mjs) on ${new Date().toISOString().slice(0, 10)}:
${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}.
Baseline \`node -e 0\`: **${baseline.toFixed(1)} ms** (median of 10, after warm-up).
Every figure is wall time of real processes or real library calls on real vault files; the vault
is unprotected (no passphrase), so no deliberate KDF cost is included.

| measurement | result | goal | |
|---|---|---|---|
${results.map((r) => `| ${r.what} | ${r.value} | ${r.goal} | ${r.pass ? 'pass' : '**FAIL**'} |`).join('\n')}

Notes
- The old Python tool does about 3,000 library gets per second (it re-opens the database and
  re-reads the key file on every call, see ../shared/specs/seeqret-v1-compat.md); dotenvx's
  library \`get()\` takes about 0.46 s per call (peers.md).
- The CLI is bundled (scripts/bundle.mjs) into one chunk per command; \`seeqret get\` also skips
  the command parser (src/cli/fast.ts). See docs/architecture.md, "Start-up time".
- A passphrase-protected vault adds one Argon2id derivation (3 passes over 64 MiB) to every
  command; the library pays it once per \`openVault\`.
- A team file (\`seeqret team\`) costs one custodian key derivation per command that needs
  credentials: that is the deliberate KDF cost of the custodian's key type, measured above
  (hard is pocket_protector's default). Everything else is measured beyond it.
`;
if (ONLY) console.log(`BENCH_ONLY=${ONLY.join(',')}: docs/benchmarks.md not written`);
else {
  fs.writeFileSync(path.join(ROOT, 'docs', 'benchmarks.md'), md);
  console.log('wrote docs/benchmarks.md');
}
if (results.some((r) => !r.pass)) process.exitCode = 1;
