// Bundle the CLI so start-up reads a handful of files instead of dozens (docs/architecture.md,
// "Start-up time"):
//   dist/bin/seeqret.js   the entry: argument check only
//   dist/bin/fast-get.js  everything `seeqret get FILTER` needs, in one file
//   dist/bin/main.js      the full command tree, with one chunk per lazily imported command
import { build } from 'esbuild';
import fs from 'node:fs';

const deps = Object.keys(JSON.parse(fs.readFileSync('package.json', 'utf8')).dependencies);

fs.rmSync('dist/bin', { recursive: true, force: true });
const common = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir: 'dist/bin',
  // sodium-native is loaded from node_modules (src/crypto/sodium.ts); better-sqlite3's JavaScript is
  // bundled and its native addon loaded by path (src/vault/sqlite.ts).
  external: ['sodium-native'],
  // CommonJS dependencies (commander, yaml, ...) call require() for Node built-ins.
  banner: { js: "import { createRequire as __seeqretCreateRequire } from 'node:module'; const require = __seeqretCreateRequire(import.meta.url);" },
  legalComments: 'none',
  logLevel: 'warning',
};
await build({ ...common, entryPoints: { seeqret: 'src/cli/bin.ts' }, external: [...common.external, './fast-get.js', './main.js'] });
// Other packages stay external here: a prompt library needed only on a terminal must not be inlined.
await build({ ...common, entryPoints: { 'fast-get': 'src/cli/fast-get.ts' }, external: deps.filter((d) => d !== 'better-sqlite3') });
await build({ ...common, entryPoints: { main: 'src/cli/main.ts' }, splitting: true, chunkNames: 'chunks/[name]-[hash]' });
fs.chmodSync('dist/bin/seeqret.js', 0o755);
