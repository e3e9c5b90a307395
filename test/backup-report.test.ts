/**
 * `seeqret backup` / `restore` use cases in-process: writing the backup files and recording it,
 * and the report of a restore into a new vault. Real vaults in temp folders, real age scrypt.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decryptBackup } from '../src/sharing/backup.js';
import { reportRestore, restoreInto, vaultFromBackup, writeBackup } from '../src/sharing/restore.js';
import { Vault } from '../src/vault/vault.js';
import { tmpdir } from './helpers.js';

const open: Vault[] = [];
afterEach(() => {
  for (const v of open.splice(0)) v.close();
});

describe('writeBackup and reportRestore', () => {
  it('writes the age file and its HTML page, records it, and reports the restore', async () => {
    const dir = tmpdir();
    const alice = Vault.create({ dir: path.join(dir, 'alice'), username: 'alice', email: 'alice@example.com' });
    open.push(alice);
    alice.set({ app: 'web', env: 'prod', key: 'DB', value: 'p1' });
    const file = path.join(dir, 'b.age');
    const lines: string[] = [];
    const notes = { info: (l: string) => lines.push(l), warn: (l: string) => lines.push(`warn ${l}`) };
    const made = await writeBackup(alice, { file, passphrase: 'correct horse battery', includeKeys: true, armor: false, html: true, logN: 10 }, notes);
    expect(fs.readFileSync(file)).toEqual(Buffer.from(made.bytes));
    expect(fs.readFileSync(path.join(dir, 'b.html'), 'utf8')).toContain('<html');
    expect(lines).toEqual([`Wrote ${file}: 1 secrets (with history), 0 users, ${made.dump.audit.length} audit entries, and the owner key pair. Decrypt without seeqret: age -d ${file}`, `Wrote ${path.join(dir, 'b.html')}: opens in any browser and asks for the same passphrase.`]);
    expect(alice.auditLog({ action: 'backup' }).map((e) => e.target)).toEqual([file]);

    const dump = await decryptBackup(made.bytes, 'correct horse battery');
    const freshDir = path.join(dir, 'fresh');
    const fresh = Vault.create({ dir: freshDir, ...vaultFromBackup(dump) });
    open.push(fresh);
    const r = restoreInto(fresh, dump, { created: true, overwrite: false, source: file });
    lines.length = 0;
    reportRestore(fresh, dump, r, { source: file, created: true, dir: freshDir, overwriteCommand: 'again' }, notes);
    expect(lines).toEqual([`Created vault ${freshDir} for alice with the backed-up key pair (same public key)`, `Restored from ${file}: 1 added, 0 updated, 0 skipped, 0 unchanged; 0 users added`]);
    // Into a vault where the secret has another value: skipped, and the command that replaces it.
    fresh.set({ app: 'web', env: 'prod', key: 'DB', value: 'other' }, { replace: true });
    lines.length = 0;
    reportRestore(fresh, dump, restoreInto(fresh, dump, { created: false, overwrite: false, source: file }), { source: file, created: false, dir: freshDir, overwriteCommand: 'seeqret restore b.age --overwrite' }, notes);
    expect(lines.at(-1)).toBe('Skipped secrets have another value here; run `seeqret restore b.age --overwrite` to replace them (the current value goes to history).');
  });

  it('a path the write would refuse (the page next to it a folder, the file a link) is refused before anything is made, written or recorded', async () => {
    const dir = tmpdir();
    const alice = Vault.create({ dir: path.join(dir, 'alice'), username: 'alice', email: 'alice@example.com' });
    open.push(alice);
    alice.set({ app: 'web', env: 'prod', key: 'DB', value: 'p1' });
    const notes = { info: () => undefined, warn: () => undefined };
    fs.mkdirSync(path.join(dir, 'b.html'));
    const file = path.join(dir, 'b.age');
    await expect(writeBackup(alice, { file, passphrase: 'correct horse battery', includeKeys: false, armor: false, html: true, logN: 10 }, notes)).rejects.toMatchObject({ code: 'E_USAGE' });
    expect(fs.existsSync(file)).toBe(false);
    fs.symlinkSync(path.join(dir, 'elsewhere.age'), path.join(dir, 'link.age'));
    await expect(writeBackup(alice, { file: path.join(dir, 'link.age'), passphrase: 'correct horse battery', includeKeys: false, armor: false, html: false, logN: 10 }, notes)).rejects.toMatchObject({ code: 'E_SYMLINK' });
    expect(fs.existsSync(path.join(dir, 'elsewhere.age'))).toBe(false);
    expect(alice.auditLog({ action: 'backup' })).toEqual([]);
  });
});
