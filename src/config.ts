/**
 * `import 'seeqret/config'` (or `node -r seeqret/config`) fills `process.env` from the vault before
 * the app's next line, like `dotenv/config`: importing this module runs {@link config} once with
 * the process's environment and folder. What it reads and when it refuses is documented on
 * {@link config} (src/inject/config.ts, which does nothing when imported: the library and the
 * tests call it with their own environment).
 *
 * @module
 */
import { config } from './inject/config.js';

export { type ConfigHost, type ConfigResult, config } from './inject/config.js';

config();
