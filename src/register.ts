/**
 * `node --import seeqret/register app.js`: fill `process.env` from the vault before the app's first
 * line, as `node -r seeqret/config` does for CommonJS (the same rules: src/config.ts). An ES module
 * preloaded with `--import` runs before the entry point is loaded, so the app needs no import of its own.
 * It re-exports `seeqret/config`'s API (importing it runs the fill once, as `seeqret/config` does).
 *
 * @module
 */
export { type ConfigHost, type ConfigResult, config } from './config.js';
