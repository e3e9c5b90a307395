/**
 * Output paths that are not regular files (as root where device nodes are made). What a process's
 * descriptors decide runs the real CLI as a child process (`run`): `/dev/stdout` for every writer,
 * an inherited descriptor 3 for `env`; `env` also writes a regular file (the executable's umask),
 * a FIFO and a device node as a child. The other writers take those kinds of path in-process
 * (`runIn`, `cliIn`; decisions 58 and 79: in-process `backup` writes age files at scrypt work
 * factor {@link TEST_BACKUP_LOG_N}, the one child `backup`, to `/dev/stdout`, at age's 18, which
 * `age -d` decrypts when installed), as do
 * links, folders, sockets, `/dev/fd/N` on a descriptor this process opened and the permission
 * checks: a character device or FIFO is written
 * through and never replaced, `/dev/stdout` and `/dev/fd/N` write to that descriptor, a symbolic
 * link is refused (`E_SYMLINK`) unless `--follow-symlinks`, a folder or socket is refused
 * (`E_USAGE`). Every command that writes a file the user names goes through the same helper. And:
 * permission checks look at links in the vault folder instead of skipping them.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ageOnTty, hasAgeOnTty } from './age-tool.js';
import { BIN, type CliOptions, type CliResult, ROOT, TEST_BACKUP_LOG_N, cleanEnv, cli, cliAsync, cliIn, cliInWith, errorCode, newVault, tmpdir } from './helpers.js';
import { must } from './must.js';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const BACKUP_ENV = { SEEQRET_BACKUP_PASSPHRASE: 'backup passphrase' };

/** The machine's /dev/null must stay the null character device (1, 3) whatever these tests do. */
function expectDevNullIntact(): void {
  const st = fs.lstatSync('/dev/null');
  expect(st.isCharacterDevice()).toBe(true);
  expect([Math.floor(st.rdev / 256), st.rdev % 256]).toEqual([1, 3]);
}
afterAll(() => { expectDevNullIntact(); });

interface Writer {
  readonly name: string;
  /** Arguments that write to `out`, and the environment and folder they need. */
  readonly args: (out: string) => string[];
  readonly env?: Record<string, string>;
  readonly cwd?: string;
  /** A check that `text` is what the command writes (e.g. an age file). */
  readonly looksRight: (text: string) => boolean;
}

/** One vault and project set up once (in-process: set-up, not what is tested); the writers that use them. */
async function writers(): Promise<Writer[]> {
  const vault = newVault();
  expect((await cliIn(['add', 'key', 'K', 'v1', '--app', 'shop', '--env', 'dev'], { vault })).code).toBe(0);
  const dir = path.join(tmpdir(), 'shop');
  fs.mkdirSync(dir);
  expect((await cliIn(['project', 'init'], { vault, cwd: dir })).code).toBe(0);
  fs.writeFileSync(path.join(dir, 'secrets', 'dev', 'secrets.d', 'app.json'), '[{"Variable": "K", "Type": "string"}]');
  fs.writeFileSync(path.join(dir, 'env.template'), 'shop:dev:K\n');
  fs.writeFileSync(path.join(dir, 'conf.in'), 'k={{ K }}\n');
  // A key-file SecureStore vault: a password would cost 256,000 PBKDF2 rounds on every run of
  // `ss export-key`, and the password is not what these tests are about.
  const ssKey = path.join(dir, 'store.key');
  expect((await cliIn(['ss', '-s', path.join(dir, 'store.json'), '-k', ssKey, 'create', '--no-vcs'], { cwd: dir })).code).toBe(0);
  return [
    { name: 'backup -o', args: (out) => ['--vault', vault, 'backup', '-o', out], env: BACKUP_ENV, looksRight: (t) => t.startsWith('age-encryption.org/v1') },
    { name: 'export -o', args: (out) => ['--vault', vault, 'export', '--to', 'self', '-f', 'shop:dev:K', '-o', out], looksRight: (t) => t.includes('seeqret') },
    // --force: these tests are about what the path is, not about env's check of a changed .env.
    { name: 'env --out', args: (out) => ['--vault', vault, 'env', '--template', path.join(dir, 'env.template'), '--out', out, '--force'], looksRight: (t) => /\nK='?v1'?\n$/.test(t) },
    { name: 'template', args: (out) => ['--vault', vault, 'template', 'conf.in', out], cwd: dir, looksRight: (t) => t === 'k=v1\n' },
    { name: 'ss export-key', args: (out) => ['ss', '-s', path.join(dir, 'store.json'), '-k', ssKey, 'export-key', out, '--no-vcs', '--force'], cwd: dir, looksRight: (t) => t.includes('KEY') || t.length > 0 },
  ];
}

/** `w` writing to `out`, as a child process: for what a process's descriptors, devices and umask decide. */
function run(w: Writer, out: string, extra: string[] = []): CliResult {
  return cli([...extra, ...w.args(out)], { ...(w.env ? { env: w.env } : {}), ...(w.cwd ? { cwd: w.cwd } : {}) });
}

/** {@link run} with stdout as the bytes written (an age file is binary). */
function runBytes(w: Writer, out: string): { code: number | null; stdout: Buffer; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...w.args(out)], { input: '', env: cleanEnv(w.env ?? {}), cwd: w.cwd ?? ROOT, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
}

/**
 * `w`'s command line `args` in-process (`cliInWith`), `backup` at scrypt work factor
 * {@link TEST_BACKUP_LOG_N} (age's 18 costs about 2.5 s of CPU a run; the passphrase is not what
 * these tests are about, and the one child `backup` keeps the default).
 */
function inProcess(w: Writer, args: string[]): Promise<CliResult> {
  const opts: CliOptions = { ...(w.env ? { env: w.env } : {}), ...(w.cwd ? { cwd: w.cwd } : {}) };
  return cliInWith(args, opts, { backupWorkFactor: TEST_BACKUP_LOG_N });
}

/** `w` writing to `out`, in-process ({@link inProcess}): for what only the path decides (links, folders, sockets, devices). */
function runIn(w: Writer, out: string, extra: string[] = []): Promise<CliResult> {
  return inProcess(w, [...extra, ...w.args(out)]);
}

describe('writing to a path that is not a regular file', () => {
  const all: Writer[] = [];
  beforeAll(async () => {
    all.push(...(await writers()));
  });
  /**
   * The writer that also takes the cases that vary only the path or the command line, not the
   * command (`/proc/self/fd/N`, a socket, the global option after the command word), and the
   * executable's run for each kind of path: `env`, a cheap run. Every writer still takes every
   * kind of path.
   */
  const pathOnly = (): Writer => must(all.find((w) => w.name === 'env --out'));

  it('a regular file is still written atomically, 0600', async () => {
    for (const w of all) {
      const out = path.join(tmpdir(), 'out');
      fs.writeFileSync(out, 'old', { mode: 0o644 });
      // `env` as a child process (the executable's umask and its own mode), the others
      // in-process: the same atomic replace, decided by the path alone.
      const r = w === pathOnly() ? run(w, out) : await runIn(w, out);
      expect(r.code, `${w.name}: ${r.stderr}`).toBe(0);
      expect(w.looksRight(fs.readFileSync(out, 'utf8')), w.name).toBe(true);
      expect(fs.statSync(out).mode & 0o777, w.name).toBe(0o600);
      expect(fs.readdirSync(path.dirname(out)), `${w.name}: no temporary file left`).toEqual(['out']);
    }
  });

  it.skipIf(!isRoot)('a character device (a null device made with mknod) is written through, never replaced; the real /dev/null stays the machine\'s null device (backup -o /dev/null, export -o /dev/null)', async () => {
    const [backup, exp] = all;
    for (const w of all) {
      const dev = path.join(tmpdir(), 'null');
      expect(spawnSync('mknod', ['-m', '666', dev, 'c', '1', '3']).status).toBe(0);
      const before = fs.lstatSync(dev);
      // A device is found by its path, whatever the process: `env` as a child process (it is
      // the executable's run for this kind of path), the others in-process.
      const r = w === pathOnly() ? run(w, dev) : await runIn(w, dev);
      expect(r.code, `${w.name}: ${r.stderr}`).toBe(0);
      const after = fs.lstatSync(dev);
      expect(after.isCharacterDevice(), w.name).toBe(true);
      expect([after.ino, after.rdev, after.mode], w.name).toEqual([before.ino, before.rdev, before.mode]);
      expect(fs.readdirSync(path.dirname(dev)), `${w.name}: no temporary file left`).toEqual(['null']);
      if (w !== backup && w !== exp) continue;
      // The same command on the machine's /dev/null, only now: the run on a null device of our
      // own above is the guard (a seeqret that would replace it never gets near /dev/null), so
      // it needs no run of its own.
      if (!fs.lstatSync(dev).isCharacterDevice()) throw new Error(`${w.name} replaced a device node: not trying the real /dev/null`);
      const real = await runIn(w, '/dev/null');
      expect(real.code, `${w.name}: ${real.stderr}`).toBe(0);
      expectDevNullIntact();
    }
  });

  it('a FIFO is written through to its reader', async () => {
    for (const w of all) {
      const fifo = path.join(tmpdir(), 'fifo');
      expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
      const reader = spawn('cat', [fifo]);
      let got = '';
      reader.stdout.setEncoding('utf8').on('data', (d: string) => (got += d));
      const readerDone = new Promise<void>((resolve) => reader.on('close', () => { resolve(); }));
      // `env` as a child process; the others in-process (a FIFO is found by its path, and the
      // reader is another process either way).
      const r = w === pathOnly() ? await cliAsync(w.args(fifo), { ...(w.env ? { env: w.env } : {}), ...(w.cwd ? { cwd: w.cwd } : {}) }).done : await runIn(w, fifo);
      await readerDone;
      expect(r.code, `${w.name}: ${r.stderr}`).toBe(0);
      expect(fs.lstatSync(fifo).isFIFO(), w.name).toBe(true);
      expect(w.looksRight(got), `${w.name}: ${got.slice(0, 60)}`).toBe(true);
    }
  });

  it('/dev/stdout and /dev/fd/N write to that descriptor', async () => {
    for (const w of all) {
      // `backup` writes a binary age file: its bytes as they came.
      const bytes = w === all[0] ? runBytes(w, '/dev/stdout') : undefined;
      const r = bytes ? { ...bytes, stdout: bytes.stdout.toString('latin1') } : run(w, '/dev/stdout');
      expect(r.code, `${w.name}: ${r.stderr}`).toBe(0);
      expect(w.looksRight(r.stdout), `${w.name}: ${r.stdout.slice(0, 60)}`).toBe(true);
      // The executable's `backup` (no seam) writes age's default scrypt work factor, 18, and the
      // age tool decrypts what it wrote: the suite's one file at the default that `age -d` reads
      // (test/backup-crypto.test.ts checks age's files and ours at the tests' work factor).
      if (w === all[0]) {
        expect(r.stdout).toMatch(/^-> scrypt \S{22} 18$/m);
        if (hasAgeOnTty) {
          const dir = tmpdir();
          fs.writeFileSync(path.join(dir, 'b.age'), must(bytes).stdout);
          const d = ageOnTty(['-d', '-o', 'b.json', 'b.age'], `${BACKUP_ENV.SEEQRET_BACKUP_PASSPHRASE}\n`, dir);
          expect(d.status, d.out).toBe(0);
          const dump = JSON.parse(fs.readFileSync(path.join(dir, 'b.json'), 'utf8')) as { format: string; owner: { username: string }; secrets: unknown[] };
          expect(dump).toMatchObject({ format: 'seeqret-backup', owner: { username: 'alice' }, secrets: [{ app: 'shop', env: 'dev', key: 'K', value: 'v1' }] });
        }
      }
      // An inherited descriptor 3 in a child process: `env` (as /dev/fd/3 and /proc/self/fd/3).
      // The other writers in-process, on a descriptor this process opened: the path names it the
      // same way (`/dev/fd/N`, `/proc/self/fd/N`).
      const child = w === pathOnly();
      for (const target of child ? ['/dev/fd/3', '/proc/self/fd/3'] : ['/dev/fd/N', '/proc/self/fd/N']) {
        const file = path.join(tmpdir(), 'fd3');
        const fd = fs.openSync(file, 'w', 0o600);
        try {
          if (child) {
            const s = spawnSync(process.execPath, [BIN, ...w.args(target)], { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe', fd], env: cleanEnv(w.env ?? {}), ...(w.cwd ? { cwd: w.cwd } : {}) });
            expect(s.status, `${w.name} ${target}: ${s.stderr}`).toBe(0);
          } else {
            const f = await runIn(w, target.replace('N', String(fd)));
            expect(f.code, `${w.name} ${target}: ${f.stderr}`).toBe(0);
          }
        } finally {
          fs.closeSync(fd);
        }
        expect(w.looksRight(fs.readFileSync(file, 'utf8')), `${w.name} ${target}`).toBe(true);
        expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      }
    }
  });

  it('a symbolic link is refused (E_SYMLINK) and its target left alone; --follow-symlinks replaces the target, 0600, keeping the link', async () => {
    for (const w of all) {
      const dir = tmpdir();
      const target = path.join(dir, 'real.env');
      fs.writeFileSync(target, 'precious', { mode: 0o644 });
      const link = path.join(dir, '.env');
      fs.symlinkSync('real.env', link);
      const r = await runIn(w, link);
      expect(errorCode(r), `${w.name}: ${r.stderr}`).toBe('E_SYMLINK');
      if (!w.name.startsWith('ss ')) expect(r.code, w.name).toBe(5); // ss keeps ssclient's exit codes
      expect(r.stderr).toContain('--follow-symlinks');
      expect(fs.readFileSync(target, 'utf8')).toBe('precious');
      expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
      for (const extra of w === pathOnly() ? [['--follow-symlinks'], []] : [['--follow-symlinks']]) {
        // The global option works before the command word and after it.
        const args = extra.length ? [...extra, ...w.args(link)] : [...w.args(link), '--follow-symlinks'];
        const f = await inProcess(w, args);
        expect(f.code, `${w.name}: ${f.stderr}`).toBe(0);
        expect(fs.lstatSync(link).isSymbolicLink(), w.name).toBe(true);
        expect(w.looksRight(fs.readFileSync(target, 'utf8')), w.name).toBe(true);
        expect(fs.statSync(target).mode & 0o777, w.name).toBe(0o600);
        expect(fs.readdirSync(dir).sort(), w.name).toEqual(['.env', 'real.env']);
      }
    }
  });

  it('--follow-symlinks: a link to nowhere creates its target; a link to a device writes through it', async () => {
    const [, , env] = all;
    const dir = tmpdir();
    fs.mkdirSync(path.join(dir, 'sub'));
    fs.symlinkSync('sub/new.env', path.join(dir, 'dangling'));
    expect(errorCode(await runIn(must(env), path.join(dir, 'dangling')))).toBe('E_SYMLINK');
    expect(fs.existsSync(path.join(dir, 'sub', 'new.env'))).toBe(false);
    expect((await runIn(must(env), path.join(dir, 'dangling'), ['--follow-symlinks'])).code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'sub', 'new.env'), 'utf8')).toMatch(/\nK='?v1'?\n$/);
    expect(fs.statSync(path.join(dir, 'sub', 'new.env')).mode & 0o777).toBe(0o600);
    fs.symlinkSync('/dev/null', path.join(dir, 'to-null'));
    expect(errorCode(await runIn(must(env), path.join(dir, 'to-null')))).toBe('E_SYMLINK');
    expect((await runIn(must(env), path.join(dir, 'to-null'), ['--follow-symlinks'])).code).toBe(0);
    expect(fs.lstatSync(path.join(dir, 'to-null')).isSymbolicLink()).toBe(true);
    expectDevNullIntact();
    // A link to /dev/stdout (itself a link to /proc/self/fd/1) writes to seeqret's stdout (a child
    // process: in-process, that would be the test worker's own stdout).
    fs.symlinkSync('/dev/stdout', path.join(dir, 'to-stdout'));
    const out = run(must(env), path.join(dir, 'to-stdout'), ['--follow-symlinks']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/\nK='?v1'?\n$/);
    // A loop of links is an error, not a hang.
    fs.symlinkSync('loop-b', path.join(dir, 'loop-a'));
    fs.symlinkSync('loop-a', path.join(dir, 'loop-b'));
    expect(errorCode(await runIn(must(env), path.join(dir, 'loop-a'), ['--follow-symlinks']))).toBe('E_IO');
  });

  it('env --follow-symlinks checks the file the link points to: one seeqret did not write is kept (E_EXISTS) without --force', async () => {
    const [, , env] = all;
    const dir = tmpdir();
    fs.writeFileSync(path.join(dir, 'real.env'), 'MINE=hand-written\n');
    fs.symlinkSync('real.env', path.join(dir, '.env'));
    const args = must(env).args(path.join(dir, '.env')).filter((a) => a !== '--force');
    const r = await cliIn(['--follow-symlinks', ...args]);
    expect(errorCode(r), r.stderr).toBe('E_EXISTS');
    expect(fs.readFileSync(path.join(dir, 'real.env'), 'utf8')).toBe('MINE=hand-written\n');
    expect((await cliIn(['--follow-symlinks', ...args, '--force'])).code).toBe(0);
    expect((await cliIn(['--follow-symlinks', ...args])).code).toBe(0); // now seeqret wrote it
  });

  it('a folder or a socket is refused (E_USAGE), nothing is written', async () => {
    const dir = tmpdir();
    const sock = path.join(dir, 'sock');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    try {
      for (const w of all) {
        for (const out of w === pathOnly() ? [dir, sock] : [dir]) {
          const r = await runIn(w, out);
          expect(errorCode(r), `${w.name} ${out}: ${r.stderr}`).toBe('E_USAGE');
          if (!w.name.startsWith('ss ')) expect(r.code, w.name).toBe(2);
        }
      }
      expect(fs.readdirSync(dir)).toEqual(['sock']);
    } finally {
      await new Promise<void>((resolve) => server.close(() => { resolve(); }));
    }
  });

  it('team writes its file through the same rules: a protected.yaml that is a link is refused', async () => {
    const dir = tmpdir();
    const real = path.join(dir, 'elsewhere.yaml');
    // A raw key (the CLI's cheapest key type; `fast` costs an Argon2id of 2 × 64 MiB at every
    // unlock): what is checked is the path the file is written through, not the custodian's KDF.
    const init = await cliIn(['team', '--file', real, 'init', '--key-type', 'raw'], { env: { SEEQRET_TEAM_USER: 'a@example.com' } });
    expect(init.code, init.stderr).toBe(0);
    const creds = { SEEQRET_TEAM_USER: 'a@example.com', SEEQRET_TEAM_PASSPHRASE: must(/P[0-9a-f]{64}P/.exec(init.stdout))[0] };
    const before = fs.readFileSync(real);
    const link = path.join(dir, 'protected.yaml');
    fs.symlinkSync(real, link);
    const r = await cliIn(['team', '--file', link, 'add-domain', 'dev'], { env: creds });
    expect(errorCode(r), r.stderr).toBe('E_SYMLINK');
    expect(fs.readFileSync(real).equals(before)).toBe(true);
    expect((await cliIn(['--follow-symlinks', 'team', '--file', link, 'add-domain', 'dev'], { env: creds })).code).toBe(0);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(real, 'utf8')).toContain('dev');
  });
});

describe('permission checks look at links in the vault folder', () => {
  it('vault.key linked to a 0644 file: every command warns, doctor fails, doctor --fix does not chmod the target', async () => {
    const v = newVault();
    const elsewhere = path.join(tmpdir(), 'key-copy');
    fs.copyFileSync(path.join(v, 'vault.key'), elsewhere);
    fs.chmodSync(elsewhere, 0o644);
    fs.rmSync(path.join(v, 'vault.key'));
    fs.symlinkSync(elsewhere, path.join(v, 'vault.key'));
    await cliIn(['add', 'key', 'K', 'v'], { vault: v });
    const r = await cliIn(['list'], { vault: v });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/vault\.key is a symbolic link to .*key-copy \(mode 0o644: other users can access it\)/);
    const d = await cliIn(['doctor'], { vault: v });
    expect(d.code).toBe(7);
    expect(d.stdout).toMatch(/^fail +permissions: .*vault\.key is a symbolic link/m);
    expect(d.stdout).not.toMatch(/^ok +permissions/m);
    const fix = await cliIn(['doctor', '--fix'], { vault: v });
    expect(fix.code).toBe(7);
    expect(fs.statSync(elsewhere).mode & 0o777).toBe(0o644);
    expect(fs.lstatSync(path.join(v, 'vault.key')).isSymbolicLink()).toBe(true);
  });

  it('vault.db linked to a 0600 file, and a link to nowhere, are reported too', async () => {
    const v = newVault();
    const moved = path.join(tmpdir(), 'db-copy');
    fs.renameSync(path.join(v, 'vault.db'), moved);
    fs.symlinkSync(moved, path.join(v, 'vault.db'));
    fs.symlinkSync('/nonexistent/file', path.join(v, 'stray'));
    const r = await cliIn(['list'], { vault: v });
    expect(r.stderr).toMatch(/vault\.db is a symbolic link to .*db-copy \(mode 0o600\)/);
    expect(r.stderr).toMatch(/stray is a symbolic link to \/nonexistent\/file, which does not exist/);
    expect((await cliIn(['doctor'], { vault: v })).code).toBe(7);
  });
});
