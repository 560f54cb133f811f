// Measures feed-parser candidates against our fixture suite (docs/decisions/0001-feed-parser.md).
// Run: npx tsx bench/parsers.ts (then the parseDate micro-benchmark, bench/date-strings.ts, and the
// parse throughput against the baseline build, bench/parse-throughput.ts)
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseFeed as feedsmithParse } from 'feedsmith';
import RssParser from 'rss-parser';
import { benchDates } from './date-strings.js';
import { benchParseThroughput } from './parse-throughput.js';
import { parseDate } from '../src/pipeline/dates.js';
import { decodeBody } from '../src/pipeline/decode.js';
import { parseFeed } from '../src/pipeline/parse/index.js';

const FIXTURES = fileURLToPath(new URL('../tests/fixtures/feeds/', import.meta.url));
const FEED_URL = 'https://feeds.example.net/blog/feed.xml';

/** What a candidate must report for the first entry; `reject` for documents that must fail. */
type Expect = { entries: number; title: string | null; link: string | null; date: string | null } | 'reject';
interface Summary {
  entries: number;
  title: string | null;
  link: string | null;
  date: string | null;
}
type Candidate = (text: string) => Promise<Summary>;

const CASES: [string, Expect][] = [
  ['rss2-basic.xml', { entries: 2, title: 'Kernel 6.1 & me', link: 'https://jo.example.org/2015/01/kernel', date: '2015-01-13T09:00:00.000Z' }],
  ['rss091.xml', { entries: 1, title: 'First item', link: 'http://old.example.com/1.html', date: null }],
  ['rss092.xml', { entries: 1, title: null, link: null, date: null }],
  ['rss-no-version.xml', { entries: 1, title: 'Still RSS', link: 'https://noversion.example.net/still-rss', date: '2020-03-02T17:00:00.000Z' }],
  ['rss-bare-channel.xml', { entries: 1, title: 'Bare item', link: 'http://bare.example.com/1', date: null }],
  ['rdf-basic.xml', { entries: 1, title: 'RDF item', link: 'https://rdf.example.org/posts/1', date: '2014-06-01T07:15:00.000Z' }],
  ['rdf-custom-prefix.xml', { entries: 1, title: 'Prefixed item', link: 'https://custom.example.org/a', date: '2014-06-02T10:00:00.000Z' }],
  ['atom1-basic.xml', { entries: 3, title: 'Types & tags: <b> is bold', link: 'https://ann.example.com/posts/1', date: '2015-02-01T09:00:00.000Z' }],
  ['atom1-xml-base.xml', { entries: 2, title: 'Entry base', link: 'https://base.example.com/blog/2016/first.html', date: '2016-01-01T00:00:00.000Z' }],
  ['atom03.xml', { entries: 3, title: 'Issued and modified', link: 'http://atom03.example.com/2005/07/a', date: '2005-07-31T10:29:29.000Z' }],
  ['jsonfeed-1.0.json', { entries: 2, title: 'Numeric id', link: 'https://feeds.example.net/posts/1', date: '2017-05-17T15:02:12.000Z' }],
  ['jsonfeed-1.1.json', { entries: 2, title: 'With authors', link: 'https://json11.example.org/a', date: '2020-01-02T03:04:05.000Z' }],
  ['latin1-prolog.xml', { entries: 1, title: 'Café Größe', link: 'https://enc.example.com/1', date: null }],
  ['windows-1252-smart-quotes.xml', { entries: 1, title: 'It’s “quoted” – €5', link: 'https://enc.example.com/1', date: null }],
  ['shift-jis.xml', { entries: 1, title: '日本語のブログ', link: 'https://enc.example.com/1', date: null }],
  ['utf16-bom.xml', { entries: 1, title: 'Ünïcode ☃ sixteen', link: 'https://enc.example.com/1', date: null }],
  ['stray-ampersand.xml', { entries: 1, title: 'Fish & Chips & Peas', link: 'https://tj.example.com/fish?x=1&y=2', date: '2015-03-07T18:00:00.000Z' }],
  ['html-entities.xml', { entries: 1, title: 'Naïve résumé … ’quoted’ & © ☃', link: 'https://cafe.example.fr/naive', date: null }],
  ['control-chars.xml', { entries: 1, title: 'Formfeed item', link: 'https://ctl.example.com/1', date: null }],
  ['invalid-atom-date.xml', { entries: 2, title: 'Impossible date', link: 'https://dates.example.com/1', date: null }],
  ['leading-junk.xml', { entries: 1, title: 'Still read', link: 'https://junk.example.com/1', date: null }],
  ['missing-guid.xml', { entries: 4, title: 'No guid at all', link: 'https://noguid.example.com/a', date: null }],
  ['relative-links.xml', { entries: 2, title: 'Relative', link: 'https://feeds.example.net/2019/05/relative.html', date: null }],
  ['cdata-unclosed-tags.xml', { entries: 3, title: 'CDATA with broken html', link: 'https://unclosed.example.com/1', date: null }],
  ['billion-laughs.xml', 'reject'],
  ['xxe.xml', 'reject'],
  ['html-page-with-alternates.html', 'reject'],
  ['plain-text.txt', 'reject'],
  ['opml-not-a-feed.xml', 'reject'],
];

const absolute = (href: unknown): string | null => {
  if (typeof href !== 'string' || href.trim() === '') return null;
  try {
    return new URL(href.trim(), FEED_URL).href;
  } catch {
    return null;
  }
};
const iso = (raw: unknown): string | null => (typeof raw === 'string' ? (parseDate(raw)?.toISOString() ?? null) : null);
// Titles compared after whitespace (and no-break space) collapsing only.
const text = (v: unknown): string | null => (typeof v === 'string' ? v.replace(/\s+/g, ' ').trim() || null : null);

const ours: Candidate = async (t) => {
  const r = parseFeed(t, FEED_URL);
  if (r.kind === 'error') throw new Error(r.message);
  const e = r.feed.entries[0];
  return { entries: r.feed.entries.length, title: e?.title ?? null, link: e?.link ?? null, date: (e?.published ?? e?.updated)?.toISOString() ?? null };
};

const rssParser = new RssParser();
const rssParserCandidate: Candidate = async (t) => {
  const feed = await rssParser.parseString(t);
  const e = feed.items[0] as Record<string, unknown> | undefined;
  return { entries: feed.items.length, title: text(e?.title), link: absolute(e?.link), date: typeof e?.isoDate === 'string' ? new Date(e.isoDate).toISOString() : null };
};

type Obj = Record<string, unknown>;
const o = (v: unknown): Obj => (typeof v === 'object' && v !== null ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const feedsmithCandidate: Candidate = async (t) => {
  const { format, feed } = feedsmithParse(t) as { format: string; feed: unknown };
  const f = o(feed);
  if (format === 'atom') {
    const e = o(arr(f.entries)[0]);
    const links = arr(e.links).map(o);
    const alt = links.find((l) => (l.rel ?? 'alternate') === 'alternate' && (l.type === undefined || l.type === 'text/html')) ?? links[0];
    return { entries: arr(f.entries).length, title: text(o(e.title).value ?? e.title), link: absolute(alt?.href), date: iso(e.published ?? e.updated) };
  }
  if (format === 'json') {
    const e = o(arr(f.items)[0]);
    return { entries: arr(f.items).length, title: text(e.title), link: absolute(e.url), date: iso(e.date_published ?? e.date_modified) };
  }
  const e = o(arr(f.items)[0]);
  return { entries: arr(f.items).length, title: text(e.title), link: absolute(e.link), date: iso(e.pubDate ?? arr(o(e.dc).dates)[0]) };
};

async function score(name: string, candidate: Candidate): Promise<void> {
  let passed = 0;
  const failures: string[] = [];
  for (const [fixture, expected] of CASES) {
    const decoded = decodeBody(readFileSync(FIXTURES + fixture), null);
    const input = decoded.kind === 'ok' ? decoded.text : '';
    const started = performance.now();
    let got: Summary | Error;
    try {
      got = await candidate(input);
    } catch (err) {
      got = err as Error;
    }
    const ms = performance.now() - started;
    const ok =
      expected === 'reject'
        ? got instanceof Error && ms < 1000
        : !(got instanceof Error) && JSON.stringify(got) === JSON.stringify(expected);
    if (ok) passed++;
    else failures.push(`${fixture}: ${got instanceof Error ? `threw ${got.message.split('\n')[0]?.slice(0, 70)}` : JSON.stringify(got).slice(0, 160)}`);
  }
  // Parse time of a typical 20-entry blog feed (RSS 2.0, ~2 KB of escaped HTML per entry).
  const feed20 = `<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Twenty</title><link>https://t.example/</link>${Array.from(
    { length: 20 },
    (_, i) =>
      `<item><title>Post ${i} &amp; more</title><link>https://t.example/${i}</link><guid>https://t.example/${i}</guid><pubDate>Tue, 13 Jan 2015 10:00:00 GMT</pubDate><description>Summary ${i}</description><content:encoded><![CDATA[${'<p>Some <a href="/x">content</a> here.</p>'.repeat(45)}]]></content:encoded></item>`,
  ).join('')}</channel></rss>`;
  for (let i = 0; i < 50; i++) await candidate(feed20);
  const runs = 300;
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) await candidate(feed20);
  const perFeed = (performance.now() - t0) / runs;
  console.log(`${name}: ${passed}/${CASES.length} fixtures; 20-entry feed (${Math.round(feed20.length / 1024)} KiB) ${perFeed.toFixed(2)} ms`);
  for (const f of failures) console.log(`  ✗ ${f}`);
}

await score('rss-parser 3.13.0', rssParserCandidate);
await score('feedsmith 3.0.1', feedsmithCandidate);
await score('parseFeed (htmlparser2 + own mapping)', ours);
console.log('');
await benchDates();
console.log('');
await benchParseThroughput({ log: (s) => console.log(s) });
