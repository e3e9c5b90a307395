/**
 * The web UI's server over real HTTP on 127.0.0.1 (src/ui/server.ts): the token, Host, Origin and
 * address checks, no-store and CSP on every answer, a reveal audited as `get` is, and a change made
 * in the UI seen by the CLI and the other way round. One server on a real vault per test.
 */
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { type UiServer, UI_CSP, startUiServer } from '../src/ui/server.js';
import { esc } from '../src/ui/views.js';
import { Vault } from '../src/vault/vault.js';
import { binaryString, binaryUnit } from './fc-helpers.js';
import { addSecrets, cliAsync, cliIn, newVault } from './helpers.js';
import fc from 'fast-check';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(port: number, path: string, o: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: o.method ?? 'GET', headers: o.headers ?? {}, setHost: !(o.headers && 'Host' in o.headers) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => {
        chunks.push(c);
      });
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }); });
    });
    req.on('error', reject);
    if (o.body !== undefined) req.write(o.body);
    req.end();
  });
}

let open: { server: UiServer; vault: Vault } | undefined;
afterEach(async () => {
  if (open) {
    await open.server.close();
    open.vault.close();
    open = undefined;
  }
});

async function serve(opts: { revealMs?: number; idleMs?: number; onIdle?: () => void; log?: (l: string) => void } = {}): Promise<{ dir: string; server: UiServer; vault: Vault; api: (path: string, o?: { method?: string; body?: unknown; headers?: Record<string, string> }) => Promise<Answer> }> {
  const dir = newVault();
  addSecrets(dir, { app: 'web', env: 'dev', key: 'DB_URL', value: 'postgres://dev' }, { app: 'web', env: 'prod', key: 'DB_URL', value: 'postgres://prod' }, { app: 'web', env: 'prod', key: 'API_KEY', value: 's3cr3t-<b>' });
  const vault = Vault.open({ dir });
  const server = await startUiServer({ vault, ...opts });
  open = { server, vault };
  const api = (path: string, o: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> =>
    request(server.port, path, {
      method: o.method ?? (o.body === undefined ? 'GET' : 'POST'),
      headers: { 'X-Seeqret-Token': server.token, Origin: server.origin, 'Content-Type': 'application/json', ...o.headers },
      ...(o.body === undefined ? {} : { body: JSON.stringify(o.body) }),
    });
  return { dir, server, vault, api };
}

describe('seeqret ui server', () => {
  it('listens on 127.0.0.1 only: any other address is E_UI_ADDRESS', async () => {
    const dir = newVault();
    const vault = Vault.open({ dir });
    try {
      for (const host of ['0.0.0.0', '::', '192.168.1.10', 'localhost', '::1']) {
        await expect(startUiServer({ vault, host })).rejects.toMatchObject({ code: 'E_UI_ADDRESS' });
      }
    } finally {
      vault.close();
    }
  });

  it('serves the shell and its assets without data; every view needs the token', async () => {
    const { server, api } = await serve();
    const shell = await request(server.port, '/');
    expect(shell.status).toBe(200);
    expect(shell.body).not.toContain('DB_URL');
    expect(shell.body).not.toMatch(/<script>|style=/); // nothing inline
    expect(server.url).toBe(`${server.origin}/#token=${server.token}`);
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const without = await request(server.port, '/api/view?view=secrets');
    expect(without.status).toBe(403);
    expect(JSON.parse(without.body)).toMatchObject({ code: 'E_UI_REFUSED' });
    const wrong = await request(server.port, '/api/view?view=secrets', { headers: { 'X-Seeqret-Token': `${server.token.slice(0, -1)}${server.token.endsWith('A') ? 'E' : 'A'}` } });
    expect(wrong.status).toBe(403);
    const inQuery = await request(server.port, `/api/view?view=secrets&token=${server.token}`);
    expect(inQuery.status).toBe(403); // never in a URL
    const ok = await api('/api/view?view=secrets');
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('web:prod:API_KEY');
    expect(ok.body).not.toContain('s3cr3t'); // no value in a view
  });

  it('refuses a foreign Host (DNS rebinding) and a foreign Origin, on every path', async () => {
    const { server, api } = await serve();
    for (const path of ['/', '/app.js', '/api/view?view=matrix']) {
      const host = await request(server.port, path, { headers: { Host: `evil.example:${String(server.port)}`, 'X-Seeqret-Token': server.token } });
      expect(host.status).toBe(403);
      const origin = await request(server.port, path, { headers: { Origin: 'http://evil.example', 'X-Seeqret-Token': server.token } });
      expect(origin.status).toBe(403);
    }
    const otherPort = await api('/api/view', { headers: { Origin: `http://127.0.0.1:${String(server.port + 1)}` } });
    expect(otherPort.status).toBe(403);
    const noOrigin = await request(server.port, '/api/action/reveal', { method: 'POST', headers: { 'X-Seeqret-Token': server.token }, body: JSON.stringify({ app: 'web', env: 'prod', key: 'API_KEY' }) });
    expect(noOrigin.status).toBe(403);
    expect(noOrigin.body).not.toContain('s3cr3t');
  });

  it('answers no-store with the strict CSP and no sniffing or framing, errors included', async () => {
    const { server, api } = await serve();
    const answers = [await request(server.port, '/'), await request(server.port, '/app.js'), await request(server.port, '/app.css'), await request(server.port, '/nothing'), await request(server.port, '/api/view'), await api('/api/view?view=audit'), await api('/api/action/reveal', { body: { app: 'web', env: 'prod', key: 'API_KEY' } })];
    for (const a of answers) {
      expect(a.headers['cache-control']).toBe('no-store');
      expect(a.headers['content-security-policy']).toBe(UI_CSP);
      expect(a.headers['x-content-type-options']).toBe('nosniff');
      expect(a.headers['x-frame-options']).toBe('DENY');
      expect(a.headers['referrer-policy']).toBe('no-referrer');
    }
    expect(UI_CSP).toContain("script-src 'self'");
    expect(UI_CSP).not.toContain('unsafe');
  });

  it('reveals a value only on a POST, recorded in the audit log as get records it; the log has no token or value', async () => {
    const lines: string[] = [];
    const { dir, server, api } = await serve({ revealMs: 1234, log: (l) => lines.push(l) });
    const get = await api('/api/action/reveal', { method: 'GET' });
    expect(get.status).toBe(405);
    const r = await api('/api/action/reveal', { body: { app: 'web', env: 'prod', key: 'API_KEY' } });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ value: 's3cr3t-<b>', hideMs: 1234 });
    const audit = await cliIn(['audit', '--format', 'json'], { vault: dir });
    const reads = (JSON.parse(audit.stdout) as Array<{ action: string; target: string; detail: { how?: string } }>).filter((e) => e.action === 'secret.read');
    expect(reads).toEqual([expect.objectContaining({ target: 'web:prod:API_KEY', detail: { how: 'ui' } })]);
    expect(lines.join('\n')).not.toContain(server.token);
    expect(lines.join('\n')).not.toContain('s3cr3t');
    expect(lines).toContain('POST /api/action/reveal 200');
    const missing = await api('/api/action/reveal', { body: { app: 'web', env: 'prod', key: 'NOPE' } });
    expect(missing.status).toBe(400);
    expect(JSON.parse(missing.body)).toMatchObject({ code: 'E_NOT_FOUND' });
  });

  it('an edit in the UI is what the CLI reads, and a CLI change shows in the UI', async () => {
    const { dir, api } = await serve();
    const edit = await api('/api/action/edit-secret', { body: { app: 'web', env: 'dev', key: 'DB_URL', value: 'postgres://changed' } });
    expect(edit.status).toBe(200);
    expect((await cliIn(['get', 'web:dev:DB_URL'], { vault: dir })).stdout).toBe('postgres://changed\n');
    const hist = await api('/api/view?view=secret&app=web&env=dev&key=DB_URL');
    expect(hist.body).toMatch(/<td>2<\/td>/);
    const add = await api('/api/action/add-secret', { body: { app: 'api', env: 'prod', key: 'TOKEN', value: 'tok', type: 'str' } });
    expect(add.status).toBe(200);
    expect((await cliIn(['get', 'api:prod:TOKEN'], { vault: dir })).stdout).toBe('tok\n');
    const empty = await api('/api/action/add-secret', { body: { app: 'api', env: 'prod', key: 'EMPTY', value: '' } });
    expect(JSON.parse(empty.body)).toMatchObject({ code: 'E_EMPTY_VALUE' });
    const badName = await api('/api/action/add-secret', { body: { app: 'a:b', env: 'prod', key: 'K', value: 'v' } });
    expect(badName.status).toBe(400);
    expect((await cliIn(['add', 'key', 'FROM_CLI', 'x', '--app', 'web', '--env', 'dev'], { vault: dir })).code).toBe(0);
    expect((await api('/api/view?view=secrets')).body).toContain('web:dev:FROM_CLI');
    expect((await api('/api/action/remove-secret', { body: { app: 'web', env: 'dev', key: 'FROM_CLI' } })).status).toBe(200);
    expect((await cliIn(['get', 'web:dev:FROM_CLI'], { vault: dir })).code).toBe(3);
  });

  it('people: add from an introduction line, verify, remove showing what is exposed', async () => {
    const { vault, api } = await serve();
    const bobDir = newVault({ user: 'bob' });
    const line = (await cliIn(['introduction'], { vault: bobDir })).stdout;
    expect((await api('/api/action/add-person', { body: { line } })).status).toBe(200);
    const bob = vault.user('bob');
    vault.recordExport('b1', bob, [vault.lookup('web', 'prod', 'API_KEY')].filter((r) => r !== undefined), 'bundle');
    const bad = await api('/api/action/verify-person', { body: { name: 'bob', fingerprint: '000' } });
    expect(JSON.parse(bad.body)).toMatchObject({ code: 'E_FINGERPRINT_MISMATCH' });
    const fp = /fingerprint of bob's key: ([\d ]+)/.exec(line)?.[1] ?? '';
    expect((await api('/api/action/verify-person', { body: { name: 'bob', fingerprint: fp } })).status).toBe(200);
    expect(vault.user('bob').verifiedAt).not.toBeNull();
    const preview = await api('/api/view?view=person&name=bob');
    expect(preview.body).toContain('web:prod:API_KEY');
    expect((await api('/api/view?view=matrix')).body).toMatch(/<td class="cur"[^>]*>●<\/td>/);
    const rm = await api('/api/action/remove-person', { body: { name: 'bob' } });
    expect(JSON.parse(rm.body)).toMatchObject({ message: expect.stringContaining('1 current values are now marked exposed') as unknown });
    expect((await api('/api/view?view=rotation')).body).toContain('exposed by bob');
    expect((await api('/api/view?view=matrix')).body).toContain('removed');
    const notLine = await api('/api/action/add-person', { body: { line: 'rm -rf /' } });
    expect(JSON.parse(notLine.body)).toMatchObject({ code: 'E_USAGE' });
  });

  it('stops after the idle timeout', async () => {
    let idled = false;
    const { server } = await serve({ idleMs: 150, onIdle: () => (idled = true) });
    await new Promise((r) => setTimeout(r, 400));
    expect(idled).toBe(true);
    await expect(request(server.port, '/')).rejects.toThrow();
  });

  it('esc keeps markup and control characters out of the page', () => {
    fc.assert(
      fc.property(binaryString(), (s) => {
        const e = esc(s);
        expect(e).not.toMatch(/[<>"'\p{Cc}\u202e]/u);
        expect(e.replace(/&(amp|lt|gt|quot|#39);/g, '')).not.toContain('&');
      }),
      { numRuns: 300 },
    );
    expect(esc('<img src=x onerror=alert(1)>')).toBe('&lt;img src=x onerror=alert(1)&gt;');
  });

  it("the tests' binaryString unit (test/fc-helpers.ts) is every code point but the surrogates, one index each", () => {
    // Compared with fast-check's own `unit: 'binary'` once, outside the suite (it costs ~3.5 s to
    // build): the same 64,000 strings for 40 seeds × 8 length constraints, the same shrinks.
    fc.assert(
      fc.property(fc.nat({ max: 0x10ffff }), (cp) => {
        const c = String.fromCodePoint(cp);
        const surrogate = cp >= 0xd800 && cp <= 0xdfff;
        expect(binaryUnit.canShrinkWithoutContext(c)).toBe(!surrogate);
        expect(binaryUnit.canShrinkWithoutContext(`${c}a`)).toBe(false);
      }),
      { numRuns: 2000 },
    );
    for (const c of ['\u0000', '\ud7ff', '\ue000', '\u{10ffff}']) expect(binaryUnit.canShrinkWithoutContext(c)).toBe(true);
    for (const c of ['', '\ud800', '\udfff', 'ab', 1]) expect(binaryUnit.canShrinkWithoutContext(c)).toBe(false);
    const drawn = fc.sample(binaryUnit, { seed: 7, numRuns: 2000 });
    for (const c of drawn) expect(c).toMatch(/^[^\ud800-\udfff]$|^[\ud800-\udbff][\udc00-\udfff]$/);
  });

  it('seeqret ui refuses --host 0.0.0.0 and a bad --port before opening the vault', async () => {
    expect((await cliIn(['ui', '--no-open', '--host', '0.0.0.0'], { vault: newVault() })).stderr).toContain('E_UI_ADDRESS');
    expect((await cliIn(['ui', '--no-open', '--port', '99999'], { vault: newVault() })).stderr).toContain('E_USAGE');
  });

  it('seeqret ui prints the address and stops on SIGTERM', async () => {
    const dir = newVault();
    const { child, done } = cliAsync(['ui', '--no-open'], { vault: dir });
    const url = await new Promise<string>((resolve) => {
      let text = '';
      child.stdout?.on('data', (c: Buffer) => {
        text += c.toString();
        const m = /Open: (\S+)/.exec(text);
        if (m?.[1]) resolve(m[1]);
      });
    });
    const u = new URL(url);
    expect(u.hostname).toBe('127.0.0.1');
    const shell = await request(Number(u.port), '/');
    expect(shell.status).toBe(200);
    child.kill('SIGTERM');
    expect((await done).code).toBe(0);
  });
});
