// Bundle the CLI so start-up reads a handful of files instead of dozens (docs/architecture.md,
// "Start-up time"):
//   dist/bin/seeqret.js   the entry, CommonJS (dist/bin/package.json says so): the argument check
//                         and everything `seeqret get FILTER` needs, initialised only for a `get`
//   dist/bin/main.mjs     the full command tree (ES module), with one chunk per lazily imported command
// A `get` never starts Node's ES module loader: it reads the entry with one readFileSync, where
// the ES module loader would load `fs/promises` and translate each module (~15 ms of CPU).
import { build } from 'esbuild';
import fs from 'node:fs';

const deps = Object.keys(JSON.parse(fs.readFileSync('package.json', 'utf8')).dependencies);

fs.rmSync('dist/bin', { recursive: true, force: true });
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  outdir: 'dist/bin',
  // sodium-native is loaded from node_modules (src/crypto/sodium.ts); better-sqlite3's JavaScript is
  // bundled and its native addon loaded by path (src/vault/sqlite.ts).
  external: ['sodium-native'],
  legalComments: 'none',
  logLevel: 'warning',
};
// bin.ts imports './main.js' (its name in the unbundled dist/cli); here it is the ES module bundle.
const mainBundle = {
  name: 'main-bundle',
  setup(b) {
    b.onResolve({ filter: /^\.\/main\.js$/ }, () => ({ path: './main.mjs', external: true }));
  },
};
await build({
  ...common,
  format: 'cjs',
  entryPoints: { seeqret: 'src/cli/bin.ts' },
  // Other packages stay external here: a prompt library needed only on a terminal must not be inlined.
  external: [...common.external, ...deps.filter((d) => d !== 'better-sqlite3')],
  plugins: [mainBundle],
  // src/crypto/sodium.ts, src/vault/sqlite.ts and src/util/addon.ts locate files from import.meta.url.
  define: { 'import.meta.url': '__seeqretImportMetaUrl' },
  banner: { js: "const __seeqretImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
});
await build({
  ...common,
  format: 'esm',
  entryPoints: { main: 'src/cli/main.ts' },
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  // CommonJS dependencies (commander, yaml, ...) call require() for Node built-ins.
  banner: { js: "import { createRequire as __seeqretCreateRequire } from 'node:module'; const require = __seeqretCreateRequire(import.meta.url);" },
});
fs.writeFileSync('dist/bin/package.json', `${JSON.stringify({ type: 'commonjs' })}\n`);
fs.chmodSync('dist/bin/seeqret.js', 0o755);
