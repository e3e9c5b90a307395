/**
 * The secret-reference grammar (src/inject/reference.ts): examples both ways, a round trip over
 * every valid name, and hostile text that is never anything but E_REFERENCE_SYNTAX.
 */
import fc from 'fast-check';
import { binaryString } from './fc-helpers.js';
import { describe, expect, it } from 'vitest';
import { SeeqretError } from '../src/errors.js';
import { findPlaceholders } from '../src/inject/inject-file.js';
import { type SecretReference, formatReference, isReference, parseReference } from '../src/inject/reference.js';
import { nameProblem } from '../src/vault/names.js';
import { thrownCode } from './helpers.js';

/** Names as the vault accepts them: any characters but the forbidden ones, `%`, `/`, `{`, `}` included. */
const nameChar = fc.oneof(
  fc.constantFrom('a', 'Z', '0', '_', '-', '.', '/', '%', '{', '}', 'é', '😀', '~', '!', '@', '+', '|', '"', "'"),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
);
const nameArb = (kind: 'app' | 'env' | 'key'): fc.Arbitrary<string> =>
  fc.array(nameChar, { minLength: 1, maxLength: 12 }).map((cs) => cs.join('')).filter((n) => nameProblem(kind, n) === null);
const refArb: fc.Arbitrary<SecretReference> = fc.oneof(
  nameArb('key').map((key) => ({ key })),
  fc.record({ app: fc.oneof(nameArb('app'), fc.constant('*')), env: fc.oneof(nameArb('env'), fc.constant('*')), key: nameArb('key') }),
);

describe('parseReference', () => {
  it('reads the long and the short form, global parts and %-escapes', () => {
    expect(parseReference('seeqret://myapp/dev/DB_URL')).toEqual({ app: 'myapp', env: 'dev', key: 'DB_URL' });
    expect(parseReference('seeqret://DB_URL')).toEqual({ key: 'DB_URL' });
    expect(parseReference('seeqret://*/*/TOKEN')).toEqual({ app: '*', env: '*', key: 'TOKEN' });
    expect(parseReference('seeqret://web/prod/certs%2Fserver.pem')).toEqual({ app: 'web', env: 'prod', key: 'certs/server.pem' });
    expect(parseReference('seeqret://a/b/100%25')).toEqual({ app: 'a', env: 'b', key: '100%' });
    expect(parseReference('seeqret://a/b/caf%C3%A9')).toEqual({ app: 'a', env: 'b', key: 'café' });
  });

  it('refuses everything else with E_REFERENCE_SYNTAX', () => {
    for (const bad of [
      'seeqret://',
      'seeqret://a/b',
      'seeqret://a/b/c/d',
      'seeqret://a//c',
      'seeqret:///b/c',
      'seeqret://a/b/',
      'SEEQRET://a/b/c',
      'Seeqret://KEY',
      'seeqret://a/b/c d',
      'seeqret://a/b/x:y',
      'seeqret://a/b/*',
      'seeqret://*',
      'seeqret://a/b/%',
      'seeqret://a/b/%2',
      'seeqret://a/b/%zz',
      'seeqret://a/b/%C3',
      'seeqret://a/b/%FF',
      'seeqret://a/b/%00',
      'seeqret://a/b/%3A',
      'seeqret://a/b/k\u0000',
      'seeqret://a/b/k\u200b',
      'https://a/b/c',
      `seeqret://a/b/${'k'.repeat(256)}`,
    ]) {
      expect([bad, thrownCode(() => parseReference(bad))]).toEqual([bad, 'E_REFERENCE_SYNTAX']);
    }
  });

  it('never puts more than 80 characters of the text, or a control character, in the message', () => {
    const e = (() => {
      try {
        parseReference(`seeqret://a/b/\u001b[31m${'x'.repeat(500)}:`);
      } catch (err) {
        return err as SeeqretError;
      }
      throw new Error('no error');
    })();
    expect(e.message).not.toContain('\u001b');
    expect(e.message).not.toContain('x'.repeat(81));
  });

  it('isReference: the scheme in any letter case, nothing else', () => {
    expect(isReference('seeqret://x')).toBe(true);
    expect(isReference('SeeQret://x')).toBe(true);
    expect(isReference('seeqret:/x')).toBe(false);
    expect(isReference(' seeqret://x')).toBe(false);
    expect(isReference('')).toBe(false);
  });
});

describe('properties', () => {
  it('parse(format(r)) is r for every valid reference, and the text has no %, /, { or } but as escapes and separators', () => {
    fc.assert(
      fc.property(refArb, (ref) => {
        const text = formatReference(ref);
        expect(isReference(text)).toBe(true);
        expect(parseReference(text)).toEqual(ref);
        expect(text.slice('seeqret://'.length).split('/')).toHaveLength(ref.app === undefined ? 1 : 3);
        expect(/[{}]/.test(text)).toBe(false);
        // A formatted reference stands inside {{ … }} as one placeholder.
        const found = findPlaceholders(`x {{ ${text} }} y`);
        expect(found.malformed).toEqual([]);
        expect(found.placeholders.map((p) => p.reference)).toEqual([text]);
      }),
      { numRuns: 500 },
    );
  });

  it('hostile text: parseReference returns a valid reference or throws E_REFERENCE_SYNTAX, never anything else', () => {
    const hostile = fc.oneof(
      binaryString({ maxLength: 80 }).map((s) => `seeqret://${s}`),
      fc.array(fc.constantFrom('seeqret://', '/', '%', '%2F', '%C3', '%A9', '*', ':', 'a', ' ', '\u0000', '\ud800', '😀', '%25', '{', '}'), { maxLength: 20 }).map((p) => p.join('')),
      binaryString({ maxLength: 40 }),
    );
    fc.assert(
      fc.property(hostile, (text) => {
        try {
          const ref = parseReference(text);
          for (const [kind, name] of [['app', ref.app], ['env', ref.env], ['key', ref.key]] as const) if (name !== undefined) expect(nameProblem(kind, name)).toBeNull();
          expect(parseReference(formatReference(ref))).toEqual(ref);
        } catch (e) {
          expect(e).toBeInstanceOf(SeeqretError);
          expect((e as SeeqretError).code).toBe('E_REFERENCE_SYNTAX');
        }
      }),
      { numRuns: 600 },
    );
  });

  it('findPlaceholders never throws and reports every {{ seeqret: opening as a placeholder or as malformed', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('{{', '}}', ' ', '\n', 'seeqret://', 'SEEQRET://', 'a/b/c', 'seeqret:', '\t', 'x', '{', '}'), { maxLength: 30 }), (parts) => {
        const text = parts.join('');
        const { placeholders, malformed } = findPlaceholders(text);
        const openings = [...text.matchAll(/\{\{[ \t]*seeqret:/gi)].length;
        expect(placeholders.length + malformed.length).toBe(openings);
        for (const p of placeholders) expect(text.slice(p.start, p.end)).toMatch(/^\{\{[ \t]*seeqret:\/\/[^\s{}]*[ \t]*\}\}$/i);
      }),
    );
  });
});
