// Bundle the CLI so start-up reads a handful of files instead of dozens (docs/architecture.md,
// "Start-up time"):
//   dist/bin/seeqret.js   the entry, CommonJS (dist/bin/package.json says so): the loader of get.js
//                         (Node compiles it from its text: keep it small; decision 78)
//   dist/bin/get.js       the argument check and the `get` path: the unlock agent's client, then the
//                         loader of fast-get.js (CommonJS, with a V8 code cache like fast-get.js; decision 69)
//   dist/bin/fast-get.js  everything `seeqret get FILTER` needs (CommonJS), compiled with its V8
//                         code cache (scripts/code-cache.mjs, run after this script)
//   dist/bin/fast-relay.js  `seeqret sync` and `seeqret push` (CommonJS, with its code cache; decision 68)
//   dist/bin/agent.js     the unlock agent's process (CommonJS)
//   dist/bin/main.js      the full command tree, with one chunk per lazily imported command in
//                         dist/bin/chunks/ (CommonJS, each with its code cache; decision 82)
// A `get` never starts Node's ES module loader: it reads the entry with one readFileSync, where
// the ES module loader would load `fs/promises` and translate each module (~15 ms of CPU).
// It also builds the CommonJS library for `require('seeqret')` (dist/cjs, decision 39):
//   dist/cjs/**/*.cjs     one CommonJS file per library module, typed by dist/cjs/**/*.d.cts
// Each build's esbuild metafile goes to dist/meta/ (not packed): scripts/notices.mjs reads them to
// list the licences of exactly the packages that were inlined.
import { build, transform } from 'esbuild';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const deps = Object.keys(JSON.parse(fs.readFileSync('package.json', 'utf8')).dependencies);

fs.rmSync('dist/bin', { recursive: true, force: true });
fs.rmSync('dist/cjs', { recursive: true, force: true });
fs.rmSync('dist/meta', { recursive: true, force: true });
fs.mkdirSync('dist/meta', { recursive: true });

/** Run one esbuild build and keep its metafile as dist/meta/NAME.json. */
async function buildWithMeta(name, options) {
  const result = await build({ ...options, metafile: true });
  fs.writeFileSync(`dist/meta/${name}.json`, `${JSON.stringify(result.metafile)}\n`);
  return result;
}

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  outdir: 'dist/bin',
  // sodium-native is loaded from node_modules (src/crypto/sodium.ts); better-sqlite3's JavaScript is
  // bundled and its native addon loaded by path (src/vault/sqlite.ts). openpgp (LGPL-3.0) and
  // nodemailer are imported only by `send` and `add user --pgp-key`: they stay installed packages,
  // so users can replace them and `npm update` brings their fixes (decision 39).
  external: ['sodium-native', 'openpgp', 'nodemailer', 'pg'],
  // Licence comments are not copied into the bundle; THIRD-PARTY-NOTICES.md holds every inlined
  // package's licence (scripts/notices.mjs).
  legalComments: 'none',
  logLevel: 'warning',
};
// The entry loads the `get` path from its own bundle, and that one the fast path from its own
// (src/cli/bundle-load.ts, under `import.meta.seeqretBundle` below).
const fastGetBundle = {
  name: 'fast-get-bundle',
  setup(b) {
    // The unlock agent's process (`__seeqret-agent`) has its own bundle too: a `get` does not compile it.
    b.onResolve({ filter: /^\.\/agent-main\.js$/ }, () => ({ path: './agent.js', external: true }));
  },
};
// better-sqlite3 loads every method module when it is loaded; a `get` calls prepare, exec,
// pragma and transaction only. In the fast path's bundle, the others (`backup`, `serialize`,
// `function`, `aggregate`, `table`) are loaded when first called, so that their module code is
// neither run nor in the code cache of a `get` (decision 71); each still behaves as the library's.
const LAZY_SQLITE_METHODS = ['backup', 'serialize', 'function', 'aggregate', 'table'];
const lazySqliteMethods = {
  name: 'lazy-sqlite-methods',
  setup(b) {
    b.onLoad({ filter: /[\\/]better-sqlite3[\\/]lib[\\/]database\.js$/ }, (args) => {
      let text = fs.readFileSync(args.path, 'utf8');
      for (const m of LAZY_SQLITE_METHODS) {
        const eager = `Database.prototype.${m} = require('./methods/${m}');`;
        if (!text.includes(eager)) throw new Error(`bundle.mjs: better-sqlite3's database.js no longer has \`${eager}\`: update this step`);
        text = text.replace(eager, `Database.prototype.${m} = function (...args) { return require('./methods/${m}').apply(this, args); };`);
      }
      return { contents: text, loader: 'js' };
    });
  },
};
// commander requires `node:child_process` when it is loaded, for the executable sub-commands that
// seeqret does not have: it loads ~10 of Node's modules (`child_process`, `dgram`, `net`, the
// streams) at every start of the tree. In the tree's bundle it is required on first use (decision 82).
const lazyCommanderChildProcess = {
  name: 'lazy-commander-child-process',
  setup(b) {
    b.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, (args) => {
      const eager = "const childProcess = require('node:child_process');";
      const text = fs.readFileSync(args.path, 'utf8');
      if (!text.includes(eager)) throw new Error(`bundle.mjs: commander's command.js no longer has \`${eager}\`: update this step`);
      const uses = [...text.matchAll(/\bchildProcess\.(\w+)/g)].map((m) => m[1]);
      if (uses.some((u) => u !== 'spawn')) throw new Error(`bundle.mjs: commander uses child_process for more than spawn (${uses.join(', ')}): update this step`);
      const lazy = "const childProcess = { spawn: (...a) => require('node:child_process').spawn(...a) };";
      return { contents: text.replace(eager, lazy), loader: 'js' };
    });
  },
};
const commonJsEntry = {
  ...common,
  format: 'cjs',
  // Other packages stay external here: a prompt library needed only on a terminal must not be inlined.
  external: [...common.external, ...deps.filter((d) => d !== 'better-sqlite3')],
  // src/crypto/sodium.ts, src/vault/sqlite.ts and src/util/addon.ts locate files from import.meta.url,
  // or import.meta.dirname (the bundle's __dirname) where they only need the folder: the URL is made
  // on first use, so a `get` does not compile node:url's functions for it (decision 69).
  // `import.meta.seeqretBundle`: src/cli/bundle-load.ts loads the get, fast-get and fast-relay
  // (`sync`/`push`, decision 68) bundles beside the entry instead of importing their modules.
  define: { 'import.meta.url': '__seeqretMeta.url', 'import.meta.dirname': '__dirname', 'import.meta.seeqretBundle': 'true' },
  // ASCII text (non-ASCII characters escaped): src/cli/code-cache.ts then reads a bundle as Latin-1,
  // a plain copy, instead of decoding UTF-8 (~4 M instructions for fast-get.js; decision 69).
  charset: 'ascii',
  banner: {
    js:
      "const __seeqretMeta = { get url() { return require('node:url').pathToFileURL(__filename).href; } };\n" +
      'const __seeqretBuiltin = (m) => Object.create(m, { default: { value: m, enumerable: true } });',
  },
};
// The entry is the one bundle Node compiles from its text on every start (the others have a code
// cache): without its indentation and line breaks there is less to scan (decision 71).
await buildWithMeta('bin', { ...commonJsEntry, minifyWhitespace: true, entryPoints: { seeqret: 'src/cli/bin.ts' }, plugins: [fastGetBundle] });
await buildWithMeta('get', { ...commonJsEntry, entryPoints: { get: 'src/cli/get-main.ts' }, plugins: [fastGetBundle] });
await buildWithMeta('fast-get', { ...commonJsEntry, entryPoints: { 'fast-get': 'src/cli/fast-get.ts' }, plugins: [lazySqliteMethods] });
await buildWithMeta('fast-relay', { ...commonJsEntry, entryPoints: { 'fast-relay': 'src/cli/fast-relay-run.ts' } });
await buildWithMeta('agent', { ...commonJsEntry, entryPoints: { agent: 'src/cli/agent-main.ts' } });
// The command tree (decision 82): esbuild's code splitting gives the entry and one chunk per lazily
// imported command (and per shared part) as ES modules, kept in memory; each is then turned into a
// CommonJS file (dist/bin/main.js, dist/bin/chunks/*.js) that src/cli/code-cache.ts compiles as a
// `vm.Script` with its own build-time code cache, requiring its chunks the same way. A command so
// loads only its own chunks, and Node 20 (which has no compile cache for ES modules) compiles none of
// them from their text. The chunks' lazy import() of a chunk or a package becomes a require() that
// still resolves asynchronously.
const tree = await buildWithMeta('main', {
  ...common,
  format: 'esm',
  entryPoints: { main: 'src/cli/main.ts' },
  splitting: true,
  write: false,
  plugins: [lazyCommanderChildProcess],
  chunkNames: 'chunks/[name]-[hash]',
});
const treeBanner = `${commonJsEntry.banner.js}\n`;
for (const out of tree.outputFiles) {
  const cjs = await transform(out.text, {
    format: 'cjs',
    loader: 'js',
    platform: 'node',
    target: 'node20',
    supported: { 'dynamic-import': false },
    define: { 'import.meta.url': '__seeqretMeta.url', 'import.meta.dirname': '__dirname' },
    charset: 'ascii',
    legalComments: 'none',
    banner: treeBanner,
    logLevel: 'warning',
  });
  fs.mkdirSync(path.dirname(out.path), { recursive: true });
  fs.writeFileSync(out.path, cjs.code);
}
const treeFiles = tree.outputFiles.map((out) => path.relative(process.cwd(), out.path));
// A default import of a Node built-in (`import fs from 'node:fs'`) becomes
// `__toESM(require("node:fs"), 1)` in CommonJS output, which copies every property of the module
// onto a new object, on every such import: about 7% of a `seeqret get` (decision 49). A built-in
// needs no interop, so the entry gives each import a small object whose `default` is the module and
// whose prototype is the module (for namespace imports) instead.
for (const entry of ['dist/bin/seeqret.js', 'dist/bin/get.js', 'dist/bin/fast-get.js', 'dist/bin/agent.js', 'dist/bin/fast-relay.js', ...treeFiles]) {
  const chunk = treeFiles.includes(entry);
  // esbuild leaves out the `, 1` (node mode) for some importers: for a built-in, which has no
  // `__esModule`, both give the same module object.
  const toEsm = /__toESM\(require\("(node:[a-z_/]+)"\)(?:,\s*1)?\)/g;
  const text = fs.readFileSync(entry, 'utf8');
  if (!toEsm.test(text)) {
    if (chunk) continue; // a chunk of the tree that imports no built-in
    throw new Error(`bundle.mjs: no __toESM(require("node:…")) in ${entry}: update this step`);
  }
  // `node:module` is imported only for `createRequire`, which a `get` calls only when a package or
  // a built-in must be found the slow way: required at load, it loads four of Node's modules (the
  // public module API, the ES module loader, import assertions, source maps; ~1 M instructions).
  // Each import becomes an object whose `createRequire` requires it on first use (decision 71).
  const moduleImport = /var (import_node_module\d*)\s*=\s*require\("node:module"\);/g;
  const lazy = text
    .replace(toEsm, (_, name) => `__seeqretBuiltin(require("${name}"))`)
    .replace(moduleImport, (_, name) => `var ${name} = { get createRequire() { return require("node:module").createRequire; } };`);
  const other = [...lazy.matchAll(/\bimport_node_module\d*\.(\w+)/g)].map((m) => m[1]).filter((member) => member !== 'createRequire');
  if (other.length > 0 || /require\("node:module"\)(?!\.createRequire)/.test(lazy)) {
    // A chunk of the tree that uses more of node:module keeps it as it is.
    if (chunk) {
      fs.writeFileSync(entry, text.replace(toEsm, (_, name) => `__seeqretBuiltin(require("${name}"))`));
      continue;
    }
    throw new Error(`bundle.mjs: ${entry} uses node:module for more than createRequire (${other.join(', ')}): update this step`);
  }
  fs.writeFileSync(entry, lazy);
}
// dist/bin/get.js, fast-get.js and fast-relay.js run as a vm.Script (src/cli/code-cache.ts), where
// import() needs an experimental callback: their lazy imports of installed packages and built-ins
// become require() (each of them has a CommonJS entry), wrapped so they still resolve asynchronously.
// esbuild's `charset: 'ascii'` escapes strings, but keeps a comment's characters: those become
// `\uXXXX` text too (inside a comment it is only text), so the bundles are ASCII.
for (const entry of ['dist/bin/get.js', 'dist/bin/fast-get.js', 'dist/bin/fast-relay.js', ...treeFiles]) {
  const text = fs
    .readFileSync(entry, 'utf8')
    .replace(/\bimport\(("[^"]+")\)/g, 'Promise.resolve().then(() => require($1))')
    .replace(/[^\p{ASCII}]/gu, (c) => `\\u${c.codePointAt(0).toString(16).padStart(4, '0')}`);
  if (/\bimport\(/.test(text)) throw new Error(`bundle.mjs: an import() is left in ${entry}: it would fail in a vm.Script`);
  fs.writeFileSync(entry, text);
}
fs.writeFileSync('dist/bin/package.json', `${JSON.stringify({ type: 'commonjs' })}\n`);
fs.chmodSync('dist/bin/seeqret.js', 0o755);

// --- The CommonJS library ------------------------------------------------------------------------
// One output file per module keeps the ESM build's module graph (one SeeqretError class, one vault
// cache shared by `seeqret` and `seeqret/config`). Dependencies Node can require() stay external;
// ESM-only ones (Node 20 cannot require them) are inlined into the module that imports them.
const requireFromHere = createRequire(path.resolve('package.json'));

/** Whether `require(name)` loads CommonJS (the file's extension, else the nearest package.json's "type"). */
function requirable(name) {
  let file;
  try {
    file = requireFromHere.resolve(name);
  } catch {
    return false;
  }
  if (file.endsWith('.cjs')) return true;
  if (file.endsWith('.mjs')) return false;
  for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) return JSON.parse(fs.readFileSync(manifest, 'utf8')).type !== 'module';
  }
  return true;
}

const libraryModules = [];
(function walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (file !== path.join('src', 'cli')) walk(file);
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
      libraryModules.push(file);
    }
  }
})('src');
const srcDir = path.resolve('src');

await buildWithMeta('cjs', {
  entryPoints: libraryModules,
  outbase: 'src',
  outdir: 'dist/cjs',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: deps.filter(requirable),
  // `createRequire(import.meta.url)` (sodium, SQLite, the word list) works from CommonJS too.
  banner: { js: "const __seeqretImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__seeqretImportMetaUrl', 'import.meta.dirname': '__dirname' },
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [
    {
      name: 'seeqret-modules-stay-separate',
      setup(b) {
        // Our own modules are required from their own .cjs file, never inlined into another.
        b.onResolve({ filter: /^\.\.?\// }, (args) => {
          if (!args.importer.startsWith(srcDir + path.sep)) return undefined;
          return { path: args.path.replace(/\.js$/, '.cjs'), external: true };
        });
      },
    },
  ],
});

// Declarations for require(): tsc's .d.ts files as .d.cts, with relative imports naming .cjs files,
// so TypeScript sees CommonJS types under the "require" condition.
(function declarations(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!['bin', 'cjs', 'cli', 'meta'].includes(path.relative('dist', file))) declarations(file);
    } else if (entry.name.endsWith('.d.ts')) {
      const target = path.join('dist', 'cjs', path.relative('dist', file)).replace(/\.d\.ts$/, '.d.cts');
      const text = fs.readFileSync(file, 'utf8').replace(/(['"])(\.\.?\/[^'"]*)\.js\1/g, '$1$2.cjs$1');
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, text);
    }
  }
})('dist');
