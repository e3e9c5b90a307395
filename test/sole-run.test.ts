/**
 * `withSoleRun` (src/cli/cli-io.ts, decision 69): the executable's one `get` keeps its run for the
 * rest of the process instead of in an AsyncLocalStorage scope. The CLI helpers find it across
 * awaits; a second sole run, or one inside a scoped run, is refused; a scoped run still sees its own.
 * (Vitest runs each test file in a fresh module registry, so the sole run set here stays here.)
 */
import { describe, expect, it } from 'vitest';
import { SeeqretError } from '../src/errors.js';
import { type CliRun, cliRun, io, runIo, withRun, withSoleRun } from '../src/cli/cli-io.js';
import { exitProfile } from '../src/cli/exit-profile.js';
import { processIo } from '../src/cli/process-io.js';

function newRun(): CliRun {
  return { io: { ...processIo(), cwd: `/run-${String(Math.random())}` }, profile: exitProfile('seeqret', {}) };
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof SeeqretError ? e.code : 'not a SeeqretError';
  }
  return undefined;
}

describe('withSoleRun', () => {
  it('is refused inside a scoped run, and the refusal leaves no sole run behind', async () => {
    const scoped = newRun();
    await withRun(scoped, async () => {
      await Promise.resolve();
      expect(codeOf(() => withSoleRun(newRun(), () => 0))).toBe('E_INTERNAL');
      expect(cliRun()).toBe(scoped);
    });
    expect(runIo()).toBeUndefined();
    expect(codeOf(() => cliRun())).toBe('E_INTERNAL');
  });

  it('keeps its run across awaits and timers; a second sole run while one is going is refused; a scoped run still sees its own', async () => {
    const sole = newRun();
    const seen = await withSoleRun(sole, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      expect(codeOf(() => withSoleRun(newRun(), () => 0))).toBe('E_INTERNAL');
      return { run: cliRun(), io: io(), runIo: runIo() };
    });
    expect(seen.run).toBe(sole);
    expect(seen.io).toBe(sole.io);
    expect(seen.runIo).toBe(sole.io);
    // After it ended, it stays the process's run (a late callback finds it).
    expect(cliRun()).toBe(sole);
    const scoped = newRun();
    expect(await withRun(scoped, async () => (await Promise.resolve(), cliRun()))).toBe(scoped);
    expect(cliRun()).toBe(sole);
  });

  it('runs one command after another (the relay warm-up: a push, then a sync); a failed one frees the process too', async () => {
    const first = newRun();
    const second = newRun();
    await withSoleRun(first, async () => {
      await Promise.resolve();
    });
    expect(withSoleRun(second, () => cliRun())).toBe(second);
    await expect(
      withSoleRun(newRun(), async () => {
        await Promise.resolve();
        throw new Error('failed');
      }),
    ).rejects.toThrow('failed');
    const third = newRun();
    expect(withSoleRun(third, () => cliRun())).toBe(third);
    expect(codeOf(() => withSoleRun(newRun(), () => { throw new Error('sync'); }))).toBe('not a SeeqretError');
    expect(withSoleRun(first, () => cliRun())).toBe(first);
  });
});
