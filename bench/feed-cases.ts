// Feedparser-style cases (our own strings, in the style of feedparser's test suite): each a small feed
// served over local HTTP, read through `planet check URL --json` of a build, and scored per part:
// dates, fields, relative URLs, entities. docs/decisions/0020-long-tail-parsing.md has the figures.
//
//   npx tsx bench/feed-cases.ts [--verbose]      ours (bin/planet.js, build first) vs the baseline build
//   BASELINE=/path/to/checkout                   a built checkout of an earlier version, whose bin/planet.js is "before"
//
// When Python's feedparser is installed (Debian: python3-feedparser), it reads the same URLs as a
// reference column; nothing else needs it.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { redirectTo, serveFeed, startFeedServer } from '../tests/helpers/feed-server.js';

export type Part = 'dates' | 'fields' | 'relative URLs' | 'entities';

interface Case {
  part: Part;
  name: string;
  body: string;
  /** A path into the check report ("entries.0.title"). */
  path: string;
  /** The value expected; `@` stands for the directory of the document URI after the redirect. */
  want: string | number | null;
  /** Compare as "the value contains want" (HTML content). */
  contains?: boolean;
}

const RSS = (item: string, channel = '', ns = '') =>
  `<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:media="http://search.yahoo.com/mrss/" xmlns:xhtml="http://www.w3.org/1999/xhtml"${ns}><channel><title>Case</title><link>https://case.example.org/</link>${channel}<item>${item}</item></channel></rss>`;
const ATOM = (entry: string, feed = '', attrs = '') =>
  `<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"${attrs}><title>Case</title><id>tag:case.example.org,2013:feed</id>${feed}<entry>${entry}</entry></feed>`;
const ATOM03 = (entry: string, feed = '', attrs = '') =>
  `<?xml version="1.0" encoding="utf-8"?>\n<feed version="0.3" xmlns="http://purl.org/atom/ns#"${attrs}><title>Case</title>${feed}<entry>${entry}</entry></feed>`;
const RDF = (item: string, channel = '') =>
  `<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel rdf:about="https://rdf.example.org/"><title>RDF case</title><link>https://rdf.example.org/</link>${channel}</channel><item rdf:about="https://rdf.example.org/item">${item}</item></rdf:RDF>`;

/** One date string per case, in an RSS <pubDate>, and the instant it means. */
const DATES: [string, string | null][] = [
  ['Sun, 17 Mar 2013 14:05:09 GMT', '2013-03-17T14:05:09Z'],
  ['Sun, 17 Mar 2013 14:05:09 -0400', '2013-03-17T18:05:09Z'],
  ['Sun, 17 Mar 2013 14:05:09 EDT', '2013-03-17T18:05:09Z'],
  ['Sun, 17 Mar 2013 14:05 +0100', '2013-03-17T13:05:00Z'],
  ['17 Mar 2013 14:05:09 +0000', '2013-03-17T14:05:09Z'],
  ['Sun, 17 Mar 13 14:05:09 GMT', '2013-03-17T14:05:09Z'],
  ['Sun,17 Mar 2013 14:05:09 GMT', '2013-03-17T14:05:09Z'],
  ['Thu, 7 Mar 2013 04:05:09 GMT', '2013-03-07T04:05:09Z'],
  ['Sun, 17 Mar 2013 14:05:09 Z', '2013-03-17T14:05:09Z'],
  ['Sun, 17 Mar 2013 14:05:09 UT', '2013-03-17T14:05:09Z'],
  ['Tue, 15 Jan 2013 10:00:00 ET', '2013-01-15T15:00:00Z'],
  ['Tue, 15 Jan 2013 10:00:00 PT', '2013-01-15T18:00:00Z'],
  ['Sun, 17 Mar 2013 14:05:09 Etc/GMT+2', '2013-03-17T16:05:09Z'],
  ['Sun, 17 Mar 2013 14:05:09 +01:00', '2013-03-17T13:05:09Z'],
  ['Sunday, 17-Mar-13 14:05:09 GMT', '2013-03-17T14:05:09Z'],
  ['Sun Mar 17 14:05:09 2013', '2013-03-17T14:05:09Z'],
  ['Sun Mar 17 14:05:09 UTC 2013', '2013-03-17T14:05:09Z'],
  ['Sun, 2013/03/17 14:05:09 EDT', '2013-03-17T18:05:09Z'],
  ['Mon, 03 May 0950 12:00:00 GMT', '0950-05-03T12:00:00Z'],
  ['dom, 17 mar 2013 14:05:09 +0100', '2013-03-17T13:05:09Z'],
  ['So, 17 Mär 2013 14:05:09 +0100', '2013-03-17T13:05:09Z'],
  ['dim., 17 mars 2013 14:05:09 +0100', '2013-03-17T13:05:09Z'],
  ['zo, 17 mrt 2013 14:05:09 +0100', '2013-03-17T13:05:09Z'],
  ['Dom, 17 Mar 2013 14:05:09 -0300', '2013-03-17T17:05:09Z'],
  ['Κυρ, 17 Μαρ 2013 14:05:09 EET', '2013-03-17T12:05:09Z'],
  ['2013-március-17T14:05+01:00', '2013-03-17T13:05:00Z'],
  ['2013-03-17 오후 02:05:09', '2013-03-17T05:05:09Z'],
  ['2013년 03월 17일 14:05:09', '2013-03-17T05:05:09Z'],
  ['2013-03-17T14:05:09Z', '2013-03-17T14:05:09Z'],
  ['2013-03-17T14:05:09+01:00', '2013-03-17T13:05:09Z'],
  ['2013-03-17T14:05:09.123456789-05:00', '2013-03-17T19:05:09.123Z'],
  ['2013-03-17T14:05Z', '2013-03-17T14:05:00Z'],
  ['2013-03-17', '2013-03-17T00:00:00Z'],
  ['2013-03', '2013-03-01T00:00:00Z'],
  ['2013', '2013-01-01T00:00:00Z'],
  ['2013-076', '2013-03-17T00:00:00Z'],
  ['20130317T140509Z', '2013-03-17T14:05:09Z'],
  ['20130317', '2013-03-17T00:00:00Z'],
  ['2013-W11-7', '2013-03-17T00:00:00Z'],
  ['13-03-17', '2013-03-17T00:00:00Z'],
  ['2013-003-17', '2013-03-17T00:00:00Z'],
  ['2013-03-17 14:05:09', '2013-03-17T14:05:09Z'],
  ['2013-03-17T14:05:09+0100', '2013-03-17T13:05:09Z'],
  ['2013-03-17 14:05:09.0', '2013-03-17T14:05:09Z'],
  ['Sun, 31 Feb 2013 14:05:09 GMT', null],
  ['2013-02-30', null],
  ['Sun, 17 Mar 2013 25:05:09 GMT', null],
  ['2013-13-01', null],
  ['yesterday', null],
];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

export const CASES: Case[] = [
  ...DATES.map(([s, want]): Case => ({ part: 'dates', name: s, body: RSS(`<title>d</title><link>https://case.example.org/d</link><pubDate>${esc(s)}</pubDate>`), path: 'entries.0.published', want })),

  // ── fields ──
  { part: 'fields', name: 'rss20 item title', body: RSS('<title>Item title</title>'), path: 'entries.0.title', want: 'Item title' },
  { part: 'fields', name: 'rss20 item link', body: RSS('<title>t</title><link>https://case.example.org/item</link>'), path: 'entries.0.link', want: 'https://case.example.org/item' },
  { part: 'fields', name: 'rss20 guid', body: RSS('<title>t</title><guid isPermaLink="false">item-guid-1</guid>'), path: 'entries.0.id', want: 'item-guid-1' },
  { part: 'fields', name: 'rss20 guid as link', body: RSS('<title>t</title><guid>https://case.example.org/by-guid</guid>'), path: 'entries.0.link', want: 'https://case.example.org/by-guid' },
  { part: 'fields', name: 'rss20 author with e-mail', body: RSS('<title>t</title><author>jo@case.example.org (Jo Bloggs)</author>'), path: 'entries.0.author', want: 'Jo Bloggs' },
  { part: 'fields', name: 'rss20 dc:creator', body: RSS('<title>t</title><dc:creator>Dee Creator</dc:creator>'), path: 'entries.0.author', want: 'Dee Creator' },
  { part: 'fields', name: 'rss20 dc:author', body: RSS('<title>t</title><dc:author>Dora Author</dc:author>'), path: 'entries.0.author', want: 'Dora Author' },
  { part: 'fields', name: 'rss20 itunes:author', body: RSS('<title>t</title><itunes:author>Ivy Tunes</itunes:author>'), path: 'entries.0.author', want: 'Ivy Tunes' },
  { part: 'fields', name: 'rss20 atom:author/name', body: RSS('<title>t</title><atom:author><atom:name>Ada Atom</atom:name></atom:author>'), path: 'entries.0.author', want: 'Ada Atom' },
  { part: 'fields', name: 'rss20 content:encoded', body: RSS('<title>t</title><description>short</description><content:encoded><![CDATA[<p>The full <b>post</b></p>]]></content:encoded>'), path: 'entries.0.content_html', want: '<p>The full <b>post</b></p>', contains: true },
  { part: 'fields', name: 'rss20 description beside content:encoded is the summary', body: RSS('<title>t</title><description>short</description><content:encoded><![CDATA[<p>The full <b>post</b></p>]]></content:encoded>'), path: 'entries.0.summary_html', want: 'short' },
  { part: 'fields', name: 'rss20 escaped description', body: RSS('<title>t</title><description>&lt;p&gt;Escaped &lt;i&gt;html&lt;/i&gt;&lt;/p&gt;</description>'), path: 'entries.0.content_html', want: '<p>Escaped <i>html</i></p>', contains: true },
  { part: 'fields', name: 'rss20 atom:content in an item', body: RSS('<title>t</title><atom:content type="html">&lt;p&gt;Atom content inside RSS&lt;/p&gt;</atom:content>'), path: 'entries.0.content_html', want: 'Atom content inside RSS', contains: true },
  { part: 'fields', name: 'rss20 xhtml:body', body: RSS('<title>t</title><xhtml:body><xhtml:p>An xhtml body</xhtml:p></xhtml:body>'), path: 'entries.0.content_html', want: 'An xhtml body', contains: true },
  { part: 'fields', name: 'rss20 fullitem', body: RSS('<title>t</title><fullitem>&lt;p&gt;A full item&lt;/p&gt;</fullitem>'), path: 'entries.0.content_html', want: 'A full item', contains: true },
  { part: 'fields', name: 'rss20 dc:description', body: RSS('<title>t</title><dc:description>Dublin Core description</dc:description>'), path: 'entries.0.content_html', want: 'Dublin Core description', contains: true },
  { part: 'fields', name: 'rss20 itunes:summary', body: RSS('<title>t</title><itunes:summary>Episode notes from iTunes</itunes:summary>'), path: 'entries.0.content_html', want: 'Episode notes from iTunes', contains: true },
  { part: 'fields', name: 'rss20 dc:title of an item', body: RSS('<dc:title>Dublin Core title</dc:title>'), path: 'entries.0.title', want: 'Dublin Core title' },
  { part: 'fields', name: 'rss20 channel title from dc:title', body: RSS('<title>t</title>').replace('<title>Case</title>', '<dc:title>Channel dc:title</dc:title>'), path: 'title', want: 'Channel dc:title' },
  { part: 'fields', name: 'rss20 channel link', body: RSS('<title>t</title>'), path: 'link', want: 'https://case.example.org/' },
  { part: 'fields', name: 'rss20 lastBuildDate', body: RSS('<title>t</title>', '<lastBuildDate>Sun, 17 Mar 2013 14:05:09 GMT</lastBuildDate>'), path: 'updated', want: '2013-03-17T14:05:09Z' },
  { part: 'fields', name: 'rss20 dc:date of an item', body: RSS('<title>t</title><dc:date>2013-03-17T14:05:09Z</dc:date>'), path: 'entries.0.published', want: '2013-03-17T14:05:09Z' },
  { part: 'fields', name: 'rss20 enclosure', body: RSS('<title>t</title><enclosure url="https://case.example.org/a.mp3" length="1000" type="audio/mpeg"/>'), path: 'entries.0.enclosures.0.url', want: 'https://case.example.org/a.mp3' },
  { part: 'fields', name: 'rss20 media:content', body: RSS('<title>t</title><media:content url="https://case.example.org/v.mp4" type="video/mp4"/>'), path: 'entries.0.enclosures.0.url', want: 'https://case.example.org/v.mp4' },
  { part: 'fields', name: 'rss20 undeclared dc prefix', body: RSS('<title>t</title><dc:creator>Una Declared</dc:creator>').replace(' xmlns:dc="http://purl.org/dc/elements/1.1/"', ''), path: 'entries.0.author', want: 'Una Declared' },
  { part: 'fields', name: 'rss20 userland namespace', body: '<rss version="2.0"><channel xmlns="http://backend.userland.com/rss2"><title>Userland</title><item><title>Namespaced item</title></item></channel></rss>', path: 'entries.0.title', want: 'Namespaced item' },
  { part: 'fields', name: 'rss091 title and link', body: '<?xml version="1.0"?>\n<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">\n<rss version="0.91"><channel><title>Old</title><link>http://old.example.com/</link><description>d</description><language>en</language><item><title>Old item</title><link>http://old.example.com/1</link></item></channel></rss>', path: 'entries.0.link', want: 'http://old.example.com/1' },
  { part: 'fields', name: 'rss092 description only', body: '<rss version="0.92"><channel><title>92</title><link>http://ninetytwo.example.com/</link><item><description>Only a description</description></item></channel></rss>', path: 'entries.0.content_html', want: 'Only a description', contains: true },
  { part: 'fields', name: 'rdf item title', body: RDF('<title>RDF item</title><link>https://rdf.example.org/item</link>'), path: 'entries.0.title', want: 'RDF item' },
  { part: 'fields', name: 'rdf rdf:about is the id', body: RDF('<title>RDF item</title>'), path: 'entries.0.id', want: 'https://rdf.example.org/item' },
  { part: 'fields', name: 'rdf dc:creator', body: RDF('<title>t</title><dc:creator>Rita Rdf</dc:creator>'), path: 'entries.0.author', want: 'Rita Rdf' },
  { part: 'fields', name: 'rdf channel dc:date', body: RDF('<title>t</title>', '<dc:date>2013-03-17T14:05:09Z</dc:date>'), path: 'updated', want: '2013-03-17T14:05:09Z' },
  { part: 'fields', name: 'atom10 title type="html"', body: ATOM('<id>tag:a,1</id><title type="html">A &lt;em&gt;html&lt;/em&gt; title</title>'), path: 'entries.0.title', want: 'A html title' },
  { part: 'fields', name: 'atom10 title type="xhtml"', body: ATOM('<id>tag:a,1</id><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">An <b>xhtml</b> title</div></title>'), path: 'entries.0.title', want: 'An xhtml title' },
  { part: 'fields', name: 'atom10 title type="text" keeps markup characters', body: ATOM('<id>tag:a,1</id><title type="text">if a &lt; b</title>'), path: 'entries.0.title', want: 'if a < b' },
  { part: 'fields', name: 'atom10 naked markup in a text title', body: ATOM('<id>tag:a,1</id><title>A <b>naked</b> title</title>'), path: 'entries.0.title', want: 'A naked title' },
  { part: 'fields', name: 'atom10 alternate link among others', body: ATOM('<id>tag:a,1</id><title>t</title><link rel="edit" href="https://case.example.org/edit"/><link rel="alternate" type="application/pdf" href="https://case.example.org/a.pdf"/><link rel="alternate" type="text/html" href="https://case.example.org/a.html"/>'), path: 'entries.0.link', want: 'https://case.example.org/a.html' },
  { part: 'fields', name: 'atom10 id', body: ATOM('<id>tag:case.example.org,2013:entry-1</id><title>t</title>'), path: 'entries.0.id', want: 'tag:case.example.org,2013:entry-1' },
  { part: 'fields', name: 'atom10 author name', body: ATOM('<id>tag:a,1</id><title>t</title><author><name>Ann Atom</name></author>'), path: 'entries.0.author', want: 'Ann Atom' },
  { part: 'fields', name: 'atom10 author inherited from the feed', body: ATOM('<id>tag:a,1</id><title>t</title>', '<author><name>Feed Author</name></author>'), path: 'entries.0.author', want: 'Feed Author' },
  { part: 'fields', name: 'atom10 xhtml content', body: ATOM('<id>tag:a,1</id><title>t</title><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Some <i>xhtml</i></p></div></content>'), path: 'entries.0.content_html', want: '<p>Some <i>xhtml</i></p>', contains: true },
  { part: 'fields', name: 'atom10 html content', body: ATOM('<id>tag:a,1</id><title>t</title><content type="html">&lt;p&gt;Some html&lt;/p&gt;</content>'), path: 'entries.0.content_html', want: '<p>Some html</p>', contains: true },
  { part: 'fields', name: 'atom10 text/plain content', body: ATOM('<id>tag:a,1</id><title>t</title><content type="text/plain">&lt;b&gt; is text</content>'), path: 'entries.0.content_html', want: '&lt;b&gt; is text', contains: true },
  { part: 'fields', name: 'atom10 summary only', body: ATOM('<id>tag:a,1</id><title>t</title><summary>Just a summary</summary>'), path: 'entries.0.content_html', want: 'Just a summary', contains: true },
  { part: 'fields', name: 'atom10 feed updated', body: ATOM('<id>tag:a,1</id><title>t</title>', '<updated>2013-03-17T14:05:09Z</updated>'), path: 'updated', want: '2013-03-17T14:05:09Z' },
  { part: 'fields', name: 'atom10 two updated: the last', body: ATOM('<id>tag:a,1</id><title>t</title><updated>2013-03-16T00:00:00Z</updated><updated>2013-03-17T14:05:09Z</updated>'), path: 'entries.0.updated', want: '2013-03-17T14:05:09Z' },
  { part: 'fields', name: 'atom10 enclosure link', body: ATOM('<id>tag:a,1</id><title>t</title><link rel="enclosure" type="audio/ogg" length="10" href="https://case.example.org/a.ogg"/>'), path: 'entries.0.enclosures.0.url', want: 'https://case.example.org/a.ogg' },
  { part: 'fields', name: 'atom10 under a prefix', body: '<a:feed xmlns:a="http://www.w3.org/2005/Atom"><a:title>P</a:title><a:entry><a:id>tag:a,1</a:id><a:title>Prefixed entry</a:title></a:entry></a:feed>', path: 'entries.0.title', want: 'Prefixed entry' },
  { part: 'fields', name: 'atom10 namespace declared on the entry', body: '<feed><title>t</title><entry xmlns="http://www.w3.org/2005/Atom"><id>tag:a,1</id><title>Inner namespace</title></entry></feed>', path: 'entries.0.title', want: 'Inner namespace' },
  { part: 'fields', name: 'atom03 title', body: ATOM03('<id>tag:a,1</id><title>Atom 0.3 entry</title>'), path: 'entries.0.title', want: 'Atom 0.3 entry' },
  { part: 'fields', name: 'atom03 link', body: ATOM03('<id>tag:a,1</id><title>t</title><link rel="alternate" type="text/html" href="http://case.example.org/03"/>'), path: 'entries.0.link', want: 'http://case.example.org/03' },
  { part: 'fields', name: 'atom03 issued', body: ATOM03('<id>tag:a,1</id><title>t</title><issued>2013-03-17T14:05:09Z</issued>'), path: 'entries.0.published', want: '2013-03-17T14:05:09Z' },
  { part: 'fields', name: 'atom03 modified', body: ATOM03('<id>tag:a,1</id><title>t</title><modified>2013-03-17T14:05:09Z</modified>'), path: 'entries.0.updated', want: '2013-03-17T14:05:09Z' },
  { part: 'fields', name: 'atom03 author', body: ATOM03('<id>tag:a,1</id><title>t</title><author><name>Old Atom</name></author>'), path: 'entries.0.author', want: 'Old Atom' },
  { part: 'fields', name: 'atom03 mode="escaped" content', body: ATOM03('<id>tag:a,1</id><title>t</title><content type="text/html" mode="escaped">&lt;p&gt;Escaped mode&lt;/p&gt;</content>'), path: 'entries.0.content_html', want: '<p>Escaped mode</p>', contains: true },
  { part: 'fields', name: 'atom03 mode="base64" content', body: ATOM03(`<id>tag:a,1</id><title>t</title><content type="text/html" mode="base64">${b64('<p>Base64 mode</p>')}</content>`), path: 'entries.0.content_html', want: '<p>Base64 mode</p>', contains: true },
  { part: 'fields', name: 'atom03 mode="base64" title', body: ATOM03(`<id>tag:a,1</id><title mode="base64">${b64('Base64 title')}</title>`), path: 'entries.0.title', want: 'Base64 title' },
  { part: 'fields', name: 'atom03 mode="xml" content', body: ATOM03('<id>tag:a,1</id><title>t</title><content type="application/xhtml+xml" mode="xml"><div xmlns="http://www.w3.org/1999/xhtml"><p>XML mode</p></div></content>'), path: 'entries.0.content_html', want: '<p>XML mode</p>', contains: true },
  { part: 'fields', name: 'json feed attachment', body: JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 'J', items: [{ id: '1', content_text: 'x', attachments: [{ url: 'https://case.example.org/j.mp3', mime_type: 'audio/mpeg' }] }] }), path: 'entries.0.enclosures.0.url', want: 'https://case.example.org/j.mp3' },

  // ── relative URLs: the document is read at @feed.xml, after a redirect ──
  { part: 'relative URLs', name: 'atom entry link against the document URI', body: ATOM('<id>tag:a,1</id><title>t</title><link href="entry.html"/>'), path: 'entries.0.link', want: '@entry.html' },
  { part: 'relative URLs', name: 'atom entry id against the document URI', body: ATOM03('<id>/relative/id</id><title>t</title>'), path: 'entries.0.id', want: '@@/relative/id' },
  { part: 'relative URLs', name: 'atom feed link against the document URI', body: ATOM('<id>tag:a,1</id><title>t</title>', '<link href="../home/"/>'), path: 'link', want: '@../home/' },
  { part: 'relative URLs', name: 'atom content link against the document URI', body: ATOM('<id>tag:a,1</id><title>t</title><content type="html">&lt;a href="page.html"&gt;x&lt;/a&gt;</content>'), path: 'entries.0.content_html', want: 'href="@page.html"', contains: true },
  { part: 'relative URLs', name: 'atom summary link against the document URI', body: ATOM('<id>tag:a,1</id><title>t</title><content>long enough content text</content><summary type="html">&lt;a href="s.html"&gt;s&lt;/a&gt;</summary>'), path: 'entries.0.summary_html', want: 'href="@s.html"', contains: true },
  { part: 'relative URLs', name: 'atom03 base64 content link against the document URI', body: ATOM03(`<id>tag:a,1</id><title>t</title><content type="text/html" mode="base64">${b64('<a href="b64.html">x</a>')}</content>`), path: 'entries.0.content_html', want: 'href="@b64.html"', contains: true },
  { part: 'relative URLs', name: 'rss channel link against the document URI', body: RSS('<title>t</title>').replace('<link>https://case.example.org/</link>', '<link>/</link>'), path: 'link', want: '@@/' },
  { part: 'relative URLs', name: 'rss item link against the document URI', body: RSS('<title>t</title><link>posts/1.html</link>'), path: 'entries.0.link', want: '@posts/1.html' },
  { part: 'relative URLs', name: 'rss enclosure against the document URI', body: RSS('<title>t</title><enclosure url="media/1.mp3" type="audio/mpeg" length="1"/>'), path: 'entries.0.enclosures.0.url', want: '@media/1.mp3' },
  { part: 'relative URLs', name: 'rss content image against the document URI', body: RSS('<title>t</title><description>&lt;img src="pic.png"&gt;</description>'), path: 'entries.0.content_html', want: 'src="@pic.png"', contains: true },
  { part: 'relative URLs', name: 'rss content srcset against the document URI', body: RSS('<title>t</title><description>&lt;img src="a.png" srcset="a.png 1x, b.png 2x"&gt;</description>'), path: 'entries.0.content_html', want: 'srcset="@a.png 1x, @b.png 2x"', contains: true },
  { part: 'relative URLs', name: 'xml:base on the feed: entry link', body: ATOM('<id>tag:a,1</id><title>t</title><link href="entry.html"/>', '', ' xml:base="https://base.example.org/dir/"'), path: 'entries.0.link', want: 'https://base.example.org/dir/entry.html' },
  { part: 'relative URLs', name: 'xml:base on the entry: content link', body: ATOM('<id>tag:a,1</id><title>t</title><content type="html">&lt;a href="c.html"&gt;c&lt;/a&gt;</content>').replace('<entry>', '<entry xml:base="https://base.example.org/entry/">'), path: 'entries.0.content_html', want: 'href="https://base.example.org/entry/c.html"', contains: true },
  { part: 'relative URLs', name: 'xml:base on content, relative to the entry base', body: ATOM('<id>tag:a,1</id><title>t</title><content type="html" xml:base="inner/">&lt;a href="c.html"&gt;c&lt;/a&gt;</content>').replace('<entry>', '<entry xml:base="https://base.example.org/entry/">'), path: 'entries.0.content_html', want: 'href="https://base.example.org/entry/inner/c.html"', contains: true },
  { part: 'relative URLs', name: 'xml:base inside xhtml content', body: ATOM('<id>tag:a,1</id><title>t</title><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p xml:base="https://deep.example.org/x/"><a href="d.html">d</a></p></div></content>'), path: 'entries.0.content_html', want: 'href="https://deep.example.org/x/d.html"', contains: true },
  { part: 'relative URLs', name: 'xml:base on the summary alone', body: ATOM('<id>tag:a,1</id><title>t</title><content type="html" xml:base="https://c.example.org/">&lt;a href="c.html"&gt;the content link&lt;/a&gt;</content><summary type="html" xml:base="https://s.example.org/">&lt;a href="s.html"&gt;s&lt;/a&gt;</summary>'), path: 'entries.0.summary_html', want: 'href="https://s.example.org/s.html"', contains: true },
  { part: 'relative URLs', name: 'relative xml:base against the document URI', body: ATOM('<id>tag:a,1</id><title>t</title><link href="e.html"/>', '', ' xml:base="sub/"'), path: 'entries.0.link', want: '@sub/e.html' },
  { part: 'relative URLs', name: 'entry id relative to xml:base', body: ATOM('<id>2013/id</id><title>t</title>').replace('<entry>', '<entry xml:base="https://base.example.org/ids/">'), path: 'entries.0.id', want: 'https://base.example.org/ids/2013/id' },
  { part: 'relative URLs', name: 'enclosure link relative to xml:base', body: ATOM('<id>tag:a,1</id><title>t</title><link rel="enclosure" type="audio/ogg" length="1" href="e.ogg"/>').replace('<entry>', '<entry xml:base="https://base.example.org/media/">'), path: 'entries.0.enclosures.0.url', want: 'https://base.example.org/media/e.ogg' },
  { part: 'relative URLs', name: 'rss guid permalink against the document URI', body: RSS('<title>t</title><guid>/posts/guid-link</guid>'), path: 'entries.0.link', want: '@@/posts/guid-link' },

  // ── entities in titles ──
  { part: 'entities', name: '&amp; in an RSS title', body: RSS('<title>Fish &amp; Chips</title>'), path: 'entries.0.title', want: 'Fish & Chips' },
  { part: 'entities', name: 'decimal reference', body: RSS('<title>It&#8217;s</title>'), path: 'entries.0.title', want: 'It’s' },
  { part: 'entities', name: 'hexadecimal reference', body: RSS('<title>It&#x2019;s</title>'), path: 'entries.0.title', want: 'It’s' },
  { part: 'entities', name: 'HTML entity undefined in XML', body: RSS('<title>Caf&eacute;</title>'), path: 'entries.0.title', want: 'Café' },
  { part: 'entities', name: 'CDATA', body: RSS('<title><![CDATA[Q&A <live>]]></title>'), path: 'entries.0.title', want: 'Q&A <live>' },
  { part: 'entities', name: 'escaped markup in an RSS title', body: RSS('<title>&lt;b&gt;Bold&lt;/b&gt; news</title>'), path: 'entries.0.title', want: 'Bold news' },
  { part: 'entities', name: 'Atom text title with &lt;', body: ATOM('<id>tag:a,1</id><title type="text">1 &lt; 2</title>'), path: 'entries.0.title', want: '1 < 2' },
  { part: 'entities', name: 'Atom html title with an escaped entity', body: ATOM('<id>tag:a,1</id><title type="html">AT&amp;amp;T</title>'), path: 'entries.0.title', want: 'AT&T' },
  { part: 'entities', name: '&copy; in a feed title', body: RSS('<title>t</title>').replace('<title>Case</title>', '<title>&copy; Case</title>'), path: 'title', want: '© Case' },
  { part: 'entities', name: '&quot; and &apos;', body: RSS('<title>&quot;Quoted&quot; &apos;too&apos;</title>'), path: 'entries.0.title', want: '"Quoted" \'too\'' },
];

export type Reader = (url: string) => Promise<unknown>;

/** `planet check URL --json` of the checkout at `root`. */
export function planetCheck(root: string, configPath: string): Reader {
  return (url) =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(root, 'bin', 'planet.js'), 'check', url, '--json', '--config', configPath], { stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      child.once('error', reject);
      child.once('close', () => {
        try {
          resolve(JSON.parse(out));
        } catch {
          resolve({ error: 'no JSON' });
        }
      });
    });
}

// The same report shape from Python's feedparser, for a reference column.
const FEEDPARSER = String.raw`
import sys, json, time, re, html, feedparser
d = feedparser.parse(sys.argv[1])
iso = lambda t: time.strftime('%Y-%m-%dT%H:%M:%SZ', t) if t else None
# feedparser's titles may hold HTML and its authors "name (e-mail)": as a planet shows them, in plain text.
def plain(value, detail):
    if value is None: return None
    if detail and detail.get('type') in ('text/html', 'application/xhtml+xml'): value = html.unescape(re.sub(r'<[^>]+>', '', value))
    return value
def as_html(c):
    return html.escape(c.value, quote=False) if c.get('type') == 'text/plain' else c.value
def entry(e):
    content = e.get('content') or []
    summary = e.get('summary_detail')
    body = as_html(content[0]) if content else (as_html(summary) if summary else None)
    author = (e.get('author_detail') or {}).get('name') or e.get('author')
    return {'id': e.get('id'), 'link': e.get('link'), 'title': plain(e.get('title'), e.get('title_detail')), 'author': author,
            'published': iso(e.get('published_parsed')), 'updated': iso(e.get('updated_parsed')),
            'content_html': body, 'summary_html': as_html(summary) if content and summary else None,
            'enclosures': [{'url': x.get('href')} for x in e.get('enclosures', [])]}
f = d.feed
print(json.dumps({'title': plain(f.get('title'), f.get('title_detail')), 'link': f.get('link'), 'updated': iso(f.get('updated_parsed')), 'entries': [entry(e) for e in d.entries]}))
`;

export function feedparserReader(python: string): Reader {
  return (url) =>
    new Promise((resolve) => {
      const child = spawn(python, ['-c', FEEDPARSER, url], { stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      child.once('close', () => {
        try {
          resolve(JSON.parse(out));
        } catch {
          resolve({ error: 'no JSON' });
        }
      });
    });
}

function valueAt(report: unknown, p: string): unknown {
  return p.split('.').reduce<unknown>((v, k) => (v === null || v === undefined ? undefined : (v as Record<string, unknown>)[k]), report);
}

function matches(got: unknown, c: Case, dir: string, origin: string): boolean {
  // "@@/x" is /x on the server, "@x" x relative to the document's directory; inside HTML, "@" is the directory.
  const want =
    typeof c.want !== 'string' ? c.want
    : c.contains ? c.want.replaceAll('@', dir)
    : c.want.startsWith('@@') ? new URL(c.want.slice(2), origin).href
    : c.want.startsWith('@') ? new URL(c.want.slice(1), dir).href
    : c.want;
  if (c.part === 'dates' || /published|updated$/.test(c.path)) {
    if (want === null) return got === null || got === undefined;
    return typeof got === 'string' && Date.parse(got) === Date.parse(want as string);
  }
  if (typeof got !== 'string' || typeof want !== 'string') return got === want || (want === null && got === undefined);
  const norm = (s: string) => s.replace(/\s+/g, ' ').trim();
  return c.contains ? norm(got).includes(norm(want)) : norm(got) === norm(want);
}

export interface Score {
  passed: Record<Part, number>;
  total: Record<Part, number>;
  failures: string[];
}

/** Every case through one reader, two at a time (the machine has two cores). */
export async function scoreCases(read: Reader, cases: Case[] = CASES): Promise<Score> {
  const server = await startFeedServer();
  const score: Score = { passed: { dates: 0, fields: 0, 'relative URLs': 0, entities: 0 }, total: { dates: 0, fields: 0, 'relative URLs': 0, entities: 0 }, failures: [] };
  try {
    cases.forEach((c, i) => {
      const type = c.body.startsWith('{') ? 'application/feed+json' : 'application/xml; charset=utf-8';
      server.route(`/cases/${i}/docs/feed.xml`, serveFeed(c.body, { contentType: type }));
      server.route(`/cases/${i}/old`, redirectTo(`/cases/${i}/docs/feed.xml`, 301));
    });
    let next = 0;
    await Promise.all(
      [0, 1].map(async () => {
        while (next < cases.length) {
          const i = next++;
          const c = cases[i]!;
          const report = await read(server.url(`/cases/${i}/old`));
          const got = valueAt(report, c.path);
          score.total[c.part]++;
          if (matches(got, c, server.url(`/cases/${i}/docs/`), server.origin)) score.passed[c.part]++;
          else score.failures.push(`${c.part}: ${c.name}: got ${JSON.stringify(got)?.slice(0, 100)}`);
        }
      }),
    );
  } finally {
    await server.close();
  }
  return score;
}

const PARTS: Part[] = ['dates', 'fields', 'relative URLs', 'entities'];
const pct = (s: Score, p: Part) => `${((100 * s.passed[p]) / s.total[p]).toFixed(1)}% (${s.passed[p]}/${s.total[p]})`;

export async function benchFeedCases(opts: { log: (s: string) => void; baseline?: string; verbose?: boolean }): Promise<void> {
  const root = path.join(import.meta.dirname, '..');
  const baseline = opts.baseline ?? process.env.BASELINE;
  const dir = mkdtempSync(path.join(tmpdir(), 'planet-cases-'));
  try {
    const config = path.join(dir, 'planet.yaml');
    writeFileSync(config, `database: ${path.join(dir, 'planet.db')}\nfetch:\n  allow_private_addresses: true\n`);
    const columns: [string, Reader][] = [['Planetarium now', planetCheck(root, config)]];
    if (baseline && existsSync(path.join(baseline, 'bin', 'planet.js'))) columns.push([`before (${baseline})`, planetCheck(baseline, config)]);
    const python = '/usr/bin/python3';
    const hasFeedparser = await new Promise<boolean>((resolve) => {
      const child = spawn(python, ['-c', 'import feedparser'], { stdio: 'ignore' });
      child.once('error', () => resolve(false));
      child.once('close', (code) => resolve(code === 0));
    });
    if (hasFeedparser) columns.push(['feedparser (Python, installed)', feedparserReader(python)]);
    const scores: [string, Score][] = [];
    for (const [name, read] of columns) scores.push([name, await scoreCases(read)]);
    opts.log(`${CASES.length} cases, each served over HTTP behind a 301 and read by \`planet check URL --json\`\n`);
    opts.log(`| part | ${scores.map(([n]) => n).join(' | ')} |`);
    opts.log(`| --- | ${scores.map(() => '---:').join(' | ')} |`);
    for (const p of PARTS) opts.log(`| ${p} | ${scores.map(([, s]) => pct(s, p)).join(' | ')} |`);
    if (opts.verbose) {
      for (const [name, s] of scores) {
        opts.log(`\n${name}: ${s.failures.length} missed`);
        for (const f of s.failures) opts.log(`  ✗ ${f}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchFeedCases({ log: (s) => console.log(s), verbose: process.argv.includes('--verbose') });
}
