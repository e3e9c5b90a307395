/**
 * The `sync`/`push` bundle runs under its own V8 flags (src/cli/code-cache.ts RELAY_V8_FLAGS,
 * decision 74): the build makes its code cache under the same flags, so V8 accepts it there, and
 * the built-in modules it needs are loaded before the flags change. Each case is a fresh Node
 * process (V8 flags are process-wide). Runs against dist/ (built by `npm run build`).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, cleanEnv } from './helpers.js';

const CODE_CACHE = path.join(ROOT, 'dist', 'cli', 'code-cache.js');
const BUNDLE = path.join(ROOT, 'dist', 'bin', 'fast-relay.js');

/** Load the relay bundle in a fresh process (with the relay flags or without); what it reports. */
function loadIn(withFlags: boolean): { cache: string; flags: string; builtinsFirst: boolean; stderr: string } {
  const script = `
    const m = await import(${JSON.stringify(CODE_CACHE)});
    const opts = ${String(withFlags)} ? { v8Flags: m.RELAY_V8_FLAGS, builtins: m.RELAY_BUILTINS } : {};
    const r = m.loadBundle(${JSON.stringify(BUNDLE)}, opts);
    const list = process.moduleLoadList;
    const v8At = list.indexOf('NativeModule v8');
    const firsts = m.RELAY_BUILTINS.map((id) => list.indexOf('NativeModule ' + id.replace(/^node:/, '')));
    process.stdout.write(JSON.stringify({ cache: r.cache, flags: m.RELAY_V8_FLAGS, builtinsFirst: v8At >= 0 && firsts.every((i) => i >= 0 && i < v8At) }));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: cleanEnv({}) });
  if (r.status !== 0) throw new Error(r.stderr);
  return { ...(JSON.parse(r.stdout) as { cache: string; flags: string; builtinsFirst: boolean }), stderr: r.stderr };
}

describe('the V8 flags of the sync/push bundle', () => {
  it('its code cache is made under the relay flags: used with them, rejected without', () => {
    const withFlags = loadIn(true);
    expect(withFlags.flags).toBe('--max-opt=1');
    expect(withFlags.cache).toBe('used');
    expect(withFlags.stderr).toBe('');
    expect(loadIn(false).cache).toBe('rejected');
  });

  it('the built-in modules it needs are loaded before the flags change (so Node\'s own caches of them are used)', () => {
    expect(loadIn(true).builtinsFirst).toBe(true);
  });
});
