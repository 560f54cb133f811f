// Issue 12 at the HTTP level, through buildServer + inject on a real SQLite file: what crawlers and
// browsers ask for (/robots.txt, /favicon.ico), a blog's page that does not repeat itself, a
// first-run sidebar that tells the truth after a pass, and the planet's words in its language on the
// reader pages and the admin UI (German, Japanese), its times in its zone.
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { recordFetchFailure } from '../../src/db/feeds.js';
import { buildServer } from '../../src/http/app.js';
import { createAdmin, login } from '../helpers/admin.js';
import { addFeed, createTestPlanet, NOW, seedSmallPlanet, type TestPlanet } from '../helpers/reader-fixtures.js';

let planet: TestPlanet;
let app: FastifyInstance;

async function start(overrides: Record<string, unknown> = {}, seed = true) {
  planet = createTestPlanet(overrides);
  const ids = seed ? seedSmallPlanet(planet.db) : undefined;
  app = await buildServer({ db: planet.db, config: planet.config, now: () => NOW });
  return ids;
}

afterEach(async () => {
  await app?.close();
  planet?.cleanup();
});

describe('what crawlers and browsers ask for', () => {
  it('serves /robots.txt: reader pages indexable, admin and API not', async () => {
    await start();
    const res = await app.inject('/robots.txt');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.body).toBe('# Planet Test, served by Planetarium\nUser-agent: *\nDisallow: /admin/\nDisallow: /api/\n');
  });

  it('serves /favicon.ico at the root, which admin pages get too', async () => {
    await start();
    const res = await app.inject('/favicon.ico');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/x-icon');
    // An ICO file: reserved 0, type 1.
    expect([...res.rawPayload.subarray(0, 4)]).toEqual([0, 0, 1, 0]);
    const login = await app.inject('/admin/login');
    expect(login.body).toContain('<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">');
    expect(login.headers['content-security-policy']).toContain("connect-src 'self'");
  });

  it('lets a page read its own origin (connect-src) and run only our own script', async () => {
    await start();
    const res = await app.inject('/');
    expect(res.headers['content-security-policy']).toMatch(/script-src 'self'; style-src 'self'; connect-src 'self';/);
    expect(res.body).toMatch(/<script src="assets\/planet\.js\?v=[0-9a-f]{10}" defer><\/script>/);
    const js = await app.inject('/assets/planet.js');
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
  });
});

describe('a blog’s own page', () => {
  it('shows the blog once, in its header: no byline and no "more from" link to itself under each post', async () => {
    const ids = await start();
    const blog = (await app.inject(`/feed/${ids!.bob}`)).body;
    expect(blog).toContain('<h1>Bob’s Blog</h1>');
    expect(blog).not.toContain('more from');
    expect(blog).not.toContain('class="who"');
    // The planet's page keeps both: a post there comes from somewhere.
    const home = (await app.inject('/')).body;
    expect(home).toContain(`<a href="feed/${ids!.bob}">more from Bob’s Blog</a>`);
  });
});

describe('the first-run sidebar', () => {
  it('says "not fetched yet" only until a pass has tried', async () => {
    await start({}, false);
    const feed = addFeed(planet.db, { url: 'https://new.example.org/feed' });
    const before = (await app.inject('/')).body;
    expect(before).toContain('<p class="updated">Not fetched yet</p>');
    recordFetchFailure(planet.db, feed, { at: NOW - 60_000, httpStatus: 500, code: 'http_status', message: 'fetch: HTTP 500', errorCount: 1, nextFetchAt: NOW + 60_000, status: 'active' });
    const after = (await app.inject('/')).body;
    expect(after).not.toContain('Not fetched yet');
    expect(after).toContain('<p class="updated">No feed could be read yet</p>');
    expect(after).toContain('This planet follows 1 blog, but the last fetch pass could not read it');
  });
});

describe('the planet in its language', () => {
  it('German: every reader word from the catalog, dates in the zone with the zone shown', async () => {
    await start({ planet: { name: 'Planet Test', link: 'https://planet.example.org/', description: 'Beiträge', timezone: 'Europe/Berlin', language: 'de-AT' } });
    const html = (await app.inject('/')).body;
    expect(html).toContain('<html lang="de-AT" data-locale="de-AT" data-timezone="Europe/Berlin">');
    expect(html).toContain('<h2 class="day-heading"><time datetime="2015-01-13">Dienstag, 13. Jänner 2015</time></h2>');
    expect(html).toMatch(/title="Dienstag, 13\. Jänner 2015 um 13:00 MEZ">13:00 MEZ<\/time>/);
    expect(html).toContain('Aktualisiert <time datetime="2015-01-13T18:18:00.000Z"');
    expect(html).toContain('>vor 12 Minuten</time>');
    expect(html).toContain('Beiträge durchsuchen');
    expect(html).not.toMatch(/Read more|Subscriptions|Search posts|Updated /);
    const missing = await app.inject('/nope');
    expect(missing.body).toContain('<h1>Seite nicht gefunden</h1>');
  });

  it('Japanese: the admin UI too, with times in words and the exact time on hover', async () => {
    await start({ planet: { name: 'Planet Test', link: 'https://planet.example.org/', description: '', timezone: 'Asia/Tokyo', language: 'ja' } });
    const loginPage = (await app.inject('/admin/login')).body;
    expect(loginPage).toContain('<html lang="ja">');
    expect(loginPage).toContain('<title>ログイン · Planet Test 管理</title>');
    await createAdmin(planet.db);
    const admin = await login(app, planet.db);
    const list = (await admin.get('/admin')).body;
    expect(list).toContain('<h1>フィード</h1>');
    // Alice's feed was fetched 12 minutes before NOW (18:30 UTC, 03:30 the next day in Tokyo).
    expect(list).toMatch(/<time datetime="2015-01-13T18:18:00.000Z" title="2015年1月14日水曜日 3:18 (JST|GMT\+9)">12 分前<\/time>/);
    expect(list).not.toMatch(/ ago|Last success|Add a feed/);
  });
});
