// Filter rules against real feeds served over HTTP and a real SQLite file: every rule kind decided
// by a fetch pass, planet vs feed precedence, re-application of changed rules to what is stored
// (no refetch, nothing deleted), and the config file's rules applied when they change.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig, type Config } from '../../src/config.js';
import { findFeedByUrl, getFeed, insertFeed } from '../../src/db/feeds.js';
import { listTimeline } from '../../src/db/timeline.js';
import { runFetchPass } from '../../src/pass/run-pass.js';
import { syncConfigFeeds } from '../../src/subscriptions/config-seed.js';
import { previewFilters, setFeedFilters, syncConfigFilters } from '../../src/subscriptions/filter-rules.js';
import { serveFeed, startFeedServer, type FeedServer } from '../helpers/feed-server.js';
import { tempPlanet, type TempPlanet } from '../helpers/temp-planet.js';

const ADMIN = { username: 'alice', via: 'cli' as const };

/** One RSS item per rule kind, each matched by exactly one of PLANET_EXCLUDE, and one that none matches. */
const ITEMS = [
  { slug: 'category', title: 'Quarterly numbers', extra: '<category>Finance</category>', body: 'Money talk.' },
  { slug: 'author', title: 'A guest post', extra: '<dc:creator>Spam Bot</dc:creator>', body: 'Buy things.' },
  { slug: 'lang', title: 'Auf Deutsch', extra: '', lang: 'de-AT', body: 'Ein Beitrag.' },
  { slug: 'title-words', title: 'Sponsored: a shiny gadget', extra: '', body: 'Ad copy.' },
  { slug: 'text-words', title: 'Weekly links', extra: '', body: 'Links, and a <b>crypto giveaway</b> inside.' },
  { slug: 'title-regex', title: 'Release v2.0.1 is out', extra: '', body: 'Changelog.' },
  { slug: 'text-regex', title: 'Photos', extra: '', body: 'Call +1-555-0100 now.' },
  { slug: 'kept', title: 'Kernel notes', extra: '<category>Linux</category>', body: 'About the kernel.' },
];

const PLANET_EXCLUDE = ['category:finance', 'author:spam bot', 'lang:de', 'title:sponsored', 'text:crypto giveaway', 'title:/^release v\\d+[.\\d]*/i', 'text:/\\+\\d-\\d{3}-\\d{4}/'];

function rss(base: string, items = ITEMS): string {
  const entries = items
    .map((it, i) => {
      const lang = it.lang ? ` xml:lang="${it.lang}"` : '';
      return `<item${lang}><guid>${base}/${it.slug}</guid><link>${base}/${it.slug}</link><title>${it.title}</title>${it.extra}
        <pubDate>${new Date(Date.UTC(2026, 10, 1 + i)).toUTCString()}</pubDate><description>${it.body.replace(/</g, '&lt;')}</description></item>`;
    })
    .join('\n');
  return `<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Mixed</title><link>${base}/</link><language>en</language>${entries}</channel></rss>`;
}

let server: FeedServer;
let planet: TempPlanet;
let feedUrl: string;

function configWith(filters: Record<string, unknown>, feeds: unknown[] = []): Config {
  return parseConfig({ database: planet.dbPath, fetch: { allow_private_addresses: true, new_feed_items: 50 }, filters, feeds });
}

/** slug → [rule, scope] of every stored post of the feed (null when shown). */
function decisions(feedId: number): Record<string, [string, string] | null> {
  const rows = planet.db.prepare('SELECT link, filter_rule, filter_scope FROM entries WHERE feed_id = ? ORDER BY id').all(feedId) as { link: string; filter_rule: string | null; filter_scope: string | null }[];
  return Object.fromEntries(rows.map((r) => [r.link.split('/').pop()!, r.filter_rule === null ? null : [r.filter_rule, r.filter_scope!]]));
}

const entryCount = () => (planet.db.prepare('SELECT count(*) AS n FROM entries').get() as { n: number }).n;

beforeEach(async () => {
  server = await startFeedServer();
  feedUrl = server.url('/mixed.xml');
  server.route('/mixed.xml', serveFeed(rss(server.origin), { contentType: 'application/rss+xml', etag: '"v1"' }));
  planet = tempPlanet();
});

afterEach(async () => {
  planet.cleanup();
  await server.close();
});

describe('a fetch pass decides every rule kind and stores what it hides', () => {
  it('stores each filtered post hidden, with the rule that hid it and where it is set', async () => {
    const config = configWith({ exclude: PLANET_EXCLUDE });
    const feed = insertFeed(planet.db, { url: feedUrl });
    const pass = await runFetchPass(planet.db, config);
    expect(pass.kind === 'ran' && pass.feeds[0]!.outcome).toBe('ok');
    expect(decisions(feed.id)).toEqual({
      category: ['category:finance', 'planet'],
      author: ['author:spam bot', 'planet'],
      lang: ['lang:de', 'planet'],
      'title-words': ['title:sponsored', 'planet'],
      'text-words': ['text:crypto giveaway', 'planet'],
      'title-regex': ['title:/^release v\\d+[.\\d]*/i', 'planet'],
      'text-regex': ['text:/\\+\\d-\\d{3}-\\d{4}/', 'planet'],
      kept: null,
    });
    // Readers see only the post no rule hides; every post is stored.
    expect(listTimeline(planet.db, { kind: 'all' }, 50).map((e) => e.title)).toEqual(['Kernel notes']);
    expect(entryCount()).toBe(ITEMS.length);
  });

  it("a feed's include rules replace the planet's; excludes of both apply", async () => {
    const config = configWith({ include: ['lang:en'], exclude: ['title:sponsored'] });
    const feed = insertFeed(planet.db, { url: feedUrl, filters: { include: ['category:linux', 'category:finance'], exclude: ['author:spam bot'] } });
    await runFetchPass(planet.db, config);
    const notIncluded = ['not included: category:linux, category:finance', 'feed'];
    expect(decisions(feed.id)).toEqual({
      category: null, // included by the feed's rule, though the planet includes only lang:en
      author: ['author:spam bot', 'feed'], // exclude rules are asked first
      lang: notIncluded,
      'title-words': ['title:sponsored', 'planet'],
      'text-words': notIncluded,
      'title-regex': notIncluded,
      'text-regex': notIncluded,
      kept: null,
    });
  });

  it('re-decides a post whose content changed at the next fetch', async () => {
    const config = configWith({ exclude: ['text:crypto giveaway'] });
    const feed = insertFeed(planet.db, { url: feedUrl });
    await runFetchPass(planet.db, config);
    expect(decisions(feed.id)['kept']).toBeNull();
    const edited = ITEMS.map((it) => (it.slug === 'kept' ? { ...it, body: 'Now with a crypto giveaway.' } : it));
    server.route('/mixed.xml', serveFeed(rss(server.origin, edited), { contentType: 'application/rss+xml', etag: '"v2"' }));
    await runFetchPass(planet.db, config, { feedIds: [feed.id] });
    expect(decisions(feed.id)['kept']).toEqual(['text:crypto giveaway', 'planet']);
  });
});

describe('changed rules are re-applied at once to what is stored', () => {
  it('without fetching anything, and deleting nothing', async () => {
    const config = configWith({});
    const feed = insertFeed(planet.db, { url: feedUrl });
    await runFetchPass(planet.db, config);
    const requests = server.requestCount;
    expect(Object.values(decisions(feed.id)).every((d) => d === null)).toBe(true);

    const set = setFeedFilters(planet.db, config, ADMIN, feed.id, { include: [], exclude: ['title:sponsored', 'lang:de'] });
    expect(set).toMatchObject({ kind: 'ok', report: { entries: 8, changed: 2, hidden: 2 } });
    expect(decisions(feed.id)).toMatchObject({ 'title-words': ['title:sponsored', 'feed'], lang: ['lang:de', 'feed'], kept: null });

    const cleared = setFeedFilters(planet.db, config, ADMIN, feed.id, null);
    expect(cleared).toMatchObject({ kind: 'ok', report: { entries: 8, changed: 2, hidden: 0 } });
    expect(Object.values(decisions(feed.id)).every((d) => d === null)).toBe(true);
    expect(getFeed(planet.db, feed.id)!.filters).toBeNull();

    expect(server.requestCount).toBe(requests);
    expect(entryCount()).toBe(ITEMS.length);
    const audit = planet.db.prepare("SELECT summary FROM audit_log WHERE action = 'feed.filters' ORDER BY id").all() as { summary: string }[];
    expect(audit.map((a) => a.summary)).toEqual([
      `set the filter rules of #${feed.id} "Mixed" to exclude ["title:sponsored","lang:de"]; re-applied to 8 stored posts: 2 hidden by a rule, 2 changed`,
      `cleared the filter rules of #${feed.id} "Mixed"; re-applied to 8 stored posts: 0 hidden by a rule, 2 changed`,
    ]);
  });

  it('refuses a bad rule with its place and saves nothing', async () => {
    const config = configWith({});
    const feed = insertFeed(planet.db, { url: feedUrl, filters: { include: [], exclude: ['title:sponsored'] } });
    await runFetchPass(planet.db, config);
    const before = decisions(feed.id);
    const result = setFeedFilters(planet.db, config, ADMIN, feed.id, { exclude: ['lang:de', 'text:/(a+)+$/'] });
    expect(result).toMatchObject({ kind: 'invalid', field: 'filters.exclude.1', reason: expect.stringContaining('rule "text:/(a+)+$/": nested repetition') });
    expect(getFeed(planet.db, feed.id)!.filters).toEqual({ include: [], exclude: ['title:sponsored'] });
    expect(decisions(feed.id)).toEqual(before);
  });

  it('previews without saving: which would show, which would hide, and why', async () => {
    const config = configWith({ exclude: ['lang:de'] });
    const feed = insertFeed(planet.db, { url: feedUrl });
    await runFetchPass(planet.db, config);
    const before = decisions(feed.id);
    const preview = previewFilters(planet.db, config, feed.id, { feed: { include: ['category:linux'], exclude: [] } });
    if ('kind' in preview) throw new Error(preview.reason);
    const bySlug = Object.fromEntries(preview.map((p) => [p.link!.split('/').pop(), p]));
    expect(bySlug['kept']).toMatchObject({ shown: true, rule: null, changes: false });
    expect(bySlug['lang']).toMatchObject({ shown: false, rule: 'lang:de', scope: 'planet', changes: false });
    expect(bySlug['category']).toMatchObject({ shown: false, rule: 'not included: category:linux', scope: 'feed', changes: true });
    expect(decisions(feed.id)).toEqual(before);
    expect(previewFilters(planet.db, config, feed.id, { feed: { include: ['nope:x'], exclude: [] } })).toMatchObject({ kind: 'invalid', field: 'filters.include.0' });
  });
});

describe("the config file's rules", () => {
  it('planet-wide: re-applied to every stored post when they change in the file, not on every start', async () => {
    let config = configWith({});
    const feed = insertFeed(planet.db, { url: feedUrl });
    await runFetchPass(planet.db, config);
    expect(syncConfigFilters(planet.db, config).planet).toBeNull();

    config = configWith({ exclude: ['title:sponsored'] });
    expect(syncConfigFilters(planet.db, config).planet).toEqual({ entries: 8, changed: 1, hidden: 1 });
    expect(decisions(feed.id)['title-words']).toEqual(['title:sponsored', 'planet']);
    expect(syncConfigFilters(planet.db, config).planet).toBeNull();

    config = configWith({});
    expect(syncConfigFilters(planet.db, config).planet).toEqual({ entries: 8, changed: 1, hidden: 0 });
    expect(decisions(feed.id)['title-words']).toBeNull();
  });

  it("a feed's: set when the feed is subscribed from the file, applied when the file changes, an admin's edit kept otherwise", async () => {
    let config = configWith({}, [{ url: feedUrl, filters: { exclude: ['lang:de'] } }]);
    syncConfigFeeds(planet.db, config.feeds);
    syncConfigFilters(planet.db, config);
    const id = findFeedByUrl(planet.db, feedUrl)!.id;
    expect(getFeed(planet.db, id)!.filters).toEqual({ include: [], exclude: ['lang:de'] });
    await runFetchPass(planet.db, config);
    expect(decisions(id)['lang']).toEqual(['lang:de', 'feed']);

    // An admin changes them; the unchanged file does not undo it at the next start.
    setFeedFilters(planet.db, config, ADMIN, id, { exclude: ['title:sponsored'] });
    expect(syncConfigFilters(planet.db, config).feeds).toEqual([]);
    expect(getFeed(planet.db, id)!.filters).toEqual({ include: [], exclude: ['title:sponsored'] });

    // The file changes: its rules win, and are re-applied at once.
    config = configWith({}, [{ url: feedUrl, filters: { include: ['category:linux'] } }]);
    const sync = syncConfigFilters(planet.db, config);
    expect(sync.feeds).toEqual([{ url: feedUrl, report: { entries: 8, changed: 7, hidden: 7 } }]);
    expect(decisions(id)['kept']).toBeNull();
    expect(decisions(id)['title-words']).toEqual(['not included: category:linux', 'feed']);
  });
});
