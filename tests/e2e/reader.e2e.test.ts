// End to end: the built `planet serve` fetches fixture feeds from a local server, then headless
// Chromium reads the planet: order, day headings, pagination, no console errors, no CSP violations.
// Screenshots at phone and desktop widths go to test-artifacts/ for a human to look at.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.js';
import { waitFor } from '../helpers/processes.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const HOUR = 3_600_000;
const PER_FEED = 8;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A tenth of a second of silence as 8 kHz, 8-bit mono PCM WAV: an enclosure the browser can really play. */
function silenceWav(): Buffer {
  const samples = 800;
  const wav = Buffer.alloc(44 + samples, 0x80);
  wav.write('RIFF', 0, 'ascii');
  wav.writeUInt32LE(36 + samples, 4);
  wav.write('WAVEfmt ', 8, 'ascii');
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20); // PCM
  wav.writeUInt16LE(1, 22); // mono
  wav.writeUInt32LE(8000, 24);
  wav.writeUInt32LE(8000, 28);
  wav.writeUInt16LE(1, 32);
  wav.writeUInt16LE(8, 34);
  wav.write('data', 36, 'ascii');
  wav.writeUInt32LE(samples, 40);
  return wav;
}

/** Three blogs in three formats; posts every 5 hours going back from now, interleaved between blogs. */
function fixtureFeeds(base: string, now: number): Record<string, { type: string; body: string | Buffer }> {
  const at = (blog: number, i: number) => new Date(now - (i * 3 + blog) * 5 * HOUR - 60_000);
  const para = (blog: string, i: number) =>
    `<p>Post ${i} from ${blog}. ${'The quick brown fox jumps over the lazy dog. '.repeat(4)}</p><p><img src="${base}/img/chart.svg" alt="A chart" width="320" height="120"></p><p>Read <a href="${base}/blog/${i}">the earlier post</a>.</p>`;
  const rssItems = Array.from({ length: PER_FEED }, (_, i) =>
    `<item><title>Alice post ${i}</title><link>${base}/alice/${i}</link><guid isPermaLink="false">alice-${i}</guid><dc:creator>Alice Liddell</dc:creator><pubDate>${at(0, i).toUTCString()}</pubDate><description>${esc(para('Alice', i))}</description>${i === 0 ? `<enclosure url="${base}/media/silence.wav" type="audio/wav" length="844"/>` : ''}</item>`,
  ).join('\n');
  const atomEntries = Array.from({ length: PER_FEED }, (_, i) =>
    `<entry><id>tag:bob.test,2024:${i}</id><title>Bob post ${i}</title><link href="${base}/bob/${i}"/><updated>${at(1, i).toISOString()}</updated><author><name>Bob Builder</name></author><content type="html">${esc(para('Bob', i))}</content></entry>`,
  ).join('\n');
  const jsonItems = Array.from({ length: PER_FEED }, (_, i) => ({
    id: `${base}/carol/${i}`,
    url: `${base}/carol/${i}`,
    title: `Carol post ${i}`,
    content_html: para('Carol', i) + (i === 0 ? `<pre><code>${esc('const veryLongLine = "this line is long enough to need horizontal scrolling on a phone screen";')}</code></pre>` : ''),
    date_published: at(2, i).toISOString(),
    authors: [{ name: 'Carol Danvers' }],
  }));
  return {
    '/alice.xml': {
      type: 'application/rss+xml',
      body: `<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Alice in Blogland</title><link>${base}/alice/</link><description>a</description>${rssItems}</channel></rss>`,
    },
    '/bob.atom': {
      type: 'application/atom+xml',
      body: `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><id>tag:bob.test,2024:feed</id><title>Bob Builds Things</title><link href="${base}/bob/"/><updated>${new Date(now).toISOString()}</updated>${atomEntries}</feed>`,
    },
    '/carol.json': {
      type: 'application/feed+json',
      body: JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 'Carol’s Notes', home_page_url: `${base}/carol/`, items: jsonItems }),
    },
    '/media/silence.wav': { type: 'audio/wav', body: silenceWav() },
    '/img/chart.svg': {
      type: 'image/svg+xml',
      body: '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="120"><rect width="320" height="120" fill="#cde"/><polyline points="0,100 80,60 160,80 240,20 320,40" fill="none" stroke="#357" stroke-width="4"/></svg>',
    },
    '/img/bob.svg': {
      type: 'image/svg+xml',
      body: '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" fill="#e94"/><circle cx="32" cy="26" r="12" fill="#fff"/><rect x="14" y="42" width="36" height="16" rx="8" fill="#fff"/></svg>',
    },
  };
}

let feedServer: Server;
let planet: ChildProcess | undefined;
let planetUrl = '';
let browser: Browser;
let work: string;
let stderr = '';

beforeAll(async () => {
  if (!existsSync(path.join(ROOT, 'dist/cli.js'))) throw new Error('e2e: run `npm run build` first (npm test does it)');
  mkdirSync(ARTIFACTS, { recursive: true });
  work = mkdtempSync(path.join(tmpdir(), 'planet-e2e-'));

  let fixtures: ReturnType<typeof fixtureFeeds> = {};
  feedServer = createServer((req, res) => {
    const f = fixtures[(req.url ?? '/').split('?')[0]!];
    if (!f) return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-type': f.type, 'cache-control': 'no-cache' }).end(f.body);
  });
  await new Promise<void>((r) => feedServer.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(feedServer.address() as AddressInfo).port}`;
  fixtures = fixtureFeeds(base, Date.now());

  const configPath = path.join(work, 'planet.yaml');
  writeFileSync(
    configPath,
    stringify({
      planet: { name: 'Planet E2E', link: 'http://127.0.0.1/', description: 'Fixture blogs, fetched for real', timezone: 'Europe/Berlin' },
      server: { host: '127.0.0.1', port: 0 },
      database: path.join(work, 'planet.db'),
      fetch: { allow_private_addresses: true, schedule: '0 0 1 1 *' },
      page: { items_per_page: 10 },
      feeds: [
        { url: `${base}/alice.xml`, tags: ['people'] },
        { url: `${base}/bob.atom`, name: 'Bob the Builder', face: `${base}/img/bob.svg`, tags: ['people'] },
        { url: `${base}/carol.json` },
      ],
    }),
  );
  planet = spawn(process.execPath, [path.join(ROOT, 'bin/planet.js'), 'serve', '--config', configPath], {
    cwd: work,
    env: { ...process.env, LOG_LEVEL: 'warn', PLANET_CONFIG: '', PORT: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  planet.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  planetUrl = await waitFor('the server address', async () => /serving .* at (http:\/\/[\d.:]+)/.exec(stderr)?.[1], { timeoutMs: 60_000, intervalMs: 250, output: () => stderr });
  // The first fetch pass runs at start: wait until every post is on the planet.
  await waitFor('all fixture posts to be fetched', async () => {
    const res = await fetch(`${planetUrl}/feed.json`);
    const doc = (await res.json()) as { items: unknown[] };
    return doc.items.length >= 10 && (await (await fetch(`${planetUrl}/page/3`)).text()).includes('Page 3 of 3') ? true : undefined;
  }, { timeoutMs: 60_000, intervalMs: 250, output: () => stderr });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (planet && planet.exitCode === null) {
    planet.kill('SIGTERM');
    await new Promise((r) => planet!.once('close', r));
  }
  await new Promise((r) => feedServer?.close(r));
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A page that records console errors, CSP violations and failed requests. */
async function openPage(width: number, colorScheme: 'light' | 'dark' = 'light') {
  const context = await browser.newContext({ viewport: { width, height: 800 }, colorScheme, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => void (m.type() === 'error' || m.type() === 'warning' ? problems.push(`console ${m.type()}: ${m.text()}`) : undefined));
  page.on('pageerror', (e) => void problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => void problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => void (r.status() >= 400 ? problems.push(`HTTP ${r.status()}: ${r.url()}`) : undefined));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  return { page, problems, close: () => context.close() };
}

async function entryTimes(page: Page): Promise<number[]> {
  return page.$$eval('article.entry time[datetime]', (els) => els.map((e) => Date.parse(e.getAttribute('datetime')!)));
}

describe('the planet in a browser', () => {
  it('shows fetched posts newest first under day headings, without errors or CSP violations', async () => {
    const { page, problems, close } = await openPage(1280);
    await page.goto(planetUrl + '/', { waitUntil: 'load' });
    expect(await page.title()).toBe('Planet E2E');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    const times = await entryTimes(page);
    expect(times).toHaveLength(10);
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const headings = await page.$$eval('h2.day-heading time', (els) => els.map((e) => e.getAttribute('datetime')!));
    expect(headings.length).toBeGreaterThanOrEqual(2);
    expect([...headings].sort().reverse()).toEqual(headings);
    expect(await page.textContent('h2.day-heading')).toMatch(/^[A-Z][a-z]+day,? \d{1,2} [A-Z][a-z]+ \d{4}$/);
    // Every picture loaded: faces (a real one for Bob, initials for the others) and post images.
    // Post images load lazily: scroll through the page so each one is requested, then check.
    await page.evaluate(async () => {
      for (const img of Array.from(document.images)) {
        img.scrollIntoView();
        await new Promise((r) => setTimeout(r, 20));
      }
      await Promise.all(Array.from(document.images).map((i) => i.decode().catch(() => undefined)));
      window.scrollTo(0, 0);
    });
    const broken = await page.$$eval('img', (imgs) => imgs.filter((i) => !(i as HTMLImageElement).complete || (i as HTMLImageElement).naturalWidth === 0).map((i) => i.getAttribute('src')));
    expect(broken).toEqual([]);
    expect(await page.textContent('.sidebar .updated')).toMatch(/Updated (just now|\d+ minutes? ago)/);
    expect(await page.$$eval('.sidebar .subscriptions li', (li) => li.length)).toBe(3);
    await page.screenshot({ path: path.join(ARTIFACTS, 'reader-1280.png'), fullPage: false });
    expect(problems).toEqual([]);
    await close();
  }, 60_000);

  it("plays a post's audio enclosure: a player with controls whose media the CSP lets load", async () => {
    const { page, problems, close } = await openPage(1280);
    await page.goto(planetUrl + '/', { waitUntil: 'load' });
    const player = page.locator('li.enclosure.audio audio[controls]');
    expect(await player.count()).toBe(1);
    expect(await page.textContent('li.enclosure.audio')).toMatch(/silence\.wav \(WAV audio, 844 bytes\)/);
    // preload="none" keeps a page of podcasts from fetching every file: ask for the media, as a click on play would.
    const duration = await player.evaluate(
      (audio: HTMLAudioElement) =>
        new Promise<number>((resolve, reject) => {
          audio.addEventListener('loadedmetadata', () => resolve(audio.duration));
          audio.addEventListener('error', () => reject(new Error(`media error ${audio.error?.code}`)));
          audio.preload = 'metadata';
          audio.load();
        }),
    );
    expect(duration).toBeCloseTo(0.1, 2);
    // With preload="metadata" Chromium may cancel the rest of the media download once it has the
    // metadata (seen under load): that abort is the player's choice, not a failure; any other is.
    const abortedAfterMetadata = (p: string) => /^request failed: \S+\/media\/silence\.wav net::ERR_ABORTED$/.test(p);
    expect(problems.filter((p) => !abortedAfterMetadata(p))).toEqual([]);
    await close();
  }, 60_000);

  it('pages back through older posts and forward again', async () => {
    const { page, problems, close } = await openPage(1280);
    await page.goto(planetUrl + '/', { waitUntil: 'load' });
    const first = await entryTimes(page);
    await page.click('a[rel=next]');
    await page.waitForURL(/\/page\/2$/);
    const second = await entryTimes(page);
    expect(second).toHaveLength(10);
    expect(Math.max(...second)).toBeLessThanOrEqual(Math.min(...first));
    await page.click('a[rel=next]');
    await page.waitForURL(/\/page\/3$/);
    expect(await entryTimes(page)).toHaveLength(3 * PER_FEED - 20);
    expect(await page.$('a[rel=next]')).toBeNull();
    await page.click('a[rel=prev]');
    await page.waitForURL(/\/page\/2$/);
    await page.click('a[rel=prev]');
    await page.waitForURL((u) => u.pathname === '/');
    expect(await entryTimes(page)).toEqual(first);
    // Past the end: the 404 page, styled, links home.
    const res = await page.goto(planetUrl + '/page/9');
    expect(res?.status()).toBe(404);
    await page.click('text=Go to the latest posts');
    await page.waitForURL((u) => u.pathname === '/');
    expect(problems.filter((p) => !p.includes('/page/9') && !p.includes('404 (Not Found)'))).toEqual([]);
    await close();
  }, 60_000);

  it('reads well on a 360 px phone, light and dark, with no sideways scrolling', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      const { page, problems, close } = await openPage(360, scheme);
      await page.goto(planetUrl + '/', { waitUntil: 'load' });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await page.screenshot({ path: path.join(ARTIFACTS, `reader-360-${scheme}.png`), fullPage: false });
      if (scheme === 'light') await page.screenshot({ path: path.join(ARTIFACTS, 'reader-360-full.png'), fullPage: true });
      expect(problems).toEqual([]);
      await close();
    }
  }, 60_000);

  it('searches, and serves the sub-planet and blog pages', async () => {
    const { page, problems, close } = await openPage(1280);
    await page.goto(planetUrl + '/', { waitUntil: 'load' });
    await page.fill('#q', 'Carol');
    await page.press('#q', 'Enter');
    await page.waitForURL(/\/search\?q=Carol/);
    expect(await page.textContent('.search-page .summary')).toBe(`${PER_FEED} posts match.`);
    expect(await page.$$eval('.results mark', (m) => m.length)).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'search-1280.png') });
    await page.goto(planetUrl + '/tag/people', { waitUntil: 'load' });
    expect(await page.textContent('main h1')).toBe('Posts tagged #people');
    expect(await page.$$eval('.entry-title a', (a) => a.every((x) => !x.textContent!.startsWith('Carol')))).toBe(true);
    // A sub-planet's sidebar lists its tag's blogs (Alice and Bob, not Carol).
    expect(await page.$$eval('.sidebar .subscriptions li', (li) => li.length)).toBe(2);
    await page.click('.sidebar .subscriptions li:first-child a:nth-of-type(3)');
    await page.waitForURL(/\/feed\/\d+$/);
    expect(await page.$$eval('article.entry', (a) => a.length)).toBeGreaterThan(0);
    // A blog's page shows that blog, and leads to the whole list on the planet's page.
    expect(await page.textContent('.sidebar .subscriptions h2')).toBe('This blog');
    expect(await page.$$eval('.sidebar .subscriptions li', (li) => li.length)).toBe(1);
    await page.screenshot({ path: path.join(ARTIFACTS, 'blog-1280.png') });
    await page.click('text=All 3 subscriptions');
    await page.waitForURL((u) => u.pathname === '/' && u.hash === '#subscriptions');
    expect(await page.$$eval('.sidebar .subscriptions li', (li) => li.length)).toBe(3);
    expect(problems).toEqual([]);
    await close();
  }, 60_000);
});
