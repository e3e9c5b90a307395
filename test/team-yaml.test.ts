/**
 * The team store's YAML emitter against ruamel.yaml (the old tool's dumper): vectors made by
 * test/vectors/team-yaml.gen.py, plus properties checked with the `yaml` parser.
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { emitItem, emitKey, emitPair, isSimpleKey } from '../src/team/yaml.js';
import { ROOT } from './helpers.js';

const vectors = JSON.parse(fs.readFileSync(path.join(ROOT, 'test', 'vectors', 'team-yaml.json'), 'utf8')) as Array<{ s: string; yaml: string }>;

describe('team YAML emitter', () => {
  it(`writes ${vectors.length} generated strings exactly as ruamel.yaml does`, () => {
    let keys = 0;
    for (const { s, yaml } of vectors) {
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
  });
});
