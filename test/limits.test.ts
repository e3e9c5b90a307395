/**
 * Input size limits (docs/formats.md#limits): every input seeqret reads whole — from a file,
 * stdin or a pipe — is refused with one `E_TOO_LARGE` line (exit 10) naming the input and the cap,
 * before it is read whole and before anything is written. Huge inputs are sparse files (8 GiB:
 * reading one whole would fail in another way, or never end), devices and endless pipes.
 * What a descriptor decides runs the real CLI as a child process once for each kind (a regular
 * file and a device as stdin, an endless pipe, a FIFO with an endless writer); the other commands
 * reading such a stdin run in-process on a descriptor of the same file or device (`runCli`'s
 * `stdin` and `stdinFd`: the same check of its kind and size), and refusals of a named file by
 * its size or as a device run in-process (`cliIn`, decision 58): the same check, made on the
 * same file.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readFileCapped, readStreamCapped } from '../src/util/read-capped.js';
import { LIMITS, type LimitKind, sizeText } from '../src/util/limits.js';
import { BIN, type CliOptions, type CliResult, ROOT, SHARED, cleanEnv, cli, cliIn, errorCode, newVault, thrownCode, tmpdir, vaultState } from './helpers.js';
import { must } from './must.js';

const HUGE = 2 ** 33; // 8 GiB, sparse

/** A sparse file of `size` bytes (no disk space used). */
function sparse(file: string, size: number = HUGE): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.closeSync(fs.openSync(file, 'w', 0o600));
  fs.truncateSync(file, size);
  return file;
}

/** One line, `E_TOO_LARGE`, exit 10, naming `source` and the cap of `kind`. */
function refused(r: CliResult, source: string, kind: LimitKind): void {
  expect(r.signal, r.stderr).toBeNull();
  expect(errorCode(r), r.stderr).toBe('E_TOO_LARGE');
  expect(r.code).toBe(10);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).toContain(source);
  expect(r.stderr).toContain(sizeText(LIMITS[kind].bytes));
  expect(r.stderr).toContain(LIMITS[kind].what);
}

const state = vaultState;

/** Run the CLI with stdin read from `file` (a regular file or a device), not a pipe. */
function cliStdinFrom(file: string, args: string[], vault?: string, cwd?: string): CliResult {
  const fd = fs.openSync(file, 'r');
  try {
    const r = spawnSync(process.execPath, [BIN, ...(vault ? ['--vault', vault] : []), ...args], {
      encoding: 'utf8',
      stdio: [fd, 'pipe', 'pipe'],
      env: cleanEnv(),
      cwd: cwd ?? ROOT,
      timeout: 60_000,
    });
    return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * {@link cliStdinFrom} in-process: the run reads stdin from a descriptor of `file` (`runCli`'s
 * `stdin` stream and `stdinFd`), checked by its kind and size as the executable checks its
 * descriptor 0. The environment and folder as {@link cliIn}'s.
 */
async function cliInStdinFrom(file: string, args: string[], opts: Omit<CliOptions, 'input'> = {}): Promise<CliResult> {
  await new Promise<void>((resolve) => setImmediate(resolve)); // as cliIn: let the worker's messages through first
  const { runCli } = await import('../src/cli/run-in-process.js');
  const stdin = fs.createReadStream(file); // the stream owns the descriptor and closes it
  const fd = await new Promise<number>((resolve, reject) => stdin.once('open', resolve).once('error', reject));
  try {
    const r = await runCli([...(opts.vault ? ['--vault', opts.vault] : []), ...args], { env: cleanEnv(opts.env), cwd: opts.cwd ?? ROOT, stdin, stdinFd: fd });
    return { code: r.status, signal: null, stdout: r.stdout, stderr: r.stderr };
  } finally {
    stdin.destroy();
  }
}

/**
 * Run the CLI with an endless pipe on stdin (`chunk` again and again): it must stop reading and
 * fail on its own. Returns the result and how many bytes it took before the pipe closed.
 */
async function cliEndlessStdin(args: string[], vault: string, chunk: string, cwd?: string): Promise<CliResult & { written: number }> {
  const child = spawn(process.execPath, [BIN, '--vault', vault, ...args], { env: cleanEnv(), cwd: cwd ?? ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const block = Buffer.from(chunk.repeat(Math.ceil((1 << 20) / chunk.length)));
  let written = 0;
  let open = true;
  child.stdin.on('error', () => (open = false)); // EPIPE once the child stopped reading
  const pump = async (): Promise<void> => {
    while (open && child.exitCode === null) {
      written += block.length;
      if (!child.stdin.write(block)) await new Promise((r) => child.stdin.once('drain', r).once('close', r));
    }
  };
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => { resolve({ code, signal }); }));
  void pump();
  const { code, signal } = await closed;
  open = false;
  child.stdin.destroy();
  return { code, signal, stdout, stderr, written };
}

describe('E_TOO_LARGE through the real CLI, for every input read whole', () => {
  it('importenv FILE, importenv - (a file on stdin, an endless pipe, a FIFO with an endless writer): nothing imported', async () => {
    const vault = newVault();
    const before = state(vault);
    const big = sparse(path.join(tmpdir(), 'big.env'));
    refused(await cliIn(['importenv', big, '--env', 'dev'], { vault }), big, 'dotenv');
    refused(cliStdinFrom(big, ['importenv', '-', '--env', 'dev'], vault), 'stdin', 'dotenv');
    const piped = await cliEndlessStdin(['importenv', '-', '--env', 'dev'], vault, 'A=1\n');
    refused(piped, 'stdin', 'dotenv');
    expect(piped.written).toBeLessThan(LIMITS.dotenv.bytes + 64 * 2 ** 20); // it stopped reading soon after the cap
    // A named pipe with a writer that never stops (coreutils `yes`: "A=1" lines until the reader goes)
    const fifo = path.join(tmpdir(), 'fifo.env');
    if (spawnSync('mkfifo', [fifo]).status === 0) {
      const writer = spawn('sh', ['-c', 'exec yes A=1 > "$0"', fifo], { stdio: 'ignore' });
      const r = cli(['importenv', fifo, '--env', 'dev'], { vault });
      writer.kill();
      refused(r, fifo, 'dotenv');
    } else console.log('skipped the FIFO case: mkfifo is not available');
    expect(state(vault)).toBe(before);
  });

  it('load -f FILE, load from stdin, load -f /dev/zero, load < /dev/urandom, inbox: nothing loaded', async () => {
    const vault = newVault();
    const before = state(vault);
    const big = sparse(path.join(tmpdir(), 'big.json'));
    refused(await cliIn(['load', '-f', big], { vault }), big, 'bundle');
    refused(await cliInStdinFrom(big, ['load'], { vault }), 'stdin', 'bundle');
    for (const [r, source] of [
      [await cliIn(['load', '-f', '/dev/zero'], { vault }), '/dev/zero'],
      [await cliInStdinFrom('/dev/urandom', ['load'], { vault }), 'stdin'],
      [cliStdinFrom('/dev/zero', ['importenv', '-'], vault), 'stdin'], // a device as the process's stdin
    ] as const) {
      expect(errorCode(r), r.stderr).toBe('E_TOO_LARGE');
      expect(r.code).toBe(10);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(`${source} is a device`);
    }
    // /dev/null is an empty input, not a device that never ends
    expect((await cliIn(['importenv', '/dev/null'], { vault })).code).toBe(0);
    const inbox = path.join(vault, 'inbox');
    sparse(path.join(inbox, 'big.json'));
    const r = await cliIn(['inbox'], { vault });
    expect(r.code).toBe(10);
    expect(r.stderr).toMatch(/big\.json: kept, not loaded: E_TOO_LARGE: .*big\.json is 8 GiB, more than 512 MiB/);
    expect(fs.existsSync(path.join(inbox, 'big.json'))).toBe(true);
    expect(state(vault)).toBe(before);
  });

  it('restore of a huge age or HTML backup creates no vault', async () => {
    for (const name of ['big.age', 'big.html']) {
      const big = sparse(path.join(tmpdir(), name));
      const dir = path.join(tmpdir(), 'new-vault');
      refused(await cliIn(['--vault', dir, 'restore', big], { env: { SEEQRET_BACKUP_PASSPHRASE: 'correct horse battery' } }), big, 'backup');
      expect(fs.existsSync(dir)).toBe(false);
    }
  });

  it('import-vault: a huge key file or database of the old vault creates no vault', async () => {
    for (const file of ['private.key', 'seeqret.key', 'seeqrets.db']) {
      const old = path.join(tmpdir(), 'old', 'seeqret');
      fs.cpSync(path.join(SHARED, 'fixtures', 'seeqret-v1', 'alice', 'seeqret'), old, { recursive: true });
      fs.rmSync(path.join(old, file));
      sparse(path.join(old, file));
      const dir = path.join(tmpdir(), 'new-vault');
      refused(await cliIn(['--vault', dir, 'import-vault', old]), path.join(old, file), file === 'seeqrets.db' ? 'v1Database' : 'keyFile');
      expect(fs.existsSync(dir)).toBe(false);
    }
  });

  it('passphrase files: --passphrase-file, --backup-passphrase-file, ss --password-file, team --team-passphrase-file', async () => {
    const vault = newVault({ passphrase: 'correct horse battery' });
    const big = sparse(path.join(tmpdir(), 'pass'));
    refused(await cliIn(['--passphrase-file', big, 'list'], { vault }), big, 'passphrase');
    refused(await cliIn(['backup', '-o', path.join(tmpdir(), 'b.age'), '--backup-passphrase-file', big], { vault, env: { SEEQRET_PASSPHRASE: 'correct horse battery' } }), big, 'passphrase');
    const dir = tmpdir();
    fs.copyFileSync(path.join(SHARED, 'fixtures', 'securestore-v3', 'fixture.json'), path.join(dir, 'secrets.json'));
    refused(await cliIn(['ss', '--password-file', big, 'keys'], { cwd: dir, env: { SEEQRET_EXIT_CODES: 'native' } }), big, 'passphrase');
    const teamFile = path.join(dir, 'protected.yaml');
    fs.copyFileSync(path.join(SHARED, 'fixtures', 'pocket-protector', 'protected.yaml'), teamFile);
    refused(await cliIn(['team', '--file', teamFile, '-u', 'fast@example.com', '--team-passphrase-file', big, 'decrypt', 'dev'], { env: { SEEQRET_EXIT_CODES: 'native' } }), big, 'passphrase');
  });

  it('SecureStore: a huge secrets.json, key file; ss set and ss import write nothing', async () => {
    const dir = tmpdir();
    const native = { SEEQRET_EXIT_CODES: 'native' };
    fs.copyFileSync(path.join(SHARED, 'fixtures', 'securestore-v3', 'fixture.key'), path.join(dir, 'secrets.key'));
    const big = sparse(path.join(dir, 'big.json'));
    refused(await cliIn(['ss', '-k', 'secrets.key', '-s', big, 'keys'], { cwd: dir, env: native }), big, 'securestore');
    const vault = newVault();
    refused(await cliIn(['ss', 'import', big, '-k', 'secrets.key'], { cwd: dir, vault, env: native }), big, 'securestore');
    const bigKey = sparse(path.join(dir, 'big.key'));
    fs.copyFileSync(path.join(SHARED, 'fixtures', 'securestore-v3', 'fixture.json'), path.join(dir, 'secrets.json'));
    refused(await cliIn(['ss', '-k', bigKey, 'keys'], { cwd: dir, env: native }), bigKey, 'keyFile');
    const before = fs.readFileSync(path.join(dir, 'secrets.json'));
    refused(await cliInStdinFrom(sparse(path.join(dir, 'value')), ['ss', '-k', 'secrets.key', 'set', 'x'], { cwd: dir, env: native }), 'the value on stdin', 'value');
    expect(fs.readFileSync(path.join(dir, 'secrets.json'))).toEqual(before);
  });

  it('team: a huge protected.yaml, a huge --from-file value', async () => {
    const dir = tmpdir();
    const big = sparse(path.join(dir, 'protected.yaml'));
    refused(await cliIn(['team', '--file', big, 'list-domains'], { env: { SEEQRET_EXIT_CODES: 'native' } }), big, 'teamFile');
    const teamFile = path.join(dir, 'real.yaml');
    fs.copyFileSync(path.join(SHARED, 'fixtures', 'pocket-protector', 'protected.yaml'), teamFile);
    const before = fs.readFileSync(teamFile);
    const value = sparse(path.join(dir, 'value'));
    const r = await cliIn(['team', '--file', teamFile, 'add-secret', 'dev', 'BIG', '--from-file', value], {
      env: { SEEQRET_EXIT_CODES: 'native', SEEQRET_TEAM_USER: 'fast@example.com', SEEQRET_TEAM_PASSPHRASE: 'fast-passphrasë' },
    });
    refused(r, value, 'value');
    expect(fs.readFileSync(teamFile)).toEqual(before);
  });

  it('values on stdin (add key, add text, edit value) stop at the value cap: nothing stored', async () => {
    const vault = newVault();
    expect((await cliIn(['add', 'key', 'KEEP', 'old value'], { vault })).code).toBe(0);
    const before = state(vault);
    for (const args of [['add', 'key', 'NEW'], ['add', 'text', 'NEWTEXT'], ['edit', 'value', 'KEEP']]) {
      const r = await cliEndlessStdin(args, vault, 'x');
      refused(r, 'the value', 'value');
      expect(r.written).toBeLessThan(LIMITS.value.bytes + 64 * 2 ** 20);
    }
    expect(state(vault)).toBe(before);
  });

  it('PGP key files, the vault key file, a --smtp-ca file', async () => {
    const vault = newVault();
    const big = sparse(path.join(tmpdir(), 'key.asc'));
    refused(await cliIn(['add', 'user', '--username', 'bob', '--pgp-key', big], { vault }), big, 'pgpKey');
    const ca = sparse(path.join(tmpdir(), 'ca.pem'));
    refused(await cliIn(['send', '--to', 'bob@example.com', '--smtp-ca', ca, 'myapp:dev:KEY'], { vault }), ca, 'certificate');
    const other = newVault();
    fs.rmSync(path.join(other, 'vault.key'));
    sparse(path.join(other, 'vault.key'));
    refused(await cliIn(['list'], { vault: other }), path.join(other, 'vault.key'), 'keyFile');
  });

  it('project files: seeqret.yaml, description files, env.template, template SRC, set VAR=@FILE and @-, import-psec', async () => {
    const vault = newVault();
    const dir = path.join(tmpdir(), 'shop');
    fs.mkdirSync(dir);
    const run = (args: string[]): Promise<CliResult> => cliIn(args, { vault, cwd: dir });
    expect((await run(['project', 'init'])).code).toBe(0);
    fs.writeFileSync(path.join(dir, 'secrets', 'dev', 'secrets.d', 'shop.json'), JSON.stringify([{ Variable: 'DB_PASSWORD', Type: 'password', Prompt: 'the database password' }]));
    const before = state(vault);
    const value = sparse(path.join(dir, 'value.txt'));
    refused(await run(['set', '-e', 'dev', `DB_PASSWORD=@${value}`]), value, 'value');
    const viaStdin = await cliInStdinFrom(value, ['set', '-e', 'dev', 'DB_PASSWORD=@-'], { vault, cwd: dir });
    refused(viaStdin, 'the value of DB_PASSWORD on stdin', 'value');
    const tpl = sparse(path.join(dir, 'env.big'));
    refused(await run(['env', '--template', tpl, '--stdout']), tpl, 'template');
    refused(await run(['template', tpl, '-']), tpl, 'template');
    // a psec folder whose secrets.json, or one of whose description files, is huge
    const psec = path.join(tmpdir(), 'psecenv');
    fs.cpSync(path.join(ROOT, 'test', 'fixtures', 'psec', 'demo'), psec, { recursive: true });
    fs.rmSync(path.join(psec, 'secrets.json'));
    sparse(path.join(psec, 'secrets.json'));
    refused(await run(['import-psec', psec]), path.join(psec, 'secrets.json'), 'psecValues');
    const desc = sparse(path.join(dir, 'secrets', 'dev', 'secrets.d', 'big.json'));
    refused(await run(['describe', '-e', 'dev']), desc, 'descriptions');
    fs.rmSync(desc);
    expect(state(vault)).toBe(before);
    fs.rmSync(path.join(dir, 'seeqret.yaml'));
    const yaml = sparse(path.join(dir, 'seeqret.yaml'));
    refused(await run(['project', 'show']), yaml, 'project');
  });
});

describe('the capped readers', () => {
  it('read a file up to its cap exactly, refuse one byte more (checked by size, before reading)', () => {
    const dir = tmpdir();
    const cap = LIMITS.keyFile.bytes;
    const atCap = sparse(path.join(dir, 'at'), cap);
    expect(readFileCapped(atCap, 'keyFile').length).toBe(cap);
    const over = sparse(path.join(dir, 'over'), cap + 1);
    expect(thrownCode(() => readFileCapped(over, 'keyFile'))).toBe('E_TOO_LARGE');
    expect(thrownCode(() => readFileCapped(path.join(dir, 'missing'), 'keyFile'))).toBe('E_FILE_NOT_FOUND');
    expect(thrownCode(() => readFileCapped(dir, 'keyFile'))).toBe('E_IO');
    expect(thrownCode(() => readFileCapped('/dev/zero', 'keyFile'))).toBe('E_TOO_LARGE');
    expect(readFileCapped('/dev/null', 'keyFile').length).toBe(0);
  });

  it('property: a stream in any chunks is returned whole up to the cap, refused beyond it', async () => {
    const cap = LIMITS.keyFile.bytes;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 300_000 }), { maxLength: 12 }), fc.integer({ min: 0, max: 255 }), async (sizes, byte) => {
        const chunks = sizes.map((n, i) => Buffer.alloc(n, (byte + i) & 0xff));
        let pulled = 0;
        // The chunks as a stream, counting how many the reader pulled.
        function source(): AsyncIterable<Buffer> {
          return {
            [Symbol.asyncIterator]: () => {
              let i = 0;
              return { next: () => Promise.resolve(i < chunks.length ? (pulled += 1, { done: false, value: must(chunks[i++]) }) : { done: true, value: undefined }) };
            },
          };
        }
        const total = sizes.reduce((a, b) => a + b, 0);
        const expected = Buffer.concat(chunks); // (the reader wipes the chunks it took)
        if (total <= cap) {
          expect((await readStreamCapped(source(), 'keyFile', 'test')).equals(expected)).toBe(true);
        } else {
          let code: string | undefined;
          await readStreamCapped(source(), 'keyFile', 'test').catch((e: unknown) => (code = (e as { code?: string }).code));
          expect(code).toBe('E_TOO_LARGE');
          // it stopped at the chunk that passed the cap
          let sum = 0;
          const stop = sizes.findIndex((n) => (sum += n) > cap);
          expect(pulled).toBe(stop + 1);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('no module reads a file or stdin whole except through the capped readers', () => {
    const offenders: string[] = [];
    const walk = (d: string): void => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        // util/read-capped.ts holds the capped readers; util/fs.ts reads /proc/self/fdinfo (a line each);
        // cli/code-cache.ts reads the package's own `get` bundle and its code cache (dist/bin), no user file.
        else if (p.endsWith('.ts') && !p.endsWith(path.join('util', 'read-capped.ts')) && !p.endsWith(path.join('util', 'fs.ts')) && !p.endsWith(path.join('cli', 'code-cache.ts'))) {
          const text = fs.readFileSync(p, 'utf8');
          for (const re of [/readFileSync\s*\(/, /\breadFile\s*\(/, /createReadStream\s*\(/, /for await \([^)]*process\.stdin/, /\breadSync\s*\(/]) {
            if (re.test(text)) offenders.push(`${path.relative(ROOT, p)}: ${re.source}`);
          }
        }
      }
    };
    walk(path.join(ROOT, 'src'));
    expect(offenders).toEqual([]);
  });
});
