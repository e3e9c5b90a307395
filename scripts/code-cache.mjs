// The V8 code cache of the `get` fast path (docs/architecture.md, "Start-up time"; decision 57).
// Run by `npm run build` after scripts/bundle.mjs and tsc:
//   1. ends dist/bin/fast-get.js with `//# seeqret-build=SHA256` (the hash of the text before it);
//   2. in a child process (its stdout discarded), compiles that bundle exactly as the entry does
//      (dist/cli/code-cache.js), runs one real `get` on a throw-away vault, so the functions a
//      `get` calls are compiled too, and writes the script's cache to
//      dist/bin/fast-get.js.HASH16.NODE-VERSION-ARCH.cache.
// A different Node (or build) looks for another file name and compiles from the text instead.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BUNDLE = path.join(ROOT, 'dist', 'bin', 'fast-get.js');
const { BUILD_ID_MARK, cacheFileOf, loadBundle } = await import(path.join(ROOT, 'dist', 'cli', 'code-cache.js'));

if (process.argv[2] !== '--warm') {
  let text = fs.readFileSync(BUNDLE, 'utf8');
  const at = text.lastIndexOf(`\n${BUILD_ID_MARK}`);
  if (at >= 0) text = text.slice(0, at + 1);
  const id = createHash('sha256').update(text).digest('hex');
  fs.writeFileSync(BUNDLE, `${text}${BUILD_ID_MARK}${id}\n`);
  for (const f of fs.readdirSync(path.dirname(BUNDLE))) if (f.startsWith('fast-get.js.') && f.endsWith('.cache')) fs.rmSync(path.join(path.dirname(BUNDLE), f));
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--warm'], { stdio: ['ignore', 'ignore', 'inherit'], env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SEEQRET'))) });
  if (r.status !== 0) throw new Error(`code-cache.mjs: the warm-up get failed (status ${String(r.status)})`);
  const cache = cacheFileOf(BUNDLE, id);
  if (!fs.existsSync(cache)) throw new Error(`code-cache.mjs: ${cache} was not written`);
} else {
  const { Vault } = await import(path.join(ROOT, 'dist', 'index.js'));
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'seeqret-code-cache-'));
  try {
    const dir = path.join(scratch, 'vault');
    const v = Vault.create({ dir, username: 'build', email: 'build@example.com' });
    v.setMany([{ app: '*', env: '*', key: 'WARM_UP', value: 'value' }]);
    v.close();
    const loaded = loadBundle(BUNDLE);
    const { processIo } = await import(path.join(ROOT, 'dist', 'cli', 'process-io.js'));
    const io = { ...processIo(), env: { ...process.env, NO_COLOR: '1' }, cwd: scratch, stdinIsTTY: false };
    const code = await loaded.exports.runFastGet({ g: { vault: dir }, filter: 'WARM_UP', newline: true }, io);
    if (code !== 0) throw new Error(`code-cache.mjs: the warm-up get exited ${String(code)}`);
    const id = fs.readFileSync(BUNDLE, 'utf8').trimEnd().split(BUILD_ID_MARK).pop();
    fs.writeFileSync(cacheFileOf(BUNDLE, id), loaded.script.createCachedData());
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
