// seeqret benchmarks: `npm run bench`. Writes docs/benchmarks.md.
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
// BENCH_ONLY=project runs one section and updates only its rows in docs/benchmarks.md.
const only = process.env.BENCH_ONLY;
const section = (name) => only === undefined || only === name;
const row = (what, value, goal, pass) => {
  results.push({ what, value, goal, pass });
  console.log(`${pass ? 'PASS' : 'FAIL'}  ${what}: ${value}  (goal ${goal})`);
};

// Baseline
for (let i = 0; i < 3; i++) time(process.execPath, ['-e', '0']); // warm the page cache
const base = median(runs(10, () => time(process.execPath, ['-e', '0'])));
console.log(`node -e 0: ${base.toFixed(1)} ms`);
let baseline = base;

if (section('core')) {
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

// Sharing: export 1,000 secrets to 10 recipients; load a 10,000-secret bundle.
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

} // core

// ---- Projects (psec milestone): show, generate, set, rename, import-psec, SHA-512 crypt ----
if (section('project')) {
  const dir = makeVault('proj-vault', 0, () => ({}));
  const proj = path.join(scratch, 'shop');
  fs.mkdirSync(proj);
  const run = (args) => time(process.execPath, [BIN, '--vault', dir, ...args], { cwd: proj });
  run(['project', 'init', '--app', 'shop', '--env', 'dev']);
  const types = ['password', 'token_hex', 'token_urlsafe', 'uuid4', 'string', 'boolean'];
  const entries = Array.from({ length: 1000 }, (_, i) => ({ Variable: `var_${i}`, Type: types[i % types.length], Prompt: `Variable ${i}`, Export: `VAR_${i}` }));
  fs.writeFileSync(path.join(proj, 'secrets', 'dev', 'secrets.d', 'big.json'), JSON.stringify(entries, null, 2));
  const gen = median(runs(3, () => run(['generate', '-U'])));
  row('`seeqret generate -U` of an environment with 1,000 described variables (667 generable; median of 3)', `${gen.toFixed(0)} ms`, '< 1,000 ms', gen < 1000);
  const sets = Array.from({ length: 1000 }, (_, i) => (i % 6 === 5 ? `var_${i}=true` : `var_${i}=value-${i}`));
  const set = median(runs(3, () => run(['set', ...sets])));
  row('`seeqret set` of 1,000 VAR=VALUE arguments, validated, one transaction (median of 3)', `${set.toFixed(0)} ms`, '< 1,000 ms', set < 1000);
  const show = median(runs(5, () => run(['show', '--reveal', '--format', 'json'])));
  row('`seeqret show --reveal` of 1,000 variables, audited (median of 5)', `${show.toFixed(0)} ms`, '< 500 ms', show < 500);
  // rename: 10,000 values with one history version each = 20,000 values decrypted and sealed again
  const big = makeVault('proj-rename', 10_000, (i) => ({ app: 'shop', env: 'stage', key: `K_${i}`, value: `value-${i}-${'r'.repeat(24)}` }));
  {
    const v = Vault.open({ dir: big });
    v.setMany(Array.from({ length: 10_000 }, (_, i) => ({ app: 'shop', env: 'stage', key: `K_${i}`, value: `new-${i}` })), { update: true });
    v.close();
  }
  const names = ['stage', 'qa', 'stage'];
  const ren = median(runs(2, (_, k) => time(process.execPath, [BIN, '--vault', big, 'environments', 'rename', names[k], names[k + 1]], { cwd: proj })));
  row('`seeqret environments rename` of 10,000 values with history (20,000 re-sealed, one transaction; median of 2)', `${ren.toFixed(0)} ms`, '< 2,000 ms', ren < 2000);
  // import-psec: 1,000 values and their descriptions
  const psecDir = path.join(scratch, 'psec', 'legacy');
  fs.mkdirSync(path.join(psecDir, 'secrets.d'), { recursive: true });
  fs.writeFileSync(path.join(psecDir, 'secrets.d', 'all.json'), JSON.stringify(Array.from({ length: 1000 }, (_, i) => ({ Variable: `p_${i}`, Type: 'string' })), null, 2));
  fs.writeFileSync(path.join(psecDir, 'secrets.json'), JSON.stringify(Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`p_${i}`, `psec-value-${i}`])), null, 2));
  const imp = run(['import-psec', psecDir]);
  row('`seeqret import-psec` of a psec folder with 1,000 values and descriptions (whole process)', `${imp.toFixed(0)} ms`, '< 1,000 ms', imp < 1000);
  // SHA-512 crypt, 5,000 rounds (the default): inherent cost of the algorithm
  const { sha512Crypt } = await import(path.join(ROOT, 'dist', 'crypto', 'shacrypt.js'));
  for (let i = 0; i < 5; i++) sha512Crypt('warm up', 'saltsalt');
  const t0 = process.hrtime.bigint();
  const n = 50;
  for (let i = 0; i < n; i++) sha512Crypt(`password ${i}`, 'saltstring');
  const per = Number(process.hrtime.bigint() - t0) / 1e6 / n;
  const ossl = median(runs(5, () => time('openssl', ['passwd', '-6', '-salt', 'saltstring', 'password'])));
  row('SHA-512 crypt (`crypt_6`), 5,000 rounds, per hash (library)', `${per.toFixed(2)} ms (a whole \`openssl passwd -6\` process: ${ossl.toFixed(1)} ms)`, '< 20 ms', per < 20);
} // project

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
`;
if (only !== undefined) {
  // A partial run replaces (or appends) only its own rows in the existing page.
  const file = path.join(ROOT, 'docs', 'benchmarks.md');
  let page = fs.readFileSync(file, 'utf8');
  for (const r of results) {
    const line = `| ${r.what} | ${r.value} | ${r.goal} | ${r.pass ? 'pass' : '**FAIL**'} |`;
    const lines = page.split('\n');
    const at = lines.findIndex((l) => l.startsWith(`| ${r.what} |`));
    if (at >= 0) lines[at] = line;
    else lines.splice(lines.findLastIndex((l) => l.startsWith('| ')) + 1, 0, line);
    page = lines.join('\n');
  }
  const note = `- The ${only} rows come from a partial run (\`BENCH_ONLY=${only}\`) on ${new Date().toISOString().slice(0, 10)}, baseline \`node -e 0\` ${baseline.toFixed(1)} ms; the others from the full run above.`;
  const lines = page.split('\n');
  const at = lines.findIndex((l) => l.startsWith(`- The ${only} rows come from a partial run`));
  if (at >= 0) lines[at] = note;
  else lines.splice(lines.indexOf('Notes') + 1, 0, note);
  page = lines.join('\n');
  fs.writeFileSync(file, page);
} else fs.writeFileSync(path.join(ROOT, 'docs', 'benchmarks.md'), md);
console.log('wrote docs/benchmarks.md');
if (results.some((r) => !r.pass)) process.exitCode = 1;
