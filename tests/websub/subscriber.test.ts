// The subscriber's pass steps and the delivery queue in one process, with the clock pinned: a real
// SQLite file, the real server answering the test hub's verifications on 127.0.0.1, and the hub
// misbehaving on demand (refusing, verifying the wrong topic, unreachable, stalling).
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig, type Config } from '../../src/config.js';
import { getFeed, insertFeed, listDueFeeds, recordFetchSuccess, removeFeed } from '../../src/db/feeds.js';
import { countQueuedDeliveries, currentSubscriptions, listSubscriptions } from '../../src/db/websub.js';
import { buildServer } from '../../src/http/app.js';
import { runFetchPass } from '../../src/pass/run-pass.js';
import { acceptDelivery } from '../../src/websub/callbacks.js';
import { storeQueuedDeliveries } from '../../src/websub/deliveries.js';
import { hubContext } from '../../src/websub/hub-context.js';
import { postToHub } from '../../src/websub/hub-request.js';
import { publishChangedFeeds } from '../../src/websub/publisher.js';
import {
  MAX_UNSUBSCRIBE_ATTEMPTS,
  pushState,
  RETRY_AFTER_DENIAL_MS,
  renewLeases,
  skipPushedFeeds,
  subscribeDiscoveredHubs,
  unsubscribeRemovedFeeds,
  VERIFY_TIMEOUT_MS,
} from '../../src/websub/subscriber.js';
import { startWebsubHub, type WebsubHub } from '../helpers/websub-hub.js';
import { atomFeed, freePort } from '../helpers/websub-planet.js';
import { serveFeed, startFeedServer } from '../helpers/feed-server.js';
import { tempPlanet, type TempPlanet } from '../helpers/temp-planet.js';

const T0 = Date.UTC(2026, 2, 1, 12);
let clock = T0;
const now = () => clock;

let hub: WebsubHub;
let planet: TempPlanet;
let config: Config;
let app: FastifyInstance;
let port: number;

beforeAll(async () => {
  hub = await startWebsubHub({ leaseSeconds: 86_400 });
  port = await freePort();
});
afterAll(async () => {
  await hub.close();
});

async function startPlanet(websub: Record<string, unknown> = {}, fetch: Record<string, unknown> = {}, filters?: Record<string, unknown>) {
  planet = tempPlanet({
    planet: { link: `http://127.0.0.1:${port}/` },
    fetch: { allow_private_addresses: true, timeout_seconds: 2, ...fetch },
    websub: { callback_base: `http://127.0.0.1:${port}`, ...websub },
    ...(filters ? { filters } : {}),
  });
  config = planet.config;
  app = await buildServer({ db: planet.db, config, now });
  await app.listen({ host: '127.0.0.1', port });
}

beforeEach(() => {
  clock = T0;
  hub.refuseWith = null;
  hub.verifyWithTopic = null;
  hub.denyTopics.clear();
});
afterEach(async () => {
  await app?.close();
  planet?.cleanup();
});

function subscribedFeed(url = `https://blog.example/${Math.random().toString(36).slice(2)}.xml`) {
  const feed = insertFeed(planet.db, { url }, clock);
  recordFetchSuccess(planet.db, feed.id, { at: clock, httpStatus: 200, etag: null, lastModified: null, nextFetchAt: clock });
  return getFeed(planet.db, feed.id)!;
}

const discovered = (feedId: number, hubUrl = hub.url, self: string | null = null) => [{ feed_id: feedId, websub: { hubs: [hubUrl], self } }];
const sub = (feedId: number) => currentSubscriptions(planet.db).get(feedId);

describe('subscribing', () => {
  it('goes through the address guard: a hub on a loopback address is refused unless private addresses are allowed', async () => {
    await startPlanet({}, { allow_private_addresses: false });
    const feed = subscribedFeed();
    const before = hub.requests.length;
    const [r] = await subscribeDiscoveredHubs(planet.db, config, discovered(feed.id), hubContext(config, now));
    expect(r).toMatchObject({ mode: 'subscribe', outcome: 'error' });
    expect(r!.error).toMatch(/^websub: hub 127\.0\.0\.1 is a loopback address \(set fetch\.allow_private_addresses to allow\)/);
    expect(hub.requests.length).toBe(before);
    expect(sub(feed.id)).toMatchObject({ state: 'lapsed' });
    expect(pushState(sub(feed.id), clock)).toBeNull();
  });

  it('a hub that refuses the request (4xx) is a denial, not asked again for a day', async () => {
    await startPlanet();
    const feed = subscribedFeed();
    hub.refuseWith = 403;
    const ctx = hubContext(config, now);
    const [r] = await subscribeDiscoveredHubs(planet.db, config, discovered(feed.id), ctx);
    expect(r).toMatchObject({ outcome: 'error', http_status: 403 });
    expect(pushState(sub(feed.id), clock)).toBe('denied');
    expect(sub(feed.id)!.reason).toBe('websub: hub answered HTTP 403 Forbidden: subscriptions are closed');
    clock += RETRY_AFTER_DENIAL_MS - 60_000;
    expect(await subscribeDiscoveredHubs(planet.db, config, discovered(feed.id), ctx)).toEqual([]);
    hub.refuseWith = null;
    clock += 120_000;
    const [again] = await subscribeDiscoveredHubs(planet.db, config, discovered(feed.id), ctx);
    expect(again).toMatchObject({ outcome: 'ok', http_status: 202 });
    await hub.waitFor(() => sub(feed.id)?.state === 'active', 5000, 'the new subscription to be verified');
  });

  it('a verification for another topic is refused; the request stays pending, then lapses and the feed is polled as usual', async () => {
    await startPlanet();
    const feed = subscribedFeed();
    hub.verifyWithTopic = 'https://elsewhere.example/feed.xml';
    await subscribeDiscoveredHubs(planet.db, config, discovered(feed.id), hubContext(config, now));
    await hub.waitFor(() => hub.verifications.some((v) => v.topic === 'https://elsewhere.example/feed.xml'), 5000, 'the verification');
    expect(hub.verifications.at(-1)).toMatchObject({ status: 404, confirmed: false });
    expect(pushState(sub(feed.id), clock)).toBe('pending');
    // Pending does not defer polling.
    expect(skipPushedFeeds(planet.db, config, listDueFeeds(planet.db, clock), clock).map((f) => f.id)).toContain(feed.id);
    clock += VERIFY_TIMEOUT_MS + 1000;
    expect(await renewLeases(planet.db, config, hubContext(config, now))).toEqual([]);
    expect(sub(feed.id)).toMatchObject({ state: 'lapsed', reason: 'the hub did not verify the subscription within 15 minutes' });
    expect(pushState(sub(feed.id), clock)).toBeNull();
  });

  it('an active subscription keeps a feed out of passes until websub.poll_hours have passed, or its lease ran out', async () => {
    await startPlanet({ poll_hours: 6 });
    const polled = subscribedFeed();
    const other = subscribedFeed();
    await subscribeDiscoveredHubs(planet.db, config, discovered(polled.id), hubContext(config, now));
    await hub.waitFor(() => sub(polled.id)?.state === 'active', 5000, 'verification');
    const due = (at: number) => skipPushedFeeds(planet.db, config, listDueFeeds(planet.db, at), at).map((f) => f.id);
    expect(due(clock + 60_000)).toEqual([other.id]);
    expect(due(clock + 6 * 3_600_000 + 1000)).toEqual([polled.id, other.id]);
    // Lease of one day: once it has run out, polled on every pass again.
    recordFetchSuccess(planet.db, polled.id, { at: clock + 86_400_000, httpStatus: 200, etag: null, lastModified: null, nextFetchAt: clock + 86_400_000 });
    expect(due(clock + 86_400_000 + 1000)).toEqual([polled.id, other.id]);
  });

  it('a feed that stops naming its hub is unsubscribed from it', async () => {
    await startPlanet();
    const feed = subscribedFeed();
    const ctx = hubContext(config, now);
    await subscribeDiscoveredHubs(planet.db, config, discovered(feed.id), ctx);
    await hub.waitFor(() => sub(feed.id)?.state === 'active', 5000, 'verification');
    const callback = sub(feed.id)!.callback;
    expect(await subscribeDiscoveredHubs(planet.db, config, [{ feed_id: feed.id, websub: null }], ctx)).toEqual([]);
    const [r] = await unsubscribeRemovedFeeds(planet.db, config, ctx);
    expect(r).toMatchObject({ mode: 'unsubscribe', outcome: 'ok' });
    expect(hub.requests.at(-1)).toMatchObject({ mode: 'unsubscribe', callback });
    await hub.waitFor(() => listSubscriptions(planet.db).length === 0, 5000, 'the unsubscription to be verified');
  });
});

describe('unsubscribing from a hub that cannot be reached', () => {
  let dead: Server;
  let deadUrl: string;
  beforeAll(async () => {
    dead = createServer((_req, res) => res.writeHead(503).end('down for maintenance'));
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    deadUrl = `http://127.0.0.1:${(dead.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((r) => dead.close(() => r())));

  it(`tries ${MAX_UNSUBSCRIBE_ATTEMPTS} times, one pass apart, then forgets the subscription`, async () => {
    await startPlanet();
    const feed = subscribedFeed();
    const ctx = hubContext(config, now);
    await subscribeDiscoveredHubs(planet.db, config, discovered(feed.id), ctx);
    await hub.waitFor(() => sub(feed.id)?.state === 'active', 5000, 'verification');
    // The hub moved away meanwhile: the stored hub URL now answers 503.
    planet.db.prepare('UPDATE websub_subscriptions SET hub = ?').run(deadUrl);
    removeFeed(planet.db, feed.id, { purge: true });
    for (let i = 1; i <= MAX_UNSUBSCRIBE_ATTEMPTS; i++) {
      const [r] = await unsubscribeRemovedFeeds(planet.db, config, ctx);
      expect(r).toMatchObject({ outcome: 'error', http_status: 503 });
      expect(listSubscriptions(planet.db)).toMatchObject([{ state: 'unsubscribing', attempts: i, feedId: null }]);
    }
    expect(await unsubscribeRemovedFeeds(planet.db, config, ctx)).toEqual([]);
    expect(listSubscriptions(planet.db)).toEqual([]);
  });

  it('a hub that fails never fails a pass, and publish pings are bounded in time and tries', async () => {
    let stalls = 0;
    const stall = createServer(() => void stalls++); // accepts, never answers
    await new Promise<void>((r) => stall.listen(0, '127.0.0.1', r));
    try {
      const stallUrl = `http://127.0.0.1:${(stall.address() as AddressInfo).port}/`;
      await startPlanet({ hub: stallUrl }, { timeout_seconds: 1 });
      const feed = subscribedFeed();
      const started = performance.now();
      const reports = await publishChangedFeeds(planet.db, config, [feed.id], hubContext(config, now));
      expect(reports).toHaveLength(3); // /atom.xml, /rss.xml, /feed.json
      for (const r of reports) expect(r).toMatchObject({ mode: 'publish', outcome: 'error', error: expect.stringMatching(/did not answer within 1 s/) });
      expect(stalls).toBe(6); // two tries each
      expect(performance.now() - started).toBeLessThan(6000);

      const down = await postToHub(deadUrl, { 'hub.mode': 'publish' }, hubContext(config, now).request);
      expect(down).toMatchObject({ kind: 'error', status: 503, message: 'websub: hub answered HTTP 503 Service Unavailable: down for maintenance' });
      // A whole pass that changed the merged feed, its hub down: the pass runs and reports what failed.
      const blog = await startFeedServer({ '/feed.xml': serveFeed(atomFeed({ topic: 'https://blog.example/feed.xml', title: 'B', entries: [{ id: 'p1', title: 'P1', at: T0 - 1000 }] })) });
      try {
        const live = insertFeed(planet.db, { url: blog.url('/feed.xml') }, clock);
        const report = await runFetchPass(planet.db, parseConfig({ ...structuredClone(config), websub: { ...config.websub, hub: deadUrl } }), { feedIds: [live.id], now });
        expect(report.kind).toBe('ran');
        if (report.kind !== 'ran') return;
        expect(report.feeds).toMatchObject([{ outcome: 'ok', entries_new: 1 }]);
        expect(report.websub!.hub_requests.filter((r) => r.mode === 'publish').map((r) => r.outcome)).toEqual(['error', 'error', 'error']);
      } finally {
        await blog.close();
      }
    } finally {
      await new Promise<void>((r) => {
        stall.closeAllConnections();
        stall.close(() => r());
      });
    }
  }, 30_000);
});

describe('the delivery queue', () => {
  it('stores what a hub pushed through the same pipeline as a fetch; drops what cannot be read or whose feed is gone, without marking the feed failing', async () => {
    await startPlanet();
    const feed = subscribedFeed('https://blog.example/queued.xml');
    await subscribeDiscoveredHubs(planet.db, config, discovered(feed.id, hub.url, feed.url), hubContext(config, now));
    await hub.waitFor(() => sub(feed.id)?.state === 'active', 5000, 'verification');
    const s = sub(feed.id)!;
    const signed = (body: string) => `sha256=${createHmac('sha256', s.secret).update(body).digest('hex')}`;
    const doc = atomFeed({ topic: feed.url, title: 'Queued blog', entries: [{ id: 'q1', title: 'Queued post', at: T0 - 1000, content: '<p onclick="x()">hi<script>alert(1)</script></p>' }] });
    expect(acceptDelivery(planet.db, s.token, signed(doc), 'application/atom+xml', Buffer.from(doc), clock)).toMatchObject({ kind: 'queued' });
    expect(acceptDelivery(planet.db, s.token, signed('not a feed'), 'text/plain', Buffer.from('not a feed'), clock)).toMatchObject({ kind: 'queued' });
    expect(acceptDelivery(planet.db, s.token, 'sha256=00', 'application/atom+xml', Buffer.from(doc), clock)).toMatchObject({ kind: 'bad_signature' });
    expect(countQueuedDeliveries(planet.db)).toBe(2);

    const stored = await storeQueuedDeliveries(planet.db, config, { now });
    expect(stored.map((d) => d.outcome)).toEqual(['stored', 'unreadable']);
    expect(stored[1]!.error).toMatch(/^parse: not a feed/);
    const entry = planet.db.prepare('SELECT title, content_html FROM entries WHERE feed_id = ?').get(feed.id) as { title: string; content_html: string };
    expect(entry).toEqual({ title: 'Queued post', content_html: '<p>hi</p>' });
    expect(getFeed(planet.db, feed.id)).toMatchObject({ errorCount: 0, errorCode: null, title: 'Queued blog' });
    expect(countQueuedDeliveries(planet.db)).toBe(0);

    // The same content again is the same post: stored once.
    acceptDelivery(planet.db, s.token, signed(doc), 'application/atom+xml', Buffer.from(doc), clock);
    expect((await storeQueuedDeliveries(planet.db, config, { now }))[0]).toMatchObject({ outcome: 'stored', entries_new: 0, entries_updated: 0 });

    acceptDelivery(planet.db, s.token, signed(doc), 'application/atom+xml', Buffer.from(doc), clock);
    removeFeed(planet.db, feed.id, { purge: false });
    expect((await storeQueuedDeliveries(planet.db, config, { now }))[0]).toMatchObject({ outcome: 'dropped' });
  });

  it('applies the filter rules to pushed posts as to fetched ones: stored, hidden by the deciding rule', async () => {
    await startPlanet({}, {}, { exclude: ['title:sponsored'] });
    const feed = subscribedFeed('https://blog.example/filtered.xml');
    await subscribeDiscoveredHubs(planet.db, config, discovered(feed.id, hub.url, feed.url), hubContext(config, now));
    await hub.waitFor(() => sub(feed.id)?.state === 'active', 5000, 'verification');
    const s = sub(feed.id)!;
    const doc = atomFeed({ topic: feed.url, title: 'Filtered blog', entries: [{ id: 'a', title: 'A sponsored post', at: T0 - 2000 }, { id: 'b', title: 'A real post', at: T0 - 1000 }] });
    const signature = `sha256=${createHmac('sha256', s.secret).update(doc).digest('hex')}`;
    acceptDelivery(planet.db, s.token, signature, 'application/atom+xml', Buffer.from(doc), clock);
    expect((await storeQueuedDeliveries(planet.db, config, { now }))[0]).toMatchObject({ outcome: 'stored', entries_new: 2 });
    const rows = planet.db.prepare('SELECT title, filter_rule, filter_scope FROM entries WHERE feed_id = ? ORDER BY title').all(feed.id);
    expect(rows).toEqual([
      { title: 'A real post', filter_rule: null, filter_scope: null },
      { title: 'A sponsored post', filter_rule: 'title:sponsored', filter_scope: 'planet' },
    ]);
  });

  it('keeps the enclosures of a pushed post, resolved against the topic, as a fetch keeps them', async () => {
    await startPlanet();
    const feed = subscribedFeed('https://podcast.example/feed.xml');
    await subscribeDiscoveredHubs(planet.db, config, discovered(feed.id, hub.url, feed.url), hubContext(config, now));
    await hub.waitFor(() => sub(feed.id)?.state === 'active', 5000, 'verification');
    const s = sub(feed.id)!;
    const doc = `<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Pushed podcast</title>
  <id>${feed.url}</id>
  <updated>2026-03-01T11:00:00Z</updated>
  <entry>
    <id>tag:podcast.example,2026:ep1</id>
    <title>Episode 1</title>
    <updated>2026-03-01T11:00:00Z</updated>
    <link rel="alternate" href="/ep1"/>
    <link rel="enclosure" href="media/ep1.mp3" type="audio/mpeg" length="1234"/>
    <content type="html">&lt;p&gt;Show notes&lt;/p&gt;</content>
  </entry>
</feed>`;
    const signature = `sha256=${createHmac('sha256', s.secret).update(doc).digest('hex')}`;
    expect(acceptDelivery(planet.db, s.token, signature, 'application/atom+xml', Buffer.from(doc), clock)).toMatchObject({ kind: 'queued' });
    expect((await storeQueuedDeliveries(planet.db, config, { now }))[0]).toMatchObject({ outcome: 'stored', entries_new: 1 });
    const row = planet.db.prepare('SELECT link, enclosures FROM entries WHERE feed_id = ?').get(feed.id) as { link: string; enclosures: string | null };
    expect(row.link).toBe('https://podcast.example/ep1');
    expect(JSON.parse(row.enclosures ?? 'null')).toEqual([{ url: 'https://podcast.example/media/ep1.mp3', type: 'audio/mpeg', length: 1234, title: null }]);
  });
});
