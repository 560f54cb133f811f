// Categories and languages from real feeds served over HTTP, through a real fetch pass into a real
// SQLite file, out again on the planet page (labels, lang, dir="auto") and in all three merged feeds
// (read back with our own parser): PRODUCT.md "Categories and languages".
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertFeed } from '../../src/db/feeds.js';
import type { NormalizedEntry } from '../../src/model.js';
import { runFetchPass } from '../../src/pass/run-pass.js';
import { parseFeed } from '../../src/pipeline/parse/index.js';
import { createReaderSite, type ReaderSite } from '../../src/site/reader-site.js';
import { serveFeed, startFeedServer, type FeedServer } from '../helpers/feed-server.js';
import { tempPlanet, type TempPlanet } from '../helpers/temp-planet.js';

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../fixtures/feeds/${name}`, import.meta.url)));

let server: FeedServer;
let planet: TempPlanet;
let site: ReaderSite;

beforeAll(async () => {
  server = await startFeedServer({
    '/rss': serveFeed(fixture('categories-rss.xml'), { contentType: 'application/rss+xml' }),
    '/atom': serveFeed(fixture('categories-atom.xml')),
    '/json': serveFeed(fixture('categories-jsonfeed.json'), { contentType: 'application/feed+json' }),
  });
  planet = tempPlanet({ planet: { link: 'https://planet.example.org/', language: 'en' }, fetch: { allow_private_addresses: true } });
  for (const path of ['/rss', '/atom', '/json']) insertFeed(planet.db, { url: server.url(path) });
  const pass = await runFetchPass(planet.db, planet.config);
  if (pass.kind !== 'ran' || pass.feeds.some((f) => f.outcome !== 'ok')) throw new Error(`pass failed: ${JSON.stringify(pass)}`);
  site = createReaderSite({ db: planet.db, config: planet.config });
});

afterAll(async () => {
  planet.cleanup();
  await server.close();
});

/** The <article> of the post whose title link is `link`, as HTML. */
function articleFor(html: string, link: string): string {
  const articles = html.split('<article').slice(1).map((a) => `<article${a.slice(0, a.indexOf('</article>'))}`);
  const found = articles.find((a) => a.includes(`href="${link}"`));
  if (!found) throw new Error(`no article links ${link}`);
  return found;
}

describe('the planet page', () => {
  it.each([
    ['https://kat.example.org/kernel', 'de-AT', ['Linux', 'Free Software', 'Kernel']],
    ['https://kat.example.org/english', 'en-GB', []],
    ['https://cat.example.net/noyau', 'fr', ['Linux &amp; compagnie', 'debian']],
    ['https://cat.example.net/marhaba', 'ar', ['عربي']],
    ['https://cat.example.net/gemengd', 'nl', []],
    ['https://tags.example.com/uno', 'es', ['rust', 'programación']],
  ])('%s: lang="%s", dir="auto" and its categories as labels', (link, lang, labels) => {
    const article = articleFor(site.get('/').body.toString('utf8'), link);
    expect(article).toMatch(new RegExp(`^<article class="entry[^"]*" id="e\\d+" lang="${lang}" dir="auto">`));
    const shown = [...article.matchAll(/<li>([^<]*)<\/li>/g)].map((m) => m[1]);
    expect(shown).toEqual(labels);
    if (labels.length === 0) expect(article).not.toContain('class="categories"');
  });

  it('marks a post of unknown language with dir="auto" only: it is read in the page\'s language', () => {
    const article = articleFor(site.get('/').body.toString('utf8'), 'https://cat.example.net/sans');
    expect(article).toMatch(/^<article class="entry[^"]*" id="e\d+" dir="auto">/);
  });

  it("keeps the planet's own words (byline, footer) in the page's language inside a post in another", () => {
    const html = site.get('/').body.toString('utf8');
    expect(html).toMatch(/^<!doctype html>\n<html lang="en"[ >]/);
    const article = articleFor(html, 'https://cat.example.net/marhaba');
    expect(article).toContain('<footer class="entry-meta" lang="en">');
    // A post of unknown language is read in the page's: no lang attribute anywhere inside it.
    expect(articleFor(html, 'https://cat.example.net/sans')).not.toContain('lang=');
  });
});

describe('the merged feeds carry them', () => {
  const byLink = (entries: NormalizedEntry[], link: string) => entries.find((e) => e.link === link)!;
  const read = (path: string) => {
    const result = parseFeed(site.get(path).body.toString('utf8'), `https://planet.example.org${path}`);
    if (result.kind !== 'ok') throw new Error(result.message);
    return result.feed;
  };

  it('Atom: <category term scheme label> and xml:lang on each entry', () => {
    const feed = read('/atom.xml');
    expect(feed.format).toBe('atom');
    expect(byLink(feed.entries, 'https://cat.example.net/noyau').categories).toEqual([
      { term: 'linux', scheme: 'https://cat.example.net/tags/', label: 'Linux & compagnie' },
      { term: 'debian', scheme: null, label: null },
    ]);
    expect(byLink(feed.entries, 'https://kat.example.org/kernel').categories[0]).toEqual({ term: 'Linux', scheme: 'https://kat.example.org/tags?kind=topic&x=1', label: null });
    for (const [link, lang] of [['https://cat.example.net/marhaba', 'ar'], ['https://kat.example.org/english', 'en-GB'], ['https://tags.example.com/uno', 'es'], ['https://cat.example.net/sans', null]] as const) {
      expect(byLink(feed.entries, link).language).toBe(lang);
    }
    expect(site.get('/atom.xml').body.toString('utf8')).toContain('<entry xml:lang="ar">');
  });

  it('RSS: <category domain> and dc:language', () => {
    const feed = read('/rss.xml');
    expect(feed.format).toBe('rss');
    expect(byLink(feed.entries, 'https://kat.example.org/kernel').categories.map((c) => [c.term, c.scheme])).toEqual([
      ['Linux', 'https://kat.example.org/tags?kind=topic&x=1'],
      ['linux', null],
      ['Free Software', null],
      ['Kernel', null],
    ]);
    expect(byLink(feed.entries, 'https://cat.example.net/gemengd').language).toBe('nl');
    expect(byLink(feed.entries, 'https://tags.example.com/dos').language).toBe('en-US');
  });

  it('JSON Feed: tags and language on each item', () => {
    const doc = JSON.parse(site.get('/feed.json').body.toString('utf8')) as { items: { url: string; tags?: string[]; language?: string }[] };
    const item = (url: string) => doc.items.find((i) => i.url === url)!;
    expect(item('https://tags.example.com/uno')).toMatchObject({ tags: ['rust', 'programación'], language: 'es' });
    expect(item('https://cat.example.net/marhaba')).toMatchObject({ tags: ['عربي'], language: 'ar' });
    expect(item('https://cat.example.net/sans').language).toBeUndefined();
    expect(item('https://cat.example.net/sans').tags).toBeUndefined();
  });
});
