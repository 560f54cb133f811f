// End to end, suggestions: the built `planet serve --no-fetch` with suggestions.enabled, a blog on
// 127.0.0.1, headless Chromium. A visitor fills the form, sees the preview and sends it; an admin
// (made by `planet admin create`) approves it in the queue and finds the blog subscribed under the
// suggested name; `planet why` then knows the feed. Screenshots go to test-artifacts/.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { launchChromium } from '../helpers/browser.js';
import { ROOT, serveAddress, startPlanetProcess, type Running } from '../helpers/processes.js';

const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const FIXTURES = path.join(ROOT, 'tests/fixtures/admin');
const PASSWORD = 'a long and hard-to-guess password';

let blogServer: Server;
let blogUrl = '';
let planet: Running | undefined;
let planetUrl = '';
let browser: Browser;
let page: Page;
let work: string;
let configPath: string;
const problems: string[] = [];

const planetCli = (args: string[], input = '') =>
  spawnSync(process.execPath, [path.join(ROOT, 'bin/planet.js'), ...args, '--config', configPath], { cwd: work, input, encoding: 'utf8', env: { ...process.env, PLANET_CONFIG: '' } });

beforeAll(async () => {
  if (!existsSync(path.join(ROOT, 'dist/cli.js'))) throw new Error('e2e: run `npm run build` first (npm test does it)');
  mkdirSync(ARTIFACTS, { recursive: true });
  work = mkdtempSync(path.join(tmpdir(), 'planet-suggest-e2e-'));
  const pages: Record<string, { type: string; file: string }> = {
    '/': { type: 'text/html; charset=utf-8', file: 'blog-home.html' },
    '/blog/feed.xml': { type: 'application/rss+xml', file: 'blog-feed.xml' },
  };
  blogServer = createServer((req, res) => {
    const p = pages[(req.url ?? '/').split('?')[0]!];
    if (!p) return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-type': p.type }).end(readFileSync(path.join(FIXTURES, p.file)));
  });
  await new Promise<void>((r) => blogServer.listen(0, '127.0.0.1', r));
  blogUrl = `http://127.0.0.1:${(blogServer.address() as AddressInfo).port}`;

  configPath = path.join(work, 'planet.yaml');
  writeFileSync(
    configPath,
    stringify({
      planet: { name: 'Planet Suggest E2E', link: 'http://127.0.0.1/' },
      server: { host: '127.0.0.1', port: 0 },
      database: path.join(work, 'planet.db'),
      fetch: { allow_private_addresses: true, schedule: '0 0 1 1 *' },
      suggestions: { enabled: true },
    }),
  );
  const created = planetCli(['admin', 'create', 'alice'], `${PASSWORD}\n`);
  expect(created.status, created.stderr).toBe(0);
  planet = startPlanetProcess(['serve', '--no-fetch', '--config', configPath], { PLANET_CONFIG: '', PORT: '' });
  planetUrl = await serveAddress(planet);

  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
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

const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `suggest-${name}.png`), fullPage: true });

describe('a visitor suggests a blog, an admin approves it', () => {
  it('the visitor finds the form from the planet page and checks the blog', async () => {
    await page.goto(`${planetUrl}/`);
    await Promise.all([page.waitForURL(`${planetUrl}/suggest`), page.click('text=Suggest a blog')]);
    await page.fill('#suggest-url', `${blogUrl}/`);
    await page.fill('#suggest-name', 'Ada Lovelace');
    await page.fill('#suggest-note', 'Soldering and software, weekly.');
    await Promise.all([page.waitForResponse((r) => r.url().endsWith('/suggest') && r.request().method() === 'POST'), page.click('button:has-text("Check the blog")')]);
    const preview = await page.textContent('#suggest-preview');
    expect(preview).toContain(`${blogUrl}/blog/feed.xml`);
    expect(preview).toContain('“Ada\'s Workshop” (rss, 3 posts now)');
    expect(preview).toContain('Third post: a new bench supply');
    // The page fits a phone's width.
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await shot('preview');
    expect(planetCli(['suggestions', 'list', '--json']).stdout.trim()).toBe('[]');
  });

  it('sends it, and it waits in the queue', async () => {
    await Promise.all([page.waitForResponse((r) => r.url().endsWith('/suggest') && r.request().method() === 'POST'), page.click('button:has-text("Send the suggestion")')]);
    expect(await page.textContent('h1')).toBe('Thank you');
    await shot('thanks');
    const queued = JSON.parse(planetCli(['suggestions', 'list', '--json']).stdout) as { status: string; name: string; feed_url: string }[];
    expect(queued).toMatchObject([{ status: 'pending', name: 'Ada Lovelace', feed_url: `${blogUrl}/blog/feed.xml` }]);
  });

  it('the admin logs in, sees the suggestion and approves it', async () => {
    await page.goto(`${planetUrl}/admin/login`);
    await page.fill('#username', 'alice');
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL(`${planetUrl}/admin`), page.click('button[type=submit]')]);
    await Promise.all([page.waitForURL(`${planetUrl}/admin/suggestions`), page.click('text=Suggestions (1)')]);
    const card = page.locator('.suggestion').first();
    expect(await card.textContent()).toContain('Soldering and software, weekly.');
    await shot('queue');
    await Promise.all([page.waitForURL('**/admin/suggestions?notice=approved'), card.locator('button:has-text("Approve")').click()]);
    expect(await page.textContent('.notice')).toContain('Approved: the blog is subscribed');
    await page.goto(`${planetUrl}/admin`);
    expect(await page.locator('#feeds tbody tr').first().textContent()).toContain('Ada Lovelace');
    await page.goto(`${planetUrl}/admin/audit`);
    const audit = await page.textContent('#audit');
    expect(audit).toContain('approved suggestion #1 by "Ada Lovelace"');
    expect(audit).toContain('(from a suggestion)');
  });

  it('the blog is subscribed and `planet why` knows its feed', async () => {
    const why = JSON.parse(planetCli(['why', `${blogUrl}/blog/feed.xml`, '--json']).stdout) as { kind: string; feed: { name: string } };
    expect(why).toMatchObject({ kind: 'feed', feed: { name: 'Ada Lovelace' } });
    expect(problems).toEqual([]);
  });
});
