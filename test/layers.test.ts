/**
 * The layering rules of docs/architecture.md, read off the source: only `src/crypto/` reaches the
 * cryptographic libraries (Node's `crypto`, libsodium, age, OpenPGP), and nothing outside
 * `src/cli/` imports the CLI or commander (use cases, the library, the relay and the UI sit below
 * the CLI), and issue 13's measures of the layout: no source file over 400 lines, and `src/cli/`
 * at most a fifth of `src/`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

const SRC = path.join(ROOT, 'src');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Every module specifier `file` imports, statically or with `import()`/`require()`. */
function specifiers(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm)) out.push(m[1] ?? '');
  return out;
}

const rel = (f: string): string => path.relative(ROOT, f).split(path.sep).join('/');
const CRYPTO_LIBRARIES = new Set(['node:crypto', 'crypto', 'sodium-native', 'age-encryption', 'openpgp']);

describe('layers', () => {
  const files = sources(SRC);

  it('finds the sources and reads their imports (the check itself works)', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(specifiers(path.join(SRC, 'crypto', 'sodium.ts'))).toContain('sodium-native');
  });

  it('only src/crypto/ imports a cryptographic library', () => {
    const outside = files
      .filter((f) => !rel(f).startsWith('src/crypto/'))
      .flatMap((f) => specifiers(f).filter((s) => CRYPTO_LIBRARIES.has(s)).map((s) => `${rel(f)} imports ${s}`));
    expect(outside).toEqual([]);
  });

  it('nothing outside src/cli/ imports the CLI or commander', () => {
    const outside = files
      .filter((f) => !rel(f).startsWith('src/cli/'))
      .flatMap((f) =>
        specifiers(f)
          .filter((s) => s === 'commander' || (s.startsWith('.') && rel(path.resolve(path.dirname(f), s)).startsWith('src/cli/')))
          .map((s) => `${rel(f)} imports ${s}`),
      );
    expect(outside).toEqual([]);
  });

  it('no source file is over 400 lines, and src/cli/ holds at most 20 % of the lines of src/', () => {
    const lines = new Map(files.map((f) => [rel(f), fs.readFileSync(f, 'utf8').split('\n').length - 1]));
    expect([...lines].filter(([, n]) => n > 400).map(([f, n]) => `${f}: ${String(n)} lines`)).toEqual([]);
    let all = 0;
    let cli = 0;
    for (const [f, n] of lines) {
      all += n;
      if (f.startsWith('src/cli/')) cli += n;
    }
    expect(cli).toBeGreaterThan(0);
    expect(cli / all).toBeLessThanOrEqual(0.2);
  });
});
