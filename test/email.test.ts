/**
 * The e-mail address validator: exactly one bare address. Checked against nodemailer's own address
 * parser (the reader that turns a `to` string into SMTP recipients): every string the validator
 * accepts is read back as exactly that one address, with no display name.
 */
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_EMAIL_LENGTH, checkEmail, isEmailAddress } from '../src/util/email.js';
import { thrownCode } from './helpers.js';

const addressparser = createRequire(import.meta.url)('nodemailer/lib/addressparser') as (text: string) => Array<{ address?: string; name?: string; group?: unknown[] }>;

const LOCAL_CHARS = [...Array.from('abcXYZ09!#$%&\'*+/=?^_`{|}~-'), 'é', 'ü', '中'];
const local = fc.array(fc.stringMatching(/^[a-z0-9!#$%&'*+/=?^_`{|}~-]{1,8}$/), { minLength: 1, maxLength: 3 }).map((parts) => parts.join('.'));
const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/);
const domain = fc.array(label, { minLength: 1, maxLength: 3 }).map((l) => l.join('.'));
const address = fc.tuple(local, domain).map(([l, d]) => `${l}@${d}`);

describe('isEmailAddress / checkEmail', () => {
  it('accepts plain addresses, including ones a host name makes without dots and non-ASCII letters', () => {
    for (const a of ['alice@example.com', 'o\'brien+tag@ex-ample.co.uk', 'web1@vm', 'a.b.c@x.y', 'jörg@bücher.example', `${'a'.repeat(64)}@x.org`, `a@${'b'.repeat(63)}.org`]) {
      expect(isEmailAddress(a), a).toBe(true);
      expect(checkEmail(a, 'x')).toBe(a);
    }
    expect(LOCAL_CHARS.every((c) => isEmailAddress(`${c}@x.org`))).toBe(true);
  });

  it('refuses lists, display names, comments, quotes, whitespace, control characters and oversize addresses', () => {
    const bad = [
      '', '@x.org', 'a@', 'a', 'a@@x.org', 'a@x.org, b@y.org', 'a@x.org;b@y.org', 'a@x.org,', 'Bob <a@x.org>', '<a@x.org>', 'a@x.org (Bob)',
      '"a b"@x.org', '"a@x.org"', 'a b@x.org', 'a@x .org', 'a@x.org\r\nBcc: e@y.org', 'a@x.org\n', 'a\0@x.org', 'a@x.org\t', '.a@x.org', 'a.@x.org',
      'a..b@x.org', 'a@x..org', 'a@-x.org', 'a@x-.org', 'a@[127.0.0.1]', 'a:b@x.org', 'a\\b@x.org', 'a@x.org\u2028', 'a\u202e@x.org',
      `${'a'.repeat(65)}@x.org`, `a@${'b'.repeat(64)}.org`, `a@${'b.'.repeat(130)}org`,
    ];
    for (const b of bad) {
      expect(isEmailAddress(b), JSON.stringify(b)).toBe(false);
      expect(thrownCode(() => checkEmail(b, '--email'))).toBe('E_USAGE');
    }
  });

  it('the error names the source and shows the address escaped, on one line', () => {
    try {
      checkEmail('a@x.org\r\nBcc: e@y.org', '--email');
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).toBe("--email is not one e-mail address: 'a@x.org\\u{d}\\nBcc: e@y.org'");
    }
  });

  it('property: generated addresses are accepted and nodemailer reads each back as that one address', () => {
    fc.assert(
      fc.property(address, (a) => {
        expect(isEmailAddress(a)).toBe(a.length <= MAX_EMAIL_LENGTH);
        const parsed = addressparser(a);
        expect(parsed).toEqual([{ address: a, name: '' }]);
      }),
      { numRuns: 500 },
    );
  });

  it('property: any string accepted is exactly one recipient for nodemailer, never a list or a named address', () => {
    const hostileChars = fc.constantFrom('a', 'b', '@', '.', ',', ';', ' ', '<', '>', '"', '(', ')', ':', '\\', '\r', '\n', '\0', '\t', '-', '+', "'", 'é', '\u2028');
    fc.assert(
      fc.property(fc.array(hostileChars, { maxLength: 24 }).map((cs) => cs.join('')), (s) => {
        if (!isEmailAddress(s)) return;
        expect(s).not.toMatch(/[\s,;<>"():\\\0\u2028]/);
        expect(addressparser(s)).toEqual([{ address: s, name: '' }]);
      }),
      { numRuns: 3000 },
    );
  });
});
