/**
 * The team store's YAML emitter against ruamel.yaml (the old tool's dumper): vectors made by
 * test/vectors/team-yaml.gen.py, plus properties checked with the `yaml` parser.
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { emitItem, emitKey, emitPair, isPlainItem, isPlainKey, isPlainValue, isSimpleKey } from '../src/team/yaml.js';
import { ROOT } from './helpers.js';
import { must } from './must.js';

const vectors = JSON.parse(fs.readFileSync(path.join(ROOT, 'test', 'vectors', 'team-yaml.json'), 'utf8')) as Array<{ s: string; yaml: string }>;

describe('team YAML emitter', () => {
  it(`writes ${vectors.length} generated strings exactly as ruamel.yaml does (except NEL/LS/PS)`, () => {
    let keys = 0;
    let breaks = 0;
    for (const { s, yaml } of vectors) {
      if (/[\x85\u2028\u2029]/.test(s)) {
        // Deliberate departure (src/team/yaml.ts): double quotes with escapes, read back by any reader.
        breaks++;
        expect(emitItem(s).startsWith('- "')).toBe(true);
        expect((parse(`a:\n${emitItem(s)}`) as { a: string[] }).a[0]).toBe(s);
        continue;
      }
      const item = 'audit-log:\n' + emitItem(s);
      expect(yaml.slice(yaml.lastIndexOf('audit-log:\n')), JSON.stringify(s)).toBe(item);
      if (isSimpleKey(s)) {
        keys++;
        const doc = emitKey(s, 0) + '\n' + emitPair('zz-x', s, 2) + 'zz-k:\n' + emitPair(s, s, 2) + item;
        expect(doc, JSON.stringify(s)).toBe(yaml);
      } else {
        expect(yaml.startsWith('? '), JSON.stringify(s)).toBe(true);
      }
    }
    expect(keys).toBeGreaterThan(vectors.length / 2);
    expect(breaks).toBeLessThan(vectors.length / 5);
  });

  it('the reader\'s shortcuts agree with the emitter (vectors and generated strings)', () => {
    const check = (s: string): void => {
      if (isPlainItem(s)) expect(emitItem(s), JSON.stringify(s)).toBe(`- ${s}\n`);
      if (isPlainKey(s)) expect(emitKey(s, 2), JSON.stringify(s)).toBe(`  ${s}:`);
      if (isPlainKey(s) && isPlainValue(s)) expect(emitPair(s, s, 4), JSON.stringify(s)).toBe(`    ${s}: ${s}\n`);
    };
    let plain = 0;
    for (const { s, yaml } of vectors) {
      check(s);
      if (isPlainItem(s)) {
        plain++;
        expect(yaml.endsWith(`audit-log:\n- ${s}\n`)).toBe(true);
      }
    }
    expect(plain).toBeGreaterThan(50);
    const ascii = fc.string({ unit: fc.constantFrom(...'aZ09 :#-.@+/=\'"tTrRuUeEnNlL~<_'.split('')), maxLength: 120 });
    fc.assert(fc.property(ascii, (s) => { check(s); }), { numRuns: 2000 });
    for (const s of ['true', 'null', 'Null', 'NULL', 'False', '2026-11-24', '123', 'a: b', 'a:', 'a #b', 'a ', '- a', 'x'.repeat(100)]) expect(isPlainItem(s) && isPlainKey(s), s).toBe(false);
  });
});

describe('the unified diff of --confirm', () => {
  /** Apply a unified diff (as unifiedDiff writes it) to `before`. */
  function apply(before: string, diff: string): string {
    const a = before.split('\n');
    if (a[a.length - 1] === '') a.pop();
    const out: string[] = [];
    let pos = 0;
    const lines = diff.split('\n').slice(2);
    for (let k = 0; k < lines.length; k++) {
      const m = /^@@ -(\d+),(\d+) \+\d+,\d+ @@$/.exec(must(lines[k]));
      if (!m) continue;
      const start = Number(m[2]) === 0 ? Number(m[1]) : Number(m[1]) - 1;
      while (pos < start) out.push(must(a[pos++]));
      for (k++; k < lines.length && !must(lines[k]).startsWith('@@') && lines[k] !== ''; k++) {
        const l = must(lines[k]);
        if (l[0] === ' ') {
          expect(a[pos]).toBe(l.slice(1));
          out.push(must(a[pos++]));
        } else if (l[0] === '-') {
          expect(a[pos]).toBe(l.slice(1));
          pos++;
        } else out.push(l.slice(1));
      }
      k--;
    }
    while (pos < a.length) out.push(must(a[pos++]));
    return out.length ? out.join('\n') + '\n' : '';
  }

  it('property: applying the diff to the old text gives the new text', async () => {
    const { unifiedDiff } = await import('../src/team/diff.js');
    const line = fc.constantFrom('a', 'b', 'c', 'd', '  key: value', '- entry', 'x y');
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), fc.array(line, { maxLength: 30 }), (x, y) => {
        const before = x.length ? x.join('\n') + '\n' : '';
        const after = y.length ? y.join('\n') + '\n' : '';
        const d = unifiedDiff(before, after, 'old', 'new', 2);
        if (before === after) expect(d).toBe('');
        else {
          expect(d.startsWith('--- old\n+++ new\n@@ ')).toBe(true);
          expect(apply(before, d)).toBe(after);
        }
      }),
      { numRuns: 500 },
    );
  });
});
