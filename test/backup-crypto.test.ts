/**
 * Backup encryption: passphrase age files (checked against the real `age` tool when installed)
 * and self-decrypting HTML pages (checked by running the page's own script against WebCrypto,
 * and in a real headless Chromium when installed).
 *
 * CI installs the Debian packages `age` (which brings `age` and `age-keygen`) and, for the
 * browser check, `chromium`; `script` comes from `bsdutils` (essential, always present).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AGE_SCRYPT_DEFAULT_LOG_N,
  AGE_SCRYPT_MAX_LOG_N,
  decryptWithPassphrase,
  encryptWithPassphrase,
} from '../src/crypto/agefile.js';
import { decryptHtmlBackup, HTML_BACKUP_DEFAULT_ITERATIONS, renderHtmlBackup } from '../src/crypto/htmlbackup.js';
import { randomBytes } from '../src/crypto/index.js';
import { type ErrorCode, isSeeqretError } from '../src/errors.js';
import { ageOnTty, hasAgeOnTty } from './age-tool.js';
import { tmpdir } from './helpers.js';
import { binaryString } from './fc-helpers.js';
import { flip, must } from './must.js';

/** A small scrypt work factor so property runs stay fast (real backups use the default, 18). */
const LOG_N = 2;
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

/** The SeeqretError code a promise (or function) fails with, or 'OK' when it succeeds. */
async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<ErrorCode | 'OK'> {
  try {
    await (typeof p === 'function' ? p() : p);
    return 'OK';
  } catch (e) {
    if (isSeeqretError(e)) {
      expect(e.message).not.toMatch(/\n/);
      return e.code;
    }
    throw e;
  }
}

/** Index of the first payload byte (after the header's `--- MAC` line) of a binary age file. */
function headerEnd(file: Uint8Array): number {
  const text = Buffer.from(file).toString('latin1');
  const mac = text.indexOf('\n--- ');
  return text.indexOf('\n', mac + 1) + 1;
}

// ---------------------------------------------------------------------------------------------

describe('age passphrase files', () => {
  it('round-trip any bytes, binary and armored', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 2000 }),
        binaryString({ minLength: 1, maxLength: 40 }),
        fc.boolean(),
        async (pt, pass, armor) => {
          const file = await encryptWithPassphrase(pt, pass, { armor, logN: LOG_N });
          if (armor) expect(dec(file)).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----\n[\s\S]*-----END AGE ENCRYPTED FILE-----\n$/);
          else expect(dec(file.subarray(0, 22))).toBe('age-encryption.org/v1\n');
          expect(Buffer.from(await decryptWithPassphrase(file, pass)).equals(Buffer.from(pt))).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('round-trip sizes around the 64 KiB chunk boundary', async () => {
    for (const n of [0, 1, 65535, 65536, 65537, 2 * 65536 + 3]) {
      const pt = randomBytes(n);
      const file = await encryptWithPassphrase(pt, 'pw', { logN: LOG_N });
      expect(Buffer.from(await decryptWithPassphrase(file, 'pw')).equals(pt)).toBe(true);
    }
  });

  it('writes the scrypt work factor asked for, the default being 18', async () => {
    expect(AGE_SCRYPT_DEFAULT_LOG_N).toBe(18);
    expect(dec(await encryptWithPassphrase(enc('x'), 'pw', { logN: 5 }))).toMatch(/^-> scrypt \S{22} 5$/m);
    expect(await codeOf(encryptWithPassphrase(enc('x'), 'pw', { logN: AGE_SCRYPT_MAX_LOG_N + 1 }))).toBe('E_USAGE');
    expect(await codeOf(encryptWithPassphrase(enc('x'), 'pw', { logN: 0 }))).toBe('E_USAGE');
    expect(await codeOf(encryptWithPassphrase(enc('x'), 'pw', { logN: 2.5 }))).toBe('E_USAGE');
    expect(await codeOf(encryptWithPassphrase(enc('x'), ''))).toBe('E_PASSPHRASE_REQUIRED');
  });

  it('report a wrong passphrase as E_BACKUP_PASSPHRASE', async () => {
    for (const armor of [false, true]) {
      const file = await encryptWithPassphrase(enc('secret'), 'right', { armor, logN: LOG_N });
      expect(await codeOf(decryptWithPassphrase(file, 'wrong'))).toBe('E_BACKUP_PASSPHRASE');
      expect(await codeOf(decryptWithPassphrase(file, ''))).toBe('E_BACKUP_PASSPHRASE');
      try {
        await decryptWithPassphrase(file, 'wrong');
      } catch (e) {
        expect((e as Error).message).toBe('wrong passphrase for this backup');
      }
    }
  });

  it('report a flipped payload byte as E_BACKUP_FORMAT (a header byte as either code)', async () => {
    const pt = randomBytes(3000);
    const file = await encryptWithPassphrase(pt, 'pw', { logN: LOG_N });
    const start = headerEnd(file);
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: file.length - 1 }), fc.integer({ min: 1, max: 255 }), async (pos, mask) => {
        const t = Uint8Array.from(file);
        flip(t, pos, mask);
        const code = await codeOf(decryptWithPassphrase(t, 'pw'));
        if (pos >= start) expect(code).toBe('E_BACKUP_FORMAT');
        else expect(['E_BACKUP_FORMAT', 'E_BACKUP_PASSPHRASE']).toContain(code);
      }),
      { numRuns: 150 },
    );
    // A changed header MAC, with the stanza intact, is damage, not a wrong passphrase.
    const macAt = start - 3;
    const t = Uint8Array.from(file);
    t[macAt] = t[macAt] === 0x41 ? 0x42 : 0x41;
    expect(await codeOf(decryptWithPassphrase(t, 'pw'))).toBe('E_BACKUP_FORMAT');
  });

  it('report any truncation as E_BACKUP_FORMAT', async () => {
    const file = await encryptWithPassphrase(randomBytes(70_000), 'pw', { logN: LOG_N });
    const armored = await encryptWithPassphrase(randomBytes(500), 'pw', { logN: LOG_N, armor: true });
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: file.length - 1 }), fc.nat({ max: armored.length - 2 }), async (n, m) => {
        expect(await codeOf(decryptWithPassphrase(file.subarray(0, n), 'pw'))).toBe('E_BACKUP_FORMAT');
        expect(await codeOf(decryptWithPassphrase(armored.subarray(0, m), 'pw'))).toBe('E_BACKUP_FORMAT');
      }),
      { numRuns: 100 },
    );
    for (const n of [0, headerEnd(file), headerEnd(file) + 16, headerEnd(file) + 16 + 65536 + 16]) {
      expect(await codeOf(decryptWithPassphrase(file.subarray(0, n), 'pw'))).toBe('E_BACKUP_FORMAT');
    }
  });

  it('report garbage as E_BACKUP_FORMAT', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (junk) => {
        expect(await codeOf(decryptWithPassphrase(junk, 'pw'))).toBe('E_BACKUP_FORMAT');
        const fakeAge = Buffer.concat([Buffer.from('age-encryption.org/v1\n'), junk]);
        expect(await codeOf(decryptWithPassphrase(fakeAge, 'pw'))).toBe('E_BACKUP_FORMAT');
      }),
      { numRuns: 100 },
    );
    const armoredJunk = enc('-----BEGIN AGE ENCRYPTED FILE-----\nnot*base64\n-----END AGE ENCRYPTED FILE-----\n');
    expect(await codeOf(decryptWithPassphrase(armoredJunk, 'pw'))).toBe('E_BACKUP_FORMAT');
    expect(await codeOf(decryptWithPassphrase(enc('age-encryption.org/v1\n-> scrypt AAAA 99\n'), 'pw'))).toBe('E_BACKUP_FORMAT');
  });
});

// ---------------------------------------------------------------------------------------------

describe.skipIf(!hasAgeOnTty)('interop with the age tool (Debian package age)', () => {
  // age -d on a file at age's default work factor, 18 (about 2.4 s of typage's CPU to write): the
  // executable's `backup` to /dev/stdout, in test/output-paths.test.ts, the one `backup` run
  // without the tests' work factor (it has no seam), whose bytes `age -d` decrypts there.
  it('age -d decrypts our files (binary, armored)', async () => {
    const dir = tmpdir();
    const pt = Buffer.concat([Buffer.from('KEY=value\n'), randomBytes(1000)]);
    fs.writeFileSync(path.join(dir, 'ours.age'), await encryptWithPassphrase(pt, 'pass phrase ü', { logN: 10 }));
    fs.writeFileSync(path.join(dir, 'ours.asc'), await encryptWithPassphrase(pt, 'pass phrase ü', { armor: true, logN: 10 }));
    for (const f of ['ours.age', 'ours.asc']) {
      const out = `${f}.out`;
      const r = ageOnTty(['-d', '-o', out, f], 'pass phrase ü\n', dir);
      expect(r.status, r.out).toBe(0);
      expect(fs.readFileSync(path.join(dir, out)).equals(pt)).toBe(true);
    }
    const bad = ageOnTty(['-d', '-o', 'bad.out', 'ours.asc'], 'wrong\n', dir);
    expect(bad.status).not.toBe(0);
    expect(bad.out).toMatch(/incorrect passphrase/);
  });

  it('we decrypt files written by age -p (binary and armored)', async () => {
    const dir = tmpdir();
    const pt = Buffer.concat([Buffer.from('from age\n'), randomBytes(500)]);
    fs.writeFileSync(path.join(dir, 'pt'), pt);
    // age -p asks for the passphrase twice (enter, confirm). One run, armored: age's armor is a
    // transport encoding of the same stream it writes without -a (RFC 7468 base64 of it), so
    // the binary file is the armor's body decoded here (Node's base64, not the armor reader
    // under test). age -p always writes scrypt at work factor 18, about 2.4 s of typage's CPU
    // for each file decrypted: a second age -p run would add age's own scrypt for no new case.
    const r = ageOnTty(['-p', '-a', '-o', 'theirs.asc', 'pt'], 'their pw\ntheir pw\n', dir);
    expect(r.status, r.out).toBe(0);
    const lines = fs.readFileSync(path.join(dir, 'theirs.asc'), 'latin1').split('\n');
    expect([lines[0], lines.at(-2), lines.at(-1)]).toEqual(['-----BEGIN AGE ENCRYPTED FILE-----', '-----END AGE ENCRYPTED FILE-----', '']);
    const binary = Buffer.from(lines.slice(1, -2).join(''), 'base64');
    expect(binary.subarray(0, 22).toString('latin1')).toBe('age-encryption.org/v1\n');
    expect(binary.toString('latin1')).toMatch(/^-> scrypt \S{22} 18$/m);
    fs.writeFileSync(path.join(dir, 'theirs.age'), binary);
    for (const f of ['theirs.age', 'theirs.asc']) {
      const file = fs.readFileSync(path.join(dir, f));
      expect(Buffer.from(await decryptWithPassphrase(file, 'their pw')).equals(pt)).toBe(true);
    }
    expect(await codeOf(decryptWithPassphrase(fs.readFileSync(path.join(dir, 'theirs.asc')), 'nope'))).toBe('E_BACKUP_PASSPHRASE');
  });

  it('a file encrypted to a key (age -r) is E_BACKUP_FORMAT, not a wrong passphrase', async () => {
    const dir = tmpdir();
    const kg = spawnSync('age-keygen', [], { encoding: 'utf8' });
    const recipient = /age1[0-9a-z]+/.exec(`${kg.stdout}${kg.stderr}`)?.[0];
    expect(recipient).toBeDefined();
    const r = spawnSync('age', ['-r', must(recipient)], { input: 'hello', cwd: dir });
    expect(r.status).toBe(0);
    expect(await codeOf(decryptWithPassphrase(r.stdout, 'pw'))).toBe('E_BACKUP_FORMAT');
  });
});

// ---------------------------------------------------------------------------------------------

const IT = 1000;
const PLAIN = 'DB_PASSWORD=hunter2-Zq8s\nAPI_TOKEN=tok_9f8e7d6c5b4a\n';

describe('HTML backups', () => {
  it('round-trip any text and refuse any other passphrase', () => {
    fc.assert(
      fc.property(
        binaryString({ maxLength: 300 }),
        binaryString({ minLength: 1, maxLength: 30 }),
        binaryString({ maxLength: 30 }),
        (text, pass, other) => {
          const html = renderHtmlBackup(text, pass, { iterations: IT });
          expect(decryptHtmlBackup(html, pass)).toBe(text);
          if (other.normalize('NFC') !== pass.normalize('NFC')) {
            expect(() => decryptHtmlBackup(html, other)).toThrow(expect.objectContaining({ code: 'E_BACKUP_PASSPHRASE' }));
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('reports a wrong passphrase with a one-line message', async () => {
    const html = renderHtmlBackup(PLAIN, 'correct horse', { iterations: IT });
    expect(await codeOf(() => decryptHtmlBackup(html, 'wrong horse'))).toBe('E_BACKUP_PASSPHRASE');
    expect(() => decryptHtmlBackup(html, 'wrong horse')).toThrow('wrong passphrase for this backup');
    // Composed and decomposed forms of the same passphrase are the same (NFC on both sides).
    const nfc = renderHtmlBackup(PLAIN, 'caf\u00e9', { iterations: IT });
    expect(decryptHtmlBackup(nfc, 'cafe\u0301')).toBe(PLAIN);
  });

  it('uses fresh salt and IV, 600k iterations by default, and embeds the documented JSON', () => {
    const html = renderHtmlBackup(PLAIN, 'pw');
    const json = /<script type="application\/json" id="seeqret-backup">([^<]*)<\/script>/.exec(html)?.[1];
    const data = JSON.parse(json ?? 'null') as Record<string, unknown>;
    expect(Object.keys(data).sort()).toEqual(['ct', 'iterations', 'iv', 'kdf', 'salt', 'v']);
    expect(data).toMatchObject({ v: 1, kdf: 'PBKDF2-SHA256', iterations: HTML_BACKUP_DEFAULT_ITERATIONS });
    expect(HTML_BACKUP_DEFAULT_ITERATIONS).toBe(600_000);
    expect(Buffer.from(String(data['salt']), 'base64')).toHaveLength(16);
    expect(Buffer.from(String(data['iv']), 'base64')).toHaveLength(12);
    expect(Buffer.from(String(data['ct']), 'base64')).toHaveLength(Buffer.byteLength(PLAIN) + 16);
    const again = renderHtmlBackup(PLAIN, 'pw', { iterations: IT });
    const other = renderHtmlBackup(PLAIN, 'pw', { iterations: IT });
    expect(again).not.toBe(other);
    expect(decryptHtmlBackup(html, 'pw')).toBe(PLAIN);
  });

  it('the page holds no plaintext, no external resource and no URL', () => {
    const html = renderHtmlBackup(PLAIN, 'pw', { iterations: IT, title: 'Backup <of> "prod" & co' });
    for (const line of PLAIN.split('\n').filter(Boolean)) {
      expect(html).not.toContain(line);
      expect(html).not.toContain(line.split('=')[1]);
    }
    expect(html.replace(/http-equiv/g, '')).not.toMatch(/http/i);
    const markup = html.replace(/(<script\b[^>]*>)[\s\S]*?<\/script>/g, '$1</script>').replace(/<style>[\s\S]*?<\/style>/, '<style></style>');
    expect(markup).not.toMatch(/\b(src|href|action|srcset|poster|data)\s*=|<(link|img|iframe|object|embed|base)\b/i);
    // The embedded ciphertext is random base64, which may well contain `//x`: look everywhere else.
    const withoutData = html.replace(/(id="seeqret-backup">)[^<]*</, '$1<');
    expect(withoutData).not.toBe(html);
    expect(withoutData).not.toMatch(/\burl\(|@import|\/\/[a-z]|\bfetch\(|XMLHttpRequest|WebSocket|sendBeacon|EventSource|\bimport\(/);
    expect(html).toContain("default-src 'none'");
    expect(html).not.toContain('innerHTML');
    expect(html).toContain('<title>Backup &#60;of&#62; &#34;prod&#34; &#38; co</title>');
  });

  it('rejects pages that are not (intact) backups with E_BACKUP_FORMAT', async () => {
    const html = renderHtmlBackup(PLAIN, 'pw', { iterations: IT });
    const json = must(must(/id="seeqret-backup">([^<]*)</.exec(html))[1]);
    const data = JSON.parse(json) as Record<string, unknown>;
    const withData = (d: unknown): string => html.replace(json, typeof d === 'string' ? d : JSON.stringify(d));
    const cases: string[] = [
      '',
      '<html><body>hello</body></html>',
      withData('{not json'),
      withData('[]'),
      withData({ ...data, v: 2 }),
      withData({ ...data, kdf: 'scrypt' }),
      withData({ ...data, iterations: 10 }),
      withData({ ...data, iterations: 1e12 }),
      withData({ ...data, iterations: '1000' }),
      withData({ ...data, salt: 'AAAA' }),
      withData({ ...data, iv: undefined }),
      withData({ ...data, ct: 'not base64!' }),
      withData({ ...data, ct: 'AAAA' }),
    ];
    for (const c of cases) expect(await codeOf(() => decryptHtmlBackup(c, 'pw'))).toBe('E_BACKUP_FORMAT');
    // A modified ciphertext cannot be told from a wrong passphrase with AES-GCM.
    const ct = Buffer.from(String(data['ct']), 'base64');
    flip(ct, 0, 1);
    expect(await codeOf(() => decryptHtmlBackup(withData({ ...data, ct: ct.toString('base64') }), 'pw'))).toBe('E_BACKUP_PASSPHRASE');
    expect(await codeOf(() => renderHtmlBackup(PLAIN, 'pw', { iterations: 10 }))).toBe('E_USAGE');
    expect(await codeOf(() => renderHtmlBackup(PLAIN, ''))).toBe('E_PASSPHRASE_REQUIRED');
  });

  it("the page's own script decrypts with WebCrypto (run in a stub DOM)", async () => {
    const text = 'A=1\nnon-ASCII: h\u00e9 \u2713 \u{1f511}\n<b>not markup</b>\n';
    const html = renderHtmlBackup(text, 'p\u00e4ss', { iterations: IT });
    const json = must(must(/id="seeqret-backup">([^<]*)</.exec(html))[1]);
    const script = must(must(/<script>([\s\S]*?)<\/script>/.exec(html))[1]);
    type El = { textContent: string; value: string; hidden: boolean; disabled: boolean; className: string; [k: string]: unknown };
    const handlers = new Map<string, (ev: { preventDefault(): void }) => void>();
    const el = (id: string, init: Partial<El> = {}): El => ({
      textContent: '',
      value: '',
      hidden: false,
      disabled: false,
      className: '',
      select() {},
      addEventListener(type: string, fn: (ev: { preventDefault(): void }) => void) {
        handlers.set(`${id}:${type}`, fn);
      },
      ...init,
    });
    const els: Record<string, El> = {
      unlock: el('unlock'),
      passphrase: el('passphrase'),
      'unlock-btn': el('unlock-btn'),
      msg: el('msg'),
      result: el('result', { hidden: true }),
      out: el('out'),
      copy: el('copy'),
      download: el('download'),
      'seeqret-backup': el('seeqret-backup', { textContent: json }),
    };
    const context = vm.createContext({
      document: { getElementById: (id: string) => els[id] ?? null },
      window: {},
      navigator: {},
      crypto: globalThis.crypto, // Node's WebCrypto: the same API the browser offers
      TextEncoder,
      TextDecoder,
      atob,
      setTimeout,
    });
    vm.runInContext(script, context);
    const submit = async (pass: string): Promise<void> => {
      must(els['passphrase']).value = pass;
      must(handlers.get('unlock:submit'))({ preventDefault() {} });
      for (let i = 0; i < 400 && must(els['unlock-btn']).disabled; i++) await new Promise((r) => setTimeout(r, 5));
    };
    await submit('wrong');
    expect(must(els['msg']).textContent).toMatch(/^Wrong passphrase/);
    expect(must(els['result']).hidden).toBe(true);
    expect(must(els['out']).textContent).toBe('');
    await submit('pa\u0308ss'); // decomposed form of the same passphrase
    expect(must(els['msg']).textContent).toBe('Decrypted.');
    expect(must(els['result']).hidden).toBe(false);
    expect(must(els['out']).textContent).toBe(text);
    expect(must(els['passphrase']).value).toBe('');
  });
});

// ---------------------------------------------------------------------------------------------

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));

/** True while any process of the process group `pgid` is alive. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A minimal Chrome DevTools Protocol client over `--remote-debugging-pipe` (fds 3 and 4).
 * Chromium runs in a process group of its own: its helper processes (zygote, utility, crash
 * handler) outlive the browser process for a moment and keep writing into the profile, so
 * `stop` ends the whole group and waits until none is left before `dir` can be removed.
 */
function startChromium(exe: string, dir: string) {
  const proc: ChildProcess = spawn(
    exe,
    [
      '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-breakpad', '--disable-crash-reporter',
      '--remote-debugging-pipe', `--user-data-dir=${path.join(dir, 'profile')}`, 'about:blank',
    ],
    // TMPDIR: its singleton socket folder goes into `dir` too, removed with it
    { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, TMPDIR: dir } },
  );
  const pgid = must(proc.pid);
  const toBrowser = proc.stdio[3] as NodeJS.WritableStream;
  const fromBrowser = proc.stdio[4] as NodeJS.ReadableStream;
  const pending = new Map<number, (m: { result?: unknown; error?: unknown }) => void>();
  const events: { method: string; params: unknown }[] = [];
  let buf = '';
  let next = 0;
  fromBrowser.on('data', (d: Buffer) => {
    buf += d.toString('utf8');
    for (let i = buf.indexOf('\0'); i >= 0; i = buf.indexOf('\0')) {
      const m = JSON.parse(buf.slice(0, i)) as { id?: number; method?: string; params?: unknown; result?: unknown; error?: unknown };
      buf = buf.slice(i + 1);
      const done = m.id === undefined ? undefined : pending.get(m.id);
      if (done) {
        pending.delete(must(m.id));
        done(m);
      } else if (m.method) events.push({ method: m.method, params: m.params });
    }
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => { resolve(); }));
  const send = (method: string, params: object = {}, sessionId?: string): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const id = ++next;
      pending.set(id, (m) => {
        if (m.error) reject(new Error(`${method}: ${JSON.stringify(m.error)}`));
        else resolve(m.result as Record<string, unknown>);
      });
      toBrowser.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    });
  const stop = async (): Promise<void> => {
    try {
      await Promise.race([send('Browser.close'), new Promise((r) => setTimeout(r, 3000))]);
    } finally {
      if (proc.exitCode === null) proc.kill();
      await exited;
      if (groupAlive(pgid)) process.kill(-pgid, 'SIGKILL');
      for (let i = 0; i < 100 && groupAlive(pgid); i++) await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { send, events, stop };
}

describe.skipIf(!CHROMIUM)('HTML backup in a real headless browser (Debian package chromium)', () => {
  it('decrypts with the right passphrase, says so on a wrong one, fetches nothing, no CSP violation', async () => {
    const dir = tmpdir();
    const text = 'TOKEN=abc123\nh\u00e9 \u2713 <i>literal</i>\n';
    const file = path.join(dir, 'backup.html');
    fs.writeFileSync(file, renderHtmlBackup(text, 'browser pw', { iterations: IT }));
    const url = pathToFileURL(file).href;
    const b = startChromium(must(CHROMIUM), dir);
    try {
      const { targetId } = (await b.send('Target.createTarget', { url: 'about:blank' })) as { targetId: string };
      const { sessionId } = (await b.send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string };
      for (const d of ['Runtime', 'Log', 'Network', 'Page']) await b.send(`${d}.enable`, {}, sessionId);
      await b.send('Page.navigate', { url }, sessionId);
      const tryPass = async (pass: string): Promise<{ msg: string; out: string; shown: boolean }> => {
        const expression = `(async () => {
          const $ = (id) => document.getElementById(id);
          while (document.readyState !== 'complete') await new Promise((r) => setTimeout(r, 20));
          $('passphrase').value = ${JSON.stringify(pass)};
          $('unlock').requestSubmit();
          for (let i = 0; i < 500 && ($('unlock-btn').disabled || $('msg').textContent === 'Decrypting\\u2026'); i++) {
            await new Promise((r) => setTimeout(r, 20));
          }
          return { msg: $('msg').textContent, out: $('out').textContent, shown: !$('result').hidden };
        })()`;
        const r = (await b.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true }, sessionId)) as {
          result: { value: { msg: string; out: string; shown: boolean } };
        };
        return r.result.value;
      };
      const wrong = await tryPass('not it');
      expect(wrong).toEqual({ msg: expect.stringMatching(/^Wrong passphrase/), out: '', shown: false });
      const right = await tryPass('browser pw');
      expect(right).toEqual({ msg: 'Decrypted.', out: text, shown: true });
      const requests = b.events
        .filter((e) => e.method === 'Network.requestWillBeSent')
        .map((e) => (e.params as { request: { url: string } }).request.url);
      expect(requests.filter((u) => u !== url)).toEqual([]);
      const problems = b.events.filter(
        (e) => e.method === 'Runtime.exceptionThrown' || (e.method === 'Log.entryAdded' && /Content Security Policy|Refused/i.test(JSON.stringify(e.params))),
      );
      expect(problems).toEqual([]);
    } finally {
      await b.stop();
    }
  });
});
