// parseFeed against fixtures named for the case they cover (tests/fixtures/feeds/).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { NormalizedEntry, NormalizedFeed, ParseResult } from '../../src/model.js';
import { decodeBody } from '../../src/pipeline/decode.js';
import { parseFeed } from '../../src/pipeline/parse/index.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/feeds/', import.meta.url));
const FEED_URL = 'https://feeds.example.net/blog/feed.xml';

function parseFixture(name: string): ParseResult {
  const decoded = decodeBody(readFileSync(FIXTURES + name), null);
  if (decoded.kind !== 'ok') throw new Error(decoded.message);
  return parseFeed(decoded.text, FEED_URL);
}

function feedOf(name: string): NormalizedFeed {
  const result = parseFixture(name);
  if (result.kind !== 'ok') throw new Error(`${name}: ${result.message}`);
  return result.feed;
}

/** An entry with dates as ISO strings, for exact comparison. */
function view(e: NormalizedEntry | undefined) {
  if (!e) throw new Error('no such entry');
  return { ...e, published: e.published?.toISOString() ?? null, updated: e.updated?.toISOString() ?? null };
}

describe('parseFeed reads each format', () => {
  it.each([
    ['RSS 2.0', 'rss2-basic.xml', 'rss', "Jo's <Linux> Notes", 'https://jo.example.org/', 2],
    ['RSS 0.91 with the Netscape DOCTYPE and HTML entities', 'rss091.xml', 'rss', 'Old School Café', 'http://old.example.com/', 1],
    ['RSS 0.92 item with only a description', 'rss092.xml', 'rss', 'RSS 0.92 feed', 'http://ninetytwo.example.com/', 1],
    ['RSS without a version attribute', 'rss-no-version.xml', 'rss', 'No version attribute', 'https://noversion.example.net/', 1],
    ['bare <channel> root', 'rss-bare-channel.xml', 'rss', 'Bare channel', 'http://bare.example.com/', 1],
    ['RSS 1.0 / RDF', 'rdf-basic.xml', 'rdf', 'RDF Site', 'https://rdf.example.org/', 1],
    ['RDF with custom prefixes (r:RDF, rss:item)', 'rdf-custom-prefix.xml', 'rdf', 'Custom prefixes', 'https://custom.example.org/', 1],
    ['Atom 1.0', 'atom1-basic.xml', 'atom', 'Ann <3 Atom', 'https://ann.example.com/', 3],
    ['Atom 0.3', 'atom03.xml', 'atom03', 'Old & Atom', 'http://atom03.example.com/', 3],
    ['JSON Feed 1.0', 'jsonfeed-1.0.json', 'json', 'JSON One', 'https://json1.example.org/', 2],
    ['JSON Feed 1.1', 'jsonfeed-1.1.json', 'json', 'JSON One One', 'https://json11.example.org/', 2],
    ['junk before the XML prolog', 'leading-junk.xml', 'rss', 'Leading junk', 'https://junk.example.com/', 1],
  ])('%s', (_name, fixture, format, title, link, count) => {
    const feed = feedOf(fixture);
    expect(feed.format).toBe(format);
    expect(feed.title).toBe(title);
    expect(feed.link).toBe(link);
    expect(feed.entries).toHaveLength(count);
  });
});

describe('parseFeed normalizes entries', () => {
  it.each([
    [
      'RSS 2.0: content:encoded is the content, description the summary, dc:creator the author',
      'rss2-basic.xml',
      0,
      {
        guid: 'https://jo.example.org/2015/01/kernel',
        link: 'https://jo.example.org/2015/01/kernel',
        title: 'Kernel 6.1 & me',
        author: 'Jo Bloggs',
        contentHtml: '<p>The <em>full</em> post.</p>',
        summaryHtml: 'A short summary.',
        published: '2015-01-13T09:00:00.000Z',
        updated: null,
        baseUrl: 'https://jo.example.org/2015/01/kernel',
      },
    ],
    [
      'RSS 2.0: trimmed guid, email-style author, escaped description becomes the content',
      'rss2-basic.xml',
      1,
      {
        guid: 'post-2',
        author: 'Jo Bloggs',
        contentHtml: '<p>Only a <b>description</b>.</p>',
        summaryHtml: null,
        published: '2015-01-14T08:30:00.000Z',
      },
    ],
    [
      'RDF: rdf:about is the guid, dc:date the published date',
      'rdf-basic.xml',
      0,
      { guid: 'https://rdf.example.org/posts/1', author: 'Ann Example', published: '2014-06-01T07:15:00.000Z', contentHtml: 'Body of the RDF item' },
    ],
    [
      'RDF with custom prefixes: dc under another prefix',
      'rdf-custom-prefix.xml',
      0,
      { title: 'Prefixed item', link: 'https://custom.example.org/a', author: 'Bea Prefix', published: '2014-06-02T10:00:00.000Z' },
    ],
    [
      'Atom 1.0: alternate text/html link over edit and PDF links, xhtml content unwrapped, inherited author',
      'atom1-basic.xml',
      0,
      {
        guid: 'tag:ann.example.com,2015:1',
        link: 'https://ann.example.com/posts/1',
        title: 'Types & tags: <b> is bold',
        author: 'Ann Atom',
        contentHtml: '<p>Hello <a href="/x">x</a> &amp; <br>bye</p>',
        summaryHtml: 'Short &amp; plain',
        published: '2015-02-01T09:00:00.000Z',
        updated: '2015-02-01T11:30:00.500Z',
      },
    ],
    [
      'Atom 1.0: link without rel, xhtml title, entry author, text content escaped',
      'atom1-basic.xml',
      1,
      { link: 'https://ann.example.com/posts/2', title: 'An xhtml title', author: 'Guest Writer', contentHtml: 'if a &lt; b then "c"', published: null, updated: '2015-02-02T10:00:00.000Z' },
    ],
    [
      'Atom 1.0: type="html" content is the HTML',
      'atom1-basic.xml',
      2,
      { link: 'https://ann.example.com/posts/3', contentHtml: '<p>Escaped <i>html</i></p>' },
    ],
    [
      'Atom 0.3: issued → published, modified → updated, escaped content',
      'atom03.xml',
      0,
      {
        guid: 'tag:atom03.example.com,2005:a',
        link: 'http://atom03.example.com/2005/07/a',
        author: 'Entry Author',
        contentHtml: '<p>Escaped 0.3 content</p>',
        summaryHtml: 'Plain summary',
        published: '2005-07-31T10:29:29.000Z',
        updated: '2005-08-01T08:00:00.000Z',
      },
    ],
    [
      'Atom 0.3: created → published, mode="xml" content, feed author inherited',
      'atom03.xml',
      1,
      { author: 'Feed Author', contentHtml: '<p>XML mode</p>', published: '2005-07-30T10:00:00.000Z', updated: null },
    ],
    ['Atom 0.3: mode="base64" content', 'atom03.xml', 2, { contentHtml: '<p>Base64</p>', link: null, baseUrl: FEED_URL }],
    [
      'JSON Feed 1.0: numeric id, relative url, 1.0 author, content_text escaped',
      'jsonfeed-1.0.json',
      0,
      {
        guid: '1',
        link: 'https://feeds.example.net/posts/1',
        author: 'Item Person',
        contentHtml: 'Plain &lt;text&gt; &amp; more',
        published: '2017-05-17T15:02:12.000Z',
      },
    ],
    [
      'JSON Feed 1.0: feed author inherited, summary kept apart from content_html',
      'jsonfeed-1.0.json',
      1,
      { guid: '2', author: 'Feed Person', contentHtml: '<p>Only html</p>', summaryHtml: 'A summary', published: null },
    ],
    [
      'JSON Feed 1.1: authors[0], date_modified',
      'jsonfeed-1.1.json',
      0,
      { author: 'Cleo', published: '2020-01-02T03:04:05.000Z', updated: '2020-01-03T00:00:00.000Z', contentHtml: '<p>Hi</p>' },
    ],
    ['JSON Feed 1.1: empty id is null, feed authors inherited', 'jsonfeed-1.1.json', 1, { guid: null, author: 'Feed Authors', contentHtml: 'text' }],
    ['missing guid', 'missing-guid.xml', 0, { guid: null, link: 'https://noguid.example.com/a' }],
    ['whitespace-only guid', 'missing-guid.xml', 1, { guid: null, link: 'https://noguid.example.com/b' }],
    ['permalink guid stands in for a missing link', 'missing-guid.xml', 2, { guid: 'https://noguid.example.com/c', link: 'https://noguid.example.com/c' }],
    ['isPermaLink="false" guid is not a link', 'missing-guid.xml', 3, { guid: 'https://noguid.example.com/d', link: null, baseUrl: FEED_URL }],
    [
      'relative link resolves against the feed URL',
      'relative-links.xml',
      0,
      { link: 'https://feeds.example.net/2019/05/relative.html', baseUrl: 'https://feeds.example.net/2019/05/relative.html', contentHtml: '<img src="pic.png">' },
    ],
    ['no link: base is the feed URL', 'relative-links.xml', 1, { link: null, baseUrl: FEED_URL }],
    [
      'xml:base on entry and content',
      'atom1-xml-base.xml',
      0,
      { link: 'https://base.example.com/blog/2016/first.html', baseUrl: 'https://base.example.com/media/', contentHtml: '<img src="pic.jpg">' },
    ],
    ['xml:base on the feed only', 'atom1-xml-base.xml', 1, { link: 'https://base.example.com/about', baseUrl: 'https://base.example.com/blog/' }],
    ['unclosed tags inside CDATA kept as they are', 'cdata-unclosed-tags.xml', 0, { contentHtml: '<p>Open <b>bold <div>never closed' }],
    ['unclosed tags inside escaped content kept as they are', 'cdata-unclosed-tags.xml', 1, { contentHtml: '<ul><li>one <li>two' }],
    ['unescaped markup in a description serialized as HTML', 'cdata-unclosed-tags.xml', 2, { contentHtml: '<p>Raw <br> markup</p>' }],
    ['RSS 0.91 HTML entity in a title', 'rss091.xml', 0, { title: 'First item', published: null }],
    ['stray ampersands in title and link', 'stray-ampersand.xml', 0, { title: 'Fish & Chips & Peas', link: 'https://tj.example.com/fish?x=1&y=2' }],
    ['HTML entities in XML, CDATA left alone', 'html-entities.xml', 0, { title: 'Naïve résumé … ’quoted’ & © ☃', contentHtml: '<p>Inside CDATA &eacute; stays an HTML entity</p>' }],
    ['illegal control characters removed', 'control-chars.xml', 0, { title: 'Formfeed item', contentHtml: 'ab' }],
    ['impossible and unparsable dates become null', 'invalid-atom-date.xml', 0, { title: 'Impossible date', published: null, updated: null }],
    ['a bad date elsewhere does not affect a good one', 'invalid-atom-date.xml', 1, { updated: '2015-06-30T10:00:00.000Z' }],
  ])('%s', (_name, fixture, index, expected) => {
    expect(view(feedOf(fixture).entries[index])).toMatchObject(expected);
  });
});

describe('parseFeed finds the feed image', () => {
  it.each([
    ['RSS image/url, relative', 'rss2-basic.xml', 'https://feeds.example.net/images/jo.png'],
    ['RSS 0.91 image', 'rss091.xml', 'http://old.example.com/logo.gif'],
    ['RDF image', 'rdf-basic.xml', 'https://rdf.example.org/logo.png'],
    ['Atom icon', 'atom1-basic.xml', 'https://ann.example.com/favicon.png'],
    ['Atom logo under xml:base', 'atom1-xml-base.xml', 'https://base.example.com/blog/img/logo.png'],
    ['JSON Feed favicon, relative', 'jsonfeed-1.0.json', 'https://feeds.example.net/favicon.ico'],
    ['JSON Feed icon', 'jsonfeed-1.1.json', 'https://json11.example.org/icon.png'],
    ['feed without an image', 'rss-no-version.xml', null],
  ])('%s', (_name, fixture, image) => {
    expect(feedOf(fixture).image).toBe(image);
  });
});

describe('parseFeed decodes every declared encoding (with decodeBody)', () => {
  it.each([
    ['Latin-1 bytes with an ISO-8859-1 prolog', 'latin1-prolog.xml', 'Café Größe', 'naïve façade'],
    ['windows-1252 smart quotes', 'windows-1252-smart-quotes.xml', 'It’s “quoted” – €5', 'smart…'],
    ['Shift_JIS', 'shift-jis.xml', '日本語のブログ', 'こんにちは'],
    ['UTF-8 bytes labelled ISO-8859-1', 'utf8-labelled-latin1.xml', 'Café — “UTF-8” really', 'ok'],
    ['Latin-1 bytes labelled UTF-8', 'latin1-labelled-utf8.xml', 'Café mislabelled', 'x'],
    ['UTF-16 with a BOM', 'utf16-bom.xml', 'Ünïcode ☃ sixteen', 'x'],
  ])('%s', (_name, fixture, title, content) => {
    const feed = feedOf(fixture);
    expect(feed.title).toBe(title);
    expect(feed.entries[0]?.title).toBe(title);
    expect(feed.entries[0]?.contentHtml).toBe(content);
  });
});

describe('parseFeed reports its repairs as warnings', () => {
  it.each([
    ['stray ampersands', 'stray-ampersand.xml', ['parse: repaired 5 stray "&"']],
    ['HTML entities', 'html-entities.xml', ['parse: replaced 10 HTML entities undefined in XML (&eacute;, &ndash;, &egrave;, &iuml;, &nbsp;)']],
    ['control characters', 'control-chars.xml', ['parse: removed 5 illegal control characters']],
    [
      'invalid dates, the feed\'s own too',
      'invalid-atom-date.xml',
      ['parse: entry 1 has an invalid date "last Tuesday"', 'parse: entry 1 has an invalid date "2015-06-31T10:00:00Z"', 'parse: the feed has an invalid date "sometime"'],
    ],
    ['invalid JSON Feed date', 'jsonfeed-1.0.json', ['parse: entry 2 has an invalid date "not a date"']],
    ['an author read from dc:creator', 'rss2-basic.xml', ['parse: entry 1: author from dc:creator']],
    ['a clean feed', 'atom1-xml-base.xml', []],
  ])('%s', (_name, fixture, warnings) => {
    expect(feedOf(fixture).warnings).toEqual(warnings);
  });
});

describe('parseFeed refuses hostile XML quickly', () => {
  const deep = `<rss version="2.0"><channel>${'<a>'.repeat(100_000)}</channel></rss>`;
  const manyAttributes = `<rss version="2.0"><channel ${Array.from({ length: 100_000 }, (_, i) => `a${i}="x"`).join(' ')}><title>t</title></channel></rss>`;
  it.each([
    ['billion laughs', () => readFileSync(FIXTURES + 'billion-laughs.xml', 'utf8'), /^parse: the document declares entities in its DOCTYPE/],
    ['external entity (XXE)', () => readFileSync(FIXTURES + 'xxe.xml', 'utf8'), /^parse: the document declares entities in its DOCTYPE/],
    ['100,000 nested elements', () => deep, /^parse: elements nested more than 1000 deep$/],
    ['100,000 attributes on one element', () => manyAttributes, /^parse: an element has more than 256 attributes$/],
  ])('%s', (_name, text, message) => {
    const started = performance.now();
    const result = parseFeed(text(), FEED_URL);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(result).toMatchObject({ kind: 'error', code: 'parse', alternates: [] });
    if (result.kind === 'error') expect(result.message).toMatch(message);
    expect(JSON.stringify(result)).not.toContain('root:');
  });
});

describe('parseFeed says when a document is not a feed', () => {
  const page = readFileSync(FIXTURES + 'html-page-with-alternates.html', 'utf8');
  it.each([
    [
      'HTML page advertising feeds',
      page,
      'parse: this is an HTML page, not a feed; it advertises: https://feeds.example.net/feed.xml, https://jo.example.org/atom.xml, https://feeds.example.net/blog/feed.json, https://jo.example.org/feed.xml',
      ['https://feeds.example.net/feed.xml', 'https://jo.example.org/atom.xml', 'https://feeds.example.net/blog/feed.json', 'https://jo.example.org/feed.xml'],
    ],
    ['HTML page advertising nothing', readFileSync(FIXTURES + 'html-page-no-alternates.html', 'utf8'), 'parse: this is an HTML page, not a feed; it advertises no feeds', []],
    ['plain text', readFileSync(FIXTURES + 'plain-text.txt', 'utf8'), 'parse: not a feed: no XML or JSON found (it starts with "This is just a plain text file. Nothing")', []],
    ['PDF bytes', Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n', 'latin1').toString('latin1'), 'parse: not a feed: this is a PDF document', []],
    ['empty document', readFileSync(FIXTURES + 'empty.xml', 'utf8'), 'parse: not a feed: the document is empty', []],
    ['whitespace and a BOM only', '\uFEFF  \n', 'parse: not a feed: the document is empty', []],
    ['another XML vocabulary (OPML)', readFileSync(FIXTURES + 'opml-not-a-feed.xml', 'utf8'), 'parse: not a feed: the root element is <opml>, not <rss>, <rdf:RDF> or <feed>', []],
    ['JSON that is not a JSON Feed', '{"hello": "world"}', 'parse: not a feed: JSON without a JSON Feed "version" or "items"', []],
  ])('%s', (_name, text, message, alternates) => {
    expect(parseFeed(text, FEED_URL)).toEqual({ kind: 'error', code: 'not_a_feed', message, alternates });
  });

  it('broken JSON is a parse error, not a crash', () => {
    const result = parseFeed('{"version": "https://jsonfeed.org/version/1.1", "items": [', FEED_URL);
    expect(result).toMatchObject({ kind: 'error', code: 'parse', alternates: [] });
    if (result.kind === 'error') expect(result.message).toMatch(/^parse: invalid JSON: /);
  });
});
