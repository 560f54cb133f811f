// Parse throughput on one thread: MB/s of parseFeed alone and of parseFeed + sanitizeContent (what a
// worker does per fetched document), for feeds of 20, 200 and 2,000 entries in RSS, Atom and JSON Feed
// and a podcast-style RSS carrying every extension; against the baseline build in the same run,
// interleaved. Equal MB/s across the sizes is what "parsing stays linear" looks like.
//
//   npm run build && npx tsx bench/parse-throughput.ts    (also the last part of bench/parsers.ts)
//   BASELINE=/path/to/checkout               whose dist/pipeline/{parse,sanitize}.js are "before"
// Both sides run as tsc compiled them (dist/): run through tsx, the sources are slower (esbuild's
// keepNames wraps every closure), which would be measured as ours.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseFeed } from '../src/pipeline/parse/index.js';
import { sanitizeContent } from '../src/pipeline/sanitize.js';
import { generateEntries, renderFeed } from '../tests/helpers/feed-gen.js';

interface Parsed {
  kind: string;
  feed?: { entries: { contentHtml: string | null; summaryHtml: string | null; baseUrl: string }[] };
}
interface Impl {
  name: string;
  parse: (text: string, url: string) => Parsed;
  sanitize: (html: string, base: string) => string;
}

const URL_ = 'https://bench.example.org/feed.xml';

/** RSS 2.0 as podcasts and WordPress write it: dc, content, itunes, media, atom and enclosures on every item. */
function extensionsFeed(count: number): string {
  const items = generateEntries(3, count, 'https://pod.example.org')
    .map(
      (e, i) =>
        `<item><title>${e.title}</title><link>${e.link}</link><guid>${e.id}</guid><pubDate>${e.date.toUTCString()}</pubDate>` +
        `<dc:creator>${e.author}</dc:creator><itunes:author>${e.author}</itunes:author><itunes:summary>Episode ${i} notes</itunes:summary>` +
        `<description>Episode ${i}</description><content:encoded><![CDATA[${e.html}]]></content:encoded>` +
        `<enclosure url="https://pod.example.org/${i}.mp3" length="${1e6 + i}" type="audio/mpeg"/>` +
        `<media:content url="https://pod.example.org/${i}.mp3" fileSize="${1e6 + i}" type="audio/mpeg"/>` +
        `<media:content url="https://pod.example.org/${i}.jpg" medium="image"/><atom:link rel="enclosure" href="https://pod.example.org/${i}.pdf" type="application/pdf"/></item>`,
    )
    .join('\n');
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/" ` +
    `xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:media="http://search.yahoo.com/mrss/" xmlns:atom="http://www.w3.org/2005/Atom">` +
    `<channel><title>Pod</title><link>https://pod.example.org/</link><lastBuildDate>Tue, 13 Jan 2015 10:00:00 GMT</lastBuildDate>\n${items}\n</channel></rss>`
  );
}

export function documents(): { name: string; entries: number; text: string }[] {
  const docs: { name: string; entries: number; text: string }[] = [];
  for (const entries of [20, 200, 2000]) {
    for (const format of ['rss', 'atom', 'json'] as const) {
      docs.push({ name: format, entries, text: renderFeed(format, `Bench ${format}`, 'https://bench.example.org', generateEntries(1, entries, 'https://bench.example.org')).body });
    }
    docs.push({ name: 'rss + extensions', entries, text: extensionsFeed(entries) });
  }
  return docs;
}

/** MB/s of `work` over `bytes`, best of `rounds` rounds of at least `minMs` each. */
function measure(work: () => void, bytes: number, rounds: number, minMs: number): number {
  let best = 0;
  for (let r = 0; r < rounds; r++) {
    let n = 0;
    const t0 = performance.now();
    let elapsed = 0;
    do {
      work();
      n++;
      elapsed = performance.now() - t0;
    } while (elapsed < minMs);
    best = Math.max(best, (bytes * n) / 1e6 / (elapsed / 1000));
  }
  return best;
}

async function loadBuild(root: string, name: string): Promise<Impl | null> {
  const parseJs = path.join(root, 'dist', 'pipeline', 'parse.js');
  const parseDir = path.join(root, 'dist', 'pipeline', 'parse', 'index.js');
  const parsePath = existsSync(parseJs) ? parseJs : existsSync(parseDir) ? parseDir : null;
  const sanitizePath = path.join(root, 'dist', 'pipeline', 'sanitize.js');
  if (!parsePath || !existsSync(sanitizePath)) return null;
  const p = (await import(pathToFileURL(parsePath).href)) as { parseFeed: Impl['parse'] };
  const s = (await import(pathToFileURL(sanitizePath).href)) as { sanitizeContent: Impl['sanitize'] };
  return { name, parse: p.parseFeed, sanitize: s.sanitizeContent };
}

export async function benchParseThroughput(opts: { log: (s: string) => void; baseline?: string; rounds?: number }): Promise<void> {
  const built = await loadBuild(path.join(import.meta.dirname, '..'), 'now');
  const impls: Impl[] = [built ?? { name: 'now', parse: parseFeed as Impl['parse'], sanitize: sanitizeContent }];
  const baselineRoot = opts.baseline ?? process.env.BASELINE;
  const baseline = baselineRoot ? await loadBuild(baselineRoot, 'baseline') : null;
  if (baseline) impls.push(baseline);
  const rounds = opts.rounds ?? 5;
  opts.log(
    `parse throughput, one thread, MB/s (best of ${rounds} rounds of ≥ 200 ms, interleaved; now: ${built ? 'dist/' : 'sources through tsx (run npm run build for the compiled code)'}; baseline: ${baseline ? baselineRoot : 'not found'})\n`,
  );
  opts.log('| document | entries | size | parse now | parse before | ratio | parse + sanitize now | before | ratio |');
  opts.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const doc of documents()) {
    const bytes = Buffer.byteLength(doc.text);
    const parseOnly = new Map<string, number>();
    const withSanitize = new Map<string, number>();
    for (const impl of impls) {
      const check = impl.parse(doc.text, URL_);
      if (check.kind !== 'ok' || !check.feed || check.feed.entries.length !== doc.entries) throw new Error(`${impl.name} misread ${doc.name} ${doc.entries}`);
      measure(() => void impl.parse(doc.text, URL_), bytes, 1, 100); // warm-up: JIT, ICU tables
    }
    // Interleaved: each round runs every implementation once, so load on the machine hits both alike.
    for (let r = 0; r < rounds; r++) {
      for (const impl of impls) {
        parseOnly.set(impl.name, Math.max(parseOnly.get(impl.name) ?? 0, measure(() => void impl.parse(doc.text, URL_), bytes, 1, 200)));
        const full = () => {
          const parsed = impl.parse(doc.text, URL_);
          for (const e of parsed.feed!.entries) {
            if (e.contentHtml) impl.sanitize(e.contentHtml, e.baseUrl);
            if (e.summaryHtml) impl.sanitize(e.summaryHtml, e.baseUrl);
          }
        };
        withSanitize.set(impl.name, Math.max(withSanitize.get(impl.name) ?? 0, measure(full, bytes, 1, 200)));
      }
    }
    const f = (v: number | undefined) => (v === undefined ? '–' : v.toFixed(1));
    const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? '–' : `${(a / b).toFixed(2)}×`);
    const [pn, pb, sn, sb] = [parseOnly.get('now'), parseOnly.get('baseline'), withSanitize.get('now'), withSanitize.get('baseline')];
    opts.log(`| ${doc.name} | ${doc.entries} | ${(bytes / 1e6).toFixed(2)} MB | ${f(pn)} | ${f(pb)} | ${ratio(pn, pb)} | ${f(sn)} | ${f(sb)} | ${ratio(sn, sb)} |`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await benchParseThroughput({ log: (s) => console.log(s), rounds: Number(process.env.ROUNDS ?? 5) });
}
