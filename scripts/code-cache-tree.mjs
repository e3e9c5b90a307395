// The warm-up of the command tree's code caches (decision 82), run by scripts/code-cache.mjs in a
// child process whose stdout is a pipe that is thrown away: dist/bin/main.js is loaded as the entry
// loads it (dist/cli/tree-load.js, loadTreeModule), its `main` runs real command lines — the
// commands the test suite and scripts start most: `--version`, `init`, `add key`, `list`,
// `whoami`, `importenv`, `run`, `team …`, `ss …`, and an unknown command — on a throw-away vault,
// team file and SecureStore file, so the functions they call are compiled; then the cache of each
// file of the tree that was loaded is written beside it (FILE.HASH16.NODE-VERSION-ARCH.cache).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Each warm-up command line (`SCRATCH` is the scratch folder) and the exit status it must end with. */
const COMMAND_LINES = [
  [['--version'], 0],
  [['--help'], 0],
  [['init', 'SCRATCH', '--user', 'warm', '--email', 'warm@example.com'], 0],
  [['add', 'key', 'WARM_UP', 'value'], 0],
  [['list'], 0],
  [['whoami'], 0],
  [['importenv', 'warm.env'], 0],
  [['run', '-f', 'WARM_UP', '--', process.execPath, '-e', '0'], 0],
  [['team', '--file', 'team.yaml', '-u', 'warm@example.com', '--team-passphrase-file', 'team-pass', 'init', '--key-type', 'fast'], 0],
  [['team', '--file', 'team.yaml', '-u', 'warm@example.com', '--team-passphrase-file', 'team-pass', 'add-domain', 'prod'], 0],
  [['team', '--file', 'team.yaml', 'add-secret', 'prod', 'WARM_UP', 'value'], 0],
  [['team', '--file', 'team.yaml', '-u', 'warm@example.com', '--team-passphrase-file', 'team-pass', 'decrypt', 'prod'], 0],
  [['team', '--file', 'team.yaml', 'list-domains'], 0],
  [['ss', 'create', '-s', 'ss.json', '-k', 'ss.key', '--no-vcs'], 0],
  [['ss', '-s', 'ss.json', '-k', 'ss.key', 'set', 'WARM_UP', 'value'], 0],
  [['ss', '-s', 'ss.json', '-k', 'ss.key', 'get', 'WARM_UP'], 0],
  [['ss', '-s', 'ss.json', '-k', 'ss.key', 'keys'], 0],
  [['no-such-command'], 2],
];

/** Warm the tree whose entry is `TREE_MAIN` and write its caches; `idOf(file)` is a file's build id. */
export async function warmTree({ ROOT, TREE_MAIN, idOf }) {
  const { cacheFileOf } = await import(path.join(ROOT, 'dist', 'cli', 'code-cache.js'));
  const { loadTreeModule } = await import(path.join(ROOT, 'dist', 'cli', 'tree-load.js'));
  const { processIo } = await import(path.join(ROOT, 'dist', 'cli', 'process-io.js'));
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'seeqret-code-cache-tree-'));
  try {
    fs.writeFileSync(path.join(scratch, 'warm.env'), 'WARM_A=1\nWARM_B=2\n');
    fs.writeFileSync(path.join(scratch, 'team-pass'), 'warm-up passphrase\n');
    const loaded = new Map();
    const { main } = loadTreeModule(TREE_MAIN, loaded).module.exports;
    process.chdir(scratch);
    const env = { ...process.env, HOME: scratch, NO_COLOR: '1', SEEQRET: path.join(scratch, 'seeqret') };
    for (const [line, expected] of COMMAND_LINES) {
      const args = line.map((a) => (a === 'SCRATCH' ? scratch : a));
      // One run at a time, each the process's only run, as the executable runs it.
      const code = await main(args, { ...processIo(), env, cwd: scratch, stdinIsTTY: false }, true);
      if (code !== expected) throw new Error(`code-cache-tree.mjs: the warm-up \`seeqret ${args.join(' ')}\` exited ${String(code)}`);
    }
    for (const [file, { script }] of loaded) fs.writeFileSync(cacheFileOf(file, idOf(file)), script.createCachedData());
  } finally {
    process.chdir(ROOT);
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  process.exit(0);
}
