/**
 * Credentials never reach a child: every command that starts a process (`run`, `team exec`,
 * `set NAME=!command`) gives it an environment without seeqret's credential variables, and
 * descriptors 0–2 only — never the descriptor a `--passphrase-file /dev/fd/N` named. Each child
 * is a real process (a `/bin/sh` script) reporting the environment and the descriptors it was
 * given (`env -0`, `/proc/$$/fd`): what seeqret hands a child is the same whatever the program,
 * and a shell starts for about a millisecond of CPU where `node` takes about a hundred.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { childEnvironment, credentialVariables } from '../src/inject/child-env.js';
import { BIN, type CliResult, cleanEnv, cli, cliIn, errorCode, newVault, tmpdir } from './helpers.js';
import { parseEnvDump } from './env-dump.js';
import { fresh, stateDirOf } from './team-helpers.js';

/** Every credential variable, set to a recognisable value. */
const CREDENTIALS: Record<string, string> = {
  SEEQRET_PASSPHRASE: 'vault passphrase 1',
  SEEQRET_BACKUP_PASSPHRASE: 'backup passphrase 2',
  SEEQRET_SS_PASSWORD: 'securestore password 3',
  SEEQRET_TEAM_USER: 'alice@example.com',
  SEEQRET_TEAM_PASSPHRASE: 'alice pass',
  SEEQRET_TEAM_NEW_PASSPHRASE: 'new team passphrase 5',
  PPROTECT_USER: 'alice@example.com',
  PPROTECT_PASSPHRASE: 'alice pass',
  PPROTECT_NEW_PASSPHRASE: 'pprotect new 6',
  PPROTECT_ENV_PREFIX: 'ACME',
  ACME_USER: 'alice@example.com',
  ACME_PASSPHRASE: 'alice pass',
};
/** The custodian variables of `team --env-prefix CUSTOM`. */
const CUSTOM = { CUSTOM_USER: 'alice@example.com', CUSTOM_PASSPHRASE: 'alice pass' };
const SECRET_VALUES = [...new Set(Object.entries({ ...CREDENTIALS, ...CUSTOM }).filter(([k]) => /PASS/.test(k)).map(([, v]) => v))];
/** Not credentials: a child keeps them. */
const KEPT = { KEEP_ME: 'kept', SEEQRET_NO_REDACT: '0' };

/**
 * A shell script that writes what the process it runs in received: its environment (`env -0`,
 * NUL-separated) and its open descriptors (`ls -l /proc/$$/fd`: the shell's own table, as the
 * command that started it left it, plus the script it reads); the command line to run it is
 * `/bin/sh SCRIPT`.
 */
function probeScript(): { script: string; report: string } {
  const dir = tmpdir();
  const report = path.join(dir, 'report');
  const script = path.join(dir, 'probe.sh');
  fs.writeFileSync(script, `env -0 > '${report}.env'\nls -l /proc/$$/fd > '${report}.fds'\nprintf probe-output\n`);
  return { script, report };
}

/** The program that runs a probe script. */
const SH = '/bin/sh';

/** Remove a probe's report (before the next run writes it). */
function rmProbe(report: string): void {
  for (const ext of ['.env', '.fds']) fs.rmSync(`${report}${ext}`, { force: true });
}

interface Probe {
  env: Record<string, string>;
  fds: Record<string, string>;
}

function readProbe(report: string): Probe {
  const fds: Record<string, string> = {};
  for (const line of fs.readFileSync(`${report}.fds`, 'utf8').split('\n')) {
    const m = / (\d+) -> (.*)$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) fds[m[1]] = m[2];
  }
  expect(Object.keys(fds)).toContain('0'); // the listing was read
  return { env: parseEnvDump(fs.readFileSync(`${report}.env`, 'utf8')), fds };
}

/** `seeqret ARGS` started by bash with descriptor 200 open on `passFile` (as `200<FILE` does). */
function cliWithFd(args: string[], passFile: string, env: Record<string, string | undefined>, cwd?: string): CliResult {
  const r = spawnSync('bash', ['-c', 'exec "$@" 200<"$PASS_FILE"', 'bash', process.execPath, BIN, ...args], {
    encoding: 'utf8',
    input: '',
    env: cleanEnv({ ...env, PASS_FILE: passFile }),
    cwd: cwd ?? tmpdir(),
    timeout: 60_000,
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** The checks every spawning command must pass. */
function expectClean(p: Probe, passFile: string, extra: Record<string, string> = {}): void {
  for (const k of Object.keys({ ...CREDENTIALS, ...extra })) if (k !== 'PPROTECT_ENV_PREFIX') expect(p.env, k).not.toHaveProperty(k);
  for (const v of SECRET_VALUES) expect(Object.values(p.env)).not.toContain(v);
  expect(p.env).toMatchObject(KEPT);
  // Descriptor 200 (the passphrase file) is not inherited, nor any other descriptor on that file.
  expect(Object.keys(p.fds)).not.toContain('200');
  expect(Object.values(p.fds)).not.toContain(passFile);
}

function passphraseFile(text: string): string {
  const f = path.join(tmpdir(), 'passphrase');
  fs.writeFileSync(f, `${text}\n`);
  return f;
}

describe('the environment of a child', () => {
  it('childEnvironment drops every credential variable, the prefixes named by PPROTECT_ENV_PREFIX and --env-prefix, and nothing else', () => {
    const base = { ...CREDENTIALS, ...CUSTOM, ...KEPT, PATH: '/bin' };
    const env = childEnvironment(base, ['CUSTOM']);
    expect(env).toEqual({ PPROTECT_ENV_PREFIX: 'ACME', ...KEPT, PATH: '/bin' });
    expect(base).toHaveProperty('SEEQRET_PASSPHRASE'); // a copy: the base is left alone
    expect([...credentialVariables({})]).toContain('SEEQRET_SS_PASSWORD');
  });

  it('run: no credential variable and no passphrase descriptor reach the command (passphrase vault, --passphrase-file /dev/fd/200)', async () => {
    const v = newVault({ passphrase: 'vault passphrase 1' });
    const pass = passphraseFile('vault passphrase 1');
    // Set-up in-process (decision 58); the runs under test are child processes started by bash.
    expect((await cliIn(['add', 'key', 'API', 'api-value', '--app', 'web', '--env', 'dev'], { vault: v, env: { SEEQRET_PASSPHRASE: 'vault passphrase 1' } })).code).toBe(0);
    const { script, report } = probeScript();
    for (const fdPath of ['/dev/fd/200', '/proc/self/fd/200']) {
      rmProbe(report);
      const r = cliWithFd(['--vault', v, '--passphrase-file', fdPath, 'run', '-f', 'web:dev:', '--', SH, script], pass, { ...CREDENTIALS, ...KEPT });
      expect(r.code, r.stderr).toBe(0);
      const p = readProbe(report);
      expectClean(p, pass);
      expect(p.env['API']).toBe('api-value');
    }
    // --mask (output through pipes) gives the same environment.
    const r = cliWithFd(['--vault', v, '--passphrase-file', '/dev/fd/200', 'run', '--mask', '-f', 'web:dev:', '--', SH, script], pass, { ...CREDENTIALS, ...KEPT });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('probe-output');
    expectClean(readProbe(report), pass);
  });

  it('run with SEEQRET_PASSPHRASE: the command does not see it', () => {
    const v = newVault({ passphrase: 'vault passphrase 1' });
    const { script, report } = probeScript();
    const r = cli(['run', '-f', '::NOTHING', '--', SH, script], { vault: v, env: { ...CREDENTIALS, ...KEPT } });
    expect(r.code, r.stderr).toBe(0);
    expectClean(readProbe(report), '/nonexistent');
  });

  it('team exec: neither the custodian credentials (any prefix) nor the vault passphrase nor the passphrase descriptor', async () => {
    // The team file (alice owns dev, DB_PASSWORD = hunter2) made in-process by the team use cases
    // at the lowest Argon2id cost the format records (test/team-helpers.ts `fresh`; `team init`
    // and `add-secret` run through the CLI in test/team-cli.test.ts): the exec runs under test
    // unlock alice at that cost instead of `fast`'s 64 MiB.
    const { file } = await fresh();
    const { script, report } = probeScript();
    const pass = passphraseFile('alice pass');
    const cases: Array<[string[], Record<string, string>]> = [
      [['--team-passphrase-file', '/dev/fd/200', '-u', 'alice@example.com'], {}],
      [['--env-prefix', 'CUSTOM'], CUSTOM],
    ];
    for (const [team, extra] of cases) {
      rmProbe(report);
      const r = cliWithFd(['team', '--file', file, ...team, 'exec', '--domain', 'dev', '--', SH, script], pass, { ...CREDENTIALS, ...extra, ...KEPT, SEEQRET: stateDirOf(file) });
      expect(r.code, r.stderr).toBe(0);
      const p = readProbe(report);
      expectClean(p, pass, extra);
      expect(p.env['DB_PASSWORD']).toBe('hunter2');
    }
  });

  it('set NAME=!command: the command sees no credentials and no passphrase descriptor', async () => {
    const v = newVault({ passphrase: 'vault passphrase 1' });
    const dir = path.join(tmpdir(), 'shop');
    fs.mkdirSync(dir);
    expect((await cliIn(['project', 'init'], { vault: v, cwd: dir, env: { SEEQRET_PASSPHRASE: 'vault passphrase 1' } })).code).toBe(0);
    fs.writeFileSync(path.join(dir, 'secrets', 'dev', 'secrets.d', 'app.json'), '[{"Variable": "token", "Type": "string"}]');
    const { script, report } = probeScript();
    const pass = passphraseFile('vault passphrase 1');
    const r = cliWithFd(['--vault', v, '--passphrase-file', '/dev/fd/200', 'set', `token=!${SH} ${script}`], pass, { ...CREDENTIALS, ...KEPT }, dir);
    expect(r.code, r.stderr).toBe(0);
    expectClean(readProbe(report), pass);
    const got = await cliIn(['get', 'shop:dev:token'], { vault: v, env: { SEEQRET_PASSPHRASE: 'vault passphrase 1' } });
    expect(got.stdout).toBe('probe-output\n');
  });

  it('a wrong --passphrase-file descriptor is still an error, not a crash', () => {
    const v = newVault({ passphrase: 'vault passphrase 1' });
    const r = cli(['--passphrase-file', '/dev/fd/201', 'run', '-f', '::X', '--', process.execPath, '-e', '0'], { vault: v });
    expect(errorCode(r)).toMatch(/^E_/);
  });
});
