/**
 * The library `get` chooses a variant two ways: the fast path (app and env given: the exact variant
 * looked up without scoring) and the scoring path. They must always agree (issue 12).
 */
import fc from 'fast-check';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AMBIGUOUS, type Variant, chooseVariant, fits, scoreVariants } from '../src/vault/value-index.js';
import { Vault } from '../src/vault/vault.js';
import { longAsciiString } from './fc-helpers.js';
import { thrownCode, tmpdir } from './helpers.js';
import { must } from './must.js';

const NAMES = ['*', 'web', 'api', 'prod', 'dev'];
const name = fc.constantFrom(...NAMES);
/** A key's variants: distinct (app, env) pairs, as the vault stores them. */
const variants = fc.uniqueArray(fc.record({ app: name, env: name }), { selector: (v) => `${v.app}\0${v.env}`, maxLength: 12 });

/** What the scoring path alone answers. */
function scored(rows: readonly Variant[], app: string | undefined, env: string | undefined): Variant | typeof AMBIGUOUS | undefined {
  const i = scoreVariants(rows, app, env);
  return i === -2 ? AMBIGUOUS : i === -1 ? undefined : rows[i];
}

describe('library get: fast path and scoring path', () => {
  it('agree on every set of variants and every app/env asked (property)', () => {
    fc.assert(
      fc.property(variants, fc.option(name, { nil: undefined }), fc.option(name, { nil: undefined }), (rows, app, env) => {
        expect(chooseVariant(rows, app, env)).toBe(scored(rows, app, env));
      }),
      { numRuns: 5000 },
    );
  });

  it('with app and env given and the exact variant present, both take it (property)', () => {
    fc.assert(
      fc.property(variants.filter((r) => r.length > 0), fc.nat(), (rows, n) => {
        const exact = must(rows[n % rows.length]);
        expect(chooseVariant(rows, exact.app, exact.env)).toBe(exact);
        expect(scored(rows, exact.app, exact.env)).toBe(exact);
      }),
    );
  });

  it('the scoring path lists the tied variants for the message', () => {
    const rows = [{ app: 'web', env: 'dev' }, { app: 'api', env: 'dev' }, { app: 'web', env: 'prod' }];
    const top: Variant[] = [];
    expect(scoreVariants(rows, undefined, 'dev', top)).toBe(-2);
    expect(top).toEqual([rows[0], rows[1]]);
  });

  it('a real vault answers through both paths alike: exact, fallback to *, ambiguous, missing', () => {
    const v = Vault.create({ dir: path.join(tmpdir(), 'v'), username: 'a', email: '', kdfCost: { opslimit: 1, memlimit: 8 * 1024 * 1024 } });
    try {
      v.setMany([
        { app: 'web', env: 'prod', key: 'DB', value: 'web-prod' },
        { app: 'web', env: '*', key: 'DB', value: 'web-any' },
        { app: 'api', env: 'dev', key: 'DB', value: 'api-dev' },
        { app: 'cli', env: 'dev', key: 'DB', value: 'cli-dev' },
        { app: '*', env: '*', key: 'DB', value: 'global' },
      ]);
      expect(v.get('DB', { app: 'web', env: 'prod' })).toBe('web-prod');
      expect(v.get('DB', { app: 'web', env: 'dev' })).toBe('web-any');
      expect(v.get('DB', { app: 'api', env: 'dev' })).toBe('api-dev');
      expect(v.get('DB', { app: 'api', env: 'prod' })).toBe('global');
      expect(v.get('DB')).toBe('global');
      expect(v.get('DB', { env: 'dev' })).toBe('global');
      v.remove([must(v.lookup('*', '*', 'DB'))]);
      expect(v.get('DB')).toBe('web-any');
      expect(thrownCode(() => v.get('DB', { env: 'dev' }))).toBe('E_AMBIGUOUS');
      expect(thrownCode(() => v.get('DB', { app: 'cli', env: 'prod' }))).toBe('E_NOT_FOUND');
    } finally {
      v.close();
    }
  });

  it('every stored value comes back byte for byte: empty, ASCII, Latin-1, unicode, longer than the scratch buffer (property)', () => {
    const v = Vault.create({ dir: path.join(tmpdir(), 'v'), username: 'a', email: '', kdfCost: { opslimit: 1, memlimit: 8 * 1024 * 1024 } });
    // Characters either side of the ASCII/Latin-1 line (the index decodes ASCII values as Latin-1) and beyond.
    const chars = fc.constantFrom('a', 'Z', '0', ' ', '\t', '\n', '\u007f', '\u0080', 'é', '\u00ff', '€', '日', '😀');
    const value = fc.oneof(
      fc.string(),
      fc.string({ unit: chars, maxLength: 80 }),
      fc.string({ unit: 'grapheme', maxLength: 100 }),
      fc.string({ unit: chars, minLength: 4090, maxLength: 4200 }),
    );
    try {
      fc.assert(
        fc.property(fc.array(value, { minLength: 1, maxLength: 6 }), (values) => {
          v.setMany(values.map((value, i) => ({ app: i % 2 ? 'web' : '*', env: 'prod', key: `K${i}`, value })), { update: true });
          for (let i = 0; i < values.length; i++) {
            const got = v.get(`K${i}`, { app: i % 2 ? 'web' : '*', env: 'prod' });
            expect(Buffer.from(got, 'utf8').equals(Buffer.from(must(values[i]), 'utf8'))).toBe(true);
            expect(got).toBe(values[i]);
            expect(v.get(`K${i}`, { app: i % 2 ? 'web' : '*', env: 'prod' })).toBe(values[i]); // and again, from the index
          }
        }),
        { numRuns: 40 },
      );
    } finally {
      v.close();
    }
  });

  it('keys loaded one by one in any order fill several arenas and each variant comes back as stored (property)', () => {
    const v = Vault.create({ dir: path.join(tmpdir(), 'v'), username: 'a', email: '', kdfCost: { opslimit: 1, memlimit: 8 * 1024 * 1024 } });
    // Short values, values of a few KiB, and values past an arena's 16 KiB own-buffer limit: more than 64 KiB in all.
    // The long ones by `longAsciiString`: the same strings as fc.string for the same seed, at half the CPU.
    const value = fc.oneof(fc.string({ maxLength: 40 }), longAsciiString({ minLength: 3000, maxLength: 5000 }), longAsciiString({ minLength: 16_380, maxLength: 17_000 }));
    try {
      fc.assert(
        fc.property(fc.array(fc.tuple(value, value), { minLength: 10, maxLength: 30 }), fc.nat(), (pairs, seed) => {
          v.setMany(pairs.flatMap(([a, b], i) => [{ app: '*', env: 'prod', key: `K${i}`, value: a }, { app: 'web', env: 'prod', key: `K${i}`, value: b }]), { update: true });
          // A walk over the keys in an order given by the seed, each asked for twice (the second from the index).
          for (let n = 0; n < 2 * pairs.length; n++) {
            const i = (seed + n * 7) % pairs.length;
            const [a, b] = must(pairs[i]);
            expect(v.get(`K${i}`, { app: 'web', env: 'prod' })).toBe(b);
            expect(v.get(`K${i}`, { app: 'api', env: 'prod' })).toBe(a);
          }
        }),
        { numRuns: 15 },
      );
    } finally {
      v.close();
    }
  });

  it('a key with one variant (kept without a list) answers as the scoring of that variant alone (property)', () => {
    const ask = fc.option(name, { nil: undefined });
    fc.assert(
      fc.property(fc.record({ app: name, env: name }), ask, ask, (row, app, env) => {
        expect(fits(row, app, env)).toBe(chooseVariant([row], app, env) === row);
      }),
    );
    const v = Vault.create({ dir: path.join(tmpdir(), 'v'), username: 'a', email: '', kdfCost: { opslimit: 1, memlimit: 8 * 1024 * 1024 } });
    try {
      const rows = NAMES.flatMap((app) => NAMES.map((env) => ({ app, env })));
      v.setMany(rows.map((r, i) => ({ ...r, key: `ONE_${i}`, value: `${r.app}:${r.env}` })));
      fc.assert(
        fc.property(fc.nat({ max: rows.length - 1 }), ask, ask, (i, app, env) => {
          const row = must(rows[i]);
          const where = { ...(app === undefined ? {} : { app }), ...(env === undefined ? {} : { env }) };
          if (chooseVariant([row], app, env) === row) expect(v.get(`ONE_${i}`, where)).toBe(`${row.app}:${row.env}`);
          else expect(thrownCode(() => v.get(`ONE_${i}`, where))).toBe('E_NOT_FOUND');
        }),
        { numRuns: 200 },
      );
    } finally {
      v.close();
    }
  });

  it('a key with no variant stays E_NOT_FOUND from the index until a write, then is found', () => {
    const v = Vault.create({ dir: path.join(tmpdir(), 'v'), username: 'a', email: '', kdfCost: { opslimit: 1, memlimit: 8 * 1024 * 1024 } });
    try {
      expect(thrownCode(() => v.get('LATER'))).toBe('E_NOT_FOUND');
      expect(thrownCode(() => v.get('LATER', { app: 'web', env: 'prod' }))).toBe('E_NOT_FOUND');
      v.setMany([{ app: 'web', env: 'prod', key: 'LATER', value: 'now' }]);
      expect(v.get('LATER', { app: 'web', env: 'prod' })).toBe('now');
      expect(v.get('LATER')).toBe('now');
      expect(v.get('LATER', {})).toBe('now');
    } finally {
      v.close();
    }
  });
});
