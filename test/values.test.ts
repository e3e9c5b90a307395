/**
 * Values a person types or pipes are never lost or silently changed (issue 12, "Values"): empty
 * values are refused unless --allow-empty, hidden input is asked twice, and Ctrl-C or SIGTERM at
 * any kind of prompt exits 130 with one line and changes nothing. What only a terminal shows —
 * typed keys not echoed, Ctrl-C and Ctrl-D as the terminal sends them, signals, the `get` fast
 * path's prompt — runs in a real pseudo-terminal (test/pty-driver.py, Python's pty module), keys
 * typed as a person would; where the subject is the value stored or refused after a prompt
 * answered, the command runs in-process with the same prompts answered as they appear
 * (`answered`); set-up (a secret added, a project, an introduction, an export) runs in-process.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/errors.js';
import { BIN, type CliOptions, type CliResult, ROOT, cleanEnv, cliIn, cliInWith, errorCode, newVault, tmpdir, vaultState, vaultValues } from './helpers.js';
import { fixtureCopy, stateDirOf } from './team-helpers.js';
import { must } from './must.js';

const PYTHON = '/usr/bin/python3';
const DRIVER = path.join(ROOT, 'test', 'pty-driver.py');
const hasPython = fs.existsSync(PYTHON);
if (!hasPython) console.log(`skipping the terminal tests of test/values.test.ts: ${PYTHON} (Debian package python3) is missing`);

type Step = { expect: string } | { send: string } | { signal: 'SIGINT' | 'SIGTERM' } | { sleep: number };

interface PtyResult {
  status: number | null;
  signal: string | null;
  output: string;
  failed: string | null;
}

/**
 * The driver, started once for the file (`--serve`: one session per line, its result on one line):
 * a Python start costs about 0.1 s of CPU, and this file runs 39 sessions. Each session is still
 * its own `seeqret` process on its own pseudo-terminal.
 */
interface PtyDriver {
  readonly child: ChildProcessWithoutNullStreams;
  /** The sessions sent and not answered yet, in order. */
  readonly waiting: Array<{ resolve: (r: PtyResult) => void; reject: (e: Error) => void }>;
  stderr: string;
}
let driver: PtyDriver | undefined;

function ptyDriver(): PtyDriver {
  if (driver) return driver;
  const child = spawn(PYTHON, [DRIVER, '--serve'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const d: PtyDriver = { child, waiting: [], stderr: '' };
  let buffered = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      d.waiting.shift()?.resolve(JSON.parse(line) as PtyResult);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (d.stderr += chunk));
  child.on('close', (code) => {
    for (const w of d.waiting.splice(0)) w.reject(new Error(`pty driver exited (${String(code)}): ${d.stderr}`));
    if (driver === d) driver = undefined;
  });
  driver = d;
  return d;
}

afterAll(async () => {
  const d = driver;
  if (!d) return;
  const closed = new Promise<void>((resolve) => d.child.on('close', () => { resolve(); }));
  d.child.stdin.end();
  await closed;
});

/** Run `seeqret ARGS` on a pseudo-terminal, following `steps` (wait for text, type keys, send a signal). */
function onTerminal(args: string[], steps: Step[], opts: { cwd?: string; env?: Record<string, string | undefined> } = {}): Promise<PtyResult> {
  const spec = { argv: [process.execPath, BIN, ...args], env: cleanEnv({ TERM: 'xterm', ...opts.env }), cwd: opts.cwd ?? ROOT, timeout: 40, steps };
  const d = ptyDriver();
  return new Promise<PtyResult>((resolve, reject) => {
    d.waiting.push({ resolve, reject });
    d.child.stdin.write(`${JSON.stringify(spec)}\n`);
  });
}

/**
 * `seeqret ARGS` in-process with stdin and stderr as a terminal, each `[text, keys]` of `answers`
 * typed once `text` has been drawn (`runCli`'s `answers`): the same prompts as on a terminal, for
 * cases whose subject is what is stored or refused after them.
 */
function answered(args: string[], answers: ReadonlyArray<readonly [string, string]>, opts: CliOptions = {}): Promise<CliResult> {
  return cliInWith(args, opts, { stdinIsTTY: true, stderrIsTTY: true, answers: answers.map(([text, keys]) => ({ expect: text, send: keys })) });
}

/** The lines seeqret printed as `seeqret: …` (the prompt's own drawing left out). */
function seeqretLines(output: string): string[] {
  // eslint-disable-next-line no-control-regex
  const plain = output.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
  return plain.split(/\r?\n|\r/).filter((l) => l.includes('seeqret:'));
}

/** Exit 130, exactly one line, `E_INTERRUPTED`, no stack trace, never `E_INTERNAL`. */
function expectInterrupted(r: PtyResult, by: 'Ctrl-C' | 'SIGTERM'): void {
  expect(r.failed).toBeNull();
  expect([r.status, r.signal]).toEqual([130, null]);
  const lines = seeqretLines(r.output);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^(\\S.*)?seeqret: E_INTERRUPTED: interrupted by ${by} while waiting for input; the command stopped there\\. Fix: `));
  expect(r.output).not.toContain('E_INTERNAL');
  expect(r.output).not.toMatch(/\n\s+at /);
}

function ok(r: CliResult): CliResult {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
  return r;
}

/** vaultState of a passphrase-protected vault (the library reads SEEQRET_PASSPHRASE). */
function protectedState(vault: string, passphrase: string): string {
  const before = process.env['SEEQRET_PASSPHRASE'];
  process.env['SEEQRET_PASSPHRASE'] = passphrase;
  try {
    return vaultState(vault);
  } finally {
    if (before === undefined) delete process.env['SEEQRET_PASSPHRASE'];
    else process.env['SEEQRET_PASSPHRASE'] = before;
  }
}

// Logic of the value checks: run in-process (the in-process runner, decision 50); the prompts and
// the terminal below stay real processes.
describe('empty values are refused unless --allow-empty (E_EMPTY_VALUE, exit 10)', () => {
  it('edit value KEY </dev/null keeps the real value (it used to store "" and exit 0)', async () => {
    const vault = newVault();
    ok(await cliIn(['add', 'key', 'DB_PASS'], { vault, input: 'real-value\n' }));
    const before = vaultState(vault);
    const r = await cliIn(['edit', 'value', 'DB_PASS'], { vault, input: '' });
    expect([r.code, errorCode(r)]).toEqual([10, 'E_EMPTY_VALUE']);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('--allow-empty');
    expect(vaultState(vault)).toBe(before);
    expect(vaultValues(vault)['*:*:DB_PASS']).toBe('real-value');
    // an empty argument (an unset shell variable: "$PASS") and a lone newline on stdin too
    expect(errorCode(await cliIn(['edit', 'value', 'DB_PASS', ''], { vault }))).toBe('E_EMPTY_VALUE');
    expect(errorCode(await cliIn(['edit', 'value', 'DB_PASS'], { vault, input: '\n' }))).toBe('E_EMPTY_VALUE');
    expect(vaultState(vault)).toBe(before);
    // --allow-empty stores "" (the old value goes to history)
    ok(await cliIn(['edit', 'value', 'DB_PASS', '--allow-empty'], { vault, input: '' }));
    expect(vaultValues(vault)['*:*:DB_PASS']).toBe('');
    expect((await cliIn(['get', 'DB_PASS'], { vault })).stdout).toBe('\n');
  });

  it('add key and add text, from an argument, stdin or an empty file on stdin', async () => {
    const vault = newVault();
    const before = vaultState(vault);
    for (const r of [
      await cliIn(['add', 'key', 'A'], { vault, input: '' }),
      await cliIn(['add', 'key', 'A', ''], { vault }),
      await cliIn(['add', 'key', 'A'], { vault, input: '\r\n' }),
      await cliIn(['add', 'text', 'T'], { vault, input: '' }),
    ]) {
      expect([r.code, errorCode(r)]).toEqual([10, 'E_EMPTY_VALUE']);
    }
    expect(vaultState(vault)).toBe(before);
    // replacing a real value with --force is refused the same way
    ok(await cliIn(['add', 'key', 'A', 'kept'], { vault }));
    expect(errorCode(await cliIn(['add', 'key', 'A', '--force'], { vault, input: '' }))).toBe('E_EMPTY_VALUE');
    expect(vaultValues(vault)['*:*:A']).toBe('kept');
    ok(await cliIn(['add', 'key', 'B', '--allow-empty'], { vault, input: '' }));
    ok(await cliIn(['add', 'text', 'T', '--allow-empty'], { vault, input: '' }));
    expect(vaultValues(vault)).toMatchObject({ '*:*:B': '', '*:*:T': '' });
    // whitespace is a value, kept as given
    ok(await cliIn(['add', 'key', 'S', ' '], { vault }));
    expect(vaultValues(vault)['*:*:S']).toBe(' ');
  });

  it('set: VAR=, an empty @FILE, empty @- and a command that prints nothing set nothing (all or nothing)', async () => {
    const vault = newVault();
    const dir = path.join(tmpdir(), 'shop');
    fs.mkdirSync(dir);
    const run = (args: string[], input = ''): Promise<CliResult> => cliIn(args, { vault, cwd: dir, input });
    ok(await run(['project', 'init']));
    for (const env of ['dev', 'prod']) {
      fs.mkdirSync(path.join(dir, 'secrets', env, 'secrets.d'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'secrets', env, 'secrets.d', 'app.json'), JSON.stringify([{ Variable: 'api_key', Type: 'string' }, { Variable: 'mode', Type: 'string' }]));
    }
    fs.writeFileSync(path.join(dir, 'empty.txt'), '  \n');
    ok(await run(['set', 'api_key=real']));
    const before = vaultState(vault);
    for (const args of [['api_key='], ['mode=on', 'api_key=@empty.txt'], ['api_key=@-'], ['mode=on', "api_key=!printf ''"]]) {
      const r = await run(['set', ...args]);
      expect([args, r.code, errorCode(r)]).toEqual([args, 10, 'E_EMPTY_VALUE']);
    }
    expect(vaultState(vault)).toBe(before);
    ok(await run(['set', 'api_key=', '--allow-empty']));
    expect(vaultValues(vault)['shop:dev:api_key']).toBe('');
    // a copy of a stored empty value is taken as it is
    ok(await run(['set', '-e', 'prod', '--from-env', 'dev', 'api_key']));
    expect(vaultValues(vault)['shop:prod:api_key']).toBe('');
  });

  it('importenv: KEY= in the file is imported as an empty value (the file says so), and the command says it did', async () => {
    const vault = newVault();
    const file = path.join(tmpdir(), '.env');
    fs.writeFileSync(file, 'A=1\nEMPTY=\nQUOTED=""\n');
    const r = ok(await cliIn(['importenv', file], { vault }));
    expect(r.stderr).toContain('2 empty values (KEY= in');
    expect(r.stderr).toContain('EMPTY, QUOTED');
    expect(vaultValues(vault)).toEqual({ '*:*:A': '1', '*:*:EMPTY': '', '*:*:QUOTED': '' });
  });
});

describe.runIf(hasPython)('on a terminal: the hidden prompt', () => {
  it('Enter, or end of input (Ctrl-D), at the prompt is E_EMPTY_VALUE; nothing is stored', async () => {
    const vault = newVault();
    const before = vaultState(vault);
    const empty = 'seeqret: E_EMPTY_VALUE: the value for K is empty; nothing was stored.';
    const enter = await answered(['add', 'key', 'K'], [['Value for K', '\r']], { vault });
    expect(enter.code).toBe(10);
    expect(seeqretLines(enter.stderr)).toEqual([expect.stringContaining(empty)]);
    expect(enter.stderr).not.toContain('Repeat');
    // Ctrl-D as the terminal sends it
    const r = await onTerminal(['--vault', vault, 'add', 'key', 'K'], [{ expect: 'Value for K' }, { send: '\u0004' }]);
    expect(r.failed).toBeNull();
    expect(r.status).toBe(10);
    expect(seeqretLines(r.output)).toEqual([expect.stringContaining(empty)]);
    expect(r.output).not.toContain('Repeat');
    expect(vaultState(vault)).toBe(before);
  });

  it('asks twice: the same value twice is stored (never echoed); two different ones are one line, nothing stored', async () => {
    const vault = newVault();
    const same = await onTerminal(['--vault', vault, 'add', 'key', 'K'], [{ expect: 'Value for K' }, { send: 's3cret-typed\r' }, { expect: 'Repeat value for K' }, { send: 's3cret-typed\r' }]);
    expect([same.failed, same.status]).toEqual([null, 0]);
    expect(same.output).not.toContain('s3cret');
    expect(vaultValues(vault)['*:*:K']).toBe('s3cret-typed');
    const before = vaultState(vault);
    const differ = await onTerminal(['--vault', vault, 'edit', 'value', 'K'], [{ expect: 'Value for *:*:K' }, { send: 'new-value\r' }, { expect: 'Repeat value for' }, { send: 'new-valeu\r' }]);
    expect([differ.failed, differ.status]).toEqual([null, 2]);
    expect(seeqretLines(differ.output)).toEqual([expect.stringMatching(/seeqret: E_USAGE: the two entries for \*:\*:K differ; nothing was stored\. Fix: /)]);
    expect(differ.output).not.toContain('new-val');
    expect(vaultState(vault)).toBe(before);
    const changed = await answered(['edit', 'value', 'K'], [['Value for', 'new-value\r'], ['Repeat', 'new-value\r']], { vault });
    expect(changed.code, changed.stderr).toBe(0);
    expect(vaultValues(vault)['*:*:K']).toBe('new-value');
  });

  it('--allow-empty: Enter twice stores ""', async () => {
    const vault = newVault();
    const r = await answered(['add', 'key', 'E', '--allow-empty'], [['Value for E', '\r'], ['Repeat value for E', '\r']], { vault });
    expect(r.code, r.stderr).toBe(0);
    expect(vaultValues(vault)['*:*:E']).toBe('');
  });

  it('unlocking a protected vault asks once; a new vault passphrase is asked twice, and is never empty', async () => {
    const parent = tmpdir();
    const empty = await answered(['init', parent, '--user', 'u', '--email', 'u@example.com', '--passphrase'], [['New vault passphrase', '\r']]);
    expect(empty.code).toBe(10);
    expect(seeqretLines(empty.stderr)).toEqual([expect.stringContaining('seeqret: E_EMPTY_VALUE: the new vault passphrase is empty; nothing was written. Fix: Type a passphrase')]);
    expect(fs.readdirSync(parent)).toEqual([]);
    const init = await answered(['init', parent, '--user', 'u', '--email', 'u@example.com', '--passphrase'], [
      ['New vault passphrase', 'correct horse battery\r'],
      ['Repeat the passphrase', 'correct horse battery\r'],
    ]);
    expect(init.code, init.stderr).toBe(0);
    const vault = path.join(parent, 'seeqret');
    ok(await cliIn(['add', 'key', 'K', 'v'], { vault, env: { SEEQRET_PASSPHRASE: 'correct horse battery' } }));
    const get = await onTerminal(['--vault', vault, 'get', 'K'], [{ expect: 'Vault passphrase' }, { send: 'correct horse battery\r' }]);
    expect([get.failed, get.status]).toEqual([null, 0]);
    expect(get.output).not.toContain('Repeat');
    expect(get.output).toContain('v\r\n');
  });
});

describe.runIf(hasPython)('on a terminal: Ctrl-C or SIGTERM at any prompt exits 130 with one line and changes nothing', () => {
  it('the hidden value prompt (add key, edit value), by key and by SIGTERM, at the first entry and at the repeat', async () => {
    const vault = newVault();
    ok(await cliIn(['add', 'key', 'K', 'old'], { vault }));
    const before = vaultState(vault);
    expectInterrupted(await onTerminal(['--vault', vault, 'add', 'key', 'N'], [{ expect: 'Value for N' }, { send: 'abc\u0003' }]), 'Ctrl-C');
    expectInterrupted(await onTerminal(['--vault', vault, 'add', 'key', 'N'], [{ expect: 'Value for N' }, { signal: 'SIGTERM' }]), 'SIGTERM');
    expectInterrupted(await onTerminal(['--vault', vault, 'edit', 'value', 'K'], [{ expect: 'Value for' }, { send: 'new\r' }, { expect: 'Repeat' }, { send: '\u0003' }]), 'Ctrl-C');
    expectInterrupted(await onTerminal(['--vault', vault, 'edit', 'value', 'K'], [{ expect: 'Value for' }, { send: 'new\r' }, { expect: 'Repeat' }, { signal: 'SIGINT' }]), 'Ctrl-C');
    expect(vaultState(vault)).toBe(before);
  });

  it('multi-line text typed until Ctrl-D (add text): Ctrl-C and SIGTERM', async () => {
    const vault = newVault();
    const before = vaultState(vault);
    expectInterrupted(await onTerminal(['--vault', vault, 'add', 'text', 'T'], [{ expect: 'end with Ctrl-D' }, { send: 'line one\r' }, { sleep: 0.2 }, { send: '\u0003' }]), 'Ctrl-C');
    expectInterrupted(await onTerminal(['--vault', vault, 'add', 'text', 'T'], [{ expect: 'end with Ctrl-D' }, { send: 'line one\r' }, { sleep: 0.2 }, { signal: 'SIGTERM' }]), 'SIGTERM');
    expect(vaultState(vault)).toBe(before);
  });

  it('the passphrase prompt of a protected vault (the get fast path and the full command tree)', async () => {
    const vault = newVault({ passphrase: 'correct horse battery' });
    ok(await cliIn(['add', 'key', 'K', 'v'], { vault, env: { SEEQRET_PASSPHRASE: 'correct horse battery' } }));
    const before = protectedState(vault, 'correct horse battery');
    expectInterrupted(await onTerminal(['--vault', vault, 'get', 'K'], [{ expect: 'Vault passphrase' }, { send: '\u0003' }]), 'Ctrl-C');
    expectInterrupted(await onTerminal(['--vault', vault, 'list'], [{ expect: 'Vault passphrase' }, { send: 'corr\u0003' }]), 'Ctrl-C');
    expectInterrupted(await onTerminal(['--vault', vault, 'rm', 'key', 'K'], [{ expect: 'Vault passphrase' }, { signal: 'SIGTERM' }]), 'SIGTERM');
    expect(protectedState(vault, 'correct horse battery')).toBe(before);
  });

  it('the y/N confirmation of rm key (a line read in cooked mode: Ctrl-C is a real SIGINT)', async () => {
    const vault = newVault();
    ok(await cliIn(['add', 'key', 'K', 'v'], { vault }));
    const before = vaultState(vault);
    const c = await onTerminal(['--vault', vault, 'rm', 'key', 'K'], [{ expect: 'Delete it? [y/N]' }, { send: '\u0003' }]);
    expectInterrupted(c, 'Ctrl-C');
    expectInterrupted(await onTerminal(['--vault', vault, 'rm', 'key', 'K'], [{ expect: 'Delete it? [y/N]' }, { signal: 'SIGTERM' }]), 'SIGTERM');
    // a typed "y" that has not been sent with Enter is not an answer
    expectInterrupted(await onTerminal(['--vault', vault, 'rm', 'key', 'K'], [{ expect: 'Delete it? [y/N]' }, { send: 'y' }, { signal: 'SIGTERM' }]), 'SIGTERM');
    expect(vaultState(vault)).toBe(before);
    // end of input is still "no" (E_ABORTED), and y still deletes
    const eof = await onTerminal(['--vault', vault, 'rm', 'key', 'K'], [{ expect: 'Delete it? [y/N]' }, { send: '\u0004' }]);
    expect([eof.failed, eof.status]).toEqual([null, 9]);
    expect(vaultState(vault)).toBe(before);
    expect((await answered(['rm', 'key', 'K'], [['Delete it? [y/N]', 'y\r']], { vault })).code).toBe(0);
    expect(vaultValues(vault)).toEqual({});
  });

  it('a menu of set (a variable with Options) and its hidden input', async () => {
    const vault = newVault();
    const dir = path.join(tmpdir(), 'shop');
    fs.mkdirSync(dir);
    ok(await cliIn(['project', 'init'], { vault, cwd: dir }));
    fs.writeFileSync(path.join(dir, 'secrets', 'dev', 'secrets.d', 'app.json'), JSON.stringify([{ Variable: 'mode', Type: 'string', Options: 'ro,rw,*', Prompt: 'Access mode' }, { Variable: 'token', Type: 'string', Prompt: 'API token' }]));
    ok(await cliIn(['set', 'mode=rw'], { vault, cwd: dir }));
    const before = vaultState(vault);
    expectInterrupted(await onTerminal(['--vault', vault, 'set', 'mode', 'token'], [{ expect: 'Access mode' }, { send: '\u0003' }], { cwd: dir }), 'Ctrl-C');
    expectInterrupted(await onTerminal(['--vault', vault, 'set', 'mode', 'token'], [{ expect: 'Access mode' }, { signal: 'SIGTERM' }], { cwd: dir }), 'SIGTERM');
    // the menu answered, then Ctrl-C at the hidden prompt of the next variable: nothing is set
    expectInterrupted(await onTerminal(['--vault', vault, 'set', 'mode', 'token'], [{ expect: 'Access mode' }, { send: '\r' }, { expect: 'API token' }, { send: '\u0003' }], { cwd: dir }), 'Ctrl-C');
    // end of input at the menu is no answer: E_ABORTED, nothing set
    const eof = await onTerminal(['--vault', vault, 'set', 'mode'], [{ expect: 'Access mode' }, { send: '\u0004' }], { cwd: dir });
    expect([eof.failed, eof.status, seeqretLines(eof.output).length]).toEqual([null, 9, 1]);
    expect(vaultState(vault)).toBe(before);
    // typed hidden values are asked twice here too
    const typed = await answered(['set', 'token'], [['API token', 'tok-1\r'], ['Repeat API token', 'tok-1\r']], { vault, cwd: dir });
    expect(typed.code, typed.stderr).toBe(0);
    expect(vaultValues(vault)['shop:dev:token']).toBe('tok-1');
  });

  it('text typed on the terminal as stdin (set VAR=@-, importenv -)', async () => {
    const vault = newVault();
    const dir = path.join(tmpdir(), 'shop');
    fs.mkdirSync(dir);
    ok(await cliIn(['project', 'init'], { vault, cwd: dir }));
    fs.writeFileSync(path.join(dir, 'secrets', 'dev', 'secrets.d', 'app.json'), JSON.stringify([{ Variable: 'token', Type: 'string' }]));
    const before = vaultState(vault);
    expectInterrupted(await onTerminal(['--vault', vault, 'set', 'token=@-'], [{ expect: 'Reading from the terminal' }, { send: 'abc\r' }, { sleep: 0.2 }, { send: '\u0003' }], { cwd: dir }), 'Ctrl-C');
    expectInterrupted(await onTerminal(['--vault', vault, 'importenv', '-'], [{ expect: 'Reading from the terminal' }, { send: 'A=1\r' }, { sleep: 0.2 }, { signal: 'SIGTERM' }]), 'SIGTERM');
    expect(vaultState(vault)).toBe(before);
    // Ctrl-D ends the text as before
    const done = await onTerminal(['--vault', vault, 'importenv', '-'], [{ expect: 'Reading from the terminal' }, { send: 'A=1\r' }, { sleep: 0.2 }, { send: '\u0004' }]);
    expect([done.failed, done.status]).toEqual([null, 0]);
    expect(vaultValues(vault)['*:*:A']).toBe('1');
  });

  it('the text prompts of init: no vault is created', async () => {
    const parent = tmpdir();
    expectInterrupted(await onTerminal(['init', parent], [{ expect: 'Your user name' }, { send: '\u0003' }]), 'Ctrl-C');
    expectInterrupted(await onTerminal(['init', parent], [{ expect: 'Your user name' }, { send: 'me\r' }, { expect: 'Your e-mail address' }, { signal: 'SIGTERM' }]), 'SIGTERM');
    expectInterrupted(await onTerminal(['init', parent, '--user', 'u', '--email', 'u@example.com', '--passphrase'], [{ expect: 'New vault passphrase' }, { send: '\u0003' }]), 'Ctrl-C');
    expect(fs.readdirSync(parent)).toEqual([]);
  });

  it("load's question whether to accept new names (asked after the values are loaded): they stay pending, as with no", async () => {
    const alice = newVault({ user: 'alice' });
    const bob = newVault({ user: 'bob' });
    for (const [from, to] of [[alice, bob], [bob, alice]] as const) {
      const line = must((await cliIn(['introduction'], { vault: from })).stdout.split('\n')[0]);
      ok(await cliIn([...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? must(m[2])).slice(1), { vault: to }));
    }
    ok(await cliIn(['add', 'key', 'SHARED', 'from-bob'], { vault: bob }));
    const file = path.join(tmpdir(), 'to-alice.json');
    ok(await cliIn(['export', '--to', 'alice', '-f', '::SHARED', '-o', file], { vault: bob }));
    const r = await onTerminal(['--vault', alice, 'load', '-f', file], [{ expect: 'Accept this name' }, { send: '\u0003' }]);
    expectInterrupted(r, 'Ctrl-C');
    expect(vaultValues(alice)['*:*:SHARED']).toBe('from-bob');
    expect((await cliIn(['list', '--pending', '--format', 'json'], { vault: alice })).stdout).toContain('SHARED');
  });

  it('the exit profiles of team and securestore keep 130', async () => {
    const dir = tmpdir();
    expectInterrupted(await onTerminal(['ss', '-s', path.join(dir, 's.json'), 'create'], [{ expect: 'New SecureStore password' }, { send: '\u0003' }]), 'Ctrl-C');
    expect(fs.readdirSync(dir)).toEqual([]);
    // team (pprotect's exit codes otherwise): the value of add-secret, asked twice, and its passphrase prompt
    const file = fixtureCopy();
    const state = { SEEQRET: stateDirOf(file) };
    const before = fs.readFileSync(file);
    expectInterrupted(await onTerminal(['team', '--file', file, 'add-secret', 'dev', 'NEW_ONE'], [{ expect: 'Value for dev/NEW_ONE' }, { send: 'v\r' }, { expect: 'Repeat value' }, { send: '\u0003' }], { env: state }), 'Ctrl-C');
    expectInterrupted(await onTerminal(['team', '--file', file, 'decrypt', 'dev'], [{ expect: 'User email' }, { signal: 'SIGTERM' }], { env: state }), 'SIGTERM');
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    const empty = await answered(['team', '--file', file, 'add-secret', 'dev', 'NEW_ONE'], [['Value for dev/NEW_ONE', '\r']], { env: state });
    expect(empty.code).toBe(1); // pprotect's "other error"
    expect(seeqretLines(empty.stderr)).toEqual([expect.stringContaining('E_EMPTY_VALUE')]);
    expect(empty.stderr).not.toContain('Repeat');
  });
});

describe('error codes', () => {
  it('every code, E_EMPTY_VALUE and E_INTERRUPTED included, is in docs/errors.md with its exit code', () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs', 'errors.md'), 'utf8');
    expect(ERROR_CODES.E_EMPTY_VALUE).toBe(10);
    expect(ERROR_CODES.E_INTERRUPTED).toBe(130);
    for (const [code, exit] of Object.entries(ERROR_CODES)) {
      expect([code, new RegExp(`^\\| \`${code}\` \\| (\\d+) \\|`, 'm').exec(doc)?.[1]]).toEqual([code, String(exit)]);
    }
  });
});
