/**
 * src/team/state.ts: the pins a vault keeps per team file — the state file's reader and writer,
 * and the rules that judge a file against a pin (fast-check properties), on real files.
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeeqretError } from '../src/errors.js';
import { type Keyring, type Observation, type TeamPin, STATE_FILE, advance, assess, keyringChanges, keyringFingerprint, observe } from '../src/team/state.js';
import { findPin, parseTeamState, readTeamState, serializeTeamState, updateTeamState } from '../src/team/state-file.js';
import { TeamFile } from '../src/team/store.js';
import { thrownCode, tmpdir } from './helpers.js';
import { must } from './must.js';

const b64 = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((a) => Buffer.from(a).toString('base64'));
const name = fc.stringMatching(/^[A-Za-z][-_A-Za-z0-9@.]{0,12}$/);
const keyring: fc.Arbitrary<Keyring> = fc.record({
  custodians: fc.dictionary(name, fc.oneof(b64(41).map((k) => `pwdkm:${k}`), b64(32).map((k) => `seeqret-identity:${k}`)), { maxKeys: 4 }),
  domains: fc.dictionary(name, fc.record({ key: b64(32), owners: fc.uniqueArray(name, { maxLength: 3 }).map((o) => o.sort()) }), { maxKeys: 3 }),
});
const values = fc.dictionary(name, fc.dictionary(name, b64(12), { maxKeys: 4 }), { maxKeys: 3 });
const observation: fc.Arbitrary<Observation> = fc.record({
  hash: b64(64),
  signed: fc.boolean(),
  team: fc.option(b64(16), { nil: null }),
  seq: fc.option(fc.integer({ min: 1, max: 1000 }), { nil: null }),
  legacy: fc.constant(false),
  keys: keyring,
  values,
});
const pin: fc.Arbitrary<TeamPin> = fc.record({
  seen: fc.integer({ min: 0, max: 2 ** 45 }),
  hash: b64(64),
  signed: fc.boolean(),
  team: fc.option(b64(16), { nil: null }),
  seq: fc.option(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), { nil: null }),
  seqs: fc.dictionary(b64(16), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), { maxKeys: 2 }),
  keys: keyring,
  values,
  retired: fc.record({ domainKeys: fc.array(b64(32), { maxLength: 3 }), custodianKeys: fc.array(b64(41).map((k) => `pwdkm:${k}`), { maxLength: 3 }), values: fc.array(b64(12), { maxLength: 5 }) }),
});

describe('the state file', () => {
  it('property: any state is written to text that reads back the same', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 40 }), pin, { maxKeys: 3 }), (d) => {
        const state = new Map(Object.entries(d));
        const text = serializeTeamState(state);
        const back = parseTeamState(text, 'x.json');
        expect(Object.fromEntries(back)).toEqual(Object.fromEntries(state));
        expect(serializeTeamState(back)).toBe(text);
      }),
      { numRuns: 200 },
    );
  });

  it('property: any other text is refused with E_TEAM_FORMAT, never another exception', () => {
    const good = serializeTeamState(new Map([['/x/protected.yaml', advance(null, { hash: 'h', signed: false, team: null, seq: null, legacy: false, keys: { custodians: { a: 'pwdkm:AA' }, domains: { d: { key: 'K', owners: ['a'] } } }, values: { d: { S: 'v' } } })]]));
    const mutated = fc.tuple(fc.integer({ min: 0, max: good.length - 1 }), fc.string({ maxLength: 3 })).map(([i, s]) => good.slice(0, i) + s + good.slice(i + 1));
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), mutated), (text) => {
        try {
          parseTeamState(text, 'x.json');
        } catch (e) {
          expect(e).toBeInstanceOf(SeeqretError);
          expect((e as SeeqretError).code).toBe('E_TEAM_FORMAT');
        }
      }),
      { numRuns: 500 },
    );
  });

  it('is kept 0600 in a 0700 folder made on first use, and refused when others could have written it', () => {
    const dir = path.join(tmpdir(), 'vault');
    updateTeamState(dir, (s) => s.set('/a', advance(null, { hash: 'h', signed: false, team: null, seq: null, legacy: false, keys: { custodians: {}, domains: {} }, values: {} })));
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    const file = path.join(dir, STATE_FILE);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(readTeamState(dir).size).toBe(1);
    fs.chmodSync(file, 0o620);
    expect(thrownCode(() => readTeamState(dir))).toBe('E_PERMISSIONS');
    fs.chmodSync(file, 0o600);
    fs.writeFileSync(file, '{"format":"nope"}');
    expect(thrownCode(() => readTeamState(dir))).toBe('E_TEAM_FORMAT');
    // An existing folder keeps its mode (a server vault's folder is 0750 on purpose).
    const server = path.join(tmpdir(), 'server');
    fs.mkdirSync(server, { mode: 0o750 });
    fs.chmodSync(server, 0o750);
    updateTeamState(server, () => undefined);
    expect(fs.statSync(server).mode & 0o777).toBe(0o750);
  });
});

describe('judging a file against its pin', () => {
  it('property: what was pinned is "same"; a retired key or value never comes back unnoticed; sequence numbers only go up', () => {
    fc.assert(
      fc.property(observation, observation, fc.boolean(), (o1, o2, trusted) => {
        const sig = trusted ? ({ trusted: true, by: 'x' } as const) : ({ trusted: false, why: null } as const);
        const p1 = advance(null, o1);
        expect(assess(o1, p1, sig).kind).toBe('same');
        const p2 = advance(p1, o2);
        if (o1.hash === o2.hash) return;
        const back = assess(o1, p2, sig);
        const retiredValue = Object.entries(o1.values).some(([d, m]) => Object.entries(m).some(([n, h]) => o2.values[d]?.[n] !== h && !Object.values(o2.values).some((m2) => Object.values(m2).includes(h)) && !Object.values(o1.keys.domains).some((e) => e.key === h)));
        const retiredKey = Object.entries(o1.keys.domains).some(([d, e]) => o2.keys.domains[d]?.key !== e.key && !Object.values(o2.keys.domains).some((x) => x.key === e.key));
        const olderSeq = o1.team !== null && o1.seq !== null && o2.team === o1.team && o2.seq !== null && o1.seq < o2.seq;
        if (retiredValue || retiredKey || olderSeq) expect(back.kind).toBe('rollback');
        // Untrusted and unsigned: any change of keys blocks writes.
        if (!trusted && back.kind !== 'rollback' && keyringChanges(p2.keys, o1.keys).length > 0) expect(back.kind).toBe('untrusted');
      }),
      { numRuns: 400 },
    );
  });

  it('keyring changes: none for equal keyrings, and the fingerprint changes with any change', () => {
    fc.assert(
      fc.property(keyring, keyring, (a, b) => {
        expect(keyringChanges(a, a)).toEqual([]);
        const same = keyringFingerprint(a) === keyringFingerprint(b);
        expect(keyringChanges(a, b).length === 0).toBe(same);
      }),
      { numRuns: 300 },
    );
  });

  it('names such as __proto__ and constructor are data: a custodian or domain so named is a change like any other', () => {
    const tf = TeamFile.create('x.yaml').addCustodian('__proto__', `P${'12'.repeat(32)}P`, 'raw').addCustodian('constructor', `P${'34'.repeat(32)}P`, 'raw');
    const obs = observe(TeamFile.parse(tf.serialize(), 'x.yaml'), Buffer.alloc(64));
    expect(Object.keys(obs.keys.custodians).sort()).toEqual(['__proto__', 'constructor']);
    const empty = { custodians: {}, domains: {} };
    expect(keyringChanges(empty, obs.keys).map((c) => c.split(' (')[0])).toEqual(['new custodian __proto__', 'new custodian constructor']);
    const back = must(parseTeamState(serializeTeamState(new Map([['/p', advance(null, obs)]])), 'x.json').get('/p'));
    expect(keyringChanges(back.keys, obs.keys)).toEqual([]);
    expect(keyringChanges(obs.keys, empty)).toEqual(['custodian __proto__ was removed', 'custodian constructor was removed']);
    const domainNamed = JSON.parse('{"custodians":{},"domains":{"toString":{"key":"S0VZ","owners":["__proto__"]}}}') as Keyring;
    expect(keyringChanges(empty, domainNamed)[0]).toMatch(/^new domain toString /);
    expect(Object.getPrototypeOf(back.keys.custodians)).toBe(Object.prototype);
  });

  it('no pin: an unsigned file is a first use, a signed one with no trusted signature is not trusted; a copy elsewhere is found by its keys', () => {
    const obs: Observation = { hash: 'h1', signed: false, team: null, seq: null, legacy: false, keys: { custodians: { a: 'pwdkm:QUFB' }, domains: { d: { key: 'S0VZ', owners: ['a'] } } }, values: {} };
    expect(assess(obs, null, { trusted: false, why: null }).kind).toBe('first-use');
    expect(assess({ ...obs, signed: true }, null, { trusted: false, why: 'x' }).kind).toBe('untrusted');
    expect(assess({ ...obs, signed: true }, null, { trusted: true, by: 'a' }).kind).toBe('signed');
    const state = new Map([['/repo/protected.yaml', advance(null, obs)]]);
    expect(findPin(state, '/clone/protected.yaml', { ...obs, hash: 'h2' })?.from).toBe('/repo/protected.yaml');
    expect(findPin(state, '/other/protected.yaml', { ...obs, keys: { custodians: { a: 'pwdkm:QkJC' }, domains: { d: { key: 'T1RIRVI=', owners: ['a'] } } } })).toBeNull();
  });
});
