/**
 * SecureStore v3: the crypto primitives, the vault and key-file formats and the library
 * (`SecretsManager`, `KeySource`), checked against the shared fixture (made with fixed IVs and
 * checked with the official JavaScript library), plus tampering, versions, malformed input,
 * property tests of every parser and of save → load, and atomic writes under SIGKILL.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { binaryString } from './fc-helpers.js';
import { describe, expect, it } from 'vitest';
import { SS_PBKDF2_ROUNDS, ssDecrypt, ssDeriveKey, ssEncrypt } from '../src/crypto/securestore.js';
import { SeeqretError, type ErrorCode } from '../src/errors.js';
import { compareNames, decodeBase64Strict, parseVault, parseVaultObject, serializeVault } from '../src/securestore/format.js';
import { formatKeyFile, ignoreKeyFile, parseKeyFile, readKeyFile } from '../src/securestore/keyfile.js';
import { KeySource, SecretsManager } from '../src/securestore/manager.js';
import { ROOT, SHARED, type SsEntry, type SsFile, ssEntry, ssFile, tmpdir } from './helpers.js';
import { flip as flipByte, must } from './must.js';

const FIX = path.join(SHARED, 'fixtures', 'securestore-v3');
const FIXTURE_FILE = path.join(FIX, 'fixture.json');
const FIXTURE_TEXT = fs.readFileSync(FIXTURE_FILE, 'utf8');
const FIXTURE_README = fs.readFileSync(path.join(FIX, 'README.md'), 'utf8');
const PASSWORD = must(must(/Password `([^`]+)`/.exec(FIXTURE_README))[1]);
const MASTER = Buffer.from(must(must(/Master key \(hex\): ([0-9a-f]{64})/.exec(FIXTURE_README))[1]), 'hex');
/** `name = value` pairs listed in the fixture README. */
const EXPECTED: Record<string, string> = Object.fromEntries(
  [...must(must(/^- Secrets: (.*)$/m.exec(FIXTURE_README))[1]).matchAll(/`([^`=]+) = ([^`]+)`/g)].map((m) => [must(m[1]), must(m[2])]),
);
const PLAINTEXTS = Object.values(EXPECTED);

/** Run `fn`, expect a SeeqretError with `code`, one-line message and fix, no plaintext in them. */
function expectError(fn: () => unknown, code: ErrorCode): SeeqretError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(SeeqretError);
  const se = err as SeeqretError;
  expect(se.code).toBe(code);
  expect(se.message).not.toMatch(/[\r\n]/);
  expect(se.fix).not.toMatch(/[\r\n]/);
  for (const p of [...PLAINTEXTS, PASSWORD]) expect(`${se.message} ${se.fix}`).not.toContain(p);
  return se;
}

/** The fixture with `edit` applied to its parsed JSON. */
function editedFixture(edit: (d: SsFile) => void): string {
  const d = ssFile(FIXTURE_TEXT);
  edit(d);
  return JSON.stringify(d, null, 2);
}

/** Flip one bit of a base64 field. */
function flip(b64: string, byte = 0, bit = 0): string {
  const b = Buffer.from(b64, 'base64');
  flipByte(b, byte, 1 << bit);
  return b.toString('base64');
}

const iv = (first: number): Buffer => Buffer.from(Array.from({ length: 16 }, (_, i) => first + i));

describe('the fixture', () => {
  it('README lists the three secrets and the password', () => {
    expect(EXPECTED).toEqual({ 'db:password': 'pgsql123', 'db:username': 'pgadmin', unicode: 'päss✓' });
    expect(PASSWORD).toBe('password123');
  });

  it('the known KDF vector: PBKDF2-HMAC-SHA1(password123, 16 zero bytes, 256000, 20 bytes)', () => {
    expect(SS_PBKDF2_ROUNDS).toBe(256_000);
    expect(ssDeriveKey(Buffer.from(PASSWORD), Buffer.alloc(16), 256_000, 20).toString('base64')).toBe('U5GGvWc15H96NUzIF1cDdy82mJU=');
  });

  it('the password with the vault salt gives the listed master key', () => {
    const salt = parseVault(FIXTURE_TEXT).salt;
    expect(ssDeriveKey(Buffer.from(PASSWORD), salt).equals(MASTER)).toBe(true);
  });

  const sources: Array<[string, () => KeySource]> = [
    ['the password', () => KeySource.fromPassword(PASSWORD)],
    ['the PEM-style key file', () => KeySource.fromFile(path.join(FIX, 'fixture.key'))],
    ['the raw binary key file', () => KeySource.fromFile(path.join(FIX, 'fixture.bin.key'))],
    ['the raw key (bytes)', () => KeySource.fromKey(MASTER)],
    ['the raw key (array of byte values)', () => KeySource.fromKey([...MASTER])],
    ['the key file text', () => KeySource.fromKey(fs.readFileSync(path.join(FIX, 'fixture.key'), 'utf8'))],
    ['the key as base64', () => KeySource.fromKey(MASTER.toString('base64'))],
  ];
  for (const [what, source] of sources) {
    it(`opens with ${what} and gives the listed plaintexts`, () => {
      const s = SecretsManager.fromFile(FIXTURE_FILE, source());
      expect(s.keys()).toEqual(Object.keys(EXPECTED).sort(compareNames));
      for (const [k, v] of Object.entries(EXPECTED)) expect(s.get(k)).toBe(v);
      expect(s.get('missing')).toBeNull();
      expect(s.getBytes('missing')).toBeNull();
      expect(s.path).toBe(FIXTURE_FILE);
    });
  }

  it('fromJSON (text and bytes) and fromObject open it too', () => {
    const k = KeySource.fromKey(MASTER);
    expect(SecretsManager.fromJSON(FIXTURE_TEXT, k).get('unicode')).toBe('päss✓');
    expect(SecretsManager.fromJSON(Buffer.from(FIXTURE_TEXT), k).get('db:username')).toBe('pgadmin');
    expect(SecretsManager.fromJSON(`\ufeff${FIXTURE_TEXT}`, k).get('db:username')).toBe('pgadmin');
    expect(SecretsManager.fromObject(JSON.parse(FIXTURE_TEXT), k).get('db:password')).toBe('pgsql123');
  });

  it('the sentinel decrypts to the bytes 0x20..0x3f', () => {
    const v = parseVault(FIXTURE_TEXT);
    const p = ssDecrypt(MASTER, must(v.sentinel));
    expect(Buffer.isBuffer(p) && p.equals(Buffer.from(Array.from({ length: 32 }, (_, i) => 0x20 + i)))).toBe(true);
  });

  it('our writer, given the same salt, IVs and key, reproduces fixture.json byte for byte', () => {
    const secrets = new Map([
      ['unicode', ssEncrypt(MASTER, Buffer.from('päss✓'), iv(0x60))],
      ['db:username', ssEncrypt(MASTER, Buffer.from('pgadmin'), iv(0x50))],
      ['db:password', ssEncrypt(MASTER, Buffer.from('pgsql123'), iv(0x40))],
    ]);
    const sentinel = ssEncrypt(MASTER, Buffer.from(Array.from({ length: 32 }, (_, i) => 0x20 + i)), iv(0x10));
    const text = serializeVault({ salt: iv(0), sentinel, secrets });
    expect(text).toBe(FIXTURE_TEXT);
    expect(Buffer.from(text).equals(fs.readFileSync(FIXTURE_FILE))).toBe(true);
  });

  it('the PEM-style key file we write is fixture.key byte for byte (99 bytes)', () => {
    const pem = formatKeyFile(MASTER);
    expect(Buffer.from(pem).equals(fs.readFileSync(path.join(FIX, 'fixture.key')))).toBe(true);
    expect(Buffer.byteLength(pem)).toBe(99);
    expect(readKeyFile(path.join(FIX, 'fixture.bin.key')).equals(MASTER)).toBe(true);
  });

  it('load then save without changes writes the same bytes; exportKey writes fixture.key (0600)', () => {
    const dir = tmpdir();
    const s = SecretsManager.fromFile(FIXTURE_FILE, KeySource.fromPassword(PASSWORD));
    s.save(path.join(dir, 'copy.json'));
    expect(fs.readFileSync(path.join(dir, 'copy.json'), 'utf8')).toBe(FIXTURE_TEXT);
    expect(fs.statSync(path.join(dir, 'copy.json')).mode & 0o777).toBe(0o600);
    s.exportKey(path.join(dir, 'k.key'));
    expect(fs.readFileSync(path.join(dir, 'k.key'), 'utf8')).toBe(fs.readFileSync(path.join(FIX, 'fixture.key'), 'utf8'));
    expect(fs.statSync(path.join(dir, 'k.key')).mode & 0o777).toBe(0o600);
  });

  it('changing one secret re-encrypts only that entry; the others stay byte-identical', () => {
    const dir = tmpdir();
    const file = path.join(dir, 'secrets.json');
    fs.copyFileSync(FIXTURE_FILE, file);
    const s = SecretsManager.fromFile(file, KeySource.fromKey(MASTER));
    s.set('db:password', 'new-password');
    s.save();
    const before = ssFile(FIXTURE_TEXT);
    const after = ssFile(fs.readFileSync(file, 'utf8'));
    expect(after.sentinel).toEqual(before.sentinel);
    expect(after.iv).toBe(before.iv);
    expect(after.secrets['db:username']).toEqual(before.secrets['db:username']);
    expect(after.secrets['unicode']).toEqual(before.secrets['unicode']);
    expect(ssEntry(after, 'db:password').iv).not.toBe(ssEntry(before, 'db:password').iv);
    expect(SecretsManager.fromFile(file, KeySource.fromPassword(PASSWORD)).get('db:password')).toBe('new-password');
  });
});

describe('wrong keys, tampering, versions', () => {
  it('a wrong password is reported as such (sentinel), as is a wrong key', () => {
    const e = expectError(() => SecretsManager.fromFile(FIXTURE_FILE, KeySource.fromPassword('password124')), 'E_SS_WRONG_KEY');
    expect(e.message).toContain('password');
    expect(e.message).toContain('sentinel');
    expect(e.exitCode).toBe(6);
    const other = Buffer.from(MASTER);
    flipByte(other, 31, 1);
    expectError(() => SecretsManager.fromJSON(FIXTURE_TEXT, KeySource.fromKey(other)), 'E_SS_WRONG_KEY');
  });

  it('a modified sentinel is refused on load', () => {
    const text = editedFixture((d) => (d.sentinel.payload = flip(d.sentinel.payload, 5)));
    expectError(() => SecretsManager.fromJSON(text, KeySource.fromKey(MASTER)), 'E_SS_WRONG_KEY');
  });

  for (const field of ['hmac', 'payload', 'iv'] as const) {
    it(`a modified ${field} is refused when the secret is read; the other secrets still open`, () => {
      const text = editedFixture((d) => {
        const e = ssEntry(d, 'db:password');
        e[field] = flip(e[field], 3, 2);
      });
      const s = SecretsManager.fromJSON(text, KeySource.fromKey(MASTER));
      const e = expectError(() => s.get('db:password'), 'E_SS_AUTH');
      expect(e.message).toContain('HMAC');
      expect(s.get('db:username')).toBe('pgadmin');
    });
  }

  it('the HMAC is checked before decrypting: a payload whose padding would be invalid fails on the HMAC', () => {
    const v = parseVault(FIXTURE_TEXT);
    const entry = must(v.secrets.get('db:password'));
    // Replace the (only) block with garbage: decrypting it would almost surely fail the padding check.
    const garbage = { ...entry, payload: Buffer.alloc(16, 0xa5) };
    expect(ssDecrypt(MASTER, garbage)).toBe('hmac');
    // With a valid HMAC over the garbage, the same payload reaches decryption and fails on padding.
    const hmac = createHmac('sha1', MASTER.subarray(16)).update(entry.iv).update(garbage.payload).digest();
    expect(ssDecrypt(MASTER, { ...garbage, hmac })).toBe('padding');
  });

  it('an entry swapped under another name still opens (SecureStore does not bind names), a swapped IV does not', () => {
    const text = editedFixture((d) => {
      d.secrets['db:password'] = { ...ssEntry(d, 'db:password'), iv: ssEntry(d, 'db:username').iv };
    });
    expectError(() => SecretsManager.fromJSON(text, KeySource.fromKey(MASTER)).get('db:password'), 'E_SS_AUTH');
  });

  it('without a sentinel it opens, and the next save adds one', () => {
    const dir = tmpdir();
    const file = path.join(dir, 's.json');
    fs.writeFileSync(file, editedFixture((d) => delete (d as Partial<SsFile>).sentinel));
    const s = SecretsManager.fromFile(file, KeySource.fromKey(MASTER));
    expect(s.get('unicode')).toBe('päss✓');
    s.save();
    const saved = parseVault(fs.readFileSync(file));
    expect(saved.sentinel).not.toBeNull();
    expectError(() => SecretsManager.fromFile(file, KeySource.fromPassword('wrong password')), 'E_SS_WRONG_KEY');
    // "sentinel": null is read like a missing sentinel
    expect(SecretsManager.fromJSON(editedFixture((d) => ((d as Record<string, unknown>)['sentinel'] = null)), KeySource.fromKey(MASTER)).get('db:username')).toBe('pgadmin');
  });

  it('without a sentinel a wrong key is still refused when no entry verifies, so a save cannot lock out the real key', () => {
    const dir = tmpdir();
    const file = path.join(dir, 's.json');
    const text = editedFixture((d) => delete (d as Partial<SsFile>).sentinel);
    fs.writeFileSync(file, text);
    const e = expectError(() => SecretsManager.fromFile(file, KeySource.fromPassword('password124')), 'E_SS_WRONG_KEY');
    expect(e.message).toContain('password');
    const other = Buffer.from(MASTER);
    flipByte(other, 31, 1);
    expectError(() => SecretsManager.fromJSON(text, KeySource.fromKey(other)), 'E_SS_WRONG_KEY');
    expect(fs.readFileSync(file, 'utf8')).toBe(text);
    // One entry that verifies is enough: a single modified entry does not make the key "wrong".
    const oneModified = editedFixture((d) => {
      delete (d as Partial<SsFile>).sentinel;
      ssEntry(d, 'db:password').hmac = flip(ssEntry(d, 'db:password').hmac);
    });
    const s = SecretsManager.fromJSON(oneModified, KeySource.fromKey(MASTER));
    expect(s.get('unicode')).toBe('päss✓');
    expectError(() => s.get('db:password'), 'E_SS_AUTH');
    // An empty vault without a sentinel has nothing to check against: any key opens it.
    const empty = editedFixture((d) => {
      delete (d as Partial<SsFile>).sentinel;
      d.secrets = {};
    });
    expect(SecretsManager.fromJSON(empty, KeySource.fromKey(other)).size).toBe(0);
  });

  for (const [version, code] of [
    [2, 'E_SS_VERSION'],
    [4, 'E_SS_VERSION'],
    [1, 'E_SS_VERSION'],
    ['3', 'E_SS_FORMAT'],
    [3.5, 'E_SS_FORMAT'],
    [undefined, 'E_SS_FORMAT'],
  ] as const) {
    it(`version ${JSON.stringify(version)} is refused clearly (${code})`, () => {
      const text = editedFixture((d) => (version === undefined ? delete (d as Partial<SsFile>).version : ((d as Record<string, unknown>)['version'] = version)));
      const e = expectError(() => SecretsManager.fromJSON(text, KeySource.fromKey(MASTER)), code);
      if (code === 'E_SS_VERSION') {
        expect(e.message).toContain(`version ${version} vault`);
        expect(e.message).toContain('only version 3');
        expect(e.exitCode).toBe(8);
      } else expect(e.message).toContain('"version"');
    });
  }

  const malformed: Array<[string, string]> = [
    ['not JSON', '{"version": 3, '],
    ['an array', '[]'],
    ['a salt of 8 bytes', editedFixture((d) => ((d as Record<string, unknown>)['iv'] = Buffer.alloc(8).toString('base64')))],
    ['a 19-byte hmac', editedFixture((d) => (ssEntry(d, 'unicode').hmac = Buffer.alloc(19).toString('base64')))],
    ['a payload of 15 bytes', editedFixture((d) => (ssEntry(d, 'unicode').payload = Buffer.alloc(15).toString('base64')))],
    ['an empty payload', editedFixture((d) => (ssEntry(d, 'unicode').payload = ''))],
    ['unpadded base64', editedFixture((d) => (ssEntry(d, 'unicode').iv = ssEntry(d, 'unicode').iv.replace(/=+$/, '')))],
    ['base64 with a space', editedFixture((d) => (ssEntry(d, 'unicode').payload = ` ${ssEntry(d, 'unicode').payload}`))],
    ['url-safe base64', editedFixture((d) => ((d as Record<string, unknown>)['iv'] = '-_-_-_-_-_-_-_-_-_-_-w=='))],
    ['no secrets', editedFixture((d) => delete (d as Partial<SsFile>).secrets)],
    ['an entry that is a string', editedFixture((d) => ((d.secrets as Record<string, unknown>)['unicode'] = 'x'))],
    ['an entry without hmac', editedFixture((d) => delete (ssEntry(d, 'unicode') as Partial<SsEntry>).hmac)],
    ['a malformed sentinel', editedFixture((d) => ((d as Record<string, unknown>)['sentinel'] = { iv: 'AA==' }))],
  ];
  for (const [what, text] of malformed) {
    it(`refuses ${what} (E_SS_FORMAT, nothing quoted)`, () => {
      const e = expectError(() => SecretsManager.fromJSON(text, KeySource.fromKey(MASTER)), 'E_SS_FORMAT');
      expect(e.message).not.toContain('AAECAw');
    });
  }

  it('refuses bytes that are not UTF-8, and a lone surrogate in a name', () => {
    expectError(() => parseVault(Buffer.from([0x7b, 0xff, 0x7d])), 'E_SS_FORMAT');
    expectError(() => parseVault(editedFixture((d) => (d.secrets['\ud800x'] = ssEntry(d, 'unicode')))), 'E_SS_FORMAT');
  });

  it('a missing vault file is E_FILE_NOT_FOUND', () => {
    expectError(() => SecretsManager.fromFile(path.join(tmpdir(), 'nope.json'), KeySource.fromKey(MASTER)), 'E_FILE_NOT_FOUND');
  });
});

describe('key files and KeySource', () => {
  it('reads PEM text with CRLF, surrounding text and indentation; refuses the rest', () => {
    const b64 = MASTER.toString('base64');
    expect(parseKeyFile(Buffer.from(`junk\r\n  -----BEGIN PRIVATE KEY-----  \r\n ${b64.slice(0, 20)}\r\n${b64.slice(20)}\r\n-----END PRIVATE KEY-----\r\ntrailer`)).equals(MASTER)).toBe(true);
    for (const bad of [
      '',
      `-----BEGIN PRIVATE KEY-----\n${b64}\n`,
      `-----BEGIN PRIVATE KEY-----\n${Buffer.alloc(31).toString('base64')}\n-----END PRIVATE KEY-----\n`,
      `-----BEGIN PRIVATE KEY-----\n${b64.replace(/=$/, '')}\n-----END PRIVATE KEY-----\n`,
      `${b64}\n`,
    ]) {
      expectError(() => parseKeyFile(Buffer.from(bad)), 'E_SS_KEY_FILE');
    }
    expectError(() => parseKeyFile(Buffer.alloc(31)), 'E_SS_KEY_FILE');
    expectError(() => parseKeyFile(Buffer.alloc(5000, 0x41)), 'E_SS_KEY_FILE');
    expectError(() => parseKeyFile(Buffer.from([0xff, 0xfe, ...Buffer.alloc(40)])), 'E_SS_KEY_FILE');
  });

  it('property: any 32-byte key survives format → parse; any bytes parse to a 32-byte key or E_SS_KEY_FILE', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (k) => {
        expect(parseKeyFile(Buffer.from(formatKeyFile(k))).equals(Buffer.from(k))).toBe(true);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          binaryString({ maxLength: 120 }).map((s) => Buffer.from(`-----BEGIN PRIVATE KEY-----\n${s}\n-----END PRIVATE KEY-----\n`)),
        ),
        (bytes) => {
          try {
            expect(parseKeyFile(bytes).length).toBe(32);
          } catch (e) {
            expect(e).toBeInstanceOf(SeeqretError);
            expect((e as SeeqretError).code).toBe('E_SS_KEY_FILE');
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('fromKey refuses wrong lengths and non-bytes; fromPassword refuses an empty password', () => {
    expectError(() => KeySource.fromKey(Buffer.alloc(31)), 'E_SS_KEY_FILE');
    expectError(() => KeySource.fromKey([...MASTER, 1]), 'E_SS_KEY_FILE');
    expectError(() => KeySource.fromKey([...MASTER.subarray(1), 256]), 'E_SS_KEY_FILE');
    expectError(() => KeySource.fromKey('not a key'), 'E_SS_KEY_FILE');
    expectError(() => KeySource.fromKey(42 as unknown as string), 'E_SS_KEY_FILE');
    expectError(() => KeySource.fromPassword(''), 'E_PASSPHRASE_REQUIRED');
    expect(KeySource.fromPassword('x').kind).toBe('password');
    expect(KeySource.generate().kind).toBe('key');
  });

  it('a key file is not touched by later changes to the buffer it came from', () => {
    const k = Buffer.from(MASTER);
    const src = KeySource.fromKey(k);
    k.fill(0);
    expect(SecretsManager.fromJSON(FIXTURE_TEXT, src).get('db:username')).toBe('pgadmin');
  });
});

describe('SecretsManager: create, set, delete, save', () => {
  it('create → set → save → open with the password, and with the exported key', () => {
    const dir = tmpdir();
    const file = path.join(dir, 'secrets.json');
    const s = SecretsManager.create(KeySource.fromPassword('correct horse'), { path: file });
    expect(s.keys()).toEqual([]);
    s.set('b', 'two');
    s.set('a', 'one');
    s.set('bin', Buffer.from([0, 255, 10]));
    s.save();
    s.exportKey(path.join(dir, 'secrets.key'));
    for (const src of [KeySource.fromPassword('correct horse'), KeySource.fromFile(path.join(dir, 'secrets.key'))]) {
      const r = SecretsManager.fromFile(file, src);
      expect(r.keys()).toEqual(['a', 'b', 'bin']);
      expect(r.get('a')).toBe('one');
      expect(must(r.getBytes('bin')).equals(Buffer.from([0, 255, 10]))).toBe(true);
      expectError(() => r.get('bin'), 'E_BAD_VALUE');
    }
    const raw = fs.readFileSync(file, 'utf8');
    expect(raw.endsWith('}')).toBe(true);
    expect(Object.keys(ssFile(raw))).toEqual(['version', 'iv', 'sentinel', 'secrets']);
  });

  it('an empty vault is written with "secrets": {}; a generated key vault needs its key', () => {
    const s = SecretsManager.create();
    const text = s.serialize();
    expect(text).toMatch(/"secrets": \{\}\n\}$/);
    expect(text).toBe(JSON.stringify(JSON.parse(text), null, 2));
    expectError(() => { s.save(); }, 'E_USAGE');
    expectError(() => SecretsManager.fromJSON(text, KeySource.generate()), 'E_SS_WRONG_KEY');
  });

  it('delete removes, and says whether there was something; set validates names and values', () => {
    const s = SecretsManager.create();
    s.set('x', 'v');
    expect(s.delete('x')).toBe(true);
    expect(s.delete('x')).toBe(false);
    expect(s.size).toBe(0);
    expectError(() => { s.set('', 'v'); }, 'E_INVALID_NAME');
    expectError(() => { s.set('a\ud800', 'v'); }, 'E_INVALID_NAME');
    expectError(() => { s.set('a', 'bad \udc00'); }, 'E_BAD_VALUE');
    expectError(() => { s.set('a', 42 as unknown as string); }, 'E_BAD_VALUE');
  });

  it('each set uses a fresh IV (same value twice gives different entries)', () => {
    const s = SecretsManager.create();
    s.set('a', 'same');
    const first = ssEntry(ssFile(s.serialize()), 'a');
    s.set('a', 'same');
    const second = ssEntry(ssFile(s.serialize()), 'a');
    expect(second.iv).not.toBe(first.iv);
    expect(second.payload).not.toBe(first.payload);
  });

  it('names are written in UTF-8 byte order, integer-like names included', () => {
    const s = SecretsManager.create();
    const names = ['b', '10', '9', 'a', 'Z', '\u{1F600}', '\uFFFD', 'é', '__proto__', 'constructor', ''.padEnd(3, 'z')];
    for (const n of names) s.set(n, n);
    const text = s.serialize();
    const order = [...text.matchAll(/^ {4}("(?:[^"\\]|\\.)*"): \{$/gm)].map((m) => JSON.parse(must(m[1])) as string);
    const bytewise = [...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect(order).toEqual(bytewise);
    // U+FFFD sorts before U+1F600 in UTF-8 but after it in UTF-16 code units
    expect(bytewise.indexOf('\uFFFD')).toBeLessThan(bytewise.indexOf('\u{1F600}'));
    expect(s.keys()).toEqual(bytewise);
  });

  it('property: any set of names and byte values survives save → load (file, key file)', () => {
    const dir = tmpdir();
    const keyFile = path.join(dir, 'k.key');
    const generated = KeySource.generate();
    SecretsManager.create(generated).exportKey(keyFile);
    let run = 0;
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.record({
            name: fc.oneof(binaryString({ minLength: 1, maxLength: 40 }), fc.constantFrom('__proto__', 'constructor', '10', '9', '0', 'a:b:c', 'toString', '"\\\n')),
            value: fc.oneof(fc.uint8Array({ maxLength: 300 }), binaryString({ maxLength: 100 }).map((x) => Buffer.from(x, 'utf8'))),
          }),
          { selector: (e) => e.name, maxLength: 25 },
        ),
        (entries) => {
          const file = path.join(dir, `v${run++}.json`);
          const w = SecretsManager.create(generated, { path: file });
          for (const e of entries) w.set(e.name, e.value);
          w.save();
          const r = SecretsManager.fromFile(file, KeySource.fromFile(keyFile));
          expect(r.keys()).toEqual(entries.map((e) => e.name).sort(compareNames));
          for (const e of entries) expect(must(r.getBytes(e.name)).equals(Buffer.from(e.value))).toBe(true);
          // The text is what JSON.stringify(…, null, 2) gives for the same order.
          const text = fs.readFileSync(file, 'utf8');
          expect(JSON.stringify(JSON.parse(text), null, 2).length).toBe(text.length);
          fs.rmSync(file);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('property: the writer gives the bytes of JSON.stringify(vault, null, 2) (names that are not array indexes)', () => {
    const key = Buffer.alloc(32, 7);
    fc.assert(
      fc.property(fc.uniqueArray(binaryString({ minLength: 1, maxLength: 20 }).filter((n) => !/^(0|[1-9][0-9]*)$/.test(n)), { maxLength: 12 }), (names) => {
        const sorted = [...names].sort(compareNames);
        const secrets = new Map(sorted.map((n) => [n, ssEncrypt(key, Buffer.from(n))]));
        const sentinel = ssEncrypt(key, Buffer.alloc(32));
        const salt = Buffer.alloc(16, 1);
        const b64 = (e: { iv: Buffer; hmac: Buffer; payload: Buffer }) => ({ iv: e.iv.toString('base64'), hmac: e.hmac.toString('base64'), payload: e.payload.toString('base64') });
        const obj = { version: 3, iv: salt.toString('base64'), sentinel: b64(sentinel), secrets: Object.fromEntries(sorted.map((n) => [n, b64(must(secrets.get(n)))])) };
        expect(serializeVault({ salt, sentinel, secrets })).toBe(JSON.stringify(obj, null, 2));
      }),
      { numRuns: 300 },
    );
  });

  it('property: the vault parser takes any input and returns a vault or throws E_SS_FORMAT / E_SS_VERSION', () => {
    const base = JSON.parse(FIXTURE_TEXT) as Record<string, unknown>;
    const mutated = fc
      .record({ key: fc.constantFrom('version', 'iv', 'sentinel', 'secrets', 'extra'), value: fc.jsonValue() })
      .map(({ key, value }) => JSON.stringify({ ...base, [key]: value }));
    const entryMutated = fc
      .record({ field: fc.constantFrom('iv', 'hmac', 'payload', 'other'), value: fc.oneof(fc.jsonValue(), fc.base64String()) })
      .map(({ field, value }) => editedFixture((d) => ((ssEntry(d, 'unicode') as Record<string, unknown>)[field] = value)));
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), mutated, entryMutated, fc.uint8Array({ maxLength: 100 })), (input) => {
        try {
          const v = parseVault(input);
          expect(v.salt.length).toBe(16);
          for (const e of v.secrets.values()) {
            expect(e.iv.length).toBe(16);
            expect(e.hmac.length).toBe(20);
            expect(e.payload.length % 16).toBe(0);
          }
        } catch (e) {
          expect(e).toBeInstanceOf(SeeqretError);
          expect(['E_SS_FORMAT', 'E_SS_VERSION']).toContain((e as SeeqretError).code);
          expect((e as SeeqretError).message).not.toMatch(/[\r\n]/);
        }
      }),
      { numRuns: 1000 },
    );
    expect(parseVaultObject(base).secrets.size).toBe(3);
  });

  it('property: strict base64 decodes exactly what Buffer encodes, and nothing else re-encodes differently', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        expect(must(decodeBase64Strict(Buffer.from(b).toString('base64'))).equals(Buffer.from(b))).toBe(true);
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (t) => {
        const d = decodeBase64Strict(t);
        if (d) expect(d.toString('base64')).toBe(t);
      }),
      { numRuns: 500 },
    );
  });
});

describe('atomic saves', () => {
  it('a save into a missing folder fails with E_FILE_NOT_FOUND and writes nothing', () => {
    const dir = tmpdir();
    const s = SecretsManager.create();
    expectError(() => { s.save(path.join(dir, 'missing', 'secrets.json')); }, 'E_FILE_NOT_FOUND');
    expect(fs.existsSync(path.join(dir, 'missing'))).toBe(false);
  });

  it('readers never see a half-written vault while saves run, nor after the writer is killed (SIGKILL)', async () => {
    const dir = tmpdir();
    const file = path.join(dir, 'secrets.json');
    const keyFile = path.join(dir, 'k.key');
    const lib = path.join(ROOT, 'dist', 'securestore', 'index.js');
    expect(fs.existsSync(lib)).toBe(true);
    // A child that rewrites a ~2.7 MB vault (mostly file writing, little encryption) as fast as it
    // can. The size only has to make each save long enough for the reads to race it: with saves
    // that write the file in place (not atomically), most reads of a 2.7 MB vault saw a
    // half-written one (measured: 57 of 63 reads on a busy machine; this test then fails, checked
    // twice), as at the 13 MB it used before.
    const script = `
      import { SecretsManager, KeySource } from ${JSON.stringify(lib)};
      const s = SecretsManager.create(KeySource.generate(), { path: ${JSON.stringify(file)} });
      s.exportKey(${JSON.stringify(keyFile)});
      for (let i = 0; i < 40; i++) s.set('k' + i, 'x'.repeat(50000));
      s.save();
      process.stdout.write('ready\\n');
      for (let round = 0; ; round++) { s.set('round', String(round)); s.save(); }
    `;
    let reads = 0;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (fs.existsSync(file)) fs.rmSync(file);
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      const ready = await new Promise<boolean>((resolve) => {
        child.stdout.once('data', () => { resolve(true); });
        child.once('close', () => { resolve(false); });
      });
      expect(ready).toBe(true);
      // Read while the child writes: every read must be a whole vault (old or new content).
      // At least 4 reads per attempt, however slow a loaded machine makes each parse.
      const until = Date.now() + 600 + attempt * 150;
      const first = reads;
      while (Date.now() < until || reads - first < 4) {
        const v = parseVault(fs.readFileSync(file), file);
        expect(v.secrets.size).toBeGreaterThanOrEqual(40);
        reads += 1;
        await new Promise((r) => setImmediate(r));
      }
      child.kill('SIGKILL');
      await new Promise((r) => child.once('close', r));
      const r = SecretsManager.fromFile(file, KeySource.fromFile(keyFile));
      expect(r.size).toBe(41);
      expect(Number(r.get('round'))).toBeGreaterThanOrEqual(0);
    }
    expect(reads).toBeGreaterThan(10);
    // Only temporary files of the killed writers may be left beside it, never a broken vault.
    for (const f of fs.readdirSync(dir)) expect(['secrets.json', 'k.key'].includes(f) || /^\.secrets\.json\..*\.tmp$/.test(f)).toBe(true);
  });
});

describe('.gitignore rule for key files', () => {
  const gitInit = (dir: string): void => {
    const r = spawnSync('git', ['init', '-q', dir]);
    if (r.status !== 0) fs.mkdirSync(path.join(dir, '.git'));
  };

  it('inside a git work tree: appends the reference rule once, keeping existing content', () => {
    const dir = tmpdir();
    gitInit(dir);
    fs.mkdirSync(path.join(dir, 'config'));
    fs.writeFileSync(path.join(dir, 'config', '.gitignore'), 'node_modules'); // no final newline
    const key = path.join(dir, 'config', 'secrets.key');
    expect(ignoreKeyFile(key)).toEqual({ file: path.join(dir, 'config', '.gitignore'), outcome: 'added', created: false });
    expect(fs.readFileSync(path.join(dir, 'config', '.gitignore'), 'utf8')).toBe('node_modules\n# SecureStore key file ignore rule:\n/secrets.key\n');
    expect(must(ignoreKeyFile(key)).outcome).toBe('present');
    const check = spawnSync('git', ['-C', dir, 'check-ignore', '-q', 'config/secrets.key']);
    if (check.error === undefined) expect(check.status).toBe(0);
  });

  it('a rule name, /name or *.ext already there is enough; a new .gitignore is created 0644', () => {
    for (const rule of ['secrets.key', '/secrets.key', '*.key', '  /secrets.key  ']) {
      const dir = tmpdir();
      gitInit(dir);
      fs.writeFileSync(path.join(dir, '.gitignore'), `a\n${rule}\nb\n`);
      expect(must(ignoreKeyFile(path.join(dir, 'secrets.key'))).outcome).toBe('present');
    }
    const dir = tmpdir();
    gitInit(dir);
    const r = ignoreKeyFile(path.join(dir, 'prod.key'));
    expect(r).toEqual({ file: path.join(dir, '.gitignore'), outcome: 'added', created: true });
    expect(fs.readFileSync(path.join(dir, '.gitignore'), 'utf8')).toBe('# SecureStore key file ignore rule:\n/prod.key\n');
    expect(fs.statSync(path.join(dir, '.gitignore')).mode & 0o777).toBe(0o644);
  });

  it('outside a git work tree nothing is written', () => {
    const dir = tmpdir();
    expect(ignoreKeyFile(path.join(dir, 'secrets.key'))).toBeNull();
    expect(fs.existsSync(path.join(dir, '.gitignore'))).toBe(false);
  });
});

describe("the package entry 'seeqret/securestore'", () => {
  it('resolves through package.json exports, works as the official library is used (await), and loads no native addon', () => {
    const script = `
      const loaded = [];
      const dlopen = process.dlopen;
      process.dlopen = function (m, f, ...rest) { loaded.push(f); return dlopen.call(this, m, f, ...rest); };
      const { SecretsManager, KeySource } = await import('seeqret/securestore');
      const sman = await SecretsManager.fromFile(${JSON.stringify(FIXTURE_FILE)}, KeySource.fromFile(${JSON.stringify(path.join(FIX, 'fixture.key'))}));
      const value = await sman.get('db:password');
      process.stdout.write(JSON.stringify({ value, missing: await sman.get('nope'), keys: sman.keys(), loaded }));
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ value: 'pgsql123', missing: null, keys: ['db:password', 'db:username', 'unicode'], loaded: [] });
  });
});
