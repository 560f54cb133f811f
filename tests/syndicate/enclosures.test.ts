// Enclosures end to end: feeds served over HTTP, refreshed into a real database (migration 0011),
// then shown on the planet page (players, links with type and size) and carried by the three merged
// feeds, read back by the project's parser and by feedsmith.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseFeed as feedsmithParse } from 'feedsmith';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertFeed, getFeed } from '../../src/db/feeds.js';
import { listFeedEntries } from '../../src/db/entries.js';
import { buildServer } from '../../src/http/app.js';
import { contentSecurityPolicy } from '../../src/http/routes/reader.js';
import { parseFeed } from '../../src/pipeline/parse/index.js';
import { refreshFeed } from '../../src/pipeline/refresh.js';
import { sizeInWords } from '../../src/render/enclosures.js';
import { createHash } from 'node:crypto';
import type { NormalizedEntry } from '../../src/model.js';
import { contentHash } from '../../src/pipeline/dedupe.js';
import { serveFeed, startFeedServer, type FeedServer } from '../helpers/feed-server.js';
import { createTestPlanet, type TestPlanet } from '../helpers/reader-fixtures.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/feeds/', import.meta.url));
const NOW = Date.parse('2026-06-01T12:00:00Z');

let server: FeedServer;
let planet: TestPlanet;
let app: FastifyInstance;
const get = async (url: string) => (await app.inject(url)).body;

beforeAll(async () => {
  server = await startFeedServer({
    '/pod.xml': serveFeed(readFileSync(FIXTURES + 'rss-enclosures.xml'), { contentType: 'application/rss+xml' }),
    '/atom.xml': serveFeed(readFileSync(FIXTURES + 'atom-enclosure-links.xml')),
  });
  planet = createTestPlanet();
  for (const path of ['/pod.xml', '/atom.xml']) {
    const feed = insertFeed(planet.db, { url: server.url(path) }, NOW);
    const outcome = await refreshFeed(planet.db, feed, {
      fetch: { timeoutMs: 3000, maxBytes: 1024 * 1024, userAgent: 'Planetarium/test', allowPrivateAddresses: true, maxRedirects: 5 },
      newFeedItems: 10,
      intervalMs: 60_000,
      now: () => NOW,
    });
    expect(outcome.outcome).toBe('ok');
  }
  app = await buildServer({ db: planet.db, config: planet.config, now: () => NOW });
});
afterAll(async () => {
  await app.close();
  planet.cleanup();
  await server.close();
});

const podcast = { url: 'https://pod.example.net/ep1.mp3', type: 'audio/mpeg', length: 24986239, title: 'Episode one audio' };
const video = { url: 'https://pod.example.net/ep1-1080.mp4', type: 'video/mp4', length: 900, title: 'Episode one video' };
const notes = { url: 'https://pod.example.net/notes.pdf', type: 'application/pdf', length: 51200, title: 'Show notes' };

describe('enclosures are stored', () => {
  it('with their entry, as the parser kept them', () => {
    const feed = getFeed(planet.db, 1)!;
    const [entry] = listFeedEntries(planet.db, feed.id);
    expect(entry?.enclosures).toEqual([podcast, { url: 'data:image/png;base64,iVBORw0KGgo=', type: 'image/png', length: 8, title: null }, notes, video]);
  });

  it('an entry without enclosures stores none (NULL)', () => {
    const rows = planet.db.prepare('SELECT enclosures FROM entries ORDER BY id').all() as { enclosures: string | null }[];
    expect(rows.every((r) => r.enclosures === null || Array.isArray(JSON.parse(r.enclosures)))).toBe(true);
    expect(rows).toHaveLength(2);
  });
});

describe('enclosures change with their post', () => {
  it('a changed enclosure updates the stored entry in place', async () => {
    const v1 = `<rss version="2.0"><channel><title>Changing</title><item><title>Ep</title><link>https://change.example.org/1</link><enclosure url="https://change.example.org/v1.mp3" type="audio/mpeg" length="10"/></item></channel></rss>`;
    server.route('/change.xml', serveFeed(v1, { contentType: 'application/rss+xml' }));
    const opts = { fetch: { timeoutMs: 3000, maxBytes: 1024 * 1024, userAgent: 'Planetarium/test', allowPrivateAddresses: true, maxRedirects: 5 }, newFeedItems: 10, intervalMs: 60_000, now: () => NOW };
    const own = createTestPlanet();
    try {
      const feed = insertFeed(own.db, { url: server.url('/change.xml') }, NOW);
      await refreshFeed(own.db, feed, opts);
      server.route('/change.xml', serveFeed(v1.replace('v1.mp3', 'v2.mp3').replace('length="10"', 'length="20"'), { contentType: 'application/rss+xml' }));
      const second = await refreshFeed(own.db, getFeed(own.db, feed.id)!, opts);
      expect(second).toMatchObject({ entries_new: 0, entries_updated: 1 });
      expect(listFeedEntries(own.db, feed.id).map((e) => e.enclosures)).toEqual([[{ url: 'https://change.example.org/v2.mp3', type: 'audio/mpeg', length: 20, title: null }]]);
    } finally {
      own.cleanup();
    }
  });

  it('an entry without enclosures, categories or language keeps the hash it had before they were read (no rewrite on upgrade)', () => {
    const entry: NormalizedEntry = {
      guid: 'g', link: 'https://x.example/1', title: 't', author: 'a', contentHtml: '<p>c</p>', summaryHtml: null,
      published: new Date(0), updated: null, baseUrl: 'https://x.example/1', enclosures: [], categories: [], language: null,
    };
    const before = createHash('sha256')
      .update(JSON.stringify([entry.guid, entry.link, entry.title, entry.author, entry.contentHtml, entry.summaryHtml, 0, null, entry.baseUrl]))
      .digest('hex');
    expect(contentHash(entry)).toBe(before);
    expect(contentHash({ ...entry, enclosures: [{ url: 'https://x.example/a.mp3', type: null, length: null, title: null }] })).not.toBe(before);
    expect(contentHash({ ...entry, categories: [{ term: 'linux', scheme: null, label: null }] })).not.toBe(before);
    expect(contentHash({ ...entry, language: 'de' })).not.toBe(before);
  });
});

describe('the planet page shows them', () => {
  it('audio and video as players with controls, other files as links with type and size in words', async () => {
    const html = await get('/');
    expect(html).toContain('<audio controls preload="none" src="https://pod.example.net/ep1.mp3"></audio>');
    expect(html).toContain('<a href="https://pod.example.net/ep1.mp3" rel="nofollow noopener noreferrer">Episode one audio</a> <span class="details">(MP3 audio, 25 MB)</span>');
    expect(html).toContain('<video controls preload="none" src="https://pod.example.net/ep1-1080.mp4"></video>');
    expect(html).toContain('<a href="https://pod.example.net/notes.pdf" rel="nofollow noopener noreferrer">Show notes</a> <span class="details">(PDF document, 51 kB)</span>');
    // Files without a title are named by their file name.
    expect(html).toContain(`<a href="${server.origin}/media/talk.webm" rel="nofollow noopener noreferrer">The talk</a> <span class="details">(WebM video, 7.3 MB)</span>`);
    expect(html).toContain('<a href="https://atompod.example.org/media/slides.pdf" rel="nofollow noopener noreferrer">slides.pdf</a> <span class="details">(PDF file)</span>');
    // A data: image is no link on the page.
    expect(html).not.toContain('data:image/png');
  });

  it("the page's CSP lets the players load media from the blogs' hosts", async () => {
    const response = await app.inject('/');
    expect(response.headers['content-security-policy']).toBe(contentSecurityPolicy(['https://www.youtube.com', 'https://youtube.com', 'https://www.youtube-nocookie.com', 'https://player.vimeo.com']));
    expect(String(response.headers['content-security-policy'])).toMatch(/(^|; )media-src https: http:(;|$)/);
  });

  it.each([
    [0, '0 bytes'],
    [1, '1 byte'],
    [999, '999 bytes'],
    [51200, '51 kB'],
    [7340032, '7.3 MB'],
    [24986239, '25 MB'],
    [1_200_000_000, '1.2 GB'],
  ])('%d bytes in words: %s', (n, words) => {
    expect(sizeInWords(n, 'en-GB')).toBe(words);
  });
});

describe('the merged feeds carry them', () => {
  it('Atom: link rel="enclosure" with type, length and title', async () => {
    const xml = await get('/atom.xml');
    expect(xml).toContain('<link rel="enclosure" href="https://pod.example.net/ep1.mp3" type="audio/mpeg" length="24986239" title="Episode one audio"/>');
    expect(xml).toContain('<link rel="enclosure" href="https://atompod.example.org/media/slides.pdf"/>');
  });

  it('RSS: <enclosure> with the url, length and type RSS 2.0 requires', async () => {
    const xml = await get('/rss.xml');
    expect(xml).toContain('<enclosure url="https://pod.example.net/ep1.mp3" length="24986239" type="audio/mpeg"/>');
    expect(xml).toContain('<enclosure url="https://atompod.example.org/media/slides.pdf" length="0" type="application/octet-stream"/>');
  });

  it('JSON Feed: attachments', async () => {
    const doc = JSON.parse(await get('/feed.json')) as { items: { attachments?: unknown[] }[] };
    const attachments = doc.items.flatMap((i) => i.attachments ?? []);
    expect(attachments).toContainEqual({ url: podcast.url, mime_type: 'audio/mpeg', title: 'Episode one audio', size_in_bytes: 24986239 });
    expect(attachments).toContainEqual({ url: 'https://atompod.example.org/media/slides.pdf', mime_type: 'application/octet-stream' });
  });

  it.each(['/atom.xml', '/rss.xml', '/feed.json'])('%s read back by the project parser: the same enclosures', async (url) => {
    const result = parseFeed(await get(url), `https://planet.example.org${url}`);
    if (result.kind !== 'ok') throw new Error(result.message);
    const urls = result.feed.entries.flatMap((e) => e.enclosures.map((x) => x.url)).sort();
    expect(urls).toEqual(['data:image/png;base64,iVBORw0KGgo=', notes.url, podcast.url, video.url, `${server.origin}/media/talk.webm`, 'https://atompod.example.org/media/slides.pdf'].sort());
    const audio = result.feed.entries.flatMap((e) => e.enclosures).find((x) => x.url === podcast.url);
    expect(audio).toMatchObject({ type: 'audio/mpeg', length: 24986239 });
  });

  it('/rss.xml read by feedsmith, an independent parser', async () => {
    const { feed } = feedsmithParse(await get('/rss.xml')) as { feed: { items?: { enclosures?: { url: string; length?: number; type?: string }[] }[] } };
    const enclosures = (feed.items ?? []).flatMap((i) => i.enclosures ?? []);
    expect(enclosures.map((e) => e.url)).toContain(podcast.url);
    expect(enclosures.find((e) => e.url === podcast.url)).toMatchObject({ length: 24986239, type: 'audio/mpeg' });
  });
});
