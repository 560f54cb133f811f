// WebSub end to end: the real `planet serve` (built bin) subscribing at a real hub written for the
// tests (tests/helpers/websub-hub.ts), real feeds on 127.0.0.1, and `planet fetch` passes run next
// to it: discovery, verification of intent, content distribution with good and bad signatures, a
// push during a pass, denial, leases that lapse and are renewed, unsubscription, publish pings.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFeedServer, type FeedServer } from '../helpers/feed-server.js';
import { runPlanet, serveAddress, startPlanetProcess, type Running } from '../helpers/processes.js';
import { startWebsubHub, type HubAlgorithm, type WebsubHub } from '../helpers/websub-hub.js';
import { atomFeed, freePort, writeWebsubConfig, type FixtureEntry } from '../helpers/websub-planet.js';

const STARTUP_MS = 30_000;
const TEN_DAYS = 864_000;

let dir: string;
let feeds: FeedServer;
let hub: WebsubHub;
/** A second hub granting 15-second leases, for feed E. */
let shortHub: WebsubHub;
let serve: Running;
let base: string;
let configPath: string;
let dbPath: string;

/** Each fixture feed's entries; a feed's route serves its current document. */
const docs = new Map<string, { hub?: string; linkHeaderHub?: string; entries: FixtureEntry[]; delayMs?: number }>();
let clock = Date.UTC(2026, 0, 1);
const entry = (id: string, title: string): FixtureEntry => ({ id, title, at: (clock += 60_000) });

function document(name: string): string {
  const d = docs.get(name)!;
  return atomFeed({ topic: feeds.url(`/${name}.xml`), hub: d.hub, title: `Blog ${name}`, entries: d.entries });
}

function serveDoc(name: string) {
  feeds.route(`/${name}.xml`, (_req, res) => {
    const d = docs.get(name)!;
    const send = () => {
      const headers: Record<string, string> = { 'Content-Type': 'application/atom+xml; charset=utf-8' };
      if (d.linkHeaderHub) headers.Link = `<${d.linkHeaderHub}>; rel="hub", <${feeds.url(`/${name}.xml`)}>; rel="self"`;
      res.writeHead(200, headers).end(document(name));
    };
    if (d.delayMs) setTimeout(send, d.delayMs);
    else send();
  });
}

const topic = (name: string) => feeds.url(`/${name}.xml`);
const polls = (name: string) => feeds.requests.filter((r) => r.path === `/${name}.xml`).length;

async function get(p: string): Promise<{ status: number; body: string; headers: Headers }> {
  const res = await fetch(`${base}${p}`);
  return { status: res.status, body: await res.text(), headers: res.headers };
}

async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

interface FeedRow {
  id: number;
  url: string;
  push: 'pending' | 'active' | 'denied' | null;
  websub: { hub: string; topic: string; state: string; lease_expires: string | null; reason: string | null } | null;
}

async function feedsList(): Promise<FeedRow[]> {
  const r = await runPlanet(['feeds', 'list', '--json', '--config', configPath]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as FeedRow[];
}
const row = (rows: FeedRow[], name: string) => rows.find((r) => r.url === topic(name))!;

async function pass(...args: string[]) {
  const r = await runPlanet(['fetch', '--config', configPath, ...args]);
  expect(r.code, r.stderr).toBe(0);
  return r;
}

function query<T>(sql: string, ...params: unknown[]): T {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.prepare(sql).get(...params) as T;
  } finally {
    db.close();
  }
}
const entryCount = () => query<{ n: number }>('SELECT count(*) AS n FROM entries').n;

/** The callback the planet gave the hub for a topic (from the hub's live subscriptions). */
const callbackOf = (h: WebsubHub, name: string) => h.subscriptions(topic(name))[0]?.callback;

/** A new post in feed `name`, pushed by the hub with the given signature; resolves with the delivery answers. */
async function push(name: string, title: string, options: { signature?: 'good' | 'bad' | 'missing'; algorithm?: HubAlgorithm } = {}) {
  docs.get(name)!.entries.push(entry(`${name}-${title}`, title));
  return hub.distribute(topic(name), document(name), { contentType: 'application/atom+xml; charset=utf-8', ...options });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'planet-websub-'));
  feeds = await startFeedServer();
  hub = await startWebsubHub({ leaseSeconds: TEN_DAYS });
  shortHub = await startWebsubHub({ leaseSeconds: 15 });
  docs.set('a', { hub: hub.url, entries: [entry('a-1', 'A first post')] }); // hub named in the document
  docs.set('b', { linkHeaderHub: hub.url, entries: [entry('b-1', 'B first post')] }); // hub named only in a Link header
  docs.set('c', { entries: [entry('c-1', 'C first post')] }); // no hub: polled only
  docs.set('d', { hub: hub.url, entries: [entry('d-1', 'D first post')] }); // the hub denies it
  docs.set('e', { hub: shortHub.url, entries: [entry('e-1', 'E first post')] }); // short leases, added later
  docs.set('f', { hub: hub.url, entries: [entry('f-1', 'F first post')] }); // removed later
  for (const name of docs.keys()) serveDoc(name);
  hub.denyTopics.add(topic('d'));

  const port = await freePort();
  dbPath = path.join(dir, 'planet.db');
  configPath = writeWebsubConfig(path.join(dir, 'planet.yaml'), {
    dbPath,
    port,
    hub: hub.url,
    maxBytes: 65_536,
    feeds: [{ url: topic('a') }, { url: topic('b'), tags: ['news'] }, { url: topic('c'), tags: ['news'] }, { url: topic('d') }, { url: topic('f') }],
  });
  serve = startPlanetProcess(['serve', '--config', configPath], { LOG_LEVEL: 'info' });
  base = await serveAddress(serve, STARTUP_MS);
  // serve's pass at start subscribes; the hub verifies on serve's callbacks.
  await hub.waitFor(() => hub.subscriptions().length === 3, STARTUP_MS, 'A, B and F to be subscribed');
  await hub.waitFor(() => hub.verifications.some((v) => v.mode === 'denied'), STARTUP_MS, 'D to be denied');
}, STARTUP_MS * 3);

afterAll(async () => {
  if (serve && serve.child.exitCode === null) {
    serve.child.kill('SIGTERM');
    await serve.done;
  }
  await hub?.close();
  await shortHub?.close();
  await feeds?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('WebSub subscriber, end to end', () => {
  it('discovers the hub in the document and in a Link header, and subscribes with its own secret and an unguessable callback', async () => {
    const subscribes = hub.requests.filter((r) => r.mode === 'subscribe');
    expect(subscribes.map((r) => r.topic).sort()).toEqual([topic('a'), topic('b'), topic('d'), topic('f')].sort());
    for (const r of subscribes) {
      expect(r.status).toBe(202);
      expect(r.callback).toMatch(new RegExp(`^${base.replace(/[.]/g, '\\.')}/websub/[A-Za-z0-9_-]{32}$`));
      expect(r.secret).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(new Set(subscribes.map((r) => r.callback)).size).toBe(4);
    expect(new Set(subscribes.map((r) => r.secret)).size).toBe(4);
    // Verification of intent: the challenge echoed, for the topic asked for.
    const confirmed = hub.verifications.filter((v) => v.mode === 'subscribe' && v.confirmed).map((v) => v.topic);
    expect(confirmed.sort()).toEqual([topic('a'), topic('b'), topic('f')].sort());

    const rows = await feedsList();
    expect(row(rows, 'a').push).toBe('active');
    expect(row(rows, 'b').push).toBe('active');
    expect(row(rows, 'c').push).toBeNull();
    expect(row(rows, 'd').push).toBe('denied');
    expect(row(rows, 'd').websub?.reason).toContain('this topic is not served by this hub');
    expect(row(rows, 'a').websub).toMatchObject({ hub: hub.url, topic: topic('a'), state: 'active' });
    expect(Date.parse(row(rows, 'a').websub!.lease_expires!)).toBeGreaterThan(Date.now() + (TEN_DAYS - 60) * 1000);
    const text = await runPlanet(['feeds', 'list', '--config', configPath]);
    expect(text.stdout).toMatch(/Blog a .*active until \S+ \(http:\/\/127\.0\.0\.1:\d+\/\)/);
  });

  it('as a publisher: the merged and tag feeds advertise the hub and themselves, and the first pass pinged the hub about each', async () => {
    const atom = await get('/atom.xml');
    expect(atom.body).toContain(`<link rel="hub" href="${hub.url}"/>`);
    expect(atom.body).toContain(`<link rel="self" href="${base}/atom.xml"/>`);
    expect(atom.headers.get('link')).toBe(`<${hub.url}>; rel="hub", <${base}/atom.xml>; rel="self"`);
    const rss = await get('/tag/news/rss.xml');
    expect(rss.body).toMatch(new RegExp(`<atom:link href="${hub.url}" rel="hub"/>`));
    expect(rss.headers.get('link')).toBe(`<${hub.url}>; rel="hub", <${base}/tag/news/rss.xml>; rel="self"`);
    const json = JSON.parse((await get('/feed.json')).body) as { hubs: unknown; feed_url: string };
    expect(json.hubs).toEqual([{ type: 'WebSub', url: hub.url }]);
    expect(json.feed_url).toBe(`${base}/feed.json`);
    // A 304 still names them.
    const again = await fetch(`${base}/atom.xml`, { headers: { 'if-none-match': atom.headers.get('etag')! } });
    expect(again.status).toBe(304);
    expect(again.headers.get('link')).toContain('rel="hub"');

    const pinged = new Set(hub.publishes.map((p) => p.url));
    for (const p of ['/atom.xml', '/rss.xml', '/feed.json', '/tag/news/atom.xml', '/tag/news/rss.xml', '/tag/news/feed.json']) expect(pinged).toContain(`${base}${p}`);
    const ping = hub.requests.find((r) => r.mode === 'publish' && r.url === `${base}/atom.xml`)!;
    expect(ping).toMatchObject({ topic: `${base}/atom.xml`, status: 204 });
  });

  it.each(['sha1', 'sha256', 'sha384', 'sha512'] as const)('stores content distributed with a valid %s signature: the post is on / at once', async (algorithm) => {
    const before = hub.publishes.length;
    const title = `Pushed with ${algorithm}`;
    const answers = await push('a', title, { algorithm });
    expect(answers.map((a) => a.status)).toEqual([202]);
    expect(answers[0]!.signature).toMatch(new RegExp(`^${algorithm}=[0-9a-f]+$`));
    await until(`"${title}" on /`, async () => (await get('/')).body.includes(title));
    // A push that changed the merged feed is published, like a pass that did.
    await hub.waitFor(() => hub.publishes.slice(before).some((p) => p.url === `${base}/atom.xml`), 10_000, 'a publish ping after the push');
  });

  it.each([
    ['a wrong signature', { signature: 'bad' as const }],
    ['no signature', { signature: 'missing' as const }],
  ])('acknowledges content with %s (202) and stores nothing', async (_case, options) => {
    const before = entryCount();
    const title = `Forged ${options.signature}`;
    const answers = await push('a', title, options);
    expect(answers.map((a) => a.status)).toEqual([202]);
    // A delivery that would be stored shows within milliseconds (the good case above); wait well past that.
    await new Promise((r) => setTimeout(r, 1000));
    expect(entryCount()).toBe(before);
    expect((await get('/')).body).not.toContain(title);
    docs.get('a')!.entries.pop(); // never published by the blog, as far as the planet knows
  });

  it('acknowledges a signature with an unknown algorithm, too large a body with 413, and counts them all', async () => {
    const callback = callbackOf(hub, 'a')!;
    const before = entryCount();
    const secret = hub.subscriptions(topic('a'))[0]!.secret!;
    const r = await fetch(callback, { method: 'POST', headers: { 'content-type': 'application/atom+xml', 'x-hub-signature': 'md5=0123456789abcdef0123456789abcdef' }, body: document('a') });
    expect(r.status).toBe(202);
    const big = await hub.deliver(callback, topic('a'), 'x'.repeat(70_000), secret);
    expect(big.status).toBe(413);
    expect(entryCount()).toBe(before);
    const metrics = (await get('/metrics')).body;
    expect(metrics).toMatch(/planet_websub_deliveries_total\{outcome="bad_signature"\} [3-9]/);
    expect(metrics).toMatch(/planet_websub_deliveries_total\{outcome="too_large"\} 1/);
    expect(metrics).toMatch(/planet_websub_deliveries_total\{outcome="stored"\} [4-9]/);
    expect(metrics).toMatch(/planet_websub_verifications_total\{mode="subscribe",outcome="confirmed"\} 3/);
    expect(metrics).toMatch(/planet_websub_hub_requests_total\{mode="publish",outcome="ok"\} \d+/);
    // The callback's token never reaches the request log.
    expect(serve.stdout()).not.toContain(callback.split('/').pop()!);
  });

  it('refuses verification (404) for a topic, a callback or a mode it did not ask for', async () => {
    const callback = callbackOf(hub, 'a')!;
    expect((await hub.verify(callback, 'subscribe', `${topic('a')}?other`)).status).toBe(404);
    expect((await hub.verify(callback, 'subscribe', topic('b'))).status).toBe(404);
    // The right topic, but no request of ours is pending: an attacker cannot extend or end a lease.
    expect((await hub.verify(callback, 'subscribe', topic('a'))).status).toBe(404);
    expect((await hub.verify(callback, 'unsubscribe', topic('a'))).status).toBe(404);
    expect((await hub.verify(`${base}/websub/${'x'.repeat(32)}`, 'subscribe', topic('a'))).status).toBe(404);
    expect((await hub.verify(`${base}/websub/short`, 'subscribe', topic('a'))).status).toBe(404);
    expect(row(await feedsList(), 'a').push).toBe('active');
  });

  it('queues a push that arrives during a pass and stores it once the pass is over', async () => {
    docs.get('c')!.delayMs = 3000;
    docs.get('c')!.entries.push(entry('c-2', 'C during the pass'));
    const slowPass = pass('--feed', topic('c'));
    await until('the pass to hold the lock', () => query<{ n: number }>("SELECT count(*) AS n FROM locks WHERE name = 'fetch-pass'").n === 1);
    const title = 'Pushed during a pass';
    const answers = await push('a', title);
    expect(answers.map((a) => a.status)).toEqual([202]);
    await new Promise((r) => setTimeout(r, 500));
    // The pass still writes: the delivery waits in the queue, not on the page.
    expect(query<{ n: number }>("SELECT count(*) AS n FROM locks WHERE name = 'fetch-pass'").n).toBe(1);
    expect(query<{ n: number }>('SELECT count(*) AS n FROM websub_deliveries').n).toBe(1);
    expect((await get('/')).body).not.toContain(title);
    const done = await slowPass;
    docs.get('c')!.delayMs = 0;
    await until(`"${title}" on /`, async () => (await get('/')).body.includes(title), 5000);
    expect((await get('/')).body).toContain('C during the pass');
    expect(query<{ n: number }>('SELECT count(*) AS n FROM websub_deliveries').n).toBe(0);
    expect(done.stdout).toMatch(/ok +#\d+ Blog c — 1 new/);
  }, 60_000);

  it('a pushed feed is not polled by passes; a denial by the hub falls back to polling', async () => {
    const a = polls('a');
    const b = polls('b');
    const c = polls('c');
    await pass();
    expect(polls('c')).toBe(c + 1); // polled on the schedule
    expect(polls('a')).toBe(a); // pushed: polled every websub.poll_hours only
    expect(polls('b')).toBe(b);

    const denied = await hub.deny(topic('b'), 'the publisher left this hub');
    expect(denied.map((v) => v.status)).toEqual([200]);
    const rows = await feedsList();
    expect(row(rows, 'b').push).toBe('denied');
    expect(row(rows, 'b').websub?.reason).toContain('the publisher left this hub');
    await pass();
    expect(polls('b')).toBe(b + 1);
    expect(polls('a')).toBe(a);
  }, 60_000);

  it('renews a lease before it runs out; a lapsed lease falls back to polling until the feed is subscribed again', async () => {
    const added = await runPlanet(['feeds', 'add', topic('e'), '--no-discover', '--config', configPath]);
    expect(added.code, added.stderr).toBe(0);
    await pass('--feed', topic('e'));
    await shortHub.waitFor(() => shortHub.subscriptions(topic('e')).length === 1, 10_000, 'E to be subscribed');
    const leaseOfE = () => query<{ state: string; lease_expires_at: number | null } | undefined>('SELECT state, lease_expires_at FROM websub_subscriptions WHERE topic = ? AND state <> ?', topic('e'), 'unsubscribing');
    const first = (await until('E active', () => (leaseOfE()?.state === 'active' ? leaseOfE() : undefined))).lease_expires_at!;
    expect(row(await feedsList(), 'e').push).toBe('active');

    // A pass within the lease (15 s, well inside the renewal margin) renews it: verified again, extended.
    const verifiedBefore = shortHub.verifications.filter((v) => v.confirmed).length;
    await pass();
    await shortHub.waitFor(() => shortHub.verifications.filter((v) => v.confirmed).length > verifiedBefore, 10_000, 'the renewal to be verified');
    const renewal = shortHub.requests.filter((r) => r.mode === 'subscribe' && r.topic === topic('e'));
    expect(renewal).toHaveLength(2);
    expect(renewal[1]!.callback).toBe(renewal[0]!.callback); // same callback and secret: a renewal
    expect(renewal[1]!.secret).toBe(renewal[0]!.secret);
    const renewed = (await until('the lease to move', () => ((leaseOfE()?.lease_expires_at ?? 0) > first ? leaseOfE() : undefined))).lease_expires_at!;
    expect(renewed).toBeGreaterThan(first);

    // No pass before it ends: the lease lapses, the hub stops pushing, the feed is polled again.
    await new Promise((r) => setTimeout(r, Math.max(0, renewed - Date.now()) + 300));
    expect(shortHub.subscriptions(topic('e'))).toEqual([]);
    expect(row(await feedsList(), 'e').push).toBeNull();
    const e = polls('e');
    await pass();
    expect(polls('e')).toBe(e + 1);
    // … and that poll finds the hub again: a new subscription (new callback, new secret).
    await shortHub.waitFor(() => shortHub.subscriptions(topic('e')).length === 1, 10_000, 'E to be subscribed again');
    const third = shortHub.requests.filter((r) => r.mode === 'subscribe' && r.topic === topic('e'))[2]!;
    expect(third.callback).not.toBe(renewal[0]!.callback);
    expect(third.secret).not.toBe(renewal[0]!.secret);
  }, 60_000);

  it('unsubscribes when a feed is removed, and answers 410 Gone to deliveries for it afterwards', async () => {
    const callback = callbackOf(hub, 'f')!;
    const secret = hub.subscriptions(topic('f'))[0]!.secret;
    const removed = await runPlanet(['feeds', 'remove', topic('f'), '--config', configPath]);
    expect(removed.code, removed.stderr).toBe(0);
    const done = await pass();
    expect(done.stdout).toContain(`hub unsubscribe ${topic('f')} at ${hub.url} — accepted (HTTP 202)`);
    const request = hub.requests.find((r) => r.mode === 'unsubscribe' && r.topic === topic('f'));
    expect(request?.callback).toBe(callback);
    await hub.waitFor(() => hub.subscriptions(topic('f')).length === 0, 10_000, 'F to be unsubscribed');
    expect(hub.verifications.find((v) => v.mode === 'unsubscribe' && v.topic === topic('f'))?.confirmed).toBe(true);
    expect((await hub.deliver(callback, topic('f'), document('f'), secret)).status).toBe(410);
    expect(query<{ n: number }>('SELECT count(*) AS n FROM websub_subscriptions WHERE topic = ?', topic('f')).n).toBe(0);
  }, 60_000);
});
