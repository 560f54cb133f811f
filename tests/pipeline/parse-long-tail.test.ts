// The long tail of feed parsing (feedparser's ground): one fixture per field case, each served over
// real HTTP and read the way `planet check` reads it (fetch → decode → parse → sanitize), so the
// document URI after redirects is the one relative URLs resolve against.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FetchOptions } from '../../src/model.js';
import { checkFeed, type CheckReport } from '../../src/pipeline/check.js';
import { redirectTo, serveFeed, startFeedServer, type FeedServer } from '../helpers/feed-server.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/feeds/', import.meta.url));
const options: FetchOptions = { timeoutMs: 5000, maxBytes: 5 * 1024 * 1024, userAgent: 'Planetarium-test', allowPrivateAddresses: true, maxRedirects: 5 };

let server: FeedServer;
/** The document URI every fixture is finally read from (after a 301 from /old/NAME). */
const docUrl = (name: string) => server.url(`/blog/feeds/${name}`);
const reports = new Map<string, Promise<CheckReport>>();

/** The fixture read through a permanent redirect, once per test file. */
function read(name: string): Promise<CheckReport> {
  let r = reports.get(name);
  if (!r) {
    const type = name.endsWith('.json') ? 'application/feed+json' : 'application/xml';
    server.route(`/blog/feeds/${name}`, serveFeed(readFileSync(FIXTURES + name), { contentType: type }));
    server.route(`/old/${name}`, redirectTo(`/blog/feeds/${name}`, 301));
    r = checkFeed(server.url(`/old/${name}`), options);
    reports.set(name, r);
  }
  return r;
}

beforeAll(async () => {
  server = await startFeedServer();
});
afterAll(async () => {
  await server.close();
});

/** A value of the report by a path like "entries.0.title"; `@` stands for the server's origin in expectations. */
function at(report: CheckReport, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v === null || v === undefined ? v : (v as Record<string, unknown>)[k]), report);
}
const withOrigin = (v: unknown): unknown => (typeof v === 'string' ? v.replaceAll('@', server.origin) : Array.isArray(v) ? v.map(withOrigin) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withOrigin(x)])) : v);

type Row = [string, string, string, unknown];

async function expectRow(fixture: string, path: string, expected: unknown) {
  const report = await read(fixture);
  expect(report.error).toBeUndefined();
  expect(at(report, path)).toEqual(withOrigin(expected));
}

describe('feed-level dates', () => {
  it.each<Row>([
    ['RSS channel pubDate', 'rss-feed-dates.xml', 'published', '2009-07-06T07:00:00.000Z'],
    ['RSS lastBuildDate', 'rss-feed-dates.xml', 'updated', '2009-07-15T13:30:00.000Z'],
    ['RDF channel dc:date', 'rdf-feed-dc-date.xml', 'updated', '2009-07-15T06:30:00.000Z'],
    ['Atom feed updated', 'atom-feed-updated.xml', 'updated', '2009-07-15T08:30:00.000Z'],
    ['Atom 0.3 feed modified', 'atom03-escaped-modes.xml', 'updated', '2004-12-01T10:00:00.000Z'],
    ['atom:updated on an RSS channel', 'rss-extensions.xml', 'updated', '2012-02-02T02:02:02.000Z'],
    ['a repeated feed updated: the last', 'atom-repeated-elements.xml', 'updated', '2017-01-02T00:00:00.000Z'],
    ['no feed date', 'atom-relative-ids.xml', 'updated', null],
  ])('%s', (_name, fixture, path, expected) => expectRow(fixture, path, expected));
});

describe('namespaces', () => {
  it.each<Row>([
    ['Atom under a prefix: feed title', 'atom-prefixed.xml', 'title', 'Prefixed Atom'],
    ['Atom under a prefix: feed link', 'atom-prefixed.xml', 'link', 'https://prefixed.example.net/'],
    ['Atom under a prefix: entry title as html', 'atom-prefixed.xml', 'entries.0.title', 'Prefixed entry'],
    ['Atom under a prefix: author inherited', 'atom-prefixed.xml', 'entries.0.author', 'Pat Prefix'],
    ['Atom under a prefix: prefixed xhtml content', 'atom-prefixed.xml', 'entries.0.content_html', '<p>Under a <b>prefix</b>.</p>'],
    ['Atom namespace declared on the title', 'atom-inner-namespace.xml', 'title', 'Namespace on inner elements'],
    ['Atom namespace declared on the entry', 'atom-inner-namespace.xml', 'entries.0.title', 'Declared on the entry'],
    ['… its link', 'atom-inner-namespace.xml', 'entries.0.link', 'https://inner.example.org/1'],
    ['… its author', 'atom-inner-namespace.xml', 'entries.0.author', 'Ina Ner'],
    ['… its date', 'atom-inner-namespace.xml', 'entries.0.updated', '2011-05-05T05:05:05.000Z'],
    ['RSS with atom:link as the channel link', 'rss-extensions.xml', 'link', 'https://ext.example.com/'],
    ['RSS with atom:link as the item link', 'rss-extensions.xml', 'entries.0.link', 'https://ext.example.com/1'],
    ['RSS with dc:creator', 'rss-extensions.xml', 'entries.0.author', 'Dee Creator'],
    ['RSS with dc:date', 'rss-extensions.xml', 'entries.0.published', '2012-02-01T10:00:00.000Z'],
    ['RSS with atom:updated', 'rss-extensions.xml', 'entries.0.updated', '2012-02-01T12:00:00.000Z'],
    ['RSS with content:encoded as the content', 'rss-extensions.xml', 'entries.0.content_html', '<p>The whole post, in content:encoded, which is the richest.</p>'],
    ['RSS description as the summary', 'rss-extensions.xml', 'entries.0.summary_html', 'Short description.'],
    ['RSS with itunes:image', 'rss-extensions.xml', 'entries.length', 1],
    ['undeclared dc:', 'rss-undeclared-prefixes.xml', 'entries.0.author', 'Una Declared'],
    ['undeclared dc:date', 'rss-undeclared-prefixes.xml', 'entries.0.published', '2013-03-03T03:03:03.000Z'],
    ['undeclared content:', 'rss-undeclared-prefixes.xml', 'entries.0.content_html', '<p>Read as content:encoded although the prefix is not declared.</p>'],
    ['undeclared media:', 'rss-undeclared-prefixes.xml', 'entries.0.enclosures', [{ url: 'https://lenient.example.org/talk.mp3', type: 'audio/mpeg', length: 1234567, title: null }]],
    ['undeclared unknown prefix is not the title', 'rss-undeclared-prefixes.xml', 'entries.0.title', 'Lenient'],
    ['an unknown prefix is never the feed title', 'rss-unknown-prefix-title.xml', 'title', null],
    ['… nor the item title', 'rss-unknown-prefix-title.xml', 'entries.0.title', null],
  ])('%s', (_name, fixture, path, expected) => expectRow(fixture, path, expected));
});

describe('fallbacks, each named in the warnings', () => {
  it.each<[string, string, string, unknown, string]>([
    ['feed title from dc:title', 'rss-dc-title.xml', 'title', 'Title from Dublin Core', 'parse: title from dc:title'],
    ['entry title from dc:title', 'rss-dc-title.xml', 'entries.0.title', 'Item title from dc:title', 'parse: entry 1: title from dc:title'],
    ['author from dc:creator', 'rss2-basic.xml', 'entries.0.author', 'Jo Bloggs', 'parse: entry 1: author from dc:creator'],
    ['author from dc:author over a bare address', 'rss-author-dc-author.xml', 'entries.0.author', 'Dora Author', 'parse: entry 1: author from dc:author'],
    ['author from itunes:author', 'rss-author-itunes-author.xml', 'entries.0.author', 'Ivy Tunes', 'parse: entry 1: author from itunes:author'],
    ['author from atom:author/name', 'rss-author-atom-author-name.xml', 'entries.0.author', 'Ada Atom', 'parse: entry 1: author from atom:author'],
    [
      'content from atom:content in an RSS item',
      'rss-content-atom-content.xml',
      'entries.0.content_html',
      '<p>The full text, carried as atom:content inside an RSS item, much longer than the teaser.</p>',
      'parse: entry 1: content from atom:content',
    ],
    ['content from xhtml:body', 'rss-content-xhtml-body.xml', 'entries.0.content_html', '<p>Inline <strong>XHTML</strong> body with the whole post in it.</p>', 'parse: entry 1: content from xhtml:body'],
    ['content from fullitem', 'rss-content-fullitem.xml', 'entries.0.content_html', '<p>The whole article as fullitem, as some old generators wrote it.</p>', 'parse: entry 1: content from fullitem'],
    ['content from dc:description', 'rss-content-dc-description.xml', 'entries.0.content_html', 'Only Dublin Core describes this item.', 'parse: entry 1: content from dc:description'],
    [
      'content from itunes:summary, the richer one',
      'rss-content-itunes-summary.xml',
      'entries.0.content_html',
      'Episode 12: we talk about kernels, compilers and the long tail of feed parsing for an hour.',
      'parse: entry 1: content from itunes:summary',
    ],
    [
      'a full description beats a teaser in content:encoded',
      'rss-content-teaser-encoded.xml',
      'entries.0.content_html',
      '<p>The whole post is here in the description, several sentences long, because this generator puts the teaser in content:encoded instead.</p>',
      'parse: entry 1: content from description, richer than content:encoded',
    ],
  ])('%s', async (_name, fixture, path, expected, warning) => {
    await expectRow(fixture, path, expected);
    expect((await read(fixture)).warnings).toContain(warning);
  });

  it.each<Row>([
    ['the shorter one becomes the summary (atom:content)', 'rss-content-atom-content.xml', 'entries.0.summary_html', 'A teaser.'],
    ['the shorter one becomes the summary (itunes:summary)', 'rss-content-itunes-summary.xml', 'entries.0.summary_html', 'Episode 12.'],
    ['the teaser becomes the summary', 'rss-content-teaser-encoded.xml', 'entries.0.summary_html', '<p>Teaser…</p>'],
    ['no fallback, no warning', 'atom-feed-updated.xml', 'warnings', []],
  ])('%s', (_name, fixture, path, expected) => expectRow(fixture, path, expected));

  it('one warning per fallback, however many entries used it', async () => {
    const feed = `<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>t</title>${[1, 2, 3, 4]
      .map((i) => `<item><title>${i}</title>${i === 3 ? '<author>x@example.org (Named)</author>' : `<dc:creator>C${i}</dc:creator>`}</item>`)
      .join('')}</channel></rss>`;
    server.route('/grouped.xml', serveFeed(feed, { contentType: 'application/rss+xml' }));
    const report = await checkFeed(server.url('/grouped.xml'), options);
    expect(report.warnings).toEqual(['parse: entries 1, 2, 4: author from dc:creator']);
    expect(report.entries.map((e) => e.author)).toEqual(['C1', 'C2', 'Named', 'C4']);
  });

  it('a fallback in every other entry of a long feed is one short warning', async () => {
    const { parseFeed } = await import('../../src/pipeline/parse/index.js');
    const items = Array.from({ length: 100 }, (_, i) => `<item><title>${i}</title>${i % 2 ? '' : `<dc:creator>C${i}</dc:creator>`}</item>`).join('');
    const result = parseFeed(`<rss version="2.0"><channel><title>t</title>${items}</channel></rss>`, 'https://x.example/feed');
    expect(result.kind === 'ok' && result.feed.warnings).toEqual(['parse: entries 1, 3, 5, 7, 9, 11, 13, 15, 17, 19 … (50 in all): author from dc:creator']);
  });
});

describe('text constructs', () => {
  it.each<Row>([
    ['Atom 0.3 mode="escaped" title', 'atom03-escaped-modes.xml', 'title', 'Escaped title'],
    ['Atom 0.3 mode="escaped" html content', 'atom03-escaped-modes.xml', 'entries.0.content_html', '<p>Escaped <i>html</i></p>'],
    ['Atom 0.3 text/plain, escaped: text', 'atom03-escaped-modes.xml', 'entries.1.content_html', '1 &lt; 2'],
    ['Atom 0.3 mode="base64" title', 'atom03-escaped-modes.xml', 'entries.2.title', 'Base64 title'],
    ['Atom 0.3 mode="base64" html content', 'atom03-escaped-modes.xml', 'entries.2.content_html', '<p>Base64 <b>html</b></p>'],
    ['Atom 0.3 multipart/alternative: the richer part', 'atom03-escaped-modes.xml', 'entries.3.content_html', '<p>The HTML alternative, which is richer</p>'],
    ['… the other part is the summary', 'atom03-escaped-modes.xml', 'entries.3.summary_html', 'Plain alternative'],
    ['type="text" feed title', 'atom-text-types.xml', 'title', 'Text & types'],
    ['type="text" keeps markup literal in a title', 'atom-text-types.xml', 'entries.0.title', 'type="text" keeps <b> literal'],
    ['type="text" content escaped', 'atom-text-types.xml', 'entries.0.content_html', 'a &lt; b &amp;&amp; c'],
    ['text/plain title', 'atom-text-types.xml', 'entries.1.title', 'MIME text/plain'],
    ['text/plain content escaped', 'atom-text-types.xml', 'entries.1.content_html', '&lt;i&gt;not markup&lt;/i&gt;'],
    ['text/html title', 'atom-text-types.xml', 'entries.2.title', 'MIME text/html'],
    ['text/html content', 'atom-text-types.xml', 'entries.2.content_html', '<p>MIME html</p>'],
    ['application/xhtml+xml title', 'atom-text-types.xml', 'entries.3.title', 'MIME xhtml title'],
    ['application/xhtml+xml content', 'atom-text-types.xml', 'entries.3.content_html', '<p>MIME xhtml</p>'],
    ['binary content: the summary stands in', 'atom-text-types.xml', 'entries.4.content_html', 'The summary stands in'],
    ['naked markup in a text title', 'atom-naked-markup.xml', 'entries.0.title', 'A bold move'],
    ['naked markup in the feed title', 'atom-naked-markup.xml', 'title', 'Naked markup'],
    ['naked markup in text content read as markup', 'atom-naked-markup.xml', 'entries.0.content_html', `Unescaped <a href="@/tags" rel="nofollow noopener noreferrer">tags</a> in a <em>text</em> construct`],
    ['naked markup in html content', 'atom-naked-markup.xml', 'entries.1.content_html', '<p>Tags left unescaped in <i>html</i></p>'],
    ['naked markup in an RSS title', 'rss-naked-markup.xml', 'entries.0.title', 'A bold title'],
    // Relative to the entry's link, as PRODUCT.md says (feedparser would use the document URI).
    ['naked markup in an RSS description', 'rss-naked-markup.xml', 'entries.0.content_html', '<p>Markup <a href="https://naked-rss.example.com/about" rel="nofollow noopener noreferrer">left as is</a></p>'],
  ])('%s', (_name, fixture, path, expected) => expectRow(fixture, path, expected));
});

describe('ids and repeated elements', () => {
  it.each<Row>([
    ['an id relative to the document URI (after the redirect)', 'atom-relative-ids.xml', 'entries.0.id', '@/2009/07/relative-to-the-document'],
    ['an id relative to xml:base', 'atom-relative-ids.xml', 'entries.1.id', 'https://base.example.org/archive/2009/under-xml-base'],
    ['an absolute IRI id is kept', 'atom-relative-ids.xml', 'entries.2.id', 'tag:ids.example.org,2009:kept'],
    ['a bare number id is kept', 'atom-relative-ids.xml', 'entries.3.id', '42'],
    ['a relative permalink guid is resolved, and is the link', 'rss-relative-guids.xml', 'entries.0.link', '@/posts/permalink-guid'],
    ['… its id too', 'rss-relative-guids.xml', 'entries.0.id', '@/posts/permalink-guid'],
    ['an isPermaLink="false" guid is kept as written', 'rss-relative-guids.xml', 'entries.1.id', '/not/a/link'],
    ['… and is no link', 'rss-relative-guids.xml', 'entries.1.link', null],
    ['two ids: the last', 'atom-repeated-elements.xml', 'entries.0.id', 'tag:repeat.example.com,2017:last-id'],
    ['titles: the first with text', 'atom-repeated-elements.xml', 'entries.0.title', 'The first title with text'],
    ['two updated: the last', 'atom-repeated-elements.xml', 'entries.0.updated', '2017-01-01T10:00:00.000Z'],
    ['two summaries: the last', 'atom-repeated-elements.xml', 'entries.0.content_html', 'last summary'],
    ['the last valid date, an invalid later one warned about', 'atom-repeated-elements.xml', 'entries.1.updated', '2017-01-03T10:00:00.000Z'],
    ['two pubDates: the last', 'rss-repeated-pubdate.xml', 'entries.0.published', '2017-04-02T08:00:00.000Z'],
    ['two guids: the last', 'rss-repeated-pubdate.xml', 'entries.0.id', 'https://repeat-rss.example.com/last-guid'],
  ])('%s', (_name, fixture, path, expected) => expectRow(fixture, path, expected));

  it('warns about the invalid repeated date it skipped', async () => {
    expect((await read('atom-repeated-elements.xml')).warnings).toEqual(['parse: entry 2 has an invalid date "not a date"']);
  });
});

describe('relative URLs', () => {
  it.each<Row>([
    ['feed link under the feed xml:base', 'atom-nested-xml-base.xml', 'link', 'https://nested.example.com/site/home/'],
    ['entry link under a relative entry xml:base', 'atom-nested-xml-base.xml', 'entries.0.link', 'https://nested.example.com/site/2018/post.html'],
    [
      'enclosure under the entry xml:base',
      'atom-nested-xml-base.xml',
      'entries.0.enclosures',
      [{ url: 'https://nested.example.com/site/2018/audio/episode.ogg', type: 'audio/ogg', length: 2048000, title: null }],
    ],
    [
      'content under its own relative xml:base, and an xml:base inside the xhtml',
      'atom-nested-xml-base.xml',
      'entries.0.content_html',
      '<p><a href="https://nested.example.com/site/2018/content/a.html" rel="nofollow noopener noreferrer">content link</a></p><p><img src="https://nested.example.com/deep/pic.png" alt="deep" loading="lazy"></p>',
    ],
    ['summary under an xml:base of its own', 'atom-nested-xml-base.xml', 'entries.0.summary_html', '<a href="https://nested.example.com/summaries/s.html" rel="nofollow noopener noreferrer">summary link</a>'],
    ['channel link against the document URI after a redirect', 'rss-relative-urls.xml', 'link', '@/blog/'],
    ['enclosure against the document URI', 'rss-relative-urls.xml', 'entries.0.enclosures', [{ url: '@/blog/feeds/media/talk.mp3', type: 'audio/mpeg', length: 31415926, title: null }]],
    [
      'content against the document URI',
      'rss-relative-urls.xml',
      'entries.0.content_html',
      '<p><a href="@/blog/feeds/posts/full.html" rel="nofollow noopener noreferrer">full post</a> <img src="@/img/a.png" loading="lazy"></p>',
    ],
    ['summary against the document URI', 'rss-relative-urls.xml', 'entries.0.summary_html', '<a href="@/blog/feeds/summary.html" rel="nofollow noopener noreferrer">summary</a>'],
    ['JSON Feed attachment against the document URI', 'jsonfeed-attachments.json', 'entries.0.enclosures.0.url', '@/audio/1.m4a'],
    ['Atom enclosure href against the document URI', 'atom-enclosure-links.xml', 'entries.0.enclosures.0.url', '@/media/talk.webm'],
  ])('%s', (_name, fixture, path, expected) => expectRow(fixture, path, expected));

  it('the feed image against the document URI and under xml:base', async () => {
    const { parseFeed } = await import('../../src/pipeline/parse/index.js');
    const image = (name: string) => {
      const r = parseFeed(readFileSync(FIXTURES + name, 'utf8'), docUrl(name));
      return r.kind === 'ok' ? r.feed.image : r.message;
    };
    expect(image('rss-relative-urls.xml')).toBe(server.url('/blog/feeds/images/logo.png'));
    expect(image('atom-nested-xml-base.xml')).toBe('https://nested.example.com/site/img/logo.png');
    expect(image('rss-extensions.xml')).toBe('https://ext.example.com/cover.jpg');
  });
});

describe('enclosures', () => {
  it('RSS enclosure, media:content and media:group, Atom enclosure links: once each, unsafe schemes dropped', async () => {
    const report = await read('rss-enclosures.xml');
    expect(report.entries[0]?.enclosures).toEqual([
      // <enclosure> gave length 0 (unknown); its media:content twin fills in the size and title.
      { url: 'https://pod.example.net/ep1.mp3', type: 'audio/mpeg', length: 24986239, title: 'Episode one audio' },
      { url: 'data:image/png;base64,iVBORw0KGgo=', type: 'image/png', length: 8, title: null },
      { url: 'https://pod.example.net/notes.pdf', type: 'application/pdf', length: 51200, title: 'Show notes' },
      // Of a media:group's renditions, the default one; the thumbnail (medium="image") is no enclosure.
      { url: 'https://pod.example.net/ep1-1080.mp4', type: 'video/mp4', length: 900, title: 'Episode one video' },
    ]);
  });

  it.each<Row>([
    [
      'Atom link rel="enclosure" with type, length and title',
      'atom-enclosure-links.xml',
      'entries.0.enclosures',
      [
        { url: '@/media/talk.webm', type: 'video/webm', length: 7340032, title: 'The talk' },
        { url: 'https://atompod.example.org/media/slides.pdf', type: null, length: null, title: null },
      ],
    ],
    ['JSON Feed attachments, the bad ones dropped', 'jsonfeed-attachments.json', 'entries.0.enclosures', [{ url: '@/audio/1.m4a', type: 'audio/x-m4a', length: 89970236, title: 'The episode' }]],
    ['no enclosures', 'rss2-basic.xml', 'entries.0.enclosures', []],
  ])('%s', (_name, fixture, path, expected) => expectRow(fixture, path, expected));

  it('a hostile feed with thousands of enclosures keeps twenty', async () => {
    const many = Array.from({ length: 5000 }, (_, i) => `<enclosure url="https://x.example/${i}.mp3" type="audio/mpeg"/>`).join('');
    server.route('/many.xml', serveFeed(`<rss version="2.0"><channel><title>t</title><item><title>i</title>${many}</item></channel></rss>`, { contentType: 'application/rss+xml' }));
    const report = await checkFeed(server.url('/many.xml'), options);
    expect(report.entries[0]?.enclosures).toHaveLength(20);
  });
});
