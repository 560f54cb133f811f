// End to end, admin side: the built `planet serve --no-fetch` with an admin made by
// `planet admin create` (password on stdin), driven by headless Chromium: log in, add a blog by
// its home page URL, refresh it, rename it, hide an entry, remove it; a forged cross-origin POST
// without the CSRF token is refused; the login rate limit trips. Screenshots go to test-artifacts/.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.js';
import { ROOT, serveAddress, startPlanetProcess, type Running } from '../helpers/processes.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';

const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const FIXTURES = path.join(ROOT, 'tests/fixtures/admin');
const PASSWORD = 'a long and hard-to-guess password';

let blogServer: Server;
let blogUrl = '';
let planet: Running | undefined;
let planetUrl = '';
let browser: Browser;
let context: BrowserContext;
let page: Page;
let work: string;
let configPath: string;
const problems: string[] = [];

const planetCli = (args: string[], input = '') =>
  spawnSync(process.execPath, [path.join(ROOT, 'bin/planet.js'), ...args, '--config', configPath], { cwd: work, input, encoding: 'utf8', env: { ...process.env, PLANET_CONFIG: '' } });

beforeAll(async () => {
  if (!existsSync(path.join(ROOT, 'dist/cli.js'))) throw new Error('e2e: run `npm run build` first (npm test does it)');
  mkdirSync(ARTIFACTS, { recursive: true });
  work = mkdtempSync(path.join(tmpdir(), 'planet-admin-e2e-'));

  // The blog: a home page advertising its feed, the feed, and a hostile page on another origin
  // (same site: 127.0.0.1, another port) that tries to post a removal to the planet.
  const pages: Record<string, { type: string; body: () => string }> = {
    '/': { type: 'text/html; charset=utf-8', body: () => readFileSync(path.join(FIXTURES, 'blog-home.html'), 'utf8') },
    '/blog/feed.xml': { type: 'application/rss+xml', body: () => readFileSync(path.join(FIXTURES, 'blog-feed.xml'), 'utf8') },
    '/forged': {
      type: 'text/html; charset=utf-8',
      body: () =>
        `<!doctype html><title>win a prize</title><form id="f" method="post" action="${planetUrl}/admin/feeds/1/remove"><input name="entries" value="purge"></form><script>document.getElementById('f').submit()</script>`,
    },
  };
  blogServer = createServer((req, res) => {
    const p = pages[(req.url ?? '/').split('?')[0]!];
    if (!p) return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-type': p.type }).end(p.body());
  });
  await new Promise<void>((r) => blogServer.listen(0, '127.0.0.1', r));
  blogUrl = `http://127.0.0.1:${(blogServer.address() as AddressInfo).port}`;

  configPath = path.join(work, 'planet.yaml');
  writeFileSync(
    configPath,
    stringify({
      planet: { name: 'Planet Admin E2E', link: 'http://127.0.0.1/' },
      server: { host: '127.0.0.1', port: 0 },
      database: path.join(work, 'planet.db'),
      fetch: { allow_private_addresses: true, schedule: '0 0 1 1 *' },
    }),
  );
  const created = planetCli(['admin', 'create', 'alice'], `${PASSWORD}\n`);
  expect(created.status, created.stderr).toBe(0);

  planet = startPlanetProcess(['serve', '--no-fetch', '--config', configPath], { PLANET_CONFIG: '', PORT: '' });
  planetUrl = await serveAddress(planet);

  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  page = await context.newPage();
  page.on('pageerror', (e) => void problems.push(`page error: ${e.message}`));
  page.on('console', (m) => void (m.type() === 'error' && !m.text().includes('status of 4') ? problems.push(`console: ${m.text()}`) : undefined));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (planet && planet.child.exitCode === null) {
    planet.child.kill('SIGTERM');
    await planet.done;
  }
  await new Promise((r) => blogServer?.close(r));
  if (work) rmSync(work, { recursive: true, force: true });
});

const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `admin-${name}.png`), fullPage: true });

describe('an admin in a browser', () => {
  let feedPath = '';

  it('logs in', async () => {
    await page.goto(`${planetUrl}/admin`);
    expect(page.url()).toContain('/admin/login?next=%2Fadmin');
    await page.fill('#username', 'alice');
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL(`${planetUrl}/admin`), page.click('button[type=submit]')]);
    expect(await page.textContent('header')).toContain('alice');
    const cookie = (await context.cookies()).find((c) => c.name === 'planet_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/admin' });
  });

  it('adds a blog by its home page URL, after a preview', async () => {
    await page.click('text=Add a feed');
    await page.fill('#url', `${blogUrl}/`);
    await Promise.all([page.waitForURL('**/admin/feeds/preview'), page.click('text=Find the feed and preview it')]);
    const preview = await page.textContent('#preview');
    expect(preview).toContain(`${blogUrl}/blog/feed.xml`);
    expect(preview).toContain("Ada's Workshop");
    expect(preview).toContain('Third post: a new bench supply');
    await shot('preview');
    await page.fill('#tags', 'hardware');
    await Promise.all([page.waitForURL('**/admin/feeds/*?notice=added'), page.click('button:has-text("Subscribe")')]);
    feedPath = new URL(page.url()).pathname;
    expect(await page.textContent('main')).toContain('Subscribed.');
  });

  it('refreshes it now and sees it fetched', async () => {
    await Promise.all([page.waitForURL((u) => u.searchParams.get('refreshed') !== null), page.click('button:has-text("Refresh now")')]);
    expect(await page.textContent('.notice')).toContain('Refreshed: 3 new, 0 updated entries.');
    expect(await page.locator('#entries tbody tr').count()).toBe(3);
    await page.goto(`${planetUrl}/admin`);
    const row = page.locator('#feeds tbody tr').first();
    expect(await row.textContent()).toContain("Ada's Workshop");
    expect(await row.locator('.health').textContent()).toMatch(/ok|inactive/);
    await shot('feeds');
  });

  it('renames it', async () => {
    await page.goto(`${planetUrl}${feedPath}`);
    await page.fill('#name', 'Ada the Engineer');
    await Promise.all([page.waitForURL('**?notice=saved'), page.click('#edit button[type=submit]')]);
    expect(await page.textContent('h1')).toContain('Ada the Engineer');
  });

  it('hides one entry, which leaves the public feed', async () => {
    const row = page.locator('#entries tr', { hasText: 'Second post: spam that slipped in' });
    await Promise.all([page.waitForURL((u) => u.searchParams.get('notice') === 'hidden'), row.locator('button', { hasText: 'Hide' }).click()]);
    expect(await page.locator('#entries tr', { hasText: 'Second post' }).textContent()).toContain('(hidden)');
    const feed = await (await fetch(`${planetUrl}/feed.json`)).text();
    expect(feed).toContain('Third post: a new bench supply');
    expect(feed).not.toContain('spam that slipped in');
    await shot('feed');
  });

  it('refuses a forged cross-origin POST that lacks the CSRF token', async () => {
    const forged = await context.newPage();
    const response = await Promise.all([forged.waitForURL(`${planetUrl}/admin/feeds/1/remove`), forged.goto(`${blogUrl}/forged`)]).then(async () =>
      forged.evaluate(() => document.body.textContent ?? ''),
    );
    expect(response).toContain('Request refused');
    await forged.close();
    // And the same from the admin's own page, with the session cookie but no token:
    const res = await page.request.post(`${planetUrl}${feedPath}`, { form: { name: 'Hijacked' } });
    expect(res.status()).toBe(403);
    await page.goto(`${planetUrl}${feedPath}`);
    expect(await page.textContent('h1')).toContain('Ada the Engineer');
  });

  it('removes the feed', async () => {
    await page.check('input[name=entries][value=purge]');
    await Promise.all([page.waitForURL('**/admin?notice=purged'), page.click('button:has-text("Unsubscribe")')]);
    expect(await page.textContent('main')).toContain('Unsubscribed and its entries deleted.');
    expect(await page.locator('#feeds').count()).toBe(0);
    await page.goto(`${planetUrl}/admin/audit`);
    const audit = await page.textContent('#audit');
    for (const what of ['subscribed to', 'refreshed', 'edited', 'hid entry', 'unsubscribed']) expect(audit).toContain(what);
    await shot('audit');
  });

  it('trips the login rate limit', async () => {
    const other = await browser.newContext();
    const login = await other.newPage();
    let last = '';
    for (let i = 0; i < 11; i++) {
      await login.goto(`${planetUrl}/admin/login`);
      await login.fill('#username', 'mallory');
      await login.fill('#password', `wrong password ${i}`);
      const [response] = await Promise.all([login.waitForResponse((r) => r.url().endsWith('/admin/login') && r.request().method() === 'POST'), login.click('button[type=submit]')]);
      last = `${response.status()} ${await login.textContent('main')}`;
      if (i < 10) expect(last).toContain('Wrong user name or password.');
    }
    expect(last).toMatch(/^429 /);
    expect(last).toContain('Too many failed login attempts');
    await login.screenshot({ path: path.join(ARTIFACTS, 'admin-rate-limited.png') });
    await other.close();
  }, 60_000);

  it('logs out', async () => {
    await Promise.all([page.waitForURL('**/admin/login?notice=logged-out'), page.click('button:has-text("Log out")')]);
    expect(await page.textContent('main')).toContain('Logged out.');
    await page.goto(`${planetUrl}/admin/audit`);
    expect(page.url()).toContain('/admin/login');
    expect(problems).toEqual([]);
  });
});
