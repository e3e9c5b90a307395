#!/usr/bin/env node
/**
 * The `seeqret` executable. Kept tiny: it sets a private umask, serves a plain `get` from a
 * single self-contained module without loading the command parser, and otherwise hands over to
 * the command tree, which loads only the module of the command being run.
 *
 * @module
 */
import { parseFastGet } from './fast.js';

process.umask(0o077);
// A closed pipe (`seeqret users | head -1`) is not an error: stop quietly, as Unix tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}
const fast = parseFastGet(process.argv.slice(2));
if (fast) {
  const { runFastGet } = await import('./fast-get.js');
  process.exitCode = await runFastGet(fast);
} else {
  const { main } = await import('./main.js');
  process.exitCode = await main(process.argv);
}
