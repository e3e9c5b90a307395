/**
 * The account name of the audit entries (src/util/account.ts): read from /etc/passwd only where
 * the C library's lookup would answer from it, and then the same name; anything it would parse
 * otherwise is left to `os.userInfo()`. On this host the name is `os.userInfo()`'s.
 */
import fc from 'fast-check';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { accountName, passwdFromFilesFirst, passwdName } from '../src/util/account.js';
import { currentActor } from '../src/vault/audit.js';

const name = fc.stringMatching(/^[a-z_][a-z0-9_.-]{0,15}$/);
const uid = fc.integer({ min: 0, max: 70_000 });
const field = fc.stringMatching(/^[ -9;-~]{0,12}$/); // printable ASCII without ':'
const entry = fc.record({ name, uid, gid: uid, gecos: field, home: field, shell: field });
type Entry = typeof entry extends fc.Arbitrary<infer T> ? T : never;
const line = (e: Entry): string => `${e.name}:x:${String(e.uid)}:${String(e.gid)}:${e.gecos}:${e.home}:${e.shell}`;
/** Lines the C library skips: empty, blank, comments (after blanks). */
const skipped = fc.constantFrom('', '   ', '\t', '# a comment', '  # indented comment', '\r');

describe('passwdName', () => {
  it('is the name of the first plain entry with the uid, comments and blank lines skipped', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(entry, skipped), { maxLength: 30 }), uid, (lines, wanted) => {
        const text = lines.map((l) => (typeof l === 'string' ? l : line(l))).join('\n');
        const first = lines.find((l): l is Entry => typeof l !== 'string' && l.uid === wanted);
        expect(passwdName(text, wanted)).toBe(first?.name);
      }),
    );
  });

  it('leaves the lookup to the C library when a line before the match is not a plain entry', () => {
    const odd = fc.constantFrom(
      '+::::::', // NIS compat
      '-bob:x:5:5:::',
      'bob:x:0100:5:::', // leading zero (strtoul reads 100)
      'bob:x: 5:5:::', // a blank strtoul skips
      'bob:x:4294967296:5:::', // wraps to 0 in a uid_t
      'bob:x:5:5::', // six fields
      'bob:x:5:5::::', // eight fields
      ':x:5:5:::', // empty name
      'bob:x::5:::', // empty uid
    );
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 5 }), odd, entry, (before, bad, match) => {
        const others = before.filter((e) => e.uid !== match.uid);
        const text = [...others.map(line), bad, line(match)].join('\n');
        expect(passwdName(text, match.uid)).toBeUndefined();
      }),
    );
  });

  it('finds nothing for a uid that has no entry', () => {
    expect(passwdName('root:x:0:0:root:/root:/bin/bash\n', 1000)).toBeUndefined();
    expect(passwdName('root:x:0:0:root:/root:/bin/bash\n', 0)).toBe('root');
    // A name that is not ASCII is left to the C library (and Node's decoding of it).
    expect(passwdName('b\u00c3\u00a9b:x:5:5:::\n', 5)).toBeUndefined();
    expect(passwdName('b\u00c3\u00a9b:x:5:5:::\nroot:x:0:0:::\n', 0)).toBe('root');
  });
});

describe('passwdFromFilesFirst', () => {
  it('is true only for one lower-case passwd line whose first source is files, without an action after it', () => {
    expect(passwdFromFilesFirst('passwd:         files systemd\ngroup: files\n')).toBe(true);
    expect(passwdFromFilesFirst('# comment\npasswd: files # the local file\n')).toBe(true);
    expect(passwdFromFilesFirst('passwd:\tfiles')).toBe(true);
    expect(passwdFromFilesFirst('passwd: files [NOTFOUND=return] ldap\n')).toBe(false);
    expect(passwdFromFilesFirst('passwd: files[SUCCESS=continue] ldap\n')).toBe(false);
    expect(passwdFromFilesFirst('passwd: sss files\n')).toBe(false);
    expect(passwdFromFilesFirst('passwd: compat\n')).toBe(false);
    expect(passwdFromFilesFirst('passwd: files\npasswd: ldap\n')).toBe(false);
    expect(passwdFromFilesFirst('PASSWD: files\n')).toBe(false);
    expect(passwdFromFilesFirst(' passwd: files\n')).toBe(false);
    expect(passwdFromFilesFirst('passwd: files\r\n')).toBe(false);
    expect(passwdFromFilesFirst('group: files\n')).toBe(false);
    expect(passwdFromFilesFirst('')).toBe(false);
  });

  it('is true exactly when files comes first and no action follows it, whatever the other sources', () => {
    const service = fc.constantFrom('files', 'systemd', 'sss', 'ldap', 'nis', 'compat', 'db', '[NOTFOUND=return]', '[SUCCESS=continue]');
    fc.assert(
      fc.property(fc.array(service, { minLength: 1, maxLength: 5 }), fc.constantFrom(' ', '\t', '   '), (services, gap) => {
        const expected = services[0] === 'files' && !(services[1] ?? '').startsWith('[');
        expect(passwdFromFilesFirst(`passwd:${gap}${services.join(gap)}\n`)).toBe(expected);
      }),
    );
  });
});

describe('accountName', () => {
  it('is the name os.userInfo() gives on this host, and the audit actor', () => {
    expect(accountName()).toBe(os.userInfo().username);
    expect(currentActor()).toBe(os.userInfo().username);
  });
});
