// "Why isn't my post here?": every reason made to happen for real — feeds served over HTTP, real
// fetch passes into a real SQLite file — then asked through answerWhy, GET /why (HTML and JSON,
// rate-limited) and `planet why --json`; the feed's public page shows its health in words.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import type { CliIo } from '../../src/commands/common.js';
import { parseConfig, type Config } from '../../src/config.js';
import { findFeedByUrl, insertFeed } from '../../src/db/feeds.js';
import { buildServer } from '../../src/http/app.js';
import { WHY_LIMIT_PER_MINUTE } from '../../src/http/routes/reader.js';
import { runFetchPass } from '../../src/pass/run-pass.js';
import { createReaderSite } from '../../src/site/reader-site.js';
import { answerWhy, type WhyAnswer } from '../../src/site/why.js';
import { setEntryVisibility } from '../../src/subscriptions/service.js';
import { respondWith, serveFeed, startFeedServer, type FeedServer } from '../helpers/feed-server.js';
import { tempPlanet, type TempPlanet } from '../helpers/temp-planet.js';

const DAY = 86_400_000;
const now = Date.now();
const date = (ms: number) => new Date(ms).toUTCString();

interface Item { slug: string; title: string; at: number }
function rss(site: string, items: Item[], links: (i: Item) => string = (i) => `${site}/${i.slug}`): string {
  const body = items.map((i) => `<item><guid>${links(i)}</guid><link>${links(i)}</link><title>${i.title}</title><pubDate>${date(i.at)}</pubDate><description>About ${i.title}.</description></item>`).join('');
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>${site.replace('https://', '')}</title><link>${site}/</link>${body}</channel></rss>`;
}

// alpha: a new feed with more posts than new_feed_items (3): the oldest are its backlog.
const ALPHA = 'https://alpha.example';
const alphaItems: Item[] = [
  { slug: 'a5', title: 'Alpha five', at: now - 1 * 3_600_000 },
  { slug: 'a4', title: 'Alpha four', at: now - 2 * 3_600_000 },
  { slug: 'a3', title: 'Alpha three', at: now - 3 * 3_600_000 },
  { slug: 'a2', title: 'Alpha two', at: now - 4 * 3_600_000 },
  { slug: 'a1', title: 'Alpha one', at: now - 5 * 3_600_000 },
];
// beta: a filtered post, a post an admin hides, a post dated in the future.
const BETA = 'https://beta.example';
const betaItems: Item[] = [
  { slug: 'future', title: 'From the future', at: now + 30 * DAY },
  { slug: 'sponsored', title: 'Sponsored: shiny things', at: now - 5 * 3_600_000 },
  { slug: 'hidden', title: 'A post an admin hid', at: now - 6 * 3_600_000 },
];
// old: two old posts; retention keeps one per feed.
const OLD = 'https://old.example';
const oldItems: Item[] = [
  { slug: 'o2', title: 'Old two', at: now - 20 * DAY },
  { slug: 'o1', title: 'Old one', at: now - 30 * DAY },
];
// down: read once, then its server answers 500.
const DOWN = 'https://down.example';
const downItems: Item[] = [{ slug: 'd1', title: 'Down one', at: now - 7 * 3_600_000 }];

let server: FeedServer;
let planet: TempPlanet;
let config: Config;
let ids: Record<string, number>;
let app: FastifyInstance;

beforeAll(async () => {
  server = await startFeedServer({
    '/alpha.xml': serveFeed(rss(ALPHA, alphaItems), { contentType: 'application/rss+xml' }),
    '/beta.xml': serveFeed(rss(BETA, betaItems), { contentType: 'application/rss+xml' }),
    '/old.xml': serveFeed(rss(OLD, oldItems), { contentType: 'application/rss+xml' }),
    '/down.xml': serveFeed(rss(DOWN, downItems), { contentType: 'application/rss+xml' }),
    // team: a second feed that also carries alpha's newest post (a team blog re-publishing it).
    '/team.xml': serveFeed(rss('https://team.example', [alphaItems[0]!], () => `${ALPHA}/a5`), { contentType: 'application/rss+xml' }),
  });
  planet = tempPlanet();
  config = parseConfig({
    database: planet.dbPath,
    planet: { link: 'https://planet.example.org/', timezone: 'UTC' },
    fetch: { allow_private_addresses: true, new_feed_items: 3 },
    page: { items_per_page: 2 },
    retention: { keep_days: 10, keep_per_feed: 1 },
    filters: { exclude: ['title:sponsored'] },
  });
  ids = {};
  for (const name of ['alpha', 'beta', 'old', 'down']) ids[name] = insertFeed(planet.db, { url: server.url(`/${name}.xml`), tags: name === 'alpha' ? ['letters'] : [] }).id;
  const first = await runFetchPass(planet.db, config);
  if (first.kind !== 'ran' || first.feeds.some((f) => f.outcome !== 'ok')) throw new Error(JSON.stringify(first));
  // The team feed comes later: alpha has the post first, the team's copy is the duplicate.
  ids.team = insertFeed(planet.db, { url: server.url('/team.xml') }).id;
  await runFetchPass(planet.db, config, { feedIds: [ids.team] });
  const hidden = planet.db.prepare('SELECT id FROM entries WHERE link = ?').get(`${BETA}/hidden`) as { id: number };
  setEntryVisibility(planet.db, { username: 'alice', via: 'cli' }, hidden.id, true);
  server.route('/down.xml', respondWith(500, { body: 'oops' }));
  await runFetchPass(planet.db, config, { feedIds: [ids.down!] });
  app = await buildServer({ db: planet.db, config, fastPath: false });
  await app.ready();
});

afterAll(async () => {
  await app.close();
  planet.cleanup();
  await server.close();
});

const ask = (url: string) => answerWhy(planet.db, config, url);

describe('every reason, made to happen for real', () => {
  it('shown: its places (page of /, its blog, its tags)', () => {
    expect(ask(`${ALPHA}/a4`)).toMatchObject({ kind: 'post', shown: true, reason: null, feed: { id: ids.alpha, name: 'alpha.example' }, entries: [] });
    // The future post (dated as first seen) and a5 are newer: a4 is third on the front page (2 a page), second on its blog's.
    expect(ask(`${ALPHA}/a4`).places).toEqual(['/page/2', `/feed/${ids.alpha}`, '/tag/letters']);
    expect(ask(`${ALPHA}/a3`).places).toEqual(['/page/2', `/feed/${ids.alpha}/page/2`, '/tag/letters/page/2']);
  });

  it('shown, with the note that its date was in the future and it is shown as first seen', () => {
    const a = ask(`${BETA}/future`);
    expect(a).toMatchObject({ shown: true, reason: null });
    expect(a.detail).toMatch(/^It is on the planet: on the front page, dated .*\. Its date \(.*\) was in the future when it was first seen, so it is shown as first seen\.$/);
  });

  it('backlog: beyond a new feed\'s first fetch.new_feed_items posts', () => {
    expect(ask(`${ALPHA}/a1`)).toMatchObject({ kind: 'post', shown: false, reason: 'backlog', places: [] });
    expect(ask(`${ALPHA}/a2`).detail).toMatch(/^It was beyond the newest 3 posts taken from "alpha.example" when the feed was added \(fetch.new_feed_items: 3\)/);
  });

  it('expired: by retention', () => {
    expect(ask(`${OLD}/o1`)).toMatchObject({ shown: false, reason: 'expired' });
    expect(ask(`${OLD}/o1`).detail).toMatch(/older than 10 days and not among the 1 newest posts of "old.example"/);
    expect(ask(`${OLD}/o2`)).toMatchObject({ shown: true });
  });

  it('filtered: the rule and where it is set', () => {
    expect(ask(`${BETA}/sponsored`)).toMatchObject({ shown: false, reason: 'filtered', detail: 'A filter rule hid it: "title:sponsored", set planet-wide (the config file\'s filters:).' });
  });

  it('hidden_by_admin', () => {
    expect(ask(`${BETA}/hidden`)).toMatchObject({ shown: false, reason: 'hidden_by_admin' });
  });

  it('feed_failing: a post of a blog whose feed fails, since when and why', () => {
    const a = ask(`${DOWN}/d2-never-arrived`);
    expect(a).toMatchObject({ kind: 'unknown', shown: false, reason: 'feed_failing', feed: { id: ids.down } });
    expect(a.detail).toMatch(/^Its feed "down.example" <http:\/\/127\.0\.0\.1:\d+\/down\.xml> is failing: failing since .* UTC: its server answered HTTP 500 \(fetch: HTTP 500[^)]*\)\. Last read successfully on .*\. New posts arrive when it is read again\.$/);
    // A post it delivered before is still shown.
    expect(ask(`${DOWN}/d1`)).toMatchObject({ shown: true });
  });

  it('not_in_feed: not in the last document of its blog\'s feed, or of any feed', () => {
    const a = ask(`${ALPHA}/never-published`);
    expect(a).toMatchObject({ kind: 'unknown', shown: false, reason: 'not_in_feed', feed: { id: ids.alpha } });
    expect(a.detail).toMatch(/This URL is not in the last document of "alpha.example" <.*alpha.xml> \(read on .*, 5 posts\)/);
    expect(ask('https://nobody.example/post')).toMatchObject({ reason: 'not_in_feed', feed: null, detail: expect.stringContaining('no subscribed blog is on nobody.example') });
  });

  it('duplicate: a feed whose post is shown once, through the feed that had it first', () => {
    const team = ask(server.url('/team.xml'));
    expect(team).toMatchObject({ kind: 'feed', shown: true, reason: null, places: [`/feed/${ids.team}`] });
    expect(team.entries).toEqual([{ link: `${ALPHA}/a5`, title: 'Alpha five', shown: false, reason: 'duplicate', detail: 'It is shown once, through "alpha.example", which has the same permalink.' }]);
    // Asked by its permalink, the post is shown (through alpha).
    expect(ask(`${ALPHA}/a5`)).toMatchObject({ shown: true, feed: { id: ids.alpha } });
  });

  it('a feed URL: its health and every post of its last document with its state', () => {
    const beta = ask(server.url('/beta.xml'));
    expect(beta).toMatchObject({ kind: 'feed', shown: true, reason: null, feed: { id: ids.beta } });
    expect(beta.detail).toMatch(/^The feed is healthy\. Last read successfully on .*\. Its last document has 3 posts with a permalink; 1 of them is on the planet\.$/);
    expect(beta.entries.map((e) => [e.title, e.shown, e.reason])).toEqual([
      ['From the future', true, null],
      ['Sponsored: shiny things', false, 'filtered'],
      ['A post an admin hid', false, 'hidden_by_admin'],
    ]);
    const down = ask(server.url('/down.xml'));
    expect(down).toMatchObject({ kind: 'feed', shown: false, reason: 'feed_failing' });
    expect(down.detail).toMatch(/^Failing since .*: its server answered HTTP 500 \(fetch: HTTP 500[^)]*\)\. Last read successfully on/);
    const alpha = ask(server.url('/alpha.xml'));
    expect(alpha.entries.map((e) => e.reason)).toEqual([null, null, null, 'backlog', 'backlog']);
  });

  it('matches the permalink in its other spellings (https/http, a trailing slash, a fragment)', () => {
    expect(ask(`${ALPHA.replace('https:', 'http:')}/a3/#comments`)).toMatchObject({ kind: 'post', shown: true });
  });
});

describe('GET /why', () => {
  it('answers JSON with Accept: application/json, the contract\'s shape', async () => {
    const res = await app.inject({ method: 'GET', url: `/why?url=${encodeURIComponent(`${BETA}/sponsored`)}`, headers: { accept: 'application/json' } });
    expect(res.statusCode).toBe(200);
    const body = res.json() as WhyAnswer;
    expect(Object.keys(body).sort()).toEqual(['detail', 'entries', 'feed', 'kind', 'places', 'reason', 'shown', 'url']);
    expect(body).toMatchObject({ url: `${BETA}/sponsored`, kind: 'post', shown: false, reason: 'filtered', places: [], feed: { id: ids.beta, url: server.url('/beta.xml'), name: 'beta.example' }, entries: [] });
  });

  it('answers an HTML page by default, with the form and the reason in words', async () => {
    const res = await app.inject({ method: 'GET', url: `/why?url=${encodeURIComponent(`${ALPHA}/a1`)}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.body).toContain('<section class="answer answer-missing" data-reason="backlog">');
    expect(res.body).toContain('<h2>Beyond a new feed’s backlog</h2>');
    expect(res.body).toContain(`value="${ALPHA}/a1"`);
    const empty = await app.inject({ method: 'GET', url: '/why' });
    expect(empty.statusCode).toBe(200);
    expect(empty.body).toContain('<h1>Why isn’t my post here?</h1>');
    expect(empty.body).not.toContain('class="answer');
  });

  it('refuses what is not an http(s) URL with 400, in either form', async () => {
    const html = await app.inject({ method: 'GET', url: `/why?url=${encodeURIComponent('javascript:alert(1)')}` });
    expect(html.statusCode).toBe(400);
    expect(html.body).toContain('<p class="problem" role="alert">&quot;javascript:&quot; URLs are never on a planet');
    const json = await app.inject({ method: 'GET', url: '/why?url=not%20a%20url', headers: { accept: 'application/json' } });
    expect(json.statusCode).toBe(400);
    expect(json.json()).toMatchObject({ error: 'invalid url', field: 'url' });
  });

  it('never fetches anything', async () => {
    const before = server.requestCount;
    await app.inject({ method: 'GET', url: `/why?url=${encodeURIComponent(server.url('/alpha.xml'))}` });
    await app.inject({ method: 'GET', url: `/why?url=${encodeURIComponent(server.url('/not-subscribed.xml'))}` });
    expect(server.requestCount).toBe(before);
  });

  it(`is rate-limited per client: ${WHY_LIMIT_PER_MINUTE} a minute, then 429 with Retry-After`, async () => {
    const from = (ip: string) => app.inject({ method: 'GET', url: '/why?url=https%3A%2F%2Fx.example%2F', remoteAddress: ip, headers: { accept: 'application/json' } });
    for (let i = 0; i < WHY_LIMIT_PER_MINUTE; i++) expect((await from('192.0.2.7')).statusCode).toBe(200);
    const over = await from('192.0.2.7');
    expect(over.statusCode).toBe(429);
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    expect(over.json()).toMatchObject({ error: 'too many requests', reason: expect.stringMatching(/^Too many questions from your address: try again in \d+ seconds\.$/) });
    expect((await from('192.0.2.8')).statusCode).toBe(200);
  });
});

describe("the feed's public page", () => {
  it('shows its health in plain words and a link to /why for its URL', () => {
    const site = createReaderSite({ db: planet.db, config });
    const down = site.get(`/feed/${ids.down}`).body.toString('utf8');
    expect(down).toMatch(/<p class="feed-health"><span class="failing">Failing since [^<]* UTC: its server answered HTTP 500 \(fetch: HTTP 500[^)]*\)\.<\/span> Last read successfully on [^<]*\. <a href="\.\.\/why\?url=http%3A%2F%2F127\.0\.0\.1%3A\d+%2Fdown\.xml">Is a post missing\? Ask why<\/a><\/p>/);
    const alpha = site.get(`/feed/${ids.alpha}`).body.toString('utf8');
    expect(alpha).toMatch(/<p class="feed-health">Last read successfully on [^<]*\. <a href="\.\.\/why\?url=/);
    expect(alpha).not.toContain('class="failing"');
  });
});

describe('planet why', () => {
  it('--json prints the same answer; the text form names the reason', async () => {
    const configPath = path.join(planet.dir, 'planet.yaml');
    writeFileSync(configPath, JSON.stringify({ database: planet.dbPath, fetch: { new_feed_items: 3 }, page: { items_per_page: 2 }, retention: { keep_days: 10, keep_per_feed: 1 }, filters: { exclude: ['title:sponsored'] } }));
    const run = async (...argv: string[]) => {
      let out = '';
      let err = '';
      const io: CliIo = { out: (t) => void (out += `${t}\n`), err: (t) => void (err += `${t}\n`), readStdin: async () => '', env: {} };
      return { code: await runCli([...argv, '--config', configPath], io), out, err };
    };
    const json = await run('why', `${BETA}/hidden`, '--json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toMatchObject({ kind: 'post', shown: false, reason: 'hidden_by_admin', feed: { id: ids.beta } });
    const text = await run('why', `${OLD}/o1`);
    expect(text.out).toMatch(/^Expired by retention \(expired\)\nIt expired by retention/);
    const bad = await run('why', 'ftp://x/');
    expect(bad).toMatchObject({ code: 2, err: expect.stringMatching(/^planet why: "ftp:\/\/x\/": "ftp:" URLs are never on a planet/) });
    expect(findFeedByUrl(planet.db, server.url('/alpha.xml'))).toBeDefined();
  });
});
