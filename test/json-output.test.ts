/**
 * `--format json` on every command that reports something, through the CLI run in-process (the
 * in-process runner, decision 50; each command also runs as a child process elsewhere): the output
 * parses as one JSON document, carries the facts the text report gives, and holds no JSON inside
 * a JSON string (the audit log's detail is an object).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliResult, cliIn, newVault, tmpdir } from './helpers.js';
import { ALICE, fresh, ok, teamIn } from './team-helpers.js';

/** The command's stdout parsed as JSON (it must exit 0). */
function json(r: CliResult): unknown {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as unknown;
}

/** True when some string anywhere in `value` is itself a JSON object or array. */
function holdsJsonText(value: unknown): boolean {
  if (typeof value === 'string') {
    if (!/^\s*[[{]/.test(value)) return false;
    try {
      JSON.parse(value);
      return true;
    } catch {
      return false;
    }
  }
  if (Array.isArray(value)) return value.some(holdsJsonText);
  if (value !== null && typeof value === 'object') return Object.values(value).some(holdsJsonText);
  return false;
}

describe('--format json: the vault commands', () => {
  it('whoami, owner, users, doctor, upgrade, list, history, audit (--verify, compact), info, serializers', async () => {
    const vault = newVault({ user: 'alice' });
    ok(await cliIn(['add', 'key', 'K', 'v1', '--app', 'web', '--env', 'dev'], { vault }));
    expect(json(await cliIn(['whoami', '--format', 'json'], { vault }))).toMatchObject({ username: 'alice', email: 'alice@example.com' });
    expect(json(await cliIn(['owner', '--format', 'json'], { vault }))).toEqual([expect.objectContaining({ username: 'alice' })]);
    expect(json(await cliIn(['users', '--format', 'json'], { vault }))).toEqual([expect.objectContaining({ username: 'alice', verified: 'owner' })]);
    const doctor = json(await cliIn(['doctor', '--format', 'json'], { vault })) as { findings: Array<{ status: string }>; problems: number; stopped: boolean };
    expect([doctor.problems, doctor.stopped, doctor.findings.length > 3]).toEqual([0, false, true]);
    expect(doctor.findings.every((f) => ['ok', 'warn', 'fixed'].includes(f.status))).toBe(true);
    expect(json(await cliIn(['upgrade', '--format', 'json'], { vault }))).toMatchObject({ upToDate: true });
    expect(json(await cliIn(['list', '--format', 'json'], { vault }))).toEqual([expect.objectContaining({ app: 'web', env: 'dev', key: 'K' })]);
    expect(json(await cliIn(['history', 'web:dev:K', '--format', 'json'], { vault }))).toHaveLength(1);
    const log = json(await cliIn(['audit', '--format', 'json'], { vault })) as Array<{ action: string; detail: unknown }>;
    expect(log.find((e) => e.action === 'vault.create')?.detail).toEqual({ vaultId: expect.any(String) });
    expect(holdsJsonText(log)).toBe(false);
    expect(json(await cliIn(['audit', '--verify', '--format', 'json'], { vault }))).toEqual({ intact: true, entries: log.length, folded: 0 });
    expect(json(await cliIn(['audit', 'compact', '--keep', '1', '--format', 'json'], { vault }))).toMatchObject({ folded: expect.any(Number), checkpoint: { entries: expect.any(Number) } });
    const tree = json(await cliIn(['info', '--format', 'json'])) as { commands: Array<{ name: string; commands: Array<{ name: string }> }> };
    expect(tree.commands.find((c) => c.name === 'add')?.commands.map((c) => c.name)).toEqual(['key', 'text', 'user']);
    expect(json(await cliIn(['serializers', '--format', 'json']))).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'bundle' })]));
  });

  it('importenv (and --dry-run), export -o, load, inbox', async () => {
    const alice = newVault({ user: 'alice' });
    const bob = newVault({ user: 'bob' });
    const dir = tmpdir();
    const envFile = path.join(dir, '.env');
    fs.writeFileSync(envFile, 'A=1\nB=2\nEMPTY=\n');
    const dry = json(await cliIn(['importenv', envFile, '--app', 'shop', '--env', 'dev', '--dry-run', '--format', 'json'], { vault: alice }));
    expect(dry).toMatchObject({ dryRun: true, added: 3, changes: expect.arrayContaining([{ app: 'shop', env: 'dev', key: 'A', outcome: 'added' }]) });
    expect(json(await cliIn(['importenv', envFile, '--app', 'shop', '--env', 'dev', '--format', 'json'], { vault: alice }))).toMatchObject({ dryRun: false, added: 3, empty: 1 });
    // Each knows the other.
    const pub = async (v: string): Promise<string> => ok(await cliIn(['public-key'], { vault: v })).stdout.trim();
    ok(await cliIn(['add', 'user', '--username', 'bob', '--email', 'bob@example.com', '--pubkey', await pub(bob)], { vault: alice }));
    ok(await cliIn(['add', 'user', '--username', 'alice', '--email', 'alice@example.com', '--pubkey', await pub(alice)], { vault: bob }));
    const bundle = path.join(dir, 'b.json');
    const exported = json(await cliIn(['export', '--to', 'bob', '-f', 'shop:dev:A', '-o', bundle, '--format', 'json'], { vault: alice }));
    expect(exported).toEqual({ files: [{ recipient: 'bob', file: bundle, secrets: 1, serializer: 'bundle' }] });
    // Without -o the bundle itself is the output: a JSON report has nowhere to go.
    expect((await cliIn(['export', '--to', 'bob', '-f', 'shop:dev:A', '--format', 'json'], { vault: alice })).code).toBe(2);
    const loaded = json(await cliIn(['load', '-f', bundle, '--format', 'json'], { vault: bob }));
    expect(loaded).toMatchObject({ sender: 'alice', format: 'bundle', added: 1, outcomes: [{ app: 'shop', env: 'dev', key: 'A', outcome: 'added' }], pending: ['shop:dev:A'], accepted: [] });
    const inbox = path.join(dir, 'inbox');
    fs.mkdirSync(inbox, { mode: 0o700 });
    ok(await cliIn(['export', '--to', 'bob', '-f', 'shop:dev:B', '-o', path.join(inbox, 'one.json')], { vault: alice }));
    fs.writeFileSync(path.join(inbox, 'two.json'), 'not a bundle');
    const r = await cliIn(['inbox', inbox, '--accept', '--format', 'json'], { vault: bob });
    const report = JSON.parse(r.stdout) as { tried: number; loaded: number; files: Array<Record<string, unknown>> };
    expect(r.code).not.toBe(0); // one file failed
    expect([report.tried, report.loaded]).toEqual([2, 1]);
    expect(report.files).toEqual([
      expect.objectContaining({ file: 'one.json', loaded: true, added: 1, accepted: ['shop:dev:B'] }),
      expect.objectContaining({ file: 'two.json', loaded: false, error: expect.objectContaining({ code: expect.stringMatching(/^E_/) }) }),
    ]);
  });
});

describe('--format json: team and securestore', () => {
  it('team list-domains, list-secrets, list-user-secrets, audit, info, verify', async () => {
    const vault = newVault({ user: 'alice' });
    const { file } = await fresh({ vault });
    expect(json(await teamIn(file, ['list-domains', '--format', 'json'], { vault }))).toEqual(['dev']);
    expect(json(await teamIn(file, ['list-secrets', 'dev', '--format', 'json'], { vault }))).toEqual(['API_KEY', 'DB_PASSWORD']);
    expect(json(await teamIn(file, ['list-secrets', '--format', 'json'], { vault }))).toEqual(expect.arrayContaining([{ name: 'API_KEY', domains: ['dev'] }]));
    expect(json(await teamIn(file, ['list-user-secrets', '--format', 'json'], { env: ALICE, vault }))).toEqual({ user: 'alice@example.com', domains: [{ domain: 'dev', secrets: ['API_KEY', 'DB_PASSWORD'] }] });
    expect(json(await teamIn(file, ['audit', '--format', 'json'], { vault }))).toEqual(expect.arrayContaining([expect.any(String)]));
    ok(await teamIn(file, ['sign'], { env: ALICE, vault }));
    const info = json(await teamIn(file, ['info', '--format', 'json'], { vault })) as Record<string, unknown>;
    expect(info).toMatchObject({ file, pprotectReadable: false, signature: { state: expect.any(String), by: 'alice@example.com' }, domains: [expect.objectContaining({ name: 'dev', secrets: 2 })] });
    expect(holdsJsonText(info)).toBe(false);
    expect(json(await teamIn(file, ['verify', '--format', 'json'], { vault }))).toMatchObject({ signedBy: 'alice@example.com', trusted: true });
  });

  it('securestore keys', async () => {
    const dir = tmpdir();
    const env = { SEEQRET_SS_PASSWORD: 'password123' };
    ok(await cliIn(['ss', '-s', path.join(dir, 'secrets.json'), 'create'], { env }));
    ok(await cliIn(['ss', '-s', path.join(dir, 'secrets.json'), 'set', 'one', '1'], { env }));
    expect(json(await cliIn(['ss', '-s', path.join(dir, 'secrets.json'), 'keys', '--format', 'json'], { env }))).toEqual(['one']);
  });
});
