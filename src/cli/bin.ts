#!/usr/bin/env node
/**
 * The `seeqret` executable. Kept tiny: it sets a private umask, serves `get` without loading the
 * command parser, and otherwise hands over to the command tree, which loads only the module of
 * the command being run.
 *
 * @module
 */
process.umask(0o077);
const args = process.argv.slice(2);
const { parseFastGet } = await import('./fast.js');
const fast = args[0] === 'get' || args.includes('get') ? parseFastGet(args) : null;
if (fast) {
  const [{ get }, { reportError }] = await Promise.all([import('./commands/get.js'), import('./report.js')]);
  try {
    process.exitCode = await get(fast.g, [fast.filter], { newline: fast.newline });
  } catch (e) {
    process.exitCode = reportError(e, fast.g.debug === true || process.env['SEEQRET_DEBUG'] === '1');
  }
} else {
  const { main } = await import('./main.js');
  process.exitCode = await main(process.argv);
}
