/**
 * `seeqret scan` through the real CLI: files and folders, the git index (`--staged`, a real git
 * repository), the report (`file:line: NAME (encoding)`, JSON), exit codes, what is skipped, the
 * audit entry — and that a scan writes nothing: no file in the scanned tree, the temp folder or
 * the vault folder, and no value on any output.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Vault } from '../src/index.js';
import { LIMITS } from '../src/util/limits.js';
import { type CliResult, addSecrets, cleanEnv, cli, cliIn, errorCode, newVault, tmpdir } from './helpers.js';

const TOKEN = 'sk-live-4f9a8c7e6d5b';
const DB = 'p@ss word/with+sym&bols';

/** Every file under `dir` (relative), with size and mtime, to compare before and after. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', env: cleanEnv({ GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' }) });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** No value of the vault on stdout or stderr. */
function noValues(r: CliResult): void {
  for (const v of [TOKEN, DB, Buffer.from(TOKEN).toString('base64'), Buffer.from(TOKEN).toString('hex')]) {
    expect(r.stdout).not.toContain(v);
    expect(r.stderr).not.toContain(v);
  }
}

function vaultWithSecrets(): string {
  const vault = newVault();
  addSecrets(vault, { app: 'shop', env: 'prod', key: 'API_TOKEN', value: TOKEN }, { app: 'shop', env: 'prod', key: 'DB_PASSWORD', value: DB }, { key: 'PORT', value: '5432' });
  return vault;
}

describe('seeqret scan PATHS', () => {
  // A child process (its exit status, and the temp folder it is given in TMPDIR stays empty); the
  // rest of the file runs in-process (decision 58).
  it('finds values and their encodings, prints file:line: NAME (encoding), exits 1; writes nothing', () => {
    const vault = vaultWithSecrets();
    const tree = tmpdir();
    const tmp = tmpdir();
    fs.mkdirSync(path.join(tree, 'src', 'deep'), { recursive: true });
    fs.writeFileSync(path.join(tree, 'src', 'config.js'), `const a = 1;\nconst token = "${TOKEN}";\n`);
    fs.writeFileSync(path.join(tree, 'src', 'deep', 'k8s.yaml'), `data:\n  api: ${Buffer.from(`x${TOKEN}`).toString('base64')}\n  db: ${encodeURIComponent(DB)}\n`);
    fs.writeFileSync(path.join(tree, 'hex.txt'), `\n\n${Buffer.from(TOKEN).toString('hex').toUpperCase()}\n`);
    fs.writeFileSync(path.join(tree, 'port.txt'), 'port 5432\n'); // too short to look for
    fs.writeFileSync(path.join(tree, 'blob.bin'), Buffer.concat([Buffer.from([0, 1, 2, 10]), Buffer.from(TOKEN)]));
    fs.mkdirSync(path.join(tree, '.git'));
    fs.writeFileSync(path.join(tree, '.git', 'COMMIT_EDITMSG'), TOKEN); // .git is skipped
    const outside = path.join(tmpdir(), 'outside.txt');
    fs.writeFileSync(outside, TOKEN);
    fs.symlinkSync(outside, path.join(tree, 'link.txt')); // not followed
    const treeBefore = snapshot(tree);
    const vaultBefore = snapshot(vault);
    const r = cli(['scan'], { vault, cwd: tree, env: { TMPDIR: tmp } });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout.trimEnd().split('\n')).toEqual([
      'blob.bin:@4: shop:prod:API_TOKEN (plain)',
      'hex.txt:3: shop:prod:API_TOKEN (HEX)',
      'src/config.js:2: shop:prod:API_TOKEN (plain)',
      'src/deep/k8s.yaml:2: shop:prod:API_TOKEN (base64)',
      'src/deep/k8s.yaml:3: shop:prod:DB_PASSWORD (url)',
    ]);
    expect(r.stderr).toMatch(/5 occurrences of 2 secrets in 4 of 5 files; 1 secrets shorter than 8 characters not looked for/);
    noValues(r);
    expect(snapshot(tree)).toEqual(treeBefore);
    expect(snapshot(vault)).toEqual(vaultBefore);
    expect(snapshot(tmp)).toEqual([]);
    // One audit entry, naming what was found, never a value.
    const v = Vault.open({ dir: vault, readonly: true });
    try {
      const entries = v.auditLog({ action: 'scan' });
      expect(entries).toHaveLength(1);
      expect(JSON.parse(entries[0]?.detail ?? 'null')).toMatchObject({ found: ['shop:prod:API_TOKEN', 'shop:prod:DB_PASSWORD'], files: 5 });
      expect(JSON.stringify(entries)).not.toContain(TOKEN);
    } finally {
      v.close();
    }
  });

  it('--format json, --list-skipped, a named symbolic link and a file over the cap are notes; a clean tree exits 0', async () => {
    const vault = vaultWithSecrets();
    const tree = tmpdir();
    fs.writeFileSync(path.join(tree, 'a.txt'), `x ${TOKEN}\n`);
    const big = path.join(tree, 'big.log');
    fs.closeSync(fs.openSync(big, 'w'));
    fs.truncateSync(big, LIMITS.scanFile.bytes + 1); // sparse
    fs.symlinkSync(path.join(tree, 'a.txt'), path.join(tree, 'named-link'));
    const r = await cliIn(['scan', '--format', 'json', '--list-skipped', '.', 'named-link'], { vault, cwd: tree });
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({
      found: [{ file: 'a.txt', line: 1, offset: 2, name: 'shop:prod:API_TOKEN', encoding: 'plain' }],
      files: 1,
      secrets: 2,
      shortSecrets: ['*:*:PORT'],
      skipped: [{ file: 'big.log', reason: 'too-large' }, { file: 'named-link', reason: 'symlink' }],
    });
    noValues(r);
    fs.rmSync(path.join(tree, 'a.txt'));
    const clean = await cliIn(['scan', '--list-skipped'], { vault, cwd: tree });
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).toBe('');
    expect(clean.stderr).toContain('not looked for (shorter than 8 characters): *:*:PORT');
    expect(clean.stderr).toContain('big.log: skipped, larger than 64 MiB (the limit for a file to scan)');
    expect(clean.stderr).toContain('no secret found in 0 files (2 secrets looked for)');
  });

  it('a file name with control characters is escaped; a missing PATH and --staged with PATHS are errors', async () => {
    const vault = vaultWithSecrets();
    const tree = tmpdir();
    fs.writeFileSync(path.join(tree, 'evil\u001b[31m.txt'), TOKEN);
    const r = await cliIn(['scan'], { vault, cwd: tree });
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('\u001b');
    expect(r.stdout).toContain('shop:prod:API_TOKEN (plain)');
    const missing = await cliIn(['scan', 'nope'], { vault, cwd: tree });
    expect([errorCode(missing), missing.code]).toEqual(['E_FILE_NOT_FOUND', 3]);
    const both = await cliIn(['scan', '--staged', 'x'], { vault, cwd: tree });
    expect([errorCode(both), both.code]).toEqual(['E_USAGE', 2]);
  });
});

describe('seeqret scan --staged', () => {
  it('searches the index, not the work tree; outside a repository E_NOT_A_REPO (exit 3)', async () => {
    const vault = vaultWithSecrets();
    const repo = tmpdir();
    git(repo, 'init', '-q');
    fs.mkdirSync(path.join(repo, 'conf'));
    fs.writeFileSync(path.join(repo, 'conf', 'app.env'), `A=1\nTOKEN=${TOKEN}\n`);
    git(repo, 'add', 'conf/app.env');
    // the secret is removed from the work tree but still staged: found
    fs.writeFileSync(path.join(repo, 'conf', 'app.env'), 'A=1\nTOKEN=\n');
    const r = await cliIn(['scan', '--staged'], { vault, cwd: path.join(repo, 'conf') });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toBe('conf/app.env:2: shop:prod:API_TOKEN (plain)\n');
    noValues(r);
    // staged clean, the work tree holds the secret (not staged): clean
    git(repo, 'add', 'conf/app.env');
    fs.writeFileSync(path.join(repo, 'notes.txt'), TOKEN);
    const clean = await cliIn(['scan', '--staged'], { vault, cwd: repo });
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stderr).toContain('no secret found in 1 staged files');
    // a large staged blob in several blocks: the value across a 1 MiB block boundary is found
    const big = Buffer.alloc(3 * 1024 * 1024 + 17, 'a');
    big.write(TOKEN, 1024 * 1024 - 5);
    fs.writeFileSync(path.join(repo, 'big.txt'), big);
    git(repo, 'add', 'big.txt');
    const blocks = await cliIn(['scan', '--staged', '--format', 'json'], { vault, cwd: repo });
    expect(blocks.code, blocks.stderr).toBe(1);
    expect((JSON.parse(blocks.stdout) as { found: unknown[] }).found).toEqual([{ file: 'big.txt', line: 1, offset: 1024 * 1024 - 5, name: 'shop:prod:API_TOKEN', encoding: 'plain' }]);
    const outside = await cliIn(['scan', '--staged'], { vault, cwd: tmpdir() });
    expect([errorCode(outside), outside.code]).toEqual(['E_NOT_A_REPO', 3]);
  });
});
