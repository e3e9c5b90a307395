/**
 * SHA-512 crypt: the test vectors published with the specification (Drepper, "Unix crypt using
 * SHA-256 and SHA-512"), agreement with `openssl passwd -6` on random inputs, and the parser.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseShaCryptSetting, randomShaCryptSalt, sha512Crypt, verifyShaCrypt } from '../src/crypto/shacrypt.js';
import { isSeeqretError } from '../src/errors.js';

/** The SHA-512 vectors of the specification: [setting, password, expected]. */
const SPEC_VECTORS: ReadonlyArray<readonly [string, string, string]> = [
  ['$6$saltstring', 'Hello world!', '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1'],
  [
    '$6$rounds=10000$saltstringsaltstring',
    'Hello world!',
    '$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.',
  ],
  [
    '$6$rounds=5000$toolongsaltstring',
    'This is just a test',
    '$6$rounds=5000$toolongsaltstrin$lQ8jolhgVRVhY4b5pZKaysCLi0QBxGoNeKQzQ3glMhwllF7oGDZxUhx1yxdYcz/e1JSbq3y6JMxxl8audkUEm0',
  ],
  [
    '$6$rounds=1400$anotherlongsaltstring',
    'a very much longer text to encrypt.  This one even stretches over morethan one line.',
    '$6$rounds=1400$anotherlongsalts$POfYwTEok97VWcjxIiSOjiykti.o/pQs.wPvMxQ6Fm7I6IoYN3CmLs66x9t0oSwbtEW7o7UmJEiDwGqd8p4ur1',
  ],
  [
    '$6$rounds=77777$short',
    'we have a short salt string but not a short password',
    '$6$rounds=77777$short$WuQyW2YR.hBNpjjRhpYD/ifIw05xdfeEyQoMxIXbkvr0gge1a1x3yRULJ5CCaUeOxFmtlcGZelFl5CxtgfiAc0',
  ],
  [
    '$6$rounds=123456$asaltof16chars..',
    'a short string',
    '$6$rounds=123456$asaltof16chars..$BtCwjqMJGx5hrJhZywWvt0RLE8uZ4oPwcelCjmw2kSYu.Ec6ycULevoBK25fs2xXgMNrCzIMVcgEJAstJeonj1',
  ],
  [
    '$6$rounds=10$roundstoolow',
    'the minimum number is still observed',
    '$6$rounds=1000$roundstoolow$kUMsbe306n21p9R.FRkW3IGn.S9NPN0x50YhH1xhLsPuWGsUSklZt58jaTfF4ZEQpyUNGc0dqbpBYYBaHHrsX.',
  ],
];

function cryptSetting(setting: string, password: string): string {
  const { salt, rounds } = parseShaCryptSetting(setting);
  return sha512Crypt(password, salt, /^\$6\$rounds=/.test(setting) ? rounds : undefined);
}

/**
 * `openssl passwd -6` for each of `passwords` with one salt and rounds: one process, which reads a
 * password a line from stdin (so any byte but newline works) and prints a hash a line.
 */
function opensslMany(passwords: readonly string[], salt: string, rounds?: number): string[] {
  const r = spawnSync('openssl', ['passwd', '-6', '-salt', rounds === undefined ? salt : `rounds=${rounds}$${salt}`, '-stdin'], {
    input: passwords.map((p) => `${p}\n`).join(''),
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`);
  const out = r.stdout.trim().split('\n');
  if (out.length !== passwords.length) throw new Error(`openssl printed ${out.length} hashes for ${passwords.length} passwords`);
  return out;
}

/** `openssl passwd -6` for one password. */
function openssl(password: string, salt: string, rounds?: number): string {
  return opensslMany([password], salt, rounds)[0] ?? '';
}

describe('sha512Crypt', () => {
  it("reproduces the specification's published SHA-512 test vectors", () => {
    for (const [setting, password, expected] of SPEC_VECTORS) {
      expect(cryptSetting(setting, password)).toBe(expected);
      expect(verifyShaCrypt(password, expected)).toBe(true);
      expect(verifyShaCrypt(`${password}x`, expected)).toBe(false);
    }
  });

  it('agrees with `openssl passwd -6` on random passwords, salts and rounds (property)', () => {
    const saltChar = fc.constantFrom(...Array.from('./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'));
    const password = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }),
      fc.string({ minLength: 60, maxLength: 200 }), // longer than one SHA-512 digest
    );
    fc.assert(
      fc.property(
        password.filter((p) => p !== '' && !/[\n\r\0]/.test(p)), // openssl 3 refuses an empty password
        fc.string({ unit: saltChar, minLength: 1, maxLength: 16 }),
        fc.option(fc.integer({ min: 1000, max: 3000 }), { nil: undefined }),
        (pw, salt, rounds) => {
          expect(sha512Crypt(pw, salt, rounds)).toBe(openssl(pw, salt, rounds));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('handles the empty password, password lengths around 64 bytes and a random salt', () => {
    // One openssl process for the seven lengths (one salt): a hash a line, in order.
    const lengths = [1, 63, 64, 65, 127, 128, 129].map((n) => 'p'.repeat(n));
    const theirs = opensslMany(lengths, 'abcdefgh');
    lengths.forEach((pw, i) => {
      expect(sha512Crypt(pw, 'abcdefgh'), `${pw.length} bytes`).toBe(theirs[i]);
    });
    // openssl 3 refuses an empty password; the C library's crypt(3) (through Python) does not.
    const libc = spawnSync(fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3', ['-W', 'ignore', '-c', "import crypt; print(crypt.crypt('', '$6$abcdefgh'))"], { encoding: 'utf8' });
    if (libc.status === 0 && libc.stdout.startsWith('$6$')) expect(sha512Crypt('', 'abcdefgh')).toBe(libc.stdout.trim());
    else expect(sha512Crypt('', 'abcdefgh')).toMatch(/^\$6\$abcdefgh\$[./0-9A-Za-z]{86}$/);
    const salt = randomShaCryptSalt();
    expect(salt).toMatch(/^[./0-9A-Za-z]{16}$/);
    expect(randomShaCryptSalt()).not.toBe(salt);
    const h = sha512Crypt('Secret', salt);
    expect(h).toBe(openssl('Secret', salt));
    expect(verifyShaCrypt('Secret', h)).toBe(true);
  });

  it('refuses salts that would break the output, and non-integer rounds', () => {
    for (const s of ['a$b', 'a:b', 'a\nb', 'a\0b']) {
      let err: unknown;
      try {
        sha512Crypt('x', s);
      } catch (e) {
        err = e;
      }
      expect(isSeeqretError(err, 'E_BAD_VALUE')).toBe(true);
    }
    expect(() => sha512Crypt('x', 'abc', 1.5)).toThrow(/integer/);
  });
});

describe('parseShaCryptSetting', () => {
  it('reads salt and rounds as the specification does', () => {
    expect(parseShaCryptSetting('$6$abc')).toEqual({ salt: 'abc', rounds: undefined });
    expect(parseShaCryptSetting('$6$abc$hash')).toEqual({ salt: 'abc', rounds: undefined });
    expect(parseShaCryptSetting('$6$rounds=5$abc')).toEqual({ salt: 'abc', rounds: 1000 });
    expect(parseShaCryptSetting('$6$rounds=9999999999$abc')).toEqual({ salt: 'abc', rounds: 999_999_999 });
    expect(parseShaCryptSetting('$6$0123456789abcdefXYZ$h')).toEqual({ salt: '0123456789abcdef', rounds: undefined });
    expect(() => parseShaCryptSetting('$5$abc')).toThrow(/\$6\$/);
    expect(() => parseShaCryptSetting('$6$rounds=x$abc')).toThrow(/rounds/);
  });

  it('round-trips what sha512Crypt writes (property)', () => {
    const saltChar = fc.constantFrom(...Array.from('./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'));
    fc.assert(
      fc.property(fc.string({ unit: saltChar, minLength: 1, maxLength: 16 }), fc.option(fc.integer({ min: 1000, max: 1200 }), { nil: undefined }), fc.string({ maxLength: 10 }), (salt, rounds, pw) => {
        const h = sha512Crypt(pw, salt, rounds);
        expect(parseShaCryptSetting(h)).toEqual({ salt, rounds });
        expect(verifyShaCrypt(pw, h)).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it('never throws anything but a SeeqretError on arbitrary text (property)', () => {
    fc.assert(
      fc.property(fc.string(), (t) => {
        try {
          const r = parseShaCryptSetting(`$6$${t}`);
          expect(r.salt.length).toBeLessThanOrEqual(16);
          expect(r.salt.includes('$')).toBe(false);
        } catch (e) {
          expect(isSeeqretError(e, 'E_BAD_VALUE')).toBe(true);
        }
      }),
    );
  });
});
