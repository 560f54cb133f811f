// A planet that shows every case a reader or an admin meets, for the browser checks (tests/e2e/
// experience.e2e.test.ts) and bench/lighthouse.ts: the built `planet serve --no-fetch` over a
// fixture blog server, after one real `planet fetch`. Several pages of posts under day headings,
// a scrolling code block, long words in titles, a configured face that is not square, an inactive
// and a broken feed, a tag, a blog home page advertising two feeds, a reading list, a feed pushed
// by a WebSub hub, and an admin account.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { hashPassword } from '../../src/admin/passwords.js';
import { insertAdmin } from '../../src/db/admins.js';
import { listFeeds } from '../../src/db/feeds.js';
import { openDb } from '../../src/db/open.js';
import { confirmSubscription, startSubscription } from '../../src/db/websub.js';
import { serveFeed, startFeedServer, type FeedServer, type RouteHandler } from './feed-server.js';
import { runPlanet, serveAddress, startPlanetProcess, type Running } from './processes.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
export const SHOWCASE_ADMIN = { username: 'alice', password: 'a long and hard-to-guess password' };
/** A word longer than a phone is wide, as blogs do write them (German compounds, URLs, hashes). */
export const LONG_WORD = 'Donaudampfschifffahrtsgesellschaftskapitänsmützenabzeichenherstellungsbetrieb';
export const SEARCH_QUERY = LONG_WORD;

export interface Showcase {
  url: string;
  feedServer: FeedServer;
  /** Feed ids by fixture name. */
  feeds: Record<'ada' | 'grace' | 'linus' | 'quiet' | 'broken', number>;
  tag: string;
  work: string;
  configPath: string;
  stderr(): string;
  close(): Promise<void>;
}

export interface ShowcaseOptions {
  language?: string;
  timezone?: string;
  /** Extra environment for the server (e.g. LOG_LEVEL). */
  env?: NodeJS.ProcessEnv;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const paragraph = (who: string, i: number) =>
  `<p>Post ${i} from ${who}. Notes on soldering, compilers and the ${i % 2 ? 'weather' : 'garden'}, written for the community. ${'A sentence that carries the paragraph along for a while. '.repeat(3)}</p>`;

function rss(base: string, now: number, n: number, offsetHours: number): string {
  const items = Array.from({ length: n }, (_, i) => {
    const at = new Date(now - (i * 9 + offsetHours) * HOUR);
    const title = i === 1 ? `On the ${LONG_WORD}` : `Ada's workshop notes, part ${n - i}`;
    const code = i === 0 ? `<pre><code>${esc('const aLineOfCodeThatIsMuchWiderThanAnyPhone = computeTheThing(withArgumentOne, withArgumentTwo, andAThirdOne);')}</code></pre>` : '';
    const img = i === 2 ? `<p><img src="${base}/img/chart.svg" alt="A line chart of solder joints per hour" width="640" height="240"></p>` : '';
    const body = `${paragraph('Ada', i)}${code}${img}${i === 1 ? `<p>The ${LONG_WORD} makes badges.</p>` : ''}`;
    return `<item><title>${esc(title)}</title><link>${base}/ada/${i}</link><guid isPermaLink="false">ada-${i}</guid><dc:creator>Ada Lovelace</dc:creator><pubDate>${at.toUTCString()}</pubDate><description>${esc(body)}</description></item>`;
  }).join('\n');
  return `<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Ada's Workshop</title><link>${base}/ada/</link><description>Soldering and software</description>${items}</channel></rss>`;
}

function atom(base: string, now: number, n: number, offsetHours: number, ageDays = 0, who = 'Grace Hopper', slug = 'grace'): string {
  const entries = Array.from({ length: n }, (_, i) => {
    const at = new Date(now - ageDays * DAY - (i * 9 + offsetHours) * HOUR);
    return `<entry><id>tag:${slug}.test,2024:${i}</id><title>${esc(`${who.split(' ')[0]}'s log, entry ${n - i}`)}</title><link href="${base}/${slug}/${i}"/><updated>${at.toISOString()}</updated><author><name>${esc(who)}</name></author><content type="html">${esc(paragraph(who, i))}</content></entry>`;
  }).join('\n');
  return `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><id>tag:${slug}.test,2024:feed</id><title>${esc(`${who}'s Log`)}</title><link href="${base}/${slug}/"/><updated>${new Date(now).toISOString()}</updated>${entries}</feed>`;
}

function jsonFeed(base: string, now: number, n: number, offsetHours: number): string {
  const items = Array.from({ length: n }, (_, i) => ({
    id: `${base}/linus/${i}`,
    url: `${base}/linus/${i}`,
    title: i === 0 ? `Release notes: ${LONG_WORD.toLowerCase()}` : `Kernel notes ${n - i}`,
    content_html: paragraph('Linus', i),
    date_published: new Date(now - (i * 9 + offsetHours) * HOUR).toISOString(),
    authors: [{ name: 'Linus T.' }],
  }));
  return JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 'Kernel Notes', home_page_url: `${base}/linus/`, items });
}

const svg = (body: string): RouteHandler => serveFeed(body, { contentType: 'image/svg+xml' });

export async function startShowcase(options: ShowcaseOptions = {}): Promise<Showcase> {
  const now = Date.now();
  const feedServer = await startFeedServer();
  const base = feedServer.origin;
  feedServer.route('/ada.xml', serveFeed(rss(base, now, 14, 1), { contentType: 'application/rss+xml' }));
  feedServer.route('/grace.atom', serveFeed(atom(base, now, 10, 4), { contentType: 'application/atom+xml' }));
  feedServer.route('/linus.json', serveFeed(jsonFeed(base, now, 8, 7), { contentType: 'application/feed+json' }));
  feedServer.route('/quiet.atom', serveFeed(atom(base, now, 3, 2, 200, 'Quentin Quiet', 'quiet'), { contentType: 'application/atom+xml' }));
  // /broken.xml is not routed: 404, a broken feed.
  feedServer.route('/img/chart.svg', svg('<svg xmlns="http://www.w3.org/2000/svg" width="640" height="240" viewBox="0 0 640 240"><rect width="640" height="240" fill="#cde"/><polyline points="0,200 160,120 320,160 480,40 640,80" fill="none" stroke="#357" stroke-width="6"/></svg>'));
  // A wide face: it must be cropped to the square box, not squashed.
  feedServer.route('/img/grace.svg', svg('<svg xmlns="http://www.w3.org/2000/svg" width="96" height="48" viewBox="0 0 96 48"><rect width="96" height="48" fill="#2a6"/><circle cx="48" cy="20" r="10" fill="#fff"/><rect x="30" y="32" width="36" height="16" rx="8" fill="#fff"/></svg>'));
  // A blog home page advertising two feeds: the admin's add-feed preview offers both.
  feedServer.route('/workshop/', serveFeed(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>The Workshop</title>
<link rel="alternate" type="application/rss+xml" title="The Workshop (RSS)" href="/workshop/rss.xml">
<link rel="alternate" type="application/atom+xml" title="The Workshop (Atom)" href="/workshop/atom.xml"></head>
<body><h1>The Workshop</h1></body></html>`,
    { contentType: 'text/html; charset=utf-8' },
  ));
  feedServer.route('/workshop/rss.xml', serveFeed(rss(base, now, 3, 30), { contentType: 'application/rss+xml' }));
  feedServer.route('/workshop/atom.xml', serveFeed(atom(base, now, 3, 30, 0, 'Wanda Workshop', 'workshop'), { contentType: 'application/atom+xml' }));
  feedServer.route('/list.opml', serveFeed(
    `<?xml version="1.0"?><opml version="2.0"><head><title>Community list</title></head><body><outline type="rss" text="Kernel Notes" xmlUrl="${base}/linus.json"/></body></opml>`,
    { contentType: 'text/x-opml' },
  ));

  const work = mkdtempSync(path.join(tmpdir(), 'planet-showcase-'));
  const dbPath = path.join(work, 'planet.db');
  const configPath = path.join(work, 'planet.yaml');
  writeFileSync(
    configPath,
    stringify({
      planet: {
        name: 'Planet Showcase',
        link: 'http://127.0.0.1/',
        description: 'Posts from the blogs of our community',
        timezone: options.timezone ?? 'Europe/Berlin',
        language: options.language ?? 'en',
      },
      server: { host: '127.0.0.1', port: 0 },
      database: dbPath,
      fetch: { allow_private_addresses: true, schedule: '0 0 1 1 *', new_feed_items: 100 },
      page: { items_per_page: 10, activity_threshold_days: 90 },
      retention: { keep_days: 100000, keep_per_feed: 100000 },
      feeds: [
        { url: `${base}/ada.xml`, tags: ['hardware'] },
        { url: `${base}/grace.atom`, face: `${base}/img/grace.svg`, tags: ['hardware'] },
        { url: `${base}/linus.json` },
        { url: `${base}/quiet.atom` },
        { url: `${base}/broken.xml`, name: 'A Broken Blog' },
      ],
      reading_lists: [{ url: `${base}/list.opml` }],
      // Visitors may suggest blogs: /suggest and the admin's queue are on the checked pages too.
      suggestions: { enabled: true },
    }),
  );
  const fetched = await runPlanet(['fetch', '--config', configPath], { PLANET_CONFIG: '' });
  if (fetched.code !== 0) throw new Error(`showcase: planet fetch failed:\n${fetched.stderr}`);

  const db = openDb(dbPath);
  const byUrl = new Map(listFeeds(db).map((f) => [f.url, f.id]));
  const id = (p: string) => byUrl.get(`${base}${p}`)!;
  const feeds = { ada: id('/ada.xml'), grace: id('/grace.atom'), linus: id('/linus.json'), quiet: id('/quiet.atom'), broken: id('/broken.xml') };
  insertAdmin(db, SHOWCASE_ADMIN.username, await hashPassword(SHOWCASE_ADMIN.password, { N: 1024, r: 8, p: 1 }));
  // Grace's feed is pushed by a hub: the admin feed page shows its WebSub state.
  const sub = startSubscription(db, { feedId: feeds.grace, hub: `${base}/hub`, topic: `${base}/grace.atom`, callback: 'http://127.0.0.1/websub/t', token: 'showcase-token', secret: 'showcase-secret' }, now);
  confirmSubscription(db, sub.id, 864_000, now);
  db.close();

  const server: Running = startPlanetProcess(['serve', '--no-fetch', '--config', configPath], { PLANET_CONFIG: '', PORT: '', ...options.env });
  let url: string;
  try {
    url = await serveAddress(server);
  } catch (err) {
    await feedServer.close();
    throw err;
  }
  return {
    url,
    feedServer,
    feeds,
    tag: 'hardware',
    work,
    configPath,
    stderr: server.stderr,
    async close() {
      if (server.child.exitCode === null) {
        server.child.kill('SIGTERM');
        await server.done;
      }
      await feedServer.close();
      rmSync(work, { recursive: true, force: true });
    },
  };
}
