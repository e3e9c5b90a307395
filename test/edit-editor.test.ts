/**
 * `seeqret edit -f FILTER` (issue 15) through the real CLI with scripted editors ($EDITOR is a
 * small shell script): changes, additions and removals applied in one transaction, the question
 * for removals, the scratch file (0600, in a 0700 folder, on /dev/shm when there is one)
 * overwritten and removed also when the editor fails or is interrupted; and the file format's
 * round trip as a property.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { binaryString } from './fc-helpers.js';
import { describe, expect, it } from 'vitest';
import { type EditEntry, diffEdit, parseEdit, renderEdit } from '../src/edit/format.js';
import { Vault } from '../src/index.js';
import { BIN, ROOT, cleanEnv, cli, cliIn, errorCode, newVault, tmpdir, vaultValues } from './helpers.js';

const INITIAL = { 'web:dev:A': 'one', 'web:dev:B': 'two', 'web:prod:A': 'p1', '*:*:OTHER': 'untouched' };

function setup(): { vault: string; work: string } {
  const vault = newVault();
  const v = Vault.open({ dir: vault });
  v.setMany(Object.entries(INITIAL).map(([n, value]) => {
    const [app = '', env = '', key = ''] = n.split(':');
    return { app, env, key, value };
  }));
  v.close();
  return { vault, work: tmpdir('seeqret-editor-') };
}

/** An editor script: records the file it got (path, mode, folder mode, content), then runs `body` on it ($1). */
function editor(work: string, body: string): string {
  const f = path.join(work, 'editor.sh');
  fs.writeFileSync(
    f,
    `#!/bin/sh\necho "$1" > ${work}/path\nstat -c %a "$1" > ${work}/mode\nstat -c %a "$(dirname "$1")" > ${work}/dirmode\ncp "$1" ${work}/seen\n${body}\n`,
    { mode: 0o700 },
  );
  return f;
}

function scratchGone(work: string): void {
  const file = fs.readFileSync(path.join(work, 'path'), 'utf8').trim();
  expect(fs.existsSync(file)).toBe(false);
  expect(fs.existsSync(path.dirname(file))).toBe(false);
}

describe('seeqret edit -f FILTER', () => {
  // This test and the interrupt below run the executable (the scratch file's modes, a signal to
  // the process group); the others run in-process (decision 58), the editor still a real process.
  it('applies changes, additions and removals (-y) in one go, from a private scratch file that is then gone', () => {
    const { vault, work } = setup();
    const ed = editor(work, `sed -i "s/^A='one'/A=zq-new-value/; /^B=/d" "$1"\nprintf 'C="two\\\\nlines"\\n' >> "$1"`);
    const r = cli(['edit', '-f', 'web:*:*', '-y'], { vault, env: { EDITOR: ed, VISUAL: undefined } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('1 to add, 1 to change, 1 to remove');
    expect(r.stderr).toMatch(/\+ web:prod:C[\s\S]*~ web:dev:A[\s\S]*- web:dev:B/);
    expect(r.stderr + r.stdout).not.toMatch(/zq-new-value|lines|'one'|'two'/); // names only, never values
    expect(vaultValues(vault)).toEqual({ 'web:dev:A': 'zq-new-value', 'web:prod:A': 'p1', 'web:prod:C': 'two\nlines', '*:*:OTHER': 'untouched' });
    const seen = fs.readFileSync(path.join(work, 'seen'), 'utf8');
    expect(seen).toContain("[web:dev]\nA='one'\nB='two'\n");
    expect(seen).not.toContain('OTHER');
    expect(fs.readFileSync(path.join(work, 'mode'), 'utf8').trim()).toBe('600');
    expect(fs.readFileSync(path.join(work, 'dirmode'), 'utf8').trim()).toBe('700');
    if (fs.existsSync('/dev/shm')) expect(fs.readFileSync(path.join(work, 'path'), 'utf8')).toMatch(/^\/dev\/shm\/seeqret-edit-/);
    scratchGone(work);
    // The edit is one audit entry for the changes (plus the read of the values shown).
    const v = Vault.open({ dir: vault, readonly: true });
    const actions = v.auditLog().map((e) => `${e.action} ${e.target}`);
    v.close();
    expect(actions.filter((a) => a.includes('edit -f web:*:*'))).toHaveLength(1);
  });

  it('asks before removing (no: nothing changes, E_ABORTED; yes: applied); $VISUAL comes before $EDITOR', async () => {
    const { vault, work } = setup();
    const ed = editor(work, `sed -i "/^B=/d; s/^A='p1'/A=p2/" "$1"`);
    const no = await cliIn(['edit', '-f', 'web:*:*'], { vault, env: { VISUAL: ed, EDITOR: 'false' }, input: 'n\n' });
    expect(errorCode(no)).toBe('E_ABORTED');
    expect(vaultValues(vault)).toEqual(INITIAL);
    scratchGone(work);
    const yes = await cliIn(['edit', '-f', 'web:*:*'], { vault, env: { VISUAL: ed, EDITOR: 'false' }, input: 'y\n' });
    expect(yes.code, yes.stderr).toBe(0);
    expect(vaultValues(vault)).toEqual({ 'web:dev:A': 'one', 'web:prod:A': 'p2', '*:*:OTHER': 'untouched' });
  });

  it('changes nothing when the editor fails, the file does not parse, or nothing was edited', async () => {
    const { vault, work } = setup();
    let r = await cliIn(['edit', '-f', 'web:*:*', '-y'], { vault, env: { EDITOR: editor(work, `echo 'A=x' > "$1"; exit 3`) } });
    expect(errorCode(r)).toBe('E_COMMAND_FAILED');
    expect(r.stderr).toContain('status 3');
    scratchGone(work);
    r = await cliIn(['edit', '-f', 'web:*:*', '-y'], { vault, env: { EDITOR: editor(work, `echo 'A="unclosed' >> "$1"`) } });
    expect(errorCode(r)).toBe('E_DOTENV_SYNTAX');
    scratchGone(work);
    r = await cliIn(['edit', '-f', 'web:*:*', '-y'], { vault, env: { EDITOR: editor(work, 'true') } });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('No changes.');
    expect(vaultValues(vault)).toEqual(INITIAL);
  });

  it('an interrupt (Ctrl-C to the process group) while the editor is open: E_INTERRUPTED, nothing changed, the file gone', async () => {
    const { vault, work } = setup();
    const ed = editor(work, `echo 'A=x' >> "$1"; touch ${work}/ready; sleep 30`);
    const child = spawn(process.execPath, [BIN, '--vault', vault, 'edit', '-f', 'web:*:*', '-y'], { env: cleanEnv({ EDITOR: ed }), cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const end = Date.now() + 30_000;
    while (!fs.existsSync(path.join(work, 'ready')) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    process.kill(-(child.pid ?? 0), 'SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => { resolve(c); }));
    expect(code).toBe(130);
    expect(stderr).toContain('E_INTERRUPTED');
    expect(vaultValues(vault)).toEqual(INITIAL);
    scratchGone(work);
  });

  it('`edit value` still sets one value; `edit` without -f is a usage error', async () => {
    const { vault } = setup();
    expect((await cliIn(['edit', 'value', 'web:dev:A', 'newer'], { vault })).code).toBe(0);
    expect(vaultValues(vault)['web:dev:A']).toBe('newer');
    expect(errorCode(await cliIn(['edit'], { vault }))).toBe('E_USAGE');
  });
});

describe('the edit file format', () => {
  const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,8}$/);
  const entries = fc.uniqueArray(
    fc.record({ app: fc.oneof(fc.constant('*'), name), env: fc.oneof(fc.constant('*'), name), key: fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,10}$/), value: binaryString().map((s) => s.replace(/\0/g, '')) }),
    { selector: (e) => `${e.app}:${e.env}:${e.key}` },
  );

  it('reads back exactly what it writes, and the diff of a file with itself is empty', () => {
    fc.assert(
      fc.property(entries, (es: EditEntry[]) => {
        const back = parseEdit(renderEdit(es, 'x'), 'f');
        const key = (e: EditEntry): string => `${e.app}:${e.env}:${e.key}`;
        expect([...back].sort((a, b) => key(a).localeCompare(key(b)))).toEqual([...es].sort((a, b) => key(a).localeCompare(key(b))));
        expect(diffEdit(es, back)).toEqual({ added: [], changed: [], removed: [] });
      }),
    );
  });

  it('refuses a key line before any section and a key twice in a section', () => {
    expect(() => parseEdit('A=1\n', 'f')).toThrow(/before the first \[app:env\]/);
    expect(() => parseEdit('[*:*]\nA=1\nA=2\n', 'f')).toThrow(/twice/);
  });
});
