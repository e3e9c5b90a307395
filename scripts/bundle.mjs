// Bundle the CLI into a few ESM chunks (one per lazily imported command), so start-up reads a
// handful of files instead of dozens: see docs/architecture.md ("Start-up time").
import { build } from 'esbuild';
import fs from 'node:fs';

fs.rmSync('dist/bin', { recursive: true, force: true });
await build({
  entryPoints: { seeqret: 'src/cli/bin.ts' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir: 'dist/bin',
  chunkNames: 'chunks/[name]-[hash]',
  // Native addons stay in node_modules; everything else is bundled.
  external: ['better-sqlite3', 'sodium-native'],
  // CommonJS dependencies (commander, cli-table3, yaml, ...) call require() for Node built-ins.
  banner: { js: "import { createRequire as __seeqretCreateRequire } from 'node:module'; const require = __seeqretCreateRequire(import.meta.url);" },
  legalComments: 'none',
  logLevel: 'warning',
});
fs.chmodSync('dist/bin/seeqret.js', 0o755);
