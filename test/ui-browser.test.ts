/**
 * The web UI in a real browser: Debian's headless Chromium driven by playwright-core against a
 * real vault with a few hundred secrets and three people (test/ui-fixture.ts). Each view renders,
 * the token leaves the address bar, the CSP blocks nothing the page needs, a revealed value leaves
 * the DOM after the timeout, an edit in the UI is what the CLI reads and the other way round.
 * With SEEQRET_UI_SCREENSHOTS=1 it saves a screenshot of each view under docs/img/. Without a
 * Chromium (`/usr/bin/chromium`, or SEEQRET_CHROMIUM) it skips, saying why.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { type UiServer, startUiServer } from '../src/ui/server.js';
import { Vault } from '../src/vault/vault.js';
import { ROOT, cliIn } from './helpers.js';
import { uiFixture } from './ui-fixture.js';

const CHROMIUM = [process.env['SEEQRET_CHROMIUM'], '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => p !== undefined && p !== '' && fs.existsSync(p));
if (!CHROMIUM) console.log('test/ui-browser.test.ts skipped: no Chromium found (install Debian\'s chromium package, or set SEEQRET_CHROMIUM)');
const SHOTS = process.env['SEEQRET_UI_SCREENSHOTS'] === '1';
const REVEAL_MS = 1500;

describe.skipIf(!CHROMIUM)('seeqret ui in headless Chromium', () => {
  let browser: Browser;
  let page: Page;
  let server: UiServer;
  let vault: Vault;
  let dir: string;
  const problems: string[] = [];

  beforeAll(async () => {
    ({ dir } = uiFixture(300));
    vault = Vault.open({ dir });
    server = await startUiServer({ vault, revealMs: REVEAL_MS });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
  }, 120_000);

  afterAll(async () => {
    await browser.close();
    await server.close();
    vault.close();
  });

  async function view(name: string, heading: RegExp): Promise<void> {
    await page.click(`nav a[data-nav="${name}"]`);
    await page.waitForFunction((n) => document.querySelector('main')?.dataset['view'] === n, name);
    expect(await page.textContent('main h1')).toMatch(heading);
    if (SHOTS) await page.screenshot({ path: path.join(ROOT, 'docs', 'img', `ui-${name}.png`) });
  }

  it('opens with the token in the fragment, then drops it from the address bar; the matrix shows who holds what', async () => {
    await page.goto(server.url);
    await page.waitForSelector('#matrix');
    expect(page.url()).not.toContain(server.token);
    const head = await page.textContent('#matrix thead');
    for (const who of ['bob', 'carol', 'ci-runner', 'dave']) expect(head).toContain(who);
    expect(head).toContain('removed');
    expect(await page.locator('#matrix td.cur').count()).toBeGreaterThan(50);
    expect(await page.locator('#matrix td.old').count()).toBeGreaterThan(0);
    if (SHOTS) await page.screenshot({ path: path.join(ROOT, 'docs', 'img', 'ui-matrix.png') });
  });

  it('renders every other view, with names from people escaped', async () => {
    await view('rotation', /rotation/i);
    expect(await page.textContent('#exposed')).toMatch(/Exposed\s*12/);
    await view('envs', /Environments/);
    expect(await page.locator('td.diff').count()).toBeGreaterThan(0);
    expect(await page.locator('td.miss').count()).toBeGreaterThan(0);
    await view('audit', /Audit/);
    expect(await page.textContent('#chain')).toContain('chain verified');
    await view('people', /People/);
    expect(await page.locator('script:not([src])').count()).toBe(0);
    await view('inbox', /Inbox/);
    expect(await page.textContent('main')).toContain('shared:dev:FROM_BOB');
    await view('secrets', /Secrets/);
    expect(await page.locator('#secrets tbody tr').count()).toBe(200);
  });

  it('reveals a value on click and removes it from the DOM after the timeout', async () => {
    await view('secrets', /Secrets/);
    const first = page.locator('#secrets tbody tr').first();
    const name = (await first.locator('th a').textContent()) ?? '';
    const clicked = Date.now();
    await first.locator('button[data-reveal]').click();
    const shown = page.locator('code.revealed');
    await shown.waitFor();
    const [app = '', env = '', key = ''] = name.split(':');
    expect(await shown.textContent()).toBe(vault.get(key, { app, env }));
    // Gone once the timeout has passed (waited for as it happens, not slept through), not before.
    await shown.waitFor({ state: 'detached', timeout: REVEAL_MS + 30_000 });
    expect(Date.now() - clicked).toBeGreaterThanOrEqual(REVEAL_MS);
    expect(await page.locator('code.revealed').count()).toBe(0);
  });

  it('an edit in the UI is what the CLI reads; a change in the CLI shows in the UI', async () => {
    await page.fill('form[role=search] input[name=filter]', 'web:dev:KEY_000');
    await page.press('form[role=search] input[name=filter]', 'Enter');
    await page.waitForSelector('#secrets tbody tr >> nth=0');
    await page.click('#secrets tbody tr th a');
    await page.waitForSelector('form[data-action="edit-secret"]');
    await page.fill('form[data-action="edit-secret"] textarea', 'edited in the browser');
    await page.click('form[data-action="edit-secret"] button');
    await page.waitForFunction(() => document.getElementById('status')?.textContent.startsWith('Updated') === true);
    if (SHOTS) await page.screenshot({ path: path.join(ROOT, 'docs', 'img', 'ui-secret.png') });
    expect((await cliIn(['get', 'web:dev:KEY_000'], { vault: dir })).stdout).toBe('edited in the browser\n');
    expect((await cliIn(['add', 'key', 'ADDED_BY_CLI', 'x', '--app', 'web', '--env', 'dev'], { vault: dir })).code).toBe(0);
    await view('secrets', /Secrets/);
    await page.fill('form[role=search] input[name=filter]', 'web:dev:ADDED*');
    await page.press('form[role=search] input[name=filter]', 'Enter');
    await page.waitForSelector('text=web:dev:ADDED_BY_CLI');
  });

  it('loads the inbox bundle on click; the page works by keyboard; readable narrow', async () => {
    await view('inbox', /Inbox/);
    await page.click('form[data-action="load-inbox"] button');
    await page.waitForFunction(() => document.getElementById('status')?.textContent.startsWith('Loaded from bob') === true);
    expect(vault.lookup('shared', 'dev', 'FROM_BOB')?.pending).toBe(true);
    await page.focus('nav a[data-nav="matrix"]');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#matrix');
    await page.setViewportSize({ width: 420, height: 800 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(1); // the table scrolls inside its box, not the page
    if (SHOTS) await page.screenshot({ path: path.join(ROOT, 'docs', 'img', 'ui-narrow.png') });
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(problems).toEqual([]); // no CSP violation, no script error
  });
});
