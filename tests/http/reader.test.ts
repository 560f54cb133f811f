// Reader routes through buildServer + inject against a real SQLite file with the real migrations.
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { listFeedSummaries } from '../../src/db/timeline.js';
import { buildServer } from '../../src/http/app.js';
import { feedHealth } from '../../src/model.js';
import { addEntry, addFeed, createTestPlanet, NOW, seedSmallPlanet, type TestPlanet } from '../helpers/reader-fixtures.js';

let planet: TestPlanet;
let app: FastifyInstance;
let clock = NOW;

async function start(overrides: Record<string, unknown> = {}, seed = true) {
  planet = createTestPlanet(overrides);
  const ids = seed ? seedSmallPlanet(planet.db) : undefined;
  clock = NOW;
  app = await buildServer({ db: planet.db, config: planet.config, now: () => clock });
  return ids;
}

afterEach(async () => {
  await app?.close();
  planet?.cleanup();
});

const titlesIn = (html: string) => [...html.matchAll(/<h3 class="entry-title"><a [^>]*>([^<]*)<\/a>/g)].map((m) => m[1]);
const headingsIn = (html: string) => [...html.matchAll(/<h2 class="day-heading"><time [^>]*>([^<]*)</g)].map((m) => m[1]);

describe('the planet page', () => {
  it('lists visible entries newest first under day headings in the planet’s time zone', async () => {
    await start();
    const res = await app.inject('/');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(titlesIn(res.body)).toEqual(['Latest from Bob', 'Third post', 'Second post', 'Bob says &lt;hi&gt; &amp; bye', 'First post']);
    expect(headingsIn(res.body)).toEqual(['Tuesday, 13 January 2015', 'Monday, 12 January 2015']);
    expect(res.body).not.toContain('Hidden post');
    expect(res.body).toContain('<html lang="en" data-locale="en-GB" data-timezone="UTC">');
    expect(res.body).toContain('<title>Planet Test</title>');
    expect(res.body).toContain('<link rel="alternate" type="application/atom+xml" title="Planet Test (Atom)" href="atom.xml">');
    expect(res.body).toContain('Updated <time datetime="2015-01-13T18:18:00.000Z" title="Tuesday, 13 January 2015 at 18:18 UTC">12 minutes ago</time>');
    // Every post's time says its zone.
    expect(res.body).toMatch(/<time datetime="2015-01-13T[^"]+" title="Tuesday, 13 January 2015 at \d\d:\d\d UTC">\d\d:\d\d UTC<\/time>/);
  });

  it('shows a blog’s consecutive posts under one byline, with faces that never break', async () => {
    await start();
    const html = (await app.inject('/')).body;
    // Third and Second post are both Alice's: one byline, the second entry marked same-blog.
    expect(html).toMatch(/<article class="entry same-blog" id="e3" dir="auto">/);
    expect(html).toContain('src="https://bob.example.net/face.png"');
    // Alice has no face: initials drawn by CSS, nothing that can fail to load.
    expect(html).toMatch(/<span class="face hue-\d+" aria-hidden="true"><span class="initials">AL<\/span><\/span>/);
  });

  it('marks broken and inactive feeds in the sidebar', async () => {
    await start({ page: { activity_threshold_days: 1 } });
    const html = (await app.inject('/')).body;
    expect(html).toMatch(/<li class="broken"><a href="https:\/\/broken.example.com\/rss">Broken Blog<\/a> <a class="x" href="https:\/\/broken.example.com\/rss">feed<\/a> <a class="x" href="feed\/\d+">posts<\/a>&#160;<span class="status" title="http_status: fetch: HTTP 500">broken<\/span><\/li>/);
    // Alice's newest post is from Jan 13 10:00, clock Jan 13 18:30, threshold 1 day → active.
    expect(html).toMatch(/<li><a href="https:\/\/alice.example.org\/">Alice Liddell<\/a> <a class="x" href="https:\/\/alice.example.org\/feed.xml">feed<\/a>/);
    clock = NOW + 3 * 86_400_000;
    expect((await app.inject('/')).body).toMatch(/<li class="inactive"><a href="https:\/\/alice.example.org\/">Alice Liddell<\/a>.*title="No post in the last day">inactive<\/span><\/li>/);
  });

  it('paginates with relative older/newer links; past the end is a 404 page', async () => {
    await start({ page: { items_per_page: 2 } });
    const first = await app.inject('/');
    expect(titlesIn(first.body)).toEqual(['Latest from Bob', 'Third post']);
    expect(first.body).toContain('<a rel="next" href="page/2">Older posts →</a>');
    const second = await app.inject('/page/2');
    expect(titlesIn(second.body)).toEqual(['Second post', 'Bob says &lt;hi&gt; &amp; bye']);
    expect(second.body).toContain('<a rel="prev" href="../">← Newer posts</a>');
    expect(second.body).toContain('<a rel="next" href="../page/3">Older posts →</a>');
    expect(second.body).toContain('href="../assets/planet.css?v=');
    expect(titlesIn((await app.inject('/page/3')).body)).toEqual(['First post']);
    const past = await app.inject('/page/4');
    expect(past.statusCode).toBe(404);
    expect(past.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(past.body).toContain('<h1>Page not found</h1>');
    expect(past.body).toContain('href="../"');
    const one = await app.inject('/page/1');
    expect([one.statusCode, one.headers.location]).toEqual([301, '../']);
    const slash = await app.inject('/page/2/');
    expect([slash.statusCode, slash.headers.location]).toEqual([301, '../../page/2']);
  });

  it('greets a fresh install with a first-run page, not an error', async () => {
    await start({}, false);
    const res = await app.inject('/');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Welcome to Planet Test');
    expect(res.body).toContain('npx planet feeds add https://blog.example.org/');
    addFeed(planet.db, { url: 'https://new.example.org/feed' });
    expect((await app.inject('/')).body).toContain('follows 1 blog, but no posts have arrived yet');
  });

  it('is re-rendered when the data changes (content_version), not before', async () => {
    await start();
    const a = await app.inject('/');
    const b = await app.inject('/');
    expect(b.headers.etag).toBe(a.headers.etag);
    addEntry(planet.db, 1, { guid: 'new', link: 'https://alice.example.org/new', title: 'Brand new', content: '<p>x</p>', at: NOW - 60_000 });
    const c = await app.inject('/');
    expect(c.headers.etag).not.toBe(a.headers.etag);
    expect(titlesIn(c.body)[0]).toBe('Brand new');
    planet.db.prepare("UPDATE feeds SET name = 'Alice L.' WHERE id = 1").run();
    expect((await app.inject('/')).body).toContain('>Alice L.</a>');
  });

  it('keeps "updated N minutes ago" right as time passes', async () => {
    await start();
    expect((await app.inject('/')).body).toContain('>12 minutes ago<');
    clock += 5 * 60_000;
    expect((await app.inject('/')).body).toContain('>17 minutes ago<');
    clock += 3 * 3_600_000;
    expect((await app.inject('/')).body).toContain('>3 hours ago<');
  });

  it('folds a long post behind a "Read more" that needs no JavaScript', async () => {
    await start();
    const paragraphs = Array.from({ length: 30 }, (_, i) => `<p>Paragraph ${i} ${'lorem ipsum dolor sit amet '.repeat(5)}</p>`).join('');
    addEntry(planet.db, 1, { guid: 'long', link: 'https://alice.example.org/long', title: 'Long', content: paragraphs, at: NOW });
    const html = (await app.inject('/')).body;
    expect(html).toMatch(/<p>Paragraph 4 [^<]*<\/p><\/div>\s*<details class="more"><summary>Read more<\/summary><div class="content"><p>Paragraph 5 /);
  });

  it('never links a javascript: permalink and escapes titles', async () => {
    await start();
    addEntry(planet.db, 1, { guid: 'x', link: 'javascript:alert(1)', title: '<script>alert(1)</script>', content: '<p>x</p>', at: NOW });
    const html = (await app.inject('/')).body;
    expect(html).not.toContain('javascript:');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('uses an admin’s template override without code changes', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'planet-views-'));
    // Names starting with "/" resolve in the shipped views/ when the override does not replace them.
    writeFileSync(path.join(dir, '404.eta'), "<% layout('/layout') %><main id=\"content\"><h1>Lost in space</h1></main>");
    await start({ views: dir });
    expect((await app.inject('/nowhere')).body).toContain('<h1>Lost in space</h1>');
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('sub-planets and blogs', () => {
  it('/tag/T shows only that tag’s blogs, with its own feeds; unknown tags 404', async () => {
    await start();
    const res = await app.inject('/tag/linux');
    expect(titlesIn(res.body)).toEqual(['Third post', 'Second post', 'First post']);
    expect(res.body).toContain('<h1>Posts tagged #linux</h1>');
    expect(res.body).toContain('href="../tag/linux/atom.xml"');
    expect(res.body).toContain('aria-current="page">#linux</a>');
    expect((await app.inject('/tag/nope')).statusCode).toBe(404);
    expect((await app.inject('/tag/linux/page/2')).statusCode).toBe(404);
  });

  it('a sub-planet’s sidebar lists only its tag’s blogs, and links to every subscription', async () => {
    await start();
    const html = (await app.inject('/tag/linux')).body;
    const rows = [...html.matchAll(/<li(?: class="\w+")?><a href="[^"]*">([^<]*)<\/a> <a class="x"/g)].map((m) => m[1]);
    expect(rows).toEqual(['Alice Liddell']);
    expect(html).toContain('<h2>Subscriptions <span class="count">(1)</span></h2>');
    expect(html).toContain('<p class="all-subscriptions"><a href="../#subscriptions">All 3 subscriptions</a></p>');
    // The planet's page has the whole list, and the anchor the link names; no link to itself.
    const home = (await app.inject('/')).body;
    expect(home).toContain('<section class="subscriptions" id="subscriptions">');
    expect(home).toContain('<h2>Subscriptions <span class="count">(3)</span></h2>');
    expect(home).not.toContain('all-subscriptions');
  });

  it('a blog’s page shows that blog in its sidebar, not every subscription', async () => {
    const ids = await start({ page: { items_per_page: 1 } });
    for (const url of [`/feed/${ids!.broken}`, `/feed/${ids!.bob}`, `/feed/${ids!.bob}/page/2`]) {
      const res = await app.inject(url);
      expect(res.statusCode, url).toBe(200);
      const rows = [...res.body.matchAll(/<li(?: class="\w+")?><a href="[^"]*">([^<]*)<\/a> <a class="x"/g)].map((m) => m[1]);
      expect(rows, url).toEqual([url.includes(`/${ids!.bob}`) ? 'Bob’s Blog' : 'Broken Blog']);
      expect(res.body, url).toContain('<h2>This blog</h2>');
      expect(res.body, url).toMatch(/<p class="all-subscriptions"><a href="(\.\.\/)*(\.\/)?#subscriptions">All 3 subscriptions<\/a><\/p>/);
    }
    // Its health is marked there as on the planet's page.
    expect((await app.inject(`/feed/${ids!.broken}`)).body).toContain('<span class="status" title="http_status: fetch: HTTP 500">broken</span>');
    expect((await app.inject(`/feed/${ids!.bob}/page/2`)).body).toContain('href="../../../#subscriptions"');
  });

  it('marks each blog as feedHealth judges it (the admin list’s judgement)', async () => {
    const ids = await start({ page: { activity_threshold_days: 1 } });
    const gone = addFeed(planet.db, { url: 'https://gone.example.org/feed', name: 'Gone Blog', fetchedAt: NOW - 86_400_000 * 5 });
    planet.db.prepare("UPDATE feeds SET status = 'gone', error_code = 'http_status', error_message = 'fetch: HTTP 410', error_count = 1 WHERE id = ?").run(gone);
    const quiet = addFeed(planet.db, { url: 'https://quiet.example.org/feed', name: 'Quiet Blog', fetchedAt: NOW - 60_000 });
    addEntry(planet.db, quiet, { guid: 'old', title: 'Old news', content: '<p>old</p>', at: NOW - 86_400_000 * 40 });
    const fresh = addFeed(planet.db, { url: 'https://fresh.example.org/feed', name: 'Fresh Blog' });
    const html = (await app.inject('/')).body;
    const row = (name: string) => new RegExp(`<li[^>]*><a href="[^"]*">${name}</a>.*</li>`).exec(html)?.[0] ?? '';
    const summaries = new Map(listFeedSummaries(planet.db).map((f) => [f.feed.id, f]));
    const health = (id: number) => feedHealth(summaries.get(id)!.feed, summaries.get(id)!.latest, NOW, 1);
    expect([ids!.alice, ids!.bob, ids!.broken, gone, quiet, fresh].map(health)).toEqual(['ok', 'ok', 'erroring', 'gone', 'inactive', 'new']);
    expect(row('Alice Liddell')).toMatch(/^<li><a/);
    expect(row('Alice Liddell')).not.toContain('class="status"');
    expect(row('Broken Blog')).toContain('<span class="status" title="http_status: fetch: HTTP 500">broken</span>');
    expect(row('Gone Blog')).toMatch(/^<li class="broken">.*title="Gone: the feed answered 410, polling stopped">broken<\/span><\/li>$/);
    expect(row('Quiet Blog')).toMatch(/^<li class="inactive">.*>inactive<\/span><\/li>$/);
    // Never fetched is neither broken nor inactive.
    expect(row('Fresh Blog')).toMatch(/^<li><a href="https:\/\/fresh.example.org\/feed">Fresh Blog<\/a> <a class="x" href="https:\/\/fresh.example.org\/feed">feed<\/a> <a class="x" href="feed\/\d+">posts<\/a><\/li>$/);
  });

  it('/feed/ID shows one blog; unknown ids 404', async () => {
    const ids = await start();
    const res = await app.inject(`/feed/${ids!.bob}`);
    expect(titlesIn(res.body)).toEqual(['Latest from Bob', 'Bob says &lt;hi&gt; &amp; bye']);
    expect(res.body).toContain('<h1>Bob’s Blog</h1>');
    expect((await app.inject('/feed/999')).statusCode).toBe(404);
  });
});

describe('HTTP behaviour', () => {
  it.each(['/', '/atom.xml', '/rss.xml', '/feed.json', '/opml.xml', '/tag/linux', '/feed/1', '/assets/planet.css'])('%s has validators, cache control and answers 304', async (url) => {
    await start();
    const res = await app.inject(url);
    expect(res.statusCode).toBe(200);
    expect(res.headers.etag).toMatch(/^"[\w-]+"$/);
    expect(res.headers['cache-control']).toMatch(/^public, max-age=\d+/);
    if (!url.startsWith('/assets')) expect(new Date(String(res.headers['last-modified'])).getTime()).toBeGreaterThan(0);
    const cond = await app.inject({ url, headers: { 'if-none-match': String(res.headers.etag) } });
    expect(cond.statusCode).toBe(304);
    expect(cond.body).toBe('');
    expect(cond.headers.etag).toBe(res.headers.etag);
    if (res.headers['last-modified']) {
      const ims = await app.inject({ url, headers: { 'if-modified-since': String(res.headers['last-modified']) } });
      expect(ims.statusCode).toBe(304);
    }
    const stale = await app.inject({ url, headers: { 'if-none-match': '"something-else"' } });
    expect(stale.statusCode).toBe(200);
  });

  it('compresses with brotli or gzip, same bytes once decoded; a compressed ETag still validates', async () => {
    await start();
    const plain = await app.inject('/');
    const gz = await app.inject({ url: '/', headers: { 'accept-encoding': 'gzip, deflate' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers.vary).toMatch(/Accept-Encoding/i);
    expect(gunzipSync(gz.rawPayload).toString()).toBe(plain.body);
    const br = await app.inject({ url: '/', headers: { 'accept-encoding': 'gzip, br' } });
    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(plain.body);
    expect((await app.inject({ url: '/', headers: { 'accept-encoding': 'br;q=0, gzip' } })).headers['content-encoding']).toBe('gzip');
    expect((await app.inject({ url: '/', headers: { 'if-none-match': String(gz.headers.etag) } })).statusCode).toBe(304);
  });

  it.each([
    ['identity', undefined],
    ['gzip', 'gzip'],
    ['br', 'gzip, deflate, br'],
  ])('%s: each encoding has its own validator, answered with a bodiless 304 carrying it', async (coding, accept) => {
    await start();
    const headers = accept ? { 'accept-encoding': accept } : {};
    const res = await app.inject({ url: '/', headers });
    expect(res.headers['content-encoding']).toBe(coding === 'identity' ? undefined : coding);
    expect(Number(res.headers['content-length'])).toBe(res.rawPayload.length);
    const etag = String(res.headers.etag);
    expect(etag).toMatch(coding === 'identity' ? /^"[\w-]{22}"$/ : new RegExp(`-${coding === 'br' ? 'br' : 'gz'}"$`));
    const cond = await app.inject({ url: '/', headers: { ...headers, 'if-none-match': etag } });
    expect(cond.statusCode).toBe(304);
    expect(cond.rawPayload.length).toBe(0);
    expect(cond.headers.etag).toBe(etag);
    expect(cond.headers.vary).toBe('Accept-Encoding');
    expect(cond.headers['content-encoding']).toBeUndefined();
    // HEAD: the same headers, no body.
    const head = await app.inject({ method: 'HEAD', url: '/', headers });
    expect(head.statusCode).toBe(200);
    expect(head.headers.etag).toBe(etag);
    expect(head.rawPayload.length).toBe(0);
  });

  it('sends the same bytes to every request until the minute or the data changes, then new bytes and a new ETag', async () => {
    await start();
    const a = await app.inject({ url: '/', headers: { 'accept-encoding': 'gzip' } });
    clock += 10_000;
    const b = await app.inject({ url: '/', headers: { 'accept-encoding': 'gzip' } });
    expect(b.rawPayload.equals(a.rawPayload)).toBe(true);
    expect(b.headers.etag).toBe(a.headers.etag);
    clock += 60_000;
    const c = await app.inject({ url: '/', headers: { 'accept-encoding': 'gzip' } });
    expect(c.headers.etag).not.toBe(a.headers.etag);
    expect(gunzipSync(c.rawPayload).toString()).toContain('>13 minutes ago<');
    expect((await app.inject({ url: '/', headers: { 'accept-encoding': 'gzip', 'if-none-match': String(a.headers.etag) } })).statusCode).toBe(200);
  });

  it('sends a strict CSP: no script, frames only from the sanitizer’s allowlist', async () => {
    await start();
    for (const url of ['/', '/search?q=x', '/nope']) {
      const csp = String((await app.inject(url)).headers['content-security-policy']);
      expect(csp).toContain("default-src 'none'");
      // Scripts only from our own origin: the optional assets/planet.js, nothing inline, nothing a post brings.
      expect(csp).toContain("script-src 'self';");
      expect(csp).toContain("connect-src 'self';");
      expect(csp).toContain('img-src https: http: data:');
      expect(csp).toMatch(/frame-src https:\/\/www\.youtube\.com .*https:\/\/player\.vimeo\.com/);
    }
  });

  it('serves the stylesheet and icon', async () => {
    await start();
    const css = await app.inject('/assets/planet.css');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.body).toContain('prefers-color-scheme: dark');
    expect((await app.inject('/assets/favicon.svg')).headers['content-type']).toBe('image/svg+xml');
    expect((await app.inject('/assets/nope.css')).statusCode).toBe(404);
  });
});

describe('search', () => {
  it('finds titles, authors and content, ranked, highlighted', async () => {
    await start();
    const html = (await app.inject('/search?q=penguins')).body;
    expect(html).toContain('2 posts match.');
    expect(html).toContain('More about <mark>penguins</mark>.');
    expect(html).toMatch(/Second post[\s\S]*First post/);
    const byTitle = (await app.inject('/search?q=bob')).body;
    expect(byTitle).toContain('<mark>Bob</mark> says &lt;hi&gt; &amp; bye');
    expect((await app.inject('/search?q=Alice')).body).toContain('3 posts match.');
    // Markup in the stored HTML is not searchable text.
    expect((await app.inject('/search?q=nofollow')).body).toContain('No posts match.');
    // Hidden entries stay hidden.
    expect((await app.inject('/search?q=secret')).body).toContain('No posts match.');
  });

  it('indexes entries stored after the first search, and their edits', async () => {
    await start();
    expect((await app.inject('/search?q=zebra')).body).toContain('No posts match.');
    const id = addEntry(planet.db, 1, { guid: 'z', link: 'https://alice.example.org/z', title: 'Zebra crossing', content: '<p>stripes</p>', at: NOW });
    expect((await app.inject('/search?q=zebra')).body).toContain('1 post matches.');
    planet.db.prepare("UPDATE entries SET title = 'Horse crossing' WHERE id = ?").run(id);
    expect((await app.inject('/search?q=zebra')).body).toContain('No posts match.');
    expect((await app.inject('/search?q=horse')).body).toContain('1 post matches.');
  });

  it.each(['"unbalanced', 'AND', 'penguins AND', 'title:', 'nosuchcolumn:penguins', '(penguins', 'NEAR(', '*', '-', '^', 'penguins"', "'; DROP TABLE entries; --", 'a'.repeat(500)])(
    'FTS5 syntax %j is searched as plain words, never a 500',
    async (q) => {
      await start();
      const res = await app.inject(`/search?q=${encodeURIComponent(q)}`);
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('Search results for');
    },
  );

  it('relaxed queries still find the words', async () => {
    await start();
    expect((await app.inject(`/search?q=${encodeURIComponent('penguins"')}`)).body).toContain('2 posts match (searched as plain words).');
  });

  it('supports FTS5 syntax: phrases, OR, prefixes', async () => {
    await start();
    expect((await app.inject(`/search?q=${encodeURIComponent('"about penguins"')}`)).body).toContain('1 post matches.');
    expect((await app.inject('/search?q=databases%20OR%20kernels')).body).toContain('2 posts match.');
    expect((await app.inject('/search?q=pengu*')).body).toContain('2 posts match.');
  });

  it('paginates results', async () => {
    await start({ page: { items_per_page: 1 } });
    const first = (await app.inject('/search?q=penguins')).body;
    expect(first).toContain('<a rel="next" href="search?q=penguins&amp;page=2">');
    const second = (await app.inject('/search?q=penguins&page=2')).body;
    expect(second).toContain('First post');
    expect(second).toContain('Page 2 of 2');
  });

  it('shows the search form without a query', async () => {
    await start();
    const res = await app.inject('/search');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<h1>Search</h1>');
  });
});
