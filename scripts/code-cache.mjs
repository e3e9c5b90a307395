// The V8 code caches of the bundles that run as a vm.Script (docs/architecture.md, "Start-up
// time"; decisions 57, 68, 69 and 82). Run by `npm run build` after scripts/bundle.mjs and tsc, for
// dist/bin/fast-get.js, dist/bin/get.js (which loads the first), dist/bin/fast-relay.js, and the
// command tree dist/bin/main.js with each of its chunks dist/bin/chunks/*.js (decision 82):
//   1. ends the bundle with `//# seeqret-build=SHA256` (the hash of the text before it);
//   2. in a child process (its stdout a pipe that is thrown away, as a `get` in a script writes to a
//      pipe), compiles that bundle exactly as the entry does (dist/cli/code-cache.js), runs its
//      command for real — one `get` on a throw-away vault; for the relay bundle one `push` and one
//      `sync` through an in-process relay on a throw-away SQLite file — so the functions the
//      command calls are compiled too, and writes the script's cache to
//      BUNDLE.HASH16.NODE-VERSION-ARCH.cache. The command tree is warmed by the command lines of
//      scripts/code-cache-tree.mjs, run in one child, which then writes the cache of each file of
//      the tree it loaded; a chunk none of them loads gets a cache of its top-level code only.
// A different Node (or build) looks for another file name and compiles from the text instead.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'dist', 'bin');
/** Each bundle with a code cache, and the name of the function its warm-up calls. */
const BUNDLES = [
  { file: path.join(BIN, 'fast-get.js'), entry: 'runFastGet' },
  { file: path.join(BIN, 'get.js'), entry: 'runCommandLine' },
  { file: path.join(BIN, 'fast-relay.js'), entry: 'runFastRelay' },
];
/** The command tree's entry; its chunks are in TREE_CHUNKS (decision 82). */
const TREE_MAIN = path.join(BIN, 'main.js');
const TREE_CHUNKS = path.join(BIN, 'chunks');
const { BUILD_ID_MARK, RELAY_BUILTINS, RELAY_V8_FLAGS, cacheFileOf, loadBundle, wrapCommonJs } = await import(path.join(ROOT, 'dist', 'cli', 'code-cache.js'));
const idOf = (bundle) => fs.readFileSync(bundle, 'utf8').trimEnd().split(BUILD_ID_MARK).pop();

/** A throw-away vault with one secret, WARM_UP; `fn(dir)`, then the vault is removed. */
async function withWarmVault(fn) {
  const { Vault } = await import(path.join(ROOT, 'dist', 'index.js'));
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'seeqret-code-cache-'));
  try {
    const dir = path.join(scratch, 'vault');
    const v = Vault.create({ dir, username: 'build', email: 'build@example.com' });
    v.setMany([{ app: '*', env: '*', key: 'WARM_UP', value: 'value' }]);
    v.close();
    await fn(dir, scratch);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** `push` from one throw-away vault to another and `sync` there, through the relay bundle and an in-process relay. */
async function warmRelay(bundle, scratch, Vault, io, loaded) {
  const { openRelayStorage } = await import(path.join(ROOT, 'dist', 'relay', 'storage', 'index.js'));
  const { createRelayServer } = await import(path.join(ROOT, 'dist', 'relay', 'server.js'));
  const { joinRelay, inviteUser } = await import(path.join(ROOT, 'dist', 'relay', 'joined.js'));
  const server = await createRelayServer({ storage: await openRelayStorage(path.join(scratch, 'relay.db')), log: () => undefined });
  const { port } = await server.listen('127.0.0.1', 0);
  const url = `http://127.0.0.1:${String(port)}`;
  const notes = { info: () => undefined, warn: () => undefined };
  try {
    const dirs = ['alice', 'bob'].map((name) => {
      const d = path.join(scratch, name);
      Vault.create({ dir: d, username: name, email: `${name}@example.com` }).close();
      return d;
    });
    const [alice, bob] = dirs;
    const keyOf = (d) => {
      const v = Vault.open({ dir: d, readonly: true });
      const k = Buffer.from(v.publicKey);
      v.close();
      return k;
    };
    const withVault = async (d, fn) => {
      const v = Vault.open({ dir: d });
      try {
        return await fn(v);
      } finally {
        v.close();
      }
    };
    await withVault(alice, (v) => {
      v.addUser({ username: 'bob', email: 'bob@example.com', publicKey: keyOf(bob) });
      v.verifyUser('bob');
      v.setMany(Array.from({ length: 20 }, (_x, i) => ({ app: 'warm', env: 'up', key: `KEY_${String(i)}`, value: `value ${String(i)}` })));
    });
    await withVault(bob, (v) => {
      v.addUser({ username: 'alice', email: 'alice@example.com', publicKey: keyOf(alice) });
      v.verifyUser('alice');
    });
    await withVault(alice, (v) => joinRelay(v, { url, token: null }, notes));
    const token = await withVault(alice, (v) => inviteUser(v, 'bob', 3_600_000, notes));
    await withVault(bob, (v) => joinRelay(v, { url, token }, notes));
    for (const fast of [
      { command: 'push', g: { vault: alice }, options: { to: ['bob'], filter: ['warm:up:'] } },
      { command: 'sync', g: { vault: bob }, options: { overwrite: true, accept: true } },
    ]) {
      const code = await loaded.exports.runFastRelay(fast, io);
      if (code !== 0) throw new Error(`code-cache.mjs: the warm-up ${fast.command} exited ${String(code)}`);
    }
    fs.writeFileSync(cacheFileOf(bundle, idOf(bundle)), loaded.script.createCachedData());
  } finally {
    await server.close();
  }
}

/** End `file` with its build id (the SHA-256 of its text) and remove its old caches; the id. */
function markBuild(file) {
  let text = fs.readFileSync(file, 'utf8');
  const at = text.lastIndexOf(`\n${BUILD_ID_MARK}`);
  if (at >= 0) text = text.slice(0, at + 1);
  const id = createHash('sha256').update(text).digest('hex');
  fs.writeFileSync(file, `${text}${BUILD_ID_MARK}${id}\n`);
  const base = path.basename(file);
  const dir = path.dirname(file);
  for (const f of fs.readdirSync(dir)) if (f.startsWith(`${base}.`) && f.endsWith('.cache')) fs.rmSync(path.join(dir, f));
  return id;
}

/** Run this script again as `--warm ...args` in a child (stdout thrown away) and fail the build if it fails. */
function warmInChild(what, args) {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--warm', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 1 << 24,
    env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SEEQRET'))),
  });
  if (r.status !== 0) throw new Error(`code-cache.mjs: the warm-up of ${what} failed (status ${String(r.status)}):\n${r.stderr.toString('utf8')}`);
}

if (process.argv[2] !== '--warm') {
  for (const { file } of BUNDLES) {
    const id = markBuild(file);
    warmInChild(path.basename(file), [file]);
    const cache = cacheFileOf(file, id);
    if (!fs.existsSync(cache)) throw new Error(`code-cache.mjs: ${cache} was not written`);
  }
  const tree = [TREE_MAIN, ...fs.readdirSync(TREE_CHUNKS).filter((f) => f.endsWith('.js')).map((f) => path.join(TREE_CHUNKS, f))];
  const ids = new Map(tree.map((file) => [file, markBuild(file)]));
  warmInChild('the command tree', ['--tree']);
  if (!fs.existsSync(cacheFileOf(TREE_MAIN, ids.get(TREE_MAIN)))) throw new Error('code-cache.mjs: the warm-up of the command tree wrote no cache of main.js');
  for (const [file, id] of ids) {
    const cache = cacheFileOf(file, id);
    if (!fs.existsSync(cache)) fs.writeFileSync(cache, new vm.Script(wrapCommonJs(fs.readFileSync(file, 'latin1')), { filename: file }).createCachedData());
    // The warm-up's commands set a private umask: the caches are read by every user of the install.
    fs.chmodSync(cache, 0o644);
  }
} else if (process.argv[3] === '--tree') {
  const { warmTree } = await import('./code-cache-tree.mjs');
  await warmTree({ ROOT, TREE_MAIN, idOf });
} else {
  const file = process.argv[3];
  const { entry } = BUNDLES.find((b) => b.file === file);
  await withWarmVault(async (dir, scratch) => {
    // The relay bundle runs with its own V8 flags (decision 74); V8 accepts a cache only under the flags it was made with.
    const loaded = loadBundle(file, entry === 'runFastRelay' ? { v8Flags: RELAY_V8_FLAGS, builtins: RELAY_BUILTINS } : {});
    const id = fs.readFileSync(file, 'utf8').trimEnd().split(BUILD_ID_MARK).pop();
    // runGetCommand ends the process with process.exit after a successful get: the cache is made
    // when the process exits, either way.
    let written = false;
    const write = () => {
      if (written) return;
      written = true;
      fs.writeFileSync(cacheFileOf(file, id), loaded.script.createCachedData());
      fs.rmSync(scratch, { recursive: true, force: true });
    };
    process.on('exit', write);
    let code;
    if (entry === 'runFastRelay') {
      const { Vault } = await import(path.join(ROOT, 'dist', 'index.js'));
      const { processIo } = await import(path.join(ROOT, 'dist', 'cli', 'process-io.js'));
      const io = { ...processIo(), env: { ...process.env, NO_COLOR: '1' }, cwd: scratch, stdinIsTTY: false, stdout: { write: () => true }, stderr: { write: () => true } };
      await warmRelay(file, scratch, Vault, io, loaded);
      written = true; // warmRelay wrote the cache
      return;
    }
    if (entry === 'runFastGet') {
      const { processIo } = await import(path.join(ROOT, 'dist', 'cli', 'process-io.js'));
      const io = { ...processIo(), env: { ...process.env, NO_COLOR: '1' }, cwd: scratch, stdinIsTTY: false };
      code = await loaded.exports.runFastGet({ g: { vault: dir }, filter: 'WARM_UP', newline: true }, io, { exitsAfter: true });
    } else {
      // The command line as the entry hands it over (its argument scan is in this bundle too).
      code = await loaded.exports.runCommandLine(['--vault', dir, 'get', 'WARM_UP']);
    }
    if (code !== 0) throw new Error(`code-cache.mjs: the warm-up get exited ${String(code)}`);
    write();
  });
}
