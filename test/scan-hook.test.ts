/**
 * `seeqret hook install|uninstall` through the real CLI and real git: the hook blocks a real
 * `git commit` that stages a value of the vault, lets a clean one through, keeps (and still runs)
 * an existing hook, installs twice without stacking, follows `core.hooksPath`, and uninstall puts
 * the previous hook back.
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { addSecrets, cleanEnv, cli, cliIn, cliInWith, errorCode, newVault, tmpdir } from './helpers.js';
import { cliInSelf } from './self-command-helpers.js';

const TOKEN = 'ghp_9ZyXwVuTsRqPoNmLk';
const GIT_ENV = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com', GIT_CONFIG_NOSYSTEM: '1' };

function git(cwd: string, ...args: string[]): SpawnSyncReturns<string> {
  return spawnSync('git', args, { cwd, encoding: 'utf8', env: cleanEnv(GIT_ENV), timeout: 60_000 });
}

function repoWithVault(): { repo: string; vault: string } {
  const vault = newVault();
  addSecrets(vault, { app: 'ci', env: 'prod', key: 'GITHUB_TOKEN', value: TOKEN });
  const repo = tmpdir();
  expect(git(repo, 'init', '-q').status).toBe(0);
  return { repo, vault };
}

describe('seeqret hook', () => {
  it('in-process, the hook runs the seeqret the caller names, never the host program; with none named it is refused and nothing is written', async () => {
    const { repo, vault } = repoWithVault();
    const hook = path.join(repo, '.git', 'hooks', 'pre-commit');
    const refused = await cliIn(['hook', 'install'], { vault, cwd: repo });
    expect(errorCode(refused)).toBe('E_INTERNAL');
    expect(fs.existsSync(hook)).toBe(false);
    const bin = path.join(repo, 'bin', 'seeqret.js');
    const r = await cliInWith(['hook', 'install'], { vault, cwd: repo }, { selfCommand: [process.execPath, bin] });
    expect(r.code, r.stderr).toBe(0);
    const script = fs.readFileSync(hook, 'utf8');
    expect(script).toContain(bin);
    expect(script).not.toContain(process.argv[1] ?? '\0');
  });

  it('blocks a real git commit holding a value, keeps and runs the previous hook, uninstall restores it', async () => {
    const { repo, vault } = repoWithVault();
    const hooks = path.join(repo, '.git', 'hooks');
    const previous = '#!/bin/sh\necho previous-ran >> "$(git rev-parse --git-dir)/previous.log"\n';
    fs.mkdirSync(hooks, { recursive: true });
    fs.writeFileSync(path.join(hooks, 'pre-commit'), previous, { mode: 0o755 });

    // The first install is a child process (the hook names the executable it ran as, 0755);
    // the other hook commands run in-process (cliInSelf names the same executable). The hook
    // itself runs the real executable at each commit.
    const installed = cli(['hook', 'install'], { vault, cwd: repo });
    expect(installed.code, installed.stderr).toBe(0);
    expect(installed.stderr).toContain('pre-commit.seeqret-previous');
    expect(fs.readFileSync(path.join(hooks, 'pre-commit.seeqret-previous'), 'utf8')).toBe(previous);
    const script = fs.readFileSync(path.join(hooks, 'pre-commit'), 'utf8');
    expect(fs.statSync(path.join(hooks, 'pre-commit')).mode & 0o777).toBe(0o755);
    // Installing again rewrites seeqret's hook only (the kept hook stays the user's).
    expect((await cliInSelf(['hook', 'install'], { vault, cwd: repo })).code).toBe(0);
    expect(fs.readFileSync(path.join(hooks, 'pre-commit'), 'utf8')).toBe(script);
    expect(fs.readFileSync(path.join(hooks, 'pre-commit.seeqret-previous'), 'utf8')).toBe(previous);

    // A commit staging the value is refused, by name, without the value.
    fs.writeFileSync(path.join(repo, 'deploy.sh'), `curl -H "Authorization: token ${TOKEN}" https://api.github.com\n`);
    expect(git(repo, 'add', 'deploy.sh').status).toBe(0);
    const blocked = git(repo, 'commit', '-q', '-m', 'deploy');
    expect(blocked.status).not.toBe(0);
    expect(blocked.stdout + blocked.stderr).toContain('deploy.sh:1: ci:prod:GITHUB_TOKEN (plain)');
    expect(blocked.stdout + blocked.stderr).not.toContain(TOKEN);
    expect(git(repo, 'rev-parse', '--verify', '-q', 'HEAD').status).not.toBe(0); // nothing committed
    expect(fs.readFileSync(path.join(repo, '.git', 'previous.log'), 'utf8')).toBe('previous-ran\n');

    // A clean commit goes through (and the previous hook ran again).
    fs.writeFileSync(path.join(repo, 'deploy.sh'), 'curl -H "Authorization: token $GITHUB_TOKEN" https://api.github.com\n');
    expect(git(repo, 'add', 'deploy.sh').status).toBe(0);
    const ok = git(repo, 'commit', '-q', '-m', 'deploy');
    expect(ok.status, ok.stderr).toBe(0);
    expect(fs.readFileSync(path.join(repo, '.git', 'previous.log'), 'utf8')).toBe('previous-ran\nprevious-ran\n');

    // A previous hook that fails still stops the commit.
    fs.writeFileSync(path.join(hooks, 'pre-commit.seeqret-previous'), '#!/bin/sh\nexit 3\n', { mode: 0o755 });
    fs.writeFileSync(path.join(repo, 'b.txt'), 'clean\n');
    git(repo, 'add', 'b.txt');
    expect(git(repo, 'commit', '-q', '-m', 'b').status).not.toBe(0);
    fs.writeFileSync(path.join(hooks, 'pre-commit.seeqret-previous'), previous, { mode: 0o755 });

    const removed = await cliIn(['hook', 'uninstall'], { vault, cwd: repo });
    expect(removed.code, removed.stderr).toBe(0);
    expect(fs.readFileSync(path.join(hooks, 'pre-commit'), 'utf8')).toBe(previous);
    expect(fs.existsSync(path.join(hooks, 'pre-commit.seeqret-previous'))).toBe(false);
    // Uninstalling again leaves the user's hook alone.
    const again = await cliIn(['hook', 'uninstall'], { vault, cwd: repo });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("is not seeqret's hook");
    expect(fs.readFileSync(path.join(hooks, 'pre-commit'), 'utf8')).toBe(previous);
  });

  it('follows core.hooksPath; with no previous hook uninstall removes the file; outside a repository E_NOT_A_REPO', async () => {
    const { repo, vault } = repoWithVault();
    expect(git(repo, 'config', 'core.hooksPath', 'githooks').status).toBe(0);
    const sub = path.join(repo, 'sub');
    fs.mkdirSync(sub);
    expect((await cliInSelf(['hook', 'install'], { vault, cwd: sub })).code).toBe(0);
    const hook = path.join(repo, 'githooks', 'pre-commit');
    expect(fs.readFileSync(hook, 'utf8')).toContain('# seeqret pre-commit hook');
    fs.writeFileSync(path.join(sub, 'a.env'), `T=${TOKEN}\n`);
    git(repo, 'add', '.');
    const blocked = git(repo, 'commit', '-q', '-m', 'x');
    expect(blocked.status).not.toBe(0);
    expect(blocked.stderr).toContain('sub/a.env:1: ci:prod:GITHUB_TOKEN (plain)');
    expect((await cliIn(['hook', 'uninstall'], { vault, cwd: repo })).code).toBe(0);
    expect(fs.existsSync(hook)).toBe(false);
    const none = await cliIn(['hook', 'uninstall'], { vault, cwd: repo });
    expect(none.stderr).toContain('nothing to remove');
    const outside = await cliInSelf(['hook', 'install'], { vault, cwd: tmpdir() });
    expect([errorCode(outside), outside.code]).toEqual(['E_NOT_A_REPO', 3]);
  });
});
