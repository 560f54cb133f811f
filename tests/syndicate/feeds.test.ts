// The merged feeds read back by the project's parser and by two independent ones; ids stable.
import { parseFeed as feedsmithParse, parseOpml } from 'feedsmith';
import Parser from 'rss-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/http/app.js';
import { parseFeed } from '../../src/pipeline/parse/index.js';
import { isAbsoluteIri, itemId, uuidFromName } from '../../src/syndicate/ids.js';
import { renderAtom, renderJsonFeed, renderRss, type ChannelInfo } from '../../src/syndicate/feeds.js';
import type { Entry, Feed } from '../../src/model.js';
import { addEntry, createTestPlanet, NOW, seedSmallPlanet, type TestPlanet } from '../helpers/reader-fixtures.js';

const decodeEntities = (s: string) => s.replace(/&#(\d+);/g, (_m, n: string) => String.fromCharCode(Number(n)));

let planet: TestPlanet;
let app: FastifyInstance;
const get = async (url: string) => (await app.inject(url)).body;

beforeAll(async () => {
  planet = createTestPlanet();
  seedSmallPlanet(planet.db);
  app = await buildServer({ db: planet.db, config: planet.config, now: () => NOW });
});
afterAll(async () => {
  await app.close();
  planet.cleanup();
});

const VISIBLE_TITLES = ['Latest from Bob', 'Third post', 'Second post', 'Bob says <hi> & bye', 'First post'];

describe('merged feeds parse back', () => {
  it.each(['/atom.xml', '/rss.xml', '/feed.json'])('%s with the project parser: titles, links, authors, order', async (url) => {
    const result = parseFeed(await get(url), `https://planet.example.org${url}`);
    expect(result.kind).toBe('ok');
    if (result.kind !== 'ok') return;
    expect(result.feed.entries.map((e) => e.title)).toEqual(VISIBLE_TITLES);
    expect(result.feed.entries[0]!.link).toBe('https://bob.example.net/2015/latest');
    expect(result.feed.entries[1]!.author).toBe('Alice');
    expect(result.feed.entries[0]!.published?.toISOString()).toBe('2015-01-13T12:00:00.000Z');
    expect(result.feed.entries.every((e) => e.guid)).toBe(true);
    // Nothing repaired; our RSS names authors in dc:creator (an RSS <author> is an e-mail address).
    expect(result.feed.warnings).toEqual(url === '/rss.xml' ? ['parse: entries 1–5: author from dc:creator'] : []);
  });

  it('Atom with rss-parser: ids kept, titles in order', async () => {
    const feed = await new Parser().parseString(await get('/atom.xml'));
    // rss-parser ignores type="html" on titles and hands the escaped text over as is.
    expect(feed.items.map((i) => decodeEntities(i.title ?? ''))).toEqual(VISIBLE_TITLES);
    expect(feed.items.map((i) => (i as { id?: string }).id)).toEqual([
      itemId({ guid: 'g3', link: null, feedId: 2, entryKey: 'guid:g3' }),
      'https://alice.example.org/third',
      'tag:alice.example.org,2015:2',
      itemId({ guid: 'g1', link: null, feedId: 2, entryKey: 'guid:g1' }),
      'https://alice.example.org/?p=1',
    ]);
  });

  it('Atom with feedsmith: atom:source names the blog, its link and its feed', async () => {
    const parsed = feedsmithParse(await get('/atom.xml'));
    expect(parsed.format).toBe('atom');
    const entries = (parsed.feed as { entries: { source?: { title?: { value?: string }; links?: { href: string; rel?: string }[]; id?: string } }[] }).entries;
    expect(entries[0]!.source?.title?.value).toBe('Bob’s Blog');
    expect(entries[0]!.source?.id).toBe('https://bob.example.net/atom.xml');
    expect(entries[0]!.source?.links?.map((l) => [l.rel, l.href])).toEqual([
      ['alternate', 'https://bob.example.net/'],
      ['self', 'https://bob.example.net/atom.xml'],
    ]);
  });

  it('RSS 2.0 with rss-parser and feedsmith: guid, dc:creator, source', async () => {
    const xml = await get('/rss.xml');
    const feed = await new Parser().parseString(xml);
    expect(feed.items.map((i) => decodeEntities(i.title ?? ''))).toEqual(VISIBLE_TITLES);
    expect(feed.items[1]!.creator).toBe('Alice');
    expect(feed.items[0]!.creator).toBe('Bob’s Blog');
    const parsed = feedsmithParse(xml);
    expect(parsed.format).toBe('rss');
    const items = (parsed.feed as { items: { guid?: { value: string }; dc?: { creators?: string[]; creator?: string }; source?: { title?: string; url?: string } }[] }).items;
    expect(items[2]!.guid?.value).toBe('tag:alice.example.org,2015:2');
    expect(items[0]!.source?.url).toBe('https://bob.example.net/atom.xml');
    expect(xml).toContain('xmlns:dc="http://purl.org/dc/elements/1.1/"');
  });

  it('JSON Feed says version 1.1 and has authors; feedsmith reads it', async () => {
    const text = await get('/feed.json');
    const doc = JSON.parse(text) as { version: string; language: string; items: { authors: { name: string }[]; author?: unknown }[] };
    expect(doc.version).toBe('https://jsonfeed.org/version/1.1');
    expect(doc.language).toBe('en');
    expect(doc.items[1]!.authors).toEqual([{ name: 'Alice', url: 'https://alice.example.org/' }]);
    expect(doc.items.every((i) => i.author === undefined)).toBe(true);
    const parsed = feedsmithParse(text);
    expect(parsed.format).toBe('json');
  });

  it('OPML 2.0 lists every subscription with its feed and home page', async () => {
    const parsed = parseOpml(await get('/opml.xml')) as { body?: { outlines?: { text?: string; xmlUrl?: string; htmlUrl?: string; category?: string }[] } };
    expect(parsed.body?.outlines?.map((o) => [o.text, o.xmlUrl])).toEqual([
      ['Alice Liddell', 'https://alice.example.org/feed.xml'],
      ['Bob’s Blog', 'https://bob.example.net/atom.xml'],
      ['Broken Blog', 'https://broken.example.com/rss'],
    ]);
    expect(parsed.body?.outlines?.[0]?.category).toBe('linux');
  });

  it('per-tag feeds hold only that tag’s blogs', async () => {
    const result = parseFeed(await get('/tag/linux/atom.xml'), 'https://planet.example.org/tag/linux/atom.xml');
    expect(result.kind === 'ok' && result.feed.entries.map((e) => e.title)).toEqual(['Third post', 'Second post', 'First post']);
    expect((await app.inject('/tag/nope/rss.xml')).statusCode).toBe(404);
  });
});

describe('stable ids', () => {
  it('the same data gives the same bytes on every run, and a new post leaves old ids alone', async () => {
    const before = await Promise.all(['/atom.xml', '/rss.xml', '/feed.json'].map(get));
    const again = await buildServer({ db: planet.db, config: planet.config, now: () => NOW + 3_600_000 });
    expect(await Promise.all(['/atom.xml', '/rss.xml', '/feed.json'].map(async (u) => (await again.inject(u)).body))).toEqual(before);
    const ids = async () => ((await new Parser().parseString((await again.inject('/atom.xml')).body)).items as { id?: string }[]).map((i) => i.id);
    const old = await ids();
    addEntry(planet.db, 2, { guid: 'g9', link: 'https://bob.example.net/2015/new', title: 'Newer', content: '<p>n</p>', at: NOW });
    expect((await ids()).slice(1)).toEqual(old);
    await again.close();
  });

  it.each([
    ['absolute URL guid kept verbatim', { guid: 'http://Example.com/a b', link: null }, null],
    ['tag: guid kept', { guid: 'tag:x.org,2004:1', link: null }, 'tag:x.org,2004:1'],
    ['urn guid kept', { guid: 'urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66', link: null }, 'urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66'],
    ['plain guid scoped by feed', { guid: '42', link: 'https://x.org/p' }, `urn:uuid:${uuidFromName('planetarium:7:guid:42')}`],
    ['no guid: the link', { guid: null, link: 'https://x.org/p?id=1&a=2' }, 'https://x.org/p?id=1&a=2'],
  ])('%s', (_name, e, expected) => {
    const key = e.guid ? `guid:${e.guid}` : `link:${e.link}`;
    const id = itemId({ ...e, feedId: 7, entryKey: key });
    if (expected === null) expect(id.startsWith('urn:uuid:')).toBe(true);
    else expect(id).toBe(expected);
    expect(isAbsoluteIri(id)).toBe(true);
  });

  it('the same non-URL guid in two blogs gives two ids', () => {
    expect(itemId({ guid: '1', link: null, feedId: 1, entryKey: 'guid:1' })).not.toBe(itemId({ guid: '1', link: null, feedId: 2, entryKey: 'guid:1' }));
  });
});

describe('hostile text stays well-formed', () => {
  const channel: ChannelInfo = {
    title: 'P & Q <planet>', description: 'd', homeUrl: 'https://p.example/', atomUrl: 'https://p.example/atom.xml',
    rssUrl: 'https://p.example/rss.xml', jsonUrl: 'https://p.example/feed.json', language: 'en', updated: new Date(0),
  };
  const feed = { id: 1, url: 'https://b.example/feed?x=1&y=2', name: 'A "quoted" & <odd> blog', title: null, link: null, siteLink: 'https://b.example/', face: null, image: null, tags: [], excerpt: false, status: 'active' } as unknown as Feed;
  const entry = { id: 1, feedId: 1, entryKey: 'guid:x', guid: 'x', link: 'relative/path', title: 'Title ]]> with\u0001 control & <b>tags</b>', author: 'Zoë <z@x>', contentHtml: '<p>a ]]&gt; b</p>', summaryHtml: null, publishedAt: 0, updatedAt: null, enclosures: [{ url: 'https://b.example/a.mp3?x=1&y=<2>', type: 'audio/mpeg', length: null, title: 'Track "1" & <2>' }], firstSeenAt: 0, sortAt: 0, hidden: false, duplicateOf: null, categories: [], language: null, filter: null, expired: false, expiredBy: null, futureAt: null } as Entry;

  it.each([
    ['atom', renderAtom],
    ['rss', renderRss],
    ['json', renderJsonFeed],
  ])('%s', async (_n, render) => {
    const text = render(channel, [{ entry, feed }]);
    const parsed = parseFeed(text, 'https://p.example/feed');
    expect(parsed.kind).toBe('ok');
    if (parsed.kind !== 'ok') return;
    expect(parsed.feed.entries[0]!.title).toBe('Title ]]> with control & <b>tags</b>');
    // A relative permalink cannot be followed by subscribers: the blog's home page instead.
    expect(parsed.feed.entries[0]!.link).toBe('https://b.example/');
    expect(parsed.feed.entries[0]!.enclosures).toEqual([
      { url: 'https://b.example/a.mp3?x=1&y=%3C2%3E', type: 'audio/mpeg', length: null, title: _n === 'rss' ? null : 'Track "1" & <2>' },
    ]);
    if (_n !== 'json') await new Parser().parseString(text);
  });
});
