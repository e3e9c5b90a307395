/**
 * The `server init` use case called in-process: with a group this user belongs to, the key file
 * and the published copy become group-readable and the marker is written; with a group that does
 * not exist, the vault stays private and a note says so. Real files, real vaults.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tmpdir } from './helpers.js';
import { createServerVault } from '../src/vault/server-setup.js';
import { SERVER_MARKER, vaultFiles } from '../src/vault/paths.js';
import { isServerVault } from '../src/vault/server.js';

describe('server init use case', () => {
  it('gives an existing group read access to the key and the published copy', () => {
    const group = execFileSync('id', ['-gn'], { encoding: 'utf8' }).trim();
    const dir = path.join(tmpdir(), 'seeqret');
    const notes: string[] = [];
    const r = createServerVault({ dir, group, user: 'web1', email: '', env: {} }, { warn: (l) => notes.push(l) });
    expect(notes).toEqual([]);
    expect(r.shared).toBe(true);
    expect(r.owner.username).toBe('web1');
    expect(r.recipient).toMatch(/^age1/);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o750);
    expect(fs.statSync(vaultFiles(dir).key).mode & 0o777).toBe(0o640);
    expect(fs.readFileSync(path.join(dir, SERVER_MARKER), 'utf8')).toBe(`${group}\n`);
    expect(fs.statSync(path.join(dir, 'inbox')).mode & 0o777).toBe(0o700);
    expect(isServerVault(dir)).toBe(true);
  });

  it('leaves the vault private, with a note, when the group does not exist', () => {
    const dir = path.join(tmpdir(), 'seeqret');
    const notes: string[] = [];
    const r = createServerVault({ dir, group: 'no-such-group-for-seeqret', user: 'web1', email: 'ops@example.com', env: {} }, { warn: (l) => notes.push(l) });
    expect(r.shared).toBe(false);
    expect(notes).toEqual(["there is no group 'no-such-group-for-seeqret' (create it with: groupadd no-such-group-for-seeqret); the vault stays private to you"]);
    expect(fs.existsSync(path.join(dir, SERVER_MARKER))).toBe(false);
    expect(fs.statSync(path.join(dir, 'inbox')).isDirectory()).toBe(true);
  });
});
