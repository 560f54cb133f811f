// refreshFeed and runFetchPass end to end: a real node:http server serving feed bytes, a real
// SQLite file with the real migrations. Each case is one dedupe / dates / outcome rule.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig, type Config } from '../../src/config.js';
import { expireEntries } from '../../src/db/entries.js';
import { getFeed, insertFeed, listDueFeeds } from '../../src/db/feeds.js';
import { openDb, type Db } from '../../src/db/open.js';
import { acquireLock, PASS_LOCK, releaseLock } from '../../src/db/locks.js';
import { runFetchPass } from '../../src/pass/run-pass.js';
import type { Feed } from '../../src/model.js';
import { refreshFeed, type RefreshOptions } from '../../src/pipeline/refresh.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const routes = new Map<string, Handler>();
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const handler = routes.get(req.url ?? '');
    if (handler) handler(req, res);
    else {
      res.statusCode = 404;
      res.end('not found');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** Serves `body()` at `route` with an ETag, answering If-None-Match with 304. */
function serveFeed(route: string, body: () => string, type = 'application/rss+xml') {
  routes.set(route, (req, res) => {
    const text = body();
    const etag = `"${Buffer.from(text).length}-${hash(text)}"`;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag });
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': `${type}; charset=utf-8`, etag });
    res.end(text);
  });
  return `${base}${route}`;
}
const hash = (s: string) => [...s].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7).toString(16);

interface Item {
  guid?: string;
  link?: string;
  title: string;
  date?: string;
  body?: string;
}
function rss(items: Item[], title = 'A blog') {
  return `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>${title}</title><link>http://blog.example/</link><description>d</description>
${items
  .map(
    (i) => `<item>${i.guid ? `<guid isPermaLink="false">${i.guid}</guid>` : ''}${i.link ? `<link>${i.link}</link>` : ''}<title>${i.title}</title>${
      i.date ? `<pubDate>${i.date}</pubDate>` : ''
    }<description><![CDATA[${i.body ?? `<p>${i.title}</p>`}]]></description></item>`,
  )
  .join('\n')}
</channel></rss>`;
}

let db: Db;
let config: Config;
let clock: number;
const NOW = Date.parse('2026-06-01T12:00:00Z');

function options(overrides: Partial<RefreshOptions> = {}): RefreshOptions {
  return {
    fetch: { timeoutMs: 3000, maxBytes: 1024 * 1024, userAgent: 'Planetarium/test', allowPrivateAddresses: true, maxRedirects: 5 },
    newFeedItems: 10,
    intervalMs: 15 * 60_000,
    now: () => clock,
    ...overrides,
  };
}
const feed = (id: number): Feed => getFeed(db, id)!;
const visible = (feedId?: number) =>
  db
    .prepare(`SELECT id, title, link, guid, sort_at, content_html FROM entries WHERE expired = 0 AND hidden = 0 AND duplicate_of IS NULL ${feedId ? 'AND feed_id = ?' : ''} ORDER BY sort_at DESC, id DESC`)
    .all(...(feedId ? [feedId] : [])) as { id: number; title: string; link: string; guid: string; sort_at: number; content_html: string }[];

beforeEach(() => {
  const dir = mkdtempSync(path.join(tmpdir(), 'planet-refresh-'));
  db = openDb(path.join(dir, 'planet.db'));
  config = parseConfig({ database: path.join(dir, 'planet.db'), fetch: { allow_private_addresses: true, timeout_seconds: 3 } });
  clock = NOW;
  routes.clear();
});

describe('refreshFeed: storing and deduplicating', () => {
  it('stores a new feed, sanitized, newest first, and records the success', async () => {
    const url = serveFeed('/basic.xml', () =>
      rss([
        { guid: 'a', link: 'http://blog.example/a', title: 'First', date: 'Mon, 01 Jun 2026 08:00:00 GMT', body: '<p>hi<script>alert(1)</script></p>' },
        { guid: 'b', link: 'http://blog.example/b', title: 'Second', date: 'Mon, 01 Jun 2026 09:00:00 GMT' },
      ]),
    );
    const f = insertFeed(db, { url });
    const out = await refreshFeed(db, f, options());
    expect(out).toMatchObject({ outcome: 'ok', entries_new: 2, http_status: 200 });
    expect(visible().map((e) => e.title)).toEqual(['Second', 'First']);
    expect(visible()[1]!.content_html).not.toContain('script');
    const after = feed(f.id);
    expect(after).toMatchObject({ title: 'A blog', siteLink: 'http://blog.example/', errorCount: 0, lastSuccessAt: NOW, hasFetched: true, lastHttpStatus: 200 });
    expect(after.etag).toMatch(/^"/);
  });

  it('answers an unchanged feed with a conditional GET: 304, nothing parsed or written', async () => {
    let served = 0;
    const body = rss([{ guid: 'a', title: 'One', date: 'Mon, 01 Jun 2026 08:00:00 GMT' }]);
    const url = serveFeed('/etag.xml', () => {
      served++;
      return body;
    });
    const f = insertFeed(db, { url });
    await refreshFeed(db, f, options());
    const second = await refreshFeed(db, feed(f.id), options());
    expect(second.outcome).toBe('not_modified');
    expect(second.entries_new).toBe(0);
    expect(served).toBe(2);
    expect(visible()).toHaveLength(1);
  });

  it('updates a changed post in place without moving it to the top', async () => {
    let body = '<p>typo</p>';
    const url = serveFeed('/edit.xml', () =>
      rss([
        { guid: 'new', title: 'Newer', date: 'Mon, 01 Jun 2026 10:00:00 GMT' },
        { guid: 'old', title: 'Older', date: 'Mon, 01 Jun 2026 08:00:00 GMT', body },
      ]),
    );
    const f = insertFeed(db, { url });
    await refreshFeed(db, f, options());
    const before = visible().find((e) => e.title === 'Older')!;
    body = '<p>fixed</p>';
    clock += 3_600_000;
    const out = await refreshFeed(db, feed(f.id), options());
    expect(out).toMatchObject({ outcome: 'ok', entries_new: 0, entries_updated: 1 });
    const after = visible().find((e) => e.title === 'Older')!;
    expect(after.id).toBe(before.id);
    expect(after.sort_at).toBe(before.sort_at);
    expect(after.content_html).toContain('fixed');
    expect(visible().map((e) => e.title)).toEqual(['Newer', 'Older']);
  });

  it('does not duplicate a post whose GUID churns but whose permalink stays', async () => {
    let build = 1;
    const url = serveFeed('/churn.xml', () =>
      rss([{ guid: `build-${build}-post`, link: 'http://blog.example/post', title: 'Post', date: 'Mon, 01 Jun 2026 08:00:00 GMT' }]),
    );
    const f = insertFeed(db, { url });
    await refreshFeed(db, f, options());
    build = 2;
    const out = await refreshFeed(db, feed(f.id), options());
    expect(out.entries_new).toBe(0);
    expect(visible()).toHaveLength(1);
  });

  it('keeps two different posts that share a title and a time', async () => {
    const url = serveFeed('/twins.xml', () =>
      rss([
        { guid: 'x1', title: 'Weekly notes', date: 'Mon, 01 Jun 2026 08:00:00 GMT', body: '<p>one</p>' },
        { guid: 'x2', title: 'Weekly notes', date: 'Mon, 01 Jun 2026 08:00:00 GMT', body: '<p>two</p>' },
      ]),
    );
    await refreshFeed(db, insertFeed(db, { url }), options());
    expect(visible()).toHaveLength(2);
  });

  it('keeps posts that share a link but have their own GUIDs (feeds linking every item to the home page)', async () => {
    const url = serveFeed('/same-link.xml', () =>
      rss([
        { guid: 'p1', link: 'http://blog.example/', title: 'One', date: 'Mon, 01 Jun 2026 08:00:00 GMT' },
        { guid: 'p2', link: 'http://blog.example/', title: 'Two', date: 'Mon, 01 Jun 2026 09:00:00 GMT' },
      ]),
    );
    const f = insertFeed(db, { url });
    await refreshFeed(db, f, options());
    await refreshFeed(db, feed(f.id), options());
    expect(db.prepare('SELECT count(*) AS n FROM entries').get()).toEqual({ n: 2 });
  });

  it('shows the same permalink arriving through two subscriptions once', async () => {
    const item = { guid: 'shared', link: 'http://blog.example/shared', title: 'Cross-posted', date: 'Mon, 01 Jun 2026 08:00:00 GMT' };
    const personal = insertFeed(db, { url: serveFeed('/personal.xml', () => rss([item])) });
    const team = insertFeed(db, { url: serveFeed('/team.xml', () => rss([{ ...item, guid: 'team-copy' }])) });
    await refreshFeed(db, personal, options());
    await refreshFeed(db, team, options());
    expect(visible().map((e) => e.title)).toEqual(['Cross-posted']);
    expect(db.prepare('SELECT count(*) AS n FROM entries').get()).toEqual({ n: 2 });
  });

  it('identifies entries without GUID by permalink, and without either by content', async () => {
    const url = serveFeed('/no-ids.xml', () =>
      rss([
        { link: 'http://blog.example/linked', title: 'Linked', date: 'Mon, 01 Jun 2026 08:00:00 GMT' },
        { title: 'Bare', date: 'Mon, 01 Jun 2026 07:00:00 GMT', body: '<p>only content</p>' },
      ]),
    );
    const f = insertFeed(db, { url });
    await refreshFeed(db, f, options());
    await refreshFeed(db, feed(f.id), options());
    const keys = (db.prepare('SELECT entry_key FROM entries ORDER BY sort_at DESC').all() as { entry_key: string }[]).map((r) => r.entry_key);
    expect(keys[0]).toBe('link:http://blog.example/linked');
    expect(keys[1]).toMatch(/^hash:[0-9a-f]{64}$/);
    expect(keys).toHaveLength(2);
  });

  it('caps a new feed at fetch.new_feed_items and never lets the backlog trickle in later', async () => {
    const items = Array.from({ length: 15 }, (_, i) => ({ guid: `g${i}`, title: `Post ${i}`, date: new Date(NOW - (15 - i) * 86_400_000).toUTCString() }));
    const url = serveFeed('/backlog.xml', () => rss(items));
    const f = insertFeed(db, { url });
    const out = await refreshFeed(db, f, options({ newFeedItems: 10 }));
    expect(out.entries_new).toBe(10);
    expect(visible().map((e) => e.title).at(-1)).toBe('Post 5');
    items.push({ guid: 'g15', title: 'Post 15', date: new Date(NOW).toUTCString() });
    const second = await refreshFeed(db, feed(f.id), options({ newFeedItems: 10 }));
    expect(second.entries_new).toBe(1);
    expect(visible()).toHaveLength(11);
  });
});

describe('refreshFeed: dates', () => {
  it('clamps a date in the future to the time first seen', async () => {
    const url = serveFeed('/future.xml', () => rss([{ guid: 'f', title: 'From the future', date: 'Fri, 01 Jan 2100 00:00:00 GMT' }]));
    await refreshFeed(db, insertFeed(db, { url }), options());
    expect(visible()[0]!.sort_at).toBe(NOW);
  });

  it('uses the time first seen for a missing or invalid date', async () => {
    const url = serveFeed('/undated.xml', () =>
      rss([
        { guid: 'u', title: 'Undated' },
        { guid: 'i', title: 'Invalid', date: '31 Jun 2026 10:00:00 GMT' },
      ]),
    );
    await refreshFeed(db, insertFeed(db, { url }), options());
    expect(visible().map((e) => e.sort_at)).toEqual([NOW, NOW]);
  });
});

describe('refreshFeed: outcomes on the feed row', () => {
  it('records an error with backoff, and a success clears it', async () => {
    let fail = true;
    routes.set('/flaky.xml', (_req, res) => {
      if (fail) {
        res.statusCode = 500;
        res.end('oops');
      } else {
        res.setHeader('content-type', 'application/rss+xml');
        res.end(rss([{ guid: 'ok', title: 'Back' }]));
      }
    });
    const f = insertFeed(db, { url: `${base}/flaky.xml` });
    const first = await refreshFeed(db, f, options());
    expect(first).toMatchObject({ outcome: 'error', error_code: 'http_status', http_status: 500 });
    const failed = feed(f.id);
    expect(failed.errorCount).toBe(1);
    expect(failed.errorMessage).toMatch(/^fetch: .*500/);
    expect(failed.nextFetchAt).toBeGreaterThan(NOW);
    await refreshFeed(db, failed, options());
    const twice = feed(f.id);
    expect(twice.errorCount).toBe(2);
    expect(twice.nextFetchAt! - NOW).toBeGreaterThan(failed.nextFetchAt! - NOW);
    fail = false;
    await refreshFeed(db, twice, options());
    expect(feed(f.id)).toMatchObject({ errorCount: 0, errorCode: null, errorMessage: null, lastSuccessAt: NOW });
  });

  it('stops polling a feed that answers 410 Gone and says so', async () => {
    routes.set('/gone.xml', (_req, res) => {
      res.statusCode = 410;
      res.end();
    });
    const f = insertFeed(db, { url: `${base}/gone.xml` });
    const out = await refreshFeed(db, f, options());
    expect(out).toMatchObject({ outcome: 'error', error_code: 'gone' });
    expect(feed(f.id)).toMatchObject({ status: 'gone', nextFetchAt: null, errorCode: 'gone' });
    expect(listDueFeeds(db, NOW + 86_400_000 * 30).map((x) => x.id)).not.toContain(f.id);
  });

  it('moves the subscription after a permanent redirect', async () => {
    const target = serveFeed('/new-home.xml', () => rss([{ guid: 'm', title: 'Moved' }]));
    routes.set('/old-home.xml', (_req, res) => {
      res.writeHead(301, { location: '/new-home.xml' });
      res.end();
    });
    const f = insertFeed(db, { url: `${base}/old-home.xml` });
    const out = await refreshFeed(db, f, options());
    expect(out.moved_to).toBe(target);
    expect(feed(f.id).url).toBe(target);
  });

  it('does not move the subscription after a temporary redirect', async () => {
    serveFeed('/temp-target.xml', () => rss([{ guid: 't', title: 'Temp' }]));
    routes.set('/temp.xml', (_req, res) => {
      res.writeHead(302, { location: '/temp-target.xml' });
      res.end();
    });
    const f = insertFeed(db, { url: `${base}/temp.xml` });
    await refreshFeed(db, f, options());
    expect(feed(f.id).url).toBe(`${base}/temp.xml`);
  });

  it('records an HTML page as not_a_feed naming the feeds it advertises', async () => {
    routes.set('/home', (_req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end('<!doctype html><html><head><title>Blog</title><link rel="alternate" type="application/atom+xml" href="/atom.xml"></head><body>hi</body></html>');
    });
    const f = insertFeed(db, { url: `${base}/home` });
    const out = await refreshFeed(db, f, options());
    expect(out.error_code).toBe('not_a_feed');
    expect(feed(f.id).errorMessage).toContain(`${base}/atom.xml`);
  });
});

describe('retention', () => {
  it('expires old entries to tombstones that a refetch does not bring back', async () => {
    const items = Array.from({ length: 5 }, (_, i) => ({ guid: `r${i}`, title: `Old ${i}`, date: new Date(NOW - (400 + i) * 86_400_000).toUTCString() }));
    const url = serveFeed('/retention.xml', () => rss(items));
    const f = insertFeed(db, { url });
    await refreshFeed(db, f, options());
    expect(visible()).toHaveLength(5);
    const expired = expireEntries(db, { keepDays: 365, keepPerFeed: 2 }, NOW);
    expect(expired).toBe(3);
    expect(visible().map((e) => e.title)).toEqual(['Old 0', 'Old 1']);
    routes.set('/retention.xml', (_req, res) => {
      res.setHeader('content-type', 'application/rss+xml');
      res.end(rss(items)); // no ETag this time: a full parse
    });
    const out = await refreshFeed(db, feed(f.id), options());
    expect(out.entries_new).toBe(0);
    expect(visible()).toHaveLength(2);
  });
});

describe('tombstones', () => {
  it('deletes old tombstones once their post has left the feed, and keeps those still in it', async () => {
    const day = 86_400_000;
    let items = Array.from({ length: 4 }, (_, i) => ({ guid: `t${i}`, title: `Ancient ${i}`, date: new Date(NOW - (800 + i) * day).toUTCString() }));
    const url = serveFeed('/tombstones.xml', () => rss(items));
    const f = insertFeed(db, { url });
    await refreshFeed(db, f, options());
    expect(expireEntries(db, { keepDays: 365, keepPerFeed: 1 }, NOW)).toBe(3);
    items = items.slice(0, 2); // the blog's feed now shows only its two newest posts
    const opts = options({ tombstoneMaxAgeMs: 2 * 365 * day });
    const out = await refreshFeed(db, feed(f.id), opts);
    expect(out.entries_new).toBe(0);
    const rows = db.prepare('SELECT entry_key, expired FROM entries ORDER BY entry_key').all();
    expect(rows).toEqual([
      { entry_key: 'guid:t0', expired: 0 },
      { entry_key: 'guid:t1', expired: 1 }, // still in the feed: must stay, or it would come back
    ]);
  });
});

describe('runFetchPass', () => {
  it('refreshes every due feed; one broken feed does not stop the pass', async () => {
    const good = insertFeed(db, { url: serveFeed('/good.xml', () => rss([{ guid: 'g', title: 'Good' }])) });
    routes.set('/broken.xml', (_req, res) => {
      res.setHeader('content-type', 'application/rss+xml');
      res.end('%PDF-1.4 this is no feed at all');
    });
    const broken = insertFeed(db, { url: `${base}/broken.xml` });
    const missing = insertFeed(db, { url: `${base}/missing.xml` });
    const report = await runFetchPass(db, config, { now: () => clock });
    expect(report.kind).toBe('ran');
    if (report.kind !== 'ran') return;
    const byId = new Map(report.feeds.map((o) => [o.feed_id, o]));
    expect(byId.get(good.id)!.outcome).toBe('ok');
    expect(byId.get(broken.id)!.outcome).toBe('error');
    expect(byId.get(missing.id)).toMatchObject({ outcome: 'error', http_status: 404 });
    const pass = db.prepare('SELECT * FROM fetch_passes WHERE id = ?').get(report.passId) as Record<string, number>;
    expect(pass).toMatchObject({ feeds_total: 3, feeds_ok: 1, feeds_error: 2, entries_new: 1 });
    expect(pass.finished_at).toBe(NOW);
  });

  it('refuses to start while another live process holds the pass lock', async () => {
    insertFeed(db, { url: serveFeed('/locked.xml', () => rss([{ guid: 'l', title: 'L' }])) });
    // The parent of this test process is alive and not us: a genuine other holder.
    const owner = `${(await import('node:os')).hostname()}:${process.ppid}`;
    expect(acquireLock(db, PASS_LOCK, owner, Date.now()).kind).toBe('acquired');
    const report = await runFetchPass(db, config);
    expect(report).toMatchObject({ kind: 'busy', owner });
    releaseLock(db, PASS_LOCK, owner);
    expect((await runFetchPass(db, config)).kind).toBe('ran');
  });

  it('takes over the lock of a process that died (kill -9) without waiting for it to go stale', async () => {
    const owner = `${(await import('node:os')).hostname()}:2147483646`;
    acquireLock(db, PASS_LOCK, owner, Date.now());
    expect((await runFetchPass(db, config)).kind).toBe('ran');
  });

  it('never fetches more than per_host feeds of one host at once', async () => {
    let active = 0;
    let peak = 0;
    for (let i = 0; i < 6; i++) {
      routes.set(`/slow${i}.xml`, (_req, res) => {
        active++;
        peak = Math.max(peak, active);
        setTimeout(() => {
          active--;
          res.setHeader('content-type', 'application/rss+xml');
          res.end(rss([{ guid: `s${i}`, title: `S${i}` }]));
        }, 100);
      });
      insertFeed(db, { url: `${base}/slow${i}.xml` });
    }
    const limited = parseConfig({ ...config, fetch: { ...config.fetch, concurrency: 8, per_host: 2 } });
    const report = await runFetchPass(db, limited);
    expect(report.kind === 'ran' && report.feeds.every((o) => o.outcome === 'ok')).toBe(true);
    expect(peak).toBe(2);
  });
});
