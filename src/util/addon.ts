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

/** The first `node_modules/<rel>` that exists in this module's folder or one above it. */
export function findInNodeModules(rel: string, from: string = import.meta.url): string | undefined {
  let dir = path.dirname(fileURLToPath(from));
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
