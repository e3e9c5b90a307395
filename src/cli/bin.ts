#!/usr/bin/env node
/**
 * The `seeqret` executable. Kept tiny: it sets a private umask and hands over to the command
 * tree, which loads only the module of the command being run.
 *
 * @module
 */
process.umask(0o077);
const { main } = await import('./main.js');
process.exitCode = await main(process.argv);
