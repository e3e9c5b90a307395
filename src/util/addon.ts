/**
 * Loading a native addon of an installed package without the CommonJS loader. `createRequire`
 * and `require` of a `.node` file resolve it through the loader's machinery (package scope
 * lookups, path caches) and cost about 5 ms each on a start-up that is otherwise ~40 ms over
 * `node -e 0`; here the file is looked up in the `node_modules` folders above this module —
 * the folders Node's own resolution searches first — and opened with `process.dlopen`. Callers
 * fall back to `require` (the package's own loader) when the file is not found there.
 *
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The first `node_modules/<rel>` that exists in the folder of `from` (a file URL; default this module) or one above it. */
export function findInNodeModules(rel: string, from?: string): string | undefined {
  // This module's folder: `import.meta.dirname` where Node (20.11 and later) or the bundle (its
  // CommonJS `__dirname`) gives it, so that no URL is made; else from the module's URL.
  let dir = from !== undefined ? path.dirname(fileURLToPath(from)) : ((import.meta as { dirname?: string }).dirname ?? path.dirname(fileURLToPath(import.meta.url)));
  for (;;) {
    const file = path.join(dir, 'node_modules', rel);
    if (fs.existsSync(file)) return file;
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** Load the native addon at `file` (an absolute path) and return its exports. */
export function dlopenAddon(file: string): unknown {
  const m: { exports: unknown } = { exports: {} };
  process.dlopen(m, file);
  return m.exports;
}
